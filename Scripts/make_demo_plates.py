#!/usr/bin/python3
"""Make the demo plate pair for `skytool mismatch` (Demo/data/plates).

Synthetic, but shaped like APPLAUSE DR4 exports: for each plate a `source` table and a `source_calib` table
(queried by plate_id, ordered by source_id) with DR4's column names and types (pyplate's applause_dr4
schema). Plate 1 was scanned twice, the second scan rotated by 90 deg, and both scans are in its tables;
plate 2 has one scan and covers only part of plate 1's sky. Planted in plate 1:
  - scanner artifacts: fixed in the scanner's frame, so they land on different sky positions in the two scans;
  - plate defects: fixed on the emulsion, so they appear in both scans at one sky position (and not on plate 2);
  - transients: real objects on plate 1 only, in both scans; most inside plate 2's footprint, two outside.
Stars are detected on plate 2 to a deeper limit than plate 1's quality cuts reach, so every constant star
inside plate 2's footprint that passes the cuts has a counterpart.

Writes truth.csv (kind of every plate-1 row) and expected.json: the count after every step of the default
mismatch workflow computed here independently with numpy and astropy (search_around_sky for the 2" self-match,
match_coordinates_sky for the 5" nearest match, the WCS pixel box for coverage).

Run with Debian's python (python3-numpy, python3-astropy):  /usr/bin/python3 Scripts/make_demo_plates.py
The output is deterministic (seeded); commit what it writes.
"""
import csv, json, math, os, sys
import numpy as np
from astropy.wcs import WCS
from astropy.io import fits
from astropy.coordinates import SkyCoord, search_around_sky, match_coordinates_sky
import astropy.units as u

import argparse
_args = argparse.ArgumentParser(description="make the demo plate pair (or a larger one for benchmarks)")
_args.add_argument("--stars", type=int, default=2500, help="stars over the sky box (default 2500: the demo)")
_args.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Demo", "data", "plates"))
_args = _args.parse_args()
OUT = _args.out
rng = np.random.default_rng(20261121)
W = 4800                       # scan size in pixels (both axes)
SCALE = 1.5 / 3600             # deg per pixel
C = (W + 1) / 2                # centre pixel (1-based)

def tan_wcs(ra0, dec0, rot_deg, quarter_turn=False):
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crval = [ra0, dec0]
    w.wcs.crpix = [C, C]
    t = math.radians(rot_deg)
    cd = np.array([[-SCALE * math.cos(t), SCALE * math.sin(t)], [SCALE * math.sin(t), SCALE * math.cos(t)]])
    if quarter_turn:              # scan 2: x1 = W+1-y2, y1 = x2  =>  CD2 = CD1 @ [[0,-1],[1,0]]
        cd = cd @ np.array([[0.0, -1.0], [1.0, 0.0]])
    w.wcs.cd = cd
    return w

plate1_scan1 = tan_wcs(150.0, 30.0, 0.3)
plate1_scan2 = tan_wcs(150.0, 30.0, 0.3, quarter_turn=True)
plate2 = tan_wcs(150.45, 30.25, -0.5)

def inside(w, ra, dec, margin=0.0):
    x, y = w.all_world2pix(ra, dec, 1)
    return (x >= 0.5 + margin) & (x <= W + 0.5 - margin) & (y >= 0.5 + margin) & (y <= W + 0.5 - margin), x, y

# ---- the sky: stars with dN/dm ~ 10^(0.3 m) between 7 and 15.5 over a box larger than both plates
n_star = _args.stars
u01 = rng.random(n_star)
lo, hi = 10 ** (0.3 * 7.0), 10 ** (0.3 * 15.5)
mag = np.log10(lo + u01 * (hi - lo)) / 0.3
ra = rng.uniform(148.35, 151.95, n_star)
dec = rng.uniform(28.75, 31.55, n_star)

