// The metrics as an lsst.verify job (report.json), the per-pair tables, and the requirement table.
import Foundation
import SkyCore

/// One specification of LSST's verify_metrics: a threshold with the operator "<=".
public struct AstrometrySpec: Sendable, Codable, Equatable {
    /// "validate_drp.AM1.design", ...
    public var name: String
    /// "design", "minimum" or "stretch".
    public var level: String
    public var metric: String
    public var threshold: Double
    public var unit: String
}

extension RelativeAstrometry {
    /// verify_metrics' thresholds (design, minimum, stretch) for AM, AF, AD of annuli 1–3 (D = 5′, 20′, 200′).
    public static func specifications(index: Int) -> [AstrometrySpec] {
        guard (1...3).contains(index) else { return [] }
        let am: [(String, Double)] = index == 3 ? [("design", 15), ("minimum", 30), ("stretch", 10)] : [("design", 10), ("minimum", 20), ("stretch", 5)]
        let af: [(String, Double)] = [("design", 10), ("minimum", 20), ("stretch", 5)]
        let ad: [(String, Double)] = index == 3 ? [("design", 30), ("minimum", 50), ("stretch", 20)] : [("design", 20), ("minimum", 40), ("stretch", 10)]
        func specs(_ m: String, _ v: [(String, Double)], _ unit: String) -> [AstrometrySpec] {
            v.map { AstrometrySpec(name: "validate_drp.\(m)\(index).\($0.0)", level: $0.0, metric: "validate_drp.\(m)\(index)", threshold: $0.1, unit: unit) }
        }
        return specs("AM", am, "mas") + specs("AF", af, "%") + specs("AD", ad, "mas")
    }

    /// Annuli whose centre is the standard one of their index (5′, 20′, 200′) carry LSST's specifications.
    static func isStandard(_ a: AnnulusMetrics) -> Bool {
        let standard = [5.0, 20, 200]
        return a.index <= 3 && abs(a.annulus - standard[a.index - 1]) < 1e-9
    }

    /// Every metric of every annulus: (metric name, value or nil, unit).
    public var measurements: [(metric: String, value: Double?, unit: String)] {
        annuli.flatMap { a in
            [("validate_drp.AM\(a.index)", a.am, "mas"), ("validate_drp.AF\(a.index)", a.af, "%"), ("validate_drp.AD\(a.index)", a.ad, "mas")]
        }
    }

    /// Each specification with its measurement and pass (≤ threshold) or fail; nil where the metric is undefined.
    public var specResults: [(spec: AstrometrySpec, value: Double?, passed: Bool?)] {
        let values = Dictionary(uniqueKeysWithValues: measurements.map { ($0.metric, $0.value) })
        return annuli.filter(RelativeAstrometry.isStandard).flatMap { a in
            RelativeAstrometry.specifications(index: a.index).map { s in
                let v = values[s.metric] ?? nil
                return (s, v, v.map { $0 <= s.threshold })
            }
        }
    }

