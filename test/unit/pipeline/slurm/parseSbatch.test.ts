import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSbatch } from '../../../../src/pipeline/slurm/parseSbatch.js';

// Outputs recorded on the real test cluster (Slurm 22.05.8), see test/fixtures/slurm/.
const fx = (name: string) => readFileSync(new URL(`../../../fixtures/slurm/${name}`, import.meta.url), 'utf8');

test('sbatch --parsable: id or id;cluster, nothing else', () => {
  const [a, b] = fx('sbatch-parsable.txt').trim().split('\n');
  assert.equal(parseSbatch(a!), '15');
  assert.equal(parseSbatch(b!), '16');
  assert.throws(() => parseSbatch('sbatch: error: Batch job submission failed: Invalid account'));
  assert.throws(() => parseSbatch(''));
});