# planted transients: 6 inside plate 2 (>= 300 px from its edge), 2 far outside it, all inside plate 1
def planted_positions(n, want_inside):
    out = []
    while len(out) < n:
        r, d = rng.uniform(149.0, 151.0), rng.uniform(29.05, 30.95)
        in1, _, _ = inside(plate1_scan1, np.array([r]), np.array([d]), margin=300)
        in2, _, _ = inside(plate2, np.array([r]), np.array([d]), margin=300)
        out2, _, _ = inside(plate2, np.array([r]), np.array([d]), margin=-500)
        if in1[0] and ((want_inside and in2[0]) or (not want_inside and not out2[0])):
            out.append((r, d))
    return np.array(out)
tr_in = planted_positions(6, True)
tr_out = planted_positions(2, False)
defects = planted_positions(4, True)

# ---- measured rows
def photometry(m, n):
    flux_max = 58000 * (1 - np.exp(-10 ** (-0.4 * (m - 13.0)))) * (1 + rng.normal(0, 0.02, n)) + rng.normal(0, 150, n)
    err = 0.03 + 0.1 * 10 ** (0.4 * (m - 15))
    return flux_max, err

def measure(w, ra_t, dec_t, kind, ids, sigma_px, scan, m):
    """Rows of one scan for objects at true sky positions (x, y measured with noise, sky from x, y)."""
    n = len(ra_t)
    x, y = w.all_world2pix(ra_t, dec_t, 1)
    x = x + rng.normal(0, sigma_px, n); y = y + rng.normal(0, sigma_px, n)
    r, d = w.all_pix2world(x, y, 1)
    return dict(x=x, y=y, ra=r % 360, dec=d, kind=np.array(kind), obj=np.array(ids), scan=np.full(n, scan), m=np.array(m))

def detect(w, limit, scan, sigma_px, extra):
    ok, _, _ = inside(w, ra, dec)
    sel = ok & (mag < limit)
    ra_t, dec_t, kinds, ids, ms = list(ra[sel]), list(dec[sel]), ["star"] * int(sel.sum()), list(np.nonzero(sel)[0]), list(mag[sel])
    for (kind, pos, m) in extra:
        for k, (r, d) in enumerate(pos):
            ra_t.append(r); dec_t.append(d); kinds.append(kind); ids.append(-(k + 1) - (100 if kind == "defect" else 0) - (200 if kind == "transient_outside" else 0)); ms.append(m[k])
    return measure(w, np.array(ra_t), np.array(dec_t), kinds, ids, sigma_px, scan, ms)

tr_mag_in = rng.uniform(11.0, 13.3, len(tr_in)); tr_mag_out = rng.uniform(11.0, 13.3, len(tr_out))
def_mag = rng.uniform(12.0, 13.0, len(defects))
extra1 = [("transient", tr_in, tr_mag_in), ("transient_outside", tr_out, tr_mag_out), ("defect", defects, def_mag)]
scan1 = detect(plate1_scan1, 15.0, 1, 0.17, extra1)
scan2 = detect(plate1_scan2, 15.0, 2, 0.17, extra1)
p2 = detect(plate2, 15.5, 1, 0.20, [])

# scanner artifacts: the same 40 scanner-frame pixels in both scans of plate 1
art_xy = np.column_stack([rng.uniform(200, W - 200, 40), rng.uniform(200, W - 200, 40)])
art_mag = rng.uniform(11.5, 13.0, 40)
def artifacts(w, scan):
    r, d = w.all_pix2world(art_xy[:, 0], art_xy[:, 1], 1)
    return dict(x=art_xy[:, 0].copy(), y=art_xy[:, 1].copy(), ra=r % 360, dec=d, kind=np.array(["artifact"] * 40),
                obj=np.arange(-1000, -1040, -1), scan=np.full(40, scan), m=art_mag.copy())

def concat(*parts):
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
plate1_rows = concat(scan1, artifacts(plate1_scan1, 1), scan2, artifacts(plate1_scan2, 2))
plate2_rows = p2

