import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { TestBackend } from '../../fakes/TestBackend.js';
import { makeServices, seedJob, TEST_NOW } from '../../fakes/fakeServices.js';
import { createLogger } from '../../../src/log.js';
import type { AnyCommandSpec } from '../../../src/dispatch/CommandSpec.js';
import { commandSpecs } from '../../../commands/index.js';
import type { InboundMessage, Reply } from '../../../src/core/types.js';
import { createDispatcher } from '../../../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../../../src/dispatch/Authorizer.js';

const alice = { adapter: 'test', userId: 'alice' };
const bob = { adapter: 'test', userId: 'bob' };

function captureLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: createLogger({ level: 'debug', destination: stream }), lines };
}

test('bots are acknowledged silently and never answered', async () => {
  const b = new TestBackend();
  const reply = await b.say('launch source=Crab date=yesterday', { isBot: true });
  assert.equal(reply, undefined);
  assert.equal(b.services.jobs.launches.length, 0);
});

test('launch: acknowledged once with the job id, JobControl called once, thread opened', async () => {
  const b = new TestBackend();
  const reply = await b.say('/astran launch source=Crab date=yesterday');
  assert.match(reply!.text, /Launched \*A-0001\*/);
  assert.equal(b.services.jobs.launches.length, 1);
  const job = b.services.store.getJob('A-0001')!;
  assert.ok(job.thread && b.threads.has(job.thread.key));
  assert.equal(b.acks.length, 1);
});

test('status in a job thread answers for that job; status JOB works anywhere; bare status → latest own job or a hint', async () => {
  const b = new TestBackend();
  const s = b.services;
  const j1 = seedJob(s, alice, { thread: { adapter: 'test', key: 'T1' }, stage: 'dl2_to_dl3' });
  const j2 = seedJob(s, bob, { thread: { adapter: 'test', key: 'T2' }, stage: 'dl1_to_dl2' });
  assert.match(await b.text('status', { user: 'bob', thread: 'T1' }), new RegExp(`^${j1.id}: running \\(dl2_to_dl3\\)`));
  assert.match(await b.text('status', { user: 'alice', thread: 'T2' }), new RegExp(`^${j2.id}`));
  assert.match(await b.text(`status ${j2.id.toLowerCase()}`, { user: 'alice' }), new RegExp(`^${j2.id}`));
  assert.match(await b.text('status', { user: 'alice' }), new RegExp(`^${j1.id}`), 'latest own job');
  const j3 = seedJob(s, alice, { state: 'done' });
  assert.match(await b.text('status', { user: 'alice' }), new RegExp(`^${j3.id}`), 'the newest one');
  assert.match(await b.text('status', { user: 'vera' }), /You have no jobs yet/);
});

test('cancel: confirmation then yes from the same person in the same thread executes', async () => {
  const b = new TestBackend();
  const job = seedJob(b.services, alice, { thread: { adapter: 'test', key: 'T1' } });
  const q = await b.text('cancel', { user: 'alice', thread: 'T1' });
  assert.equal(q, `Cancel ${job.id} (Crab Nebula, 20231206, stage dl1_to_dl2)? Reply \`yes\` within 2 minutes.`);
  assert.equal(b.services.jobs.cancels.length, 0, 'not before the yes');
  // Someone else's yes, or a yes elsewhere, does nothing.
  assert.match(await b.text('yes', { user: 'bob', thread: 'T1' }), /nothing waiting/);
  assert.match(await b.text('yes', { user: 'alice', thread: 'T9' }), /nothing waiting/);
  assert.equal(b.services.jobs.cancels.length, 0);
  assert.match(await b.text('Yes!', { user: 'alice', thread: 'T1' }), new RegExp(`Cancelling ${job.id}`));
  assert.deepEqual(b.services.jobs.cancels, [{ jobId: job.id, by: { adapter: 'test', userId: 'alice', displayName: 'alice', isBot: undefined } }]);
  // A second yes finds nothing.
  assert.match(await b.text('yes', { user: 'alice', thread: 'T1' }), /nothing waiting/);
});

