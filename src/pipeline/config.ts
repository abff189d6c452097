import { z } from 'zod';
import type { RenamedKey } from '../config/renamedKeys.js';
import { TemplateSchema as Template } from '../config/template.js';

/**
 * The config sections the pipeline owns: where the data is (`data`, `paths`, `official_paths`, `dec_lines`, `vars`)
 * and what runs on it (`pipeline` with its stages). The bot assembly (src/bot/config.ts) puts them into the file's schema.
 */

export const StageSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]{0,30}$/, 'stage names are lower-case words like dl1_to_dl2'),
    /** One task per run (a job array) or one task for each night. */
    per: z.enum(['run', 'night']),
    /** argv template; each element is templated separately and never goes through a shell locally. */
    command: z.array(Template).min(1),
    inputs: z.array(Template).default([]),
    outputs: z.array(Template).min(1),
    /** Folders to create before the stage runs (the tools do not create them). */
    mkdirs: z.array(Template).default([]),
    skip_if_outputs_exist: z.boolean().default(true),
    /** Max concurrently running tasks of this stage (Slurm %M). */
    max_parallel: z.number().int().positive().optional(),
    /** Slurm resources for this stage (override backends.slurm defaults). */
    time: z.string().regex(/^[0-9:-]+$/).optional(),
    memory: z.string().regex(/^[0-9]+[KMGT]?$/).optional(),
  })
  .strict();
export type StageConfig = z.infer<typeof StageSchema>;

/** The `data` section: where the data tree is and how nights are found in it. */
export const DataConfigSchema = z
  .object({
    /** Base directory of the data tree; `{base}` in templates. Relative paths resolve against the config file. */
    base: z.string(),
    /** How nights are resolved: the night's RunCatalog (LST) or the DL3 obs-index. */
    night_index: z.enum(['run_catalog', 'dl3_obs_index']),
    /** RunCatalog path template (night_index: run_catalog). */
    run_catalog: Template.optional(),
    /** lstosa RunSummary path template ({base}, {night}); when the night's file exists only DATA runs are kept. */
    run_summary: Template.optional(),
    /** DL3 data store folder holding obs-index/hdu-index (night_index: dl3_obs_index). */
    dl3_store: Template.optional(),
    /**
     * Where ASTRAN writes its own products (DL2, DL3, job folders); `{workspace}` in templates. Relative paths
     * resolve against the config file.
     */
    workspace: z.string().min(1).optional(),
    /**
     * Folders ASTRAN must never write into: the production tree, the model and IRF folders (templates with {base}
     * and vars). check-config refuses any stage output, mkdirs entry or results folder under one; the backends
     * refuse again at run time, before any mkdir or submission.
     */
    read_only_roots: z.array(Template).default([]),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.night_index === 'run_catalog' && !d.run_catalog)
      ctx.addIssue({ code: 'custom', path: ['run_catalog'], message: 'required when night_index is run_catalog' });
    if (d.night_index === 'dl3_obs_index' && !d.dl3_store)
      ctx.addIssue({ code: 'custom', path: ['dl3_store'], message: 'required when night_index is dl3_obs_index' });
  });
export type DataConfig = z.infer<typeof DataConfigSchema>;

/** The `paths` section: named path templates usable in stages as `{name}`; may use {base}, {night}, {run}, {source_dir} and vars. */
export const PathsConfigSchema = z
  .object({
    dl3: Template,
    dl3_dir: Template,
  })
  .catchall(Template);

/**
 * The `official_paths` section: official copies of named paths (same names as `paths`), e.g. lstosa's DL2 made with
 * the same models: when the official file exists for a run it is used as is (read-only) and the stage producing it
 * is skipped for that run. `force=yes` never redoes them: it redoes only ASTRAN's own products.
 */
export const OfficialPathsConfigSchema = z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), Template).default({});

/**
 * The `dec_lines` section: Monte Carlo declination lines (RF models and IRFs are made per line): for each run ASTRAN
 * lists the `dec_*` folders present under every root (through the cluster backend), picks the one for the run's
 * pointing the way lstosa's get_RF_model does, and exposes it as `{dec_line}` (e.g. `models_dir: "{models_root}/{dec_line}"`).
 */
