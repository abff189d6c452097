/**
 * Acknowledgement latency of the dispatcher: 1,000 mixed commands (valid and invalid, several
 * users and roles) fed concurrently through the real dispatcher with in-memory services.
 * Latency = time from handle(msg) to msg.ack(). All N start in the same tick on one thread, so the
 * p99 is close to the CPU time of the whole batch. The batch is repeated (each on fresh services)
 * because a shared machine adds noise: the first batch, the median batch and the best batch are
 * printed, plus a one-at-a-time pass (a lone message's latency) and CPU time per message.
 * Run: npx tsx bench/dispatch-latency.ts [N] [batches]
 */
import { performance } from 'node:perf_hooks';
import { createDispatcher } from '../src/dispatch/Dispatcher.js';
import { createAuthorizer } from '../src/dispatch/Authorizer.js';
import { commandSpecs } from '../commands/index.js';
import { makeServices, seedJob } from '../test/fakes/fakeServices.js';
import type { InboundHandler, InboundMessage } from '../src/core/types.js';

const N = Number(process.argv[2] ?? 1000);
const BATCHES = Number(process.argv[3] ?? 7);
const SLACK_DEADLINE_MS = 3000;

const MIX = [
  'launch source=Crab date=yesterday',
  '/astran launch source="PKS 2155-304" date=20231201 theta2_cut=0.03',
  'launch source=Crabb date=20230230 theta2_cut=0.7',
  'launch source=Crab date=20231207',
  'launch source=Crab',
  'status',
  'status A-0001',
  'jobs',
  'help launch',
  'help',
  'nights source=crab',
  'sources',
  'lanch source=Crab',
  'cancel A-0002',
  'yes',
  '“quoted ‘stuff’ = = ” —',
];
const USERS = ['alice', 'bob', 'vera', 'admin', 'eve'];

function message(i: number, onAck: () => void): InboundMessage {
  return {
    id: `b-${i}`,
    identity: { adapter: 'bench', userId: USERS[i % USERS.length] },
    text: MIX[i % MIX.length],
    thread: i % 7 === 0 ? { adapter: 'bench', key: `T${i % 20}` } : undefined,
    channel: 'C1',
    receivedAt: new Date(),
    ack: async () => onAck(),
  };
}

function setup(): InboundHandler {
  const services = makeServices();
  for (let i = 0; i < 20; i++) seedJob(services, { adapter: 'bench', userId: USERS[i % 2] }, { thread: { adapter: 'bench', key: `T${i}` } });
  return createDispatcher({
    services,
    authorizer: createAuthorizer({ 'bench:admin': 'admin', 'bench:alice': 'launcher', 'bench:bob': 'launcher', 'bench:vera': 'viewer' }),
    specs: commandSpecs,
    log: services.log,
  });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

interface Batch {
  median: number;
  p99: number;
  wall: number;
  cpuUs: number;
  acks: number;
}

async function concurrentBatch(): Promise<Batch> {
  const handle = setup();
  for (let i = 0; i < 50; i++) await handle(message(i, () => {})); // warm-up: JIT, caches
  const lat: number[] = new Array(N);
  let acks = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: N }, (_, i) => {
      const start = performance.now();
      return handle(
        message(i, () => {
          lat[i] = performance.now() - start;
          acks++;
        }),
      );
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  return { median: pct(lat, 0.5), p99: pct(lat, 0.99), wall, cpuUs: cpu.user + cpu.system, acks };
}

const batches: Batch[] = [];
for (let b = 0; b < BATCHES; b++) batches.push(await concurrentBatch());
const show = (label: string, b: Batch) =>
  console.log(
    `${label.padEnd(13)} median ${b.median.toFixed(2)} ms, p99 ${b.p99.toFixed(2)} ms (${((b.p99 / SLACK_DEADLINE_MS) * 100).toFixed(2)} % of Slack's 3 s), wall ${b.wall.toFixed(1)} ms, CPU ${(b.cpuUs / N).toFixed(1)} µs/msg`,
  );
console.log(`${N} mixed commands fed concurrently, ${BATCHES} batches; goal p99 < 50 ms`);
const byP99 = [...batches].sort((a, b) => a.p99 - b.p99);
show('first batch', batches[0]);
show('median batch', byP99[Math.floor(byP99.length / 2)]);
show('best batch', byP99[0]);

const handle = setup();
const seq: number[] = [];
for (let i = 0; i < N; i++) {
  const start = performance.now();
  await handle(message(i, () => seq.push(performance.now() - start)));
}
seq.sort((a, b) => a - b);
console.log(`one at a time: median ${pct(seq, 0.5).toFixed(3)} ms, p99 ${pct(seq, 0.99).toFixed(3)} ms`);
if (batches.some((b) => b.acks !== N) || seq.length !== N) {
  console.error('some messages were not acknowledged exactly once');
  process.exitCode = 1;
}
