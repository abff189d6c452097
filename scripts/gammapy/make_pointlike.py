#!/usr/bin/python3
"""Make point-like DL3 test files (with a RAD_MAX_2D HDU) from the full-enclosure H.E.S.S. DR1 Crab runs.

Run with the Debian gammapy:  /usr/bin/python3 scripts/gammapy/make_pointlike.py
Writes test/fixtures/pointlike/pointlike_obs_id_<OBS_ID>.fits.gz for runs 23523 and 23526.

What the files are (a test input for the point-like code path, not a re-calibration of H.E.S.S. data):
- EVENTS and GTI: copied unchanged;
- RAD_MAX (HDUCLAS4 RAD_MAX_2D): per (energy, offset) bin the 68 % containment radius of the run's PSF at the bin
  centres (gammapy PSF3D.containment_radius), clipped to [0.08, 0.3] deg; 20 log energy bins 0.1-100 TeV (the
  energy axis of a RAD_MAX table is reconstructed energy; the true-energy PSF is used for it, a stated approximation)
  and the AEFF offset bins;
- AEFF (HDUCLAS3 POINT-LIKE): the full-enclosure effective area times the PSF containment within RAD_MAX at that
  energy and offset, the definition of a point-like effective area;
- EDISP: unchanged values, HDUCLAS3 POINT-LIKE;
- PSF and BKG are left out (a point-like file has no PSF).
"""
import os

import numpy as np
import astropy.units as u
from astropy.io import fits

from gammapy.irf import PSF3D

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "test/fixtures/hess-dl3-dr1/data/hess_dl3_dr1_obs_id_{:06d}.fits.gz")
DST = os.path.join(ROOT, "test/fixtures/pointlike/pointlike_obs_id_{:06d}.fits.gz")
RUNS = [23523, 23526]


def pointlike(header):
    header["HDUCLAS3"] = "POINT-LIKE"
    return header


def main():
    os.makedirs(os.path.dirname(DST), exist_ok=True)
    for obs_id in RUNS:
        with fits.open(SRC.format(obs_id)) as hdul:
            psf = PSF3D.from_hdulist(hdul, hdu="PSF")
            aeff_hdu = hdul["AEFF"]
            a = aeff_hdu.data
            e_lo, e_hi = a["ENERG_LO"][0].astype(float), a["ENERG_HI"][0].astype(float)
            t_lo, t_hi = a["THETA_LO"][0].astype(float), a["THETA_HI"][0].astype(float)
            t_c = 0.5 * (t_lo + t_hi)

            # RAD_MAX table: 20 log bins in (reconstructed) energy, the AEFF offset bins.
            r_edges = np.logspace(-1, 2, 21)
            r_c = np.sqrt(r_edges[:-1] * r_edges[1:])
            rad = psf.containment_radius(0.68, energy_true=r_c[:, None] * u.TeV, offset=t_c[None, :] * u.deg)
            rad = np.clip(np.nan_to_num(rad.to_value("deg"), nan=0.3), 0.08, 0.3)  # [energy, offset]
            cols = [
                fits.Column("ENERG_LO", f"{len(r_c)}E", unit="TeV", array=[r_edges[:-1]]),
                fits.Column("ENERG_HI", f"{len(r_c)}E", unit="TeV", array=[r_edges[1:]]),
                fits.Column("THETA_LO", f"{len(t_c)}E", unit="deg", array=[t_lo]),
                fits.Column("THETA_HI", f"{len(t_c)}E", unit="deg", array=[t_hi]),
                # FITS order: energy fastest, i.e. numpy [offset, energy].
                fits.Column("RAD_MAX", f"{rad.size}E", unit="deg", dim=f"({len(r_c)},{len(t_c)})", array=[rad.T]),
            ]
            rad_hdu = fits.BinTableHDU.from_columns(cols, name="RAD_MAX")
            for k, v in [("HDUCLASS", "GADF"), ("HDUDOC", "https://github.com/open-gamma-ray-astro/gamma-astro-data-formats"),
                         ("HDUVERS", "0.3"), ("HDUCLAS1", "RESPONSE"), ("HDUCLAS2", "RAD_MAX"),
                         ("HDUCLAS3", "POINT-LIKE"), ("HDUCLAS4", "RAD_MAX_2D"), ("OBS_ID", obs_id)]:
                rad_hdu.header[k] = v

            # Point-like effective area: full-enclosure area x containment within RAD_MAX at the AEFF bin centres.
            e_c = np.sqrt(e_lo * e_hi)
            ie = np.clip(np.searchsorted(r_edges, e_c, side="right") - 1, 0, len(r_c) - 1)
            rmax = rad[ie, :]  # [energy, offset]
            cont = psf.containment(rad=rmax * u.deg, energy_true=e_c[:, None] * u.TeV, offset=t_c[None, :] * u.deg).to_value("")
            effarea = a["EFFAREA"][0].astype(float)  # numpy [offset, energy]
            new_aeff = aeff_hdu.copy()
            new_aeff.data["EFFAREA"][0] = (effarea * cont.T).astype(np.float32)
            pointlike(new_aeff.header)
            edisp = hdul["EDISP"].copy()
            pointlike(edisp.header)
            out = fits.HDUList([hdul[0].copy(), hdul["EVENTS"].copy(), hdul["GTI"].copy(), new_aeff, edisp, rad_hdu])
            out.writeto(DST.format(obs_id), overwrite=True)
            print("wrote", DST.format(obs_id))


if __name__ == "__main__":
    main()
