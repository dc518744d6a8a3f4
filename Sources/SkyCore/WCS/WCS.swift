// World coordinate systems (through wcslib): pixel <-> sky for the celestial axes of an image.
import Foundation

/// Which pixel convention coordinates use.
public enum PixelOrigin: Int, Sendable {
    /// FITS convention: the centre of the first pixel is (1, 1). The default everywhere in skytool.
    case one = 1
    /// C/numpy convention: the centre of the first pixel is (0, 0).
    case zero = 0
}

/// Sky positions with a per-point validity flag.
public struct SkyPositions: Sendable, Equatable {
    /// Longitude (right ascension for equatorial systems) in degrees, NaN where invalid.
    public var lon: [Double]
    /// Latitude (declination) in degrees, NaN where invalid.
    public var lat: [Double]
    /// False where wcslib reported the point invalid (e.g. outside a projection's domain).
    public var valid: [Bool]
}

/// Pixel positions with a per-point validity flag.
public struct PixelPositions: Sendable, Equatable {
    public var x: [Double]
    public var y: [Double]
    public var valid: [Bool]
}

/// A FITS world coordinate system built by wcslib from a header (wcspih): every projection wcslib knows,
/// SIP, TPV, TPD, DSS and other distortions that can be expressed in the header, alternate descriptions
/// 'A'...'Z'. Transformations use the celestial axes (longitude, latitude) of the description; for cubes
/// the pixel coordinates are those of the celestial pixel axes.
///
/// Safe to share between tasks (calls are serialised); `copy()` gives an independent instance for
/// parallel work.
public struct WCS: Sendable {
    let full: WCSHandle
    let celestialHandle: WCSHandle?
    /// The alternate description used (" " for the primary).
    public let alternate: Character
    /// Alternates present in the header (" " is the primary).
    public let alternates: [Character]
    /// Image axis lengths (NAXISn) when the header gives them.
    public let imageSize: [Int]
    /// What skytool changed to make the header usable (empty for clean headers).
    public let notes: [String]

    /// Builds a WCS from header text: 80-character card images, with or without `END`.
    /// - Parameters:
    ///   - alternate: " " for the primary description, or "A"..."Z".
    ///   - source: a description used in errors (file name and HDU).
    public init(headerText: String, alternate: Character = " ", source: String = "header") throws(WCSError) {
        var cards = Array(headerText.utf8.map { CChar(bitPattern: $0) })
        if cards.count % 80 != 0 { cards += [CChar](repeating: 32, count: 80 - cards.count % 80) }
        try self.init(cards: cards, alternate: alternate, source: source)
    }

    /// Builds the WCS of HDU `hdu` of an open FITS file (default: the image HDU the path names or the first
    /// image with data, else the HDU the file was opened at).
    public init(file: FITSFile, hdu: Int? = nil, alternate: Character = " ") throws {
        let h = hdu ?? ((try? file.resolveImageHDU(nil)) ?? file.initialHDU)
        let (text, _) = try file.headerText(hdu: h)
        try self.init(cards: Array(text.prefix { $0 != 0 }), alternate: alternate, source: "\(file.path) HDU \(h)")
    }

    init(cards: [CChar], alternate: Character, source: String) throws(WCSError) {
        let n = cards.count / 80
        let naxis = WCS.axisLengths(cards)
        var notes: [String] = []
        let parsed: (WCSHandle, [Character])
        do {
            parsed = try WCSHandle.parse(header: cards, count: n, alt: alternate, naxis: naxis, source: source)
        } catch {
            // SIP on TAN excludes PVi_m; astropy drops such PV cards, and so do we (only for -SIP headers).
            let (stripped, removed) = WCS.removingPVCardsIfSIP(cards)
            guard removed > 0 else { throw error }
            parsed = try WCSHandle.parse(header: stripped, count: stripped.count / 80, alt: alternate, naxis: naxis, source: source)
            notes.append("ignored \(removed) PVi_m cards of a TAN-SIP header (wcslib rejects them: \(error.message))")
        }
        self.full = parsed.0
        self.alternates = parsed.1
        self.alternate = alternate
        self.celestialHandle = try? parsed.0.celestial()
        self.imageSize = naxis
        self.notes = notes
    }

    private init(full: WCSHandle, celestial: WCSHandle?, alternate: Character, alternates: [Character], imageSize: [Int], notes: [String]) {
        self.full = full; self.celestialHandle = celestial; self.alternate = alternate
        self.alternates = alternates; self.imageSize = imageSize; self.notes = notes
    }

