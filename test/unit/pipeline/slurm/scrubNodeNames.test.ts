import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scrubNodeNames } from '../../../../src/pipeline/slurm/scrubNodeNames.js';

test('node names are removed from the job script start line and slurmstepd notices, nothing else changes', () => {
  const log = [
    'astran: task 0 run 1807 start 2026-11-26T18:00:00Z on cn042.lst.cluster',
    'INFO reading dl1_LST-1.Run01807.h5 on cn042 (kept: not an ASTRAN or slurmstepd line)',
    'slurmstepd: error: *** JOB 12 ON cn042 CANCELLED AT 2026-11-26T18:01:00 ***',
    'slurmstepd: error: *** STEP 12.batch ON cn007 CANCELLED AT 2026-11-26T18:01:00 DUE TO TIME LIMIT ***',
  ].join('\n');
  assert.equal(
    scrubNodeNames(log),
    [
      'astran: task 0 run 1807 start 2026-11-26T18:00:00Z',
      'INFO reading dl1_LST-1.Run01807.h5 on cn042 (kept: not an ASTRAN or slurmstepd line)',
      'slurmstepd: error: *** JOB 12 CANCELLED AT 2026-11-26T18:01:00 ***',
      'slurmstepd: error: *** STEP 12.batch CANCELLED AT 2026-11-26T18:01:00 DUE TO TIME LIMIT ***',
    ].join('\n'),
  );
});
