// Real time over the plain WebSocket transport at /ws, as a client sees it: the
// handshake, frames and acks, message:new fan-out to every device but the sending one,
// retries, deletes, receipts, typing, presence, chat events, catching up after a
// reconnect (nothing lost, nothing twice, in seq order), concurrency, logout, and a slow
// reader being dropped without holding anyone else up.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowd, assertAckError, openConnections, untilOpenConnections } from './lib/flowd.mjs';
import { connect, handshake } from './lib/ws_client.mjs';

// Many sign-ins come from 127.0.0.1: lift the per-address and per-phone caps; and some
// tests send hundreds of messages as one user at once (limits.test.mjs tests the limits).
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0',
  '--user-send-rate', '0'];

// How long "nothing arrives" is watched for.
const QUIET_MS = 250;

let clientSeq = 0;
const newClientId = () => `ws-${process.pid}-${++clientSeq}-${Math.random().toString(36).slice(2, 8)}`;
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const isMs = (t) => Number.isInteger(t) && t > 1_577_836_800_000 && t < Date.now() + 86_400_000;
const inChat = (chatId) => ({ filter: (d) => d && d.chat_id === chatId });

function assertMessage(m, what = 'message') {
  const ctx = `${what}: ${JSON.stringify(m)}`;
  assert.ok(m && typeof m === 'object' && !m.error, ctx);
  for (const k of ['id', 'chat_id', 'seq', 'sender_id', 'client_id', 'type', 'text', 'media', 'reply_to', 'created_at', 'deleted']) {
    assert.ok(k in m, `field ${k} missing in ${ctx}`);
  }
  assert.ok(Number.isInteger(m.seq) && m.seq >= 1, `seq: ${ctx}`);
  assert.ok(isMs(m.created_at), `created_at: ${ctx}`);
}

