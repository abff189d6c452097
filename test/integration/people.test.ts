/**
 * People, roles and Slurm accounts (issue #9 §6) on the REAL Slurm cluster of scripts/services/slurm.sh, with
 * accounting: the cluster user `astran` has its default account `astran` and a person's account `astran_alice` with
 * QoS `astran_high` (both made by `slurm.sh up`). What Slurm recorded is read back with `sacct -o Account,QOS,
 * Partition,Comment`. Chat platforms are recording adapters named like the real ones (identities as they build them).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { ensureCluster, type ClusterEnv } from '../helpers/slurmCluster.js';
import { RecordingAdapter } from '../fakes/RecordingAdapter.js';
import { World, sacctJobs, squeueJobs, waitFinal, waitUntil } from '../helpers/slurmBot.js';
import { formatJobId } from '../../src/store/jobIds.js';
import { withoutMarks } from '../../src/core/userText.js';
import type { Bot } from '../../src/bot/createBot.js';
import type { JobRecord } from '../../src/core/JobStore.js';

/** Made by scripts/services/slurm.sh (ensure_accounts). */
const PERSON_ACCOUNT = 'astran_alice';
const PERSON_QOS = 'astran_high';
const DEFAULT_ACCOUNT = 'astran';

let cluster: ClusterEnv;
const worlds: World[] = [];

before(() => {
  cluster = ensureCluster();
});

after(() => {
  const left = worlds.flatMap((w) => [1, 2, 3, 4, 5].flatMap((i) => squeueJobs(formatJobId('E', w.firstSeq + i)).map((j) => j.arrayId)));
  if (left.length) execFileSync('scancel', left);
  for (const w of worlds) w.cleanup();
});

const PEOPLE = {
  alice: {
    name: 'Alice Example',
    role: 'launcher',
    identities: ['slack:U0ALICE', 'alice@iac.test'],
    slurm: { account: PERSON_ACCOUNT, partition: 'debug', qos: PERSON_QOS },
  },
  dan: { name: 'Dan', role: 'launcher', identities: ['slack:U0DAN'] },
  bob: { name: 'Bob Admin', role: 'admin', identities: ['slack:U0BOB'] },
};

function world(o: { slurmAccount: string | null; auth?: Record<string, string> }) {
  const slack = new RecordingAdapter('slack');
  const email = new RecordingAdapter('email');
  const w = new World({
    cluster,
    runs: [{ night: '20231207', runId: 1807, catalogName: 'Crab', hess: 23523 }],
    // Tasks wait, so a job is still running when it is cancelled from another adapter.
    setupExtra: ['sleep 90'],
    people: PEOPLE,
    auth: o.auth ?? {},
    slurmAccount: o.slurmAccount,
    extraAdapters: [slack, email],
  });
  worlds.push(w);
  return { w, slack, email };
}

interface Charged {
  name: string;
  account: string;
  qos: string;
  partition: string;
  comment: string;
}

/** What accounting recorded for each array job of an ASTRAN job: account, QoS, partition and comment. */
function sacctCharges(jobId: string): Charged[] {
  const arrays = new Set(sacctJobs(jobId).map((j) => j.arrayId));
  const out = execFileSync('sacct', ['-n', '-P', '-X', '-a', '-S', 'now-2hours', '-o', 'JobID,JobName%80,Account,QOS,Partition,Comment%300'], { encoding: 'utf8' });
  const rows = new Map<string, Charged>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [id, name, account, qos, partition, ...comment] = line.split('|');
    const arrayId = id!.split('_')[0]!;
    if (arrays.has(arrayId) && !rows.has(arrayId)) rows.set(arrayId, { name: name!, account: account!, qos: qos!, partition: partition!, comment: comment.join('|') });
  }
  // The first stage first (in chain mode every stage is submitted at launch).
  return [...rows.values()].sort((a, b) => Number(!a.name.includes('-dl1_to_dl2-')) - Number(!b.name.includes('-dl1_to_dl2-')));
}

async function submitted(bot: Bot, jobId: string): Promise<void> {
  await waitUntil(`a stage of ${jobId} submitted`, () => bot.store.submissions(jobId).some((s) => s.backendRef !== null), 60_000);
  await waitUntil(`${jobId} in accounting`, () => sacctCharges(jobId).length > 0, 30_000);
}

