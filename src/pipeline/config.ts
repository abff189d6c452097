import { z } from 'zod';
import type { RenamedKey } from '../config/renamedKeys.js';
import { TemplateSchema as Template } from '../config/template.js';

/**
 * The config sections the pipeline owns: where the data is (`data`, `paths`, `official_paths`, `dec_lines`, `vars`)
 * and what runs on it (`pipeline` with its stages). The bot assembly (src/bot/config.ts) puts them into the file's schema.
 */

export const StageSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]{0,30}$/, 'stage names are lower-case words like dl1_to_dl2').describe('The stage\'s name (lower-case word, e.g. dl1_to_dl2): in the thread, in Slurm job names and in the provenance.'),
    per: z.enum(['run', 'night']).describe('`run`: one task per run (a Slurm job array); `night`: one task per night (e.g. the DL3 index).'),
    command: z
      .array(Template)
      .min(1)
      .describe(
        'The tool\'s argv; each element is a template ({dl1}, {models_dir}, {irf_dir}, {source_ra}, ...) and never goes through a shell. ' +
          '{out_dir} is the task\'s own staging folder: outputs are renamed into place only when the task succeeded. In the LST profile the ' +
          'DL3 stage passes --final-irf-file final_irf_Run{run:05}.fits.gz, so parallel tasks never share lstchain\'s final IRF file.',
      ),
    inputs: z.array(Template).default([]).describe('Files a task reads; a run waits (pipeline.dl1_wait) until they exist and are complete (pipeline.dl1_complete).'),
    outputs: z.array(Template).min(1).describe('Files a task must produce; the stage is skipped for a run whose outputs exist (in the workspace, or an official copy). Never under data.read_only_roots.'),
    mkdirs: z.array(Template).default([]).describe('Folders created before the stage runs (the lstchain tools do not create them). Never under data.read_only_roots.'),
    skip_if_outputs_exist: z.boolean().default(true).describe('Skip a run whose outputs exist already (force=yes redoes ASTRAN\'s own products, never official ones).'),
    max_parallel: z.number().int().positive().optional().describe('At most this many tasks of the stage run at once (Slurm %M of the array).'),
    time: z.string().regex(/^[0-9:-]+$/).optional().describe('Slurm time limit of each task (e.g. "02:00:00"), overriding backends.slurm.time.'),
    memory: z.string().regex(/^[0-9]+[KMGT]?$/).optional().describe('Slurm memory of each task (e.g. 16G), overriding backends.slurm.memory.'),
  })
  .strict();
export type StageConfig = z.infer<typeof StageSchema>;

/** The `data` section: where the data tree is and how nights are found in it. */
export const DataConfigSchema = z
  .object({
    base: z.string().describe('The production data tree (lstosa\'s base, e.g. /fefs/onsite/data/lst-pipe/LSTN-01); `{base}` in templates. ASTRAN only reads it. Relative paths resolve against the config file.'),
    night_index: z
      .enum(['run_catalog', 'dl3_obs_index'])
      .describe('How the runs of a night are found: `run_catalog` (LST: the night\'s RunCatalog) or `dl3_obs_index` (a DL3 data store\'s obs-index, e.g. the bundled H.E.S.S. sample). Both are read through the cluster backend.'),
    run_catalog: Template.optional().describe('RunCatalog file of a night ({base}, {night}), read on the cluster; required with night_index: run_catalog.'),
    run_summary: Template.optional().describe('lstosa\'s RunSummary file of a night ({base}, {night}); when it exists only its run_type DATA runs are analysed.'),
    dl3_store: Template.optional().describe('DL3 data store folder holding obs-index/hdu-index, read on the cluster; required with night_index: dl3_obs_index.'),
    workspace: z
      .string()
      .min(1)
      .optional()
      .describe('ASTRAN\'s own products (DL2, DL3, final IRFs) go here and nowhere else; `{workspace}` in templates. Relative paths resolve against the config file.'),
    read_only_roots: z
      .array(Template)
      .default([])
      .describe(
        'Folders ASTRAN never writes into: the production tree, the model and IRF folders (templates with {base} and vars). check-config refuses any ' +
          'stage output, mkdirs entry, results, store or job folder inside one (naming the key); the backends refuse again before any mkdir or submission.',
      ),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.night_index === 'run_catalog' && !d.run_catalog)
      ctx.addIssue({ code: 'custom', path: ['run_catalog'], message: 'required when night_index is run_catalog' });
    if (d.night_index === 'dl3_obs_index' && !d.dl3_store)
      ctx.addIssue({ code: 'custom', path: ['dl3_store'], message: 'required when night_index is dl3_obs_index' });
  })
  .describe('Where the data tree is, where ASTRAN may write, and how nights are found.');
export type DataConfig = z.infer<typeof DataConfigSchema>;

/** The `paths` section: named path templates usable in stages as `{name}`; may use {base}, {night}, {run}, {source_dir} and vars. */
export const PathsConfigSchema = z
  .object({
    dl3: Template.describe('A run\'s DL3 file (what the analysis reads).'),
    dl3_dir: Template.describe('The folder of a night\'s DL3 files (and its index).'),
  })
  .catchall(Template.describe('Any other named path (dl1, dl2, models_dir, irf_dir, ...): usable in stages as {name}.'))
  .describe('Named path templates usable in stages as {name}; they may use {base}, {workspace}, {night}, {run}, {run:05}, {source_dir}, {dec_line} and vars.');

/**
 * The `official_paths` section: official copies of named paths (same names as `paths`), e.g. lstosa's DL2 made with
 * the same models: when the official file exists for a run it is used as is (read-only) and the stage producing it
 * is skipped for that run. `force=yes` never redoes them: it redoes only ASTRAN's own products.
 */
