// skybench: times skytool operations in a release build and prints medians over repeated runs.
// Usage: skybench [N]   (default N = 10_000_000 positions)
// SKYBENCH_ONLY=healpix,index,match,chebyshev,csv runs only the named sections (all by default);
// SKYBENCH_SIZES=1e6,1e7 and SKYBENCH_FINDS=best1,all,greedy,optimal narrow the crossmatch section.
import Foundation
import SkyCore
import SkyMatch
import SkyPhot
import SkyPlot

func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

let only = Set((ProcessInfo.processInfo.environment["SKYBENCH_ONLY"] ?? "").split(separator: ",").map(String.init))
func section(_ name: String) -> Bool { only.isEmpty || only.contains(name) }

func time(_ label: String, repeats: Int = 7, perItem n: Int, _ body: () throws -> Void) rethrows {
    var t: [Double] = []
    // One untimed run first: the first large allocations of a process fault in fresh (huge) pages and
    // start the worker threads; the medians describe the steady state a long-running job sees.
    try body()
    for _ in 0..<repeats {
        let c = ContinuousClock()
        let d = try c.measure(body)
        t.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    }
    let m = median(t)
    print(String(format: "%-44@ median %8.4f s  (min %.4f, max %.4f)  %.3g items/s", label as NSString, m, t.min() ?? 0, t.max() ?? 0, Double(n) / m))
}

