/**
 * The provenance block of results.json: what produced a result, so an astronomer can trust it and reproduce it.
 * Built after the analysis from the job's own records (store submissions and events), the plan (effective commands)
 * and the analysed files themselves (size + sha256). Hosts and node names never appear; paths only in results.json.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { PipelineSections } from '../pipeline/config.js';
import { templateContext } from '../config/template.js';
import type { JobRecord, JobStore } from '../core/JobStore.js';
import { planStages, type PlanSubject } from '../pipeline/PipelinePlan.js';
import { repoRoot } from '../util/repoRoot.js';

export interface Provenance {
  astran: { version: string; commit: string | null };
  config_sha256: string | null;
  stage_commands: { stage: string; per: string; tasks: { runs: number[]; argv: string[] }[] }[];
  runs: { run_id: number; night: string; dec_line: string | null; models_dir: string | null; irf_dir: string | null }[];
  inputs_dl3: { run_id: number; file: string; size: number; sha256: string }[];
  cluster_jobs: { stage: string; attempt: number; job_id: string | null; state: string }[];
  timings: { created: string; analysed: string; elapsed_s: number; stages: { stage: string; attempt: number; submitted: string | null; done: string | null }[] };
}

let astranCached: Provenance['astran'] | undefined;

/** package.json version and the checkout's git commit (null when not run from a git checkout). */
export function astranIdentity(): Provenance['astran'] {
  if (astranCached) return astranCached;
  const root = repoRoot();
  const version = (JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string }).version;
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['-C', root, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    commit = null;
  }
  astranCached = { version, commit };
  return astranCached;
}

function sha256File(path: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', () => res(h.digest('hex')))
      .on('error', rej);
  });
}

export async function buildProvenance(o: {
  job: JobRecord;
  store: Pick<JobStore, 'submissions' | 'events'>;
  config: PipelineSections;
  base: string;
  subject: PlanSubject;
  /** Local copies of the analysed DL3 files, in the order of subject.runs. */
  files: string[];
  configFile?: string;
  /** The runner's staging tag, so the commands are rendered exactly as submitted. */
  stagingTag?: string;
  now: Date;
}): Promise<Provenance> {
  const { job, subject } = o;
  const plans = planStages(o.config, o.base, subject, { stagingTag: o.stagingTag });
  const runs = subject.runs.map((r) => {
    const ctx = templateContext(o.config, o.base, { night: r.night, run: r.runId, source: subject.source, ra: subject.ra, dec: subject.dec, paths: r.paths, decLine: r.decLine });
    const str = (k: string) => (typeof ctx[k] === 'string' ? (ctx[k] as string) : null);
    return { run_id: r.runId, night: r.night, dec_line: r.decLine ?? null, models_dir: str('models_dir'), irf_dir: str('irf_dir') };
  });
  const inputs = await Promise.all(
    o.files.map(async (f, i) => ({ run_id: subject.runs[i]?.runId ?? -1, file: basename(f), size: statSync(f).size, sha256: await sha256File(f) })),
  );
  const subs = o.store.submissions(job.id).sort((a, b) => a.stage.localeCompare(b.stage) || a.attempt - b.attempt);
  const events = o.store.events(job.id, 10_000);
  const at = (kind: string, stage: string, attempt: number) =>
    events.find((e) => e.kind === kind && (e.message.startsWith(`${stage} attempt ${attempt} `) || e.message.startsWith(`${stage} done (`) && e.message.includes(`attempt ${attempt})`)))?.at ?? null;
  let configSha: string | null = null;
  if (o.configFile) {
    try {
      configSha = createHash('sha256').update(readFileSync(o.configFile)).digest('hex');
    } catch {
      configSha = null;
    }
  }
  return {
    astran: astranIdentity(),
    config_sha256: configSha,
    // Only what was submitted: a stage skipped because its products existed ran no command.
    stage_commands: plans
      .map((p) => {
        const ran = new Set(subs.filter((s) => s.stage === p.stage.name).flatMap((s) => ((s.detail as { tasks?: { runIds?: number[] }[] } | null)?.tasks ?? []).map((t) => (t.runIds ?? []).join('+'))));
        return { stage: p.stage.name, per: p.stage.per, tasks: p.tasks.filter((t) => ran.has(t.runIds.join('+'))).map((t) => ({ runs: t.runIds, argv: t.argv })) };
      })
      .filter((s) => s.tasks.length > 0),
    runs,
    inputs_dl3: inputs,
    cluster_jobs: subs.map((s) => ({ stage: s.stage, attempt: s.attempt, job_id: s.backendRef, state: s.state })),
    timings: {
      created: job.createdAt,
      analysed: o.now.toISOString(),
      elapsed_s: Math.round((o.now.getTime() - Date.parse(job.createdAt)) / 1000),
      stages: subs.map((s) => ({ stage: s.stage, attempt: s.attempt, submitted: at('submitted', s.stage, s.attempt), done: at('stage_done', s.stage, s.attempt) })),
    },
  };
}

/** One line for the final summary: "models dec_2276 · ASTRAN 0.4.0 (abc1234) · config 3f2a9c1b · 2 DL3 files sha256-checked". */
export function provenanceLine(p: Provenance): string {
  const lines = [...new Set(p.runs.map((r) => r.dec_line).filter((l): l is string => l !== null))];
  return [
    lines.length ? `models ${lines.join(', ')}` : '',
    `ASTRAN ${p.astran.version}${p.astran.commit ? ` (${p.astran.commit.slice(0, 7)})` : ''}`,
    p.config_sha256 ? `config ${p.config_sha256.slice(0, 8)}` : '',
    `${p.inputs_dl3.length} DL3 file${p.inputs_dl3.length === 1 ? '' : 's'} sha256-recorded`,
  ]
    .filter(Boolean)
    .join(' · ');
}
