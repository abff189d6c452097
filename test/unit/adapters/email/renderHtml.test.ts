import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHtml } from '../../../../adapters/email/renderHtml.js';

test('renderHtml: light markdown to HTML', () => {
  const h = renderHtml('**Done**: 3 runs\n- `theta2.png`\n- *skymap*\n\n```\na < b\n```');
  assert.match(h, /<b>Done<\/b>: 3 runs/);
  assert.match(h, /<ul>\n<li><code>theta2.png<\/code><\/li>\n<li><b>skymap<\/b><\/li>\n<\/ul>/);
  assert.match(h, /<pre>a &lt; b<\/pre>/);
});

test('renderHtml: user text echoed in a reply cannot inject markup', () => {
  const h = renderHtml('I don\'t know the source `<script>alert(1)</script>` "x" <img src=x onerror=y>');
  assert.ok(!h.includes('<script>'));
  assert.ok(!h.includes('<img'));
  assert.match(h, /&lt;script&gt;/);
});
