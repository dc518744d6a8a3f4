// N-way association: detections from many catalogues (visits, epochs) grouped into objects.
import SkyCore

/// Objects built from the detections of several catalogues.
///
/// Algorithm (deterministic): catalogues are taken in the order given. The first catalogue's valid rows
/// become objects 1, 2, ... in row order. Each next catalogue is matched one-to-one against the current
/// objects' mean positions within `radius` **arcseconds** (the optimal assignment of `Crossmatch`, `find: .best`): a matched
/// detection joins its object, every other detection starts a new object (ids continue in catalogue, then
/// row order). After each catalogue the objects' mean positions are updated — the mean of the member unit
/// vectors, or weighted by 1/σ² when errors are given.
///
/// Ambiguities are settled by the one-to-one assignment: a detection near two objects joins the one that
/// gives the best overall assignment (usually the nearer); two detections of one catalogue near one object —
/// only one of them joins it (the assignment's choice), the other starts a new object, so an object never
/// holds two detections of the same catalogue.
public struct Association: Sendable {
    /// Object id (1-based), mean position (degrees) and number of detections of each object.
    public var objectIDs: [Int]
    public var ra: [Double]
    public var dec: [Double]
    public var detectionCounts: [Int]
    /// One entry per associated detection: object id, catalogue index (0-based), row, and separation in
    /// **arcseconds** from the object's mean position at the time it joined (0 for the first detection).
    public var detectionObject: [Int]
    public var detectionCatalogue: [Int]
    public var detectionRow: [Int]
    public var detectionSeparation: [Double]

    /// Associates position lists (degrees) within `radius` **arcseconds**. `errors`, when given, are per-detection 1σ position errors in
    /// **arcseconds** used to weight the mean positions.
    public init(positions: [(ra: [Double], dec: [Double])], radius: Double, errors: [[Double]]? = nil) throws {
        objectIDs = []; ra = []; dec = []; detectionCounts = []
        detectionObject = []; detectionCatalogue = []; detectionRow = []; detectionSeparation = []
        var sx: [Double] = [], sy: [Double] = [], sz: [Double] = [], sw: [Double] = []
        func addDetection(_ obj: Int, _ cat: Int, _ row: Int, _ sep: Double) {
            let v = UnitVector(ra: positions[cat].ra[row], dec: positions[cat].dec[row])
            let e = errors?[cat][row] ?? 1
            let w = (e.isFinite && e > 0) ? 1 / (e * e) : 1
            sx[obj] += w * v.x; sy[obj] += w * v.y; sz[obj] += w * v.z; sw[obj] += w
            detectionCounts[obj] += 1
            detectionObject.append(obj + 1); detectionCatalogue.append(cat); detectionRow.append(row); detectionSeparation.append(sep)
        }
        func newObject() -> Int {
            objectIDs.append(objectIDs.count + 1); ra.append(.nan); dec.append(.nan); detectionCounts.append(0)
            sx.append(0); sy.append(0); sz.append(0); sw.append(0)
            return objectIDs.count - 1
        }
        func refresh() {
            for o in 0..<objectIDs.count where sw[o] > 0 {
                let p = UnitVector(x: sx[o], y: sy[o], z: sz[o]).raDec
                ra[o] = p.ra; dec[o] = p.dec
            }
        }
        for (k, p) in positions.enumerated() {
            let n = min(p.ra.count, p.dec.count)
            if k == 0 || objectIDs.isEmpty {
                for row in 0..<n where p.ra[row].isFinite && p.dec[row].isFinite && abs(p.dec[row]) <= 90 { addDetection(newObject(), k, row, 0) }
                refresh(); continue
            }
            let m = try Crossmatch.match(ra1: Array(p.ra.prefix(n)), dec1: Array(p.dec.prefix(n)), ra2: ra, dec2: dec,
                                         options: MatchOptions(.radius(arcsec: radius), find: .best))
            var joined = [Int](repeating: -1, count: n)
            var sep = [Double](repeating: 0, count: n)
            for t in 0..<m.pairCount { joined[m.rows1[t]] = m.rows2[t]; sep[m.rows1[t]] = m.separations[t] }
            let invalid = Set(m.invalid1)
            for row in 0..<n where !invalid.contains(row) {
                if joined[row] >= 0 { addDetection(joined[row], k, row, sep[row]) } else { addDetection(newObject(), k, row, 0) }
            }
            refresh()
        }
    }

    /// Associates catalogues by their position columns within `radius` **arcseconds**; `errorColumns` (one per
    /// catalogue, arcsec) optional.
    public init(_ catalogues: [Catalogue], radius: Double, errorColumns: [String]? = nil) throws {
        let pos = try catalogues.map { try $0.positions() }
        var errs: [[Double]]? = nil
        if let cols = errorColumns {
            guard cols.count == catalogues.count else {
                throw CatalogueError(.invalidArgument, "give one error column per catalogue (\(catalogues.count)), got \(cols.count)")
            }
            errs = try zip(catalogues, cols).map { try $0.doubles($1) }
        }
        try self.init(positions: pos.map { (ra: $0.ra, dec: $0.dec) }, radius: radius, errors: errs)
    }

    /// The objects table: object_id, ra, dec (degrees), n_detections.
    public func objectTable() throws -> Catalogue {
        try Catalogue(columns: [
            .int64("object_id", objectIDs.map(Int64.init)),
            .double("ra", ra, unit: "deg"), .double("dec", dec, unit: "deg"),
            .int64("n_detections", detectionCounts.map(Int64.init)),
        ])
    }

    /// The detections table: object_id, catalogue (0-based index), row (0-based), sep_arcsec.
    public func detectionTable() throws -> Catalogue {
        try Catalogue(columns: [
            .int64("object_id", detectionObject.map(Int64.init)), .int64("catalogue", detectionCatalogue.map(Int64.init)),
            .int64("row", detectionRow.map(Int64.init)), .double("sep_arcsec", detectionSeparation, unit: "arcsec"),
        ])
    }
}
