#!/usr/bin/env bash
# The demo: runs skytool's subcommands on the bundled data in Demo/data and writes results to $2.
set -euo pipefail
bin="$1"; out="${2:-demo-out}"
data="$(cd "$(dirname "$0")/../Demo/data" && pwd)"
mkdir -p "$out"
step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "What is in a FITS source list?" "$bin" info "$data/astrometrynet_sourcelist.fits"
step "An image with a 4-axis WCS" "$bin" info "$data/vla_first_sin.fits"
step "Bright sources to CSV (a filter with a column aggregate)" \
     "$bin" convert "$data/astrometrynet_sourcelist.fits" "$out/bright_sources.csv" --where "FLUX > 0.05*max(FLUX)" --columns X,Y,FLUX
step "Pixel -> sky with the astrometry.net TAN-SIP solution" \
     "$bin" wcs "$data/astrometrynet_sourcelist_wcs.fits" --pix 785.5,3581.5 --pix 2463.574462890625,848.9152221679688
step "Sky -> pixel" "$bin" wcs "$data/astrometrynet_sourcelist_wcs.fits" --world 87.06074170110551,46.72165380414422
step "The frame's footprint on the sky" "$bin" wcs "$data/astrometrynet_sourcelist_wcs.fits" --footprint
step "ICRF2 radio sources north of +80 deg, CSV -> FITS" \
     "$bin" convert "$data/icrf2.csv" "$out/icrf2_north.fits" --where "DEC > 80"
step "The result" "$bin" info "$out/icrf2_north.fits"
printf '\nDemo outputs are in %s\n' "$out"