# ---- APPLAUSE-shaped tables (pyplate database/applause_dr4.yaml column names and order)
SOURCE_COLS = ["source_id", "process_id", "scan_id", "exposure_id", "plate_id", "archive_id", "source_num",
    "x_source", "y_source", "a_source", "b_source", "theta_source", "erra_source", "errb_source", "errtheta_source",
    "elongation", "x_peak", "y_peak", "flag_usepsf", "x_image", "y_image", "erra_image", "errb_image",
    "errtheta_image", "x_psf", "y_psf", "erra_psf", "errb_psf", "errtheta_psf", "mag_auto", "magerr_auto",
    "flux_auto", "fluxerr_auto", "mag_iso", "magerr_iso", "flux_iso", "fluxerr_iso", "flux_max", "flux_radius",
    "isoarea", "sqrt_isoarea", "background", "sextractor_flags", "dist_center", "dist_edge", "annular_bin",
    "flag_rim", "flag_negradius", "flag_clean", "model_prediction", "timestamp_insert", "timestamp_update"]
CALIB_COLS = ["source_id", "process_id", "scan_id", "plate_id", "archive_id", "solution_num", "annular_bin",
    "dist_center", "dist_edge", "sextractor_flags", "model_prediction", "ra_icrs", "dec_icrs", "ra_error",
    "dec_error", "gal_lon", "gal_lat", "ecl_lon", "ecl_lat", "x_sphere", "y_sphere", "z_sphere", "healpix256",
    "nn_dist", "zenith_angle", "airmass", "natmag", "natmag_error", "bpmag", "bpmag_error", "rpmag", "rpmag_error",
    "natmag_plate", "natmag_correction", "natmag_residual", "phot_range_flags", "phot_calib_flags", "color_term",
    "cat_natmag", "match_radius", "gaiaedr3_id", "gaiaiedr3_gmag", "gaiaedr3_bp_rp", "gaiaedr3_dist",
    "gaiaedr3_neighbors", "timestamp_insert", "timestamp_update"]

