#!/usr/bin/env bash
# make bench: skytool's release benchmarks, then the peers on the same inputs.
# Inputs for the crossmatch come from the shared deterministic generator (shared/bench/gen_catalogs.py),
# written to BENCH_DATA (default /tmp/skybench). BENCH_SIZES picks the catalogue sizes (default "1e6").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
shared="${SHARED_DIR:-$here/../../shared}"
n="${BENCH_N:-10000000}"
data="${BENCH_DATA:-/tmp/skybench}"
sizes="${BENCH_SIZES:-1e6}"
mkdir -p "$data"
if [ -f "$shared/bench/gen_catalogs.py" ]; then
    for s in $sizes; do
        [ -f "$data/field_${s}_A.fits" ] || SKY_SMALL_DIR="$data" SKY_LARGE_DIR="$data" /usr/bin/python3 "$shared/bench/gen_catalogs.py" --n "$s" --field field >/dev/null
    done
fi
swift build -c release --package-path "$here" >/dev/null
BENCH_DATA="$data" "$(swift build -c release --package-path "$here" --show-bin-path)/skybench" "$n"

echo
echo "== skytool match, whole process (FITS in, FITS out: ids and separations)"
swift build -c release --package-path "$here/.." >/dev/null
bin="$(swift build -c release --package-path "$here/.." --show-bin-path)/skytool"
for s in $sizes; do
    a="$data/field_${s}_A.fits"; b="$data/field_${s}_B.fits"
    [ -f "$a" ] || continue
    tmp="$(mktemp -d)"
    # Write only ids and separations, as the issue's end-to-end figure asks.
    "$bin" convert "$a" "$tmp/a.fits" --columns id,ra,dec >/dev/null
    "$bin" convert "$b" "$tmp/b.fits" --columns id,ra,dec >/dev/null
    /usr/bin/time -f "   field $s best1: wall %e s, peak RSS %M kB" "$bin" match "$tmp/a.fits" "$tmp/b.fits" --radius 1 --find best1 --out "$tmp/out.fits" --quiet
    rm -rf "$tmp"
done

echo
echo "== peers on the same files"
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
for s in $sizes; do
    a="$data/field_${s}_A.fits"; b="$data/field_${s}_B.fits"
    [ -f "$a" ] || continue
    /usr/bin/python3 - "$a" "$b" <<'PY' || echo "  (astropy not available: apt-get install -y python3-astropy)"
import sys, time, numpy as np
from astropy.io import fits
from astropy.coordinates import SkyCoord, match_coordinates_sky
import astropy.units as u
a = fits.getdata(sys.argv[1], 1); b = fits.getdata(sys.argv[2], 1)
ca = SkyCoord(a["ra"] * u.deg, a["dec"] * u.deg); cb = SkyCoord(b["ra"] * u.deg, b["dec"] * u.deg)
t = []
for _ in range(3):
    t0 = time.perf_counter(); idx, d2, _ = match_coordinates_sky(ca, cb); ok = d2 < 1 * u.arcsec; t.append(time.perf_counter() - t0)
print(f"astropy match_coordinates_sky + 1\" cut ({len(a)} x {len(b)}): median {sorted(t)[1]:.3f} s, pairs {int(ok.sum())}")
PY
    if command -v stilts >/dev/null; then
        for find in best1 all best; do
            /usr/bin/time -f "stilts tmatch2 find=$find ($s): wall %e s, peak RSS %M kB" stilts -Xmx8g tmatch2 in1="$a" in2="$b" matcher=sky values1='ra dec' values2='ra dec' params=1 find=$find join=1and2 omode=count progress=none
        done
    else
        echo "  (stilts not installed: apt-get install -y stilts)"
    fi
done
