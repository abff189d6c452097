import { z } from 'zod';

/** The `analysis` section: the high-level analysis' defaults (a command's own values win). */
export const AnalysisConfigSchema = z
  .object({
    theta2_cut: z.number().positive().max(0.5).default(0.02),
    off_regions: z.number().int().min(1).max(5).default(3),
    use_rad_max: z.boolean().default(false),
    map_width_deg: z.number().positive().max(10).default(2),
    map_binsz_deg: z.number().positive().max(0.5).default(0.02),
    /** Power-law index Γ assumed for the flux when the source list gives none. */
    flux_index: z.number().min(1).max(6).default(2.5),
  })
  .strict()
  .prefault({});
export type AnalysisConfig = z.infer<typeof AnalysisConfigSchema>;
