#!/usr/bin/env python3
"""Reference values for skytool's image measurements, computed with python-sep (the oracle named by the
issue) on SEP's own test image.

Run with Debian's interpreter (python3-sep 1.2.1, python3-astropy, python3-numpy):
    /usr/bin/python3 Scripts/make_sep_reference.py > Tests/SkyPhotTests/Fixtures/sep/sep_reference.json

What it computes, mirroring skytool's pipeline step for step, so that the comparison tests SEP's calls and
skytool's handling around them (offsets, subtraction, errors, annulus), not different arithmetic:
  * the image as float32, scaled as cfitsio does (int16 * BSCALE + BZERO in double, then rounded to float32);
  * SEP's mesh background (64x64 boxes, 3x3 filter): the global background and rms, and the float32 maps;
  * data = image - background in float32;
  * sum_circle(data, x, y, r, err=rms map, gain) at positions that include the image edges and corners
    (truncated apertures) and points beyond the border, r = 5 pixels, subpix 5 (python-sep's default) and 0
    (exact); the same with a background annulus (bkgann = (8, 12));
  * extract(data, 1.5, err=global rms) with python-sep's defaults: the number of objects and their
    positions, fluxes and flags (skytool detects with the same defaults).
Positions are written 1-based (FITS), as skytool takes them; python-sep's are 0-based.
Tolerance used by the tests: 1e-9 relative for the sums (the issue's), exact for counts and flags.
Cutouts of the VLA FIRST image are compared with astropy's Cutout2D (see below).
"""
import json
import sys
import warnings

import numpy as np
import sep
from astropy.io import fits

warnings.simplefilter("ignore")
here = "Tests/SkyPhotTests/Fixtures/sep/"
with fits.open(here + "sep_image.fits", do_not_scale_image_data=True) as f:
    raw = f[0].data
    bscale, bzero = f[0].header.get("BSCALE", 1.0), f[0].header.get("BZERO", 0.0)
# cfitsio scales in double and rounds once to float32 (astropy would scale in float32 arithmetic).
data = (raw.astype(np.float64) * bscale + bzero).astype(np.float32)
bkg = sep.Background(data, bw=64, bh=64, fw=3, fh=3)
back = bkg.back(dtype=np.float32)
rms = bkg.rms(dtype=np.float32)
sub = (data - back).astype(np.float32)

rng = np.random.default_rng(20261203)
h, w = data.shape
# Edge positions are off round numbers: with sub-sampling, a sub-pixel exactly on the circle (dx, dy = 3, 4
# for r = 5) would be decided by the last bit of the 0-/1-based conversion.
xs = list(rng.uniform(0, w - 1, 40)) + [0.013, w - 1.017, 0.021, w - 0.987, 2.31, w - 3.71, -0.43, w - 0.63]
ys = list(rng.uniform(0, h - 1, 40)) + [0.011, 0.019, h - 1.013, h - 0.991, h - 2.23, 1.61, 10.07, 20.03]
xs = np.array(xs)
ys = np.array(ys)

out = {"sep_version": sep.__version__,
       "global_back": float(bkg.globalback), "global_rms": float(bkg.globalrms),
       "x": list(xs + 1), "y": list(ys + 1), "radius": 5.0, "gain": 2.5, "cases": {}}
for name, subpix, ann in [("subpix5", 5, None), ("exact", 0, None), ("annulus", 5, (8.0, 12.0))]:
    kw = dict(err=rms, gain=2.5, subpix=subpix)
    if ann:
        kw["bkgann"] = ann
    f, fe, fl = sep.sum_circle(sub, xs, ys, 5.0, **kw)
    out["cases"][name] = {"flux": [float(v) for v in f], "flux_err": [float(v) for v in fe], "flags": [int(v) for v in fl]}

objs = sep.extract(sub, 1.5, err=bkg.globalrms)
out["detect"] = {"count": int(len(objs)), "x": [float(v) + 1 for v in objs["x"]], "y": [float(v) + 1 for v in objs["y"]],
                 "flux": [float(v) for v in objs["flux"]], "flags": [int(v) for v in objs["flag"]],
                 "a": [float(v) for v in objs["a"]], "theta": [float(v) for v in objs["theta"]]}
# Cutouts (astropy Cutout2D, mode 'partial', NaN fill) of the VLA FIRST image (SIN projection, 33x33) at sky
# positions near a corner and inside, sizes in pixels: the first pixel of the cutout in the original image
# (1-based; xmin_original is the first overlapping pixel, origin_cutout where it sits in the cutout), the
# cutout's CRPIX, and its NaN count and finite sum. Tolerance: exact for pixels and counts, 1e-12 relative
# for CRPIX, 1e-6 relative for the float32 sums.
from astropy.nddata import Cutout2D
from astropy.wcs import WCS
from astropy.coordinates import SkyCoord
import astropy.units as u
hdr = fits.getheader(here + "vla_first_sin.fits")
img = fits.getdata(here + "vla_first_sin.fits").astype(np.float32)
wcs = WCS(hdr).celestial
cuts = []
for (px, py, nx, ny) in [(3.2, 30.6, 9, 7), (17.0, 16.4, 10, 10), (32.9, 1.3, 5, 8)]:
    ra, dec = wcs.all_pix2world([[px, py]], 1)[0]
    c = Cutout2D(img, SkyCoord(ra, dec, unit="deg"), (ny, nx), wcs=wcs, mode="partial", fill_value=np.nan)
    cuts.append({"ra": float(ra), "dec": float(dec), "width": nx, "height": ny,
                 "first_x": int(c.xmin_original) + 1 - int(c.origin_cutout[0]), "first_y": int(c.ymin_original) + 1 - int(c.origin_cutout[1]),
                 "crpix1": float(c.wcs.wcs.crpix[0]), "crpix2": float(c.wcs.wcs.crpix[1]),
                 "nan_count": int(np.isnan(c.data).sum()), "finite_sum": float(np.nansum(c.data.astype(np.float64)))})
out["cutouts"] = cuts

json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
