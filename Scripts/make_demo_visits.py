#!/usr/bin/env python3
"""Synthetic multi-visit catalogues for the relative-astrometry demo and benchmark (deterministic).

Stars uniform in a disc of RADIUS degrees about (150, +2.2) (the COSMOS field), magnitudes uniform in
16-23; each visit: a tangent-plane shift (up to 0.1"), a rotation (up to 0.5" at the edge), a plate-scale
change (up to 2e-7), a smooth distortion pattern of amplitude DIST mas (a different 2-D sinusoid per visit),
and per-detection noise growing with magnitude (2 mas at 17, ~20 mas at 21.5); 5 % of detections missing.
Columns: ra, dec (degrees), mag. Usage:
    /usr/bin/python3 Scripts/make_demo_visits.py OUTDIR [STARS] [VISITS] [RADIUS] [DIST]
"""
import os
import sys

import numpy as np

out = sys.argv[1]
stars = int(float(sys.argv[2])) if len(sys.argv) > 2 else 3000
nvis = int(sys.argv[3]) if len(sys.argv) > 3 else 5
radius = float(sys.argv[4]) if len(sys.argv) > 4 else 1.75
dist = float(sys.argv[5]) if len(sys.argv) > 5 else 5.0
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(20261203)
ra0, dec0 = 150.0, 2.2
r = radius * np.sqrt(rng.uniform(0, 1, stars))
phi = rng.uniform(0, 2 * np.pi, stars)
xi, eta = r * np.cos(phi), r * np.sin(phi)          # tangent plane, degrees
mag = rng.uniform(16, 23, stars)
sigma_mas = 2 * 10 ** (0.4 * (mag - 17) / 2)


def deproject(x, y):
    x, y = np.radians(x), np.radians(y)
    d0 = np.radians(dec0)
    rho = np.hypot(x, y)
    c = np.arctan(rho)
    with np.errstate(invalid="ignore", divide="ignore"):
        dec = np.arcsin(np.cos(c) * np.sin(d0) + np.where(rho > 0, y * np.sin(c) * np.cos(d0) / rho, 0))
        ra = ra0 + np.degrees(np.arctan2(x * np.sin(c), rho * np.cos(d0) * np.cos(c) - y * np.sin(d0) * np.sin(c)))
    return ra % 360, np.degrees(dec)


for v in range(nvis):
    dx, dy = rng.uniform(-1, 1, 2) * 0.1 / 3600
    rot = rng.uniform(-1, 1) * 0.5 / 3600 / radius
    scale = 1 + rng.uniform(-1, 1) * 2e-7
    kx, ky, ph = rng.uniform(0.5, 2, 2) * np.pi / radius, rng.uniform(0, 2 * np.pi), rng.uniform(0, 2 * np.pi)
    x = scale * (xi - rot * eta) + dx + dist / 3.6e6 * np.sin(kx[0] * xi + ph) + sigma_mas / 3.6e6 * rng.normal(size=stars)
    y = scale * (eta + rot * xi) + dy + dist / 3.6e6 * np.cos(kx[1] * eta + ky) + sigma_mas / 3.6e6 * rng.normal(size=stars)
    ra, dec = deproject(x, y)
    keep = (rng.uniform(size=stars) > 0.05) if v > 0 else np.ones(stars, bool)
    m = mag + 0.01 * rng.normal(size=stars)
    with open(os.path.join(out, f"visit_{v + 1:02d}.csv"), "w") as f:
        f.write("ra,dec,mag\n")
        for a, b, c in zip(ra[keep], dec[keep], m[keep]):
            f.write(f"{a:.12f},{b:.12f},{c:.4f}\n")
print(out)
