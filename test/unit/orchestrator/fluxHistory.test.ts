import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fluxHistory } from '../../../src/orchestrator/fluxHistory.js';
import type { JobRecord } from '../../../src/core/JobStore.js';

const flux = (cu: number, index = 2.6) => ({ e_min_tev: 1, e_max_tev: 100, index, value_cm2s: cu * 1.7e-11, error_cm2s: 1e-12, crab_units: cu, crab_units_error: 0.1, safe_emin_tev: 0.5 });

let seq = 0;
function job(params: Partial<JobRecord['params']>, result: unknown, state: JobRecord['state'] = 'done'): JobRecord {
  seq++;
  return { id: `A-${String(seq).padStart(4, '0')}`, seq, state, params: { source: 'Crab Nebula', nightFrom: '20231110', nightTo: '20231110', ...params }, result } as unknown as JobRecord;
}

test('earlier nights of the same source, cuts and index; latest job per night; one point per night', () => {
  const current = job({ nightFrom: '20231115', nightTo: '20231115' }, null, 'running');
  const jobs = [
    // newest first, as listJobs returns them
    job({ nightFrom: '20231112', nightTo: '20231112' }, { total: { flux: flux(1.9) } }),
    job({ nightFrom: '20231112', nightTo: '20231112' }, { total: { flux: flux(1.1) } }), // older job, same night
    job({ nightFrom: '20231108', nightTo: '20231110' }, { total: { flux: flux(1.4) }, nights: [{ night: '20231108', n_runs: 1, flux: flux(1.3) }, { night: '20231110', n_runs: 2, flux: flux(1.5) }] }),
    job({ nightFrom: '20231111', nightTo: '20231111', theta2_cut: 0.05 }, { total: { flux: flux(3) } }), // other cut
    job({ nightFrom: '20231109', nightTo: '20231109' }, { total: { flux: flux(2, 3.0) } }), // other index
    job({ nightFrom: '20231107', nightTo: '20231107', source: 'Mrk 421' }, { total: { flux: flux(5) } }), // other source
    job({ nightFrom: '20231106', nightTo: '20231106' }, { total: { flux: null } }), // no flux
    job({ nightFrom: '20231105', nightTo: '20231105' }, { total: { flux: flux(1) } }, 'failed'),
    job({ nightFrom: '20231104', nightTo: '20231104' }, { total: { flux: { crab_units: 'lots' } } }), // corrupt
    job({ nightFrom: '20231116', nightTo: '20231116' }, { total: { flux: flux(9) } }), // later night
    current,
  ];
  const h = fluxHistory({ listJobs: () => jobs }, current, 2.6);
  assert.deepEqual(h.map((p) => [p.night, p.crab_units]), [['20231108', 1.3], ['20231110', 1.5], ['20231112', 1.9]]);
});
