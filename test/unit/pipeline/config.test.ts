/** The pipeline section's own keys (src/pipeline/config.ts); the whole file's loading is in test/unit/bot/config.test.ts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipelineConfigSchema } from '../../../src/pipeline/config.js';
import { checkConfig, loadConfig } from '../../../src/bot/config.js';

test('pipeline.submission: chain by default, stage_by_stage on request, anything else explained', () => {
  assert.equal(PipelineConfigSchema.parse({}).submission, 'chain');
  assert.equal(PipelineConfigSchema.parse({ submission: 'stage_by_stage' }).submission, 'stage_by_stage');
  const bad = PipelineConfigSchema.safeParse({ submission: 'chained' });
  assert.equal(bad.success, false);
  assert.match(bad.error!.issues[0]!.message, /either `chain` \(all stages submitted at launch with job dependencies\) or `stage_by_stage` \(for clusters that forbid dependencies\)/);
});

test('the LST profile and the embedded default run in chain mode; check-config names a wrong value and says what it may be', () => {
  const root = new URL('../../../config/', import.meta.url).pathname;
  assert.equal(loadConfig(join(root, 'default.yaml')).config.pipeline.submission, 'chain');
  const dir = mkdtempSync(join(tmpdir(), 'astran-sub-'));
  const lst = readFileSync(join(root, 'lst.yaml'), 'utf8');
  assert.match(lst, /^ {2}submission: chain$/m);
  const file = join(dir, 'lst.yaml');
  writeFileSync(file, lst.replace(/^ {2}submission: chain$/m, '  submission: one_by_one'));
  const problems = checkConfig(file);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0]!, /pipeline\.submission: either `chain`.*or `stage_by_stage`/);
});
