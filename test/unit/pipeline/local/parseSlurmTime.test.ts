import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSlurmTime } from '../../../../src/pipeline/local/parseSlurmTime.js';

describe('parseSlurmTime', () => {
  it('reads every sbatch --time format', () => {
    assert.equal(parseSlurmTime('30'), 1800);
    assert.equal(parseSlurmTime('5:30'), 330);
    assert.equal(parseSlurmTime('02:00:00'), 7200);
    assert.equal(parseSlurmTime('1-0'), 86400);
    assert.equal(parseSlurmTime('1-2:30'), 95400);
    assert.equal(parseSlurmTime('0-00:00:10'), 10);
    assert.equal(parseSlurmTime('0'), undefined, '0 means no limit');
  });
  it('rejects what sbatch would reject', () => {
    for (const bad of ['', '1:2:3:4', '1-', '-5', 'a', '1--2', '1-2-3', '1:']) assert.throws(() => parseSlurmTime(bad), /invalid time limit/, bad);
  });
});
