// Forced PSF photometry: the amplitudes of PSFs at fixed positions, fitted by weighted linear least squares,
// simultaneously for every source whose PSF overlaps another's.
//
// The model of the background-subtracted image is m(p) = Σᵢ aᵢ Pᵢ(p), with Pᵢ the PSF centred at source i's
// position and cut to a square footprint of half-size h pixels. Minimising χ² = Σₚ wₚ (dₚ − m(p))², with
// wₚ = 1/rmsₚ² (0 on masked and NaN pixels), gives the normal equations A a = b,
//     Aᵢⱼ = Σₚ wₚ Pᵢ(p) Pⱼ(p),   bᵢ = Σₚ wₚ Pᵢ(p) dₚ,
// which are sparse: Aᵢⱼ ≠ 0 only when the footprints of i and j overlap. The covariance of the amplitudes is
// A⁻¹, so σ(aᵢ) = √(A⁻¹)ᵢᵢ.
//
// Solving: sources are joined into groups by their coupling ρᵢⱼ = Aᵢⱼ/√(AᵢᵢAⱼⱼ), strongest first, as long
// as a group stays within `maxGroupSize`. Each group's block of A is factorised (Cholesky); the whole
// system is then solved by conjugate gradients preconditioned with those blocks. Where no coupling crosses
// a group boundary (every uncrowded field) the first step is already the exact solution. The amplitudes are
// always the solution of the whole system; errors are the group block's (A_G⁻¹)ᵢᵢ, exact unless a coupling
// was left outside a full group (then the source is flagged `approximateError`).
import Foundation
import SkyCore

/// Forced PSF photometry settings.
public struct ForcedPhotometryOptions: Sendable, Equatable {
    public var psf: PSFModel
    /// Footprint half-size in pixels (the PSF is evaluated on a (2h + 1)² box); nil: ⌈4.5 σ⌉ of the PSF's
    /// widest axis (the PSF outside holds less than 10⁻⁵ of its flux).
    public var footprintHalfSize: Int? = nil
    /// Largest group of coupled sources whose errors are computed exactly (a dense Cholesky per group).
    public var maxGroupSize = 400
    /// Couplings weaker than this are not worth a group (they still enter the solution).
    public var groupingCoupling = 1e-6
    public init(psf: PSFModel) { self.psf = psf }
}

/// Forced photometry, one entry per position.
public struct ForcedMeasurements: Sendable {
    /// Fitted amplitude: total flux for `.gaussian` (data units × pixels), peak for `.sampledGaussian`
    /// (data units, e.g. Jy/beam). NaN when not measured.
    public var flux: [Double]
    /// 1-sigma error of the amplitude, √(A⁻¹)ᵢᵢ with the weights 1/rms².
    public var fluxError: [Double]
    /// Reduced χ² of the final model over the source's footprint: Σ w (d − m)² / (n − 1), n its valid pixels
    /// (NaN when n ≤ 1).
    public var chi2: [Double]
    /// Valid pixels in the footprint.
    public var pixelCount: [Int]
    /// Number of sources fitted together with this one (its group; 1 for an isolated source).
    public var groupSize: [Int]
    public var flags: [PhotometryFlags]
}

extension SkyImage {
    /// Fits the PSF's amplitude at each 1-based pixel position, jointly for overlapping sources.
    ///
    /// - Parameters:
    ///   - maps: background (subtracted when `subtract`) and rms map (the weights are 1/rms²).
    ///   - mask: true = masked; NaN pixels are masked too. Masked pixels are left out of the fit.
    public func forcedPhotometry(x: [Double], y: [Double], maps: BackgroundMap, subtract: Bool = true,
                                 options: ForcedPhotometryOptions, mask: [Bool]? = nil) throws -> ForcedMeasurements {
        let step = "forced PSF photometry"
        try checkMap(maps, step: step)
        guard x.count == y.count else { throw ImageError(.invalidArgument, "\(x.count) x values for \(y.count) y values", image: source, step: step) }
        guard options.psf.isValid else { throw ImageError(.invalidArgument, "the PSF model \(options.psf) is not a proper Gaussian", image: source, step: step) }
        guard options.maxGroupSize >= 1 else { throw ImageError(.invalidArgument, "maxGroupSize must be at least 1", image: source, step: step) }
        let h = options.footprintHalfSize ?? Int((4.5 * options.psf.sigmaMax).rounded(.up))
        guard h >= 1, h <= 1000 else {
            throw ImageError(.invalidArgument, "footprint half-size \(h) pixels is out of range (1…1000)", image: source, step: step)
        }
        let planes = try measurementPlanes(maps: maps, subtract: subtract, mask: mask, step: step)
        // w = 1/rms² on usable pixels, 0 on masked ones.
        let count = width * height
        let weight = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            planes.rms.withUnsafeBufferPointer { r in
                for p in 0..<count { out[p] = r[p] > 0 ? 1 / (r[p] * r[p]) : 0 }
            }
            if let mask = planes.mask { for p in 0..<count where mask[p] != 0 { out[p] = 0 } }
            initialized = count
        }
        let plan = ForcedFit(width: width, height: height, half: h, psf: options.psf, data: planes.data, weight: weight)
        return plan.run(x: x, y: y, maxGroup: options.maxGroupSize, minCoupling: options.groupingCoupling)
    }
}