def tables(rows, plate_id, process_ids, scan_ids, archive_id, bad_fraction, stamp):
    n = len(rows["ra"])
    order = np.lexsort((rows["y"], rows["scan"]))          # by scan, then by y (SExtractor's order)
    rows = {k: v[order] for k, v in rows.items()}
    m = rows["m"]; kind = rows["kind"]
    scan = rows["scan"]
    num = np.zeros(n, dtype=int)
    for s in np.unique(scan):
        k = np.nonzero(scan == s)[0]; num[k] = np.arange(1, len(k) + 1)
    proc = np.array([process_ids[s - 1] for s in scan]); scid = np.array([scan_ids[s - 1] for s in scan])
    source_id = proc.astype(np.int64) * 1_000_000 + num
    flux_max, err = photometry(m, n)
    is_star = kind == "star"
    elong = 1 + np.abs(rng.normal(0, 0.08, n))
    flags = np.where(rng.random(n) < 0.06, 2, 0)
    model = 1 - np.abs(rng.normal(0, 0.04, n))
    # quality problems planted in a fraction of the real stars (each fails one default cut)
    bad = is_star & (rng.random(n) < bad_fraction)
    which = rng.integers(0, 3, n)
    flags = np.where(bad & (which == 0), 18, flags)
    model = np.where(bad & (which == 1), rng.uniform(0.2, 0.7, n), model)
    elong = np.where(bad & (which == 2), rng.uniform(1.6, 3.0, n), elong)
    art = kind == "artifact"
    model = np.where(art, rng.uniform(0.82, 0.97, n), model)
    x, y = rows["x"], rows["y"]
    dist_center = np.hypot(x - C, y - C)
    dist_edge = np.minimum.reduce([x - 0.5, W + 0.5 - x, y - 0.5, W + 0.5 - y])
    annular = np.minimum(9, 1 + (dist_center / (C * math.sqrt(2)) * 9).astype(int))
    rim = (dist_edge < 60).astype(int)
    flux_auto = 10 ** (-0.4 * (m - 25.0)); mag_auto = -2.5 * np.log10(flux_auto)
    a = 2.0 + 0.4 * (15 - m).clip(0); b = a / elong
    c = SkyCoord(rows["ra"] * u.deg, rows["dec"] * u.deg)
    gal, ecl = c.galactic, c.barycentricmeanecliptic
    xyz = c.cartesian
    import healpy
    hp = healpy.ang2pix(256, rows["ra"], rows["dec"], nest=True, lonlat=True)
    nn = c.match_to_catalog_sky(c, nthneighbor=2)[1].arcsec if n > 1 else np.zeros(n)
    natmag = m + rng.normal(0, 1, n) * err
    gaia_id = np.where(is_star, 1_000_000_000_000 + np.arange(n) * 7919 + plate_id, 0)
    src, cal = [], []
    for i in range(n):
        g = bool(is_star[i])
        S = [source_id[i], proc[i], scid[i], plate_id * 10 + 1, plate_id, archive_id, num[i],
             x[i], y[i], a[i], b[i], rng.uniform(-90, 90), 0.02, 0.02, 10.0, elong[i], int(round(x[i])), int(round(y[i])), 1,
             x[i] + 0.01, y[i] - 0.01, 0.02, 0.02, 10.0, x[i] + 0.02, y[i], 0.02, 0.02, 10.0, mag_auto[i], err[i],
             flux_auto[i], flux_auto[i] * err[i] / 1.0857, mag_auto[i] + 0.05, err[i], flux_auto[i] * 0.95,
             flux_auto[i] * err[i] / 1.0857, flux_max[i], a[i] * 0.8, int(math.pi * a[i] * b[i]), math.sqrt(math.pi * a[i] * b[i]),
             1200.0 + rng.normal(0, 20), flags[i], dist_center[i], dist_edge[i], annular[i], rim[i], 0, int(flags[i] == 0),
             model[i], stamp, stamp]
        C_ = [source_id[i], proc[i], scid[i], plate_id, archive_id, 1, annular[i], dist_center[i], dist_edge[i], flags[i],
              model[i], rows["ra"][i], rows["dec"][i], 0.25, 0.25, gal.l.deg[i], gal.b.deg[i], ecl.lon.deg[i], ecl.lat.deg[i],
              xyz.x.value[i], xyz.y.value[i], xyz.z.value[i], hp[i], nn[i], 35.0, 1.22, natmag[i], err[i],
              natmag[i] + 0.3 if g else None, err[i] if g else None, natmag[i] - 0.5 if g else None, err[i] if g else None,
              natmag[i] + 0.01, -0.01, rng.normal(0, 0.05) if g else None, 0, 0 if g else 1, 0.12, m[i] if g else None,
              1.5 if g else None, gaia_id[i] if g else None, m[i] - 0.2 if g else None, 0.8 if g else None,
              abs(rng.normal(0, 0.3)) if g else None, 1 if g else 0, stamp, stamp]
        src.append(S); cal.append(C_)
    srt = np.argsort(source_id, kind="stable")
    truth = [(int(source_id[i]), str(kind[i]), int(rows["obj"][i]), int(scan[i])) for i in srt]
    return [src[i] for i in srt], [cal[i] for i in srt], truth

def fmt(v, col):
    if v is None: return ""
    if isinstance(v, str): return v
    if isinstance(v, (bool, np.bool_)): return str(int(v))
    if isinstance(v, (int, np.integer)): return str(int(v))
    if col in ("ra_icrs", "dec_icrs", "gal_lon", "gal_lat", "ecl_lon", "ecl_lat", "x_sphere", "y_sphere", "z_sphere",
               "x_source", "y_source", "x_image", "y_image", "x_psf", "y_psf", "dist_center", "dist_edge"):
        return "%.10f" % v
    return "%.7g" % v

