/**
 * Every sentence a job says to its users, in one place: easy to review, to keep consistent, and to translate.
 * The runner (JobRunner.ts), the orchestrator and the analysis step decide WHAT happened; this module says it.
 * No function here does I/O. User-controlled strings (display names, names of targets of opportunity) are marked
 * with userText() where they are interpolated: each adapter escapes them for its platform and leaves ASTRAN's own
 * formatting alone (src/core/userText.ts).
 */
import { fluxSummaryLine } from '../analysis/flux/fluxSentence.js';
import type { AnalysisResult } from '../analysis/types.js';
import type { OutboxItem } from '../core/Outbox.js';
import type { JobRecord, LaunchParams } from '../core/JobStore.js';
import { formatRunsTable } from '../plots/formatRunsTable.js';
import { decLineText } from '../pipeline/decLine.js';
import { fmtDuration, fmtNights } from './format.js';
import { userText } from '../core/userText.js';

const plural = (n: number, one: string, many = `${one}s`) => (n === 1 ? one : many);

// --- the job's root message and `status` ---

export function rootText(job: JobRecord): string {
  const p = job.params;
  const opts = [
    p.theta2_cut !== undefined ? `θ² cut ${p.theta2_cut}` : '',
    p.off_regions !== undefined ? `${p.off_regions} OFF` : '',
    p.emin !== undefined ? `E ≥ ${p.emin} TeV` : '',
    p.emax !== undefined ? `E ≤ ${p.emax} TeV` : '',
    p.dry_run ? 'dry run' : '',
    p.force ? 'force' : '',
  ]
    .filter(Boolean)
    .join(', ');
  const lines = decLineText(p.runDecLines);
  return (
    `🔭 *${job.id}* · ${p.target ? userText(p.source) : p.source}${p.target ? ` (target of opportunity, RA ${p.target.ra.toFixed(3)}°, Dec ${p.target.dec.toFixed(3)}°)` : ''} · night ${fmtNights(p.nightFrom, p.nightTo)} · ${job.runIds.length} run(s) (${job.runIds.join(', ')})` +
    `${opts ? ` · ${opts}` : ''}${lines ? ` · ${lines}` : ''} · requested by ${userText(job.owner?.name ?? job.requester.displayName ?? job.requester.userId)}\n` +
    // "Reply" reads right in a chat thread and in a mail conversation alike.
    `Progress follows in this thread. Reply here with \`status\` for an update, or \`cancel\` to stop it.`
  );
}

/** Multi-line status of a job for `status`/`jobs`; `latest` are the job's last event messages with their times. */
export function describeJob(job: JobRecord, now: Date, latest: { at: string; message: string }[], paused?: { since: string } | null): string {
  const p = job.params;
  const head = `*${job.id}* · ${p.source} · night ${fmtNights(p.nightFrom, p.nightTo)} · ${job.runIds.length} run(s)${job.runIds.length ? ` (${job.runIds.join(', ')})` : ''}`;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now.getTime();
  const elapsed = fmtDuration((end - Date.parse(job.createdAt)) / 1000);
  let state: string;
  switch (job.state) {
    case 'running':
      state = `running ${job.stage ?? ''} · elapsed ${elapsed}`;
      break;
    case 'waiting_inputs':
      state = `waiting for DL1 · elapsed ${elapsed}`;
      break;
    case 'done': {
      const r = job.result as { total?: { significance?: number; excess?: number; livetime_s?: number } } | null;
      state = `done in ${elapsed}` + (r?.total?.significance !== undefined ? ` · ${r.total.significance.toFixed(1)}σ, excess ${r.total.excess?.toFixed(1)} in ${fmtDuration(r.total.livetime_s ?? 0)}` : '');
      break;
    }
    case 'failed':
      state = `failed after ${elapsed}: ${job.error?.message ?? 'unknown error'}${job.error ? ` (error id ${job.error.id})` : ''}`;
      break;
    default:
      state = `${job.state.replace('_', ' ')} · elapsed ${elapsed}`;
  }
  if (paused) state += ` · paused: the cluster has not answered since ${paused.since.slice(11, 16)} UTC`;
  const last = latest.map((e) => `  ${e.at.slice(11, 19)} ${e.message}`);
  return [head, `State: ${state}`, ...(last.length ? ['Latest:', ...last] : [])].join('\n');
}

/** The launch reply when no thread could be opened for the job (e.g. the bot is not in the channel). */
export function noThreadProblem(errorId: string): { message: string; hint: string } {
  return {
    message: 'I could not post in this channel, so the job was not started.',
    hint: `Invite me to the channel (or launch from a channel I am in) and launch again. Error id: ${errorId}.`,
  };
}

