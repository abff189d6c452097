import type { SkyPosition } from '../analysis/types.js';

/**
 * Gnomonic (TAN) projection about a centre, in degrees. xi grows towards increasing RA (east),
 * eta towards increasing Dec; both are the standard plane coordinates of FITS WCS TAN (Calabretta &
 * Greisen 2002), kept local so plots do not depend on the analysis code's internals.
 */
const D2R = Math.PI / 180;

/** Sky -> plane. Returns null for points 90° or more from the centre (not projectable). */
export function projectTan(center: SkyPosition, p: SkyPosition): { xi: number; eta: number } | null {
  const a0 = center.ra * D2R;
  const d0 = center.dec * D2R;
  const a = p.ra * D2R;
  const d = p.dec * D2R;
  const cosc = Math.sin(d0) * Math.sin(d) + Math.cos(d0) * Math.cos(d) * Math.cos(a - a0);
  if (cosc <= 0) return null;
  const xi = (Math.cos(d) * Math.sin(a - a0)) / cosc;
  const eta = (Math.cos(d0) * Math.sin(d) - Math.sin(d0) * Math.cos(d) * Math.cos(a - a0)) / cosc;
  return { xi: xi / D2R, eta: eta / D2R };
}

/** Plane -> sky; RA in [0, 360). */
export function unprojectTan(center: SkyPosition, xiDeg: number, etaDeg: number): SkyPosition {
  const xi = xiDeg * D2R;
  const eta = etaDeg * D2R;
  const a0 = center.ra * D2R;
  const d0 = center.dec * D2R;
  const den = Math.cos(d0) - eta * Math.sin(d0);
  const a = a0 + Math.atan2(xi, den);
  const d = Math.atan2(Math.sin(d0) + eta * Math.cos(d0), Math.hypot(xi, den));
  let ra = (a / D2R) % 360;
  if (ra < 0) ra += 360;
  return { ra, dec: d / D2R };
}
