/**
 * A throw-away ASTRAN installation against the REAL test Slurm cluster (scripts/services/slurm.sh): a data tree
 * with a RunCatalog and DL1 markers, a config derived from config/lst.yaml whose stage programs are the stand-ins
 * of test/fakes/standins, and the real bot (createBot) talking to a recording adapter.
 */
import { execFileSync } from 'node:child_process';
import { clusterReadable } from './clusterReadable.js';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import Database from 'better-sqlite3';
import { loadConfig, type LoadedConfig } from '../../src/bot/config.js';
import { createBot, type Bot } from '../../src/bot/createBot.js';
import { SqliteJobStore } from '../../src/store/SqliteJobStore.js';
import { silentLogger } from '../../src/log.js';
import { shq } from '../../src/pipeline/slurm/shq.js';
import type { JobRecord } from '../../src/core/JobStore.js';
import type { ClusterEnv } from './slurmCluster.js';
import type { Adapter } from '../../src/core/types.js';
import { RecordingAdapter } from '../fakes/RecordingAdapter.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
// Copies the `astran` cluster user can read, wherever the checkout lives.
export const STANDINS = clusterReadable().standins;
export const HESS = clusterReadable().hess;
export const HESS_FILE = (obsId: number) => join(HESS, 'data', `hess_dl3_dr1_obs_id_${String(obsId).padStart(6, '0')}.fits.gz`);
const LST_PROFILE = join(REPO, 'config/lst.yaml');

/** Something that must become true; polled, never a fixed sleep. */
export async function waitUntil<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs with their night and the RunCatalog source name; `hess` is the real H.E.S.S. run the stand-in copies for it. */
export interface WorldRun {
  night: string;
  runId: number;
  catalogName: string;
  hess: number;
  /** DL1 present at start (default true). */
  dl1?: boolean;
}

export interface WorldOptions {
  cluster: ClusterEnv;
  runs: WorldRun[];
  /** Stand-in environment (failure injection, sleeps), exported by `pipeline.setup` lines. */
  standinEnv?: Record<string, string>;
  /** Extra `pipeline.setup` lines after the exports (e.g. a sleep for one stage only, by $SLURM_JOB_NAME). */
  setupExtra?: string[];
  /** Extra sources for a test-only source list (next to config/sources.yaml's). */
  extraSources?: { name: string; aliases: string[]; ra: number; dec: number }[];
  dl1WaitIntervalS?: number;
  /** Console adapter on (for `astran serve`). */
  console?: boolean;
  /** How long a cluster call waits for a lost connection (the thread hears of an outage after this). */
  operation_timeout_s?: number;
  /** pipeline.dl1_complete (default: the LST profile's). */
  dl1Complete?: { night_flag?: string; stable_for_s?: number };
  /** Run the same pipeline with the local backend (stand-ins as local processes) instead of Slurm. */
  localBackend?: boolean;
  /** pipeline.outage_patience_s: after this long without the cluster, users are told again with what to do. */
  outagePatienceS?: number;
  /** pipeline.submission (default: the profile's, `chain`). */
  submission?: 'chain' | 'stage_by_stage';
  /** bot.poll_interval_s (default 0.5). */
  pollIntervalS?: number;
  /**
   * backends.slurm.account, the default people without their own fall back to (default: `astran`, the cluster user's
   * account made by scripts/services/slurm.sh); null: no default account.
   */
  slurmAccount?: string | null;
  /** The config's `people` section. */
  people?: Record<string, unknown>;
  /** auth.users (default: rec:alice launcher, console:operator admin). */
  auth?: Record<string, string>;
  /** More chat adapters beside the recording one (e.g. RecordingAdapters named slack and email). */
  extraAdapters?: Adapter[];
}

/** What sourcing test/fakes/standins/lstchain-env/activate sets, for the local backend (which runs no setup lines). */
export function standinPythonEnv(): Record<string, string> {
  const env = join(STANDINS, 'lstchain-env');
  return { PATH: `${join(env, 'bin')}:${process.env.PATH ?? ''}`, PYTHONPATH: join(env, 'lib', 'python'), PYTHONDONTWRITEBYTECODE: '1' };
}

/** The cluster-side user writes DL2/DL3 and its job folders: the workspace belongs to it (the data tree does not). */
function chownTree(dir: string, uid: number, gid: number): void {
  execFileSync('chown', ['-R', `${uid}:${gid}`, dir]);
}