/// The arrays of one forced fit; see the file comment for the maths.
struct ForcedFit: Sendable {
    let width: Int, height: Int, half: Int
    let psf: PSFModel
    let data: [Float], weight: [Float]

    /// A source's footprint: the box (0-based first pixel and size) and where its PSF values start in `stamps`.
    struct Box: Sendable { var x0 = 0, y0 = 0, w = 0, h = 0, offset = 0 }

    func run(x: [Double], y: [Double], maxGroup: Int, minCoupling: Double) -> ForcedMeasurements {
        let n = x.count
        var flags = [Int](repeating: 0, count: n)
        var boxes = [Box](repeating: Box(), count: n)
        var total = 0
        // Boxes: centred on the pixel nearest the position, clipped to the image.
        for i in 0..<n {
            let cx = x[i] - 1, cy = y[i] - 1
            guard cx.isFinite, cy.isFinite else { flags[i] = PhotometryFlags.noPosition.rawValue; continue }
            guard cx >= -0.5, cx < Double(width) - 0.5, cy >= -0.5, cy < Double(height) - 0.5 else {
                flags[i] = PhotometryFlags.outside.rawValue; continue
            }
            let rx = Int(cx.rounded()), ry = Int(cy.rounded())
            let bx0 = max(0, rx - half), bx1 = min(width - 1, rx + half)
            let by0 = max(0, ry - half), by1 = min(height - 1, ry + half)
            if bx1 - bx0 != 2 * half || by1 - by0 != 2 * half { flags[i] |= PhotometryFlags.truncated.rawValue }
            boxes[i] = Box(x0: bx0, y0: by0, w: bx1 - bx0 + 1, h: by1 - by0 + 1, offset: total)
            total += boxes[i].w * boxes[i].h
        }
        // PSF values and the diagonal of A, b, and the valid-pixel counts, per source.
        var stamps = [Float](repeating: 0, count: total)
        var diag = [Double](repeating: 0, count: n), rhs = diag
        var pixelCount = [Int](repeating: 0, count: n)
        let boxesC = boxes, flagsC = flags
        stamps.withUnsafeMutableBufferPointer { sb in diag.withUnsafeMutableBufferPointer { db in rhs.withUnsafeMutableBufferPointer { rb in
            pixelCount.withUnsafeMutableBufferPointer { cb in
                guard let sp = sb.baseAddress, let dp = db.baseAddress, let rp = rb.baseAddress, let cp = cb.baseAddress else { return }
                let S = UnsafeMutableSendablePointer(sp), D = UnsafeMutableSendablePointer(dp), R = UnsafeMutableSendablePointer(rp), C = UnsafeMutableSendablePointer(cp)
                Parallel.forEachChunk(count: n, minChunk: 256) { lo, hi in
                    var scratch: [Double] = []
                    for i in lo..<hi where boxesC[i].w > 0 && flagsC[i] & (PhotometryFlags.outside.rawValue | PhotometryFlags.noPosition.rawValue) == 0 {
                        let b = boxesC[i]
                        psf.fill(S.p + b.offset, x0: b.x0, y0: b.y0, w: b.w, h: b.h, cx: x[i] - 1, cy: y[i] - 1, scratch: &scratch)
                        var a = 0.0, r = 0.0, c = 0
                        for j in 0..<b.h {
                            let row = (b.y0 + j) * width + b.x0
                            for k in 0..<b.w {
                                let wp = Double(weight[row + k])
                                guard wp > 0 else { continue }
                                let pv = Double(S.p[b.offset + j * b.w + k])
                                a += wp * pv * pv; r += wp * pv * Double(data[row + k]); c += 1
                            }
                        }
                        D.p[i] = a; R.p[i] = r; C.p[i] = c
                    }
                }
            }
        }}}
        // Active sources: a footprint with at least one weighted pixel.
        var active: [Int] = []
        var slot = [Int](repeating: -1, count: n)
        for i in 0..<n where flags[i] & (PhotometryFlags.outside.rawValue | PhotometryFlags.noPosition.rawValue) == 0 {
            if diag[i] > 0 { slot[i] = active.count; active.append(i) }
            else { flags[i] |= PhotometryFlags.allMasked.rawValue }
        }
        // Boxes lie on the image, so a box pixel without weight is a masked, NaN or zero-rms one.
        for i in active where pixelCount[i] < boxes[i].w * boxes[i].h { flags[i] |= PhotometryFlags.hasMasked.rawValue }
        let m = active.count
        // Off-diagonal couplings between active sources whose boxes overlap (both directions, CSR by slot).
        let graph = couplings(active: active, boxes: boxes, stamps: stamps)
        // Groups, Cholesky blocks, and the solution.
        let groups = SourceGroups(count: m, graph: graph, diag: active.map { diag[$0] }, maxSize: maxGroup, minCoupling: minCoupling)
        let solution = groups.solve(rhs: active.map { rhs[$0] }, graph: graph, diag: active.map { diag[$0] })
        var flux = [Double](repeating: .nan, count: n), err = flux, chi2 = flux
        var groupSize = [Int](repeating: 0, count: n)
        for (s, i) in active.enumerated() {
            flux[i] = solution.values[s]; err[i] = solution.errors[s]; groupSize[i] = groups.size(of: s)
            if solution.approximate[s] { flags[i] |= PhotometryFlags.approximateError.rawValue }
            if solution.degenerate[s] { flux[i] = .nan; err[i] = .nan; flags[i] |= PhotometryFlags.allMasked.rawValue }
        }
        // χ² of the final model over each footprint.
        let fluxC = flux, slotC = slot, countC = pixelCount, boxesF = boxes, stampsC = stamps, activeC = active
        chi2.withUnsafeMutableBufferPointer { cb in
            guard let cp = cb.baseAddress else { return }
            let C = UnsafeMutableSendablePointer(cp)
            Parallel.forEachChunk(count: n, minChunk: 1024) { lo, hi in
                var resid: [Double] = []
                for i in lo..<hi {
                    let s = slotC[i]
                    guard s >= 0, countC[i] > 1, fluxC[i].isFinite else { continue }
                    let b = boxesF[i]
                    resid.removeAll(keepingCapacity: true)
                    for j in 0..<b.h { for k in 0..<b.w { resid.append(Double(data[(b.y0 + j) * width + b.x0 + k]) - fluxC[i] * Double(stampsC[b.offset + j * b.w + k])) } }
                    for e in graph.start[s]..<graph.start[s + 1] {
                        let o = activeC[graph.index[e]]
                        guard fluxC[o].isFinite else { continue }
                        let c = boxesF[o]
                        let ix0 = max(b.x0, c.x0), ix1 = min(b.x0 + b.w, c.x0 + c.w), iy0 = max(b.y0, c.y0), iy1 = min(b.y0 + b.h, c.y0 + c.h)
                        for yy in iy0..<iy1 { for xx in ix0..<ix1 {
                            resid[(yy - b.y0) * b.w + (xx - b.x0)] -= fluxC[o] * Double(stampsC[c.offset + (yy - c.y0) * c.w + (xx - c.x0)])
                        } }
                    }
                    var sum = 0.0
                    for j in 0..<b.h { for k in 0..<b.w {
                        let r = resid[j * b.w + k]
                        sum += Double(weight[(b.y0 + j) * width + b.x0 + k]) * r * r
                    } }
                    C.p[i] = sum / Double(countC[i] - 1)
                }
            }
        }
        return ForcedMeasurements(flux: flux, fluxError: err, chi2: chi2, pixelCount: pixelCount, groupSize: groupSize,
                                  flags: flags.map { PhotometryFlags(rawValue: $0) })
    }

