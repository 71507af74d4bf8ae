// Chats and messages over REST, as a client checks them: direct and group chats, members
// and admins, sending (seq order, safe retries, concurrency), history paging, deleting,
// read marks, message requests and who is a contact, and durability across a restart and
// a crash.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertMessage, startFlowd, assertError, sleep, asUser } from './lib/flowd.mjs';
import { connect } from './lib/ws_client.mjs';

// Many sign-ins come from 127.0.0.1: lift the per-address and per-phone caps.
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];

let clientSeq = 0;
const newClientId = () => `c-${process.pid}-${++clientSeq}-${Math.random().toString(36).slice(2, 8)}`;

const isMs = (t) => Number.isInteger(t) && t > 1_577_836_800_000 && t < Date.now() + 86_400_000;

function assertChat(c, what = 'chat') {
  const ctx = `${what}: ${JSON.stringify(c)}`;
  assert.ok(c && typeof c === 'object', ctx);
  for (const k of ['id', 'type', 'name', 'image_id', 'participants', 'created_at', 'last_message', 'unread_count', 'request']) {
    assert.ok(k in c, `field ${k} missing in ${ctx}`);
  }
  assert.equal(typeof c.id, 'string', ctx);
  assert.ok(c.id.length > 0, ctx);
  assert.ok(['direct', 'group'].includes(c.type), `type: ${ctx}`);
  assert.equal(typeof c.name, 'string', ctx);
  assert.ok(c.image_id === null || typeof c.image_id === 'string', `image_id: ${ctx}`);
  assert.ok(Array.isArray(c.participants), ctx);
  for (const p of c.participants) {
    assert.equal(typeof p.user_id, 'string', ctx);
    assert.ok(['admin', 'member'].includes(p.role), `role: ${ctx}`);
  }
  assert.ok(isMs(c.created_at), `created_at in ms: ${ctx}`);
  if (c.last_message !== null) assertMessage(c.last_message, `${what}.last_message`);
  assert.ok(Number.isInteger(c.unread_count) && c.unread_count >= 0, `unread_count: ${ctx}`);
  assert.equal(typeof c.request, 'boolean', `request: ${ctx}`);
  if (c.type === 'group') assert.equal(c.request, false, `a group is never a request: ${ctx}`);
}

const roles = (chat) => Object.fromEntries(chat.participants.map((p) => [p.user_id, p.role]));
const seqs = (page) => page.items.map((m) => m.seq);

/** A client bound to one server and one signed-in user. */
function client(f, signed) {
  const base = asUser(f, signed);
  const { req } = base;
  const c = {
    ...base,
    direct: (userId) => req('POST', '/chats', { type: 'direct', user_id: userId }),
    group: (name, userIds) => req('POST', '/chats', { type: 'group', name, user_ids: userIds }),
    chat: (chatId) => req('GET', `/chats/${chatId}`),
    list: (query = '') => req('GET', `/chats${query}`),
    settings: (chatId, body) => req('PUT', `/chats/${chatId}/settings`, body),
    send: (chatId, body) => req('POST', `/chats/${chatId}/send_message`, body),
    history: (chatId, query = '') => req('GET', `/chats/${chatId}/messages${query}`),
    del: (chatId, body) => req('DELETE', `/chats/${chatId}/delete_message`, body),
    media: (chatId, query = '') => req('GET', `/chats/${chatId}/media${query}`),
    read: (chatId, seq) => req('POST', `/chats/${chatId}/read`, { seq }),
    add: (chatId, userIds) => req('POST', `/chats/${chatId}/participants`, { user_ids: userIds }),
    remove: (chatId, userId) => req('DELETE', `/chats/${chatId}/participants/${userId}`),
    update: (chatId, body) => req('PUT', `/chats/${chatId}`, body),
    accept: (chatId) => req('POST', `/chats/${chatId}/accept`),
    profile: (userId) => req('GET', `/users/${userId}`),
    lookup: (phones) => req('POST', '/users/lookup', { phones }),

    /** Sends a text message and asserts 201; returns the Message. */
    async say(chatId, text = 'hello', extra = {}) {
      const r = await c.send(chatId, { client_id: newClientId(), type: 'text', text, ...extra });
      assert.equal(r.status, 201, `send_message -> ${r.status} ${r.text}`);
      assertMessage(r.json);
      return r.json;
    },
    /** Creates a chat, asserting 201 (or `status`); returns the Chat. */
    async newGroup(name, userIds) {
      const r = await c.group(name, userIds);
      assert.equal(r.status, 201, `create group -> ${r.status} ${r.text}`);
      assertChat(r.json);
      return r.json;
    },
    async newDirect(userId, status = 201) {
      const r = await c.direct(userId);
      assert.equal(r.status, status, `create direct -> ${r.status} ${r.text}`);
      assertChat(r.json);
      return r.json;
    },
    async getChat(chatId) {
      const r = await c.chat(chatId);
      assert.equal(r.status, 200, `GET chat -> ${r.status} ${r.text}`);
      assertChat(r.json);
      return r.json;
    },
    async page(chatId, query = '') {
      const r = await c.history(chatId, query);
      assert.equal(r.status, 200, `GET messages${query} -> ${r.status} ${r.text}`);
      assert.ok(Array.isArray(r.json.items), r.text);
      assert.ok('next_before' in r.json, `next_before missing: ${r.text}`);
      r.json.items.forEach((m) => assertMessage(m));
      return r.json;
    },
  };
  return c;
}

async function users(f, n, prefix = 'User') {
  return (await f.signUpMany(n, prefix)).map((s) => client(f, s));
}