export const OfficialPathsConfigSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9_]*$/), Template)
  .default({})
  .describe(
    'Official copies of named paths (same names as `paths`), e.g. lstosa\'s DL2 made with the same models: when the official file exists for a run it is ' +
      'read as is and the stage producing it is skipped for that run. force=yes never redoes them.',
  );

/**
 * The `dec_lines` section: Monte Carlo declination lines (RF models and IRFs are made per line): for each run ASTRAN
 * lists the `dec_*` folders present under every root (through the cluster backend), picks the one for the run's
 * pointing the way lstosa's get_RF_model does, and exposes it as `{dec_line}` (e.g. `models_dir: "{models_root}/{dec_line}"`).
 */
export const DecLinesConfigSchema = z
  .object({
    roots: z.array(Template).min(1).describe('Folders each holding one dec_XXXX / dec_min_XXXX folder per line (the RF models root and the IRF root); a line counts only when present under every root.'),
    max_distance_deg: z
      .number()
      .positive()
      .max(90)
      .default(8)
      .describe('A launch is refused when the nearest line is farther than this from a run\'s pointing declination (docs/lst-profile.md: why 8°).'),
    site_latitude_deg: z.number().min(-90).max(90).default(28.761944).describe('The site\'s latitude for lstosa\'s culmination-angle guard (LST-1: 28.761944).'),
  })
  .strict()
  .describe('RF models and IRFs per Monte Carlo declination line: for each run ASTRAN lists the lines on the cluster and picks the one for the run\'s pointing as lstosa\'s get_RF_model does; `{dec_line}` in templates.');

/** The `vars` section: constant variables for templates (production ids, model and IRF folders...). */
export const VarsConfigSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string().max(1000))
  .default({})
  .describe('Constant variables for templates: production ids, the models and IRF roots, ... (each usable as {name}).');

/** The `pipeline` section: the backend, the stages and how the runner waits for inputs and retries. */
export const PipelineConfigSchema = z
  .object({
    backend: z.enum(['local', 'slurm']).default('local').describe('Where stages run: `local` processes, or `slurm` job arrays over SSH (backends.slurm).'),
    setup: z
      .array(z.string().max(1000))
      .default([])
      .describe('Shell lines run before each task on the compute node (environment activation, e.g. conda activate lstchain-v0.10.5). Configuration, never user text. The local backend ignores them.'),
    retries: z.number().int().min(0).max(5).default(1).describe('How many more attempts a stage\'s failed tasks get (partial outputs removed first).'),
    submission: z
      .enum(['chain', 'stage_by_stage'], {
        error: 'either `chain` (all stages submitted at launch with job dependencies) or `stage_by_stage` (for clusters that forbid dependencies)',
      })
      .default('chain')
      .describe(
        'How stages reach the cluster. `chain`: every stage is submitted at launch, each waiting on the cluster for what it needs (Slurm ' +
          'dependencies: a run\'s task waits for the same run\'s task of the previous stage, a per-night stage for the whole previous array), so ' +
          'no stage switch waits for a poll. `stage_by_stage`: a stage is submitted only after the previous one succeeded, for clusters that ' +
          'forbid job dependencies.',
      ),
    outage_patience_s: z
      .number()
      .min(0)
      .max(14 * 86_400)
      .default(6 * 3600)
      .describe('A cluster outage pauses a job, never fails it; after this long without an answer its user is told once more, with what to do.'),
    dl1_wait: z
      .object({
        interval_s: z.number().min(0.05).max(3600).default(300).describe('Seconds between two checks for missing or incomplete DL1 files.'),
        deadline_s: z.number().min(0).max(259_200).default(43_200).describe('Stop waiting this many seconds after the job was created (12 h by default).'),
        on_deadline: z.enum(['proceed', 'fail']).default('proceed').describe('At the deadline: go on with the runs that are ready, or fail the job.'),
      })
      .strict()
      .prefault({})
      .describe('DL1 of a night appears during the next morning: how long and how often a job waits for it.'),
    dl1_complete: z
      .object({
        night_flag: Template.optional().describe('The night is complete when this file exists (lstosa\'s closer: {base}/OSA/Closer/{night}/{prod_id}/NightFinished.txt).'),
        stable_for_s: z
          .number()
          .min(0)
          .max(86_400)
          .default(0)
          .describe('A DL1 file is complete when its size and mtime stay unchanged across checks at least this many seconds apart (0: off).'),
      })
      .strict()
      .prefault({})
      .describe('When a run\'s DL1 counts as complete (a file exists as soon as lstosa starts writing it): either rule suffices; with neither, existing is enough.'),
    stages: z.array(StageSchema).default([]).describe('The stages run in order for the runs that need them (DL1→DL2→DL3→index in the LST profile).'),
    version_probe: z
      .object({
        tool: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,39}$/, 'a tool name such as lstchain').describe('The tool\'s name in the provenance and the summary line (lstchain).'),
        command: z
          .array(z.string().min(1).max(1000))
          .min(1)
          .describe('argv (no shell) printing the version alone, e.g. [python, -c, "import lstchain; print(lstchain.__version__)"]. Anything else is recorded as "version unknown".'),
      })
      .strict()
      .optional()
      .describe(
        'Provenance: how the compute node\'s environment reports the tool version. Runs once per stage submission, after the setup lines, where the tasks run; ' +
          'each attempt\'s report goes into results.json (provenance.tool). Without it, results say the version was not recorded.',
      ),
  })
  .strict()
  .prefault({})
  .describe('What runs on the data: the backend, the environment, the stages, waiting for complete inputs, retries and outages.');
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
