import { posix } from 'node:path';
import type { StageSubmission } from '../ClusterBackend.js';
import type { SlurmConfig } from './config.js';
import { arraySpec } from './arraySpec.js';
import { jobComment, jobName } from './naming.js';
import { shellJoin, shq } from './shq.js';

export const JOB_SCRIPT = 'job.sh';
export const MANIFEST = 'tasks.json';
/** What the environment probe (StageSubmission.probe) printed, and its exit code, in the stage's folder. */
export const PROBE_OUT = 'probe.out';
export const PROBE_RC = 'probe.rc';
const PROBE_TIMEOUT_S = 300;
const PROBE_MAX_BYTES = 65_536;

/**
 * The batch script of one stage. Each array task picks its pre-quoted argv in a `case` on
 * SLURM_ARRAY_TASK_ID, so no value is ever re-parsed by a shell. Setup lines come from the config.
 */
export function buildJobScript(sub: StageSubmission, workdir: string): string {
  const L: string[] = [];
  L.push('#!/bin/bash');
  L.push(`# ASTRAN job ${sub.jobId}, stage ${sub.stage}, attempt ${sub.attempt}: one array task per run (generated).`);
  L.push('set -o pipefail');
  // Every end of a task (the tool's, a failed setup, a missing folder) leaves one line in the job's events file, which
  // the bot follows to notice completions at once. Only a hint: a killed task writes none, and the poll still decides.
  L.push(`astran_events=${shq(posix.join(posix.dirname(workdir), 'events'))}`);
  L.push(`trap 'printf "astran-event %s %s %s\\n" "\${SLURM_ARRAY_JOB_ID:-0}" "\${SLURM_ARRAY_TASK_ID:-0}" "$?" >> "$astran_events" 2>/dev/null' EXIT`);
  L.push(`cd ${shq(workdir)} || exit 97`);
  (sub.setup ?? []).forEach((line, i) => {
    // Braces with a newline keep a trailing comment in the line from swallowing the check.
    L.push(`{ ${line}`);
    L.push(`} || { echo "astran: setup step ${i + 1} failed" >&2; exit 98; }`);
  });
  // The lstchain tools do not create their output folders.
  if (sub.mkdirs?.length) L.push(`mkdir -p -- ${shellJoin(sub.mkdirs)} || { echo "astran: cannot create output folders" >&2; exit 96; }`);
  for (const [k, v] of Object.entries(sub.env ?? {}).sort(([a], [b]) => a.localeCompare(b))) L.push(`export ${k}=${shq(v)}`);
  if (sub.probe?.length) {
    // The environment reports on itself (the tool's version), once per submission, on the node where the tools run and
    // after the same setup lines. Never fails the task; probe.rc is written last, so it means probe.out is complete.
    const first = Math.min(...sub.tasks.map((t) => t.index));
    L.push(`if [ "\${SLURM_ARRAY_TASK_ID:-}" = ${first} ]; then`);
    L.push(`  rm -f -- ${PROBE_OUT} ${PROBE_RC}`);
    L.push(`  timeout ${PROBE_TIMEOUT_S} ${shellJoin(sub.probe)} < /dev/null > ${PROBE_OUT} 2> probe.err; echo "$?" > ${PROBE_RC}.tmp`);
    L.push(`  truncate -s '<${PROBE_MAX_BYTES}' ${PROBE_OUT} 2>/dev/null; mv -f -- ${PROBE_RC}.tmp ${PROBE_RC}`);
    L.push('fi');
  }
  L.push('case "${SLURM_ARRAY_TASK_ID:-}" in');
  for (const t of [...sub.tasks].sort((a, b) => a.index - b.index)) {
    L.push(`  ${t.index}) run=${t.runId}; staging=${t.staging ? shq(t.staging) : "''"}; outs=(${t.outputs.map(shq).join(' ')})`);
    L.push(`    set -- ${shellJoin(t.argv)} ;;`);
  }
  L.push('  *) echo "astran: no task ${SLURM_ARRAY_TASK_ID:-unset} in this stage" >&2; exit 97 ;;');
  L.push('esac');
  // Outputs are atomic: the tool writes into an empty staging folder; only a successful task's files are renamed to
  // their final names (side files first, declared outputs last). Without a staging folder, outputs a failed task
  // touched are renamed to <output>.partial. Either way a final name never holds half a file after the task.
  L.push('marker=".astran-start-${SLURM_ARRAY_TASK_ID}"; : > "$marker"');
  L.push('if [ -n "$staging" ]; then rm -rf -- "$staging" && mkdir -p -- "$staging" || { echo "astran: cannot create the staging folder" >&2; exit 96; }; fi');
  L.push('echo "astran: task ${SLURM_ARRAY_TASK_ID} run ${run} start $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname)"');
  L.push('"$@"');
  L.push('rc=$?');
  L.push('if [ "$rc" -eq 0 ] && [ -n "$staging" ]; then');
  L.push('  for o in "${outs[@]}"; do [ -e "$staging/${o##*/}" ] || { echo "astran: the tool ended without writing ${o##*/}" >&2; rc=95; }; done');
  L.push('fi');
  L.push('if [ "$rc" -eq 0 ] && [ -n "$staging" ]; then');
  L.push('  for f in "$staging"/* "$staging"/.[!.]*; do [ -e "$f" ] || continue; b="${f##*/}"; own=0');
  L.push('    for o in "${outs[@]}"; do [ "$b" = "${o##*/}" ] && own=1; done');
  L.push('    [ "$own" = 1 ] || mv -f -- "$f" "${outs[0]%/*}/$b" || rc=94; done');
  L.push('  for o in "${outs[@]}"; do mv -f -- "$staging/${o##*/}" "$o" || rc=94; done');
  L.push('  rmdir -- "$staging" 2>/dev/null');
  L.push('elif [ "$rc" -ne 0 ]; then');
  L.push('  for o in "${outs[@]}"; do if [ -n "$staging" ]; then :; elif [ -e "$o" ] && [ "$o" -nt "$marker" ]; then mv -f -- "$o" "$o.partial"; fi; done');
  L.push('fi');
  L.push('rm -f -- "$marker"');
  L.push('echo "astran: task ${SLURM_ARRAY_TASK_ID} run ${run} exit ${rc} end $(date -u +%Y-%m-%dT%H:%M:%SZ)"');
  L.push('exit $rc');
  return L.join('\n') + '\n';
}

