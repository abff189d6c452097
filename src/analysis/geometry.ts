/**
 * Spherical geometry on the celestial sphere (degrees in, degrees out). Formulas follow astropy
 * (`angular_separation` Vincenty form, `position_angle`, `offset_by`) so results agree with gammapy.
 */

const D2R = Math.PI / 180;
const R2D = 180 / Math.PI;

/** Great-circle distance between two positions (deg); Vincenty form, accurate at all separations. */
export function separationDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const l1 = ra1 * D2R, b1 = dec1 * D2R, l2 = ra2 * D2R, b2 = dec2 * D2R;
  const dl = l2 - l1;
  const sdl = Math.sin(dl), cdl = Math.cos(dl);
  const sb1 = Math.sin(b1), cb1 = Math.cos(b1), sb2 = Math.sin(b2), cb2 = Math.cos(b2);
  const num1 = cb2 * sdl;
  const num2 = cb1 * sb2 - sb1 * cb2 * cdl;
  const den = sb1 * sb2 + cb1 * cb2 * cdl;
  return Math.atan2(Math.hypot(num1, num2), den) * R2D;
}

/** Position angle (east of north) of position 2 seen from position 1, in [0, 360). */
export function positionAngleDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const b1 = dec1 * D2R, b2 = dec2 * D2R;
  const dl = (ra2 - ra1) * D2R;
  const cb2 = Math.cos(b2);
  const x = Math.sin(b2) * Math.cos(b1) - cb2 * Math.sin(b1) * Math.cos(dl);
  const y = Math.sin(dl) * cb2;
  return wrap360(Math.atan2(y, x) * R2D);
}

/** The position reached from (ra, dec) by moving `sepDeg` along position angle `paDeg` (astropy `offset_by`). */
export function offsetBy(ra: number, dec: number, paDeg: number, sepDeg: number): { ra: number; dec: number } {
  const lat = dec * D2R, sep = sepDeg * D2R, pa = paDeg * D2R;
  const cosA = Math.cos(sep), sinA = Math.sin(sep);
  const cosC = Math.sin(lat), sinC = Math.cos(lat);
  const cosB = cosC * cosA + sinC * sinA * Math.cos(pa);
  const xsinA = sinA * Math.sin(pa) * sinC;
  const xcosA = cosA - cosB * cosC;
  let A = Math.atan2(xsinA, xcosA);
  // At a pole treat the start as infinitesimally off the pole at the given longitude (astropy does the same).
  if (sinC < 1e-12) A = Math.PI / 2 + cosC * (Math.PI / 2 - pa);
  return { ra: wrap360(ra + A * R2D), dec: Math.asin(Math.max(-1, Math.min(1, cosB))) * R2D };
}

export function wrap360(deg: number): number {
  const w = deg % 360;
  return w < 0 ? w + 360 : w;
}

/** Unit vector of a sky position. */
export function unitVector(ra: number, dec: number): [number, number, number] {
  const l = ra * D2R, b = dec * D2R;
  const cb = Math.cos(b);
  return [cb * Math.cos(l), cb * Math.sin(l), Math.sin(b)];
}

/**
 * Gnomonic (TAN) projection about (ra0, dec0): standard coordinates in degrees, x growing towards
 * increasing RA (east) and y towards north. Returns null for points 90° or more from the centre.
 */
export function tanProject(ra0: number, dec0: number, ra: number, dec: number): { x: number; y: number } | null {
  const b0 = dec0 * D2R, b = dec * D2R, dl = (ra - ra0) * D2R;
  const sb0 = Math.sin(b0), cb0 = Math.cos(b0), sb = Math.sin(b), cb = Math.cos(b), cdl = Math.cos(dl);
  const cosc = sb0 * sb + cb0 * cb * cdl;
  if (cosc <= 0) return null;
  return { x: ((cb * Math.sin(dl)) / cosc) * R2D, y: ((cb0 * sb - sb0 * cb * cdl) / cosc) * R2D };
}

/** Inverse of tanProject. */
export function tanUnproject(ra0: number, dec0: number, x: number, y: number): { ra: number; dec: number } {
  const b0 = dec0 * D2R;
  const xi = x * D2R, eta = y * D2R;
  const sb0 = Math.sin(b0), cb0 = Math.cos(b0);
  const den = cb0 - eta * sb0;
  const ra = ra0 * D2R + Math.atan2(xi, den);
  const dec = Math.atan2(sb0 + eta * cb0, Math.hypot(xi, den));
  return { ra: wrap360(ra * R2D), dec: dec * R2D };
}

/**
 * Wobble OFF centres: the k-th (k = 1..n) is the pointing offset by the source's separation from the pointing,
 * at position angle PA(pointing→source) + k·360°/(n+1). n = 1 gives the mirror position.
 */
export function wobbleOffCenters(pointing: { ra: number; dec: number }, source: { ra: number; dec: number }, n: number): { ra: number; dec: number }[] {
  const pa = positionAngleDeg(pointing.ra, pointing.dec, source.ra, source.dec);
  const sep = separationDeg(pointing.ra, pointing.dec, source.ra, source.dec);
  const out: { ra: number; dec: number }[] = [];
  for (let k = 1; k <= n; k++) out.push(offsetBy(pointing.ra, pointing.dec, pa + (k * 360) / (n + 1), sep));
  return out;
}
