#!/usr/bin/env bash
# make bench: skytool's release benchmarks, then the peers on the same kind of input.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
n="${BENCH_N:-10000000}"
swift build -c release --package-path "$here" >/dev/null
"$(swift build -c release --package-path "$here" --show-bin-path)/skybench" "$n"
echo
echo "peer: healpy (Debian python3-healpy), same count of random positions"
if /usr/bin/python3 -c "import healpy" 2>/dev/null; then
/usr/bin/python3 - "$n" <<'PY'
import sys, time, numpy as np, healpy as hp
n = int(sys.argv[1]); rng = np.random.default_rng(42)
ra = rng.uniform(0, 360, n); dec = np.degrees(np.arcsin(rng.uniform(-1, 1, n)))
th = np.radians(90 - dec); ph = np.radians(ra)
for order in (29, 10):
    t = []
    for _ in range(5):
        t0 = time.perf_counter(); hp.ang2pix(2**order, th, ph, nest=True); t.append(time.perf_counter() - t0)
    m = sorted(t)[len(t)//2]
    print(f"healpy ang2pix nested, order {order:2d} (theta/phi given)  median {m:8.4f} s  {n/m:.3g} items/s")
PY
else
  echo "  (python3-healpy not installed: apt-get install -y python3-healpy)"
fi
