import { resolve } from 'node:path';
import type { CliIO } from './cliIO.js';
import { takeFlag, configFile } from './cliIO.js';
import { loadConfig } from '../bot/config.js';
import { createLogger } from '../log.js';
import { createConsoleAdapter } from '../../adapters/console/index.js';
import type { JobRecord } from '../core/JobStore.js';
import { ConfigError } from '../core/errors.js';
import { createPeopleDirectory } from '../people/PeopleDirectory.js';
import { createAuthorizer } from '../dispatch/Authorizer.js';
import { commandSpecs } from '../../commands/index.js';
import { createPreflight } from './preflight.js';
import { sampleAttribution } from './sampleAttribution.js';

/**
 * `astran run "<command>" [--out DIR]`: one command through the real dispatcher and orchestrator, as the console
 * user. Prints the job's thread on stdout, writes images to DIR/<job id>/, exits 0 done, 1 failed or cancelled,
 * 2 rejected (the helpful error is on stdout).
 */
export async function runCommand(args: string[], io: CliIO): Promise<number> {
  const a = [...args];
  const file = configFile(a, io);
  const out = takeFlag(a, '--out');
  const db = takeFlag(a, '--db');
  if (a.length !== 1) throw new ConfigError(`run takes exactly one command in quotes, e.g. astran run "launch source=Crab date=20041204" (got ${a.length} arguments)`);
  const loaded = loadConfig(file);
  if (db) loaded.config.store.path = resolve(io.cwd, db);
  const log = createLogger({ level: io.env.ASTRAN_LOG_LEVEL ?? loaded.config.log.level, destination: io.stderr });
  const console = createConsoleAdapter({ config: loaded.config.adapters.console, output: io.stdout });
  // A reply that needs no job (a typo, a refusal) is given before the bot, its store and its SDKs are loaded.
  const preflight = createPreflight({ authorizer: createAuthorizer(loaded.config.auth.users, createPeopleDirectory(loaded.config.people)), specs: commandSpecs, log });
  await console.start(preflight.handle);
  const early = await console.inject(a[0]);
  if (!preflight.passed) return early?.rejected ? 2 : 0;
  const { createBot } = await import('../bot/createBot.js');
  const bot = await createBot({
    loaded,
    env: io.env,
    log,
    adapters: [console],
    resultsDir: out ? resolve(io.cwd, out) : resolve(io.cwd, loaded.config.bot.results_dir),
    attribution: sampleAttribution(loaded),
  });
  let launched: JobRecord | undefined;
  bot.orchestrator.on('launched', (job: JobRecord) => (launched = job));
  await bot.start({ resume: false });
  try {
    const reply = await console.inject(a[0]);
    if (!launched) return reply?.rejected ? 2 : 0;
    const final = await bot.orchestrator.waitFor(launched.id);
    const dir = resolve(out ? resolve(io.cwd, out) : resolve(io.cwd, loaded.config.bot.results_dir), final.id);
    if (final.state === 'done') io.stdout.write(`Results in ${dir}\n`);
    return final.state === 'done' ? 0 : 1;
  } finally {
    await bot.stop();
  }
}

