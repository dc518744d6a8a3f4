// The one file that calls wcslib. A `WCSHandle` owns one wcsprm and serialises its use (wcslib mutates
// a wcsprm lazily inside wcsp2s/wcss2p), so a shared WCS is safe; copies give independent handles.
internal import CSkyWCS
import Foundation

private let enableWCSErrors: Void = { _ = wcserr_enable(1) }()

final class WCSHandle: @unchecked Sendable {
    private let wcs: UnsafeMutablePointer<wcsprm>
    private let lock = NSLock()
    let source: String

    private init(_ wcs: UnsafeMutablePointer<wcsprm>, source: String) {
        self.wcs = wcs; self.source = source
    }
    deinit { skywcs_free(wcs) }

    /// Parses a header (80-character cards) with wcspih and keeps the description with alternate `alt`
    /// (" " for the primary one). Applies wcsfix and wcsset. Returns the handle and the alternates found.
    static func parse(header: [CChar], count: Int, alt: Character, naxis: [Int], source: String) throws(WCSError) -> (WCSHandle, [Character]) {
        _ = enableWCSErrors
        var text = header
        if text.last != 0 { text.append(0) }
        var nreject: Int32 = 0, nwcs: Int32 = 0
        var arr: UnsafeMutablePointer<wcsprm>? = nil
        let status = text.withUnsafeMutableBufferPointer { b in
            wcspih(b.baseAddress, Int32(count), WCSHDR_all, 0, &nreject, &nwcs, &arr)
        }
        guard status == 0 else {
            throw WCSError(status: status, message: String(cString: skywcs_hdr_errmsg(status)), source: source)
        }
        defer { wcsvfree(&nwcs, &arr) }
        guard let arr, nwcs > 0 else {
            throw WCSError(status: 0, message: "no WCS keywords in the header", source: source)
        }
        var alts: [Character] = []
        var chosen: UnsafeMutablePointer<wcsprm>? = nil
        for i in 0..<Int32(nwcs) {
            let w = skywcs_at(arr, i)
            let a = skywcs_alt(w)
            let ch = a == 0 ? " " : Character(UnicodeScalar(UInt8(bitPattern: a)))
            alts.append(ch)
            if ch == alt { chosen = w }
        }
        guard let chosen else {
            throw WCSError(status: 0, message: "no alternate WCS '\(alt)' (present: \(alts.map { $0 == " " ? "primary" : String($0) }.joined(separator: ", ")))", source: source)
        }
        guard let own = skywcs_alloc() else { throw WCSError(status: 2, message: "out of memory", source: source) }
        let sub = wcssub(1, chosen, nil, nil, own)
        if sub != 0 {
            let msg = String(cString: skywcs_err_msg(own))
            skywcs_free(own)
            throw WCSError(status: sub, message: msg.isEmpty ? String(cString: skywcs_errmsg(sub)) : msg, source: source)
        }
        let handle = WCSHandle(own, source: source)
        try handle.fixAndSet(naxis: naxis)
        return (handle, alts)
    }

    private func fixAndSet(naxis: [Int]) throws(WCSError) {
        var stat = [Int32](repeating: 0, count: 10)
        var info = [wcserr](repeating: wcserr(), count: 10)
        var nax = naxis.map { Int32($0) }
        // Safe fixes only (ctrl 1: no unsafe unit translations); cylfix needs the axis lengths.
        if nax.count >= Int(wcs.pointee.naxis) && !nax.isEmpty {
            _ = nax.withUnsafeMutableBufferPointer { n in wcsfixi(1, n.baseAddress, wcs, &stat, &info) }
        } else {
            _ = wcsfixi(1, nil, wcs, &stat, &info)
        }
        for i in 0..<info.count { free(info[i].msg) }
        let s = wcsset(wcs)
        if s != 0 {
            let msg = String(cString: skywcs_err_msg(wcs))
            throw WCSError(status: s, message: msg.isEmpty ? String(cString: skywcs_errmsg(s)) : msg, source: source)
        }
    }