// --- waiting for inputs ---

export const allProductsExist = (runs: number) => `All DL3 files exist for the ${runs} run(s): going straight to the analysis.`;

/** A configured interval said as it is: 0.5 s is "0.5s", not rounded to "1s" (whole seconds and longer: fmtDuration). */
const fmtInterval = (s: number) => (s < 60 && !Number.isInteger(s) ? `${Number(s.toFixed(2))}s` : fmtDuration(s));

/** `state`: "1 of 3 runs ready, 1 still being written (...), 1 not there yet (run 1808)" (see dl1WaitWords). */
export const waitingForDl1 = (state: string, intervalS: number, until: string, leftS: number, onDeadline: 'proceed' | 'fail') =>
  `⏳ Waiting for DL1: ${state}. I check every ${fmtInterval(intervalS)} and wait until ${until} (${fmtDuration(leftS)} from now); then I ${onDeadline === 'fail' ? 'give up' : 'go on with the runs that are ready'}.`;

export const waitingForDl1Progress = (state: string, until: string, elapsed: string) => `⏳ waiting for DL1: ${state} · waiting until ${until} · elapsed ${elapsed}`;

export const dl1Present = (total: number) => `✅ DL1 complete for all ${total} runs.`;

export const dl1NeverArrived = (missing: number[], deadlineH: number) => ({
  message: `DL1 never became complete for run(s) ${missing.join(', ')} (waited until the ${deadlineH} h deadline).`,
  hint: 'Check that the night was processed (DL1 production), then launch again.',
});

export const proceedingWithout = (missing: number[], kept: number) =>
  `⚠️ DL1 still missing or incomplete for run(s) ${missing.join(', ')} at the deadline: proceeding with the ${kept} run(s) ready.`;

// --- dry run ---

export function dryRunPlan(stages: { name: string; runs: number[][] }[]): string {
  const lines = stages.map(({ name, runs }) => {
    const n = runs.length;
    return `• ${name}: ${n ? `${n} task(s) (run${n > 1 ? 's' : ''} ${runs.map((r) => r.join('+')).join(', ')})` : 'skipped, outputs exist'}`;
  });
  return ['🧪 Dry run: nothing was submitted. Plan:', ...lines, '• analysis: θ², Li & Ma, skymap on the DL3 files'].join('\n');
}

// --- stages ---

export const stageStarted = (stage: string, tasks: number, idx: number, total: number) => `▶️ ${stage}: ${tasks} task(s) (stage ${idx + 1}/${total}).`;

export const stageResumed = (stage: string, attempt: number, idx: number, total: number) =>
  `🔄 ASTRAN restarted: ${stage} (stage ${idx + 1}/${total}, attempt ${attempt}) was already on the cluster; following it again, nothing is submitted twice.`;

export const stageProgress = (stage: string, idx: number, total: number, done: number, tasks: number, running: number, runs: number, attempt: number, elapsed: string) =>
  `⚙️ ${stage} (stage ${idx + 1}/${total}) · ${done}/${tasks} tasks done, ${running} running · ${runs} runs · attempt ${attempt} · elapsed ${elapsed}`;

export const stageDone = (stage: string, tasks: number, elapsed: string) => `✅ ${stage} done: ${tasks} task(s) · elapsed ${elapsed}.`;

export const stageRetry = (stage: string, runs: number[], reason: string, nextAttempt: number, maxAttempt: number) =>
  `🔁 ${stage}: ${runs.length} task(s) failed (run ${runs.join(', ')}: ${reason}). Partial outputs removed; retrying (attempt ${nextAttempt}/${maxAttempt}).`;

export const stageFailed = (stage: string, runs: number[], reason: string, attempts: number) =>
  `Stage ${stage} failed for run(s) ${runs.join(', ')}: ${reason} (after ${attempts} attempt${attempts > 1 ? 's' : ''}).`;

// --- a chain (pipeline.submission: chain): every stage is on the cluster from the launch ---

/** One edited line for the whole chain: each stage's tasks done / running of its total. */
export function chainProgress(stages: { name: string; done: number; tasks: number; running: number }[], elapsed: string): string {
  const part = (s: (typeof stages)[number]) =>
    s.done === s.tasks ? `${s.name} ${s.done}/${s.tasks} ✓` : s.done || s.running ? `${s.name} ${s.done}/${s.tasks}${s.running ? `, ${s.running} running` : ''}` : `${s.name} waiting`;
  return `⚙️ ${stages.map(part).join(' · ')} · elapsed ${elapsed}`;
}