/** Slurm's accounting records the comment once the array has ended (slurmdbd gets it with the end record). */
async function sacctComment(jobId: string): Promise<string> {
  return await waitUntil(`the comment of ${jobId} in accounting`, () => sacctCharges(jobId).find((c) => c.name.includes('-dl1_to_dl2-') && c.comment !== '')?.comment, 30_000);
}

/** The live comment as slurmctld has it (squeue %k), while the array is queued or running. */
function squeueComment(jobId: string): string {
  const out = execFileSync('squeue', ['-h', '-a', '-o', '%j|%k'], { encoding: 'utf8' });
  return out.split('\n').find((l) => l.includes(`_${jobId}-dl1_to_dl2-`))?.split('|').slice(1).join('|') ?? '';
}

async function cancelAndWait(bot: Bot, job: JobRecord, by: { adapter: string; userId: string }): Promise<JobRecord> {
  await bot.orchestrator.cancel(bot.store.getJob(job.id)!, by);
  const final = await waitFinal(bot, job.id);
  await waitUntil(`${job.id} gone from the queue`, () => squeueJobs(job.id).length === 0, 30_000);
  return final;
}

describe('people, roles and Slurm accounts on the real cluster', { concurrency: false }, () => {
  test("no default account: a person without one is refused before sbatch; Alice's launch by mail runs under her account, is listed by `jobs mine` and cancelled from Slack", async () => {
    const { w, slack, email } = world({ slurmAccount: null });
    const { bot } = await w.bot();
    try {
      // Dan has no account of his own and there is no default: a clear refusal, and nothing reaches Slurm.
      const refused = await slack.say('launch source=Crab date=20231207', undefined, { userId: 'U0DAN', displayName: 'dan' });
      assert.equal(refused?.rejected, true);
      assert.match(refused!.text, /You have no Slurm account in ASTRAN's configuration, and there is no default account to charge, so nothing was submitted\./);
      assert.match(refused!.text, /Ask an ASTRAN admin \(Bob Admin\) to add your Slurm account to your entry `people\.dan`/);
      assert.equal(bot.store.listJobs().length, 0);
      const danJob = formatJobId('E', w.firstSeq + 1);
      assert.deepEqual(sacctJobs(danJob), [], 'no sbatch for the refused launch');
      assert.deepEqual(squeueJobs(danJob), []);

      // Alice launches by e-mail: charged to her own account, partition and QoS; the comment names her.
      const launched = await email.say('launch source=Crab date=20231207', undefined, { userId: 'alice@iac.test', displayName: 'Alice' });
      assert.ok(!launched?.rejected, launched?.text);
      const job = bot.store.listJobs({ limit: 1 })[0]!;
      assert.equal(job.id, danJob, 'the refused launch used up no job number');
      assert.deepEqual(job.owner, { person: 'alice', name: 'Alice Example' });
      await submitted(bot, job.id);
      const charges = sacctCharges(job.id);
      const [first] = charges;
      // Every stage's array (all submitted at once in chain mode) is charged to her.
      for (const c of charges) assert.deepEqual([c.account, c.qos, c.partition], [PERSON_ACCOUNT, PERSON_QOS, 'debug'], c.name);
      const comment = new RegExp(`^astran:[0-9a-f]{6}_${job.id}:dl1_to_dl2:1:requester=alice$`);
      assert.match(squeueComment(job.id), comment);
      // The job-name lookup (adoption after a crash) is unchanged by the longer comment.
      assert.match(first!.name, new RegExp(`^astran-[0-9a-f]{6}_${job.id}-dl1_to_dl2-a1$`));

      // From Slack, the same person: `jobs mine` lists it, `jobs` names her, and she may cancel it.
      const mine = await slack.say('jobs mine', undefined, { userId: 'U0ALICE' });
      assert.match(withoutMarks(mine!.text), new RegExp(`• ${job.id} \\(Crab Nebula, 20231207, [^)]*\\) — Alice Example`));
      assert.doesNotMatch((await slack.say('jobs mine', undefined, { userId: 'U0DAN' }))!.text, new RegExp(job.id));
      assert.match((await slack.say(`cancel ${job.id}`, undefined, { userId: 'U0DAN' }))!.text, /you can cancel only your own jobs/);
      assert.match((await slack.say(`cancel ${job.id}`, undefined, { userId: 'U0ALICE' }))!.text, new RegExp(`^Cancel ${job.id}`));
      assert.match((await slack.say('yes', undefined, { userId: 'U0ALICE' }))!.text, new RegExp(`Cancelling ${job.id}`));
      const final = await waitFinal(bot, job.id);
      assert.equal(final.state, 'cancelled');
      await waitUntil('the cancelled arrays gone from the queue', () => squeueJobs(job.id).length === 0, 30_000);
      assert.match(await sacctComment(job.id), comment);
      assert.ok(sacctJobs(job.id).every((j) => j.states.every((s) => s === 'CANCELLED')), JSON.stringify(sacctJobs(job.id)));
      // The job's thread is in the mail conversation: it names her as the requester and as who cancelled it.
      assert.equal(final.thread!.adapter, 'email');
      assert.match(email.text(final.thread!.key), /requested by Alice Example/);
      assert.match(email.text(final.thread!.key), new RegExp(`🛑 ${job.id} cancelled by Alice Example\.`));
    } finally {
      await bot.stop();
    }
  });

  test('default account: a requester on a domain pattern is charged to it, a hostile address stays one safe word in the comment; standing orders use the default, not the subscriber’s', async () => {
    const pwned = `/tmp/astran-pwned-people-${randomUUID().slice(0, 8)}`;
    const { w, slack, email } = world({ slurmAccount: DEFAULT_ACCOUNT, auth: { 'email:*@iac.test': 'launcher' } });
    const { bot } = await w.bot();
    try {
      const hostile = `o'hara$(touch\${IFS}${pwned})@iac.test`;
      const r = await email.say('launch source=Crab date=20231207', undefined, { userId: hostile });
      assert.ok(!r?.rejected, r?.text);
      const job = bot.store.listJobs({ limit: 1 })[0]!;
      assert.equal(job.owner, null);
      await submitted(bot, job.id);
      const [row] = sacctCharges(job.id);
      assert.equal(row!.account, DEFAULT_ACCOUNT);
      assert.equal(row!.partition, 'debug');
      const tag = `email:o_hara__touch__IFS_${pwned.replace(/\//g, '_')}_@iac.test`;
      assert.equal(squeueComment(job.id).replace(/^astran:[0-9a-f]{6}_/, ''), `${job.id}:dl1_to_dl2:1:requester=${tag}`);
      await cancelAndWait(bot, job, { adapter: 'slack', userId: 'U0BOB' });
      assert.equal((await sacctComment(job.id)).replace(/^astran:[0-9a-f]{6}_/, ''), `${job.id}:dl1_to_dl2:1:requester=${tag}`);
      assert.equal(existsSync(pwned), false, 'the address never reached a shell');

      // Alice (own account) subscribes; the watcher's job serves every subscriber: default account, watcher named.
      assert.match((await slack.say('subscribe source=Crab', undefined, { userId: 'U0ALICE' }))!.text, /Crab Nebula/);
      const pass = await bot.watcher.pass({ night: '20231207', digest: 'skip' });
      assert.equal(pass.launched.length, 1, pass.lines.join('\n'));
      const watched = bot.store.getJob(pass.launched[0]!)!;
      assert.equal(watched.requester.adapter, 'watch');
      assert.equal(watched.owner, null);
      assert.equal(watched.charge, null);
      await submitted(bot, watched.id);
      const [wrow] = sacctCharges(watched.id);
      assert.equal(wrow!.account, DEFAULT_ACCOUNT, 'a standing order is charged to the default account, not to Alice’s');
      assert.notEqual(wrow!.qos, PERSON_QOS);
      assert.match(squeueComment(watched.id), /:dl1_to_dl2:1:requester=watch:watch$/);
      await cancelAndWait(bot, watched, { adapter: 'slack', userId: 'U0BOB' });
      assert.match(await sacctComment(watched.id), /:dl1_to_dl2:1:requester=watch:watch$/);
    } finally {
      await bot.stop();
      rmSync(pwned, { force: true });
    }
  });
});
