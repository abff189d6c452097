/**
 * The fake Mattermost honours the server contract the adapter relies on, checked through the
 * official Client4 and a raw WebSocket: Bearer tokens, AppError bodies, root_id rules, 5 files,
 * 16,383 runes, `since`, and the WebSocket handshake/event shapes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mm from '@mattermost/client';
import WebSocket from 'ws';
import { startFakeMattermost, type FakeMattermost } from '../../../fakes/mattermost/FakeMattermost.js';

let fake: FakeMattermost;
const client = (token: string) => {
  const c = new mm.Client4();
  c.setUrl(fake.url);
  c.setToken(token);
  c.setIncludeCookies(false);
  return c;
};

before(async () => {
  fake = await startFakeMattermost();
});
after(async () => {
  await fake.close();
});

async function rejects(p: Promise<unknown>, status: number, id: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    const e = err as { status_code?: number; server_error_id?: string; message?: string };
    assert.equal(e.status_code, status, `status of ${e.message}`);
    assert.equal(e.server_error_id, id);
    assert.ok(e.message && e.message.length > 0);
    return true;
  });
}

test('a wrong or missing Bearer token gets 401 with a Mattermost AppError body', async () => {
  await rejects(client('not-a-token').getMe(), 401, 'api.context.session_expired.app_error');
  const raw = await fetch(`${fake.url}/api/v4/users/me`);
  assert.equal(raw.status, 401);
  const body = (await raw.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['detailed_error', 'id', 'message', 'request_id', 'status_code']);
  const me = (await client(fake.bot.token).getMe()) as { id: string; is_bot: boolean };
  assert.equal(me.id, fake.bot.id);
  assert.equal(me.is_bot, true);
  const last = fake.calls.at(-1)!;
  assert.equal(last.auth, 'ok');
  assert.equal(last.path, '/api/v4/users/me');
});

test('root_id must be an existing root in the same channel', async () => {
  const c = client(fake.alice.token);
  const root = await c.createPost({ channel_id: fake.channel.id, message: 'root' } as never);
  const reply = await c.createPost({ channel_id: fake.channel.id, message: 'reply', root_id: root.id } as never);
  assert.equal(reply.root_id, root.id);
  await rejects(c.createPost({ channel_id: fake.channel.id, message: 'reply to reply', root_id: reply.id } as never), 400, 'api.post.create_post.root_id.app_error');
  await rejects(c.createPost({ channel_id: fake.channel.id, message: 'x', root_id: 'abcdefghijklmnopqrstuvwxyz' } as never), 400, 'api.post.create_post.root_id.app_error');
  const other = fake.addChannel('other');
  await rejects(c.createPost({ channel_id: other.id, message: 'x', root_id: root.id } as never), 400, 'api.post.create_post.channel_root_id.app_error');
  const privateCh = fake.addChannel('private', [fake.bob]);
  await rejects(c.createPost({ channel_id: privateCh.id, message: 'x' } as never), 403, 'api.context.permissions.app_error');
});

test('message length is limited to 16,383 runes (counted as code points) on create and patch', async () => {
  const c = client(fake.alice.token);
  const ok = await c.createPost({ channel_id: fake.channel.id, message: '🔭'.repeat(16_383) } as never);
  assert.equal(Array.from(ok.message).length, 16_383);
  await rejects(c.createPost({ channel_id: fake.channel.id, message: 'a'.repeat(16_384) } as never), 400, 'model.post.is_valid.message_length.app_error');
  await rejects(c.patchPost({ id: ok.id, message: 'b'.repeat(16_384) } as never), 400, 'model.post.is_valid.message_length.app_error');
  await rejects(client(fake.bob.token).patchPost({ id: ok.id, message: 'not yours' } as never), 403, 'api.context.permissions.app_error');
  const patched = await c.patchPost({ id: ok.id, message: 'short now' } as never);
  assert.equal(patched.message, 'short now');
  assert.ok(patched.edit_at > 0);
});

test('file upload returns file_infos; a post takes at most 5 file ids; foreign ids are dropped', async () => {
  const c = client(fake.alice.token);
  const form = new FormData();
  form.append('channel_id', fake.channel.id);
  for (let i = 0; i < 6; i++) form.append('files', new Blob([new Uint8Array([137, 80, 78, 71, i])], { type: 'image/png' }), `p${i}.png`);
  const up = (await c.uploadFile(form)) as { file_infos: { id: string; name: string; size: number }[] };
  assert.equal(up.file_infos.length, 6);
  assert.deepEqual(up.file_infos.map((f) => f.name), ['p0.png', 'p1.png', 'p2.png', 'p3.png', 'p4.png', 'p5.png']);
  assert.equal(fake.files.get(up.file_infos[5].id)!.data[4], 5);
  const ids = up.file_infos.map((f) => f.id);
  await rejects(c.createPost({ channel_id: fake.channel.id, message: 'six', file_ids: ids } as never), 400, 'model.post.is_valid.file_ids.app_error');
  const p = await c.createPost({ channel_id: fake.channel.id, message: 'five', file_ids: ids.slice(0, 5) } as never);
  assert.deepEqual(p.file_ids, ids.slice(0, 5));
  const stolen = await client(fake.bob.token).createPost({ channel_id: fake.channel.id, message: 'steal', file_ids: [ids[5]] } as never);
  assert.deepEqual(stolen.file_ids, []);
});

test('GET channel posts with since returns posts updated after it, newest first', async () => {
  const c = client(fake.alice.token);
  const ch = fake.addChannel('since-test');
  const a = await c.createPost({ channel_id: ch.id, message: 'a' } as never);
  const b = await c.createPost({ channel_id: ch.id, message: 'b' } as never);
  const d = await c.createPost({ channel_id: ch.id, message: 'd', root_id: a.id } as never);
  const list = (await c.getPostsSince(ch.id, b.create_at - 1)) as { order: string[]; posts: Record<string, { id: string }> };
  // b, d, and the root a (bumped update_at by its reply), newest first.
  assert.deepEqual(list.order, [d.id, b.id, a.id]);
  const later = (await c.getPostsSince(ch.id, d.create_at)) as { order: string[] };
  assert.deepEqual(later.order, []);
  const thread = (await c.getPostThread(a.id)) as { order: string[] };
  assert.deepEqual(thread.order, [a.id, d.id]);
});

test('WebSocket: header auth gets hello at once; challenge auth works; posted carries data.post as a JSON string', async () => {
  const frames: Record<string, unknown>[] = [];
  const ws = new WebSocket(`${fake.url.replace('http', 'ws')}/api/v4/websocket`);
  ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ seq: 1, action: 'authentication_challenge', data: { token: 'wrong' } }));
  await waitFrames(frames, 1);
  assert.equal(frames[0].status, 'FAIL');
  ws.send(JSON.stringify({ seq: 2, action: 'authentication_challenge', data: { token: fake.bob.token } }));
  await waitFrames(frames, 3);
  assert.deepEqual(frames[1], { status: 'OK', seq_reply: 2 });
  assert.equal(frames[2].event, 'hello');
  assert.equal(frames[2].seq, 0);
  const p = fake.userPost(fake.alice, fake.channel.id, 'hi @bob');
  await waitFrames(frames, 4);
  const ev = frames[3] as { event: string; seq: number; data: { post: string; mentions: string }; broadcast: { channel_id: string } };
  assert.equal(ev.event, 'posted');
  assert.equal(ev.seq, 1);
  assert.equal(typeof ev.data.post, 'string');
  assert.equal(JSON.parse(ev.data.post).id, p.id);
  assert.deepEqual(JSON.parse(ev.data.mentions), [fake.bob.id]);
  assert.equal(ev.broadcast.channel_id, fake.channel.id);
  ws.terminate();

  const hdr: Record<string, unknown>[] = [];
  const ws2 = new WebSocket(`${fake.url.replace('http', 'ws')}/api/v4/websocket`, { headers: { Authorization: `Bearer ${fake.bob.token}` } });
  ws2.on('message', (d) => hdr.push(JSON.parse(d.toString())));
  await waitFrames(hdr, 1);
  assert.equal(hdr[0].event, 'hello');
  ws2.terminate();
});

async function waitFrames(frames: unknown[], n: number): Promise<void> {
  const t0 = Date.now();
  while (frames.length < n) {
    if (Date.now() - t0 > 5000) throw new Error(`expected ${n} frames, got ${frames.length}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
