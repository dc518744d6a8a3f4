#!/usr/bin/env bash
# The demo: runs skytool's subcommands on the bundled data in Demo/data and writes results to $2.
set -euo pipefail
bin="$1"; out="${2:-demo-out}"
data="$(cd "$(dirname "$0")/../Demo/data" && pwd)"
mkdir -p "$out"
step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

plates="$data/plates"   # synthetic APPLAUSE-shaped plate pair (Scripts/make_demo_plates.py; SOURCE.md there)
step "Plate mismatch search: plate-1 sources with no counterpart on plate 2" \
     "$bin" mismatch --plate1 "$plates/plate1_source.csv" "$plates/plate1_source_calib.csv" \
     --plate2 "$plates/plate2_source.csv" "$plates/plate2_source_calib.csv" --wcs2 "$plates/plate2_wcs.fits" \
     --out-dir "$out/mismatch"
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
taurus="$(cd "$(dirname "$0")/../Tests/SkyCoreTests/Fixtures/taurus" && pwd)"   # Hipparcos-2 and Tycho-2 (see SOURCE.md there)
macho="$(cd "$(dirname "$0")/../Tests/SkyPhotTests/Fixtures" && pwd)/macho_lightcurves.csv"
step "HEALPix pixel of the Crab (order 29, nested)" "$bin" healpix --order 29 --ra 05:34:31.94 --dec +22:00:52.2
step "Pleiades: Hipparcos stars within 1 deg of Alcyone" "$bin" cone "$taurus/hip2.fits" --ra 56.871 --dec 24.105 --radius 1deg --out "$out/pleiades.fits"
step "Coverage (MOC) of the astrometry.net frame" "$bin" coverage "$data/astrometrynet_sourcelist_wcs.fits" --order 12 --out "$out/frame_moc.fits"
step "Crossmatch Hipparcos-2 (J1991.25, moved by its proper motions) with Tycho-2 (J2000)" \
     "$bin" match "$taurus/hip2.fits" "$taurus/tycho2_astrometrynet.fits" --radius 1arcsec --find best1 \
     --epoch1 1991.25 --epoch2 2000 --out "$out/hip2_tycho2.fits"
step "Hipparcos stars with no Tycho-2 counterpart within 1\"" \
     "$bin" match "$taurus/hip2.fits" "$taurus/tycho2_astrometrynet.fits" --radius 1arcsec --join 1not2 \
     --epoch1 1991.25 --epoch2 2000 --out "$out/hip2_unmatched.fits"
step "Close pairs in the Tycho-2 subset (friends of friends, 20\")" "$bin" group "$taurus/tycho2_astrometrynet.fits" --radius 20arcsec --keep duplicated --out "$out/tycho2_pairs.fits"
step "Variability statistics of ten MACHO stars" "$bin" varstats "$macho" --id-col macho_id,band --time-col mjd --mag-col mag --err-col mag_err --out "$out/macho_stats.csv"
mkdir -p "$out/images"
step "Image: SExtractor's mesh background and noise of SEP's test frame" \
     "$bin" background "$data/sep_image.fits" --out-back "$out/images/back.fits" --out-rms "$out/images/rms.fits"
step "Image: its sources (detection and deblending at 1.5 sigma)" "$bin" detect "$data/sep_image.fits" --out "$out/images/sources.fits"
step "Image: aperture (5 px) and forced PSF (FWHM 3 px) photometry at those positions" \
     "$bin" photometry "$data/sep_image.fits" --positions "$out/images/sources.fits" --xy x,y --aperture 5pix --psf-fwhm 3 \
     --out "$out/images/photometry.csv"
step "The brightest (above 10 % of the peak): aperture against Gaussian-PSF flux (bright stars have wings a Gaussian lacks: chi2_psf > 1)" \
     "$bin" convert "$out/images/photometry.csv" "$out/images/brightest.csv" --plain-csv \
     --where "flux_aper > 0.1*max(flux_aper)" --columns id,x,y,flux_aper,flux_aper_err,flux_psf,flux_psf_err,chi2_psf
cat "$out/images/brightest.csv"
step "Radio: sources of the VLA FIRST cutout (no background subtraction, 5 sigma)" \
     "$bin" detect "$data/vla_first_sin.fits" --background none --box 33 --threshold 5 --min-area 3 --out "$out/images/first_sources.fits"
step "Radio: forced photometry with the header's restoring beam (peak in Jy/beam) at those sky positions" \
     "$bin" photometry "$data/vla_first_sin.fits" --positions "$out/images/first_sources.fits" --psf beam --background none --box 33 \
     --out "$out/images/first_forced.csv"
step "Radio: a 30\" cutout around the first source, WCS kept" \
     "$bin" cutout "$data/vla_first_sin.fits" --ra 162.5263 --dec 30.6739 --size 30arcsec --out "$out/images/first_cutout.fits"
step "A postage stamp of the FIRST source: the cutout, its detected sources circled, the target in green" \
     "$bin" stamp "$data/vla_first_sin.fits" --ra 162.5263 --dec 30.6739 --size 40arcsec --overlay "$out/images/first_sources.fits" \
     --label "VLA FIRST J105006+304026" --cmap inferno --stretch asinh --out "$out/images/first_stamp.png"
step "Relative astrometry (LSST AM/AF/AD) over every pair of five synthetic visits" \
     "$bin" astrometry "$data"/visits/visit_0*.csv --mag-col mag --out-dir "$out/astrometry"
mkdir -p "$out/plots"
step "Plot: histogram of Hipparcos magnitudes" "$bin" plot hist "$taurus/hip2.fits" --col Hpmag --bins 40 --title "Hipparcos-2, Taurus box" --out "$out/plots/hist.png"
step "Plot: the astrometry.net source list, coloured by the local background" "$bin" plot scatter "$data/astrometrynet_sourcelist.fits" --x X --y Y --color BACKGROUND --out "$out/plots/scatter.png"
step "Plot: a MACHO light curve in two bands" "$bin" plot lightcurve "$macho" --time mjd --mag mag --err mag_err --group band \
     --where "macho_id == '1.3444.614'" --title "MACHO 1.3444.614" --out "$out/plots/lc.png"
step "Plot: Hipparcos stars on the sky (RA to the left)" "$bin" plot sky "$taurus/hip2.fits" --color Hpmag --out "$out/plots/sky.png"
step "Plot: SEP's test frame, zscale and asinh" "$bin" plot image "$data/sep_image.fits" --interval zscale --stretch asinh --cmap inferno --out "$out/plots/image.png"
step "Plot: a stamp of the FIRST source" "$bin" stamp "$data/vla_first_sin.fits" --ra 162.5263 --dec 30.6739 --size 40arcsec \
     --overlay "$out/images/first_sources.fits" --label "J105006+304026" --out "$out/plots/stamp.png"
step "Plot: one stamp per detected FIRST source, in parallel" "$bin" stamp "$data/vla_first_sin.fits" \
     --positions "$out/images/first_sources.fits" --name-col id --size 30arcsec --out-dir "$out/plots/stamps"
printf '\nDemo outputs are in %s\n' "$out"
printf 'Plate mismatch results: %s/mismatch/ (matched.fits, nonmatched.fits, summary.json, candidates.reg)\n' "$out"
printf 'Image measurements and a stamp: %s/images/; astrometry: %s/astrometry/ (report.json, AM1.png ...); plots: %s/plots/\n' "$out" "$out" "$out"