    /// The sparse off-diagonal part of A over active sources (slots), each row sorted by slot.
    struct Graph: Sendable { var start: [Int], index: [Int], value: [Double] }

    func couplings(active: [Int], boxes: [Box], stamps: [Float]) -> Graph {
        let m = active.count
        guard m > 0 else { return Graph(start: [0], index: [], value: []) }
        // Grid cells of 2h + 1 pixels: boxes of sources more than one cell apart cannot overlap.
        let cell = 2 * half + 1
        let ncx = width / cell + 1, ncy = height / cell + 1
        @Sendable func cellOf(_ b: Box) -> (Int, Int) { ((b.x0 + b.w / 2) / cell, (b.y0 + b.h / 2) / cell) }
        var cellStart = [Int](repeating: 0, count: ncx * ncy + 1)
        for i in active { let (cx, cy) = cellOf(boxes[i]); cellStart[cy * ncx + cx + 1] += 1 }
        for c in 0..<(ncx * ncy) { cellStart[c + 1] += cellStart[c] }
        var fill = cellStart, members = [Int](repeating: 0, count: m)
        for (s, i) in active.enumerated() { let (cx, cy) = cellOf(boxes[i]); members[fill[cy * ncx + cx]] = s; fill[cy * ncx + cx] += 1 }
        let cellStartC = cellStart, membersC = members
        let chunk = 1024
        let parts = Parallel.map((m + chunk - 1) / chunk) { (c: Int) -> (counts: [Int], index: [Int], value: [Double]) in
            var counts: [Int] = [], index: [Int] = [], value: [Double] = []
            for s in (c * chunk)..<min(m, (c + 1) * chunk) {
                let i = active[s], b = boxes[i]
                let (cx, cy) = cellOf(b)
                var row: [(Int, Double)] = []
                for gy in max(0, cy - 1)...min(ncy - 1, cy + 1) {
                    for gx in max(0, cx - 1)...min(ncx - 1, cx + 1) {
                        let g = gy * ncx + gx
                        for e in cellStartC[g]..<cellStartC[g + 1] {
                            let t = membersC[e]
                            guard t != s else { continue }
                            let o = boxes[active[t]]
                            let ix0 = max(b.x0, o.x0), ix1 = min(b.x0 + b.w, o.x0 + o.w)
                            let iy0 = max(b.y0, o.y0), iy1 = min(b.y0 + b.h, o.y0 + o.h)
                            guard ix0 < ix1, iy0 < iy1 else { continue }
                            var a = 0.0
                            for yy in iy0..<iy1 {
                                let rowP = yy * width, rb = b.offset + (yy - b.y0) * b.w - b.x0, ro = o.offset + (yy - o.y0) * o.w - o.x0
                                for xx in ix0..<ix1 {
                                    a += Double(weight[rowP + xx]) * Double(stamps[rb + xx]) * Double(stamps[ro + xx])
                                }
                            }
                            if a != 0 { row.append((t, a)) }
                        }
                    }
                }
                row.sort { $0.0 < $1.0 }
                counts.append(row.count)
                for (t, a) in row { index.append(t); value.append(a) }
            }
            return (counts, index, value)
        }
        var start = [0], index: [Int] = [], value: [Double] = []
        start.reserveCapacity(m + 1)
        for p in parts {
            for c in p.counts { start.append(start[start.count - 1] + c) }
            index += p.index; value += p.value
        }
        return Graph(start: start, index: index, value: value)
    }
}

