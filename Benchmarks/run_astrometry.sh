#!/usr/bin/env bash
# skytool astrometry (every pair) on 10^5 stars in 10 visits, and beside it a plain numpy implementation of the
# same definitions on 10^4 stars (the same field, fewer stars), skytool on those too. Needs Debian's
# python3-numpy and python3-astropy. Usage: bash Benchmarks/run_astrometry.sh
set -euo pipefail
# astropy's match_coordinates_sky (the peer's association) needs scipy's KD-tree.
/usr/bin/python3 -c "import scipy" 2>/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-scipy >/dev/null
here="$(cd "$(dirname "$0")" && pwd)"
data="${BENCH_DATA:-/tmp/skybench}/astrometry"
for n in 1e4 1e5; do
    [ -f "$data/$n/visit_10.csv" ] || /usr/bin/python3 "$here/../Scripts/make_demo_visits.py" "$data/$n" "$n" 10 1.75 >/dev/null
done
swift build -c release --package-path "$here/.." >/dev/null
bin="$(swift build -c release --package-path "$here/.." --show-bin-path)/skytool"
for n in 1e4 1e5; do
    for r in 1 2 3; do
        /usr/bin/time -f "   skytool astrometry, $n stars x 10 visits: %e s, peak RSS %M KB" "$bin" astrometry "$data/$n"/visit_*.csv --mag-col mag \
            --out-dir "/tmp/skybench-astrometry-$n" > "/tmp/skybench-astrometry-$n.txt"
    done
    grep -E "^AM[0-9]:|objects kept" "/tmp/skybench-astrometry-$n.txt" | sed 's/^/      /'
done
echo "   numpy (faro's definitions, O(n^2) pairs), 1e4 stars x 10 visits:"
/usr/bin/python3 "$here/peers/astrometry_numpy.py" "$data/1e4"/visit_*.csv | awk '{printf "      %s s; AM1 AF1 AD1 AM2 AF2 AD2 AM3 AF3 AD3 = %s %s %s %s %s %s %s %s %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10}'
echo "   skytool's values on the same 1e4 files:"
grep -E "^(AM|AF|AD)[0-9] " "/tmp/skybench-astrometry-1e4.txt" | sed 's/^/      /'