export class World {
  readonly dir: string;
  /** The production data tree: owned by root, READ-ONLY for the cluster user (as on the real site). */
  readonly base: string;
  /** ASTRAN's own products and job folders: owned by the cluster user. */
  readonly workspace: string;
  readonly configFile: string;
  readonly dbPath: string;
  readonly resultsDir: string;
  readonly uid: number;
  readonly gid: number;
  /**
   * First job sequence number, unique per world. The bot itself no longer needs this (cluster names carry the store's
   * id, see clusterJobKey), but the test's sacct/squeue lookups filter by job id over the cluster's whole history.
   */
  readonly firstSeq: number;

  constructor(readonly o: WorldOptions) {
    this.uid = Number(execFileSync('id', ['-u', o.cluster.user], { encoding: 'utf8' }).trim());
    this.gid = Number(execFileSync('id', ['-g', o.cluster.user], { encoding: 'utf8' }).trim());
    this.dir = join('/tmp', `astran-e2e-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`);
    this.base = join(this.dir, 'data');
    this.workspace = join(this.dir, 'workspace');
    this.configFile = join(this.dir, 'astran.yaml');
    this.dbPath = join(this.dir, 'astran.db');
    this.resultsDir = join(this.dir, 'results');
    this.firstSeq = 100_000 + Math.floor(Math.random() * 800_000_000);
    mkdirSync(this.dir, { recursive: true });
    chmodSync(this.dir, 0o755);
    // RF models and IRFs per Monte Carlo declination line, as the AllSky productions lay them out.
    for (const d of ['models/dec_2276', 'models/dec_3476', 'models/dec_min_413', 'irf/dec_2276', 'irf/dec_3476', 'irf/dec_min_413', 'monitoring/RunCatalog'])
      mkdirSync(join(this.base, d), { recursive: true });
    for (const line of ['dec_2276', 'dec_3476', 'dec_min_413']) writeFileSync(join(this.base, 'irf', line, `irf_allsky_${line}_std_cuts.fits.gz`), `irf ${line}`);
    for (const d of ['jobs', 'standin-state']) mkdirSync(join(this.workspace, d), { recursive: true });
    const nights = [...new Set(o.runs.map((r) => r.night))];
    for (const night of nights) {
      const rows = o.runs.filter((r) => r.night === night).map((r) => `${r.runId},${JSON.stringify(r.catalogName)},83.633,22.014`);
      writeFileSync(
        join(this.base, 'monitoring/RunCatalog', `RunCatalog_${night}.ecsv`),
        ['# %ECSV 1.0', '# ---', '# datatype:', '# - {name: run_id, datatype: int64}', 'run_id,source_name,source_ra,source_dec', ...rows, ''].join('\n'),
      );
    }
    for (const r of o.runs) if (r.dl1 !== false) this.addDl1(r.night, r.runId, false);
    this.writeConfig();
    chownTree(this.workspace, this.uid, this.gid);
    this.seedStore();
  }

  dl1Path(night: string, runId: number): string {
    return join(this.base, 'DL1', night, 'v0.10', 'tailcut84', `dl1_LST-1.Run${String(runId).padStart(5, '0')}.h5`);
  }