/** Tasks the cluster cancelled because a task they waited for failed (DependencyNeverSatisfied): submitted again. */
export const stageRequeued = (stage: string, runs: number[], attempt: number) =>
  `↪️ ${stage}: run ${runs.join(', ')} waited for a task that failed, so the cluster dropped it; submitted again to wait for the retry (attempt ${attempt}).`;

/** Appended to a failure when the later stages of the chain were still queued on the cluster. */
export const chainRemoved = () => 'The later stages queued on the cluster were cancelled.';

export const noOutputReason = (files: string[]) => `finished but did not write ${files.join(', ')}`;

/** Plain-words advice per failure reason. */
export function reasonAdvice(reason: string): string {
  const r = reason.toUpperCase();
  if (r.includes('TIMEOUT')) return 'The task hit its time limit: raise `time` for this stage in the config, or split the night.';
  if (r.includes('OUT_OF_MEMORY') || r.includes('OOM')) return 'The task ran out of memory: raise `mem` for this stage in the config.';
  if (r.includes('NODE_FAIL')) return 'A cluster node failed: this is usually transient, relaunching is safe.';
  if (r.includes('DEPENDENCY')) return 'A stage it depended on failed; fix that one first.';
  if (r.includes('DID NOT WRITE')) return 'The tool ended without error but left no output: check its log above and the free space of the output folder, then relaunch.';
  return 'Read the log lines above for the cause; if the input is broken, fix or exclude that run (`runs=`) and relaunch.';
}

// --- outages ---

export const clusterDown = () => '⚠️ The cluster is not answering. Your job is paused, not failed: I keep trying and carry on by myself when it is back.';

export const clusterBack = (downFor: string) => `✅ The cluster answers again (it was unreachable for ${downFor}). Carrying on.`;

export const clusterPatienceOut = (downFor: string, jobId: string) =>
  `⏰ The cluster has been unreachable for ${downFor}, longer than I am set to wait quietly. Your job is still paused and resumes by itself when the cluster is back. ` +
  `If you would rather not wait: \`cancel\` here (its cluster jobs are cancelled when the cluster answers), and launch again later. Admins: check the login node and slurmctld (job ${jobId}).`;

// --- analysis and the end ---

export const analysisProgress = (elapsed: string) => `📊 analysis: θ², Li & Ma, skymap · elapsed ${elapsed}`;
export const doneProgress = (elapsed: string) => `✅ done · elapsed ${elapsed}`;
export const cancelledProgress = (elapsed: string) => `🛑 cancelled · elapsed ${elapsed}`;
export const failedProgress = (elapsed: string) => `❌ failed · elapsed ${elapsed}`;

export const cancelled = (jobId: string, by: string | null, hadClusterJobs: boolean) =>
  `🛑 ${jobId} cancelled${by ? ` by ${userText(by)}` : ''}. ${hadClusterJobs ? 'Its cluster jobs were cancelled.' : ''}`.trim();

export function relaunchCommand(p: LaunchParams): string {
  return `launch source="${p.source}" date=${p.nightFrom === p.nightTo ? p.nightFrom : `${p.nightFrom}..${p.nightTo}`} force=yes`;
}

export function failed(jobId: string, message: string, detail: string | undefined, next: string, relaunch: string, errorId: string): string {
  return [`❌ ${jobId} failed: ${message}`, detail ? `Last lines of the log:\n\`\`\`\n${detail}\n\`\`\`` : '', `What to do: ${next} To retry: \`${relaunch}\`. Error id: ${errorId}.`]
    .filter(Boolean)
    .join('\n');
}

export const internalError = (errorId: string) => ({
  message: 'An internal error stopped this job.',
  next: `An ASTRAN admin can look it up in the logs under ${errorId}.`,
});

