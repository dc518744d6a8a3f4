// Argument types that carry units: radii (bare number = arcsec) and sky coordinates.
import ArgumentParser
import Foundation
import SkyCore

/// An angle such as `2arcsec`, `2"`, `1.5'`, `0.1deg`, `200mas`; a bare number is arcsec.
struct RadiusArgument: ExpressibleByArgument, Sendable {
    let degrees: Double
    init?(argument: String) {
        guard let d = AngleText.degrees(argument, defaultUnit: .arcsec), d >= 0 else { return nil }
        degrees = d
    }
    static var defaultCompletionKind: CompletionKind { .default }
}

/// A right ascension: decimal degrees or sexagesimal hours (05:34:31.9).
struct RAArgument: ExpressibleByArgument, Sendable {
    let degrees: Double
    init?(argument: String) {
        guard let d = AngleText.rightAscension(argument) else { return nil }
        degrees = d
    }
}

/// A declination: decimal degrees or sexagesimal (+22:00:52).
struct DecArgument: ExpressibleByArgument, Sendable {
    let degrees: Double
    init?(argument: String) {
        guard let d = AngleText.declination(argument), abs(d) <= 90 else { return nil }
        degrees = d
    }
}

/// Options to name position columns explicitly.
struct PositionOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Right-ascension column (default: detected: ra, RA_ICRS, RAJ2000, ALPHA_J2000, coord_ra, ...).") var raCol: String?
    @Option(parsing: .unconditional, help: "Declination column (default: detected).") var decCol: String?

    func apply(_ cat: inout Catalogue) throws {
        switch (raCol, decCol) {
        case (nil, nil): return
        case let (r?, d?):
            // Units are checked where the positions are read (`Catalogue.detectPositionColumns`).
            cat.positionColumns = PositionColumns(ra: r, dec: d)
            _ = try cat.detectPositionColumns()
        default:
            throw ValidationError("give both --ra-col and --dec-col, or neither")
        }
    }
}
