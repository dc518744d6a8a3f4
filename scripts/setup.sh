#!/usr/bin/env bash
# Install the system packages skytool builds against, when they are missing.
# As root it runs apt-get itself; otherwise it prints the exact command to run.
set -euo pipefail
need=()
have_pc() { pkg-config --exists "$1" 2>/dev/null; }
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
have_pc cfitsio || need+=(libcfitsio-dev)
have_pc wcslib || need+=(wcslib-dev)
have_pc lapacke || need+=(liblapacke-dev)
[ -f /usr/include/sep.h ] || need+=(libsep-dev)
have_pc cairo || need+=(libcairo2-dev)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
    echo "setup: missing system packages. Install them with:" >&2
    echo "    sudo apt-get install -y ${need[*]}" >&2
    exit 1
fi
