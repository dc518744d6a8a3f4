#!/usr/bin/env bash
# skytool mismatch against the original design (astropy + a process pool over row ranges) on a large
# synthetic APPLAUSE-shaped plate pair. Needs Debian's python3-numpy, python3-astropy, python3-healpy.
# Usage: bash Benchmarks/run_mismatch.sh [STARS]   (default 250000: ~162 000 + 146 000 joined rows)
set -euo pipefail
cd "$(dirname "$0")/.."
stars="${1:-250000}"; data="/tmp/skybench-plates-$stars"
[ -f "$data/expected.json" ] || /usr/bin/python3 Scripts/make_demo_plates.py --stars "$stars" --out "$data" > /dev/null
swift build -c release > /dev/null
bin="$(swift build -c release --show-bin-path)/skytool"
args=("$data/plate1_source.csv" "$data/plate1_source_calib.csv" "$data/plate2_source.csv" "$data/plate2_source_calib.csv")
for k in 1 2 3; do
  /usr/bin/time -f "skytool mismatch: %e s, peak RSS %M KB" "$bin" mismatch --plate1 "${args[0]}" "${args[1]}" \
      --plate2 "${args[2]}" "${args[3]}" --wcs2 "$data/plate2_wcs.fits" --out-dir /tmp/skybench-mismatch-out --quiet
done
for k in 1 2 3; do
  /usr/bin/time -f "process pool (astropy): %e s, peak RSS %M KB" /usr/bin/python3 Benchmarks/peers/mismatch_pool.py \
      "${args[@]}" "$data/plate2_wcs.fits" /tmp/skybench-mismatch-pool 2>&1 | grep -v WARNING
done
echo "expected counts (numpy/astropy, by the generator):"; grep -E '"(matched|not_detected|not_covered)"' "$data/expected.json"
