import type { CliIO } from './cliIO.js';
import { configFile } from './cliIO.js';
import { loadConfig } from '../bot/config.js';
import { createLogger } from '../log.js';
import { createBot } from '../bot/createBot.js';
import { consoleConfig, createConsoleAdapter } from '../../adapters/console/index.js';
import { createConfiguredAdapters } from '../bot/adapterFactories.js';
import { sampleAttribution } from './sampleAttribution.js';
import { SqliteJobStore } from '../store/SqliteJobStore.js';
import { SqliteWatchStore } from '../store/SqliteWatchStore.js';
import { WATCH_ADAPTER } from '../watch/WatchThreadOpener.js';
import { resolve } from 'node:path';

/**
 * `astran serve`: every configured adapter, plus the console on stdin when enabled. Resumes unfinished jobs.
 * Stops on SIGINT/SIGTERM; when stdin ends and the console is the only adapter, it waits for running jobs and exits.
 */
export async function serveCommand(args: string[], io: CliIO): Promise<number> {
  const a = [...args];
  const file = configFile(a, io);
  const loaded = loadConfig(file);
  const log = createLogger({ level: io.env.ASTRAN_LOG_LEVEL ?? loaded.config.log.level, destination: io.stderr });
  const store = new SqliteJobStore({ path: resolve(io.cwd, loaded.config.store.path), prefix: loaded.config.bot.job_id_prefix, log });
  const configured = (await createConfiguredAdapters(loaded, io.env, log, store)).filter((x) => x.name !== 'console');
  const consoleRaw = loaded.config.adapters.console;
  const console = consoleConfig(consoleRaw).enabled ? createConsoleAdapter({ config: consoleRaw, input: io.stdin, output: io.stdout, kv: store.keyValues() }) : undefined;
  const watchStore = new SqliteWatchStore({ path: resolve(io.cwd, loaded.config.store.path) });
  const bot = await createBot({ loaded, env: io.env, log, store, watchStore, adapters: [...configured, ...(console ? [console] : [])], attribution: sampleAttribution(loaded) });
  await bot.start();
  if (bot.watcher.cfg.enabled) bot.watcher.start();
  const names = [...bot.adapters.keys()].filter((n) => n !== WATCH_ADAPTER);
  log.info({ adapters: names, watch: bot.watcher.cfg.enabled }, 'ASTRAN is listening');
  io.stdout.write(`ASTRAN is listening (${names.join(', ')}). Type \`help\`.\n`);
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (console && configured.length === 0)
      io.stdin.once('end', async () => {
        await console.drain();
        while (bot.store.listJobs({ active: true }).length) await new Promise((r) => setTimeout(r, 200));
        done();
      });
  });
  await bot.stop();
  store.close();
  watchStore.close();
  return 0;
}
