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
import { parseToolVersion, type ProbeReport } from '../pipeline/toolVersion.js';
import { repoRoot } from '../util/repoRoot.js';

export interface Provenance {
  astran: { version: string; commit: string | null };
  config_sha256: string | null;
  /**
   * The pipeline tool's version (lstchain) as each stage attempt's environment reported it on its compute node
   * (pipeline.version_probe). `version` is set when every report agrees; `note` says in plain words otherwise.
   */
  tool: {
    name: string | null;
    version: string | null;
    reports: { stage: string; attempt: number; version: string | null; problem?: string }[];
    note: string;
  };
  stage_commands: { stage: string; per: string; tasks: { runs: number[]; argv: string[] }[] }[];
  /** Per run: the declination line chosen, the stages this job ran for it, and the model/IRF folders those commands used. */
  runs: { run_id: number; night: string; dec_line: string | null; stages_run: string[]; models_dir: string | null; irf_dir: string | null }[];
  inputs_dl3: { run_id: number; file: string; size: number; sha256: string }[];
  cluster_jobs: { stage: string; attempt: number; job_id: string | null; state: string }[];
  /** `done`: when ASTRAN recorded the attempt's outcome (completed, failed or cancelled); null while it was in flight. */
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
  /** What each submission's environment probe reported, by backend ref (ClusterBackend.probeOutputs). */
  probes?: Map<string, ProbeReport | null>;
  now: Date;
}): Promise<Provenance> {
  const { job, subject } = o;
  const plans = planStages(o.config, o.base, subject, { stagingTag: o.stagingTag });
  const inputs = await Promise.all(
    o.files.map(async (f, i) => ({ run_id: subject.runs[i]?.runId ?? -1, file: basename(f), size: statSync(f).size, sha256: await sha256File(f) })),
  );
  const subs = o.store.submissions(job.id).sort((a, b) => a.stage.localeCompare(b.stage) || a.attempt - b.attempt);
  const events = o.store.events(job.id, 10_000);
  const submittedAt = (stage: string, attempt: number) => events.find((e) => e.kind === 'submitted' && e.message.startsWith(`${stage} attempt ${attempt} `))?.at ?? null;
  // When the runner recorded the attempt's outcome (both modes settle every attempt into its record).
  const endedAt = (s: { state: string; updatedAt: string }) => (['completed', 'failed', 'cancelled'].includes(s.state) ? s.updatedAt : null);
  let configSha: string | null = null;
  if (o.configFile) {
    try {
      configSha = createHash('sha256').update(readFileSync(o.configFile)).digest('hex');
    } catch {
      configSha = null;
    }
  }
  // Only what was submitted: a stage skipped because its products existed ran no command.
  const stageCommands = plans
    .map((p) => {
      const ran = new Set(subs.filter((s) => s.stage === p.stage.name).flatMap((s) => ((s.detail as { tasks?: { runIds?: number[] }[] } | null)?.tasks ?? []).map((t) => (t.runIds ?? []).join('+'))));
      return { stage: p.stage.name, per: p.stage.per, tasks: p.tasks.filter((t) => ran.has(t.runIds.join('+'))).map((t) => ({ runs: t.runIds, argv: t.argv })) };
    })
    .filter((s) => s.tasks.length > 0);
  // A model or IRF folder counts as used for a run only when a command that ran for that run names it: products that
  // existed before the job (the bundled DL3 files, lstosa's DL2) were not made with this job's folders.
  const runs = subject.runs.map((r) => {
    const ctx = templateContext(o.config, o.base, { night: r.night, run: r.runId, source: subject.source, ra: subject.ra, dec: subject.dec, paths: r.paths, decLine: r.decLine });
    const ran = stageCommands.flatMap((s) => s.tasks.filter((t) => t.runs.includes(r.runId)).map((t) => ({ stage: s.stage, argv: t.argv })));
    const used = (k: string) => {
      const v = typeof ctx[k] === 'string' ? (ctx[k] as string) : null;
      return v && ran.some((t) => t.argv.some((a) => a === v || a.startsWith(`${v}/`))) ? v : null;
    };
    return { run_id: r.runId, night: r.night, dec_line: r.decLine ?? null, stages_run: [...new Set(ran.map((t) => t.stage))], models_dir: used('models_dir'), irf_dir: used('irf_dir') };
  });
  return {
    astran: astranIdentity(),
    config_sha256: configSha,
    tool: toolVersion(o.config, subs, o.probes ?? new Map()),
    stage_commands: stageCommands,
    runs,
    inputs_dl3: inputs,
    cluster_jobs: subs.map((s) => ({ stage: s.stage, attempt: s.attempt, job_id: s.backendRef, state: s.state })),
    timings: {
      created: job.createdAt,
      analysed: o.now.toISOString(),
      elapsed_s: Math.round((o.now.getTime() - Date.parse(job.createdAt)) / 1000),
      stages: subs.map((s) => ({ stage: s.stage, attempt: s.attempt, submitted: submittedAt(s.stage, s.attempt) ?? s.createdAt, done: endedAt(s) })),
    },
  };
}

