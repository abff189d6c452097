import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSacct } from '../../../../src/pipeline/slurm/parseSacct.js';
import { SlurmParseError } from '../../../../src/pipeline/slurm/SlurmRow.js';

// Outputs recorded on the real test cluster (Slurm 22.05.8), see test/fixtures/slurm/.
const fx = (name: string) => readFileSync(new URL(`../../../fixtures/slurm/${name}`, import.meta.url), 'utf8');

test('sacct: "CANCELLED by N" is CANCELLED, exit codes, grouped pending rows', () => {
  const rows = parseSacct(fx('sacct-final-mixed.txt'));
  assert.equal(rows.length, 10);
  const failed = rows.find((x) => x.arrayJobId === '1' && x.tasks?.[0] === 2)!;
  assert.deepEqual([failed.state, failed.exitCode, failed.signal], ['FAILED', 3, 0]);
  const grouped = rows.find((x) => x.arrayJobId === '6')!;
  assert.deepEqual([grouped.grouped, grouped.tasks, grouped.state], [true, [0, 1, 2], 'PENDING']);
  assert.ok(rows.filter((x) => x.arrayJobId === '7').every((x) => x.state === 'CANCELLED'));
});

test('sacct: a lagging job shows as a bare row without tasks; step rows are skipped', () => {
  const rows = parseSacct(fx('sacct-mixed.txt'));
  assert.deepEqual(rows.map((x) => [x.arrayJobId, x.tasks, x.state]), [['11', null, 'PENDING']]);
  assert.equal(parseSacct('1_0.batch|2.batch|batch|COMPLETED|0:0\n').length, 0);
  assert.throws(() => parseSacct('1_0|2|x|COMPLETED\n'), SlurmParseError);
  assert.throws(() => parseSacct('abc|2|x|COMPLETED|0:0\n'), SlurmParseError);
});
