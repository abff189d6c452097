import { resolve } from 'node:path';
import type { CliIO } from './cliIO.js';
import { takeFlag, configFile } from './cliIO.js';
import { loadConfig } from '../bot/config.js';
import { createLogger } from '../log.js';
import { createBot } from '../bot/createBot.js';
import { consoleConfig, createConsoleAdapter } from '../../adapters/console/index.js';
import { createConfiguredAdapters } from '../bot/adapterFactories.js';
import { SqliteJobStore } from '../store/SqliteJobStore.js';
import { SqliteWatchStore } from '../store/SqliteWatchStore.js';
import { ConfigError } from '../core/errors.js';
import { isValidNight } from '../util/nights.js';
import { isFinal } from '../core/JobStore.js';
import { WATCH_ADAPTER } from '../watch/WatchThreadOpener.js';
import { sampleAttribution } from './sampleAttribution.js';

/**
 * `astran watch --once [--night YYYYMMDD] [--digest]`: one watcher pass for sites that prefer cron, with the same
 * store and rules as `serve`. Launches what is ready, waits for the watcher's jobs to end, posts results, alerts and
 * (when due, or with --digest) the digest, prints what it did and exits 0, also when there was nothing to do.
 */
export async function watchCommand(args: string[], io: CliIO): Promise<number> {
  const a = [...args];
  const file = configFile(a, io);
  const db = takeFlag(a, '--db');
  const out = takeFlag(a, '--out');
  const night = takeFlag(a, '--night');
  const once = a.includes('--once');
  const digest = a.includes('--digest');
  const rest = a.filter((x) => x !== '--once' && x !== '--digest');
  if (!once) throw new ConfigError('watch runs one pass and needs --once (`astran serve` runs the watcher continuously)');
  if (rest.length) throw new ConfigError(`watch: unknown argument ${rest[0]} (usage: astran watch --once [--night YYYYMMDD] [--digest])`);
  if (night !== undefined && !isValidNight(night)) throw new ConfigError(`watch: --night must be a night as YYYYMMDD (got ${night})`);
  const loaded = loadConfig(file);
  if (db) loaded.config.store.path = resolve(io.cwd, db);
  const log = createLogger({ level: io.env.ASTRAN_LOG_LEVEL ?? loaded.config.log.level, destination: io.stderr });
  const path = resolve(io.cwd, loaded.config.store.path);
  const store = new SqliteJobStore({ path, prefix: loaded.config.bot.job_id_prefix, log });
  const watchStore = new SqliteWatchStore({ path });
  const resultsDir = resolve(io.cwd, out ?? loaded.config.bot.results_dir);
  try {
    const configured = (await createConfiguredAdapters(loaded, io.env, log, store)).filter((x) => x.name !== 'console');
    const consoleRaw = loaded.config.adapters.console;
    const console = consoleConfig(consoleRaw).enabled ? [createConsoleAdapter({ config: consoleRaw, output: io.stdout, showProgress: false })] : [];
    const bot = await createBot({ loaded, env: io.env, log, store, watchStore, adapters: [...configured, ...console], resultsDir, attribution: sampleAttribution(loaded) });
    await bot.start(); // resumes unfinished jobs, the watcher's included
    try {
      const first = await bot.watcher.pass({ night, digest: 'skip' });
      // Wait for every watcher job still running (this pass's and any an earlier run left), then post results.
      const mine = () => store.listJobs({ active: true, requesterUserId: WATCH_ADAPTER });
      for (const j of mine()) await bot.orchestrator.waitFor(j.id);
      const second = await bot.watcher.pass({ night: first.night ?? undefined, digest: digest ? 'force' : 'auto' });
      const lines = [...first.lines, ...second.lines.filter((l) => !first.lines.includes(l))];
      const failed = first.launched.map((id) => store.getJob(id)!).filter((j) => j && isFinal(j.state) && j.state !== 'done');
      io.stdout.write(`watch: night ${first.night ?? '(none yet)'}\n${lines.map((l) => `  - ${l}`).join('\n') || '  - nothing to do'}\n`);
      if (failed.length) io.stdout.write(`watch: ${failed.length} job(s) did not finish well: ${failed.map((j) => `${j.id} ${j.state}`).join(', ')}\n`);
      return 0;
    } finally {
      await bot.stop();
    }
  } finally {
    store.close();
    watchStore.close();
  }
}