export const DecLinesConfigSchema = z
  .object({
    /** Folders each holding one `dec_XXXX` / `dec_min_XXXX` folder per line (templates with {base} and vars). */
    roots: z.array(Template).min(1),
    /** Refuse a launch when the chosen line is farther than this from a run's pointing declination. */
    max_distance_deg: z.number().positive().max(90).default(8),
    /** Site latitude for lstosa's culmination-angle guard (LST-1: 28.761944). */
    site_latitude_deg: z.number().min(-90).max(90).default(28.761944),
  })
  .strict();

/** The `vars` section: constant variables for templates (production ids, model and IRF folders...). */
export const VarsConfigSchema = z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string().max(1000)).default({});

/** The `pipeline` section: the backend, the stages and how the runner waits for inputs and retries. */
export const PipelineConfigSchema = z
  .object({
    backend: z.enum(['local', 'slurm']).default('local'),
    /** Lines run before each task on the cluster (environment activation). Configuration, never user text. */
    setup: z.array(z.string().max(1000)).default([]),
    retries: z.number().int().min(0).max(5).default(1),
    /**
     * How stages reach the cluster. `chain`: every stage is submitted at launch, each waiting on the cluster for
     * what it needs (Slurm dependencies: a run's task waits for the same run's task of the previous stage, a
     * per-night stage for the whole previous array), so no stage switch waits for a poll. `stage_by_stage`: a stage
     * is submitted only after the previous one succeeded, for clusters that forbid job dependencies.
     */
    submission: z
      .enum(['chain', 'stage_by_stage'], {
        error: 'either `chain` (all stages submitted at launch with job dependencies) or `stage_by_stage` (for clusters that forbid dependencies)',
      })
      .default('chain'),
    /**
     * A cluster outage pauses a job, never fails it. After this long without an answer its user is told once
     * more, with what to do; the job stays paused and resumes when the cluster is back.
     */
    outage_patience_s: z.number().min(0).max(14 * 86_400).default(6 * 3600),
    dl1_wait: z
      .object({
        interval_s: z.number().min(0.05).max(3600).default(300),
        /** Give up waiting this many seconds after the job was created (12 h by default). */
        deadline_s: z.number().min(0).max(259_200).default(43_200),
        on_deadline: z.enum(['proceed', 'fail']).default('proceed'),
      })
      .strict()
      .prefault({}),
    /**
     * When a run's DL1 counts as complete (a file exists as soon as lstosa starts writing it). `night_flag`: the
     * night is done when this file exists (lstosa's closer writes OSA/Closer/{night}/{prod_id}/NightFinished.txt);
     * `stable_for_s`: a file is complete when its size and mtime stay unchanged across checks at least this far
     * apart. With both, either suffices; with neither, existing is enough.
     */
    dl1_complete: z
      .object({
        night_flag: Template.optional(),
        stable_for_s: z.number().min(0).max(86_400).default(0),
      })
      .strict()
      .prefault({}),
    stages: z.array(StageSchema).default([]),
    /**
     * How a compute node's environment reports the tool version for the provenance block: `command` (an argv, no
     * shell) runs once per stage submission after the `setup` lines, where the tasks run; it must print the version
     * alone, e.g. [python, -c, "import lstchain; print(lstchain.__version__)"]. Without it, results say the version
     * was not recorded.
     */
    version_probe: z
      .object({
        tool: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,39}$/, 'a tool name such as lstchain'),
        command: z.array(z.string().min(1).max(1000)).min(1),
      })
      .strict()
      .optional(),
  })
  .strict()
  .prefault({});
export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;

/** Keys of the `pipeline` section renamed when the config moved to one convention: check-config suggests the new name. */
export const PIPELINE_RENAMED_KEYS: readonly RenamedKey[] = [
  { from: 'dl1_wait.deadline_h', to: 'deadline_s', scale: 3600 },
  { from: 'stages.*.mem', to: 'memory' },
];

/** The sections the pipeline reads (planning, templates, readiness, official copies), as the config file holds them. */
export interface PipelineSections {
  data: DataConfig;
  paths: z.infer<typeof PathsConfigSchema>;
  official_paths: z.infer<typeof OfficialPathsConfigSchema>;
  dec_lines?: z.infer<typeof DecLinesConfigSchema> | undefined;
  vars: z.infer<typeof VarsConfigSchema>;
  pipeline: PipelineConfig;
}