    /// An independent copy, for use on another task without contention.
    public func copy() throws(WCSError) -> WCS {
        WCS(full: try full.copy(), celestial: try celestialHandle?.copy(), alternate: alternate,
            alternates: alternates, imageSize: imageSize, notes: notes)
    }

    /// Whether the description has celestial (longitude/latitude) axes.
    public var hasCelestial: Bool { celestialHandle != nil }

    /// Number of axes of the full description.
    public var axisCount: Int { full.naxis }
    /// CTYPEi of every axis.
    public var ctypes: [String] { (0..<full.naxis).map { full.ctype($0) } }
    /// CRVALi of every axis (in the axis unit, degrees for celestial axes).
    public var crval: [Double] { (0..<full.naxis).map { full.crval($0) } }
    /// CRPIXi of every axis (1-based).
    public var crpix: [Double] { (0..<full.naxis).map { full.crpix($0) } }
    /// 0-based indices of the longitude and latitude axes in the full description, if any.
    public var celestialAxes: (lon: Int, lat: Int)? { full.lng >= 0 && full.lat >= 0 ? (full.lng, full.lat) : nil }

    private func cel() throws(WCSError) -> WCSHandle {
        guard let c = celestialHandle else { throw WCSError(status: 0, message: "the WCS has no celestial axes", source: full.source) }
        return c
    }

    /// Pixel → sky for the celestial axes: `x`, `y` are pixel coordinates of the longitude and latitude
    /// pixel axes (1-based by default). Invalid points are flagged and NaN, never an error.
    public func pixelToWorld(x: [Double], y: [Double], origin: PixelOrigin = .one) throws(WCSError) -> SkyPositions {
        let c = try cel()
        let n = min(x.count, y.count)
        let shift = origin == .zero ? 1.0 : 0.0
        var pix = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n { pix[2 * i] = x[i] + shift; pix[2 * i + 1] = y[i] + shift }
        let (w, stat) = try c.pixelToWorld(pix, n: n)
        var out = SkyPositions(lon: .init(repeating: .nan, count: n), lat: .init(repeating: .nan, count: n), valid: .init(repeating: false, count: n))
        for i in 0..<n where stat[i] == 0 && w[2 * i].isFinite && w[2 * i + 1].isFinite {
            out.lon[i] = w[2 * i]; out.lat[i] = w[2 * i + 1]; out.valid[i] = true
        }
        return out
    }

    /// Sky → pixel for the celestial axes (degrees in; 1-based pixels out by default).
    public func worldToPixel(lon: [Double], lat: [Double], origin: PixelOrigin = .one) throws(WCSError) -> PixelPositions {
        let c = try cel()
        let n = min(lon.count, lat.count)
        let shift = origin == .zero ? 1.0 : 0.0
        var world = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n { world[2 * i] = lon[i]; world[2 * i + 1] = lat[i] }
        let (p, stat) = try c.worldToPixel(world, n: n)
        var out = PixelPositions(x: .init(repeating: .nan, count: n), y: .init(repeating: .nan, count: n), valid: .init(repeating: false, count: n))
        for i in 0..<n where stat[i] == 0 && p[2 * i].isFinite && p[2 * i + 1].isFinite {
            out.x[i] = p[2 * i] - shift; out.y[i] = p[2 * i + 1] - shift; out.valid[i] = true
        }
        return out
    }

    /// Pixel → world for all axes of the description (`pixels[k]` is the k-th axis' coordinate list,
    /// 1-based by default); returns one array per world axis and a validity mask.
    public func pixelToWorldAll(_ pixels: [[Double]], origin: PixelOrigin = .one) throws(WCSError) -> (world: [[Double]], valid: [Bool]) {
        let nax = full.naxis
        guard pixels.count == nax else { throw WCSError(status: 0, message: "expected \(nax) pixel axes, got \(pixels.count)", source: full.source) }
        let n = pixels.map(\.count).min() ?? 0
        let shift = origin == .zero ? 1.0 : 0.0
        var pix = [Double](repeating: 0, count: n * nax)
        for i in 0..<n { for k in 0..<nax { pix[i * nax + k] = pixels[k][i] + shift } }
        let (w, stat) = try full.pixelToWorld(pix, n: n)
        var world = [[Double]](repeating: [Double](repeating: .nan, count: n), count: nax)
        for i in 0..<n where stat[i] == 0 { for k in 0..<nax { world[k][i] = w[i * nax + k] } }
        return (world, stat.map { $0 == 0 })
    }

