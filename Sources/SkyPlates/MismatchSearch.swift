// The plate mismatch workflow: plate-1 sources with no counterpart on plate 2.
import Foundation
import SkyCore
import SkyMatch

/// The row count after one step of the workflow.
public struct MismatchStep: Sendable, Equatable, Codable {
    /// Machine-readable step name (`joined`, `cut:elongation`, `dedup`, `matched`, ...).
    public var name: String
    public var rows: Int
    /// What the step did, in words.
    public var note: String
}

/// How plate 2's coverage was made.
public struct CoverageReport: Sendable, Equatable, Codable {
    /// `wcs` (plate 2's image; labels use its exact pixel box) or `sources` (the closed cells holding
    /// plate-2 sources).
    public var from: String
    /// HEALPix order of the coverage MOC.
    public var order: Int
    /// Area of the coverage MOC in square degrees.
    public var areaDeg2: Double
    /// For `sources`: the closing radius R (**arcsec**), gaps up to about this size filled.
    public var radiusArcsec: Double?
    /// For `sources`: the median nearest-neighbour distance on plate 2 (**arcsec**).
    public var medianNearestArcsec: Double?
}

/// What the workflow found.
public struct MismatchResult: Sendable {
    /// Counts after every step, in order.
    public var steps: [MismatchStep]
    public var plate1Load: PlateLoadReport
    public var plate2Load: PlateLoadReport
    /// Whether the scanner-artifact step removed rows, and the fraction of rows with a duplicate.
    public var dedupApplied: Bool
    public var dedupFraction: Double
    public var coverage: CoverageReport
    /// Plate 2's coverage.
    public var coverage2: MOC
    /// Plate-1 rows with a plate-2 partner: plate 1's columns, plate 2's prefixed `plate2_`, `sep_arcsec`.
    public var matched: Catalogue
    /// Plate-1 rows without a partner: plate 1's columns, `sep_arcsec` (to the nearest plate-2 source
    /// within `nearestRadius`, missing if none) and `reason` (`not_detected`, `not_covered` or
    /// `invalid_position`).
    public var nonmatched: Catalogue
    /// Rows of `nonmatched` that are candidates (`reason == not_detected`).
    public var candidateRows: [Int]
    /// Seconds spent in each phase.
    public var timings: [String: Double]
    public var options: MismatchOptions
    public var plate1: PlateFiles
    public var plate2: PlateFiles
}