describe('chats and messages', () => {
  let f;
  before(async () => {
    f = await startFlowd(ARGS);
  });
  after(async () => {
    await f?.shutdown();
  });

  it('direct chat: 201 new, 200 with the same chat from either side; self 400, unknown user 404', async () => {
    const [a, b] = await users(f, 2);
    const created = await a.newDirect(b.id, 201);
    assert.equal(created.type, 'direct');
    assert.equal(created.image_id, null);
    assert.equal(created.last_message, null);
    assert.equal(created.unread_count, 0);
    assert.deepEqual(
      created.participants.map((p) => p.user_id).sort(),
      [a.id, b.id].sort(),
    );
    const again = await a.newDirect(b.id, 200);
    assert.equal(again.id, created.id);
    const fromB = await b.newDirect(a.id, 200);
    assert.equal(fromB.id, created.id);
    assert.equal((await b.getChat(created.id)).id, created.id);

    assertError(await a.direct(a.id), 400, 'self_chat', 'direct chat with self');
    assertError(await a.direct('no-such-user'), 404, 'not_found', 'direct chat with unknown user');
    assertError(await a.req('POST', '/chats', { type: 'channel', user_id: b.id }), 400, 'invalid_field', 'bad type');
    assertError(await a.req('POST', '/chats', { user_id: b.id }), 400, 'missing_field', 'no type');
    assertError(await a.req('POST', '/chats', { type: 'direct' }), 400, 'missing_field', 'no user_id');
    assertError(
      await f.request('POST', '/chats', { token: a.token, rawBody: '{"type":' }),
      400,
      'invalid_json',
      'broken JSON',
    );
    assertError(await f.request('POST', '/chats', { body: { type: 'direct', user_id: b.id } }), 401, 'unauthorized', 'no token');
    assertError(await f.request('GET', '/chats'), 401, 'unauthorized', 'list without token');
    const wrong = await a.req('PATCH', `/chats/${created.id}`, {});
    assertError(wrong, 405, 'method_not_allowed', 'PATCH a chat');
    assert.match(wrong.headers.get('allow') || '', /GET/);
    assert.match(wrong.headers.get('allow') || '', /PUT/);
  });

  it('group chat: creator is admin, the others members; name and member checks', async () => {
    const [a, b, c] = await users(f, 3);
    const g = await a.newGroup('Trip', [b.id, c.id, a.id, b.id]);
    assert.equal(g.type, 'group');
    assert.equal(g.name, 'Trip');
    assert.equal(g.last_message, null);
    assert.equal(g.unread_count, 0);
    assert.equal(g.participants.length, 3, JSON.stringify(g));
    assert.deepEqual(roles(g), { [a.id]: 'admin', [b.id]: 'member', [c.id]: 'member' });
    const seenByC = await c.getChat(g.id);
    assert.deepEqual(roles(seenByC), roles(g));
    assert.equal(seenByC.name, 'Trip');

    const alone = await a.newGroup('Just me', []);
    assert.deepEqual(roles(alone), { [a.id]: 'admin' });

    assertError(await a.group('Bad', [b.id, 'no-such-user']), 400, 'unknown_user', 'unknown member');
    assertError(await a.group('   ', [b.id]), 400, 'invalid_name', 'blank name');
    assertError(await a.group('', [b.id]), 400, 'invalid_name', 'empty name');
    assertError(await a.group('x'.repeat(101), [b.id]), 400, 'too_long', '101-character name');
    const long = await a.newGroup('é'.repeat(100), [b.id]);
    assert.equal(long.name, 'é'.repeat(100));
    assertError(await a.req('POST', '/chats', { type: 'group', name: 'x' }), 400, 'missing_field', 'no user_ids');
    assertError(await a.req('POST', '/chats', { type: 'group', user_ids: [] }), 400, 'missing_field', 'no name');
    assertError(await a.req('POST', '/chats', { type: 'group', name: 'x', user_ids: 'b' }), 400, 'invalid_field', 'user_ids not an array');
    const many = Array.from({ length: 1024 }, (_, i) => `nobody-${i}`);
    assertError(await a.group('Crowd', many), 400, 'too_many_participants', '1025 members');
  });

  it('lists chats newest activity first', async () => {
    const [a, b] = await users(f, 2);
    const x = await a.newGroup('X', [b.id]);
    await sleep(5);
    const y = await a.newGroup('Y', [b.id]);
    await sleep(5);
    const z = await a.newDirect(b.id);
    const ids = async (who) => {
      const r = await who.list();
      assert.equal(r.status, 200, r.text);
      r.json.items.forEach((c) => assertChat(c));
      return r.json.items.map((c) => c.id);
    };
    assert.deepEqual(await ids(a), [z.id, y.id, x.id]);
    await sleep(5);
    await b.say(x.id, 'x is alive');
    assert.deepEqual(await ids(a), [x.id, z.id, y.id]);
    assert.deepEqual(await ids(b), [x.id, z.id, y.id]);
    await sleep(5);
    await a.say(y.id, 'y now');
    assert.deepEqual(await ids(b), [y.id, x.id, z.id]);
    const list = (await b.list()).json.items;
    assert.equal(list[0].last_message.text, 'y now');
    assert.equal(list[0].unread_count, 1);
    assert.equal(list[1].last_message.text, 'x is alive');
    assert.equal(list[1].unread_count, 0);
  });

  it('pin and archive are per person: pinned first (latest pinned on top), at most 5; archived left out unless asked for', async () => {
    const [a, b, outsider] = await users(f, 3);
    const chats = [];
    for (let i = 0; i < 6; i++) chats.push(await a.newGroup(`G${i}`, [b.id]));
    const ids = async (who, query = '') => {
      const r = await who.list(query);
      assert.equal(r.status, 200, r.text);
      r.json.items.forEach((c) => assertChat(c));
      return r.json.items.map((c) => c.id);
    };
    const byActivity = chats.map((c) => c.id).reverse();
    const setting = async (who, chat, body, status = 204) => {
      const r = await who.settings(chat.id, body);
      assert.equal(r.status, status, r.text);
      return r;
    };

    await setting(a, chats[1], { pinned: true });
    await sleep(2);
    await setting(a, chats[0], { pinned: true });
    assert.deepEqual(await ids(a), [chats[0].id, chats[1].id, ...byActivity.filter((id) => id !== chats[0].id && id !== chats[1].id)]);
    assert.deepEqual(await ids(b), byActivity, "a's pins are not b's");
    const pinned = await a.getChat(chats[0].id);
    assert.equal(pinned.pinned, true);
    assert.equal(pinned.archived, false);
    assert.equal((await b.getChat(chats[0].id)).pinned, false);

    // A newer message does not lift an unpinned chat above the pinned ones.
    await b.say(chats[5].id, 'news');
    assert.deepEqual((await ids(a)).slice(0, 3), [chats[0].id, chats[1].id, chats[5].id]);

    // Five at most; pinning a pinned chat again is no sixth.
    for (const c of chats.slice(2, 5)) await setting(a, c, { pinned: true });
    await setting(a, chats[0], { pinned: true });
    assertError(await setting(a, chats[5], { pinned: true }, 409), 409, 'too_many_pinned');
    assert.equal((await a.getChat(chats[5].id)).pinned, false, 'the refused pin changed nothing');
    await setting(a, chats[4], { pinned: false });
    await setting(a, chats[5], { pinned: true });

    // Archived: out of the list, back with ?archived=true, and a new message keeps it archived.
    await setting(a, chats[3], { archived: true, pinned: false });
    assert.ok(!(await ids(a)).includes(chats[3].id));
    assert.ok((await ids(a, '?archived=true')).includes(chats[3].id));
    assert.ok((await ids(b)).includes(chats[3].id), "a's archive is not b's");
    await b.say(chats[3].id, 'still there?');
    assert.ok(!(await ids(a)).includes(chats[3].id), 'a new message does not unarchive');
    const archived = (await a.list('?archived=true')).json.items.find((c) => c.id === chats[3].id);
    assert.equal(archived.archived, true);
    assert.equal(archived.pinned, false);
    assert.equal(archived.unread_count, 1);
    await setting(a, chats[3], { archived: false });
    assert.ok((await ids(a)).includes(chats[3].id));

    // Bad input and strangers.
    assertError(await setting(a, chats[0], {}, 400), 400, 'missing_field');
    assertError(await setting(a, chats[0], { pinned: 'yes' }, 400), 400, 'invalid_field');
    assertError(await setting(outsider, chats[0], { pinned: true }, 404), 404, 'not_found');
    assertError(await a.list('?archived=maybe'), 400, 'invalid_query');
  });

  it('a chat the caller is not in is 404 on every route', async () => {
    const [a, b, outsider] = await users(f, 3);
    const g = await a.newGroup('Private', [b.id]);
    const m = await a.say(g.id, 'members only');
    const cases = [
      ['GET chat', () => outsider.chat(g.id)],
      ['GET messages', () => outsider.history(g.id)],
      ['send_message', () => outsider.send(g.id, { client_id: newClientId(), type: 'text', text: 'hi' })],
      ['delete for me', () => outsider.del(g.id, { message_id: m.id })],
      ['delete for everyone', () => outsider.del(g.id, { message_id: m.id, for_everyone: true })],
      ['GET media', () => outsider.media(g.id)],
      ['read', () => outsider.read(g.id, 1)],
      ['add participants', () => outsider.add(g.id, [outsider.id])],
      ['remove participant', () => outsider.remove(g.id, b.id)],
      ['leave', () => outsider.remove(g.id, outsider.id)],
      ['PUT chat', () => outsider.update(g.id, { name: 'Mine now' })],
    ];
    for (const [what, call] of cases) assertError(await call(), 404, 'not_found', `non-participant ${what}`);
    for (const [what, call] of [
      ['GET chat', () => a.chat('no-such-chat')],
      ['GET messages', () => a.history('no-such-chat')],
      ['send_message', () => a.send('no-such-chat', { client_id: newClientId(), type: 'text', text: 'hi' })],
      ['PUT chat', () => a.update('no-such-chat', { name: 'x' })],
    ]) {
      assertError(await call(), 404, 'not_found', `unknown chat ${what}`);
    }
    const list = await outsider.list();
    assert.deepEqual(list.json.items, []);
    // nothing the outsider tried changed the chat
    const after = await a.getChat(g.id);
    assert.equal(after.name, 'Private');
    assert.deepEqual(roles(after), { [a.id]: 'admin', [b.id]: 'member' });
    assert.deepEqual(seqs(await a.page(g.id)), [1]);
  });

  it('send: 201 with gap-free seqs; a retry with the same client_id is 200 with the same message', async () => {
    const [a, b] = await users(f, 2);
    const chat = await a.newDirect(b.id);
    const m1 = await a.say(chat.id, 'one');
    const m2 = await a.say(chat.id, 'two');
    const m3 = await b.say(chat.id, 'three');
    assert.deepEqual([m1.seq, m2.seq, m3.seq], [1, 2, 3]);
    assert.equal(m1.chat_id, chat.id);
    assert.equal(m1.sender_id, a.id);
    assert.equal(m3.sender_id, b.id);
    assert.equal(m1.type, 'text');
    assert.equal(m1.text, 'one');
    assert.equal(m1.media, null);
    assert.equal(m1.reply_to, null);
    assert.equal(m1.deleted, false);
    assert.notEqual(m1.id, m2.id);

    const body = { client_id: 'retry-me', type: 'text', text: 'four' };
    const first = await a.send(chat.id, body);
    assert.equal(first.status, 201, first.text);
    assert.equal(first.json.seq, 4);
    assert.equal(first.json.client_id, 'retry-me');
    const retry = await a.send(chat.id, body);
    assert.equal(retry.status, 200, `retry -> ${retry.status} ${retry.text}`);
    assert.deepEqual(retry.json, first.json);
    // a retry answers with the first message even if the body differs
    const retry2 = await a.send(chat.id, { ...body, text: 'four, edited' });
    assert.equal(retry2.status, 200, retry2.text);
    assert.equal(retry2.json.id, first.json.id);
    assert.equal(retry2.json.text, 'four');
    // the same client_id from another sender is another message
    const other = await b.send(chat.id, body);
    assert.equal(other.status, 201, other.text);
    assert.equal(other.json.seq, 5);
    assert.equal(other.json.sender_id, b.id);

    const page = await a.page(chat.id);
    assert.deepEqual(seqs(page), [1, 2, 3, 4, 5]);
    assert.deepEqual(page.items.map((m) => m.text), ['one', 'two', 'three', 'four', 'four']);
    assert.equal(page.items[3].id, first.json.id);
    assert.equal(page.next_before, null);
    const viewB = await b.getChat(chat.id);
    assert.equal(viewB.last_message.id, other.json.id);
  });

  it('concurrent sends from two users get exactly seq 1..N', async () => {
    const [a, b] = await users(f, 2);
    const chat = await a.newGroup('Busy', [b.id]);
    const N = 20;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        (i % 2 ? b : a).send(chat.id, { client_id: `par-${i}`, type: 'text', text: `msg ${i}` }),
      ),
    );
    for (const r of results) assert.equal(r.status, 201, r.text);
    const got = results.map((r) => r.json.seq).sort((x, y) => x - y);
    assert.deepEqual(got, Array.from({ length: N }, (_, i) => i + 1));
    const page = await b.page(chat.id);
    assert.deepEqual(seqs(page), Array.from({ length: N }, (_, i) => i + 1));
    // each answer is the stored message at its seq
    const bySeq = new Map(page.items.map((m) => [m.seq, m]));
    for (const r of results) assert.deepEqual(bySeq.get(r.json.seq), r.json);
    assert.equal((await a.getChat(chat.id)).last_message.seq, N);

    // the same client_id sent 8 times at once: one 201, the rest 200 with that message
    const same = await Promise.all(
      Array.from({ length: 8 }, () => a.send(chat.id, { client_id: 'at-once', type: 'text', text: 'once' })),
    );
    assert.deepEqual(same.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201], same.map((r) => r.text).join('\n'));
    assert.equal(new Set(same.map((r) => r.json.id)).size, 1);
    assert.equal(same[0].json.seq, N + 1);
    assert.deepEqual(seqs(await a.page(chat.id, '?after=20')), [N + 1]);
  });

  it('reply_to must name a message of the same chat', async () => {
    const [a, b] = await users(f, 2);
    const chat = await a.newDirect(b.id);
    const other = await a.newGroup('Elsewhere', [b.id]);
    const original = await a.say(chat.id, 'question?');
    const foreign = await a.say(other.id, 'not here');
    const reply = await b.say(chat.id, 'answer', { reply_to: original.id });
    assert.equal(reply.reply_to, original.id);
    assert.equal(reply.seq, 2);
    const bad = (reply_to) => b.send(chat.id, { client_id: newClientId(), type: 'text', text: 'x', reply_to });
    assertError(await bad('no-such-message'), 400, 'invalid_reply', 'reply to unknown id');
    assertError(await bad(foreign.id), 400, 'invalid_reply', 'reply to a message of another chat');
    // A seq names a message too (API.md): one the chat does not have yet is no reply.
    assertError(await bad(42), 400, 'invalid_reply', 'reply to a seq past the end');
    assertError(await bad(true), 400, 'invalid_field', 'reply_to neither an id nor a seq');
    // no seq was used up by the refused sends
    assert.equal((await a.say(chat.id, 'next')).seq, 3);
  });

  it('send validation errors, and none of them uses up a seq', async () => {
    const [a, b] = await users(f, 2);
    const chat = await a.newDirect(b.id);
    const send = (body) => a.send(chat.id, body);
    const cid = newClientId;
    assertError(await send({ client_id: cid(), type: 'text', text: '' }), 400, 'empty_text', 'empty text');
    assertError(await send({ client_id: cid(), type: 'text' }), 400, 'empty_text', 'no text');
    assertError(await send({ type: 'text', text: 'hi' }), 400, 'missing_field', 'no client_id');
    assertError(await send({ client_id: '', type: 'text', text: 'hi' }), 400, 'invalid_client_id', 'empty client_id');
    assertError(await send({ client_id: 'x'.repeat(65), type: 'text', text: 'hi' }), 400, 'invalid_client_id', '65-char client_id');
    assertError(await send({ client_id: 7, type: 'text', text: 'hi' }), 400, 'invalid_field', 'numeric client_id');
    assertError(await send({ client_id: cid(), text: 'hi' }), 400, 'missing_field', 'no type');
    assertError(await send({ client_id: cid(), type: 'sticker', text: 'hi' }), 400, 'invalid_field', 'bad type');
    assertError(await send({ client_id: cid(), type: 'text', text: 5 }), 400, 'invalid_field', 'text not a string');
    assertError(await send({ client_id: cid(), type: 'text', text: 'a'.repeat(65537) }), 400, 'too_long', 'text of 65537 bytes');
    // the limit counts bytes: 32769 two-byte characters are 65538 bytes
    assertError(await send({ client_id: cid(), type: 'text', text: 'é'.repeat(32769) }), 400, 'too_long', 'text of 65538 UTF-8 bytes');
    assertError(await send({ client_id: cid(), type: 'image', media_id: 'm1' }), 400, 'invalid_media', 'image with media_id');
    assertError(await send({ client_id: cid(), type: 'file', media_id: 'm1', text: 'caption' }), 400, 'invalid_media', 'file with media_id');
    assertError(await send({ client_id: cid(), type: 'text', text: 'hi', media_id: 'm1' }), 400, 'invalid_media', 'text with media_id');
    assertError(await send({ client_id: cid(), type: 'image', text: 'caption only' }), 400, 'missing_field', 'image without media_id');
    assertError(await f.request('POST', `/chats/${chat.id}/send_message`, { token: a.token, rawBody: '[1]' }), 400, 'invalid_json', 'array body');

    const max = await send({ client_id: 'x'.repeat(64), type: 'text', text: 'a'.repeat(65536) });
    assert.equal(max.status, 201, `64-char client_id and 65536-byte text -> ${max.status} ${max.text.slice(0, 200)}`);
    assert.equal(max.json.seq, 1);
    assert.equal(max.json.text.length, 65536);
    const unicode = await a.say(chat.id, 'héllo 👋 мир');
    assert.equal(unicode.text, 'héllo 👋 мир');
    assert.equal(unicode.seq, 2);
  });

  it('history paging: newest page by default, limit, before, after, next_before; bad queries 400', async () => {
    const [a, b] = await users(f, 2);
    const chat = await a.newDirect(b.id);
    for (let i = 1; i <= 10; i++) await (i % 3 ? a : b).say(chat.id, `m${i}`);

    let p = await a.page(chat.id);
    assert.deepEqual(seqs(p), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(p.items.map((m) => m.text), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10']);
    assert.equal(p.next_before, null, 'everything fitted: nothing older');

    p = await a.page(chat.id, '?limit=3');
    assert.deepEqual(seqs(p), [8, 9, 10]);
    assert.equal(p.next_before, 8);
    p = await a.page(chat.id, `?before=${p.next_before}&limit=3`);
    assert.deepEqual(seqs(p), [5, 6, 7]);
    assert.equal(p.next_before, 5);
    p = await a.page(chat.id, '?before=5&limit=3');
    assert.deepEqual(seqs(p), [2, 3, 4]);
    assert.equal(p.next_before, 2);
    p = await a.page(chat.id, '?before=2&limit=3');
    assert.deepEqual(seqs(p), [1]);
    assert.equal(p.next_before, null);
    p = await a.page(chat.id, '?before=1');
    assert.deepEqual(seqs(p), []);
    assert.equal(p.next_before, null);
    p = await a.page(chat.id, '?limit=10');
    assert.deepEqual(seqs(p), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(p.next_before, null, 'a full page that reaches seq 1 has nothing older');

    p = await b.page(chat.id, '?after=3&limit=2');
    assert.deepEqual(seqs(p), [4, 5]);
    assert.equal(p.next_before, 4, 'older messages exist below an after-page');
    p = await b.page(chat.id, '?after=0&limit=2');
    assert.deepEqual(seqs(p), [1, 2]);
    assert.equal(p.next_before, null);
    p = await b.page(chat.id, '?after=8');
    assert.deepEqual(seqs(p), [9, 10]);
    p = await b.page(chat.id, '?after=10');
    assert.deepEqual(seqs(p), []);
    p = await b.page(chat.id, '?after=1000');
    assert.deepEqual(seqs(p), []);
    p = await b.page(chat.id, '?limit=200');
    assert.equal(p.items.length, 10);
    p = await b.page(chat.id, '?limit=1');
    assert.deepEqual(seqs(p), [10]);
    assert.equal(p.next_before, 10);

    for (const q of ['?limit=0', '?limit=201', '?limit=abc', '?limit=-1', '?limit=', '?limit=2.5', '?before=0', '?before=abc',
      '?before=-3', '?after=-1', '?after=x', '?before=5&after=2']) {
      assertError(await a.history(chat.id, q), 400, 'invalid_query', `GET messages${q}`);
    }
  });

  it('delete for me hides a message for the caller only', async () => {
    const [a, b] = await users(f, 2);
    const chat = await a.newDirect(b.id);
    const m1 = await a.say(chat.id, 'keep');
    const m2 = await a.say(chat.id, 'hide from b');

    const r = await b.del(chat.id, { message_id: m2.id });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { message_id: m2.id, for_everyone: false });
    assert.deepEqual((await b.page(chat.id)).items.map((m) => m.id), [m1.id]);
    assert.equal((await b.getChat(chat.id)).last_message.id, m1.id);
    const forA = await a.page(chat.id);
    assert.deepEqual(forA.items.map((m) => m.id), [m1.id, m2.id]);
    assert.equal(forA.items[1].deleted, false);
    assert.equal(forA.items[1].text, 'hide from b');
    assert.equal((await a.getChat(chat.id)).last_message.id, m2.id);

    const explicit = await a.del(chat.id, { message_id: m1.id, for_everyone: false });
    assert.equal(explicit.status, 200, explicit.text);
    assert.deepEqual(explicit.json, { message_id: m1.id, for_everyone: false });
    assert.deepEqual((await a.page(chat.id)).items.map((m) => m.id), [m2.id]);
    assert.deepEqual((await b.page(chat.id)).items.map((m) => m.id), [m1.id]);

    assertError(await a.del(chat.id, { message_id: 'no-such-message' }), 404, 'not_found', 'delete unknown message');
    assertError(await a.del(chat.id, {}), 400, 'missing_field', 'no message_id');
    assertError(await a.del(chat.id, { message_id: m1.id, for_everyone: 'yes' }), 400, 'invalid_field', 'for_everyone not boolean');
    // a message of another chat is unknown here
    const other = await a.newGroup('Other', [b.id]);
    const foreign = await a.say(other.id, 'elsewhere');
    assertError(await a.del(chat.id, { message_id: foreign.id }), 404, 'not_found', 'delete a message of another chat');
    // the next seq is unaffected
    assert.equal((await b.say(chat.id, 'after')).seq, 3);
  });

  it('delete for everyone erases the content for all; sender only; idempotent', async () => {
    const [a, b] = await users(f, 2);
    const chat = await a.newGroup('Oops', [b.id]);
    const m = await a.say(chat.id, 'secret');
    const keep = await b.say(chat.id, 'fine');

    assertError(await b.del(chat.id, { message_id: m.id, for_everyone: true }), 403, 'not_sender', 'non-sender for everyone');

    const r = await a.del(chat.id, { message_id: m.id, for_everyone: true });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { message_id: m.id, for_everyone: true });
    for (const who of [a, b]) {
      const p = await who.page(chat.id);
      assert.deepEqual(seqs(p), [1, 2], 'the deleted message keeps its place');
      const gone = p.items[0];
      assert.equal(gone.id, m.id);
      assert.equal(gone.deleted, true);
      assert.equal(gone.text, '');
      assert.equal(gone.media, null);
      assert.equal(gone.sender_id, a.id);
      assert.equal(p.items[1].id, keep.id);
      assert.equal(p.items[1].deleted, false);
      assert.equal(p.items[1].text, 'fine');
    }
    const again = await a.del(chat.id, { message_id: m.id, for_everyone: true });
    assert.equal(again.status, 200, `delete for everyone again -> ${again.status} ${again.text}`);
    assert.deepEqual(again.json, { message_id: m.id, for_everyone: true });
    assertError(await a.del(chat.id, { message_id: 'nope', for_everyone: true }), 404, 'not_found', 'unknown message for everyone');

    // deleting the newest message: last_message shows it deleted
    const last = await a.say(chat.id, 'typo');
    assert.equal((await a.del(chat.id, { message_id: last.id, for_everyone: true })).status, 200);
    const viewB = await b.getChat(chat.id);
    assert.equal(viewB.last_message.id, last.id);
    assert.equal(viewB.last_message.deleted, true);
    assert.equal(viewB.last_message.text, '');
    assert.equal((await b.say(chat.id, 'next')).seq, 4);
  });

  it('read marks: unread_count counts others\' messages after the mark', async () => {
    const [a, b] = await users(f, 2);
    const chat = await a.newDirect(b.id);
    await a.say(chat.id, '1');
    await a.say(chat.id, '2');
    await a.say(chat.id, '3');
    const unread = async (who) => (await who.getChat(chat.id)).unread_count;
    assert.equal(await unread(b), 3);
    assert.equal(await unread(a), 0, 'own messages are not unread');
    await b.say(chat.id, '4');
    assert.equal(await unread(a), 1);
    assert.equal(await unread(b), 3);

    let r = await b.read(chat.id, 2);
    assert.equal(r.status, 204, r.text);
    assert.equal(r.text, '');
    assert.equal(await unread(b), 1);
    r = await b.read(chat.id, 1);
    assert.equal(r.status, 204, r.text);
    assert.equal(await unread(b), 1, 'the read mark does not move back');
    assert.equal((await b.read(chat.id, 0)).status, 204);
    assert.equal(await unread(b), 1);
    r = await b.read(chat.id, 1000);
    assert.equal(r.status, 204, r.text);
    assert.equal(await unread(b), 0);
    await a.say(chat.id, '5');
    assert.equal(await unread(b), 1, 'a read mark past the newest message covers only what existed');
    const listed = (await b.list()).json.items.find((c) => c.id === chat.id);
    assert.equal(listed.unread_count, 1);
    assert.equal((await a.read(chat.id, 5)).status, 204);
    assert.equal(await unread(a), 0);

    assertError(await b.read(chat.id, -1), 400, 'invalid_seq', 'negative seq');
    assertError(await b.req('POST', `/chats/${chat.id}/read`, {}), 400, 'missing_field', 'no seq');
    assertError(await b.read(chat.id, '3'), 400, 'invalid_field', 'seq as string');
    assertError(await b.read(chat.id, 2.5), 400, 'invalid_field', 'fractional seq');
  });

  it('add participants: admins only; a new member sees messages from when they joined', async () => {
    const [a, b, c, d] = await users(f, 4);
    const g = await a.newGroup('Club', [b.id]);
    const old1 = await a.say(g.id, 'before c');
    await b.say(g.id, 'also before c');

    assertError(await b.add(g.id, [c.id]), 403, 'not_admin', 'member adds');
    assertError(await a.add(g.id, ['no-such-user']), 400, 'unknown_user', 'add unknown user');
    assertError(await a.req('POST', `/chats/${g.id}/participants`, {}), 400, 'missing_field', 'no user_ids');
    assertError(await c.chat(g.id), 404, 'not_found', 'not yet a member');

    const r = await a.add(g.id, [c.id]);
    assert.equal(r.status, 200, r.text);
    assertChat(r.json);
    assert.equal(r.json.id, g.id);
    assert.deepEqual(roles(r.json), { [a.id]: 'admin', [b.id]: 'member', [c.id]: 'member' });
    const twice = await a.add(g.id, [c.id, b.id]);
    assert.equal(twice.status, 200, twice.text);
    assert.equal(twice.json.participants.length, 3, `no duplicates: ${twice.text}`);

    const forC = await c.getChat(g.id);
    assert.equal(forC.last_message, null, 'no message from before joining');
    assert.equal(forC.unread_count, 0);
    let p = await c.page(g.id);
    assert.deepEqual(p.items, []);
    assert.equal(p.next_before, null);
    assert.ok((await c.list()).json.items.some((x) => x.id === g.id));

    const after = await a.say(g.id, 'welcome c');
    assert.equal(after.seq, 3);
    p = await c.page(g.id);
    assert.deepEqual(seqs(p), [3]);
    assert.equal(p.next_before, null, 'nothing older that c may see');
    assert.deepEqual(seqs(await c.page(g.id, '?after=0')), [3]);
    assert.deepEqual(seqs(await c.page(g.id, '?before=3')), []);
    const viewC = await c.getChat(g.id);
    assert.equal(viewC.last_message.id, after.id);
    assert.equal(viewC.unread_count, 1);
    assertError(
      await c.send(g.id, { client_id: newClientId(), type: 'text', text: 're', reply_to: old1.id }),
      400,
      'invalid_reply',
      'reply to a message from before joining',
    );
    assertError(await c.del(g.id, { message_id: old1.id }), 404, 'not_found', 'delete a message from before joining');
    assert.equal((await c.say(g.id, 'hi all', { reply_to: after.id })).seq, 4);
    // everyone else still sees everything
    assert.deepEqual(seqs(await b.page(g.id)), [1, 2, 3, 4]);

    // an admin may add several at once; direct chats take no members
    const withD = await a.add(g.id, [d.id]);
    assert.equal(withD.status, 200, withD.text);
    assert.equal(withD.json.participants.length, 4);
    const direct = await a.newDirect(b.id);
    assertError(await a.add(direct.id, [c.id]), 400, 'not_group', 'add to a direct chat');
  });

  it('remove a participant or leave; the removed user gets 404', async () => {
    const [a, b, c, d] = await users(f, 4);
    const g = await a.newGroup('Team', [b.id, c.id, d.id]);
    await a.say(g.id, 'hello team');

    assertError(await b.remove(g.id, c.id), 403, 'not_admin', 'member removes another');
    const r = await a.remove(g.id, c.id);
    assert.equal(r.status, 200, r.text);
    assertChat(r.json);
    assert.deepEqual(roles(r.json), { [a.id]: 'admin', [b.id]: 'member', [d.id]: 'member' });
    assertError(await c.chat(g.id), 404, 'not_found', 'removed user GET chat');
    assertError(await c.history(g.id), 404, 'not_found', 'removed user GET messages');
    assertError(await c.send(g.id, { client_id: newClientId(), type: 'text', text: 'let me in' }), 404, 'not_found', 'removed user sends');
    assert.ok(!(await c.list()).json.items.some((x) => x.id === g.id), 'not in the removed user\'s list');
    assertError(await a.remove(g.id, c.id), 404, 'not_found', 'remove a non-member');

    const left = await b.remove(g.id, b.id);
    assert.equal(left.status, 200, `leave -> ${left.status} ${left.text}`);
    assert.ok(!left.json.participants.some((p) => p.user_id === b.id), left.text);
    assertError(await b.chat(g.id), 404, 'not_found', 'GET chat after leaving');
    const now = await a.getChat(g.id);
    assert.deepEqual(roles(now), { [a.id]: 'admin', [d.id]: 'member' });

    const direct = await a.newDirect(b.id);
    assertError(await a.remove(direct.id, b.id), 400, 'not_group', 'remove from a direct chat');
    assertError(await a.remove(direct.id, a.id), 400, 'not_group', 'leave a direct chat');
  });

  it('when the last admin leaves, the longest-standing member becomes admin', async () => {
    const [a, b, c, d] = await users(f, 4);
    const g = await a.newGroup('Succession', [b.id]);
    await sleep(5);
    assert.equal((await a.add(g.id, [c.id, d.id])).status, 200);
    const r = await a.remove(g.id, a.id);
    assert.equal(r.status, 200, r.text);
    const now = await c.getChat(g.id);
    assert.deepEqual(roles(now), { [b.id]: 'admin', [c.id]: 'member', [d.id]: 'member' });
    // the new admin can manage the group
    const renamed = await b.update(g.id, { name: 'Succession II' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal((await b.remove(g.id, d.id)).status, 200);
    assertError(await a.chat(g.id), 404, 'not_found', 'the one who left');
    // and when the only admin leaves a two-member group, the other one takes over
    assert.equal((await b.remove(g.id, b.id)).status, 200);
    assert.deepEqual(roles(await c.getChat(g.id)), { [c.id]: 'admin' });
  });

  it('rename and picture: group admins only; not_group on a direct chat', async () => {
    const [a, b] = await users(f, 2);
    const g = await a.newGroup('Old name', [b.id]);
    const r = await a.update(g.id, { name: 'New name' });
    assert.equal(r.status, 200, r.text);
    assertChat(r.json);
    assert.equal(r.json.name, 'New name');
    assert.equal((await b.getChat(g.id)).name, 'New name');
    assertError(await b.update(g.id, { name: 'Mutiny' }), 403, 'not_admin', 'member renames');
    assertError(await a.update(g.id, { name: '  ' }), 400, 'invalid_name', 'blank name');
    assertError(await a.update(g.id, { name: 'x'.repeat(101) }), 400, 'too_long', '101-character name');
    assertError(await a.update(g.id, { name: 5 }), 400, 'invalid_field', 'name not a string');
    assertError(await a.update(g.id, { image_id: 'some-media' }), 400, 'invalid_media', 'image_id');
    const cleared = await a.update(g.id, { image_id: null });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.json.image_id, null);
    assert.equal(cleared.json.name, 'New name', 'absent fields stay');
    const same = await a.update(g.id, {});
    assert.equal(same.status, 200, same.text);
    assert.equal(same.json.name, 'New name');
    const direct = await a.newDirect(b.id);
    assertError(await a.update(direct.id, { name: 'Us' }), 400, 'not_group', 'rename a direct chat');
  });

  it('media listing: empty without media; bad queries 400', async () => {
    const [a, b] = await users(f, 2);
    const chat = await a.newDirect(b.id);
    await a.say(chat.id, 'text is not media');
    for (const q of ['', '?type=image', '?type=video', '?type=audio', '?type=file', '?limit=5', '?before=3']) {
      const r = await a.media(chat.id, q);
      assert.equal(r.status, 200, `GET media${q} -> ${r.status} ${r.text}`);
      assert.deepEqual(r.json, { items: [], next_before: null }, `GET media${q}`);
    }
    for (const q of ['?type=text', '?type=sticker', '?limit=0', '?limit=201', '?limit=abc', '?before=0', '?before=x']) {
      assertError(await a.media(chat.id, q), 400, 'invalid_query', `GET media${q}`);
    }
  });

  it('a direct chat is a message request for the recipient until they reply; accept is 204, idempotent, 404 for a stranger', async () => {
    const [a, b, c, x] = await users(f, 4);
    const chat = await a.newDirect(b.id);
    assert.equal(chat.request, false, 'the opener’s answer');
    assert.equal((await a.getChat(chat.id)).request, false, 'for the opener');
    assert.equal((await b.getChat(chat.id)).request, true, 'for the recipient');
    const listed = (await b.list()).json.items.find((i) => i.id === chat.id);
    assert.equal(listed.request, true, 'in the recipient’s list');
    assert.equal((await b.newDirect(a.id, 200)).request, true, 'found again by the recipient');
    await a.say(chat.id, 'hi, we met at the conference');
    await a.say(chat.id, 'are you there?');
    assert.equal((await b.getChat(chat.id)).request, true, 'the opener’s messages do not answer it');
    await b.say(chat.id, 'yes, hello');
    assert.equal((await b.getChat(chat.id)).request, false, 'a reply answers it');
    assert.equal((await a.getChat(chat.id)).request, false);

    // Accepting: 204, idempotent; 404 for a chat the caller is not in; 204 where nothing is to accept.
    const other = await c.newDirect(b.id);
    assertError(await x.accept(other.id), 404, 'not_found', 'a stranger accepts');
    assertError(await b.accept('no-such-chat'), 404, 'not_found', 'an unknown chat');
    assert.equal((await b.getChat(other.id)).request, true);
    for (let i = 0; i < 2; i++) assert.equal((await b.accept(other.id)).status, 204, `accept #${i + 1}`);
    assert.equal((await b.getChat(other.id)).request, false, 'accepted');
    assert.equal((await c.accept(other.id)).status, 204, 'the opener accepts: nothing to do');
    const g = await c.newGroup('Club', [b.id]);
    assert.equal((await b.accept(g.id)).status, 204, 'a group');
    assert.equal((await b.getChat(g.id)).request, false);
  });

  it('the recipient’s typing and read receipts do not reach the opener until they accept', async () => {
    const [a, b] = await users(f, 2);
    const sa = await connect(f.baseUrl, a.token, { label: 'opener' });
    const sb = await connect(f.baseUrl, b.token, { label: 'recipient' });
    try {
      const chat = await a.newDirect(b.id);
      // chat:new: each sees the chat as their own.
      assert.equal((await sa.next('chat:new', { filter: (d) => d.id === chat.id })).request, false);
      assert.equal((await sb.next('chat:new', { filter: (d) => d.id === chat.id })).request, true);
      await a.say(chat.id, 'one');
      await a.say(chat.id, 'two');
      // B types and reads message 1; then acknowledges message 2 as delivered, which does
      // reach A, after anything the typing and the read would have sent.
      assert.deepEqual(await sb.emit('typing', { chat_id: chat.id, typing: true }), {});
      assert.deepEqual(await sb.emit('message:read', { chat_id: chat.id, seq: 1 }), {});
      assert.deepEqual(await sb.emit('message:delivered', { chat_id: chat.id, seq: 2 }), {});
      await sa.next('message:status', { filter: (d) => d.chat_id === chat.id && d.status === 'delivered' && d.seq === 2 });
      assert.deepEqual(sa.drain('typing'), [], 'the recipient’s typing reached the opener');
      assert.deepEqual(sa.drain('message:status', (d) => d.status === 'read'), [], 'the recipient’s read receipt reached the opener');
      assert.equal((await b.getChat(chat.id)).unread_count, 1, 'the read mark is kept all the same');
      // The opener's typing does reach the recipient.
      await sa.emit('typing', { chat_id: chat.id, typing: true });
      assert.equal((await sb.next('typing', { filter: (d) => d.chat_id === chat.id })).user_id, a.id);

      assert.equal((await b.accept(chat.id)).status, 204);
      const updated = await sb.next('chat:updated', { filter: (d) => d.id === chat.id });
      assert.equal(updated.request, false, 'the recipient’s devices hear it is no request now');
      await sb.emit('typing', { chat_id: chat.id, typing: true });
      assert.deepEqual(await sa.next('typing', { filter: (d) => d.chat_id === chat.id }), { chat_id: chat.id, user_id: b.id, typing: true });
      await sb.emit('message:read', { chat_id: chat.id, seq: 2 });
      assert.deepEqual(await sa.next('message:status', { filter: (d) => d.chat_id === chat.id && d.status === 'read' }),
        { chat_id: chat.id, user_id: b.id, seq: 2, status: 'read' });
    } finally {
      await sa.close();
      await sb.close();
    }
  });

  it('presence and last seen reach contacts only: not the opener of a request, not a group co-member', async () => {
    // A's contact C, a stranger S who opened a chat with A, and D who shares a group with A.
    const [a, c, s, d] = await users(f, 4);
    const withC = await c.newDirect(a.id);
    await c.say(withC.id, 'hi A');
    await a.say(withC.id, 'hi C');
    const withS = await s.newDirect(a.id);
    await s.say(withS.id, 'hi, stranger here');
    const group = await d.newGroup('Neighbours', [a.id]);
    await d.say(group.id, 'welcome');
    await a.say(group.id, 'thanks');

    const [sc, ss, sd] = await Promise.all([c, s, d].map((u) => connect(f.baseUrl, u.token, { label: u.user.name })));
    const fromA = (e) => e.user_id === a.id;
    try {
      let sa = await connect(f.baseUrl, a.token, { label: 'A' });
      assert.equal((await sc.next('presence', { filter: fromA })).online, true, 'the contact sees A come online');
      // A acknowledges S's and D's messages: the delivered receipts reach them after any
      // presence would have.
      await sa.emit('message:delivered', { chat_id: withS.id, seq: 1 });
      await sa.emit('message:delivered', { chat_id: group.id, seq: 1 });
      await ss.next('message:status', { filter: (e) => e.chat_id === withS.id && fromA(e) });
      await sd.next('message:status', { filter: (e) => e.chat_id === group.id && fromA(e) });
      assert.deepEqual(ss.drain('presence', fromA), [], 'the opener of a request saw A online');
      assert.deepEqual(sd.drain('presence', fromA), [], 'a group co-member saw A online');

      await sa.close();
      const off = await sc.next('presence', { filter: (e) => fromA(e) && !e.online });
      assert.ok(Number.isInteger(off.last_seen_at), `last_seen_at: ${JSON.stringify(off)}`);
      // New messages to A, read over REST: the delivered receipts come after any presence.
      const m = await s.say(withS.id, 'still there?');
      const n = await d.say(group.id, 'anyone?');
      assert.equal((await a.read(withS.id, m.seq)).status, 204);
      assert.equal((await a.read(group.id, n.seq)).status, 204);
      await ss.next('message:status', { filter: (e) => e.chat_id === withS.id && e.seq === m.seq });
      await sd.next('message:status', { filter: (e) => e.chat_id === group.id && e.seq === n.seq });
      assert.deepEqual(ss.drain('presence', fromA), [], 'the opener of a request saw A go offline');
      assert.deepEqual(sd.drain('presence', fromA), [], 'a group co-member saw A go offline');

      // last_seen_at in User objects: to contacts (and oneself) only.
      assert.equal((await a.profile(a.id)).json.last_seen_at, off.last_seen_at, 'A’s own');
      assert.equal((await c.profile(a.id)).json.last_seen_at, off.last_seen_at, 'a contact');
      for (const [who, name] of [[s, 'the opener of a request'], [d, 'a group co-member']]) {
        const profile = await who.profile(a.id);
        assert.equal(profile.status, 200, profile.text);
        assert.equal(profile.json.last_seen_at, null, `${name}: GET /users/{id}`);
        const found = await who.lookup([a.user.phone]);
        assert.equal(found.status, 200, found.text);
        assert.deepEqual(found.json.items.map((u) => [u.id, u.last_seen_at]), [[a.id, null]], `${name}: lookup`);
      }
      assert.deepEqual((await c.lookup([a.user.phone])).json.items.map((u) => u.last_seen_at), [off.last_seen_at]);

      // A accepts S's request: S sees A's last seen and presence from then on.
      assert.equal((await a.accept(withS.id)).status, 204);
      assert.equal((await s.profile(a.id)).json.last_seen_at, off.last_seen_at, 'after accepting');
      sa = await connect(f.baseUrl, a.token, { label: 'A again' });
      assert.equal((await ss.next('presence', { filter: fromA })).online, true, 'S, now a contact, sees A online');
      await sa.close();
    } finally {
      await Promise.all([sc, ss, sd].map((x) => x.close()));
    }
  });
});

