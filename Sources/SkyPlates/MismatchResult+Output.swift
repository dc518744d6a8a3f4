// Writing the mismatch workflow's results: matched.fits, nonmatched.fits, summary.json, candidates.reg.
import Foundation
import SkyCore

/// The summary written to `summary.json`.
public struct MismatchSummary: Sendable, Codable, Equatable {
    public var plate1: PlateFiles
    public var plate2: PlateFiles
    public var wcs2: String?
    public var steps: [MismatchStep]
    public var plate1Load: PlateLoadReport
    public var plate2Load: PlateLoadReport
    public var dedupApplied: Bool
    public var dedupFraction: Double
    public var coverage: CoverageReport
    public var matchRadiusArcsec: Double
    public var dedupRadiusArcsec: Double
    public var cuts: [PlateCut]
    public var candidates: Int
    public var outputs: [String: String]
    public var timingsSeconds: [String: Double]
}

/// The files `MismatchResult.write(to:)` writes into the output folder (raw value: the file name).
public enum MismatchOutput: String, Sendable, CaseIterable {
    case matched = "matched.fits", nonmatched = "nonmatched.fits", summary = "summary.json", regions = "candidates.reg"
}

extension MismatchResult {
    /// The summary of this run (`summary.json`), with output paths under `dir`.
    public func summary(dir: String) -> MismatchSummary {
        MismatchSummary(plate1: plate1, plate2: plate2, wcs2: options.wcs2, steps: steps, plate1Load: plate1Load,
                        plate2Load: plate2Load, dedupApplied: dedupApplied, dedupFraction: dedupFraction, coverage: coverage,
                        matchRadiusArcsec: options.matchRadius, dedupRadiusArcsec: options.dedupRadius,
                        cuts: options.allCuts,
                        candidates: candidateRows.count,
                        outputs: Dictionary(uniqueKeysWithValues: MismatchOutput.allCases.map { ("\($0)", (dir as NSString).appendingPathComponent($0.rawValue)) }),
                        timingsSeconds: timings)
    }

    /// The candidates (`reason == not_detected`) as DS9 circles labelled with their key value.
    public func candidateCircles() throws -> [SkyCircle] {
        let (ra, dec) = try nonmatched.positions()
        let key = nonmatched[options.key]
        return candidateRows.map { r in
            SkyCircle(ra: ra[r], dec: dec[r], radius: options.regionRadius, text: key?.text(at: r))
        }
    }

    /// Writes the four outputs into `dir` (created if needed). Every file is first written under a temporary
    /// name; the files are renamed into place only when all four are complete, so a failure leaves none.
    public func write(to dir: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = try enc.encode(summary(dir: dir))
        let regions = DS9Regions.text(try candidateCircles(), comment: "skytool mismatch candidates: plate-1 sources with no plate-2 counterpart inside plate 2's coverage")
        let token = UInt32.random(in: 0...UInt32.max)
        var staged: [(String, String)] = []
        func stage(_ name: String) -> String {
            let final = (dir as NSString).appendingPathComponent(name)
            let tmp = (dir as NSString).appendingPathComponent(".skytool-tmp-\(token)-" + name)
            staged.append((tmp, final))
            return tmp
        }
        do {
            let m = stage(MismatchOutput.matched.rawValue)
            try matched.write(to: m)
            let n = stage(MismatchOutput.nonmatched.rawValue)
            try nonmatched.write(to: n)
            let s = stage(MismatchOutput.summary.rawValue)
            guard fm.createFile(atPath: s, contents: json + Data("\n".utf8)) else { throw PlateError(.badOption, "cannot write '\(s)'") }
            let g = stage(MismatchOutput.regions.rawValue)
            guard fm.createFile(atPath: g, contents: Data(regions.utf8)) else { throw PlateError(.badOption, "cannot write '\(g)'") }
            for (tmp, final) in staged where rename(tmp, final) != 0 {
                throw PlateError(.badOption, "cannot write '\(final)': \(String(cString: strerror(errno)))")
            }
        } catch {
            for (tmp, _) in staged { unlink(tmp) }
            throw error
        }
    }
}
