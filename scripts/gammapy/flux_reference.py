#!/usr/bin/python3
"""Reference integral fluxes from gammapy 1.0 for ASTRAN's flux tests (issue 11).

Run with the Debian gammapy:  /usr/bin/python3 scripts/gammapy/flux_reference.py [out.json]
Default output: test/fixtures/gammapy/flux_reference.json (relative to the repo root). Tests read the committed JSON
and never run python.

Method (exactly as issue 11 pins it):
- reconstructed energy 0.1-100 TeV, 30 log bins; true energy 0.05-200 TeV, 72 log bins;
- full-enclosure runs (H.E.S.S. DR1): ON = CircleSkyRegion of radius sqrt(0.02 deg^2) around the source,
  SpectrumDatasetMaker(selection=counts, exposure, edisp; containment_correction=True, use_region_center=True);
- point-like runs (test/fixtures/pointlike, made by make_pointlike.py): ON = PointSkyRegion, the ON radius is the
  file's RAD_MAX_2D (gammapy's point-like path), no containment correction;
- ReflectedRegionsBackgroundMaker(region_finder=WobbleRegionsFinder(n_off_regions=3));
- SafeMaskMaker(methods=["aeff-max"], aeff_percent=10);
- PowerLawSpectralModel(index fixed, reference 1 TeV), only the amplitude free; Fit (minuit, WStat) of the per-run
  SpectrumDatasetOnOff: each run alone (run-wise light curve) and all runs of a group jointly (total);
- integral and integral_error 1-100 TeV; Crab units = ratio to create_crab_spectral_model("hegra") over 1-100 TeV.
Besides the fit results the JSON holds, per run, the intermediate products (exposure, PSF containment, energy
dispersion kernel, ON/OFF counts, safe mask) so that each step of ASTRAN's implementation can be checked on its own.
"""
import json
import os
import re
import sys
import time

import numpy as np
import astropy.units as u
from astropy.coordinates import Angle, SkyCoord
from regions import CircleSkyRegion, PointSkyRegion

import gammapy
from gammapy.data import DataStore, Observation
from gammapy.datasets import Datasets, SpectrumDataset
from gammapy.makers import ReflectedRegionsBackgroundMaker, SafeMaskMaker, SpectrumDatasetMaker, WobbleRegionsFinder
from gammapy.maps import MapAxis, RegionGeom
from gammapy.modeling import Fit
from gammapy.modeling.models import PowerLawSpectralModel, SkyModel, TemplateSpectralModel, create_crab_spectral_model

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "test/fixtures/gammapy/flux_reference.json")
HESS = os.path.join(ROOT, "test/fixtures/hess-dl3-dr1")
POINTLIKE = os.path.join(ROOT, "test/fixtures/pointlike")

E_MIN, E_MAX = 1.0 * u.TeV, 100.0 * u.TeV
THETA2_CUT = 0.02
N_OFF = 3
ENERGY_AXIS = MapAxis.from_energy_bounds(0.1, 100, nbin=30, unit="TeV", name="energy")
ENERGY_AXIS_TRUE = MapAxis.from_energy_bounds(0.05, 200, nbin=72, unit="TeV", name="energy_true")

GROUPS = [
    {"name": "crab", "ra": 83.63308, "dec": 22.01450, "index": 2.6, "pointlike": False,
     "obs_ids": [23523, 23526, 23559, 23592]},
    {"name": "pks2155", "ra": 329.71694, "dec": -30.22559, "index": 3.3, "pointlike": False,
     "obs_ids": [33787, 33788, 33789, 33790]},
    {"name": "crab_pointlike", "ra": 83.63308, "dec": 22.01450, "index": 2.6, "pointlike": True,
     "files": ["pointlike_obs_id_023523.fits.gz", "pointlike_obs_id_023526.fits.gz"]},
]


def floats(a):
    return [float(x) for x in np.asarray(a).ravel()]


