/** Unit factors for IRF values: to m² (effective area), sr⁻¹ (PSF), deg (RAD_MAX), dimensionless (migration). */
function norm(u: string): string {
  return u.trim().toLowerCase().replace(/\*\*/g, '').replace(/\^/g, '').replace(/\s+/g, '');
}

function factorFrom(table: Record<string, number>, what: string) {
  return (unit: string): number => {
    const f = table[norm(unit)];
    if (f === undefined) throw new RangeError(`unit "${unit}" is not ${what}`);
    return f;
  };
}

const DEG2_PER_SR = (180 / Math.PI) ** 2;

export const AREA_TO_M2 = factorFrom({ m2: 1, cm2: 1e-4, '': 1 }, 'an area (m2 or cm2)');
export const PSF_TO_PER_SR = factorFrom({ 'sr-1': 1, '1/sr': 1, 'deg-2': DEG2_PER_SR, '1/deg2': DEG2_PER_SR, '': 1 }, 'a probability per solid angle (sr-1 or deg-2)');
export const ANGLE_TO_DEG = factorFrom({ deg: 1, '': 1, rad: 180 / Math.PI }, 'an angle (deg)');
export const DIMENSIONLESS = factorFrom({ '': 1, dimensionless: 1 }, 'dimensionless');
