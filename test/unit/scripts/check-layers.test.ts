import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayers } from '../../../scripts/check-layers.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');

test('every import in src/, commands/ and adapters/ points down a layer, with no import loops', () => {
  assert.deepEqual(checkLayers(REPO), []);
});

test('an upward import, a same-layer import, an import loop and a folder in no layer are each reported', () => {
  const root = mkdtempSync(join(tmpdir(), 'astran-layers-'));
  try {
    const put = (file: string, text: string) => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    };
    put('src/core/types.ts', "import type { X } from '../store/SqliteJobStore.js';\nexport type Y = X;\n");
    put('src/store/SqliteJobStore.ts', "export type X = 1;\n");
    put('src/analysis/a.ts', "import { b } from '../store/b.js';\nexport const a = b;\n");
    put('src/store/b.ts', 'export const b = 1;\n');
    put('src/cli/main.ts', "export { run } from './run.js';\n");
    put('src/cli/run.ts', "import { main } from './main.js';\nexport const run = main;\n");
    put('src/orchestrator/ok.ts', "import type { Y } from '../core/types.js';\nexport type Z = Y;\n");
    put('src/newarea/x.ts', 'export const x = 1;\n');
    const problems = checkLayers(root);
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.ok(problems.includes('src/newarea/x.ts is in no layer: add its folder to LAYERS in scripts/check-layers.ts'));
    assert.ok(problems.some((p) => /src\/core\/types\.ts imports src\/store\/SqliteJobStore\.ts: src\/core must not import src\/store \(a higher layer\)/.test(p)));
    assert.ok(problems.some((p) => /src\/analysis and src\/store share a layer/.test(p)));
    assert.ok(problems.some((p) => p === 'import loop: src/cli/main.ts ↔ src/cli/run.ts'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