def safe_threshold(dataset, aeff_percent=10):
    """The energy SafeMaskMaker's aeff-max method inverts to (same lines as gammapy 1.0 makers/safe.py)."""
    exposure = dataset.exposure
    aeff = exposure.get_spectrum(dataset._geom.center_skydir) / exposure.meta["livetime"]
    model = TemplateSpectralModel.from_region_map(aeff)
    energy_true = model.energy
    energy_min = energy_true[np.where(model.values > 0)[0][0]]
    energy_max = energy_true[-1]
    thres = (aeff_percent / 100) * aeff.quantity.max()
    inversion = model.inverse(thres, energy_min=energy_min, energy_max=energy_max)
    return float((energy_min if np.isnan(inversion[0]) else inversion[0]).to_value("TeV"))


def make_dataset(obs, source, pointlike):
    if pointlike:
        region = PointSkyRegion(source)
        maker = SpectrumDatasetMaker(selection=["counts", "exposure", "edisp"], containment_correction=False)
    else:
        region = CircleSkyRegion(source, radius=np.sqrt(THETA2_CUT) * u.deg)
        maker = SpectrumDatasetMaker(selection=["counts", "exposure", "edisp"], containment_correction=True)
    geom = RegionGeom.create(region=region, axes=[ENERGY_AXIS])
    empty = SpectrumDataset.create(geom=geom, energy_axis_true=ENERGY_AXIS_TRUE)
    bkg_maker = ReflectedRegionsBackgroundMaker(region_finder=WobbleRegionsFinder(n_off_regions=N_OFF))
    safe_maker = SafeMaskMaker(methods=["aeff-max"], aeff_percent=10)
    ds = maker.run(empty.copy(name=str(obs.obs_id)), obs)
    ds_on_off = bkg_maker.run(ds, obs)
    ds_on_off = safe_maker.run(ds_on_off, obs)
    return ds_on_off


def fit(datasets, index):
    model = PowerLawSpectralModel(index=index, amplitude=1e-11 * u.Unit("cm-2 s-1 TeV-1"), reference=1 * u.TeV)
    model.index.frozen = True
    for d in datasets:
        d.models = [SkyModel(spectral_model=model, name="source")]
    joint = Datasets(datasets)
    joint.models = [SkyModel(spectral_model=model, name="source")]
    result = Fit().run(datasets=joint)
    m = joint.models["source"].spectral_model
    flux = m.integral(E_MIN, E_MAX)
    err = m.integral_error(E_MIN, E_MAX)
    crab = create_crab_spectral_model("hegra").integral(E_MIN, E_MAX)
    value = float(flux.to_value("cm-2 s-1"))
    error = float(err[1].to_value("cm-2 s-1")) if np.ndim(err) else float(err.to_value("cm-2 s-1"))
    crab_value = float(crab.to_value("cm-2 s-1"))
    out = {
        "success": bool(result.success),
        "amplitude_cm2s_tev": float(m.amplitude.value),
        "amplitude_error": float(m.amplitude.error),
        "total_stat": float(result.total_stat),
        "value_cm2s": value,
        "error_cm2s": error,
        "crab_units": value / crab_value,
        "crab_units_error": error / crab_value,
        "npred": {d.name: floats(d.npred_signal().data) for d in datasets},
    }
    return out