    /// The celestial (longitude, latitude) sub-description.
    func celestial() throws(WCSError) -> WCSHandle {
        lock.lock(); defer { lock.unlock() }
        guard let own = skywcs_alloc() else { throw WCSError(status: 2, message: "out of memory", source: source) }
        var nsub: Int32 = 2
        var axes: [Int32] = [WCSSUB_LONGITUDE, WCSSUB_LATITUDE]
        let s = wcssub(1, wcs, &nsub, &axes, own)
        if s != 0 || nsub != 2 {
            skywcs_free(own)
            throw WCSError(status: s, message: s != 0 ? String(cString: skywcs_errmsg(s)) : "the header has no celestial axes", source: source)
        }
        let h = WCSHandle(own, source: source)
        let st = wcsset(own)
        if st != 0 {
            throw WCSError(status: st, message: String(cString: skywcs_err_msg(own)), source: source)
        }
        return h
    }

    /// Independent copy (its own wcsprm) for use on another task.
    func copy() throws(WCSError) -> WCSHandle {
        lock.lock(); defer { lock.unlock() }
        guard let own = skywcs_alloc() else { throw WCSError(status: 2, message: "out of memory", source: source) }
        let s = wcssub(1, wcs, nil, nil, own)
        if s != 0 { skywcs_free(own); throw WCSError(status: s, message: String(cString: skywcs_errmsg(s)), source: source) }
        let h = WCSHandle(own, source: source)
        _ = wcsset(own)
        return h
    }

    var naxis: Int { Int(wcs.pointee.naxis) }
    var lng: Int { Int(wcs.pointee.lng) }
    var lat: Int { Int(wcs.pointee.lat) }

    func ctype(_ i: Int) -> String { String(cString: skywcs_ctype(wcs, Int32(i))).trimmingCharacters(in: .whitespaces) }
    func cunit(_ i: Int) -> String { String(cString: skywcs_cunit(wcs, Int32(i))).trimmingCharacters(in: .whitespaces) }
    func crval(_ i: Int) -> Double { skywcs_crval(wcs, Int32(i)) }
    func crpix(_ i: Int) -> Double { skywcs_crpix(wcs, Int32(i)) }

    /// Pixel (1-based FITS) → world for `n` points of `naxis` coordinates each (interleaved).
    /// Returns the world coordinates (interleaved) and per-point status (0 = valid).
    func pixelToWorld(_ pix: [Double], n: Int) throws(WCSError) -> (world: [Double], stat: [Int32]) {
        let nelem = naxis
        var img = [Double](repeating: 0, count: n * nelem)
        var phi = [Double](repeating: 0, count: n), theta = [Double](repeating: 0, count: n)
        var world = [Double](repeating: 0, count: n * nelem)
        var stat = [Int32](repeating: 0, count: n)
        guard n > 0 else { return ([], []) }
        lock.lock(); defer { lock.unlock() }
        let s = wcsp2s(wcs, Int32(n), Int32(nelem), pix, &img, &phi, &theta, &world, &stat)
        if s != 0 && s != 8 {
            throw WCSError(status: s, message: String(cString: skywcs_err_msg(wcs)), source: source)
        }
        return (world, stat)
    }

    /// World → pixel (1-based FITS), interleaved; per-point status.
    func worldToPixel(_ world: [Double], n: Int) throws(WCSError) -> (pixel: [Double], stat: [Int32]) {
        let nelem = naxis
        var img = [Double](repeating: 0, count: n * nelem)
        var phi = [Double](repeating: 0, count: n), theta = [Double](repeating: 0, count: n)
        var pix = [Double](repeating: 0, count: n * nelem)
        var stat = [Int32](repeating: 0, count: n)
        guard n > 0 else { return ([], []) }
        lock.lock(); defer { lock.unlock() }
        let s = wcss2p(wcs, Int32(n), Int32(nelem), world, &phi, &theta, &img, &pix, &stat)
        if s != 0 && s != 9 {
            throw WCSError(status: s, message: String(cString: skywcs_err_msg(wcs)), source: source)
        }
        return (pix, stat)
    }
}