/// Groups of coupled sources (union–find, strongest couplings first, bounded size), each with the Cholesky
/// factor of its block of A.
struct SourceGroups: Sendable {
    /// Members of each group (slots, ascending); `groupOf[s]` its group, `position[s]` its index in it.
    var members: [[Int]]
    var groupOf: [Int], position: [Int]
    /// Whether some coupling with ρ ≥ `significant` crosses the source's group boundary.
    var leaky: [Bool]

    static let significant = 1e-3

    init(count m: Int, graph: ForcedFit.Graph, diag: [Double], maxSize: Int, minCoupling: Double) {
        var parent = Array(0..<m), size = [Int](repeating: 1, count: m)
        func find(_ a: Int) -> Int { var a = a; while parent[a] != a { parent[a] = parent[parent[a]]; a = parent[a] }; return a }
        var pairs: [(Double, Int, Int)] = []
        for s in 0..<m {
            for e in graph.start[s]..<graph.start[s + 1] where graph.index[e] > s {
                let t = graph.index[e]
                let rho = abs(graph.value[e]) / (diag[s] * diag[t]).squareRoot()
                if rho >= minCoupling { pairs.append((rho, s, t)) }
            }
        }
        pairs.sort { $0.0 != $1.0 ? $0.0 > $1.0 : ($0.1, $0.2) < ($1.1, $1.2) }
        for (_, s, t) in pairs {
            let a = find(s), b = find(t)
            if a != b && size[a] + size[b] <= maxSize {
                if size[a] < size[b] { parent[a] = b; size[b] += size[a] } else { parent[b] = a; size[a] += size[b] }
            }
        }
        var gid = [Int](repeating: -1, count: m)
        var members: [[Int]] = []
        var groupOf = [Int](repeating: 0, count: m), position = [Int](repeating: 0, count: m)
        for s in 0..<m {
            let r = find(s)
            if gid[r] < 0 { gid[r] = members.count; members.append([]) }
            groupOf[s] = gid[r]; position[s] = members[gid[r]].count; members[gid[r]].append(s)
        }
        var leaky = [Bool](repeating: false, count: m)
        for s in 0..<m {
            for e in graph.start[s]..<graph.start[s + 1] where groupOf[graph.index[e]] != groupOf[s] {
                let t = graph.index[e]
                if abs(graph.value[e]) / (diag[s] * diag[t]).squareRoot() >= SourceGroups.significant { leaky[s] = true }
            }
        }
        self.members = members; self.groupOf = groupOf; self.position = position; self.leaky = leaky
    }

