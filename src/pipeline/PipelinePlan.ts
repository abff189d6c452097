import type { PipelineSections, StageConfig } from './config.js';
import { posix } from 'node:path';
import { OUT_DIR, renderTemplate, templateContext, templateNames } from '../config/template.js';
import type { StageSubmission, StageTask } from './ClusterBackend.js';
import type { SlurmCharge } from '../core/JobStore.js';

export interface PlanRun {
  runId: number;
  night: string;
  /** Named paths found at their official location for this run (official_paths): used read-only, never produced. */
  paths?: Record<string, string>;
  /** The run's Monte Carlo declination line, `{dec_line}` in templates. */
  decLine?: string;
}

export interface PlanSubject {
  source: string;
  ra: number;
  dec: number;
  runs: PlanRun[];
}

/** One stage's tasks for a job, before existence checks. */
export interface StagePlan {
  stage: StageConfig;
  tasks: PlannedTask[];
}

/**
 * `{out_dir}` in a stage's command: the task's STAGING folder. The tool writes there; the job script (or the local
 * backend) renames the declared outputs into place only when the task succeeded, so a partial file never carries a
 * final name. The folder is `<folder of the first output>/.astran-tmp-<job>-<stage>-<runs>` (same file system, so the
 * rename is atomic). Files the tool writes next to its output (e.g. final_irf.fits.gz) are moved along, before the
 * declared outputs. Stages whose tool must write in place (the DL3 index: it records paths relative to its folder)
 * keep their output folder; their partial outputs are moved aside on failure instead.
 */
export { OUT_DIR };

export interface PlanOptions {
  /** Unique per job on the cluster (clusterJobKey): names the staging folders. */
  stagingTag?: string;
}

export interface PlannedTask extends StageTask {
  /** Runs this task covers: one for per-run stages, all runs of the night for per-night stages. */
  runIds: number[];
  night: string;
  mkdirs: string[];
  /** Every output is an official product that exists already: the task never runs, not even with force. */
  official?: boolean;
}

/** Render every stage's tasks for the job's runs. Pure: no I/O. */
export function planStages(config: PipelineSections, base: string, subject: PlanSubject, opts: PlanOptions = {}): StagePlan[] {
  const ctxOf = (run: PlanRun) => templateContext(config, base, { night: run.night, run: run.runId, source: subject.source, ra: subject.ra, dec: subject.dec, paths: run.paths, decLine: run.decLine });
  return config.pipeline.stages.map((stage) => {
    const groups: { runs: PlanRun[]; night: string }[] =
      stage.per === 'run'
        ? subject.runs.map((r) => ({ runs: [r], night: r.night }))
        : [...new Set(subject.runs.map((r) => r.night))].sort().map((night) => ({ night, runs: subject.runs.filter((r) => r.night === night) }));
    const tasks = groups.map((g, index): PlannedTask => {
      const ctx = ctxOf(g.runs[0]);
      const where = `pipeline stage ${stage.name}`;
      const outputs = stage.outputs.map((t) => renderTemplate(t, ctx, where));
      const staged = stage.command.some((t) => templateNames(t).includes(OUT_DIR));
      const tag = `${opts.stagingTag ?? 'astran'}-${stage.name}-${g.runs.map((r) => r.runId).join('+')}`;
      const staging = staged ? posix.join(posix.dirname(outputs[0]), `.astran-tmp-${tag.slice(0, 120)}`) : undefined;
      const cmdCtx = staging ? { ...ctx, [OUT_DIR]: staging } : ctx;
      const official = new Set(Object.values(g.runs[0].paths ?? {}));
      return {
        official: outputs.length > 0 && outputs.every((o) => official.has(o)),
        index,
        runId: g.runs[0].runId,
        runIds: g.runs.map((r) => r.runId),
        night: g.night,
        argv: stage.command.map((t) => renderTemplate(t, cmdCtx, where)),
        inputs: stage.inputs.map((t) => renderTemplate(t, ctx, where)),
        outputs,
        mkdirs: stage.mkdirs.map((t) => renderTemplate(t, ctx, where)),
        ...(staging ? { staging } : {}),
      };
    });
    return { stage, tasks };
  });
}

/** The DL3 file of each run (analysis input). */
export function dl3Paths(config: PipelineSections, base: string, subject: PlanSubject): string[] {
  return subject.runs.map((r) =>
    templateContext(config, base, { night: r.night, run: r.runId, source: subject.source, ra: subject.ra, dec: subject.dec, paths: r.paths, decLine: r.decLine }).dl3 as string,
  );
}

