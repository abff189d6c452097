// Stand-alone entry for `analyse` (benchmarks; the real CLI routes `astran analyse` here through src/cli/main.ts).
import { analyseCommand } from '../src/cli/analyse.js';

process.exitCode = await analyseCommand(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
