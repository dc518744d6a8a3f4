// HEALPix, cone and coverage operations on whole catalogues.

extension Catalogue {
    /// The catalogue with a pixel column added: the nested (or ring) HEALPix pixel of each row's position at
    /// `order`, named `_healpix_<order>` by default (HATS names its order-29 column `_healpix_29`);
    /// -1 where the position is invalid.
    public func addingHEALPixColumn(order: Int, ring: Bool = false, name: String? = nil) throws -> Catalogue {
        let (ra, dec) = try positions()
        let pix = ring ? try HEALPix.ringPixels(order: order, ra: ra, dec: dec) : try HEALPix.nestedPixels(order: order, ra: ra, dec: dec)
        var out = self
        let col = Column(name: name ?? (ring ? "_healpix_ring_\(order)" : "_healpix_\(order)"), values: .int64(pix),
                         description: "HEALPix \(ring ? "ring" : "nested") pixel at order \(order) (nside \(Int64(1) << order))")
        try out.set(col)
        return out
    }

    /// Rows within `radius` **degrees** of (ra, dec), nearest first, with a `sep_arcsec` column.
    public func cone(ra: Double, dec: Double, radius: Double) throws -> Catalogue {
        let index = try SkyIndex(self, order: SkyIndex.order(forRadius: radius))
        let hits = index.cone(ra: ra, dec: dec, radius: radius)
        var out = rows(hits.map(\.row))
        try out.set(Column(name: "sep_arcsec", values: .double(hits.map { $0.separation * 3600 }), unit: "arcsec",
                           description: "angular separation from the cone centre"))
        return out
    }

    /// The catalogue with a Bool column telling, for each row, whether its position lies in `moc`.
    public func flaggingCoverage(_ moc: MOC, column: String = "in_coverage") throws -> Catalogue {
        let (ra, dec) = try positions()
        var out = self
        try out.set(Column(name: column, values: .bool(moc.contains(ra: ra, dec: dec)), description: "position inside the coverage map"))
        return out
    }
}

extension MOC {
    /// The coverage of a catalogue: discs of `radius` **degrees** around its positions, at `order`.
    public static func positions(of catalogue: Catalogue, radius: Double, order: Int) throws -> MOC {
        let (ra, dec) = try catalogue.positions()
        return try positions(ra: ra, dec: dec, radius: radius, order: order)
    }
}
