#!/usr/bin/env bash
# Image measurement against python-sep (the same C library: this measures skytool's overhead) on a
# synthetic 4096x4096 image with 10^4 stars, and forced PSF photometry at 10^5 positions.
# Needs Debian's python3-sep, python3-astropy, python3-numpy. Usage: bash Benchmarks/run_image.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${BENCH_DATA:-/tmp/skybench}"
/usr/bin/python3 -c "from astropy.io import fits; import sys; sys.exit(0 if 'CTYPE1' in fits.getheader('$data/image_4096.fits') else 1)" 2>/dev/null ||
    /usr/bin/python3 "$here/../Scripts/make_bench_image.py" "$data" >/dev/null
swift build -c release --package-path "$here" >/dev/null
echo "== image measurement (library calls in one process, median of 5 after a warm-up)"
SKYBENCH_ONLY=image,plot BENCH_IMAGE="$data/image_4096.fits" BENCH_POSITIONS="$data/positions_1e5.fits" \
    "$(swift build -c release --package-path "$here" --show-bin-path)/skybench" 1000 | tee /tmp/skybench-image.txt
read -r peer count version <<<"$(/usr/bin/python3 "$here/peers/sep_pipeline.py" "$data/image_4096.fits")"
echo "   python-sep $version: read + background + extract + sum_circle median $peer s ($count sources)"
sky=$(awk '/read \+ background/ {for (i = 1; i <= NF; i++) if ($i == "median") print $(i + 1)}' /tmp/skybench-image.txt)
awk -v s="$sky" -v p="$peer" 'BEGIN {printf "   ratio skytool / python-sep: %.2f (target <= 1.3)\n", s / p}'

echo
echo "== the same through the command line (whole processes, FITS in and out)"
swift build -c release --package-path "$here/.." >/dev/null
bin="$(swift build -c release --package-path "$here/.." --show-bin-path)/skytool"
tmp="$(mktemp -d)"
/usr/bin/time -f "   skytool detect: %e s, peak RSS %M KB" "$bin" detect "$data/image_4096.fits" --out "$tmp/d.fits" >/dev/null
/usr/bin/time -f "   skytool photometry --aperture 5pix (detections): %e s, peak RSS %M KB" "$bin" photometry "$data/image_4096.fits" \
    --positions "$tmp/d.fits" --xy x,y --aperture 5pix --out "$tmp/a.fits" >/dev/null
/usr/bin/time -f "   skytool photometry --psf-fwhm 3 (10^5 positions): %e s, peak RSS %M KB" "$bin" photometry "$data/image_4096.fits" \
    --positions "$data/positions_1e5.fits" --xy x,y --psf-fwhm 3 --out "$tmp/f.fits" >/dev/null
rm -rf "$tmp"
