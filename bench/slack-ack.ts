/**
 * Acknowledgement latency of the Slack adapter with a trivial handler (acks at once).
 *
 * HTTP mode: a burst of N (default 500) signed slash commands fired together at the adapter's
 * endpoint from a child process (as Slack's servers would; client CPU is not charged to the
 * adapter): one cold burst, one warm-up, three measured warm bursts (pooled), then a sequential pass
 * for a lone command's latency. Latency = request sent → answer.
 * Socket Mode: N envelopes pushed together over the fake's WebSocket (fake and adapter share this
 * process); latency = envelope sent → ack received by the fake. Goal: p99 < 100 ms.
 *
 *   node --import tsx bench/slack-ack.ts [N]
 */
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { MemoryJobStore } from '../src/store/MemoryJobStore.js';
import { startFakeSlack, type EnvelopeAck } from '../test/fakes/slack/FakeSlack.js';
import { FAKE_SIGNING_SECRET, slackAdapterForFake } from '../test/fakes/slack/adapterForFake.js';

const GOAL_P99_MS = 100;

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { n: s.length, median_ms: +q(0.5).toFixed(2), p99_ms: +q(0.99).toFixed(2), max_ms: +s[s.length - 1].toFixed(2) };
}

interface ClientArgs {
  url: string;
  responseBase: string;
  n: number;
  sequential: boolean;
}

/** Child process: sign and fire the commands, print latencies as JSON. */
async function client(a: ClientArgs): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: a.sequential ? 1 : a.n });
  const target = new URL(a.url);
  const one = (i: number): Promise<{ ms: number; ok: boolean }> => {
    const body = new URLSearchParams({
      token: 'x', team_id: 'T0FAKE01', team_domain: 'fake', channel_id: 'C0ASTRAN', channel_name: 'astran',
      user_id: 'U0ALICE', user_name: 'alice', command: '/astran', text: `status ${i}`, api_app_id: 'A0FAKE01',
      is_enterprise_install: 'false', response_url: `${a.responseBase}/respond/${i}`,
      trigger_id: `${Date.now()}.${i}.${randomBytes(8).toString('hex')}`,
    }).toString();
    const ts = Math.floor(Date.now() / 1000);
    const sig = 'v0=' + createHmac('sha256', FAKE_SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex');
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-slack-request-timestamp': ts, 'x-slack-signature': sig } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ ms: performance.now() - t0, ok: res.statusCode === 200 && text.includes(`ok status ${i}`) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
  const out: { ms: number; ok: boolean }[] = [];
  if (a.sequential) for (let i = 0; i < a.n; i++) out.push(await one(i));
  else out.push(...(await Promise.all(Array.from({ length: a.n }, (_, i) => one(i)))));
  agent.destroy();
  process.stdout.write(JSON.stringify(out));
}

function runClient(args: ClientArgs): Promise<{ ms: number; ok: boolean }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--client', JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exited ${code}`))));
  });
}

async function httpMode(n: number) {
  const fake = await startFakeSlack({ channels: ['C0ASTRAN'], echoBotMessages: false });
  const adapter = slackAdapterForFake(fake, new MemoryJobStore(), { mode: 'http' });
  await adapter.start(async (msg) => msg.ack({ text: `ok ${msg.text}`, ephemeral: true }));
  const args = { url: adapter.httpUrl!, responseBase: fake.origin };
  try {
    // The first burst runs on cold (unoptimised) code: report it, then warm bursts.
    const cold = await runClient({ ...args, n, sequential: false });
    await runClient({ ...args, n, sequential: false });
    const bursts: { ms: number; ok: boolean }[][] = [];
    for (let k = 0; k < 3; k++) bursts.push(await runClient({ ...args, n, sequential: false }));
    const burst = bursts.flat();
    const seq = await runClient({ ...args, n: 200, sequential: true });
    return {
      cold_burst: { ...stats(cold.map((r) => r.ms)), failed: cold.filter((r) => !r.ok).length },
      warm_bursts_p99_ms: bursts.map((b) => stats(b.map((r) => r.ms)).p99_ms),
      burst: { ...stats(burst.map((r) => r.ms)), failed: burst.filter((r) => !r.ok).length },
      sequential: { ...stats(seq.map((r) => r.ms)), failed: seq.filter((r) => !r.ok).length },
    };
  } finally {
    await adapter.stop();
    await fake.close();
  }
}

/** Same client against a bare node:http server that answers at once: the machine's floor for this burst. */
async function floor(n: number) {
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = new URLSearchParams(Buffer.concat(chunks).toString()).get('text');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ response_type: 'ephemeral', text: `ok ${text}` }));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  const args = { url: `http://127.0.0.1:${port}/slack/events`, responseBase: 'http://127.0.0.1', n, sequential: false };
  try {
    await runClient(args);
    await runClient(args);
    const runs: { ms: number; ok: boolean }[][] = [];
    for (let k = 0; k < 3; k++) runs.push(await runClient(args));
    return { burst: stats(runs.flat().map((r) => r.ms)) };
  } finally {
    srv.close();
  }
}

async function socketMode(n: number) {
  const fake = await startFakeSlack({ channels: ['C0ASTRAN'], echoBotMessages: false });
  const adapter = slackAdapterForFake(fake, new MemoryJobStore());
  await adapter.start(async (msg) => msg.ack({ text: `ok ${msg.text}`, ephemeral: true }));
  const send = (i: number) => fake.slashCommand({ text: `status ${i}`, channel_id: 'C0ASTRAN' });
  try {
    const cold = await Promise.all(Array.from({ length: n }, (_, i) => send(i)));
    await Promise.all(Array.from({ length: n }, (_, i) => send(i)));
    const burst: typeof cold = [];
    for (let k = 0; k < 3; k++) burst.push(...(await Promise.all(Array.from({ length: n }, (_, i) => send(i)))));
    const seq: typeof burst = [];
    for (let i = 0; i < 200; i++) seq.push(await send(i));
    const ok = (r: (typeof burst)[number], i: number) => JSON.stringify((r.ack as EnvelopeAck).payload).includes(`ok status ${i % n}`);
    return {
      cold_burst: stats(cold.map((r) => (r.ack as EnvelopeAck).ms)),
      burst: { ...stats(burst.map((r) => (r.ack as EnvelopeAck).ms)), failed: burst.filter((r, i) => !ok(r, i)).length },
      sequential: { ...stats(seq.map((r) => (r.ack as EnvelopeAck).ms)), failed: seq.filter((r, i) => !ok(r, i)).length },
    };
  } finally {
    await adapter.stop();
    await fake.close();
  }
}

if (process.argv[2] === '--client') {
  await client(JSON.parse(process.argv[3]) as ClientArgs);
} else {
  const n = Number(process.argv[2] ?? 500);
  const result = { bench: 'slack-ack', count: n, cpus: cpus().length, goal_p99_ms: GOAL_P99_MS, http: await httpMode(n), bare_http_floor: await floor(n), socket: await socketMode(n) };
  console.log(JSON.stringify(result, null, 2));
}