    func size(of s: Int) -> Int { members[groupOf[s]].count }

    struct Solution { var values: [Double], errors: [Double], approximate: [Bool], degenerate: [Bool] }

    /// A group's block of A, factorised: lower-triangular L (row-major g×g) with A_G = L Lᵀ. A pivot that
    /// vanishes (two sources at one position: their split is undefined) marks that member degenerate; its
    /// row and column are replaced by the identity so the rest of the group is still solved.
    struct Factor: Sendable { var g: Int, L: [Double], degenerate: [Bool] }

    func factor(_ k: Int, graph: ForcedFit.Graph, diag: [Double]) -> Factor {
        let mem = members[k], g = mem.count
        var A = [Double](repeating: 0, count: g * g)
        for (p, s) in mem.enumerated() {
            A[p * g + p] = diag[s]
            for e in graph.start[s]..<graph.start[s + 1] where groupOf[graph.index[e]] == k {
                A[p * g + position[graph.index[e]]] = graph.value[e]
            }
        }
        var degenerate = [Bool](repeating: false, count: g)
        for j in 0..<g {
            var d = A[j * g + j]
            for t in 0..<j { d -= A[j * g + t] * A[j * g + t] }
            if d <= 1e-12 * diag[mem[j]] {
                degenerate[j] = true
                for t in 0..<j { A[j * g + t] = 0 }
                A[j * g + j] = 1
                for i in (j + 1)..<g { A[i * g + j] = 0 }
                continue
            }
            let l = d.squareRoot()
            A[j * g + j] = l
            for i in (j + 1)..<g {
                if degenerate[j] { continue }
                var v = A[i * g + j]
                for t in 0..<j { v -= A[i * g + t] * A[j * g + t] }
                A[i * g + j] = v / l
            }
        }
        for i in 0..<g { for j in (i + 1)..<g { A[i * g + j] = 0 } }
        return Factor(g: g, L: A, degenerate: degenerate)
    }

    /// Solves L Lᵀ z = r in place (r indexed by group position).
    static func backSolve(_ f: Factor, _ r: inout [Double]) {
        let g = f.g
        for i in 0..<g {
            var v = r[i]
            for t in 0..<i { v -= f.L[i * g + t] * r[t] }
            r[i] = v / f.L[i * g + i]
        }
        for i in stride(from: g - 1, through: 0, by: -1) {
            var v = r[i]
            for t in (i + 1)..<g { v -= f.L[t * g + i] * r[t] }
            r[i] = v / f.L[i * g + i]
        }
    }