/** Waits for `promise` at most `ms`, failing with `what`. */
async function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `fn(i)` for i in 0..n-1 with at most `limit` at a time; results in index order. */
async function pool(n, limit, fn) {
  const out = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

/** The test's view of one server: users, REST shortcuts, and sockets closed after each test. */
function harness(getF) {
  const sockets = [];
  const h = {
    async open(token, opts) {
      const c = await connect(getF().baseUrl, token, opts);
      sockets.push(c);
      return c;
    },
    async closeAll() {
      await Promise.all(sockets.splice(0).map((c) => c.terminate()));
    },
    users(n, prefix = 'Ws') {
      return getF().signUpMany(n, prefix);
    },
    /** Another sign-in (another device, another token) of the same user. */
    async device(u) {
      const s = await getF().signIn(u.phone);
      assert.equal(s.user.id, u.id);
      return s.token;
    },
    req(who, method, p, body) {
      return getF().request(method, p, { token: who.token ?? who, body });
    },
    /** `a` opens a direct chat with `b`, who accepts it: the two are contacts. */
    async direct(a, b) {
      const r = await h.req(a, 'POST', '/chats', { type: 'direct', user_id: b.id });
      assert.ok(r.status === 201 || r.status === 200, `create direct -> ${r.status} ${r.text}`);
      const accepted = await h.req(b, 'POST', `/chats/${r.json.id}/accept`);
      assert.equal(accepted.status, 204, `accept -> ${accepted.status} ${accepted.text}`);
      return r.json;
    },
    async group(a, name, members) {
      const r = await h.req(a, 'POST', '/chats', { type: 'group', name, user_ids: members.map((m) => m.id) });
      assert.equal(r.status, 201, `create group -> ${r.status} ${r.text}`);
      return r.json;
    },
    /** Sends a text message over REST and asserts 201; returns the Message. */
    async say(who, chatId, text = 'hello', clientId = newClientId()) {
      const r = await h.req(who, 'POST', `/chats/${chatId}/send_message`, { client_id: clientId, type: 'text', text });
      assert.equal(r.status, 201, `send_message -> ${r.status} ${r.text}`);
      assertMessage(r.json, 'REST send answer');
      return r.json;
    },
    /** Sends a text message over a socket and asserts the ack is a Message. */
    async wsSay(c, chatId, text = 'hello', clientId = newClientId()) {
      const m = await c.emit('message:send', { chat_id: chatId, client_id: clientId, type: 'text', text });
      assertMessage(m, 'message:send ack');
      return m;
    },
    async history(who, chatId, query = '') {
      const r = await h.req(who, 'GET', `/chats/${chatId}/messages${query}`);
      assert.equal(r.status, 200, `GET messages -> ${r.status} ${r.text}`);
      return r.json.items;
    },
  };
  return h;
}

/** The next `n` message:new of a chat on `c`; asserts they are exactly `expected` seqs. */
async function expectSeqs(c, chatId, expected, what, opts = {}) {
  const got = [];
  for (let i = 0; i < expected.length; i++) {
    try {
      got.push(await c.next('message:new', { ...inChat(chatId), ...opts }));
    } catch (e) {
      assert.fail(`${what}: got seqs ${JSON.stringify(got.map((m) => m.seq))} then: ${e.message}`);
    }
  }
  assert.deepEqual(got.map((m) => m.seq), expected, `${what}: seqs in order`);
  return got;
}

describe('realtime over /ws', () => {
  let f;
  const h = harness(() => f);
  before(async () => {
    f = await startFlowd(ARGS);
  });
  afterEach(async () => {
    await h.closeAll();
  });
  after(async () => {
    await f?.shutdown();
  });

  it('handshake: token in the query or in Authorization; no or bad token is 401 JSON; plain GET is 400', async () => {
    const [a] = await h.users(1);
    const viaQuery = await h.open(a.token);
    const viaHeader = await h.open(a.token, { auth: 'header' });
    for (const c of [viaQuery, viaHeader]) {
      assertAckError(await c.emit('no:such:event', {}), 'unknown_event', 'session works');
    }
    for (const [what, token, auth] of [
      ['no token', undefined, 'query'],
      ['bad token in query', 'not-a-token', 'query'],
      ['bad token in header', 'not-a-token', 'header'],
    ]) {
      const r = await handshake(f.baseUrl, token, { auth });
      assert.ok(!r.ws, `${what}: the upgrade must be refused`);
      assert.equal(r.status, 401, `${what}: ${r.status} ${r.body}`);
      assert.equal(typeof r.json?.error?.code, 'string', `${what}: JSON error body: ${r.body}`);
      assert.equal(typeof r.json.error.message, 'string', `${what}: ${r.body}`);
    }
    const plain = await f.request('GET', '/ws', { token: a.token });
    assert.equal(plain.status, 400, `GET /ws without upgrade -> ${plain.status} ${plain.text}`);
    assert.equal(typeof plain.json?.error?.code, 'string', `JSON error body: ${plain.text}`);
  });

  it('two users: a REST send reaches the other user, not the sending device; a ws send is acked with the Message', async () => {
    const [a, b] = await h.users(2);
    const chat = await h.direct(a, b);
    const ca = await h.open(a.token);
    const cb = await h.open(b.token);

    const m1 = await h.say(a, chat.id, 'over REST');
    assert.deepEqual(await cb.next('message:new', inChat(chat.id)), m1, 'message:new is the REST Message');

    const m2 = await h.wsSay(cb, chat.id, 'over ws');
    assert.equal(m2.seq, 2);
    assert.equal(m2.sender_id, b.id);
    assert.equal(m2.chat_id, chat.id);
    assert.equal(m2.text, 'over ws');
    assert.deepEqual(await ca.next('message:new', inChat(chat.id)), m2);

    assert.deepEqual(await h.history(a, chat.id), [m1, m2], 'ack and events carry the same JSON as REST');
    await Promise.all([ca.none('message:new', QUIET_MS), cb.none('message:new', QUIET_MS)]);
  });

  it('three users in a group: each send reaches the two others once', async () => {
    const us = await h.users(3);
    const g = await h.group(us[0], 'Three', us.slice(1));
    const cs = await Promise.all(us.map((u) => h.open(u.token)));
    for (let k = 0; k < 3; k++) {
      const m = await h.wsSay(cs[k], g.id, `from ${k}`);
      assert.equal(m.seq, k + 1);
      for (let j = 0; j < 3; j++) {
        if (j !== k) assert.deepEqual(await cs[j].next('message:new', inChat(g.id)), m, `user ${j} gets ${k}'s message`);
      }
    }
    await Promise.all(cs.map((c) => c.none('message:new', QUIET_MS)));
  });

  it('a group of five: one send reaches the four others exactly once, not the sending device', async () => {
    const us = await h.users(5);
    const g = await h.group(us[0], 'Five', us.slice(1));
    const cs = await Promise.all(us.map((u) => h.open(u.token)));
    const viaRest = await h.say(us[0], g.id, 'REST to four');
    const viaWs = await h.wsSay(cs[2], g.id, 'ws to four');
    for (let j = 0; j < 5; j++) {
      if (j !== 0) assert.deepEqual(await cs[j].next('message:new', { filter: (d) => d.id === viaRest.id }), viaRest, `member ${j}`);
      if (j !== 2) assert.deepEqual(await cs[j].next('message:new', { filter: (d) => d.id === viaWs.id }), viaWs, `member ${j}`);
    }
    await Promise.all(cs.map((c) => c.none('message:new', QUIET_MS)));
  });

  it("the sender's other device gets its own messages (ws and REST); the sending device does not", async () => {
    const [a, b] = await h.users(2);
    const chat = await h.direct(a, b);
    const a2token = await h.device(a);
    const [a1, a2, cb] = await Promise.all([h.open(a.token), h.open(a2token), h.open(b.token)]);

    const m1 = await h.wsSay(a1, chat.id, 'ws from device 1');
    const m2 = await h.say(a, chat.id, 'REST from device 1');
    const m3 = await h.say(a2token, chat.id, 'REST from device 2');
    const m4 = await h.wsSay(cb, chat.id, 'from b');
    assert.deepEqual(await a2.take('message:new', 2, inChat(chat.id)), [m1, m2]);
    assert.deepEqual(await a2.next('message:new', inChat(chat.id)), m4);
    assert.deepEqual(await a1.take('message:new', 2, inChat(chat.id)), [m3, m4]);
    assert.deepEqual(await cb.take('message:new', 3, inChat(chat.id)), [m1, m2, m3]);
    await Promise.all([a1, a2, cb].map((c) => c.none('message:new', QUIET_MS)));
  });

  it('message:send retried with the same client_id acks the same message; the recipient gets it once', async () => {
    const [a, b] = await h.users(2);
    const chat = await h.direct(a, b);
    const [ca, cb] = await Promise.all([h.open(a.token), h.open(b.token)]);
    const body = { chat_id: chat.id, client_id: newClientId(), type: 'text', text: 'only once' };
    const first = await ca.emit('message:send', body);
    assertMessage(first);
    assert.equal(first.client_id, body.client_id);
    const again = await ca.emit('message:send', body);
    assert.deepEqual(again, first, 'a retry acks the first message');
    const rest = await h.req(a, 'POST', `/chats/${chat.id}/send_message`, { client_id: body.client_id, type: 'text', text: 'only once' });
    assert.equal(rest.status, 200, `REST retry -> ${rest.status} ${rest.text}`);
    assert.deepEqual(rest.json, first);
    const other = await h.wsSay(ca, chat.id, 'another', newClientId());
    assert.equal(other.seq, first.seq + 1);

    assert.deepEqual(await cb.take('message:new', 2, inChat(chat.id)), [first, other]);
    await cb.none('message:new', QUIET_MS);
    assert.deepEqual((await h.history(b, chat.id)).map((m) => m.seq), [1, 2]);
  });

  it('delete for everyone: message:deleted reaches every participant and the sender\'s other device', async () => {
    const [a, b, c] = await h.users(3);
    const g = await h.group(a, 'Deletes', [b, c]);
    const a2token = await h.device(a);
    const [ca, ca2, cb, cc] = await Promise.all([h.open(a.token), h.open(a2token), h.open(b.token), h.open(c.token)]);
    const m = await h.wsSay(ca, g.id, 'regret');
    const keep = await h.say(b, g.id, 'keep');
    for (const x of [ca2, cb, cc]) await x.next('message:new', { filter: (d) => d.id === m.id });

    // delete for me only: nobody else hears of it
    const mine = await h.req(b, 'DELETE', `/chats/${g.id}/delete_message`, { message_id: keep.id, for_everyone: false });
    assert.equal(mine.status, 200, mine.text);
    await Promise.all([ca, ca2, cc].map((x) => x.none('message:deleted', QUIET_MS)));

    const del = await h.req(a, 'DELETE', `/chats/${g.id}/delete_message`, { message_id: m.id, for_everyone: true });
    assert.equal(del.status, 200, del.text);
    for (const [who, x] of [['a second device', ca2], ['b', cb], ['c', cc]]) {
      assert.deepEqual(await x.next('message:deleted', inChat(g.id)), { chat_id: g.id, message_id: m.id }, who);
    }
    const seen = (await h.history(c, g.id)).find((x) => x.id === m.id);
    assert.equal(seen.deleted, true);
  });

  it('receipts: message:delivered and message:read (and POST /read) give the other participants message:status', async () => {
    const [a, b] = await h.users(2);
    const chat = await h.direct(a, b);
    const [ca, cb] = await Promise.all([h.open(a.token), h.open(b.token)]);
    const m1 = await h.say(a, chat.id, 'one');
    const got = await cb.next('message:new', inChat(chat.id));
    assert.equal(got.seq, m1.seq);

    assert.deepEqual(await cb.emit('message:delivered', { chat_id: chat.id, seq: 1 }), {});
    assert.deepEqual(await ca.next('message:status', inChat(chat.id)), { chat_id: chat.id, user_id: b.id, seq: 1, status: 'delivered' });
    assert.deepEqual(await cb.emit('message:read', { chat_id: chat.id, seq: 1 }), {});
    assert.deepEqual(await ca.next('message:status', inChat(chat.id)), { chat_id: chat.id, user_id: b.id, seq: 1, status: 'read' });

    await h.say(a, chat.id, 'two');
    await cb.next('message:new', inChat(chat.id));
    const r = await h.req(b, 'POST', `/chats/${chat.id}/read`, { seq: 2 });
    assert.equal(r.status, 204, r.text);
    // reading implies delivery: a delivered status for seq 2 may come first
    assert.deepEqual(
      await ca.next('message:status', { filter: (d) => d.chat_id === chat.id && d.status === 'read' }),
      { chat_id: chat.id, user_id: b.id, seq: 2, status: 'read' },
    );
    for (const extra of ca.drain('message:status')) {
      assert.deepEqual(extra, { chat_id: chat.id, user_id: b.id, seq: 2, status: 'delivered' }, 'only a delivered status besides');
    }

    // receipts go to the others, not back to the reader
    await cb.none('message:status', QUIET_MS);
    assertAckError(await cb.emit('message:delivered', { chat_id: chat.id }), 'missing_field', 'no seq');
    assertAckError(await cb.emit('message:read', { seq: 1 }), 'missing_field', 'no chat_id');
    assertAckError(await cb.emit('message:delivered', { chat_id: chat.id, seq: 'x' }), 'invalid_field', 'seq as string');
    assertAckError(await cb.emit('message:read', { chat_id: 'no-such-chat', seq: 1 }), 'not_found', 'unknown chat');
  });

  it('typing reaches the others, not the typing device', async () => {
    const [a, b, c] = await h.users(3);
    const g = await h.group(a, 'Typing', [b, c]);
    const [ca, cb, cc] = await Promise.all([a, b, c].map((u) => h.open(u.token)));
    assert.deepEqual(await ca.emit('typing', { chat_id: g.id, typing: true }), {});
    for (const x of [cb, cc]) assert.deepEqual(await x.next('typing', inChat(g.id)), { chat_id: g.id, user_id: a.id, typing: true });
    assert.deepEqual(await ca.emit('typing', { chat_id: g.id, typing: false }), {});
    for (const x of [cb, cc]) assert.deepEqual(await x.next('typing', inChat(g.id)), { chat_id: g.id, user_id: a.id, typing: false });
    await ca.none('typing', QUIET_MS);
    assertAckError(await ca.emit('typing', { chat_id: g.id }), 'missing_field', 'no typing');
    assertAckError(await ca.emit('typing', { chat_id: g.id, typing: 'yes' }), 'invalid_field', 'typing as string');
  });

  it('presence: online when the first device connects, offline with last_seen_at when the last leaves; contacts only', async () => {
    const [a, b, stranger] = await h.users(3);
    await h.direct(a, b);
    const ca = await h.open(a.token);
    const cs = await h.open(stranger.token);
    const b2token = await h.device(b);

    const cb1 = await h.open(b.token);
    const on = await ca.next('presence', { filter: (d) => d.user_id === b.id });
    assert.equal(on.online, true, JSON.stringify(on));
    assert.ok(on.last_seen_at === null || isMs(on.last_seen_at), `last_seen_at: ${JSON.stringify(on)}`);
    assert.deepEqual(Object.keys(on).sort(), ['last_seen_at', 'online', 'user_id']);

    const cb2 = await h.open(b2token);
    await ca.none('presence', QUIET_MS, { filter: (d) => d.user_id === b.id });
    await cb1.close();
    await ca.none('presence', QUIET_MS, { filter: (d) => d.user_id === b.id });

    const t0 = Date.now();
    await cb2.close();
    const off = await ca.next('presence', { filter: (d) => d.user_id === b.id });
    assert.equal(off.online, false, JSON.stringify(off));
    assert.ok(isMs(off.last_seen_at), `last_seen_at: ${JSON.stringify(off)}`);
    assert.ok(off.last_seen_at >= t0 - 1000 && off.last_seen_at <= Date.now() + 1000, `last_seen_at ~ now: ${JSON.stringify(off)}`);
    const profile = await h.req(a, 'GET', `/users/${b.id}`);
    assert.equal(profile.json.last_seen_at, off.last_seen_at, 'GET /users/{id} shows the same last_seen_at');

    const back = await h.open(b.token);
    const on2 = await ca.next('presence', { filter: (d) => d.user_id === b.id });
    assert.deepEqual(on2, { user_id: b.id, online: true, last_seen_at: off.last_seen_at });
    await back.close();
    await ca.next('presence', { filter: (d) => d.user_id === b.id && d.online === false });

    // someone sharing no chat with b hears nothing of b
    await cs.none('presence', 0, { filter: (d) => d.user_id === b.id });
  });

  it('chat:new and chat:updated reach the participants; a new member gets messages from when they joined', async () => {
    const [a, b, c] = await h.users(3);
    const [ca, cb, cc] = await Promise.all([a, b, c].map((u) => h.open(u.token)));
    const g = await h.group(a, 'Events', [b]);
    const created = await cb.next('chat:new', { filter: (d) => d.id === g.id });
    assert.equal(created.name, 'Events');
    assert.deepEqual(created.participants.map((p) => p.user_id).sort(), [a.id, b.id].sort());
    await cc.none('chat:new', 0);

    await h.say(a, g.id, 'before c');
    await cb.next('message:new', inChat(g.id));

    const added = await h.req(a, 'POST', `/chats/${g.id}/participants`, { user_ids: [c.id] });
    assert.equal(added.status, 200, added.text);
    const forC = await cc.next('chat:new', { filter: (d) => d.id === g.id });
    assert.equal(forC.participants.length, 3);
    const forB = await cb.next('chat:updated', { filter: (d) => d.id === g.id });
    assert.equal(forB.participants.length, 3);

    const m = await h.say(a, g.id, 'after c');
    assert.deepEqual(await cc.next('message:new', inChat(g.id)), m, 'a new member gets the next message');
    assert.equal(m.seq, 2);
    await cc.none('message:new', QUIET_MS);

    const renamed = await h.req(a, 'PUT', `/chats/${g.id}`, { name: 'Renamed' });
    assert.equal(renamed.status, 200, renamed.text);
    for (const x of [cb, cc]) await x.next('chat:updated', { filter: (d) => d.id === g.id && d.name === 'Renamed' });

    const removed = await h.req(a, 'DELETE', `/chats/${g.id}/participants/${c.id}`);
    assert.equal(removed.status, 200, removed.text);
    for (const [who, x] of [['b', cb], ['removed c', cc]]) {
      const u = await x.next('chat:updated', { filter: (d) => d.id === g.id && d.participants.length === 2 });
      assert.ok(!u.participants.some((p) => p.user_id === c.id), `${who}: ${JSON.stringify(u)}`);
    }
    await h.say(a, g.id, 'c is gone');
    await cb.next('message:new', inChat(g.id));
    await cc.none('message:new', QUIET_MS);
    await ca.none('message:new', 0);
  });

  it('reconnect: what was not acknowledged comes again, in order, once, before newer messages', async () => {
    const [a, b, c] = await h.users(3);
    const chat = await h.direct(a, b);
    const g = await h.group(c, 'Other chat', [a, b]);
    let cb = await h.open(b.token);

    for (let i = 1; i <= 3; i++) await h.say(a, chat.id, `m${i}`);
    await expectSeqs(cb, chat.id, [1, 2, 3], 'live');
    assert.deepEqual(await cb.emit('message:delivered', { chat_id: chat.id, seq: 2 }), {});
    for (let i = 4; i <= 5; i++) await h.say(a, chat.id, `m${i}`);
    await expectSeqs(cb, chat.id, [4, 5], 'live, not acked');
    await cb.close();

    // offline: both chats move on, interleaved
    for (let i = 6; i <= 10; i++) {
      await h.say(a, chat.id, `m${i}`);
      await h.say(c, g.id, `g${i}`);
    }
    cb = await h.open(b.token);
    const back = await expectSeqs(cb, chat.id, range(3, 10), 'after reconnect (acked up to 2)');
    assert.deepEqual(back.map((m) => m.text), range(3, 10).map((i) => `m${i}`));
    await expectSeqs(cb, g.id, range(1, 5), 'the other chat');
    const m11 = await h.say(a, chat.id, 'm11');
    assert.deepEqual((await expectSeqs(cb, chat.id, [11], 'live after catching up'))[0], m11);
    await cb.none('message:new', QUIET_MS);

    // acked everything: a reconnect brings nothing again
    assert.deepEqual(await cb.emit('message:delivered', { chat_id: chat.id, seq: 11 }), {});
    assert.deepEqual(await cb.emit('message:delivered', { chat_id: g.id, seq: 5 }), {});
    await cb.close();
    cb = await h.open(b.token);
    await cb.none('message:new', 400);
    const m12 = await h.say(a, chat.id, 'm12');
    assert.deepEqual((await expectSeqs(cb, chat.id, [12], 'next live'))[0], m12);
  });

  it('reconnect: 600 owed messages (more than one batch) arrive in order, once, before a newer one', async () => {
    const [a, b] = await h.users(2);
    const chat = await h.direct(a, b);
    const N = 600;
    await pool(N, 8, (i) => h.say(a, chat.id, `bulk ${i}`));
    const cb = await h.open(b.token);
    const late = h.say(a, chat.id, 'newest');
    const got = await expectSeqs(cb, chat.id, range(1, N + 1), 'owed then new', { timeout: 5000 });
    assert.equal(new Set(got.map((m) => m.id)).size, N + 1, 'distinct messages');
    assert.deepEqual(got[N], await late);
    await cb.none('message:new', QUIET_MS);
  });

  it('concurrent senders in a group: every member sees seq 1..60 in order, minus only its own device\'s sends', async () => {
    const [a, b, c, d] = await h.users(4);
    const g = await h.group(a, 'Busy', [b, c, d]);
    const a2token = await h.device(a);
    const [ca, cb, cc, cd, ca2] = await Promise.all([a.token, b.token, c.token, d.token, a2token].map((t) => h.open(t)));
    const senders = [ca, cb, cc];
    const acks = await Promise.all(
      senders.map((s, k) =>
        Promise.all(range(0, 19).map((i) => s.emit('message:send', { chat_id: g.id, client_id: newClientId(), type: 'text', text: `${k}:${i}` }))),
      ),
    );
    acks.flat().forEach((m) => assertMessage(m, 'ack'));
    assert.deepEqual(acks.flat().map((m) => m.seq).sort((x, y) => x - y), range(1, 60));
    acks.forEach((list, k) => {
      const s = list.map((m) => m.seq);
      assert.deepEqual(s, [...s].sort((x, y) => x - y), `sender ${k}: its sends are sequenced in the order it made them`);
    });
    const own = acks.map((list) => new Set(list.map((m) => m.seq)));
    const expectFor = (k) => range(1, 60).filter((s) => k === undefined || !own[k].has(s));
    await Promise.all([
      expectSeqs(ca, g.id, expectFor(0), 'a'),
      expectSeqs(cb, g.id, expectFor(1), 'b'),
      expectSeqs(cc, g.id, expectFor(2), 'c'),
      expectSeqs(cd, g.id, expectFor(), 'd (reader only)'),
      expectSeqs(ca2, g.id, expectFor(), "a's second device"),
    ]);
    await Promise.all([ca, cb, cc, cd, ca2].map((x) => x.none('message:new', QUIET_MS)));
  });

  it('a non-participant is refused (not_found) and receives nothing of the chat', async () => {
    const [a, b, outsider] = await h.users(3);
    const chat = await h.direct(a, b);
    const [ca, cb, co] = await Promise.all([a, b, outsider].map((u) => h.open(u.token)));
    for (const [event, data] of [
      ['message:send', { chat_id: chat.id, client_id: newClientId(), type: 'text', text: 'let me in' }],
      ['message:send', { chat_id: 'no-such-chat', client_id: newClientId(), type: 'text', text: 'hi' }],
      ['message:delivered', { chat_id: chat.id, seq: 1 }],
      ['message:read', { chat_id: chat.id, seq: 1 }],
      ['typing', { chat_id: chat.id, typing: true }],
    ]) {
      assertAckError(await co.emit(event, data), 'not_found', `outsider ${event} ${data.chat_id}`);
    }
    await h.say(a, chat.id, 'private');
    await h.wsSay(cb, chat.id, 'private too');
    assert.deepEqual(await ca.emit('typing', { chat_id: chat.id, typing: true }), {});
    await cb.next('typing', inChat(chat.id));
    await ca.next('message:new', inChat(chat.id));
    await co.none('message:new', QUIET_MS);
    assert.deepEqual(co.buffer, [], 'the outsider received no event');
    assert.deepEqual((await h.history(a, chat.id)).map((m) => m.text), ['private', 'private too']);
    await Promise.all([ca.none('typing', 0), cb.none('message:new', 0, { filter: (d) => d.sender_id === outsider.id })]);
  });

  it('bad frames: error events or error acks, the connection stays; a frame over 256 KiB closes it', async () => {
    const [a, b] = await h.users(2);
    const chat = await h.direct(a, b);
    const c = await h.open(a.token);
    for (const [what, raw] of [
      ['not JSON', 'hello there'],
      ['broken JSON', '{"event":'],
      ['no event', JSON.stringify({ data: {}, ack: 1 })],
      ['event not a string', JSON.stringify({ event: 5, data: {} })],
      ['a JSON array', JSON.stringify(['message:send', {}])],
      ['a JSON string', JSON.stringify('typing')],
      ['a binary frame', Buffer.from([0x7b, 0x7d, 0x00, 0xff])],
    ]) {
      c.send(raw);
      const e = await c.next('error');
      assert.equal(e?.error?.code, 'invalid_frame', `${what}: ${JSON.stringify(e)}`);
      assert.equal(typeof e.error.message, 'string', what);
    }
    assertAckError(await c.emit('no:such:event', { chat_id: chat.id }), 'unknown_event', 'unknown event');

    // bad message:send fields: the same error codes as REST
    const base = { client_id: newClientId(), type: 'text', text: 'x' };
    for (const [what, body] of [
      ['no client_id', { type: 'text', text: 'x' }],
      ['no type', { client_id: newClientId(), text: 'x' }],
      ['unknown type', { ...base, type: 'sticker' }],
      ['text not a string', { ...base, text: 5 }],
      ['empty text', { ...base, text: '' }],
      ['text over 64 KiB', { ...base, text: 'x'.repeat(64 * 1024 + 1) }],
    ]) {
      const rest = await h.req(a, 'POST', `/chats/${chat.id}/send_message`, body);
      assert.equal(rest.status, 400, `REST ${what}: ${rest.status} ${rest.text}`);
      const ack = await c.emit('message:send', { chat_id: chat.id, ...body });
      assertAckError(ack, rest.json.error.code, `ws ${what} (REST says ${rest.json.error.code})`);
    }
    assertAckError(await c.emit('message:send', { client_id: newClientId(), type: 'text', text: 'x' }), 'missing_field', 'no chat_id');
    // a big frame under the frame limit is read and answered
    assertAckError(
      await c.emit('message:send', { chat_id: chat.id, client_id: newClientId(), type: 'text', text: 'y'.repeat(200 * 1024) }),
      'too_long',
      '200 KiB text in a 200 KiB frame',
    );
    // still fine
    const ok = await h.wsSay(c, chat.id, 'still here');
    assert.equal(ok.seq, 1);
    assert.equal(c.isOpen, true);

    c.send(JSON.stringify({ event: 'message:send', data: { chat_id: chat.id, text: 'z'.repeat(300 * 1024) }, ack: 99 }));
    await within(c.closed, 4000, 'closed after a frame over 256 KiB');
    assert.ok(!c.events.some((x) => x.ack === 99 && x.data && !x.data.error), 'the oversized frame was not handled');
    // nothing was stored from it
    assert.deepEqual((await h.history(a, chat.id)).map((m) => m.text), ['still here']);
  });

  it('logout closes that token\'s sockets only; the token can no longer connect', async () => {
    const [a, b] = await h.users(2);
    const chat = await h.direct(a, b);
    const a2token = await h.device(a);
    const [c1, c2] = await Promise.all([h.open(a.token), h.open(a2token)]);
    const also1 = await h.open(a.token, { auth: 'header' });
    const out = await h.req(a, 'POST', '/auth/logout');
    assert.equal(out.status, 204, out.text);
    await within(c1.closed, 3000, 'the logged-out socket (query token) closes');
    await within(also1.closed, 3000, 'the logged-out socket (header token) closes');
    const m = await h.say(b, chat.id, 'to the remaining device');
    assert.deepEqual(await c2.next('message:new', inChat(chat.id)), m);
    assert.equal(c2.isOpen, true);
    const r = await handshake(f.baseUrl, a.token);
    assert.equal(r.status, 401, `logged-out token connects: ${r.status ?? 'upgraded'} ${r.body ?? ''}`);
  });

  it('a new device starts at its sign-in point; an old one that never acked gets everything', async () => {
    const [a, b] = await h.users(2);
    const chat = await h.direct(a, b);
    for (let i = 1; i <= 3; i++) await h.say(a, chat.id, `before ${i}`);
    const b2token = await h.device(b);
    const nb = await h.open(b2token);
    await nb.none('message:new', 400);
    const m4 = await h.say(a, chat.id, 'after sign-in');
    assert.deepEqual((await expectSeqs(nb, chat.id, [4], 'new device'))[0], m4);
    const ob = await h.open(b.token);
    await expectSeqs(ob, chat.id, [1, 2, 3, 4], 'old device');
    await Promise.all([nb.none('message:new', QUIET_MS), ob.none('message:new', 0)]);
  });

  it('flow_open_connections counts each socket while it is open, and not once it closed', async () => {
    const [a, b] = await h.users(2);
    const sockets = [await h.open(a.token), await h.open(b.token)];
    const open = await openConnections(f);
    for (const c of sockets) c.close();
    await untilOpenConnections(f, (n) => n <= open - 2, `closing both sockets (${open} open with them)`);
  });
});

describe('realtime over /ws: a slow reader', () => {
  let f;
  const h = harness(() => f);
  const N = 200; // messages of 60 KB each, with a 64 KiB outbound bound
  let a, slow, quick, g;
  before(async () => {
    f = await startFlowd([...ARGS, '--max-outbound-bytes', '65536']);
  });
  afterEach(async () => {
    await h.closeAll();
  });
  after(async () => {
    await f?.shutdown();
  });

  it('is dropped past --max-outbound-bytes without holding up another reader', async () => {
    [a, slow, quick] = await h.users(3);
    g = await h.group(a, 'Firehose', [slow, quick]);
    const cs = await h.open(slow.token);
    const cq = await h.open(quick.token);
    cs.ws._socket.pause();

    const big = 'x'.repeat(60_000);
    const quickGot = expectSeqs(cq, g.id, range(1, N), 'the quick reader', { timeout: 5000 });
    const t0 = Date.now();
    const sent = await pool(N, 1, (i) => h.say(a, g.id, `${i} ${big}`));
    const sendMs = Date.now() - t0;
    const tSent = Date.now();
    await quickGot;
    const lag = Date.now() - tSent;
    assert.ok(lag < 2000, `the quick reader got everything ${lag} ms after the last send`);
    assert.equal(sent.length, N);

    cs.ws._socket.resume();
    const closed = await within(cs.closed, 5000, `the slow reader is disconnected (sending took ${sendMs} ms)`);
    assert.ok(closed, 'closed');
    // what it did get before the drop was in order without gaps
    const before = cs.events.filter((e) => e.event === 'message:new').map((e) => e.data.seq);
    assert.deepEqual(before, range(1, before.length), 'before the drop');
    assert.ok(before.length < N, `the slow reader got ${before.length} of ${N} before the drop`);
  });

  it('catches up with everything, in order, once, after reconnecting', async (t) => {
    if (!g) return t.skip('the drop scenario did not set up');
    // reconnect: everything comes, in order, once (acknowledging as it reads)
    const again = await h.open(slow.token);
    const got = [];
    for (let i = 0; i < N; i++) {
      let m;
      try {
        m = await again.next('message:new', { ...inChat(g.id), timeout: 5000 });
      } catch (e) {
        assert.fail(
          `catching up after reconnecting: got seqs ${got.length ? `${got[0]}..${got[got.length - 1]}` : 'none'}` +
            ` (${got.length} of ${N}), then: ${e.message}; closed: ${JSON.stringify(again.closeInfo)}`,
        );
      }
      got.push(m.seq);
      again.emit('message:delivered', { chat_id: g.id, seq: m.seq }).catch(() => {});
    }
    assert.deepEqual(got, range(1, N));
    await again.none('message:new', QUIET_MS);
  });
});
