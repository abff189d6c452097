/** What the Slurm backend calls an outage (to be waited out) and what it calls an answer, on recorded client messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlurmBackend, SlurmError } from '../../../../src/pipeline/slurm/SlurmBackend.js';
import { ClusterUnavailableError } from '../../../../src/pipeline/ClusterBackend.js';
import { silentLogger } from '../../../../src/log.js';

function backend(reply: (cmd: string) => { stdout?: string; stderr?: string; code: number }) {
  const b = new SlurmBackend({ host: 'h', user: 'u', known_hosts_path: '/dev/null', remote_workdir: '/w' } as never, { log: silentLogger });
  (b.conn as unknown as { exec: (c: string) => Promise<unknown> }).exec = async (c: string) => ({ stdout: '', stderr: '', ...reply(c) });
  return b;
}

test('slurmctld down (Slurm 22.05 wording) is an outage, not a failure', async () => {
  const b = backend(() => ({ code: 1, stderr: 'scancel: error: Unable to contact slurm controller (connect failure)\n' }));
  await assert.rejects(b.cancel(['42']), ClusterUnavailableError);
});

test('a command Slurm really refuses stays an error (retrying cannot fix it)', async () => {
  const b = backend(() => ({ code: 1, stderr: 'scancel: error: Invalid job id specified\n' }));
  await assert.rejects(b.cancel(['42']), (e: unknown) => e instanceof SlurmError && !(e instanceof ClusterUnavailableError));
});

test('a poll where neither squeue nor sacct answers is an outage, never "the jobs vanished"', async () => {
  const out = [
    '@@ASTRAN-SQUEUE',
    'slurm_load_jobs error: Unable to contact slurm controller (connect failure)',
    '@@ASTRAN-RC 1',
    '@@ASTRAN-SACCT',
    '@@ASTRAN-RC 1',
    '@@ASTRAN-SCONTROL',
    '@@ASTRAN-RC 0',
    '',
  ].join('\n');
  const b = backend(() => ({ code: 0, stdout: out }));
  await assert.rejects(b.poll(['42']), ClusterUnavailableError);
});
