import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { repoRoot } from '../util/repoRoot.js';
import { configFile, type CliIO } from './cliIO.js';

export type { CliIO } from './cliIO.js';

const USAGE = `ASTRAN — next-day analysis of LST-1 data from chat

Usage:
  astran run "<command>" [--out DIR] [--config FILE]   run one command to completion (exit 0 done, 1 failed, 2 rejected)
  astran serve [--config FILE]                         run the bot: configured adapters, plus commands typed on stdin
  astran watch --once [--night YYYYMMDD] [--digest]    one pass of the standing-order watcher (for cron), then exit
  astran analyse <DL3 dir or files...> [options]       the high-level analysis alone (astran analyse --help)
  astran check-config [FILE] [--explain]               report every problem of a config file; --explain describes every key
  astran help | --version

The config file is --config, else $ASTRAN_CONFIG, else config/default.yaml (the embedded default: console,
local backend, bundled H.E.S.S. sample). Try: astran run "launch source=Crab date=20041204"`;

export async function main(argv: string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() }): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      // Subcommands load lazily: `analyse` should not pay for chat SDKs, YAML or zod, nor `run` for the Slurm client.
      // Keep the static imports of this file to node built-ins and tiny modules.
      case 'run':
        return await (await import('./runCommand.js')).runCommand(rest, io);
      case 'serve':
        return await (await import('./serveCommand.js')).serveCommand(rest, io);
      case 'watch':
        return await (await import('./watchCommand.js')).watchCommand(rest, io);
      case 'analyse':
      case 'analyze': {
        const { analyseCommand } = await import('./analyse.js');
        const renderPlots = async (r: Parameters<typeof import('../plots/renderAll.js').renderAll>[0], dir: string) => (await import('../plots/renderAll.js')).renderAll(r, dir);
        return await analyseCommand(rest, { stdout: io.stdout, stderr: io.stderr, env: io.env, cwd: io.cwd }, { renderPlots });
      }
      case 'check-config': {
        const { checkConfig, explainConfig } = await import('../bot/config.js');
        const explain = rest.includes('--explain');
        const args = rest.filter((a) => a !== '--explain');
        const file = args[0] && !args[0].startsWith('--') ? resolve(io.cwd, args[0]) : configFile(args, io);
        const problems = checkConfig(file);
        if (problems.length === 0) io.stdout.write(`${file}: OK\n`);
        else io.stdout.write(`${file}: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
        // Every key explained from the schemas' descriptions (with or without problems: the explanation helps fix them).
        if (explain) io.stdout.write(`\nEvery setting (from the schemas; * = set in this file):\n${explainConfig(file)}\n`);
        return problems.length === 0 ? 0 : 1;
      }
      case '--version':
      case 'version': {
        const pkg = JSON.parse(readFileSync(resolve(repoRoot(), 'package.json'), 'utf8')) as { version: string };
        io.stdout.write(`astran ${pkg.version}\n`);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE + '\n');
        return cmd === undefined ? 2 : 0;
      default:
        io.stderr.write(`astran: unknown command "${cmd}"\n\n${USAGE}\n`);
        return 2;
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr.write(`astran: ${e.message}\n${e.issues.map((i) => `  - ${i}\n`).join('')}`);
      return 2;
    }
    throw e;
  }
}

