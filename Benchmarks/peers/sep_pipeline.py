#!/usr/bin/env python3
"""python-sep doing what `skybench` times for skytool, in one process: read the image (astropy), the mesh
background (64/3), subtract, extract at 1.5 sigma of the global rms with python-sep's defaults, and
sum_circle (r = 5, subpix 5, err = the rms map) at the detections. Median of 5 after one warm-up run.
Usage: /usr/bin/python3 Benchmarks/peers/sep_pipeline.py IMAGE
"""
import sys
import time

import numpy as np
import sep
from astropy.io import fits

path = sys.argv[1]
sep.set_extract_pixstack(10_000_000)


def run():
    data = fits.getdata(path).astype(np.float32)
    bkg = sep.Background(data, bw=64, bh=64, fw=3, fh=3)
    rms = bkg.rms(dtype=np.float32)
    sub = data - bkg.back(dtype=np.float32)
    objs = sep.extract(sub, 1.5, err=bkg.globalrms)
    flux, err, flag = sep.sum_circle(sub, objs["x"], objs["y"], 5.0, err=rms, subpix=5)
    return len(objs)


count = run()
times = []
for _ in range(5):
    t0 = time.perf_counter()
    run()
    times.append(time.perf_counter() - t0)
times.sort()
print(f"{times[2]:.4f} {count} {sep.__version__}")
