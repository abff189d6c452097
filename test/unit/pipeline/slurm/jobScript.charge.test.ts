import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StageSubmission } from '../../../../src/pipeline/ClusterBackend.js';
import { buildSbatchArgv } from '../../../../src/pipeline/slurm/jobScript.js';
import { StageSubmissionSchema } from '../../../../src/pipeline/slurm/submissionSchema.js';
import { shellJoin } from '../../../../src/pipeline/slurm/shq.js';
import { jobComment } from '../../../../src/pipeline/slurm/naming.js';

const base: StageSubmission = { jobId: 'A-0042', stage: 'dl1_to_dl2', attempt: 2, tasks: [{ index: 0, runId: 1, argv: ['x'], inputs: [], outputs: ['/w/o'] }] };
const cfg = { partition: 'long', account: 'aswg', qos: 'normal', kill_on_invalid_dep: false, extra_sbatch_args: [] };
const opt = (argv: string[], name: string) => argv.filter((a) => a.startsWith(`--${name}=`));

test("the requester's account, partition and QoS override the backend's; the comment names the requester", () => {
  const argv = buildSbatchArgv({ ...base, account: 'lst_alice', partition: 'short', qos: 'high', requester: 'alice' }, cfg, '/w/A-0042/dl1_to_dl2-a2');
  assert.deepEqual(opt(argv, 'account'), ['--account=lst_alice']);
  assert.deepEqual(opt(argv, 'partition'), ['--partition=short']);
  assert.deepEqual(opt(argv, 'qos'), ['--qos=high']);
  // The job id/stage/attempt part stays as it was (the job name, not the comment, finds a submission again).
  assert.deepEqual(opt(argv, 'comment'), ['--comment=astran:A-0042:dl1_to_dl2:2:requester=alice']);
  assert.deepEqual(opt(argv, 'job-name'), ['--job-name=astran-A-0042-dl1_to_dl2-a2']);
});

test("what the requester leaves out falls back to the backend's defaults; none at all: no option", () => {
  const argv = buildSbatchArgv({ ...base, account: 'lst_alice' }, cfg, '/w');
  assert.deepEqual([...opt(argv, 'account'), ...opt(argv, 'partition'), ...opt(argv, 'qos')], ['--account=lst_alice', '--partition=long', '--qos=normal']);
  assert.deepEqual(opt(argv, 'comment'), ['--comment=astran:A-0042:dl1_to_dl2:2']);
  const bare = buildSbatchArgv(base, { kill_on_invalid_dep: false, extra_sbatch_args: [] }, '/w');
  assert.deepEqual([...opt(bare, 'account'), ...opt(bare, 'partition'), ...opt(bare, 'qos')], []);
  assert.equal(jobComment({ jobId: 'A-1', stage: 's', attempt: 1, requester: 'email:carol@iac.es' }), 'astran:A-1:s:1:requester=email:carol@iac.es');
});

test('the backend refuses a hostile requester or Slurm name before anything reaches the cluster', () => {
  assert.equal(StageSubmissionSchema.safeParse({ ...base, requester: 'alice', account: 'lst_alice', partition: 'short', qos: 'high' }).success, true);
  for (const bad of [
    { requester: "o'hara$(touch /tmp/astran-pwned)" },
    { requester: 'a b' },
    { requester: 'x\nSBATCH --wrap=id' },
    { requester: '-rf' },
    { account: 'x;id' },
    { account: '--uid=0' },
    { partition: 'a b' },
    { qos: '$(id)' },
  ])
    assert.equal(StageSubmissionSchema.safeParse({ ...base, ...bad }).success, false, JSON.stringify(bad));
  // Even if one slipped through, every argv element is quoted as one word.
  const argv = buildSbatchArgv({ ...base, requester: "x'$(id)" }, cfg, '/w');
  assert.match(shellJoin(argv), /'--comment=astran:A-0042:dl1_to_dl2:2:requester=x'\\''\$\(id\)'/);
});