    /// The image outline on the sky: points along the four edges of the pixel grid, at the outer pixel
    /// edges (FITS pixels 0.5 and NAXISn + 0.5), `perEdge` points per edge, in order around the image.
    /// Needs the image size (NAXIS1, NAXIS2), from the header or `size`. Invalid points are dropped.
    public func footprint(size: (Int, Int)? = nil, perEdge: Int = 8) throws(WCSError) -> [(ra: Double, dec: Double)] {
        let sz: (Int, Int)
        if let size { sz = size } else if imageSize.count >= 2, let ax = celestialAxes, imageSize.count > max(ax.lon, ax.lat) {
            sz = (imageSize[ax.lon], imageSize[ax.lat])
        } else {
            throw WCSError(status: 0, message: "the image size (NAXIS1/NAXIS2) is unknown; give it explicitly", source: full.source)
        }
        let k = max(1, perEdge)
        let x0 = 0.5, x1 = Double(sz.0) + 0.5, y0 = 0.5, y1 = Double(sz.1) + 0.5
        var xs: [Double] = [], ys: [Double] = []
        for i in 0..<k { let t = Double(i) / Double(k); xs.append(x0 + t * (x1 - x0)); ys.append(y0) }
        for i in 0..<k { let t = Double(i) / Double(k); xs.append(x1); ys.append(y0 + t * (y1 - y0)) }
        for i in 0..<k { let t = Double(i) / Double(k); xs.append(x1 - t * (x1 - x0)); ys.append(y1) }
        for i in 0..<k { let t = Double(i) / Double(k); xs.append(x0); ys.append(y1 - t * (y1 - y0)) }
        let s = try pixelToWorld(x: xs, y: ys)
        var out: [(ra: Double, dec: Double)] = []
        for i in 0..<xs.count where s.valid[i] { out.append((s.lon[i], s.lat[i])) }
        return out
    }

    // MARK: header helpers (card images only; values are parsed by wcslib)

    /// NAXISn from the card images; where they are absent or zero, astrometry.net's IMAGEW/IMAGEH give
    /// the first two axes (WCS-only files carry the image size there).
    static func axisLengths(_ cards: [CChar]) -> [Int] {
        var naxis: [Int: Int] = [:]
        var imageW: Int? = nil, imageH: Int? = nil
        var i = 0
        while i + 80 <= cards.count {
            let card = String(decoding: cards[i..<(i + 80)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if card.hasPrefix("END ") || card == "END" + String(repeating: " ", count: 77) { break }
            let key = card.prefix(8).trimmingCharacters(in: .whitespaces)
            if key.hasPrefix("NAXIS"), let n = Int(key.dropFirst(5)), card.dropFirst(8).hasPrefix("=") {
                let v = card.dropFirst(10).split(separator: "/").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                if let len = Int(v) { naxis[n] = len }
            }
            if (key == "IMAGEW" || key == "IMAGEH"), card.dropFirst(8).hasPrefix("=") {
                let v = card.dropFirst(10).split(separator: "/").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                if let d = Double(v), d > 0 { if key == "IMAGEW" { imageW = Int(d) } else { imageH = Int(d) } }
            }
            i += 80
        }
        if let w = imageW, let h = imageH, (naxis[1] ?? 0) == 0 || (naxis[2] ?? 0) == 0 {
            naxis[1] = w; naxis[2] = h
        }
        guard !naxis.isEmpty, let top = naxis.keys.max(), top >= 1 else { return [] }
        return (1...top).map { naxis[$0] ?? 0 }
    }

    static func removingPVCardsIfSIP(_ cards: [CChar]) -> ([CChar], Int) {
        var out: [CChar] = []
        var removed = 0, isSIP = false
        var i = 0
        while i + 80 <= cards.count {
            let card = String(decoding: cards[i..<(i + 80)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if card.hasPrefix("CTYPE"), card.contains("-SIP") { isSIP = true }
            i += 80
        }
        guard isSIP else { return (cards, 0) }
        i = 0
        while i + 80 <= cards.count {
            let chunk = cards[i..<(i + 80)]
            let key = String(decoding: chunk.prefix(8).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if key.hasPrefix("PV"), key.contains("_") { removed += 1 } else { out.append(contentsOf: chunk) }
            i += 80
        }
        return (out, removed)
    }
}