export interface NeededWork {
  /** Per stage (same order as plans), the tasks that must run. */
  needed: PlannedTask[][];
  /** Runs whose first needed stage lacks inputs (DL1 not there yet). */
  missingInputs: number[];
  /** Inputs of each run's first needed stage (what must be complete before the run starts), with its night. */
  inputsOf: Map<number, { night: string; inputs: string[] }>;
}

/**
 * Decide which tasks must run, working backwards: a run needs a per-run stage when that stage's outputs are missing
 * (or `force`) and a later stage needs them, or when it is the last per-run stage. A per-night stage runs when any of its
 * runs had work, when its outputs are missing, or with `force`. So when DL3 already exists, only the analysis runs.
 */
export function neededWork(plans: StagePlan[], exists: (path: string) => boolean, force: boolean): NeededWork {
  const needed: PlannedTask[][] = plans.map(() => []);
  const runNeedsLater = new Map<number, boolean>();
  const perRunIdx = plans.map((p, i) => (p.stage.per === 'run' ? i : -1)).filter((i) => i >= 0);
  const lastPerRun = perRunIdx.length ? perRunIdx[perRunIdx.length - 1] : -1;
  const firstNeededStage = new Map<number, number>();
  for (let i = plans.length - 1; i >= 0; i--) {
    const p = plans[i];
    if (p.stage.per !== 'run') continue;
    for (const t of p.tasks) {
      if (t.official) {
        // An official product (read-only, present): it is used as is; nothing before it is needed for this run.
        runNeedsLater.set(t.runId, false);
        continue;
      }
      const outputsMissing = t.outputs.some((o) => !exists(o));
      const want = force || !p.stage.skip_if_outputs_exist ? true : outputsMissing;
      const laterWants = i === lastPerRun ? true : runNeedsLater.get(t.runId) === true;
      const doIt = laterWants && want;
      if (doIt) {
        needed[i].push(t);
        firstNeededStage.set(t.runId, i);
      }
      // Earlier stages matter only if this one runs.
      runNeedsLater.set(t.runId, doIt);
    }
  }
  for (let i = 0; i < plans.length; i++) {
    const p = plans[i];
    if (p.stage.per !== 'night') continue;
    for (const t of p.tasks) {
      if (t.official) continue;
      const anyRunWork = t.runIds.some((r) => firstNeededStage.has(r));
      const outputsMissing = t.outputs.some((o) => !exists(o));
      if (force || anyRunWork || outputsMissing || !p.stage.skip_if_outputs_exist) needed[i].push(t);
    }
  }
  const missingInputs: number[] = [];
  const inputsOf = new Map<number, { night: string; inputs: string[] }>();
  for (const [runId, si] of firstNeededStage) {
    const t = plans[si].tasks.find((x) => x.runId === runId)!;
    inputsOf.set(runId, { night: t.night, inputs: t.inputs });
    if (t.inputs.some((f) => !exists(f))) missingInputs.push(runId);
  }
  return { needed, missingInputs: missingInputs.sort((a, b) => a - b), inputsOf };
}

/** Every path whose existence the plan depends on (one batched exists() call). */
export function pathsToCheck(plans: StagePlan[]): string[] {
  const s = new Set<string>();
  for (const p of plans) for (const t of p.tasks) for (const f of [...t.inputs, ...t.outputs]) s.add(f);
  return [...s];
}

/** Who a submission is for: the requester named in the Slurm comment and what the work is charged to. */
export interface SubmissionOwner {
  requester?: string;
  charge?: SlurmCharge | null;
}

/** The backend submission of one attempt of a stage (the orchestrator's only way to build one). */
export function stageSubmission(jobKey: string, stage: StageConfig, tasks: PlannedTask[], attempt: number, setup: string[], probe?: string[], owner: SubmissionOwner = {}): StageSubmission {
  const c = owner.charge ?? {};
  return {
    ...(probe?.length ? { probe } : {}),
    jobId: jobKey,
    stage: stage.name,
    attempt,
    tasks: tasks.map((t) => ({ index: t.index, runId: t.runId, argv: t.argv, inputs: t.inputs, outputs: t.outputs, ...(t.staging ? { staging: t.staging } : {}) })),
    setup,
    maxParallel: stage.max_parallel,
    mkdirs: [...new Set(tasks.flatMap((t) => t.mkdirs))],
    time: stage.time,
    mem: stage.memory,
    ...(c.account ? { account: c.account } : {}),
    ...(c.partition ? { partition: c.partition } : {}),
    ...(c.qos ? { qos: c.qos } : {}),
    ...(owner.requester ? { requester: owner.requester } : {}),
  };
}