test('cancel: anything other than yes drops the confirmation (and is handled normally)', async () => {
  const b = new TestBackend();
  const job = seedJob(b.services, alice);
  await b.text(`cancel ${job.id}`, { user: 'alice' });
  assert.match(await b.text('jobs', { user: 'alice' }), /Active \(1\)/);
  assert.match(await b.text('yes', { user: 'alice' }), /nothing waiting/);
  await b.text(`/astran cancel ${job.id}`, { user: 'alice' });
  assert.match(await b.text('no', { user: 'alice' }), /not doing `cancel`/);
  assert.equal(b.services.jobs.cancels.length, 0);
});

test('cancel: the confirmation expires after 2 minutes', async () => {
  const b = new TestBackend();
  const job = seedJob(b.services, alice);
  await b.text(`cancel ${job.id}`, { user: 'alice' });
  b.services.setNow(new Date(TEST_NOW.getTime() + 2 * 60_000 + 1));
  assert.match(await b.text('confirm', { user: 'alice' }), /expired/);
  assert.equal(b.services.jobs.cancels.length, 0);
});

test('cancel: /astran yes works as the answer; a job that finished meanwhile is not cancelled', async () => {
  const b = new TestBackend();
  const job = seedJob(b.services, alice);
  await b.text(`cancel ${job.id}`, { user: 'alice' });
  b.services.store.updateJob(job.id, { state: 'done', stage: null });
  assert.match(await b.text('/astran yes', { user: 'alice' }), /finished meanwhile \(done\)/);
  assert.equal(b.services.jobs.cancels.length, 0);
});

test('cancel: finished jobs, unknown jobs, missing id', async () => {
  const b = new TestBackend();
  const done = seedJob(b.services, alice, { state: 'done' });
  assert.match(await b.text(`cancel ${done.id}`), /already finished \(done\)/);
  assert.match(await b.text('cancel A-0077'), /no job `A-0077`/);
  const active = seedJob(b.services, alice);
  assert.match(await b.text('cancel'), new RegExp(`Which job\\?.*cancel ${active.id}`));
});

test('admin may cancel anyone’s job', async () => {
  const b = new TestBackend();
  const job = seedJob(b.services, alice);
  assert.match(await b.text(`cancel ${job.id}`, { user: 'admin' }), /^Cancel /);
  assert.match(await b.text('yes', { user: 'admin' }), /Cancelling/);
  assert.equal(b.services.jobs.cancels[0].by.userId, 'admin');
});

test('an exception inside a command becomes a reply with an error id; detail only in the log', async () => {
  const { log, lines } = captureLog();
  const services = makeServices({ log });
  services.nights.runs = async () => {
    throw new Error('ENOENT: no such file /fefs/onsite/secret-host.example:22/RunCatalog');
  };
  const b = new TestBackend({ services });
  const reply = await b.say('launch source=Crab date=yesterday');
  assert.match(reply!.text, /something went wrong with `launch` \(error E-[0-9A-F]{6}\)/);
  assert.doesNotMatch(reply!.text, /fefs|ENOENT|secret-host|at /);
  const id = /E-[0-9A-F]{6}/.exec(reply!.text)![0];
  const logged = lines.find((l) => l.includes(id));
  assert.ok(logged && logged.includes('ENOENT'), 'full detail logged under the error id');
  // The next message is unaffected.
  assert.match(await b.text('sources'), /Known sources/);
});

test('an error in one message never affects concurrent others', async () => {
  const services = makeServices();
  const orig = services.nights.runs.bind(services.nights);
  services.nights.runs = async (src, a, b) => {
    if (src.name === 'Mrk 421') throw new Error('boom');
    return orig(src, a, b);
  };
  const b = new TestBackend({ services });
  const texts = Array.from({ length: 40 }, (_, i) => (i % 2 ? 'launch source=Mrk421 date=yesterday' : 'launch source=Crab date=yesterday'));
  const replies = await Promise.all(texts.map((t) => b.text(t)));
  replies.forEach((r, i) => assert.match(r, i % 2 ? /error E-/ : /^Launched/));
  assert.equal(b.services.jobs.launches.length, 20);
});