let n = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 10_000_000 : 10_000_000
var rng = SeededGenerator(seed: 42)
var ra = [Double](repeating: 0, count: n), dec = [Double](repeating: 0, count: n)
for i in 0..<n {
    ra[i] = Double(rng.next() >> 11) / Double(1 << 53) * 360
    dec[i] = asin(Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1) * 180 / Double.pi
}
print("skybench: \(n) random positions, \(ProcessInfo.processInfo.activeProcessorCount) cores")
var sink: Int64 = 0
if section("healpix") {
try time("ang2pix nested, order 29, all cores", perItem: n) {
    let p = try HEALPix.nestedPixels(order: 29, ra: ra, dec: dec); sink &+= p[n / 2]
}
try time("ang2pix nested, order 10, all cores", perItem: n) {
    let p = try HEALPix.nestedPixels(order: 10, ra: ra, dec: dec); sink &+= p[n / 3]
}
let layer = try HEALPixLayer(order: 29)
var pixelBuffer = [Int64](repeating: 0, count: n)
time("ang2pix nested, order 29, one core, batched", repeats: 5, perItem: n) {
    ra.withUnsafeBufferPointer { r in dec.withUnsafeBufferPointer { d in pixelBuffer.withUnsafeMutableBufferPointer { o in
        layer.nestedPixels(ra: r, dec: d, into: o)
    }}}
    sink &+= pixelBuffer[n / 5]
}
time("ang2pix nested, order 29, one core, per point", repeats: 3, perItem: n) {
    var s: Int64 = 0
    for i in 0..<n { s &+= layer.nestedPixel(ra: ra[i], dec: dec[i]) }
    sink &+= s
}
}
if section("index") {
try time("SkyIndex build, order 10", repeats: 5, perItem: n) {
    let idx = try SkyIndex(ra: ra, dec: dec, order: 10); sink &+= Int64(idx.count)
}
let idx = try SkyIndex(ra: ra, dec: dec, order: 10)
let q = min(100_000, n)
time("cone 2 arcsec x \(q) (index order 10)", repeats: 5, perItem: q) {
    var s = 0
    for i in 0..<q { s += idx.cone(ra: ra[i], dec: dec[i], radius: 2.0 / 3600).count }
    sink &+= Int64(s)
}
}
// Crossmatch on the shared generator's files (BENCH_DATA, default /tmp/skybench), if present.
let dataDir = ProcessInfo.processInfo.environment["BENCH_DATA"] ?? "/tmp/skybench"
let env = ProcessInfo.processInfo.environment
let matchSizes = (env["SKYBENCH_SIZES"] ?? "1e6,1e7").split(separator: ",").map(String.init)
let matchModes = Set((env["SKYBENCH_FINDS"] ?? "best1,all,greedy,optimal").split(separator: ",").map(String.init))
for tag in matchSizes where section("match") {
    let pa = "\(dataDir)/field_\(tag)_A.fits", pb = "\(dataDir)/field_\(tag)_B.fits"
    guard FileManager.default.fileExists(atPath: pa), FileManager.default.fileExists(atPath: pb) else { continue }
    let a = try FITSFile(path: pa).readTable(columns: ["ra", "dec"]).catalogue
    let b = try FITSFile(path: pb).readTable(columns: ["ra", "dec"]).catalogue
    let (ra1, dec1) = try a.positions(), (ra2, dec2) = try b.positions()
    let reps = tag == "1e6" ? 5 : 3
    for (key, name, find, greedy) in [("best1", "best1", FindMode.best1, false), ("all", "all", FindMode.all, false), ("greedy", "best (STILTS greedy)", FindMode.best, true), ("optimal", "best (optimal)", FindMode.best, false)] where matchModes.contains(key) {
        var pairs = 0
        try time("match \(tag) x \(tag), 1 arcsec, \(name)", repeats: reps, perItem: ra1.count) {
            let r = try Crossmatch.match(ra1: ra1, dec1: dec1, ra2: ra2, dec2: dec2, options: MatchOptions(.radius(arcsec: 1), find: find, greedy: greedy))
            pairs = r.pairCount
        }
        print("    pairs \(pairs)")
    }
}
// Chebyshev fit: order 4 (25 terms) over 1e6 points, with clipping, on a simulated chip.
if section("chebyshev") {
    var g = SeededGenerator(seed: 11)
    let m = 1_000_000
    let dom = ChebyshevDomain(xmin: 1, xmax: 2048, ymin: 1, ymax: 4096)
    var truth = Chebyshev2D(degreeX: 4, degreeY: 4, domain: dom)
    truth.coefficients[0][0] = 0.2; truth.coefficients[1][0] = 0.05; truth.coefficients[2][2] = -0.01
    var x = [Double](repeating: 0, count: m), y = x, z = x, w = x
    for k in 0..<m {
        x[k] = 1 + g.uniform() * 2047; y[k] = 1 + g.uniform() * 4095
        let s = 0.02
        z[k] = truth.evaluate(x: x[k], y: y[k]) + s * g.gaussian() + (k % 100 == 0 ? 0.5 : 0)
        w[k] = 1 / s
    }
    time("Chebyshev 4x4 fit, 1e6 points (one fit)", repeats: 5, perItem: m) {
        let r = try? Chebyshev2D.fit(x: x, y: y, z: z, weights: w, degreeX: 4, degreeY: 4, domain: dom)
        sink &+= Int64((r?.chi2 ?? 0) > 0 ? 1 : 0)
    }
    let sig = w.map { 1 / $0 }
    var its = 0
    time("Chebyshev 4x4 fit with 3-sigma clipping, 1e6 points", repeats: 5, perItem: m) {
        let r = try? ClippedChebyshevFit(x: x, y: y, z: z, sigma: sig, degreeX: 4, degreeY: 4, domain: dom, clip: 3)
        its = r?.iterations ?? 0
    }
    print("    fits made: \(its)")
}
// CSV reading speed: a numeric table of about 100 MB (7 columns: an id and six floats).
if section("csv") {
    var text = "id,ra,dec,mag,mag_err,x,y\n"
    var g = SeededGenerator(seed: 5)
    var rows = 0
    while text.utf8.count < 100_000_000 {
        for _ in 0..<1000 {
            text += "\(rows),\(g.uniform() * 360),\(g.uniform() * 180 - 90),\(15 + g.uniform() * 7),\(g.uniform() * 0.1),\(g.uniform() * 2048),\(g.uniform() * 4096)\n"
            rows += 1
        }
    }
    let path = NSTemporaryDirectory() + "skybench-\(ProcessInfo.processInfo.processIdentifier).csv"
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    let bytes = Double(text.utf8.count)
    text = ""
    var cols = 0
    time("CSV read, \(Int(bytes / 1e6)) MB numeric (\(rows) rows), one core", repeats: 5, perItem: rows) {
        let c = try? CSVIO.read(path: path)
        cols = c?.columns.count ?? 0
    }
    print("    columns \(cols); MB/s = size / median above")
    try? FileManager.default.removeItem(atPath: path)
}
print("checksum \(sink)")

