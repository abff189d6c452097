/**
 * The dl2_to_dl3 tasks of one LST night exactly as config/lst.yaml plans them (paths rooted at a test folder, the
 * lstchain program replaced by its stand-in), to show that parallel tasks do not share lstchain's final IRF file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/bot/config.js';
import { planStages } from '../../src/pipeline/PipelinePlan.js';
import type { StageTask } from '../../src/pipeline/ClusterBackend.js';

const LST_PROFILE = fileURLToPath(new URL('../../config/lst.yaml', import.meta.url));
/** H.E.S.S. Crab runs: the DL3 stand-in copies their real files. */
export const FINAL_IRF_RUNS = [23523, 23526, 23559];

export interface Dl3Scenario {
  tasks: StageTask[];
  mkdirs: string[];
  /** The DL3 folder all tasks of the night write into. */
  dl3Dir: string;
}

/**
 * `withoutFix`: the same command minus `--final-irf-file …` and writing in place (what the profile did before), for
 * the negative test.
 * `prefix`: argv replacing the program name, e.g. [node, …/standin_lstchain_create_dl3_file.mjs].
 */
export function profileDl3Tasks(base: string, prefix: string[], withoutFix = false): Dl3Scenario {
  const { config } = loadConfig(LST_PROFILE);
  // The profile's own workspace is a site path: root the night in the test folder (data tree and workspace alike).
  const cfg = { ...config, data: { ...config.data, workspace: join(base, 'workspace') }, vars: { ...config.vars, irf_root: join(base, 'irf'), models_root: join(base, 'models') } };
  const plans = planStages(cfg, base, { source: 'Crab Nebula', ra: 83.63308, dec: 22.0145, runs: FINAL_IRF_RUNS.map((runId) => ({ runId, night: '20231206', decLine: 'dec_2276' })) });
  const plan = plans.find((p) => p.stage.name === 'dl2_to_dl3')!;
  const tasks = plan.tasks.map((t) => {
    let argv = [...prefix, ...t.argv.slice(1)];
    if (withoutFix) {
      const i = argv.indexOf('--final-irf-file');
      if (i < 0) throw new Error('the profile no longer passes --final-irf-file');
      argv = [...argv.slice(0, i), ...argv.slice(i + 2)];
      // Before, the tasks also wrote straight into the shared DL3 folder (no {out_dir} staging folder per task).
      argv = argv.map((a) => (a === t.staging ? dirname(t.outputs[0]) : a));
      return { index: t.index, runId: t.runId, argv, inputs: t.inputs, outputs: t.outputs };
    }
    return { index: t.index, runId: t.runId, argv, inputs: t.inputs, outputs: t.outputs, ...(t.staging ? { staging: t.staging } : {}) };
  });
  return { tasks, mkdirs: [...new Set(plan.tasks.flatMap((t) => t.mkdirs))], dl3Dir: dirname(tasks[0].outputs[0]) };
}

/** DL2 inputs (the stand-in's JSON markers) and the IRF folder the tasks read. */
export function layDl3Inputs(base: string, s: Dl3Scenario): void {
  for (const t of s.tasks) {
    mkdirSync(dirname(t.inputs[0]), { recursive: true });
    writeFileSync(t.inputs[0], JSON.stringify({ run_id: t.runId, standin: 'dl2' }));
  }
  mkdirSync(join(base, 'irf', 'dec_2276'), { recursive: true });
  writeFileSync(join(base, 'irf', 'dec_2276', 'irf_allsky_node_dec_2276.fits.gz'), 'stand-in IRF node');
  for (const d of s.mkdirs) mkdirSync(d, { recursive: true });
}