/// Finds plate-1 sources with no counterpart on plate 2 (the APPLAUSE plate-comparison workflow).
///
/// Steps: (1) load and join each plate's `source` and `source_calib` tables; (2) quality cuts on plate 1;
/// (3) scanner artifacts: self-match plate 1 and keep rows with a duplicate (two scans of one plate put every
/// real object, including plate defects, twice at the same sky position, while scanner artifacts move with
/// the 90° rotation) — only when duplicates are common; (4) nearest plate-2 partner within `matchRadius`;
/// (5) coverage: an unmatched plate-1 source outside plate 2's footprint is `not_covered`, inside it is
/// `not_detected` — a candidate. The result does not depend on the number of threads.
public enum MismatchSearch {
    public static func run(plate1: PlateFiles, plate2: PlateFiles, options: MismatchOptions = MismatchOptions()) throws -> MismatchResult {
        try options.validate()
        var timings: [String: Double] = [:]
        var t0 = Date()
        func lap(_ name: String) { timings[name] = Date().timeIntervalSince(t0); t0 = Date() }

        // 1. Load both plates (four reads at once).
        let tables = try PlateTables.read([plate1, plate2])
        let (p1, load1) = try PlateTables.join(source: tables[0], calib: tables[1], files: plate1, plate: "plate 1",
                                               key: options.key, ra: options.ra, dec: options.dec)
        let (p2, load2) = try PlateTables.join(source: tables[2], calib: tables[3], files: plate2, plate: "plate 2",
                                               key: options.key, ra: options.ra, dec: options.dec)
        lap("load")
        var steps: [MismatchStep] = [
            MismatchStep(name: "plate1_source", rows: load1.sourceRows, note: "rows in plate 1's source table"),
            MismatchStep(name: "plate1_calib", rows: load1.calibRows, note: "rows in plate 1's source_calib table"),
            MismatchStep(name: "joined", rows: load1.joinedRows, note: "plate 1 joined on \(options.key)" + joinNote(load1)),
            MismatchStep(name: "plate2_joined", rows: load2.joinedRows, note: "plate 2 joined on \(options.key) (taken as it is)" + joinNote(load2)),
        ]

        // 2. Quality cuts on plate 1, all evaluated on the joined table.
        var keep = [Bool](repeating: true, count: p1.rowCount)
        for cut in options.allCuts {
            let (name, text) = (cut.name, cut.expression)
            let mask: [Bool]
            do { mask = try Expression(text).mask(on: p1) } catch {
                throw PlateError(.badCut, "plate 1 cut '\(name)': \(error)", file: plate1.label)
            }
            for i in 0..<keep.count where !mask[i] { keep[i] = false }
            steps.append(MismatchStep(name: "cut:\(name)", rows: keep.lazy.filter { $0 }.count, note: text))
        }
        var q1 = try p1.filter(keep)
        lap("cuts")

        // 3. Scanner artifacts.
        let sm = try SelfMatch(q1, radius: options.dedupRadius)
        let fraction = sm.duplicatedFraction
        let apply = options.dedup == .always || (options.dedup == .auto && fraction > options.dedupMinFraction)
        q1 = try sm.annotate(q1, keep: apply ? .duplicated : .all)
        if apply {
            steps.append(MismatchStep(name: "dedup", rows: q1.rowCount, note: String(format: "kept rows with a duplicate within %g\" (%.1f%% of rows have one; scanner artifacts removed)", options.dedupRadius, 100 * fraction)))
        } else {
            let why = options.dedup == .never ? "dedup disabled" : String(format: "only %.1f%% of rows have a duplicate within %g\" (threshold %.0f%%): the plate looks scanned once", 100 * fraction, options.dedupRadius, 100 * options.dedupMinFraction)
            steps.append(MismatchStep(name: "dedup", rows: q1.rowCount, note: "not applied, every row kept: " + why))
        }
        lap("dedup")

        // 4. Coverage of plate 2.
        let (ra2, dec2) = try p2.positions()
        let image2 = try options.wcs2.map(plateImage)
        let (moc, cov) = try coverage(ra2: ra2, dec2: dec2, wcs: image2, options: options)
        lap("coverage")

        // 5. Nearest partner on plate 2.
        let (ra1, dec1) = try q1.positions()
        let r = try Crossmatch.match(ra1: ra1, dec1: dec1, ra2: ra2, dec2: dec2,
                                     options: MatchOptions(.radius(arcsec: options.matchRadius), find: .best1))
        var matched = q1.rows(r.rows1)
        for c in p2.columns {
            var col = c.rows(r.rows2); col.name = matched.unusedName("plate2_" + c.name)
            try matched.add(col)
        }
        try matched.add(Column(name: matched.unusedName("sep_arcsec"), values: .double(r.separations), unit: "arcsec", description: "separation from the plate-2 partner"))
        let unmatched = (r.unmatched1 + r.invalid1).sorted()
        let invalid = Set(r.invalid1)
        var nonmatched = q1.rows(unmatched)
        let inside = try covered(ra: unmatched.map { ra1[$0] }, dec: unmatched.map { dec1[$0] }, moc: moc, wcs: image2)
        let reasons: [String] = unmatched.indices.map { k in
            invalid.contains(unmatched[k]) ? UnmatchedReason.invalidPosition.rawValue
                : (inside[k] ? UnmatchedReason.notDetected : UnmatchedReason.notCovered).rawValue
        }
        // Nearest plate-2 source beside each non-matched row (for the reviewer).
        let index = try SkyIndex(ra: ra2, dec: dec2, order: SkyIndex.order(forRadius: options.nearestRadius / 3600))
        let near = unmatched.map { index.nearest(ra: ra1[$0], dec: dec1[$0], within: options.nearestRadius / 3600) }
        try nonmatched.add(Column(name: nonmatched.unusedName("sep_arcsec"), values: .double(near.map { ($0?.separation ?? .nan) * 3600 }),
                                  missing: near.map { $0 == nil }, unit: "arcsec", description: "separation from the nearest plate-2 source (missing if none within the nearest-source radius)"))
        try nonmatched.add(Column(name: nonmatched.unusedName("reason"), values: .string(reasons), description: "not_detected (inside plate 2's coverage), not_covered, or invalid_position"))
        let candidates = reasons.indices.filter { reasons[$0] == UnmatchedReason.notDetected.rawValue }
        let notCovered = reasons.filter { $0 == UnmatchedReason.notCovered.rawValue }.count
        steps.append(MismatchStep(name: "matched", rows: r.pairCount, note: String(format: "nearest plate-2 partner within %g\"", options.matchRadius)))
        steps.append(MismatchStep(name: "nonmatched", rows: unmatched.count, note: "no plate-2 partner"))
        steps.append(MismatchStep(name: "not_covered", rows: notCovered, note: "outside plate 2's coverage (\(cov.from)): not candidates"))
        if !invalid.isEmpty { steps.append(MismatchStep(name: "invalid_position", rows: invalid.count, note: "NaN or out-of-range positions, skipped")) }
        steps.append(MismatchStep(name: "not_detected", rows: candidates.count, note: "inside plate 2's coverage with no counterpart: the candidates"))
        lap("match")

        return MismatchResult(steps: steps, plate1Load: load1, plate2Load: load2, dedupApplied: apply, dedupFraction: fraction,
                              coverage: cov, coverage2: moc, matched: matched, nonmatched: nonmatched, candidateRows: candidates,
                              timings: timings, options: options, plate1: plate1, plate2: plate2)
    }

