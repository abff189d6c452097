#!/usr/bin/python3
"""gammapy 1.0 side of bench/flux-vs-gammapy.ts: the flux of the 4 H.E.S.S. Crab runs exactly as
scripts/gammapy/flux_reference.py computes it (same functions): per-run datasets, each run fitted alone, and the
joint fit. Prints one JSON line: the joint flux and the time of the work after the imports (`compute_s`).
Usage: /usr/bin/python3 bench/flux_gammapy.py
"""
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts", "gammapy"))

import warnings  # noqa: E402

warnings.simplefilter("ignore")

import flux_reference as ref  # noqa: E402
from astropy.coordinates import SkyCoord  # noqa: E402
from gammapy.data import DataStore  # noqa: E402


def main():
    t0 = time.time()
    store = DataStore.from_dir(ref.HESS)
    source = SkyCoord(83.63308, 22.01450, unit="deg", frame="icrs")
    obs = store.get_observations([23523, 23526, 23559, 23592], required_irf=["aeff", "edisp", "psf"])
    datasets = [ref.make_dataset(o, source, False) for o in obs]
    runs = [ref.fit([d.copy(name=d.name)], 2.6)["value_cm2s"] for d in datasets]
    total = ref.fit([d.copy(name=d.name) for d in datasets], 2.6)
    print(json.dumps({"compute_s": time.time() - t0, "runs": runs, "total": total["value_cm2s"]}))


if __name__ == "__main__":
    main()
