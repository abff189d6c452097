import { existsSync } from 'node:fs';
import { GlobalFonts } from '@napi-rs/canvas';
import { PlotError } from './PlotError.js';

/** Proportional families we accept, best first. DejaVu ships with fontconfig on Debian (fonts-dejavu-core). */
export const SANS_CANDIDATES = ['DejaVu Sans', 'Liberation Sans', 'Noto Sans', 'FreeSans', 'Arial', 'Helvetica'];
/** Monospace families for the runs table; without one, the table falls back to the sans family (cells are placed by measured position, so alignment survives). */
export const MONO_CANDIDATES = ['DejaVu Sans Mono', 'Liberation Mono', 'Noto Sans Mono', 'FreeMono', 'Courier New'];
/** Where distributions put fonts; scanned only when @napi-rs/canvas found none of the candidates itself. */
export const SYSTEM_FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts'];

export interface PlotFonts {
  sans: string;
  mono: string;
}

/** Choose families from what is registered; throws a PlotError naming the package to install when nothing fits. */
export function pickFonts(families: readonly string[]): PlotFonts {
  const have = new Set(families);
  const sans = SANS_CANDIDATES.find((f) => have.has(f));
  if (!sans) {
    throw new PlotError(
      'No usable font for plots: install a TrueType font such as DejaVu Sans (Debian/Ubuntu package fonts-dejavu-core) ' +
        'or configure an extra font directory.',
    );
  }
  const mono = MONO_CANDIDATES.find((f) => have.has(f)) ?? sans;
  return { sans, mono };
}

let cached: PlotFonts | undefined;

/**
 * Fonts for all renderers, resolved once per process. @napi-rs/canvas loads system fonts by itself
 * on most machines; the explicit directory scan covers builds where it does not. `extraDirs` comes
 * from configuration (the caller reads the environment, not this module).
 */
export function ensureFonts(extraDirs: readonly string[] = []): PlotFonts {
  if (cached) return cached;
  const families = () => GlobalFonts.families.map((f) => f.family);
  let fonts: PlotFonts | undefined;
  try {
    fonts = pickFonts(families());
  } catch {
    for (const dir of [...extraDirs, ...SYSTEM_FONT_DIRS]) if (existsSync(dir)) GlobalFonts.loadFontsFromDir(dir);
    fonts = pickFonts(families());
  }
  cached = fonts;
  return fonts;
}