// Image measurement: the same steps as Benchmarks/peers/sep_pipeline.py (read, mesh background, detection,
// apertures at the detections), and forced PSF photometry at 10^5 positions. BENCH_IMAGE names the image
// and BENCH_POSITIONS the positions table (Scripts/make_bench_image.py makes both).
if section("image"), let imagePath = ProcessInfo.processInfo.environment["BENCH_IMAGE"] {
    var detected = 0
    try time("image: read + background + detect + apertures", repeats: 5, perItem: 1) {
        let img = try SkyImage.read(imagePath)
        let maps = try img.background()
        let sub = try img.subtracting(maps)              // once, as the peer does
        let found = try sub.detect(maps: maps, subtract: false)
        let phot = try sub.aperturePhotometry(x: found.x, y: found.y, maps: maps, subtract: false, options: ApertureOptions(radius: 5))
        detected = found.count
        sink &+= Int64(phot.flux.count)
    }
    print("   \(detected) sources detected")
    if let posPath = ProcessInfo.processInfo.environment["BENCH_POSITIONS"] {
        let img = try SkyImage.read(imagePath)
        let maps = try img.background()
        let pos = try Catalogue.read(posPath)
        let x = try pos.doubles("x"), y = try pos.doubles("y")
        var groups = 0
        try time("image: forced PSF photometry, \(x.count) positions", repeats: 5, perItem: x.count) {
            let m = try img.forcedPhotometry(x: x, y: y, maps: maps, options: ForcedPhotometryOptions(psf: .gaussian(fwhm: 3)))
            groups = m.groupSize.max() ?? 0
            sink &+= Int64(m.flux.count)
        }
        print("   largest group \(groups)")
    }
}

// Plots: a 10^6-point scatter to PNG, and 100 postage stamps of the 4096² benchmark image (BENCH_IMAGE, with a
// TAN WCS) written in parallel, the image read once.
if section("plot") {
    var prng = SeededGenerator(seed: 7)
    let px = (0..<1_000_000).map { _ in prng.gaussian() }, py = (0..<1_000_000).map { _ in prng.gaussian() }
    let dir = NSTemporaryDirectory() + "skybench-plot"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try time("plot: scatter of 10^6 points to PNG", repeats: 5, perItem: 1_000_000) {
        var p = Panel(x: Axis(label: "x"), y: Axis(label: "y"))
        var s = Scatter(x: px, y: py); s.values = px; s.size = 2
        p.elements = [.scatter(s)]
        try Figure(panels: [p]).write(to: dir + "/scatter.png")
    }
    if let imagePath = ProcessInfo.processInfo.environment["BENCH_IMAGE"] {
        try time("plot: 100 stamps (1′) of a 4096² image, read included", repeats: 3, perItem: 100) {
            let img = try SkyImage.read(imagePath)
            let ra = (0..<100).map { 150 + Double($0 % 10 - 5) * 0.02 }, dec = (0..<100).map { 2.2 + Double($0 / 10 - 5) * 0.02 }
            let n = try Stamp.writeMany(images: [img], ra: ra, dec: dec, options: StampOptions(size: 1.0 / 60), directory: dir)
            sink &+= Int64(n)
        }
    }
}
