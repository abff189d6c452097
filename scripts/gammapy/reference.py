#!/usr/bin/python3
"""Reference numbers from gammapy 1.0 for ASTRAN's DL3 analysis tests.

Run with the Debian gammapy:  /usr/bin/python3 scripts/gammapy/reference.py [DL3 dir] [out.json]
Defaults: test/fixtures/hess-dl3-dr1 and test/fixtures/gammapy/reference.json (relative to the repo root).
The tests read the committed JSON and never run python.

ON region: CircleSkyRegion around the source, radius sqrt(theta2 cut); OFF regions: circles of the same radius at the
wobble positions (pointing offset by the source separation at PA(pointing->source) + k*360/(n+1), k = 1..n).
Events are counted with region.contains(skycoord, wcs), the WCS being a TAN projection centred on the region itself
(region.contains works in pixel space, so centring the projection on each region keeps the circle a circle to ~1e-7 deg).
Exact angular-distance counts (astropy separation) are stored next to them.
"""
import json
import os
import re
import sys

import numpy as np
import astropy.units as u
from astropy.coordinates import Angle, SkyCoord
from astropy.wcs import WCS
from regions import CircleSkyRegion

import gammapy
from gammapy.data import DataStore
from gammapy.maps import MapAxis, WcsGeom, Map
from gammapy.makers.utils import make_theta_squared_table
from gammapy.stats import WStatCountsStatistic

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DL3 = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "test/fixtures/hess-dl3-dr1")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "test/fixtures/gammapy/reference.json")

GROUPS = {
    "crab": {"ra": 83.63308, "dec": 22.01450, "obs_ids": [23523, 23526, 23559, 23592]},
    "pks2155": {"ra": 329.71694, "dec": -30.22559, "obs_ids": [33787, 33788, 33789, 33790]},
}
THETA2_CUTS = [0.02, 0.0125]
N_OFFS = [1, 3]


def tan_wcs(center):
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crval = [center.ra.deg, center.dec.deg]
    w.wcs.crpix = [0.0, 0.0]
    w.wcs.cdelt = [-0.001, 0.001]
    return w


def count_in(center, radius_deg, radec):
    region = CircleSkyRegion(center=center, radius=radius_deg * u.deg)
    n_region = int(np.sum(region.contains(radec, tan_wcs(center))))
    sep = center.separation(radec).deg
    n_exact = int(np.sum(sep < radius_deg))
    near_edge = int(np.sum(np.abs(sep - radius_deg) < 1e-4))
    return n_region, n_exact, near_edge


def off_centers(pointing, source, n):
    pa = pointing.position_angle(source)
    sep = pointing.separation(source)
    return [pointing.directional_offset_by(pa + Angle(k * 360.0 / (n + 1), "deg"), sep) for k in range(1, n + 1)]


def wstat(n_on, n_off, alpha):
    s = WStatCountsStatistic(n_on, n_off, alpha)
    return float(s.sqrt_ts), float(s.n_sig)


