#!/usr/bin/python3
"""The plate mismatch workflow written the way the original analysis was: astropy tables and a process pool
over row ranges (multiprocessing.Pool, one process per core). The peer that `skytool mismatch` is measured
against (Benchmarks/run_mismatch.sh); same steps and defaults, same counts on the demo pair.

usage: mismatch_pool.py S1 C1 S2 C2 WCS2 OUTDIR
"""
import json, os, sys, time
from multiprocessing import Pool
import numpy as np
from astropy.table import Table, join
from astropy.coordinates import SkyCoord, search_around_sky, match_coordinates_sky
from astropy.wcs import WCS
from astropy.io import fits
import astropy.units as u

def load(s, c):
    a = Table.read(s, format="ascii.csv", fast_reader=True)
    b = Table.read(c, format="ascii.csv", fast_reader=True)
    return join(a, b, keys="source_id", join_type="inner", table_names=["1", "2"], uniq_col_name="{col_name}_{table_name}")

G = {}
def init(ra1, de1, ra2, de2):
    G["c1"] = SkyCoord(ra1 * u.deg, de1 * u.deg); G["c2"] = SkyCoord(ra2 * u.deg, de2 * u.deg)

def dup_rows(rng):           # rows of a range with a neighbour within 2" on plate 1
    lo, hi = rng
    i, j, _, _ = search_around_sky(G["c1"][lo:hi], G["c1"], 2 * u.arcsec)
    has = np.zeros(hi - lo, bool); has[i[(i + lo) != j]] = True
    return has

def nearest(rng):            # nearest plate-2 source of each row of a range
    lo, hi = rng
    idx, sep, _ = match_coordinates_sky(G["c1"][lo:hi], G["c2"])
    return idx, sep.arcsec

def ranges(n, parts):
    step = (n + parts - 1) // parts
    return [(k, min(n, k + step)) for k in range(0, n, step)]

if __name__ == "__main__":
    s1, c1, s2, c2, wcs2, out = sys.argv[1:7]
    t0 = time.time()
    with Pool(os.cpu_count()) as pool:
        p1, p2 = pool.starmap(load, [(s1, c1), (s2, c2)])
        t_load = time.time()
        keep = ((p1["sextractor_flags_1"] <= 4) & (p1["model_prediction_1"] > 0.8) & (p1["elongation"] < 1.5)
                & (p1["annular_bin_1"] <= 7) & (p1["flag_rim"] == 0) & (p1["flux_max"] > 0.3 * np.max(p1["flux_max"])))
        q1 = p1[keep]
        ra1, de1 = np.asarray(q1["ra_icrs"], float), np.asarray(q1["dec_icrs"], float)
        ra2, de2 = np.asarray(p2["ra_icrs"], float), np.asarray(p2["dec_icrs"], float)
    with Pool(os.cpu_count(), initializer=init, initargs=(ra1, de1, ra2, de2)) as pool:
        parts = ranges(len(q1), 8 * os.cpu_count())
        has = np.concatenate(pool.map(dup_rows, parts))
        if has.mean() > 0.10:
            q1, ra1, de1 = q1[has], ra1[has], de1[has]
    with Pool(os.cpu_count(), initializer=init, initargs=(ra1, de1, ra2, de2)) as pool:
        res = pool.map(nearest, ranges(len(q1), 8 * os.cpu_count()))
    idx = np.concatenate([r[0] for r in res]); sep = np.concatenate([r[1] for r in res])
    m = sep <= 5.0
    w = WCS(fits.getheader(wcs2)); W, H = fits.getheader(wcs2)["IMAGEW"], fits.getheader(wcs2)["IMAGEH"]
    x, y = w.all_world2pix(ra1[~m], de1[~m], 1)
    inside = (x >= 0.5) & (x <= W + 0.5) & (y >= 0.5) & (y <= H + 0.5)
    matched = q1[m]
    p2m = p2[idx[m]]
    for name in p2m.colnames: p2m.rename_column(name, "plate2_" + name)
    from astropy.table import hstack
    matched = hstack([matched, p2m]); matched["sep_arcsec"] = sep[m]
    non = q1[~m]; non["reason"] = np.where(inside, "not_detected", "not_covered")
    os.makedirs(out, exist_ok=True)
    matched.write(os.path.join(out, "matched.fits"), overwrite=True)
    non.write(os.path.join(out, "nonmatched.fits"), overwrite=True)
    t1 = time.time()
    print(json.dumps({"joined": len(p1), "kept": len(q1), "matched": int(m.sum()), "not_detected": int(inside.sum()),
                      "not_covered": int((~inside).sum()), "load_s": round(t_load - t0, 2), "total_s": round(t1 - t0, 2)}))