test('ack is called exactly once even when the adapter ack throws, and handle never rejects', async () => {
  const services = makeServices();
  const handle = createDispatcher({ services, authorizer: createAuthorizer({ 'test:alice': 'launcher' }), specs: commandSpecs, log: services.log });
  let calls = 0;
  const msg: InboundMessage = {
    id: 'x',
    identity: { adapter: 'test', userId: 'alice' },
    text: 'help',
    receivedAt: new Date(),
    ack: async () => {
      calls++;
      throw new Error('socket closed');
    },
  };
  await handle(msg);
  assert.equal(calls, 1);
});

test('a command that replies with empty text still gets a non-empty answer', async () => {
  const silent: AnyCommandSpec = {
    name: 'noop',
    summary: 's',
    usage: 'noop',
    examples: [],
    args: [],
    permission: 'viewer',
    sideEffects: 'none',
    check: async () => ({ ok: true, args: {} }),
    run: async () => ({ text: '' }) as Reply,
  };
  const b = new TestBackend({ specs: [silent] });
  const r = await b.say('noop');
  assert.equal(r!.text, 'Done.');
  assert.equal(b.acks.length, 1);
});

test('launch is acknowledged without waiting for the background work JobControl started', async () => {
  const services = makeServices();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let backgroundDone = false;
  const origLaunch = services.jobs.launch.bind(services.jobs);
  services.jobs.launch = async (p, r, m) => {
    const job = await origLaunch(p, r, m);
    void gate.then(() => (backgroundDone = true)); // the pipeline, still blocked
    return job;
  };
  const b = new TestBackend({ services });
  assert.match(await b.text('launch source=Crab date=yesterday'), /^Launched/);
  assert.equal(backgroundDone, false);
  release();
  await gate;
});

test('help and did-you-mean come from the specs', async () => {
  const b = new TestBackend();
  const help = await b.text('help');
  for (const s of commandSpecs) assert.ok(help.includes(`/astran ${s.usage}`), s.name);
  const launchHelp = await b.text('help launch');
  for (const a of commandSpecs.find((s) => s.name === 'launch')!.args) assert.ok(launchHelp.includes(`\`${a.name}\``), a.name);
  assert.match(launchHelp, /date=20231209/, 'date example is yesterday');
});

test('jobs lists active and recently finished jobs', async () => {
  const b = new TestBackend();
  const a = seedJob(b.services, alice, { stage: 'dl1_to_dl2' });
  const d = seedJob(b.services, bob, { state: 'failed' });
  const out = await b.text('jobs', { user: 'vera' });
  assert.match(out, new RegExp(`Active \\(1\\)\\*\\n• ${a.id} \\(Crab Nebula, 20231206, stage dl1_to_dl2\\) — test:alice`));
  assert.match(out, new RegExp(`Recently finished\\*\\n• ${d.id} .*failed.* — test:bob`));
  assert.doesNotMatch(await b.text('jobs mine', { user: 'alice' }), new RegExp(d.id));
});

test('a UserFacingError from JobControl is shown as written, with an error id', async () => {
  const { UserFacingError } = await import('../../../src/core/errors.js');
  const services = makeServices();
  services.jobs.launch = async () => {
    throw new UserFacingError('The cluster is in maintenance until 12:00 UTC.', 'Try again later.');
  };
  const b = new TestBackend({ services });
  const r = await b.say('launch source=Crab date=yesterday');
  assert.match(r!.text, /^The cluster is in maintenance until 12:00 UTC\. Try again later\. \(error E-[0-9A-F]{6}\)$/);
  assert.equal(r!.rejected, true);
});