/** Per-task runs, inputs and outputs, written next to the script for humans and restarts. */
export function buildManifest(sub: StageSubmission): string {
  const tasks = [...sub.tasks]
    .sort((a, b) => a.index - b.index)
    .map((t) => ({ index: t.index, runId: t.runId, inputs: t.inputs, outputs: t.outputs }));
  return JSON.stringify({ jobId: sub.jobId, stage: sub.stage, attempt: sub.attempt, tasks }, null, 2) + '\n';
}

/** The sbatch argv (run through shellJoin on the cluster). */
export function buildSbatchArgv(
  sub: StageSubmission,
  cfg: Pick<SlurmConfig, 'partition' | 'account' | 'time' | 'memory' | 'kill_on_invalid_dep' | 'extra_sbatch_args'> & { qos?: string },
  workdir: string,
  /** The compiled --dependency value (see compileDependencies); default: afterok on sub.dependsOn. */
  dependency: string | undefined = sub.dependsOn?.length ? `afterok:${sub.dependsOn.join(':')}` : undefined,
): string[] {
  const argv = [
    'sbatch',
    '--parsable',
    `--array=${arraySpec(sub.tasks.map((t) => t.index), sub.maxParallel)}`,
    `--job-name=${jobName(sub)}`,
    `--comment=${jobComment(sub)}`,
    `--chdir=${workdir}`,
    `--output=${posix.join(workdir, 'task-%a.log')}`,
  ];
  // The requester's own account, partition and QoS (people.<id>.slurm) win over the backend's defaults.
  const partition = sub.partition ?? cfg.partition;
  const account = sub.account ?? cfg.account;
  const qos = sub.qos ?? cfg.qos;
  if (partition) argv.push(`--partition=${partition}`);
  if (account) argv.push(`--account=${account}`);
  if (qos) argv.push(`--qos=${qos}`);
  // A stage's own resources override the backend's defaults.
  const time = sub.time ?? cfg.time;
  const mem = sub.mem ?? cfg.memory;
  if (time) argv.push(`--time=${time}`);
  if (mem) argv.push(`--mem=${mem}`);
  if (dependency) {
    argv.push(`--dependency=${dependency}`);
    if (cfg.kill_on_invalid_dep) argv.push('--kill-on-invalid-dep=yes');
  }
  argv.push(...cfg.extra_sbatch_args);
  argv.push(posix.join(workdir, JOB_SCRIPT));
  return argv;
}