    /// Amplitudes (conjugate gradients preconditioned by the group blocks) and errors (√ of the diagonal of
    /// each group block's inverse).
    func solve(rhs b: [Double], graph: ForcedFit.Graph, diag: [Double]) -> Solution {
        let m = b.count
        let factors = Parallel.map(members.count) { (k: Int) -> Factor in factor(k, graph: graph, diag: diag) }
        var degenerateV = [Bool](repeating: false, count: m)
        for (k, f) in factors.enumerated() { for (p, s) in members[k].enumerated() where f.degenerate[p] { degenerateV[s] = true } }
        let degenerate = degenerateV
        let memb = members
        // z = M⁻¹ r, M = blockdiag(A_G): groups are disjoint, so workers write their own members' slots.
        func applyPreconditioner(_ r: [Double]) -> [Double] {
            var z = [Double](repeating: 0, count: m)
            z.withUnsafeMutableBufferPointer { zb in
                guard let zp = zb.baseAddress else { return }
                let Z = UnsafeMutableSendablePointer(zp)
                Parallel.forEachChunk(count: memb.count, minChunk: 512) { lo, hi in
                    var v: [Double] = []
                    for k in lo..<hi {
                        let mem = memb[k]
                        if mem.count == 1 {
                            let s = mem[0]
                            Z.p[s] = degenerate[s] ? 0 : r[s] / (factors[k].L[0] * factors[k].L[0])
                            continue
                        }
                        v.removeAll(keepingCapacity: true)
                        for s in mem { v.append(degenerate[s] ? 0 : r[s]) }
                        SourceGroups.backSolve(factors[k], &v)
                        for (p, s) in mem.enumerated() { Z.p[s] = degenerate[s] ? 0 : v[p] }
                    }
                }
            }
            return z
        }
        func multiply(_ v: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: m)
            for s in 0..<m where !degenerate[s] {
                var a = diag[s] * v[s]
                for e in graph.start[s]..<graph.start[s + 1] where !degenerate[graph.index[e]] { a += graph.value[e] * v[graph.index[e]] }
                out[s] = a
            }
            return out
        }
        let bz = (0..<m).map { degenerate[$0] ? 0 : b[$0] }
        var xv = applyPreconditioner(bz)
        var r = zip(bz, multiply(xv)).map { $0 - $1 }
        let bnorm = max(bz.reduce(0) { $0 + $1 * $1 }.squareRoot(), .leastNormalMagnitude)
        var z = applyPreconditioner(r)
        var p = z
        var rz = zip(r, z).reduce(0) { $0 + $1.0 * $1.1 }
        var iterations = 0
        while r.reduce(0, { $0 + $1 * $1 }).squareRoot() > 1e-13 * bnorm && iterations < 1000 {
            let ap = multiply(p)
            let pap = zip(p, ap).reduce(0) { $0 + $1.0 * $1.1 }
            guard pap > 0 else { break }
            let alpha = rz / pap
            for s in 0..<m { xv[s] += alpha * p[s]; r[s] -= alpha * ap[s] }
            z = applyPreconditioner(r)
            let rzNew = zip(r, z).reduce(0) { $0 + $1.0 * $1.1 }
            let beta = rzNew / rz
            rz = rzNew
            for s in 0..<m { p[s] = z[s] + beta * p[s] }
            iterations += 1
        }
        // Errors: (A_G⁻¹)ᵢᵢ = ‖L⁻¹ eᵢ‖², column by column of L⁻¹.
        let errs = Parallel.map(memb.count) { (k: Int) -> [Double] in
            let f = factors[k], g = f.g
            var out = [Double](repeating: 0, count: g)
            var col = [Double](repeating: 0, count: g)
            for i in 0..<g {
                // Solve L y = eᵢ; (A⁻¹)ᵢᵢ = Σⱼ (L⁻¹)ⱼᵢ², the squared norm of column i of L⁻¹.
                for t in 0..<g { col[t] = 0 }
                col[i] = 1 / f.L[i * g + i]
                var norm = col[i] * col[i]
                for j in (i + 1)..<g {
                    var v = 0.0
                    for t in i..<j { v -= f.L[j * g + t] * col[t] }
                    col[j] = v / f.L[j * g + j]
                    norm += col[j] * col[j]
                }
                out[i] = norm.squareRoot()
            }
            return out
        }
        var errors = [Double](repeating: .nan, count: m)
        for (k, v) in errs.enumerated() { for (p, s) in memb[k].enumerated() { errors[s] = v[p] } }
        return Solution(values: xv, errors: errors, approximate: leaky, degenerate: degenerate)
    }
}
