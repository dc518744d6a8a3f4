#!/usr/bin/env python3
"""A synthetic 4096x4096 float32 image for the image-measurement benchmarks, deterministic (seed 2026).

A TAN WCS at (150, +2.2) with 0.26″ pixels. Sky: 1000 + a gentle plane gradient; Gaussian noise sigma 10; 10 000 stars, Gaussian PSF FWHM 3 pixels,
total fluxes log-uniform in [1e3, 1e6], uniformly placed. Also a table of 100 000 positions (x, y, FITS
1-based) uniformly over the image for the forced-photometry benchmark (the stars' positions first).
Usage: /usr/bin/python3 Scripts/make_bench_image.py OUTDIR
"""
import os
import sys

import numpy as np
from astropy.io import fits

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/skybench"
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(2026)
n = 4096
yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
img = (1000 + 0.01 * xx - 0.005 * yy).astype(np.float32)
img += rng.normal(0, 10, (n, n)).astype(np.float32)
stars = 10_000
sx = rng.uniform(10, n - 11, stars)
sy = rng.uniform(10, n - 11, stars)
flux = 10 ** rng.uniform(3, 6, stars)
sigma = 3 / 2.3548200450309493
r = 8
g = np.arange(-r, r + 1)
for x, y, f in zip(sx, sy, flux):
    ix, iy = int(round(x)), int(round(y))
    dx = (ix + g - x)[None, :]
    dy = (iy + g - y)[:, None]
    img[iy - r:iy + r + 1, ix - r:ix + r + 1] += (f / (2 * np.pi * sigma**2) * np.exp(-(dx**2 + dy**2) / (2 * sigma**2))).astype(np.float32)
hdr = fits.Header()
for k, v in [("CTYPE1", "RA---TAN"), ("CTYPE2", "DEC--TAN"), ("CRVAL1", 150.0), ("CRVAL2", 2.2), ("CRPIX1", 2048.5),
             ("CRPIX2", 2048.5), ("CDELT1", -0.26 / 3600), ("CDELT2", 0.26 / 3600)]:
    hdr[k] = v
fits.PrimaryHDU(img, header=hdr).writeto(os.path.join(out, "image_4096.fits"), overwrite=True)
px = np.concatenate([sx, rng.uniform(1, n, 100_000 - stars)]) + 1
py = np.concatenate([sy, rng.uniform(1, n, 100_000 - stars)]) + 1
cols = [fits.Column(name="x", format="D", array=px), fits.Column(name="y", format="D", array=py)]
fits.BinTableHDU.from_columns(cols).writeto(os.path.join(out, "positions_1e5.fits"), overwrite=True)
print(out)