  /** Create a run's DL1 file in the production tree (root-owned, readable by the cluster user, like lstosa's). */
  addDl1(night: string, runId: number, _chown = true): void {
    const f = this.dl1Path(night, runId);
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, `dl1 ${runId}\n`);
  }

  /** lstosa's own DL2 of a run (official_paths.dl2 of the profile), in the read-only production tree. */
  officialDl2Path(night: string, runId: number): string {
    return join(this.base, 'DL2', night, 'v0.10', 'tailcut84', 'nsb_tuning_0.14', `dl2_LST-1.Run${String(runId).padStart(5, '0')}.h5`);
  }

  /** Hand files the test wrote under the workspace to the cluster user. */
  giveToCluster(): void {
    chownTree(this.workspace, this.uid, this.gid);
  }

  dl3Dir(night: string, sourceDir: string): string {
    return join(this.workspace, 'DL3', night, 'v0.10', 'tailcut84', 'std_cuts', sourceDir);
  }

  /** Where a stage attempt's job.sh and task logs are on the cluster. */
  jobsDir(): string {
    return join(this.workspace, 'jobs');
  }

  /** The stand-ins' environment: which real DL3 file each run gets, plus the test's own settings. */
  standinEnv(): Record<string, string> {
    return {
      ASTRAN_STANDIN_DL3_MAP: this.o.runs.map((r) => `${r.runId}=${HESS_FILE(r.hess)}`).join(','),
      ASTRAN_STANDIN_INDEX_SOURCE_DIR: HESS,
      ...this.o.standinEnv,
    };
  }

  private writeConfig(): void {
    const o = this.o;
    const lst = parseYaml(readFileSync(LST_PROFILE, 'utf8')) as Record<string, any>;
    const env = this.standinEnv();
    // The LST profile's stages with each lstchain program replaced by its stand-in (same flags). --source-name gets
    // the catalog name itself, so a name with spaces and quotes travels to the cluster as one argv element.
    const stages = (lst.pipeline.stages as { command: string[] }[]).map((s) => {
      const command = s.command.flatMap((a, i) => (i === 0 ? ['node', join(STANDINS, `standin_${a}.mjs`)] : [a === '{source_dir}' ? '{source}' : a]));
      return { ...s, command, time: '00:10:00', memory: '200M', max_parallel: undefined };
    });
    const sources = parseYaml(readFileSync(join(REPO, 'config/sources.yaml'), 'utf8')) as { sources: unknown[] };
    writeFileSync(join(this.dir, 'sources.yaml'), toYaml({ sources: [...sources.sources, ...(o.extraSources ?? [])] }));
    const cfg = {
      bot: { job_id_prefix: 'E', poll_interval_s: o.pollIntervalS ?? 0.5, progress_edit_interval_s: 0, results_dir: this.resultsDir },
      store: { path: this.dbPath },
      log: { level: 'warn' },
      sources: join(this.dir, 'sources.yaml'),
      data: { ...lst.data, base: this.base, workspace: this.workspace, read_only_roots: ['{base}'] },
      official_paths: lst.official_paths,
      paths: lst.paths,
      vars: { ...lst.vars, models_root: join(this.base, 'models'), irf_root: join(this.base, 'irf') },
      dec_lines: lst.dec_lines,
      pipeline: {
        backend: o.localBackend ? 'local' : 'slurm',
        // Config lines, not user text: the stand-ins' environment.
        // `conda activate lstchain-…` of the profile becomes the stand-in environment (a fake lstchain package).
        setup: [`. ${shq(join(STANDINS, 'lstchain-env', 'activate'))}`, ...Object.entries(env).map(([k, v]) => `export ${k}=${shq(v)}`), ...(o.setupExtra ?? [])],
        version_probe: lst.pipeline.version_probe,
        retries: 1,
        ...(o.submission ? { submission: o.submission } : {}),
        ...(o.outagePatienceS !== undefined ? { outage_patience_s: o.outagePatienceS } : {}),
        dl1_wait: { interval_s: o.dl1WaitIntervalS ?? 0.5, deadline_s: 3600, on_deadline: 'proceed' },
        dl1_complete: o.dl1Complete ?? {},
        stages: JSON.parse(JSON.stringify(stages)),
      },
      analysis: { theta2_cut: 0.02, off_regions: 3, use_rad_max: false },
      backends: {
        local: { workdir: join(this.dir, 'local') },
        slurm: {
          host: o.cluster.host,
          port: o.cluster.port,
          user: o.cluster.user,
          private_key_path: o.cluster.key,
          known_hosts_path: o.cluster.knownHosts,
          remote_workdir: this.jobsDir(),
          partition: 'debug',
          ...(o.slurmAccount === null ? {} : { account: o.slurmAccount ?? 'astran' }),
          reconnect_initial_s: 0.2,
          reconnect_max_s: 1,
          operation_timeout_s: o.operation_timeout_s ?? 120,
          vanish_grace_s: 10,
        },
      },
      adapters: o.console ? { console: { enabled: true, user: 'operator' } } : {},
      auth: { users: o.auth ?? { 'rec:alice': 'launcher', 'console:operator': 'admin' } },
      ...(o.people ? { people: o.people } : {}),
    };
    writeFileSync(this.configFile, toYaml(cfg));
  }

  /** Create the SQLite store and move its job sequence, so this world's job ids are unique in the cluster's history. */
  private seedStore(): void {
    new SqliteJobStore({ path: this.dbPath, prefix: 'E', log: silentLogger }).close();
    const db = new Database(this.dbPath);
    db.prepare("DELETE FROM sqlite_sequence WHERE name = 'jobs'").run();
    db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('jobs', ?)").run(this.firstSeq);
    db.close();
  }

  load(): LoadedConfig {
    return loadConfig(this.configFile);
  }

  /** The in-process bot with a recording adapter. */
  async bot(): Promise<{ bot: Bot; chat: RecordingAdapter; store: SqliteJobStore }> {
    const loaded = this.load();
    const store = new SqliteJobStore({ path: this.dbPath, prefix: 'E', log: silentLogger });
    const chat = new RecordingAdapter();
    // The local backend ignores setup lines: the stand-ins' environment comes from the bot's.
    const env = this.o.localBackend ? { ...process.env, ...this.standinEnv(), ...standinPythonEnv() } : {};
    const bot = await createBot({ loaded, env, log: silentLogger, store, adapters: [chat, ...(this.o.extraAdapters ?? [])] });
    await bot.start();
    return { bot, chat, store };
  }

  cleanup(): void {
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The job launched by the latest `launch` (highest sequence). */
export function latestJob(bot: Bot): JobRecord | undefined {
  return bot.store.listJobs({ limit: 1 })[0];
}

export async function waitFinal(bot: Bot, jobId: string, timeoutMs = 120_000): Promise<JobRecord> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`job ${jobId} not final after ${timeoutMs} ms: ${JSON.stringify(bot.store.getJob(jobId))}`)), timeoutMs)));
  try {
    return await Promise.race([bot.orchestrator.waitFor(jobId), timeout]);
  } finally {
    clearTimeout(t);
  }
}