    static func joinNote(_ r: PlateLoadReport) -> String {
        var parts: [String] = []
        if r.sourceWithoutCalib > 0 { parts.append("\(r.sourceWithoutCalib) source rows without a calib row dropped") }
        if r.calibWithoutSource > 0 { parts.append("\(r.calibWithoutSource) calib rows without a source row dropped") }
        return (parts.isEmpty ? "" : "; " + parts.joined(separator: ", ")) + "; positions \(r.ra)/\(r.dec)"
    }

    /// Plate 2's astrometric solution from a FITS file, checked to have celestial axes and an image size.
    public static func plateImage(_ path: String) throws -> WCS {
        let wcs = try WCS(file: FITSFile(path: path))
        guard wcs.hasCelestial, wcs.imageSize.count >= 2, wcs.imageSize[0] > 0, wcs.imageSize[1] > 0 else {
            throw PlateError(.badOption, "plate 2's WCS has no celestial axes or no image size (NAXISn or IMAGEW/IMAGEH)", file: "'\(path)'")
        }
        return wcs
    }

    /// Whether positions (degrees) lie in plate 2's coverage: inside its image (pixel centres 1..NAXISn, edges
    /// at 0.5 and NAXISn + 0.5) when its WCS is given — exact, not rounded to MOC cells — else in `moc`.
    public static func covered(ra: [Double], dec: [Double], moc: MOC, wcs: WCS?) throws -> [Bool] {
        guard let wcs else { return moc.contains(ra: ra, dec: dec) }
        let w = Double(wcs.imageSize[0]), h = Double(wcs.imageSize[1])
        let px = try wcs.worldToPixel(lon: ra, lat: dec)
        return ra.indices.map { i in px.valid[i] && px.x[i] >= 0.5 && px.x[i] <= w + 0.5 && px.y[i] >= 0.5 && px.y[i] <= h + 0.5 }
    }

    /// Plate 2's coverage as a MOC: its WCS image footprint (`wcs`, see `plateImage`), or the closed cells
    /// holding its sources.
    public static func coverage(ra2: [Double], dec2: [Double], wcs: WCS? = nil, options: MismatchOptions) throws -> (MOC, CoverageReport) {
        if let wcs {
            let order = options.coverageOrder ?? 14
            let moc = try MOC.footprint(of: wcs, order: order)
            return (moc, CoverageReport(from: "wcs", order: order, areaDeg2: moc.areaDeg2, radiusArcsec: nil, medianNearestArcsec: nil))
        }
        // The closed cells holding its sources (MOC.sources), the closing never narrower than the match radius.
        let c = try MOC.sources(ra: ra2, dec: dec2, closingRadius: options.coverageRadius, matchRadius: options.matchRadius,
                                order: options.coverageOrder)
        return (c.moc, CoverageReport(from: "sources", order: c.order, areaDeg2: c.moc.areaDeg2, radiusArcsec: c.radiusArcsec,
                                      medianNearestArcsec: c.medianNearestArcsec))
    }
}