def main():
    store = DataStore.from_dir(DL3)
    out = {
        "generator": "scripts/gammapy/reference.py",
        "gammapy_version": gammapy.__version__,
        "groups": {},
    }
    for name, g in GROUPS.items():
        source = SkyCoord(g["ra"], g["dec"], unit="deg", frame="icrs")
        obs_list = store.get_observations(g["obs_ids"], required_irf=[])
        grp = {"source": {"ra": g["ra"], "dec": g["dec"]}, "obs_ids": g["obs_ids"], "runs": {}, "cases": []}
        for obs in obs_list:
            ev = obs.events
            pnt = obs.pointing_radec
            grp["runs"][str(obs.obs_id)] = {
                "n_events": int(len(ev.table)),
                "livetime_s": float(obs.observation_live_time_duration.to_value("s")),
                "ra_pnt": float(pnt.icrs.ra.deg),
                "dec_pnt": float(pnt.icrs.dec.deg),
                "wobble_offset_deg": float(pnt.separation(source).deg),
                "pa_pnt_to_source_deg": float(pnt.position_angle(source).to_value("deg")),
            }
        for cut in THETA2_CUTS:
            radius = float(np.sqrt(cut))
            for n in N_OFFS:
                alpha = 1.0 / n
                runs = []
                for obs in obs_list:
                    radec = obs.events.radec
                    pnt = obs.pointing_radec
                    n_on, n_on_exact, on_edge = count_in(source, radius, radec)
                    n_off = n_off_exact = off_edge = 0
                    centers = []
                    for c in off_centers(pnt, source, n):
                        a, b, e = count_in(c, radius, radec)
                        n_off += a
                        n_off_exact += b
                        off_edge += e
                        centers.append({"ra": float(c.icrs.ra.deg), "dec": float(c.icrs.dec.deg)})
                    sig, excess = wstat(n_on, n_off, alpha)
                    runs.append({
                        "obs_id": int(obs.obs_id), "n_on": n_on, "n_off": n_off, "alpha": alpha,
                        "excess": excess, "significance": sig,
                        "n_on_exact": n_on_exact, "n_off_exact": n_off_exact,
                        "n_near_edge": on_edge + off_edge, "off_centers": centers,
                    })
                tot_on = sum(r["n_on"] for r in runs)
                tot_off = sum(r["n_off"] for r in runs)
                tot_alpha = (sum(r["alpha"] * r["n_off"] for r in runs) / tot_off) if tot_off > 0 else float(np.mean([r["alpha"] for r in runs]))
                sig, excess = wstat(tot_on, tot_off, tot_alpha)
                grp["cases"].append({
                    "theta2_cut": cut, "n_off_regions": n, "runs": runs,
                    "total": {"n_on": tot_on, "n_off": tot_off, "alpha": tot_alpha, "excess": excess, "significance": sig},
                })
        axis = MapAxis.from_edges(np.linspace(0, 0.4, 41), unit="deg2", name="theta2", interp="lin")
        t = make_theta_squared_table(obs_list, axis, source)
        grp["theta2"] = {
            "edges_deg2": [float(x) for x in axis.edges.to_value("deg2")],
            "on": [int(x) for x in t["counts"]],
            "off": [int(x) for x in t["counts_off"]],
            "alpha": [float(x) for x in t["alpha"]],
        }
        geom = WcsGeom.create(skydir=source, binsz=0.02, width=2.0, proj="TAN", frame="icrs")
        m = Map.from_geom(geom, dtype=float)
        for obs in obs_list:
            m.fill_events(obs.events)
        data = m.data.astype(int)
        nz = np.argwhere(data > 0)
        grp["counts_map"] = {
            "nx": int(data.shape[1]), "ny": int(data.shape[0]), "binsz_deg": 0.02,
            "sum": int(data.sum()), "max": int(data.max()),
            # Sparse pixels [iy, ix, count]; ix grows towards decreasing RA as in sky images.
            "pixels": [[int(iy), int(ix), int(data[iy, ix])] for iy, ix in nz],
        }
        out["groups"][name] = grp

    # Li & Ma / WStat edge cases.
    lima = []
    for n_on, n_off, alpha in [
        (0, 0, 0.2), (0, 10, 0.2), (10, 0, 0.2), (10, 0, 1.0), (5, 50, 0.1), (3, 50, 0.1), (100, 100, 1.0),
        (1, 1, 1.0), (120, 300, 1 / 3), (20, 300, 1 / 3), (1000000, 2900000, 1 / 3), (12345678, 98765432, 0.125),
        (7, 3, 0.5), (0, 1, 1.0), (2, 0, 0.001), (150, 1, 0.2),
    ]:
        sig, excess = wstat(n_on, n_off, alpha)
        lima.append({"n_on": n_on, "n_off": n_off, "alpha": alpha, "sqrt_ts": sig, "excess": excess})
    out["lima"] = lima

    # Geometry reference: separation, position angle, offset-by (astropy).
    pairs = [((83.63308, 22.01450), (83.63308, 22.51450)), ((83.63308, 22.01450), (84.2, 21.5)),
             ((329.71694, -30.22559), (329.2, -30.0)), ((359.9, 0.1), (0.2, -0.1)), ((10.0, 89.5), (190.0, 89.7)),
             ((120.0, -45.0), (121.0, -46.0)), ((0.0, 0.0), (180.0, 0.0)), ((50.0, 10.0), (50.0, 10.0))]
    geo = []
    for (ra1, de1), (ra2, de2) in pairs:
        a = SkyCoord(ra1, de1, unit="deg")
        b = SkyCoord(ra2, de2, unit="deg")
        off = a.directional_offset_by(Angle(37.0, "deg"), Angle(1.3, "deg"))
        geo.append({"a": [ra1, de1], "b": [ra2, de2], "separation_deg": float(a.separation(b).deg),
                    "position_angle_deg": float(a.position_angle(b).to_value("deg")),
                    "offset_pa37_sep1p3": [float(off.ra.deg), float(off.dec.deg)]})
    out["geometry"] = geo

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    text = json.dumps(out, indent=1)
    # Keep arrays of numbers on one line: a readable, diff-friendly file of moderate size.
    text = re.sub(r"\[[-0-9eE.,\s]*\]", lambda m: re.sub(r"\s+", "", m.group(0)).replace(",", ", "), text)
    with open(OUT, "w") as f:
        f.write(text + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
