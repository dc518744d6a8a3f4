// Visits associated into objects: for every object its mean position, its median magnitude, and its
// position in each visit (as unit vectors, NaN where it was not detected).
import Foundation
import SkyCore
import SkyMatch

/// One visit's detections: positions in degrees and magnitudes.
public struct Visit: Sendable {
    /// The visit's name (its id column's value, or the file name).
    public var name: String
    public var ra: [Double], dec: [Double]
    /// Magnitudes (NaN where unknown).
    public var mag: [Double]
    public init(name: String, ra: [Double], dec: [Double], mag: [Double]) {
        self.name = name; self.ra = ra; self.dec = dec; self.mag = mag
    }

    /// Where the magnitude comes from.
    public enum Magnitude: Sendable, Equatable {
        /// A magnitude column.
        case column(String)
        /// A flux column and a zero point: mag = zp − 2.5 log₁₀ flux (flux ≤ 0 gives NaN).
        case flux(String, zeroPoint: Double)
        /// No magnitudes (no magnitude cut possible).
        case none
    }

    /// The visits of a catalogue: one visit, or one per value of `visitColumn`. Positions come from the
    /// detected or named columns, in degrees or radians by their units (TUNIT rad for LSST's coord_ra).
    public static func read(_ catalogue: Catalogue, name: String, magnitude: Magnitude, visitColumn: String? = nil) throws -> [Visit] {
        let (ra, dec) = try catalogue.positions()
        let mag: [Double]
        switch magnitude {
        case .column(let c): mag = try catalogue.doubles(c)
        case let .flux(c, zp): mag = try catalogue.doubles(c).map { $0 > 0 ? zp - 2.5 * log10($0) : .nan }
        case .none: mag = [Double](repeating: .nan, count: catalogue.rowCount)
        }
        guard let vc = visitColumn else { return [Visit(name: name, ra: ra, dec: dec, mag: mag)] }
        let col = try catalogue.column(vc)
        var rowsByKey: [String: [Int]] = [:]
        var order: [String] = []
        for r in 0..<catalogue.rowCount {
            let key: String
            switch col.values {
            case .int64(let a): key = String(a[r])
            case .uint64(let a): key = String(a[r])
            case .string(let a): key = a[r]
            case .double(let a): key = String(a[r])
            case .float(let a): key = String(a[r])
            case .bool(let a): key = String(a[r])
            }
            if rowsByKey[key] == nil { order.append(key) }
            rowsByKey[key, default: []].append(r)
        }
        return order.map { k in
            let rows = rowsByKey[k] ?? []
            return Visit(name: k, ra: rows.map { ra[$0] }, dec: rows.map { dec[$0] }, mag: rows.map { mag[$0] })
        }
    }
}

/// Objects built from visits, with their positions per visit.
///
/// Objects: the visits associated in order (`Association`, one-to-one within the radius); an object's
/// position is the normalised mean of its detections' unit vectors, its magnitude the median of its
/// finite detection magnitudes. Only objects detected in at least `minVisits` visits and, when a range is
/// given, with lo ≤ median magnitude < hi are kept.
public struct VisitSet: Sendable {
    public var visitNames: [String]
    /// Kept objects: association object id (1-based), mean position (degrees), median magnitude, visits.
    public var objectIDs: [Int]
    public var ra: [Double], dec: [Double]
    public var medianMagnitude: [Double]
    public var visitCount: [Int]
    /// Per object, per visit: the detection's unit vector; NaN components where not detected. Object-major:
    /// entry (o, v) at o · visits + v.
    var vx: [Double], vy: [Double], vz: [Double]
    /// Objects associated before the cuts, and the numbers cut.
    public var associatedObjects: Int, cutByVisits: Int, cutByMagnitude: Int

    public var visits: Int { visitNames.count }
    public var count: Int { objectIDs.count }

    public init(visits: [Visit], options: AstrometryOptions) throws {
        guard visits.count >= 2 else { throw AstrometryError("relative astrometry needs at least two visits (got \(visits.count))") }
        let a = try Association(positions: visits.map { (ra: $0.ra, dec: $0.dec) }, radius: options.radius)
        let nv = visits.count, no = a.objectIDs.count
        var ux = [Double](repeating: .nan, count: no * nv), uy = ux, uz = ux
        var mags = [[Double]](repeating: [], count: no)
        for k in 0..<a.detectionObject.count {
            let o = a.detectionObject[k] - 1, v = a.detectionCatalogue[k], r = a.detectionRow[k]
            let u = UnitVector(ra: visits[v].ra[r], dec: visits[v].dec[r])
            ux[o * nv + v] = u.x; uy[o * nv + v] = u.y; uz[o * nv + v] = u.z
            let m = visits[v].mag[r]
            if m.isFinite { mags[o].append(m) }
        }
        visitNames = visits.map(\.name)
        objectIDs = []; ra = []; dec = []; medianMagnitude = []; visitCount = []
        vx = []; vy = []; vz = []
        associatedObjects = no; cutByVisits = 0; cutByMagnitude = 0
        for o in 0..<no {
            guard a.detectionCounts[o] >= options.minVisits else { cutByVisits += 1; continue }
            let med = VisitSet.median(mags[o])
            if let range = options.magnitudeRange, !(med.isFinite && range.contains(med)) { cutByMagnitude += 1; continue }
            objectIDs.append(a.objectIDs[o]); ra.append(a.ra[o]); dec.append(a.dec[o])
            medianMagnitude.append(med); visitCount.append(a.detectionCounts[o])
            vx += ux[(o * nv)..<((o + 1) * nv)]; vy += uy[(o * nv)..<((o + 1) * nv)]; vz += uz[(o * nv)..<((o + 1) * nv)]
        }
    }

    /// numpy's median: the middle value, or the mean of the two middle values (NaN when empty).
    static func median(_ v: [Double]) -> Double {
        guard !v.isEmpty else { return .nan }
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
