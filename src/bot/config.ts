import { resolve } from 'node:path';
import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { checkConfigFile, DEFAULT_CONFIG_FILE, loadConfigFile, type ConfigRoot, type LoadedFile } from '../config/loadConfigFile.js';
import { formatKeyDocs, keyDocs, keysIn, type KeyDoc } from '../config/explainKeys.js';
import { sectionSchemas } from '../config/sections.js';
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
import { accessListIssues } from './accessListIssues.js';
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
    sources: z.string().default('./sources.yaml').describe('The source list file (names, aliases, coordinates), relative to this config file.'),
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
        local: z.unknown().optional().describe('The local backend: stages as processes on the bot host; its workdir also holds the local copies of DL3 files and indexes.'),
        /** Validated by the Slurm backend's schema (src/pipeline/slurm/config.ts), registered by the bot. */
        slurm: z.unknown().optional().describe('Slurm over SSH: the login node, the account ASTRAN submits as, the job folders on the cluster (docs/slurm.md).'),
      })
      .strict()
      .prefault({})
      .describe('The cluster backends\' settings (pipeline.backend picks one).'),
    adapters: z
      .object({
        /** Validated by each adapter's schema (adapters/<name>/config.ts), registered by the bot. */
        console: z.unknown().optional().describe('The terminal as a chat, for trying ASTRAN locally (adapters/console).'),
        slack: z.unknown().optional().describe('Slack, by Socket Mode or HTTP; tokens from the environment variables named here (docs/slack.md).'),
        mattermost: z.unknown().optional().describe('Mattermost over its WebSocket and REST API, optionally a slash command; the tokens from the environment variables named here (docs/mattermost.md).'),
        email: z.unknown().optional().describe('E-mail: commands read over IMAP, replies sent over SMTP; passwords from the environment variables named here (docs/email.md).'),
      })
      .strict()
      .prefault({})
      .describe('The chat platforms ASTRAN listens on (secrets come from the environment, never from this file).'),
    /** Standing orders (issue #10): validated by src/watch/config.ts, registered in src/bot/configSections.ts. */
    watch: z.unknown().optional().describe('Standing orders: the watcher that launches jobs for subscribed sources as nights complete (docs/watch.md).'),
    /**
     * People (validated by src/people/config.ts, registered by the bot): each with identities on any adapter, one role,
     * and optionally their own Slurm account, partition and QoS. Jobs belong to people, not to one chat identity.
     */
    people: z
      .unknown()
      .optional()
      .describe('People: each with identities on any adapter (slack:U…, mattermost:…, an e-mail address), one role, and optionally their own Slurm account, partition and QoS.'),
    /** Identity pattern → role. Unknown identities are refused. */
    auth: z
      // Validated by the access list's schema (src/dispatch/config.ts), registered by the bot.
      .object({ users: z.unknown().default({}).describe('Identity pattern (adapter:userId, email:*@domain, adapter:*) → role (viewer, launcher, admin). Unknown identities are refused.') })
      .strict()
      .prefault({})
      .describe('Who may do what.'),
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
    issues.push(...accessListIssues(config.auth.users, config.people));
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

/**
 * Every key of the config file, each with its type, default and description (`.describe()` in its owner's schema),
 * the registered sections' keys under their place in the file.
 */
export function configKeyDocs(): KeyDoc[] {
  const docs = keyDocs(ConfigSchema);
  for (const [section, schema] of sectionSchemas()) {
    const at = docs.findIndex((d) => d.key === section);
    let own: KeyDoc[];
    try {
      own = keyDocs(schema, section);
    } catch {
      own = []; // a schema JSON Schema cannot describe: the section is listed without its keys
    }
    if (at < 0) {
      docs.push(...own);
      continue;
    }
    docs[at] = { ...docs[at]!, type: own.length ? 'section' : docs[at]!.type };
    // After the section's entry and anything already under it.
    let end = at + 1;
    while (end < docs.length && docs[end]!.key.startsWith(`${section}.`)) end++;
    docs.splice(end, 0, ...own.filter((d) => !docs.some((x) => x.key === d.key)));
  }
  return docs;
}

/** check-config --explain: the keys explained, those set in `file` marked (values are never printed). */
export function explainConfig(file: string): string {
  let raw: unknown = {};
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch {
    raw = {}; // check-config has reported it already
  }
  return formatKeyDocs(configKeyDocs(), keysIn(raw));
}
