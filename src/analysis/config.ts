import { z } from 'zod';

/** The `analysis` section: the high-level analysis' defaults (a command's own values win). */
export const AnalysisConfigSchema = z
  .object({
    theta2_cut: z.number().positive().max(0.5).default(0.02).describe('Global θ² cut of the ON region in deg² (when the files carry no RAD_MAX or use_rad_max is off).'),
    off_regions: z.number().int().min(1).max(5).default(3).describe('Number of wobble OFF regions (α = 1/n).'),
    use_rad_max: z.boolean().default(false).describe('Use the energy-dependent RAD_MAX HDU of the DL3 files as the ON-region size (LST standard files).'),
    map_width_deg: z.number().positive().max(10).default(2).describe('Width of the counts/significance map around the source, in degrees.'),
    map_binsz_deg: z.number().positive().max(0.5).default(0.02).describe('Pixel size of the map, in degrees.'),
    flux_index: z.number().min(1).max(6).default(2.5).describe('Power-law index Γ assumed for the flux when the source list gives none.'),
  })
  .strict()
  .prefault({})
  .describe('Defaults of the high-level analysis (a command\'s own values win).');
export type AnalysisConfig = z.infer<typeof AnalysisConfigSchema>;