/** The final thread message: headline numbers, cuts, per-run table. */
export function summaryText(job: JobRecord, r: AnalysisResult, attribution?: string, plotProblems: string[] = []): string {
  const t = r.total;
  const p = job.params;
  const o = r.options;
  const energy = o.emin !== undefined || o.emax !== undefined ? `${o.emin ?? 0}–${o.emax ?? '∞'} TeV` : 'all energies';
  const lines = [
    `✅ *${job.id}* done · ${r.source.name} · night ${fmtNights(p.nightFrom, p.nightTo)} · ${t.n_runs} run(s) · ${fmtDuration(t.livetime_s)} livetime`,
    `*${t.significance.toFixed(1)}σ* (Li & Ma) · excess ${t.excess.toFixed(1)} · N_on ${t.n_on}, N_off ${t.n_off}, α = ${t.alpha.toFixed(3)} · ${t.excess_rate_per_min.toFixed(2)} excess/min`,
    ...[fluxSummaryLine(t)].filter((x): x is string => x !== null),
    `Cuts: θ² < ${o.theta2Cut} deg²${o.useRadMax ? ' (RAD_MAX where present)' : ''}, ${o.offRegions} OFF region(s), ${energy}.`,
    ...(job.params.runDecLines ? [`${decLineText(job.params.runDecLines)}.`] : []),
    '```',
    formatRunsTable(r),
    '```',
  ];
  if (r.warnings.length) lines.push(...r.warnings.map((w) => `⚠️ ${w}`));
  lines.push(...plotProblems.map((w) => `⚠️ ${w}`));
  if (attribution) lines.push(`_${attribution}_`);
  return lines.join('\n');
}

export const plotFailed = (file: string, why: string, errorId: string) =>
  `${file} could not be drawn (${why}); the numbers above are unaffected. Error id: ${errorId}.`;

// --- failures with a cause the user can act on ---

export const fetchFailed = (runs: number[]) => ({
  message: `I could not copy the DL3 file${runs.length === 1 ? '' : 's'} of run(s) ${runs.join(', ')} from the cluster for the analysis.`,
  hint: 'The products were made; relaunching the same command (without force) only redoes the analysis. If it fails again, an admin should check the DL3 folder.',
});

export const analysisInputFailed = (what: string) => ({
  message: `The analysis could not read its input: ${what}.`,
  hint: 'That DL3 file is damaged or not a DL3 file: relaunch with force=yes to remake it, or leave that run out with `runs=`.',
});

export const analysisFailed = (files: number) => ({
  message: `The analysis of the ${files} DL3 file(s) stopped on an unexpected problem.`,
  hint: 'The products are kept: relaunching without force=yes only redoes the analysis. If it fails again, an ASTRAN admin can look it up in the logs under the error id below.',
});

// --- undeliverable messages (admins' channel) ---

/** Raw platform errors stay in the log (keyed by the item's key); the notice says what was lost and where. */
export function undeliveredNotice(item: OutboxItem): string {
  const what = item.role?.startsWith('final') ? "the final message (result) of job" : 'a message of job';
  const text = item.message.text.length > 600 ? item.message.text.slice(0, 600) + '…' : item.message.text;
  return `⚠️ ASTRAN could not deliver ${what} ${item.jobId ?? '(none)'} to its ${item.thread.adapter} thread after ${item.attempts + 1} ${plural(item.attempts + 1, 'try', 'tries')} (the log has the platform's answer under ${item.key}). The message was:\n${text}`;
}

// --- chat platform / mail outages (told through the job's other route) ---

const PLATFORM_NAMES: Record<string, string> = { slack: 'Slack', mattermost: 'Mattermost', email: 'e-mail', console: 'the console' };
const platformName = (adapter: string) => PLATFORM_NAMES[adapter] ?? adapter;
const utcTime = (iso: string) => `${iso.slice(11, 16)} UTC`;

export const deliveryDown = (jobId: string, adapter: string, sinceIso: string) =>
  `⚠️ Job ${jobId}: ASTRAN cannot post to the job's ${platformName(adapter)} thread since ${utcTime(sinceIso)} (${platformName(adapter)} is not taking messages). ` +
  'The job itself carries on; its messages are kept and delivered there when it works again. I will say so here.';

export const deliveryBack = (jobId: string, adapter: string, downFor: string, inThread: boolean) =>
  inThread
    ? `ℹ️ ${platformName(adapter)} did not take ASTRAN's messages for ${downFor}: the messages above were held back and delivered late (job ${jobId}).`
    : `✅ Job ${jobId}: posting to its ${platformName(adapter)} thread works again (after ${downFor}); the held-back messages are being delivered there.`;

export const deliveryGivenUp = (jobId: string, adapter: string, downFor: string, state: string) =>
  `⏰ Job ${jobId}: ASTRAN has tried for ${downFor} to post to its ${platformName(adapter)} thread and has given up on the oldest messages (the admins have them). ` +
  `The job is ${state}. To see where it stands, send \`status ${jobId}\` here or anywhere ASTRAN listens; the results are kept and are listed by \`status\` when it is done.`;
