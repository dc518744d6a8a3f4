#!/usr/bin/env bash
# Produces the STILTS reference outputs that Tests/SkyMatchTests compares skytool's crossmatch against.
# Needs Debian's stilts (apt-get install -y stilts) and the shared data beside the checkout. Run from the
# repository root:  bash Scripts/make_stilts_expected.sh
# Writes Tests/SkyMatchTests/Fixtures/stilts/: the inputs (a 1x1 deg box of the shared bench 1e5 "field"
# catalogues, and the Taurus Hipparcos-2 / Tycho-2 subset) and one CSV per find/join mode.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${SHARED_DIR:-$root/../shared}"
out="$root/Tests/SkyMatchTests/Fixtures/stilts"
mkdir -p "$out"
bench="$shared/bench/data"    # the generator's small files ship with shared/
if [ ! -f "$bench/field_1e5_A.fits" ]; then
    bench="${BENCH_DATA:-/tmp/skybench}"; mkdir -p "$bench"
    SKY_SMALL_DIR="$bench" SKY_LARGE_DIR="$bench" /usr/bin/python3 "$shared/bench/gen_catalogs.py" --n 1e5 --field field >/dev/null
fi
sel='ra > 150 && ra < 151.2 && dec > -30 && dec < -29'
stilts tpipe in="$bench/field_1e5_A.fits" cmd="select '$sel'" cmd='keepcols "id ra dec"' ofmt=csv out="$out/bench_A.csv"
stilts tpipe in="$bench/field_1e5_B.fits" cmd="select '$sel'" cmd='keepcols "id ra dec"' ofmt=csv out="$out/bench_B.csv"
stilts tpipe in="$shared/data/catalogs/taurus/hip2.fits" cmd="select 'RA_ICRS > 55 && RA_ICRS < 70'" cmd='keepcols "HIP RA_ICRS DE_ICRS"' ofmt=csv out="$out/taurus_hip2.csv"
stilts tpipe in="$shared/data/catalogs/taurus/tycho2_astrometrynet.fits" cmd="select 'ra > 55 && ra < 70'" cmd='keepcols "index_row ra dec"' ofmt=csv out="$out/taurus_tycho2.csv"

match() {  # case in1 in2 values1 values2 radius id1 id2 [joined-id1 joined-id2]
    local j1="${9:-$7}" j2="${10:-$8}"
    for find in all best1 best2 best; do
        stilts tmatch2 in1="$2" in2="$3" ifmt1=csv ifmt2=csv matcher=sky values1="$4" values2="$5" params="$6" find=$find join=1and2 progress=none \
            ocmd="keepcols \"$j1 $j2 Separation\"" ofmt=csv out="$out/$1_${find}_1and2.csv"
    done
    for join in 1or2 all1 all2 1not2 2not1 1xor2; do
        local keep="$j1 $j2 Separation"
        [ "$join" = 1not2 ] && keep="$7"
        [ "$join" = 2not1 ] && keep="$8"
        [ "$join" = 1xor2 ] && keep="$j1 $j2"
        stilts tmatch2 in1="$2" in2="$3" ifmt1=csv ifmt2=csv matcher=sky values1="$4" values2="$5" params="$6" find=best join=$join progress=none \
            ocmd="keepcols \"$keep\"" ofmt=csv out="$out/$1_best_${join}.csv"
    done
}
# Bench box: 8" radius (about 3 % of sources have two candidates: exercises best1/best2/best).
match bench "$out/bench_A.csv" "$out/bench_B.csv" "ra dec" "ra dec" 8 id id id_1 id_2
# Taurus (no proper-motion propagation, 10"): real positions at J1991.25 against J2000.
match taurus "$out/taurus_hip2.csv" "$out/taurus_tycho2.csv" "RA_ICRS DE_ICRS" "ra dec" 10 HIP index_row
stilts -version 2>&1 | grep -i "stilts version" > "$out/STILTS_VERSION.txt"
cat > "$out/SOURCE.md" <<'MD'
# STILTS reference outputs (made by Scripts/make_stilts_expected.sh)

- `bench_A.csv`, `bench_B.csv`: rows of the shared bench generator's `field_1e5_A/B.fits` (deterministic, seed
  20240601) with 150 < ra < 151.2 and -30 < dec < -29; columns id, ra, dec.
- `taurus_hip2.csv`, `taurus_tycho2.csv`: Hipparcos-2 (J1991.25) and the Tycho-2 index subset (J2000) of
  shared/data/catalogs/taurus with 55 < ra < 70 (see that folder's SOURCE.md).
- `<case>_<find>_<join>.csv`: `stilts tmatch2 matcher=sky params=<radius> find=<find> join=<join>` keeping the
  two id columns and STILTS's `Separation` (arcsec); radius 8" (bench) and 10" (taurus).
  STILTS version in STILTS_VERSION.txt.
MD
ls -la "$out" | head -40
