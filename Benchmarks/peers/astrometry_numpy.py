#!/usr/bin/env python3
"""A plain numpy implementation of faro's AM/AF/AD definitions, the peer of `skytool astrometry` in
Benchmarks/run_astrometry.sh. Visits are associated in order against the running mean positions with
astropy's match_coordinates_sky (1", nearest; a detection whose nearest object is already taken in this
visit starts a new object), objects kept with >= 2 visits and 17.5 <= median mag < 21.5, every pair of objects
found by computing the separations from each object to all later ones, and for every pair in an annulus
the per-visit separations by haversine. Prints: seconds, then AM1 AF1 AD1 AM2 AF2 AD2 AM3 AF3 AD3.
Usage: /usr/bin/python3 Benchmarks/peers/astrometry_numpy.py VISIT.csv...
"""
import sys
import time

import numpy as np
from astropy.coordinates import SkyCoord, match_coordinates_sky
import astropy.units as u


def hav(ra1, dec1, ra2, dec2):
    a = np.sin((dec2 - dec1) / 2) ** 2 + np.cos(dec1) * np.cos(dec2) * np.sin((ra2 - ra1) / 2) ** 2
    return 2 * np.arcsin(np.sqrt(a))


t0 = time.perf_counter()
visits = [np.loadtxt(f, delimiter=",", skiprows=1) for f in sys.argv[1:]]
nv = len(visits)
ra = [np.radians(v[:, 0]) for v in visits]
dec = [np.radians(v[:, 1]) for v in visits]
mag = [v[:, 2] for v in visits]
# Association: objects x visits table of row indices (-1 = absent).
rows = [np.arange(len(ra[0]))]
vec = np.stack([np.cos(dec[0]) * np.cos(ra[0]), np.cos(dec[0]) * np.sin(ra[0]), np.sin(dec[0])], 1)
table = np.full((len(ra[0]), nv), -1)
table[:, 0] = rows[0]
for v in range(1, nv):
    norm = vec / np.linalg.norm(vec, axis=1)[:, None]
    mra, mdec = np.arctan2(norm[:, 1], norm[:, 0]), np.arcsin(norm[:, 2])
    idx, d2, _ = match_coordinates_sky(SkyCoord(ra[v] * u.rad, dec[v] * u.rad), SkyCoord(mra * u.rad, mdec * u.rad))
    ok = d2 < 1 * u.arcsec
    order = np.argsort(d2.arcsec)
    taken = np.zeros(len(table), bool)
    newrows = []
    for r in order:
        o = idx[r]
        if ok[r] and not taken[o]:
            taken[o] = True
            table[o, v] = r
            vec[o] += [np.cos(dec[v][r]) * np.cos(ra[v][r]), np.cos(dec[v][r]) * np.sin(ra[v][r]), np.sin(dec[v][r])]
        else:
            newrows.append(r)
    if newrows:
        add = np.full((len(newrows), nv), -1)
        add[:, v] = newrows
        table = np.vstack([table, add])
        nr = np.array(newrows)
        vec = np.vstack([vec, np.stack([np.cos(dec[v][nr]) * np.cos(ra[v][nr]), np.cos(dec[v][nr]) * np.sin(ra[v][nr]), np.sin(dec[v][nr])], 1)])
count = (table >= 0).sum(1)
meds = np.array([np.median([mag[v][table[o, v]] for v in range(nv) if table[o, v] >= 0]) for o in range(len(table))])
keep = (count >= 2) & (meds >= 17.5) & (meds < 21.5)
table = table[keep]
vec = vec[keep] / np.linalg.norm(vec[keep], axis=1)[:, None]
mra, mdec = np.arctan2(vec[:, 1], vec[:, 0]), np.arcsin(vec[:, 2])
n = len(table)
vra = np.full((n, nv), np.nan)
vdec = np.full((n, nv), np.nan)
for v in range(nv):
    has = table[:, v] >= 0
    vra[has, v] = ra[v][table[has, v]]
    vdec[has, v] = dec[v][table[has, v]]
out = []
for k, (D, t) in enumerate([(5, 20), (20, 20), (200, 30)]):
    lo, hi = np.radians((D - 1) / 60), np.radians((D + 1) / 60)
    rms, resid = [], []
    for i in range(n - 1):
        d = hav(mra[i], mdec[i], mra[i + 1:], mdec[i + 1:])
        js = np.nonzero((d >= lo) & (d < hi))[0] + i + 1
        if len(js) == 0:
            continue
        dist = hav(vra[i][None, :], vdec[i][None, :], vra[js], vdec[js]) * 206264806.24709636
        for row in dist:
            f = row[np.isfinite(row)]
            if len(f) >= 2:
                rms.append(np.std(f, ddof=1))
            if len(f) >= 3:
                resid.append(np.abs(f - np.median(f)))
    am = np.median(rms) if rms else np.nan
    r = np.concatenate(resid) if resid else np.array([])
    x = r - np.median(r) if len(r) > 1 else r
    out += [am, 100 * np.mean(np.abs(x) > t) if len(r) > 1 else np.nan, np.percentile(x, 90) if len(r) > 1 else np.nan]
print(f"{time.perf_counter() - t0:.3f} " + " ".join(f"{v:.6f}" for v in out))
