/**
 * Acknowledgement latency of the Mattermost slash-command endpoint: a burst of N (default 500)
 * slash commands sent at once, as a busy Mattermost server would, against the adapter's HTTP
 * endpoint with a trivial handler that acks straight away. The adapter and the fake Mattermost
 * (for users/me and the WebSocket) run in this process; the load comes from a child process, like
 * the real server, so client CPU is not charged to the adapter. Latency = request sent → JSON
 * answer received. A sequential pass shows a lone command's latency. Goal: p99 < 100 ms.
 * Run: npx tsx bench/mattermost-ack.ts [N]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';

const GOAL_P99_MS = 100;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(label: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `${label}: n=${s.length} median=${pct(s, 50).toFixed(2)} ms p99=${pct(s, 99).toFixed(2)} ms max=${s[s.length - 1].toFixed(2)} ms`;
}

interface ClientArgs {
  url: string;
  token: string;
  channelId: string;
  userId: string;
  n: number;
}

/** Child process: fire the commands and print the latencies as JSON. */
async function client(a: ClientArgs): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: a.n });
  const target = new URL(a.url);
  const one = (i: number): Promise<{ ms: number; ok: boolean }> =>
    new Promise((resolve, reject) => {
      const body = new URLSearchParams({ channel_id: a.channelId, user_id: a.userId, user_name: 'alice', command: '/astran', text: `status A-${i}`, token: a.token, trigger_id: `t${i}-${Date.now()}` }).toString();
      const t0 = performance.now();
      const req = http.request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body), Authorization: `Token ${a.token}` } },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => {
            const ms = performance.now() - t0;
            const json = JSON.parse(Buffer.concat(parts).toString()) as { text?: string };
            resolve({ ms, ok: res.statusCode === 200 && json.text === `ok status A-${i}` });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  for (let i = 0; i < 20; i++) await one(i); // warm-up (JIT)
  // Cold burst: every request opens its own TCP connection.
  const cold = await Promise.all(Array.from({ length: a.n }, (_, i) => one(i)));
  // Warm burst: the same N connections kept alive, as a server's HTTP client pool reuses them.
  const burst = await Promise.all(Array.from({ length: a.n }, (_, i) => one(i)));
  const seq: { ms: number; ok: boolean }[] = [];
  for (let i = 0; i < Math.min(a.n, 200); i++) seq.push(await one(i));
  agent.destroy();
  process.stdout.write(JSON.stringify({ cold, burst, seq }));
}

type Sample = { ms: number; ok: boolean };

async function runClient(args: ClientArgs): Promise<{ cold: Sample[]; burst: Sample[]; seq: Sample[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--client', JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (code !== 0) throw new Error(`load client exited with ${code}`);
  return JSON.parse(out);
}

async function main(n: number): Promise<void> {
  const { startMattermostRig } = await import('../test/fakes/mattermost/mattermostRig.js');
  let handled = 0;
  const rig = await startMattermostRig({
    handler: async (msg) => {
      handled++;
      await msg.ack({ text: `ok ${msg.text}`, ephemeral: true });
    },
  });
  try {
    const args: ClientArgs = { url: rig.slashUrl, token: rig.slashToken, channelId: rig.fake.channel.id, userId: rig.fake.alice.id, n };
    // Server side: request received → answer written, per request (includes event-loop queueing).
    const serverMs: number[] = [];
    rig.adapter.slashCommandServer!.httpServer!.prependListener('request', (_req, res) => {
      const t0 = performance.now();
      res.on('finish', () => serverMs.push(performance.now() - t0));
    });
    const r = await runClient(args);
    // The client's phases: 20 warm-up, N cold, N warm, then the sequential pass.
    const serverWarm = serverMs.slice(20 + n, 20 + 2 * n);
    // Control: a bare node:http server answering the same JSON, to separate the machine's cost of
    // N simultaneous HTTP requests from the adapter's own.
    const bare = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const data = JSON.stringify({ response_type: 'ephemeral', text: `ok ${new URLSearchParams(body).get('text')}` });
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
        res.end(data);
      });
    });
    await new Promise<void>((ok) => bare.listen(0, '127.0.0.1', ok));
    const port = (bare.address() as { port: number }).port;
    const b = await runClient({ ...args, url: `http://127.0.0.1:${port}/mattermost/command` });
    await new Promise<void>((ok) => bare.close(() => ok()));

    const wrong = [...r.cold, ...r.burst, ...r.seq].filter((x) => !x.ok).length;
    const p99 = pct(r.burst.map((x) => x.ms).sort((a, b) => a - b), 99);
    const ms = (xs: { ms: number }[]) => xs.map((x) => x.ms);
    console.log(summary(`adapter, burst of ${n} on new connections`, ms(r.cold)));
    console.log(summary(`adapter, burst of ${n} on kept-alive connections`, ms(r.burst)));
    console.log(summary('adapter, sequential', ms(r.seq)));
    console.log(summary(`adapter server side (request → answer written), kept-alive burst`, serverWarm));
    console.log(summary(`bare http server, burst of ${n} on new connections`, ms(b.cold)));
    console.log(summary(`bare http server, burst of ${n} on kept-alive connections`, ms(b.burst)));
    console.log(summary('bare http server, sequential', ms(b.seq)));
    console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`handled=${handled} wrong answers=${wrong} goal p99<${GOAL_P99_MS} ms (kept-alive burst): ${p99 < GOAL_P99_MS ? 'met' : 'NOT met'}`);
    if (wrong > 0) process.exitCode = 1;
  } finally {
    await rig.close();
  }
}

if (process.argv[2] === '--client') await client(JSON.parse(process.argv[3]) as ClientArgs);
else await main(Number(process.argv[2] ?? 500));
