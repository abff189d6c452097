/** `astran check-config --explain` (issue #9 "Done when": check-config explains every new key). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { resolve } from 'node:path';
import { ConfigSchema, configKeyDocs } from '../../../src/bot/config.js';
import { keyDocs } from '../../../src/config/explainKeys.js';
import { sectionSchemas } from '../../../src/config/sections.js';
import { main } from '../../../src/cli/main.js';

const REPO = resolve(new URL('../../../', import.meta.url).pathname);

test('every key of the site issue (#9) is explained', () => {
  const docs = new Map(configKeyDocs().map((d) => [d.key, d]));
  const issue9 = [
    'data.base', 'data.workspace', 'data.read_only_roots', 'data.night_index', 'data.run_catalog', 'data.run_summary', 'data.dl3_store',
    'official_paths', 'dec_lines', 'dec_lines.roots', 'dec_lines.max_distance_deg', 'dec_lines.site_latitude_deg',
    'pipeline.dl1_complete', 'pipeline.dl1_complete.night_flag', 'pipeline.dl1_complete.stable_for_s',
    'pipeline.stages[].command', 'pipeline.stages[].outputs', 'pipeline.stages[].mkdirs',
    'pipeline.version_probe', 'pipeline.version_probe.tool', 'pipeline.version_probe.command', 'bot.results_dir', 'store.path',
  ];
  for (const k of issue9) assert.ok(docs.get(k)?.description, `${k} is explained`);
  // The final IRF per task is a stage argument: the command's explanation names it.
  assert.match(docs.get('pipeline.stages[].command')!.description!, /--final-irf-file/);
});

test('every key of the whole schema, registered sections included, has a description', () => {
  const docs = configKeyDocs();
  const keys = new Set(docs.map((d) => d.key));
  // Every registered section with a schema is expanded into its keys (one that cannot be would be listed without them,
  // hiding its keys from this check). auth.users is a map (pattern → role): the section key itself is its only key.
  const sections = sectionSchemas();
  for (const s of ['adapters.console', 'adapters.slack', 'adapters.mattermost', 'adapters.email', 'backends.slurm', 'backends.local', 'watch', 'auth.users']) {
    assert.ok(sections.some(([name]) => name === s), `${s} is registered`);
  }
  for (const [section, schema] of sections) {
    assert.ok(keys.has(section), `${section} is listed`);
    const own = keyDocs(schema, section).map((d) => d.key);
    for (const k of own) assert.ok(keys.has(k), `${k} is listed`);
  }
  // Every top-level section of the file is there.
  for (const top of Object.keys(ConfigSchema.shape)) assert.ok(keys.has(top), `${top} is listed`);
  const missing = docs.filter((d) => !d.description?.trim()).map((d) => d.key);
  assert.deepEqual(missing, [], 'keys without a .describe() in their schema');
});

test('registered sections (backends, adapters, watch) are listed under their place, from their own schemas', () => {
  const keys = configKeyDocs().map((d) => d.key);
  for (const k of ['backends.slurm.remote_workdir', 'backends.local.workdir', 'adapters.slack.command', 'adapters.email.imap.host']) assert.ok(keys.includes(k), k);
  assert.equal(new Set(keys).size, keys.length, 'each key once');
});

test('the CLI: check-config FILE --explain checks, then explains every key with the ones set marked', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  const code = await main(['check-config', 'config/lst.yaml', '--explain'], { stdout: out, stderr: out, stdin: new PassThrough(), env: {}, cwd: REPO });
  assert.equal(code, 0, text);
  assert.match(text, /config\/lst\.yaml: OK\n/);
  assert.match(text, /^\* data\.workspace \(text; optional\)\n {4}ASTRAN's own products/m);
  assert.match(text, /^\* pipeline\.version_probe\.command /m);
  assert.match(text, /^ {2}data\.dl3_store /m, 'a key the LST profile does not set is listed unmarked');
  // Without --explain: the check alone, as before.
  let plain = '';
  const out2 = new PassThrough();
  out2.on('data', (d) => (plain += d));
  assert.equal(await main(['check-config', 'config/lst.yaml'], { stdout: out2, stderr: out2, stdin: new PassThrough(), env: {}, cwd: REPO }), 0);
  assert.doesNotMatch(plain, /Every setting/);
});