/**
 * Slurm's view (as root on the single node) of the array jobs of one ASTRAN job: one row per array job. On the cluster
 * they are named astran-<store id>_<jobId>-<stage>-a<attempt> (see src/orchestrator/clusterJobKey.ts).
 */
export interface SlurmJobRow {
  /** Array job id. */
  arrayId: string;
  /** The Slurm job name without the store id: astran-<jobId>-<stage>-a<attempt>. */
  name: string;
  /** The store id part of the Slurm job name. */
  storeId: string;
  /** State of each array task (or of the grouped pending row). */
  states: string[];
}

function group(rows: string[][], jobId: string): SlurmJobRow[] {
  const out = new Map<string, SlurmJobRow>();
  for (const [id, name, state] of rows) {
    const m = /^astran-([0-9a-f]{6})_(.+)$/.exec(name ?? '');
    if (!m || !m[2]!.startsWith(`${jobId}-`)) continue;
    const arrayId = id!.split('_')[0]!;
    const row = out.get(arrayId) ?? { arrayId, name: `astran-${m[2]}`, storeId: m[1]!, states: [] };
    row.states.push(state!.split(' ')[0]!);
    out.set(arrayId, row);
  }
  return [...out.values()];
}

/**
 * The ASTRAN job's Slurm jobs as accounting records them. sacct lags squeue by a few seconds, and the bot no longer
 * waits for sacct when a task's events line already gave its exit code: so wait (up to 15 s) until sacct knows every
 * array squeue knows, with as many task rows.
 */
const SACCT_ALL_STATES = 'BF,CA,CD,DL,F,NF,OOM,PD,PR,R,RQ,RS,RV,S,TO';

export function sacctJobs(jobId: string): SlurmJobRow[] {
  const deadline = Date.now() + 15_000;
  for (;;) {
    // With --state, -S/-E select jobs by when they were in those states: this also lists arrays cancelled while they
    // waited for a dependency (never eligible), which a plain -S leaves out.
    const out = execFileSync('sacct', ['-n', '-P', '-X', '-a', '-S', 'now-2hours', '-E', 'now', '-s', SACCT_ALL_STATES, '-o', 'JobID,JobName%80,State'], { encoding: 'utf8' });
    const rows = group(out.split('\n').filter(Boolean).map((l) => l.split('|')), jobId);
    const seen = new Map(rows.map((r) => [r.arrayId, r.states.length]));
    const all = execFileSync('squeue', ['-h', '-r', '-a', '--states=all', '-o', '%i|%j|%T'], { encoding: 'utf8' });
    const known = group(all.split('\n').filter(Boolean).map((l) => l.split('|')), jobId);
    const caughtUp = known.every((q) => (seen.get(q.arrayId) ?? 0) >= q.states.length);
    if (caughtUp || Date.now() > deadline) return rows;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
  }
}

export function squeueJobs(jobId: string): SlurmJobRow[] {
  const out = execFileSync('squeue', ['-h', '-r', '-a', '-o', '%i|%j|%T'], { encoding: 'utf8' });
  return group(out.split('\n').filter(Boolean).map((l) => l.split('|')), jobId);
}
