/** FakeMattermost checks requests against the v4 OpenAPI description (apiSchemas.ts): a misspelt field is caught. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeMattermost } from '../../../fakes/mattermost/FakeMattermost.js';

test('requests outside the OpenAPI description are recorded (misspelt field, since with page, unknown endpoint)', async () => {
  const fake = await startFakeMattermost();
  try {
    const h = { Authorization: `Bearer ${fake.bot.token}`, 'Content-Type': 'application/json' };
    await fetch(`${fake.url}/api/v4/posts`, { method: 'POST', headers: h, body: JSON.stringify({ channel_id: fake.channel.id, messsage: 'typo' }) });
    await fetch(`${fake.url}/api/v4/channels/${fake.channel.id}/posts?since=5&page=1`, { headers: h });
    await fetch(`${fake.url}/api/v4/posts/ephemeral`, { method: 'POST', headers: h, body: '{}' });
    const ok = await fetch(`${fake.url}/api/v4/posts`, { method: 'POST', headers: h, body: JSON.stringify({ channel_id: fake.channel.id, message: 'fine', root_id: '' }) });
    assert.equal(ok.status, 201);
    const v = fake.schemaViolations.join('\n');
    assert.match(v, /POST \/posts .*messsage/);
    assert.match(v, /POST \/posts message: /, 'message is required');
    assert.match(v, /since must not be used with before, after, page or per_page/);
    assert.match(v, /POST \/posts\/ephemeral not an endpoint ASTRAN is described to call/);
    assert.equal(fake.schemaViolations.length, 4, v);
  } finally {
    await fake.close();
  }
});