/**
 * The tool version from the probes of the attempts that ran. Only attempts that reached the cluster count; an attempt
 * whose probe said nothing usable is listed with the problem, and the version stands only if all usable reports agree.
 */
function toolVersion(config: PipelineSections, subs: { stage: string; attempt: number; backendRef: string | null }[], probes: Map<string, ProbeReport | null>): Provenance['tool'] {
  const probe = config.pipeline.version_probe;
  const ran = subs.filter((s) => s.backendRef !== null);
  const name = probe?.tool ?? null;
  if (ran.length === 0)
    return { name, version: null, reports: [], note: 'no pipeline stage ran in this job: every DL3 file existed before it, so no pipeline tool ran' };
  if (!probe) return { name, version: null, reports: [], note: 'not recorded: pipeline.version_probe is not configured' };
  const reports = ran.map((s) => {
    const v = parseToolVersion(probes.get(s.backendRef!) ?? null);
    return v.ok ? { stage: s.stage, attempt: s.attempt, version: v.version } : { stage: s.stage, attempt: s.attempt, version: null, problem: v.problem };
  });
  const versions = [...new Set(reports.map((r) => r.version).filter((v): v is string => v !== null))];
  if (versions.length === 1) {
    const missing = reports.filter((r) => r.version === null).length;
    return { name, version: versions[0]!, reports, note: missing ? `reported by ${reports.length - missing} of ${reports.length} stage attempts on their compute nodes` : 'reported by every stage attempt on its compute node' };
  }
  if (versions.length > 1) return { name, version: null, reports, note: `the stage attempts reported different versions (${versions.join(', ')})` };
  return { name, version: null, reports, note: `not recorded: ${reports[0]!.problem}` };
}

/** "lstchain 0.10.5", "lstchain version unknown", "no pipeline tool ran", or nothing when no probe is configured. */
function toolWords(t: Provenance['tool']): string {
  if (t.reports.length === 0 && t.note.startsWith('no pipeline stage ran')) return t.name ? `no ${t.name} run (DL3 files pre-existing)` : 'no pipeline run (DL3 files pre-existing)';
  if (!t.name) return '';
  if (t.version) return `${t.name} ${t.version}`;
  return `${t.name} version unknown`;
}

/**
 * One line for the final summary: "lstchain 0.10.5 · models dec_2276 · ASTRAN 0.4.0 (abc1234) · config 3f2a9c1b ·
 * 2 DL3 files sha256-recorded". Names of compute nodes and paths never appear here.
 */
export function provenanceLine(p: Provenance): string {
  // The lines whose models or IRFs this job's commands used (not those of products made before it).
  const lines = [...new Set(p.runs.filter((r) => r.models_dir || r.irf_dir).map((r) => r.dec_line).filter((l): l is string => l !== null))];
  return [
    toolWords(p.tool),
    lines.length ? `models ${lines.join(', ')}` : '',
    `ASTRAN ${p.astran.version}${p.astran.commit ? ` (${p.astran.commit.slice(0, 7)})` : ''}`,
    p.config_sha256 ? `config ${p.config_sha256.slice(0, 8)}` : '',
    `${p.inputs_dl3.length} DL3 file${p.inputs_dl3.length === 1 ? '' : 's'} sha256-recorded`,
  ]
    .filter(Boolean)
    .join(' · ');
}