def run_products(ds, obs, source):
    mask = ds.mask_safe.data.ravel()
    e_edges = ENERGY_AXIS.edges.to_value("TeV")
    first = int(np.argmax(mask)) if mask.any() else None
    kernel = ds.edisp.get_edisp_kernel()
    return {
        "obs_id": int(obs.obs_id),
        "livetime_s": float(obs.observation_live_time_duration.to_value("s")),
        "offset_deg": float(obs.pointing_radec.separation(source).deg),
        "is_pointlike": bool(obs.aeff.is_pointlike),
        "safe_threshold_tev": safe_threshold(ds),
        "safe_emin_tev": float(e_edges[first]) if first is not None else None,
        "mask_safe": [bool(x) for x in mask],
        "counts": [int(x) for x in ds.counts.data.ravel()],
        "counts_off": [int(x) for x in ds.counts_off.data.ravel()],
        "acceptance_off": float(np.ravel(ds.acceptance_off.data)[0]),
        "alpha": float(np.ravel(ds.alpha.data)[0]),
        "n_on_safe": int(ds.counts.data.ravel()[mask].sum()),
        "n_off_safe": int(ds.counts_off.data.ravel()[mask].sum()),
        "exposure_m2s": floats(ds.exposure.data),
        # kernel.pdf_matrix: [true bin, reco bin]
        "edisp_kernel": [floats(row) for row in kernel.pdf_matrix],
    }


def containment(obs, source, energy_true):
    offset = obs.pointing_radec.separation(source)
    return floats(obs.psf.containment(rad=np.sqrt(THETA2_CUT) * u.deg, offset=offset, energy_true=energy_true))


def main():
    t0 = time.time()
    out = {
        "generator": "scripts/gammapy/flux_reference.py",
        "gammapy_version": gammapy.__version__,
        "energy_edges_tev": floats(ENERGY_AXIS.edges.to_value("TeV")),
        "energy_true_edges_tev": floats(ENERGY_AXIS_TRUE.edges.to_value("TeV")),
        "e_min_tev": 1.0,
        "e_max_tev": 100.0,
        "theta2_cut": THETA2_CUT,
        "n_off_regions": N_OFF,
        "crab_hegra_integral_cm2s": float(create_crab_spectral_model("hegra").integral(E_MIN, E_MAX).to_value("cm-2 s-1")),
        "groups": {},
    }
    store = DataStore.from_dir(HESS)
    for g in GROUPS:
        source = SkyCoord(g["ra"], g["dec"], unit="deg", frame="icrs")
        if g["pointlike"]:
            paths = [os.path.join(POINTLIKE, f) for f in g["files"]]
            if not all(os.path.exists(p) for p in paths):
                print(f"skipping {g['name']}: run scripts/gammapy/make_pointlike.py first")
                continue
            observations = [Observation.read(p) for p in paths]
        else:
            observations = store.get_observations(g["obs_ids"], required_irf=["aeff", "edisp", "psf"])
        datasets = []
        runs = []
        for obs in observations:
            ds = make_dataset(obs, source, g["pointlike"])
            datasets.append(ds)
            prod = run_products(ds, obs, source)
            if not g["pointlike"]:
                prod["psf_containment"] = containment(obs, source, ENERGY_AXIS_TRUE.center)
            else:
                offset = obs.pointing_radec.separation(source)
                prod["rad_max_deg"] = floats(obs.rad_max.evaluate(method="nearest", energy=ENERGY_AXIS.center, offset=offset).to_value("deg"))
            runs.append(prod)
        for prod, ds in zip(runs, datasets):
            single = ds.copy(name=ds.name)
            prod["fit"] = fit([single], g["index"])
        total = fit([d.copy(name=d.name) for d in datasets], g["index"])
        out["groups"][g["name"]] = {
            "source": {"ra": g["ra"], "dec": g["dec"]},
            "index": g["index"],
            "pointlike": g["pointlike"],
            "runs": runs,
            "total": total,
        }
    out["elapsed_s"] = time.time() - t0
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    text = json.dumps(out, indent=1)
    text = re.sub(r"\[[-0-9eE.,\s]*\]", lambda m: re.sub(r"\s+", "", m.group(0)).replace(",", ", "), text)
    text = re.sub(r"\[(true|false|,|\s)*\]", lambda m: re.sub(r"\s+", "", m.group(0)).replace(",", ", "), text)
    with open(OUT, "w") as f:
        f.write(text + "\n")
    print(f"wrote {OUT} in {out['elapsed_s']:.1f} s")


if __name__ == "__main__":
    main()