def write(path, cols, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for r in rows: w.writerow([fmt(v, c) for v, c in zip(r, cols)])

os.makedirs(OUT, exist_ok=True)
s1, c1, truth1 = tables(plate1_rows, 2101, (30101, 30102), (40101, 40102), 3, 0.10, "2021-06-14 10:22:31+00")
s2, c2, _ = tables(plate2_rows, 2202, (30201,), (40201,), 3, 0.0, "2021-06-15 08:02:11+00")
write(os.path.join(OUT, "plate1_source.csv"), SOURCE_COLS, s1)
write(os.path.join(OUT, "plate1_source_calib.csv"), CALIB_COLS, c1)
write(os.path.join(OUT, "plate2_source.csv"), SOURCE_COLS, s2)
write(os.path.join(OUT, "plate2_source_calib.csv"), CALIB_COLS, c2)
hdr = plate2.to_header()
hdr["IMAGEW"] = (W, "image width in pixels"); hdr["IMAGEH"] = (W, "image height in pixels")
hdr["COMMENT"] = "Synthetic plate-2 astrometric solution for the skytool demo (Scripts/make_demo_plates.py)"
fits.PrimaryHDU(header=hdr).writeto(os.path.join(OUT, "plate2_wcs.fits"), overwrite=True)

# ---- the independent expectation for the default workflow
col = {n: k for k, n in enumerate(SOURCE_COLS)}; ccol = {n: k for k, n in enumerate(CALIB_COLS)}
S1 = np.array([[float(r[col[n]]) for n in ("sextractor_flags", "model_prediction", "elongation", "annular_bin", "flag_rim", "flux_max")] for r in s1])
ra1 = np.array([r[ccol["ra_icrs"]] for r in c1], dtype=float); de1 = np.array([r[ccol["dec_icrs"]] for r in c1], dtype=float)
ra2 = np.array([r[ccol["ra_icrs"]] for r in c2], dtype=float); de2 = np.array([r[ccol["dec_icrs"]] for r in c2], dtype=float)
cuts = [("sextractor_flags", S1[:, 0] <= 4), ("model_prediction", S1[:, 1] > 0.8), ("elongation", S1[:, 2] < 1.5),
        ("annular_bin", S1[:, 3] <= 7), ("flag_rim", S1[:, 4] == 0), ("flux_max", S1[:, 5] > 0.3 * S1[:, 5].max())]
keep = np.ones(len(s1), bool); steps = {"joined": len(s1)}
for name, mask in cuts:
    keep &= mask; steps["cut_" + name] = int(keep.sum())
idx = np.nonzero(keep)[0]
cc = SkyCoord(ra1[idx] * u.deg, de1[idx] * u.deg)
i1, i2, _, _ = search_around_sky(cc, cc, 2 * u.arcsec)
has = np.zeros(len(idx), bool); has[i1[i1 != i2]] = True
frac = has.mean()
kept = idx[has] if frac > 0.10 else idx
steps["dedup"] = int(len(kept)); steps["dedup_fraction"] = float(frac)
c2c = SkyCoord(ra2 * u.deg, de2 * u.deg)
_, sep, _ = match_coordinates_sky(SkyCoord(ra1[kept] * u.deg, de1[kept] * u.deg), c2c)
matched = sep.arcsec <= 5.0
steps["matched"] = int(matched.sum())
um = kept[~matched]
ins, x, y = inside(plate2, ra1[um], de1[um])
steps["not_detected"] = int(ins.sum()); steps["not_covered"] = int((~ins).sum())
# rows whose coverage label depends on how finely the footprint is drawn (within 20" = 13.3 px of the edge)
near, _, _ = inside(plate2, ra1[um], de1[um], margin=-13.3)
far, _, _ = inside(plate2, ra1[um], de1[um], margin=13.3)
steps["coverage_edge_rows"] = int((near & ~far).sum())
kind_of = {t[0]: t[1] for t in truth1}
steps["candidate_kinds"] = sorted({kind_of[int(s1[k][0])] for k in um[ins]})
with open(os.path.join(OUT, "truth.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n"); w.writerow(["source_id", "kind", "object", "scan"]); w.writerows(truth1)
with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump({"made_by": "Scripts/make_demo_plates.py (numpy %s, astropy %s)" % (np.__version__, __import__("astropy").__version__),
               "rows": {"plate1_source": len(s1), "plate2_source": len(s2)}, "steps": steps}, f, indent=1)
print(json.dumps(steps, indent=1))
