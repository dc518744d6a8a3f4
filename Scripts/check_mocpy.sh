#!/usr/bin/env bash
# Shows that mocpy (the CDS MOC library) reads the MOCs skytool writes, FITS and ASCII, with the same cells.
# Outside `make test` (it needs mocpy from PyPI). Run from the repository root:
#     bash Scripts/check_mocpy.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv" >/dev/null
"$work/venv/bin/pip" install -q mocpy >/dev/null
swift build -c release --package-path "$root" >/dev/null
bin="$(swift build -c release --package-path "$root" --show-bin-path)/skytool"
"$bin" coverage "$root/Demo/data/astrometrynet_sourcelist_wcs.fits" --order 12 --out "$work/footprint.fits" >/dev/null
"$bin" coverage "$root/Demo/data/icrf2.csv" --radius 1deg --order 8 --out "$work/icrf2.fits" >/dev/null
"$bin" coverage "$root/Demo/data/icrf2.csv" --radius 1deg --order 8 --out "$work/icrf2.txt" --ascii >/dev/null
"$work/venv/bin/python" - "$work" <<'PY'
import sys
from mocpy import MOC
w = sys.argv[1]
fp = MOC.from_fits(f"{w}/footprint.fits")
a = MOC.from_fits(f"{w}/icrf2.fits")
b = MOC.from_str(open(f"{w}/icrf2.txt").read().strip())
print("footprint: max order", fp.max_order, "sky fraction", fp.sky_fraction, "contains centre:",
      bool(fp.contains_lonlat(87.4807170033 * __import__("astropy.units").units.deg, 46.839867072 * __import__("astropy.units").units.deg)[0]))
print("icrf2 FITS == ASCII:", a == b, "sky fraction", a.sky_fraction)
assert a == b and fp.max_order == 12 and a.max_order == 8
print("mocpy reads skytool's MOCs: OK")
PY
