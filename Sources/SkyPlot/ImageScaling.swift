// How image values become grey levels: an interval (which values map to 0 and 1) and a stretch.
import Foundation

/// The values that map to the ends of the colour map.
public enum ImageInterval: Sendable, Equatable {
    /// The finite minimum and maximum.
    case minMax
    /// The central `percent` of the finite values (astropy's PercentileInterval: numpy percentiles
    /// (100 − p)/2 and (100 + p)/2 with linear interpolation).
    case percentile(Double)
    /// IRAF's zscale as astropy's `ZScaleInterval` computes it (defaults: 1000 samples, contrast 0.25).
    case zscale(contrast: Double = 0.25, samples: Int = 1000)
    /// Given limits.
    case manual(Double, Double)

    /// The (low, high) limits for `values`; nil when no value is finite.
    public func limits(_ values: [Float]) -> (Double, Double)? {
        switch self {
        case .minMax:
            var lo = Double.infinity, hi = -Double.infinity
            for v in values where v.isFinite { lo = min(lo, Double(v)); hi = max(hi, Double(v)) }
            return lo <= hi ? (lo, hi) : nil
        case .percentile(let p):
            var f = values.filter(\.isFinite).map(Double.init)
            guard !f.isEmpty else { return nil }
            f.sort()
            func q(_ pc: Double) -> Double {
                let pos = pc / 100 * Double(f.count - 1), i = Int(pos.rounded(.down)), j = min(f.count - 1, i + 1)
                return f[i] + (pos - Double(i)) * (f[j] - f[i])
            }
            return (q((100 - p) / 2), q((100 + p) / 2))
        case let .zscale(contrast, samples):
            return ZScale.limits(values, samples: samples, contrast: contrast)
        case let .manual(a, b):
            return (a, b)
        }
    }
}

/// IRAF's zscale, step for step as astropy 5's `ZScaleInterval.get_limits`:
/// 1. the finite values, in storage order, every `stride`-th (stride = ⌊max(1, n/samples)⌋), at most `samples`, sorted;
/// 2. a line fitted to (index, value) by least squares over the unrejected samples, up to 5 times: residuals
///    beyond 2.5 σ (σ the residuals' standard deviation over unrejected samples) are rejected, the rejection
///    mask is dilated by a window of max(1, ⌊0.01 n⌋) samples (numpy's `convolve(..., 'same')` alignment), and
///    the loop stops when no sample is newly rejected or fewer than max(5, ⌊0.5 n⌋) remain;
/// 3. if enough remain, slope /= contrast and the limits are median ∓ the slope times the distance from the
///    centre sample ⌊(n − 1)/2⌋ (clipped to the samples' range); otherwise the samples' minimum and maximum.
enum ZScale {
    static func limits(_ values: [Float], samples nSamples: Int, contrast: Double, maxReject: Double = 0.5, minPixels: Int = 5,
                       krej: Double = 2.5, maxIterations: Int = 5) -> (Double, Double)? {
        var finiteCount = 0
        for v in values where v.isFinite { finiteCount += 1 }
        guard finiteCount > 0, nSamples > 0 else { return nil }
        let stride = Int(max(1.0, Double(finiteCount) / Double(nSamples)))
        var s: [Double] = []
        s.reserveCapacity(min(nSamples, finiteCount))
        var k = 0
        for v in values where v.isFinite {
            if k % stride == 0 && s.count < nSamples { s.append(Double(v)) }
            k += 1
        }
        s.sort()
        let n = s.count
        var vmin = s[0], vmax = s[n - 1]
        let minpix = max(minPixels, Int(Double(n) * maxReject))
        var bad = [Bool](repeating: false, count: n)
        let grow = max(1, Int(Double(n) * 0.01))
        var good = n, lastGood = n + 1
        var slope = 0.0
        for _ in 0..<maxIterations {
            if good >= lastGood || good < minpix { break }
            // Least-squares line over the unrejected samples.
            var sw = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0
            for i in 0..<n where !bad[i] {
                let x = Double(i)
                sw += 1; sx += x; sy += s[i]; sxx += x * x; sxy += x * s[i]
            }
            let det = sw * sxx - sx * sx
            slope = det != 0 ? (sw * sxy - sx * sy) / det : 0
            let intercept = (sy - slope * sx) / sw
            // Residuals and their standard deviation over the unrejected samples.
            var mean = 0.0, m = 0.0
            for i in 0..<n where !bad[i] { mean += s[i] - (slope * Double(i) + intercept); m += 1 }
            mean /= m
            var ss = 0.0
            for i in 0..<n where !bad[i] { let r = s[i] - (slope * Double(i) + intercept) - mean; ss += r * r }
            let threshold = krej * (ss / m).squareRoot()
            for i in 0..<n {
                let r = s[i] - (slope * Double(i) + intercept)
                if r < -threshold || r > threshold { bad[i] = true }
            }
            // Dilation: out[i] = any(bad[i − ⌊grow/2⌋ ... i + ⌊(grow − 1)/2⌋]).
            var grown = [Bool](repeating: false, count: n)
            for i in 0..<n {
                let lo = max(0, i - grow / 2), hi = min(n - 1, i + (grow - 1) / 2)
                if lo <= hi { for j in lo...hi where bad[j] { grown[i] = true; break } }
            }
            bad = grown
            lastGood = good
            good = bad.filter { !$0 }.count
        }
        if good >= minpix {
            if contrast > 0 { slope /= contrast }
            let centre = (n - 1) / 2
            let median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
            vmin = max(vmin, median - Double(centre - 1) * slope)
            vmax = min(vmax, median + Double(n - centre) * slope)
        }
        return (vmin, vmax)
    }
}

/// How normalised values (0…1 between the interval's limits, clipped) are stretched, as astropy's stretches.
public enum ImageStretch: String, Sendable, CaseIterable {
    case linear, sqrt, log, asinh

    /// The stretched value of x ∈ [0, 1]: sqrt: √x; log: log(a x + 1)/log(a + 1) with a = 1000; asinh:
    /// asinh(x/a)/asinh(1/a) with a = 0.1 (astropy's defaults).
    public func apply(_ x: Double) -> Double {
        let c = min(1, max(0, x))
        switch self {
        case .linear: return c
        case .sqrt: return c.squareRoot()
        case .log: return Foundation.log(1000 * c + 1) / Foundation.log(1001)
        case .asinh: return Foundation.asinh(c / 0.1) / Foundation.asinh(1 / 0.1)
        }
    }
}
