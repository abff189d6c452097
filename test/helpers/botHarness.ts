/**
 * Shared set-up for full-bot tests: the embedded default config (local backend + the bundled H.E.S.S. sample)
 * with temp work/results folders, one configured adapter section and an explicit auth map, built by the real
 * createBot. The adapter is created by the bot's own factory from the config section, as in production.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadedConfig } from '../../src/bot/config.js';
import { createBot, type Bot, type BotOptions } from '../../src/bot/createBot.js';
import type { Adapter } from '../../src/core/types.js';
import { MemoryJobStore } from '../../src/store/MemoryJobStore.js';
import type { JobRecord } from '../../src/core/JobStore.js';
import { isFinal } from '../../src/core/JobStore.js';
import { silentLogger, type Logger } from '../../src/log.js';

export interface BotHarness {
  bot: Bot;
  store: MemoryJobStore;
  loaded: LoadedConfig;
  /** Temp folder holding work/ and out/ (removed by close). */
  dir: string;
  resultsDir: string;
  /** Wait for a job to reach done/failed/cancelled. */
  waitFinal(jobId: string, timeoutMs?: number): Promise<JobRecord>;
  close(): Promise<void>;
}

export interface BotHarnessOptions {
  /** The `adapters:` section (console is left out). */
  adapters: Record<string, unknown>;
  /** Identity pattern → role. */
  users: Record<string, 'viewer' | 'launcher' | 'admin'>;
  /** Environment the adapters read their secrets from. */
  env: NodeJS.ProcessEnv;
  log?: Logger;
  prefix?: string;
  /** The job store (default: a new memory store); an extra adapter built on it shares its key/value space. */
  store?: MemoryJobStore;
  /** Overrides of the `bot:` section (e.g. delivery timings). */
  bot?: Record<string, unknown>;
  /** More adapters built by the test (e.g. one wired to a second fake platform). */
  extraAdapters?: Adapter[];
  identitiesOf?: BotOptions['identitiesOf'];
  /** The `people:` section (persons with identities on several adapters). */
  people?: Record<string, unknown>;
}

export async function startBotHarness(o: BotHarnessOptions): Promise<BotHarness> {
  const dir = mkdtempSync(join(tmpdir(), o.prefix ?? 'astran-bot-'));
  const loaded = loadConfig();
  loaded.config.auth.users = o.users as typeof loaded.config.auth.users;
  if (o.people) (loaded.config as Record<string, unknown>).people = o.people;
  loaded.config.adapters = o.adapters as typeof loaded.config.adapters;
  loaded.config.backends.local = { ...(loaded.config.backends.local as object), workdir: join(dir, 'work') };
  if (o.bot) loaded.config.bot = { ...loaded.config.bot, ...o.bot } as typeof loaded.config.bot;
  const store = o.store ?? new MemoryJobStore();
  const resultsDir = join(dir, 'out');
  const bot = await createBot({ loaded, env: o.env, log: o.log ?? silentLogger, store, resultsDir, extraAdapters: o.extraAdapters, identitiesOf: o.identitiesOf });
  try {
    await bot.start({ resume: false });
  } catch (err) {
    await bot.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    bot,
    store,
    loaded,
    dir,
    resultsDir,
    async waitFinal(jobId, timeoutMs = 90_000) {
      const job = store.getJob(jobId);
      if (job && isFinal(job.state)) return job;
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          bot.orchestrator.waitFor(jobId),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`job ${jobId} not final within ${timeoutMs} ms (state ${store.getJob(jobId)?.state})`)), timeoutMs))),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await bot.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Poll `cond` until true; the error names what was awaited. */
export async function waitUntil(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, everyMs = 20): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** PNG signature check. */
export function isPng(b: Buffer): boolean {
  return b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
}