describe('delete for everyone window', () => {
  it('is 403 window_passed once the window is over; delete for me still works', async () => {
    const f = await startFlowd([...ARGS, '--delete-for-everyone-seconds', '1']);
    try {
      const [a, b] = await users(f, 2);
      const chat = await a.newDirect(b.id);
      const old = await a.say(chat.id, 'soon too late');
      await sleep(1200);
      const fresh = await a.say(chat.id, 'just now');
      assertError(await a.del(chat.id, { message_id: old.id, for_everyone: true }), 403, 'window_passed', 'after the window');
      const ok = await a.del(chat.id, { message_id: fresh.id, for_everyone: true });
      assert.equal(ok.status, 200, ok.text);
      const mine = await a.del(chat.id, { message_id: old.id });
      assert.equal(mine.status, 200, mine.text);
      const forB = await b.page(chat.id);
      assert.equal(forB.items[0].id, old.id);
      assert.equal(forB.items[0].deleted, false);
      assert.equal(forB.items[0].text, 'soon too late');
      assert.equal(forB.items[1].deleted, true);
      assert.deepEqual((await a.page(chat.id)).items.map((m) => m.id), [fresh.id]);
    } finally {
      await f.shutdown();
    }
  });
});

describe('chat durability', () => {
  it('keeps chats, messages, roles and read marks across SIGTERM and a restart', async () => {
    const f = await startFlowd(ARGS);
    try {
      const [a, b, c] = await users(f, 3);
      const direct = await a.newDirect(b.id);
      const g = await a.newGroup('Durable', [b.id, c.id]);
      for (let i = 0; i < 3; i++) await a.say(direct.id, `d${i}`);
      await b.say(g.id, 'g0');
      const gone = await a.say(g.id, 'g1');
      assert.equal((await a.del(g.id, { message_id: gone.id, for_everyone: true })).status, 200);
      assert.equal((await b.read(direct.id, 2)).status, 204);
      const before = {
        listA: (await a.list()).json,
        listB: (await b.list()).json,
        direct: await b.page(direct.id),
        group: await c.page(g.id),
      };

      await f.stop();
      await f.restart();

      assert.deepEqual((await a.list()).json, before.listA);
      assert.deepEqual((await b.list()).json, before.listB);
      assert.deepEqual(await b.page(direct.id), before.direct);
      assert.deepEqual(await c.page(g.id), before.group);
      assert.equal((await b.getChat(direct.id)).unread_count, 1);
      assert.equal((await a.newDirect(b.id, 200)).id, direct.id);
      assert.equal((await b.say(direct.id, 'after restart')).seq, 4);
      assert.equal((await c.say(g.id, 'still here')).seq, 3);
    } finally {
      await f.shutdown();
    }
  });

  it('a message answered 201 survives kill -9 right after', async () => {
    const f = await startFlowd(ARGS);
    try {
      const [a, b] = await users(f, 2);
      const chat = await a.newDirect(b.id);
      await a.say(chat.id, 'first');
      const body = { client_id: 'crash-1', type: 'text', text: 'sent just before the crash' };
      const sent = await a.send(chat.id, body);
      assert.equal(sent.status, 201, sent.text);
      await f.kill();
      await f.restart();
      const p = await b.page(chat.id);
      assert.deepEqual(seqs(p), [1, 2]);
      assert.deepEqual(p.items[1], sent.json);
      const retry = await a.send(chat.id, body);
      assert.equal(retry.status, 200, `retry after crash -> ${retry.status} ${retry.text}`);
      assert.deepEqual(retry.json, sent.json);
      assert.equal((await b.say(chat.id, 'next')).seq, 3);
    } finally {
      await f.shutdown();
    }
  });
});
