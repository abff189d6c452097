#!/usr/bin/python3
"""gammapy 1.0 doing what `astran analyse <files> --json --no-plots` does: read the runs, ON/OFF with 3 wobble OFF
regions (theta2 cut 0.02 deg2), Li & Ma per run and stacked, the theta2 table and a 2x2 deg TAN counts map.
Usage: /usr/bin/python3 bench/analysis_gammapy.py DL3_DIR OBS_ID...  (prints one JSON line)"""
import json
import sys

import numpy as np
import astropy.units as u
from astropy.coordinates import Angle, SkyCoord
from regions import CircleSkyRegion
from gammapy.data import DataStore
from gammapy.maps import Map, MapAxis, WcsGeom
from gammapy.makers.utils import make_theta_squared_table
from gammapy.stats import WStatCountsStatistic

store = DataStore.from_dir(sys.argv[1])
obs_ids = [int(x) for x in sys.argv[2:]]
source = SkyCoord(83.63308, 22.01450, unit="deg")
radius = np.sqrt(0.02) * u.deg
n_off = 3
obs_list = store.get_observations(obs_ids, required_irf=[])
geom = WcsGeom.create(skydir=source, binsz=0.02, width=2.0, proj="TAN", frame="icrs")
wcs = geom.wcs
runs = []
counts_map = Map.from_geom(geom)
for obs in obs_list:
    radec = obs.events.radec
    pnt = obs.pointing_radec
    on = int(CircleSkyRegion(source, radius).contains(radec, wcs).sum())
    pa, sep = pnt.position_angle(source), pnt.separation(source)
    off = 0
    for k in range(1, n_off + 1):
        c = pnt.directional_offset_by(pa + Angle(k * 360 / (n_off + 1), "deg"), sep)
        off += int(CircleSkyRegion(c, radius).contains(radec, wcs).sum())
    s = WStatCountsStatistic(on, off, 1 / n_off)
    runs.append({"obs_id": obs.obs_id, "n_on": on, "n_off": off, "significance": float(s.sqrt_ts)})
    counts_map.fill_events(obs.events)
tot = WStatCountsStatistic(sum(r["n_on"] for r in runs), sum(r["n_off"] for r in runs), 1 / n_off)
axis = MapAxis.from_edges(np.linspace(0, 0.4, 41), unit="deg2", name="theta2", interp="lin")
t2 = make_theta_squared_table(obs_list, axis, source)
print(json.dumps({"runs": runs, "significance": float(tot.sqrt_ts), "theta2_on": [int(x) for x in t2["counts"]], "map_sum": float(counts_map.data.sum())}))
