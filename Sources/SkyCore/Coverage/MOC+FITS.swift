// MOC serialisation to and from FITS (IVOA MOC 2.0 NUNIQ binary table, readable as MOC 1.x too).

extension MOC {
    /// Writes the map as an IVOA MOC FITS file: a binary table of NUNIQ numbers in ascending order, with
    /// PIXTYPE, ORDERING = NUNIQ, COORDSYS = C, MOCVERS = 2.0, MOCDIM = SPACE, MOCORD_S and MOCORDER (the
    /// MOC 1.x keyword) and MOCTOOL = skytool. Atomic.
    public func writeFITS(to path: String) throws {
        let u = uniq
        let storage: IntegerStorage = (u.last ?? 0) < Int64(Int32.max) ? .int32 : .int64
        let col = Column(name: "UNIQ", values: .int64(u), storage: storage)
        let cat = try Catalogue(columns: [col])
        let cards: [FITSHeaderCard] = [
            FITSHeaderCard("PIXTYPE", .string("HEALPIX"), comment: "HEALPix magic code"),
            FITSHeaderCard("ORDERING", .string("NUNIQ"), comment: "NUNIQ coding method"),
            FITSHeaderCard("COORDSYS", .string("C"), comment: "ICRS reference frame"),
            FITSHeaderCard("MOCVERS", .string("2.0"), comment: "MOC version"),
            FITSHeaderCard("MOCDIM", .string("SPACE"), comment: "Physical dimension"),
            FITSHeaderCard("MOCORD_S", .int(Int64(maxOrder)), comment: "MOC resolution (best order)"),
            FITSHeaderCard("MOCORDER", .int(Int64(maxOrder)), comment: "MOC resolution (best order)"),
            FITSHeaderCard("MOCTOOL", .string("skytool"), comment: "Name of the MOC generator"),
        ]
        try FITSWriter.write(cat, to: path, extname: nil, extraCards: cards)
    }

    /// Reads an IVOA MOC FITS file (NUNIQ, or the MOC 2.0 RANGE form), from the first table HDU or the
    /// one the path names.
    public init(fitsPath path: String) throws {
        let f = try FITSFile(path: path)
        let t = try f.readTable()
        let cat = t.catalogue
        let header = cat.header
        let order = header["MOCORD_S"]?.intValue ?? header["MOCORDER"]?.intValue
        if header["ORDERING"]?.stringValue?.uppercased() == "RANGE", let c = cat.columns.first {
            guard case .int64(let v) = c.values, v.count % 2 == 0 else {
                throw CatalogueError(.wrongType, "a RANGE MOC holds pairs of 64-bit integers", source: path, column: c.name)
            }
            let rs = stride(from: 0, to: v.count, by: 2).map { v[$0]..<v[$0 + 1] }
            self = MOC(ranges: rs, order: 29, maxOrder: order.map { Int($0) } ?? 29)
            return
        }
        guard let c = cat["UNIQ"] ?? cat.columns.first else {
            throw CatalogueError(.missingColumn, "no UNIQ column in the MOC", source: path, column: "UNIQ")
        }
        let v: [Int64]
        switch c.values {
        case .int64(let a): v = a
        case .uint64(let a): v = a.map { Int64(bitPattern: $0) }
        default: throw CatalogueError(.wrongType, "the UNIQ column must hold integers", source: path, column: c.name)
        }
        do {
            self = try MOC(uniq: v, maxOrder: order.map { Int($0) })
        } catch {
            throw CatalogueError(.invalidArgument, error.description, source: path, column: c.name)
        }
    }
}

extension MOC {
    /// The coverage a file describes: an IVOA MOC as written (FITS with a table HDU, or ASCII text for any
    /// other extension), or, for a FITS file without tables, the footprint of its image's celestial WCS
    /// (`footprint(of:order:)`) at HEALPix order `footprintOrder`.
    public static func coverage(ofFile path: String, footprintOrder: Int) throws -> MOC {
        guard CatalogueFormat.infer(path: path) == .fits else {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw CatalogueError(.invalidArgument, "cannot read the MOC", source: path)
            }
            do { return try MOC(ascii: text) } catch {
                throw CatalogueError(.invalidArgument, "not a MOC: \(error.description)", source: path)
            }
        }
        let file = try FITSFile(path: path)
        let hdus = try file.hdus()
        if hdus.contains(where: { $0.kind == .binaryTable || $0.kind == .asciiTable }) { return try MOC(fitsPath: path) }
        guard hdus.contains(where: { $0.kind == .image && $0.shape.count >= 2 }) else {
            throw CatalogueError(.invalidArgument, "neither a MOC (no table HDU) nor an image (no 2-D image HDU)", source: path)
        }
        return try footprint(of: WCS(file: file), order: footprintOrder)
    }
}