    /// The report in the shape of an lsst.verify job: measurements (metric, identifier, value or null, unit,
    /// blob_refs), specs (name, type "threshold", threshold {value, unit, operator "<="}, tags,
    /// metadata_query, and skytool's `measurement` and `passed`), metrics, blobs, meta (notes, pair counts,
    /// settings).
    public func reportJSON() throws -> Data {
        var measurementsOut: [[String: Any]] = []
        for (k, m) in measurements.enumerated() {
            measurementsOut.append(["metric": m.metric, "identifier": String(format: "skytool-%04d", k),
                                    "value": m.value.map { $0 as Any } ?? NSNull(), "unit": m.unit, "blob_refs": [String]()])
        }
        var specsOut: [[String: Any]] = []
        for r in specResults {
            let short = String(r.spec.metric.dropFirst("validate_drp.".count))
            specsOut.append(["name": r.spec.name, "type": "threshold",
                             "threshold": ["value": r.spec.threshold, "unit": r.spec.unit, "operator": "<="],
                             "tags": [short, "achromatic", r.spec.level], "metadata_query": [String: Any](),
                             "measurement": r.value.map { $0 as Any } ?? NSNull(), "passed": r.passed.map { $0 as Any } ?? NSNull()])
        }
        var metricsOut: [[String: Any]] = []
        for a in annuli {
            let d = "annulus \(a.annulus)′ ± \(a.width / 2)′"
            metricsOut.append(["name": "validate_drp.AM\(a.index)", "unit": "mas", "description": "median over pairs (\(d)) of the std (ddof 1) of their separations over shared visits"])
            metricsOut.append(["name": "validate_drp.AF\(a.index)", "unit": "%", "description": "percentage of separation residuals (\(d)) deviating by more than \(a.afThreshold) mas from their median"])
            metricsOut.append(["name": "validate_drp.AD\(a.index)", "unit": "mas", "description": "90th percentile of separation residuals (\(d)) less their median"])
        }
        var meta: [String: Any] = [
            "skytool.method": options.method.rawValue, "skytool.visits": visits.visitNames,
            "skytool.objects": visits.count, "skytool.associated_objects": visits.associatedObjects,
            "skytool.cut_by_visits": visits.cutByVisits, "skytool.cut_by_magnitude": visits.cutByMagnitude,
            "skytool.association_radius_arcsec": options.radius, "skytool.width_arcmin": options.effectiveWidth,
            "skytool.mag_range": options.magnitudeRange.map { [$0.lowerBound, $0.upperBound] as Any } ?? NSNull(),
        ]
        for a in annuli {
            meta["validate_drp.AM\(a.index).annulus_arcmin"] = a.annulus
            meta["validate_drp.AM\(a.index).pairs"] = a.pairs.count
            meta["validate_drp.AM\(a.index).pairs_used"] = a.amPairs
            meta["validate_drp.AF\(a.index).residuals"] = a.residualCount
            meta["validate_drp.AF\(a.index).threshold_mas"] = a.afThreshold
            for (k, note) in a.notes { meta["validate_drp.\(k).note"] = note }
        }
        let job: [String: Any] = ["measurements": measurementsOut, "specs": specsOut, "metrics": metricsOut, "blobs": [Any](), "meta": meta]
        return try JSONSerialization.data(withJSONObject: job, options: [.prettyPrinted, .sortedKeys])
    }

    /// Annulus k's pairs: object_id_1, object_id_2 (association ids), sep_arcmin (mean positions), n_visits
    /// (shared), rms_mas (AM's per-pair statistic; the seed method's |Δsep|).
    public func pairTable(_ a: AnnulusMetrics) throws -> Catalogue {
        let ids = visits.objectIDs
        return try Catalogue(columns: [
            .int64("object_id_1", a.pairs.first.map { Int64(ids[Int($0)]) }),
            .int64("object_id_2", a.pairs.second.map { Int64(ids[Int($0)]) }),
            .double("sep_arcmin", a.pairs.separation, unit: "arcmin"),
            Column(name: "n_visits", values: .int64(a.sharedVisits.map(Int64.init)), storage: .int16),
            .double("rms_mas", a.rms, unit: "mas"),
        ])
    }

    /// The requirement table: metric, value, design threshold, pass/fail, one line each.
    public var summaryTable: String {
        func row(_ a: String, _ b: String, _ c: String, _ d: String) -> String {
            a.padding(toLength: 8, withPad: " ", startingAt: 0) + String(repeating: " ", count: max(0, 14 - b.count)) + b
                + String(repeating: " ", count: max(0, 10 - c.count)) + c + "  " + d
        }
        var lines = [row("metric", "value", "design", "result")]
        let design = Dictionary(specResults.filter { $0.spec.level == "design" }.map { ($0.spec.metric, $0) }, uniquingKeysWith: { a, _ in a })
        for m in measurements {
            let short = String(m.metric.dropFirst("validate_drp.".count))
            let v = m.value.map { String(format: "%.3f ", $0) + m.unit } ?? "null"
            let d = design[m.metric]
            let t = d.map { String(format: "%g ", $0.spec.threshold) + $0.spec.unit } ?? "-"
            let r = d.map { $0.passed.map { $0 ? "pass" : "FAIL" } ?? "undefined" } ?? "-"
            lines.append(row(short, v, t, r))
        }
        return lines.joined(separator: "\n")
    }
}
