import { resolve } from 'node:path';
import { z } from 'zod';
import { checkConfigFile, DEFAULT_CONFIG_FILE, loadConfigFile, type ConfigRoot, type LoadedFile } from '../config/loadConfigFile.js';
import type { RenamedKey } from '../config/renamedKeys.js';
import { LogConfigSchema } from '../log.js';
import { StoreConfigSchema } from '../store/config.js';
import { AnalysisConfigSchema } from '../analysis/config.js';
import {
  DataConfigSchema,
  DecLinesConfigSchema,
  OfficialPathsConfigSchema,
  PathsConfigSchema,
  PIPELINE_RENAMED_KEYS,
  PipelineConfigSchema,
  VarsConfigSchema,
} from '../pipeline/config.js';
import { checkPipelineConfig } from '../pipeline/checkPipelineConfig.js';
import { BotConfigSchema } from '../orchestrator/config.js';
// The sections validated by their owners' schemas (adapters, backends, watch, auth) register themselves here.
import './configSections.js';

/**
 * The config file's schema, put together by the bot assembly from each area's section (`<area>/config.ts`). The
 * sections registered in configSections.ts are `unknown` here and validated by their owners' schemas.
 */
export const ConfigSchema = z
  .object({
    bot: BotConfigSchema,
    store: StoreConfigSchema,
    log: LogConfigSchema,
    /** Source list file (relative to this config file). */
    sources: z.string().default('./sources.yaml'),
    data: DataConfigSchema,
    paths: PathsConfigSchema,
    official_paths: OfficialPathsConfigSchema,
    dec_lines: DecLinesConfigSchema.optional(),
    vars: VarsConfigSchema,
    pipeline: PipelineConfigSchema,
    analysis: AnalysisConfigSchema,
    backends: z
      .object({
        /** Validated by the local backend's schema (src/pipeline/local/config.ts), registered by the bot. */
        local: z.unknown().optional(),
        /** Validated by the Slurm backend's schema (src/pipeline/slurm/config.ts), registered by the bot. */
        slurm: z.unknown().optional(),
      })
      .strict()
      .prefault({}),
    adapters: z
      .object({
        /** Validated by each adapter's schema (adapters/<name>/config.ts), registered by the bot. */
        console: z.unknown().optional(),
        slack: z.unknown().optional(),
        mattermost: z.unknown().optional(),
        email: z.unknown().optional(),
      })
      .strict()
      .prefault({}),
    /** Standing orders (issue #10): validated by src/watch/config.ts, registered in src/bot/configSections.ts. */
    watch: z.unknown().optional(),
    /** Identity pattern → role. Unknown identities are refused. */
    auth: z
      // Validated by the access list's schema (src/dispatch/Authorizer.ts), registered by the bot.
      .object({ users: z.unknown().default({}) })
      .strict()
      .prefault({}),
  })
  .strict();

export type AstranConfig = z.infer<typeof ConfigSchema>;
export type LoadedConfig = LoadedFile<AstranConfig>;

/** Keys renamed when the config moved to one convention (snake_case, seconds, Slurm's words): check-config suggests the new name. */
export const RENAMED_KEYS: readonly RenamedKey[] = PIPELINE_RENAMED_KEYS.map((r) => ({ ...r, from: `pipeline.${r.from}` }));

/** Folders written outside the pipeline's sections, for the read-only-roots check. */
function configuredWrites(config: AstranConfig): { key: string; path: string | undefined }[] {
  const writes = [
    { key: 'bot.results_dir', path: resolve(config.bot.results_dir) },
    { key: 'store.path', path: resolve(config.store.path) },
  ];
  const local = config.backends.local as { workdir?: unknown } | undefined;
  writes.push({ key: 'backends.local.workdir', path: resolve(typeof local?.workdir === 'string' ? local.workdir : './.astran/work') });
  const slurm = config.backends.slurm as { remoteWorkdir?: unknown; remote_workdir?: unknown } | undefined;
  for (const key of ['remote_workdir', 'remoteWorkdir'] as const) {
    const v = slurm?.[key];
    if (typeof v === 'string') writes.push({ key: `backends.slurm.${key}`, path: v });
  }
  return writes;
}

const ROOT: ConfigRoot<AstranConfig> = {
  schema: ConfigSchema,
  renamed: RENAMED_KEYS,
  check(config, base) {
    const issues: string[] = [];
    if (config.pipeline.backend === 'slurm' && config.backends.slurm === undefined) issues.push('backends.slurm: required when pipeline.backend is slurm');
    issues.push(...checkPipelineConfig(config, base, configuredWrites(config)));
    return issues;
  },
};

export { DEFAULT_CONFIG_FILE };

/** Read and check a config file (every section, registered ones included); all problems at once in one ConfigError. */
export function loadConfig(file: string = DEFAULT_CONFIG_FILE): LoadedConfig {
  return loadConfigFile(file, ROOT);
}

/** Every problem of a config file, each as "file: path: message". Empty when the file is fine. */
export function checkConfig(file: string): string[] {
  return checkConfigFile(file, ROOT);
}
