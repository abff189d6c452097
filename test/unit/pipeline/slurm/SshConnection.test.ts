import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { silentLogger } from '../../../../src/log.js';
import { ConnectionLostError, SshConnection, type ConnectionChange } from '../../../../src/pipeline/slurm/SshConnection.js';

/** A TCP server that hangs up on every connection: an sshd that is not there. Counts attempts. */
async function hangUpServer(): Promise<{ port: number; attempts: () => number; close: () => Promise<void> }> {
  let n = 0;
  const srv = createServer((s) => {
    n++;
    s.destroy();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as { port: number }).port, attempts: () => n, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

test('unreachable cluster: reported down ONCE while retrying quietly; calls fail after the bound', async () => {
  const srv = await hangUpServer();
  const port = srv.port;
  const conn = new SshConnection(
    {
      host: '127.0.0.1',
      port,
      user: 'nobody',
      private_key_path: undefined,
      agent: undefined,
      known_hosts_path: '/nonexistent/known_hosts',
      allow_first_use: false,
      keepalive_interval_s: 1,
      keepalive_count_max: 3,
      ready_timeout_s: 1,
      reconnect_initial_s: 0.05,
      reconnect_max_s: 0.1,
      operation_timeout_s: 0.8,
    },
    silentLogger,
  );
  const changes: ConnectionChange[] = [];
  conn.on('change', (c: ConnectionChange) => changes.push(c));
  await conn.start(); // does not throw: the orchestrator is told through the event
  await assert.rejects(conn.exec('true', { retry: true }), ConnectionLostError);
  await conn.stop();
  await srv.close();
  assert.ok(srv.attempts() >= 2, `reconnection was retried (${srv.attempts()} attempts)`);
  assert.deepEqual(changes, [{ state: 'down', reason: 'cluster unreachable; retrying' }]);
  assert.doesNotMatch(changes[0]!.reason!, /127\.0\.0\.1|known_hosts/);
});
