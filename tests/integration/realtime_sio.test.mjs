// Real time over flowd's Socket.IO transport, as the stock socket.io-client 4.8.4 sees it:
// polling with the upgrade to WebSocket and WebSocket only, sends with acks in direct and
// group chats, mixing with the plain /ws transport and with REST, receipts, typing and
// presence, offline catch-up across reconnects, safe retries, non-participants, auth and
// logout, and many sends in a row keeping their order.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { assertAckError, assertMessage, openConnections, startFlowd, untilOpenConnections, within } from './lib/flowd.mjs';
import { openSio } from './lib/sio_client.mjs';
import { connect } from './lib/ws_client.mjs';

// Many sign-ins come from 127.0.0.1: lift the per-address and per-phone caps.
// Some tests send a hundred messages or more as one user at once (limits.test.mjs tests
// the limits).
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0',
  '--user-send-rate', '0'];

const WAIT_MS = 4000; // how long to wait for something that must happen
const QUIET_MS = 300; // how long to watch for something that must not happen

let clientSeq = 0;
const newClientId = () => `sio-${process.pid}-${++clientSeq}-${Math.random().toString(36).slice(2, 8)}`;

const isMs = (t) => Number.isInteger(t) && t > 1_577_836_800_000 && t < Date.now() + 86_400_000;
const brief = (x) => {
  const s = JSON.stringify(x);
  return s && s.length > 400 ? `${s.slice(0, 400)}...` : s;
};

// ---------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------

const live = new Set(); // every client opened by the current test, closed after it

/** A socket.io client (lib/sio_client.mjs), not awaited: see `connected`, `upgraded`, `disconnected`. */
function sio(f, token, options = {}, label = 'sio') {
  const c = openSio(f.baseUrl, token, { ...options, label, timeout: WAIT_MS });
  live.add(c);
  return c;
}

/** A connected socket.io client (WebSocket only unless `options` say otherwise). */
async function sioConnect(f, token, options = { transports: ['websocket'] }, label) {
  const c = sio(f, token, options, label);
  await within(c.connected, `${label || 'sio'} connect`);
  return c;
}

/** A client of the plain WebSocket transport at /ws?token=T (lib/ws_client.mjs). */
async function wsConnect(f, token, label = 'ws') {
  const c = await connect(f.baseUrl, token, { label, timeout: WAIT_MS }); // the handshake times out after WAIT_MS
  live.add(c);
  return c;
}

/** message:send of a text message from socket client `c`; resolves with the ack. */
function say(c, chatId, text, clientId = newClientId()) {
  return c.emit('message:send', { chat_id: chatId, client_id: clientId, type: 'text', text });
}

/** `promise`, or a rejection naming `what` after `ms`. */
// ---------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------

function users(f, n, prefix = 'Sio') {
  return f.signUpMany(n, prefix);
}

/** Another device (sign-in) of an existing user; returns {token, id}. */
async function anotherDevice(f, u) {
  const s = await f.signIn(u.phone);
  assert.equal(s.user.id, u.id);
  return { ...u, token: s.token };
}

/** `a` opens a direct chat with `b`, who accepts it: the two are contacts. */
async function direct(f, a, b) {
  const r = await f.request('POST', '/chats', { token: a.token, body: { type: 'direct', user_id: b.id } });
  assert.ok(r.status === 201 || r.status === 200, `create direct -> ${r.status} ${r.text}`);
  const accepted = await f.request('POST', `/chats/${r.json.id}/accept`, { token: b.token });
  assert.equal(accepted.status, 204, `accept -> ${accepted.status} ${accepted.text}`);
  return r.json;
}

async function group(f, admin, members, name = 'Group') {
  const r = await f.request('POST', '/chats', {
    token: admin.token,
    body: { type: 'group', name, user_ids: members.map((m) => m.id) },
  });
  assert.equal(r.status, 201, `create group -> ${r.status} ${r.text}`);
  return r.json;
}

async function restSend(f, u, chatId, text, clientId = newClientId()) {
  const r = await f.request('POST', `/chats/${chatId}/send_message`, {
    token: u.token,
    body: { client_id: clientId, type: 'text', text },
  });
  assert.ok(r.status === 201 || r.status === 200, `send_message -> ${r.status} ${r.text}`);
  return r.json;
}

/**
 * `sender` sends `text` with an ack; every client in `receivers` gets exactly that
 * message as message:new, and none of `silent` (the sending device included) gets it.
 */
async function exchange(sender, receivers, silent, chatId, text, expectSenderId) {
  const clientId = newClientId();
  const ack = await say(sender, chatId, text, clientId);
  assertMessage(ack, `${sender.label} ack`);
  assert.equal(ack.chat_id, chatId);
  assert.equal(ack.text, text);
  assert.equal(ack.type, 'text');
  assert.equal(ack.client_id, clientId);
  assert.equal(ack.deleted, false);
  if (expectSenderId) assert.equal(ack.sender_id, expectSenderId);
  for (const r of receivers) {
    const m = await r.next('message:new', { filter: (x) => x && x.id === ack.id });
    assert.deepEqual(m, ack, `${r.label} got the message as the sender's ack has it`);
  }
  for (const s of [sender, ...silent]) {
    await s.none('message:new', 150, { filter: (x) => x && x.id === ack.id, what: `(${text})` });
  }
  return ack;
}

const seqsOf = (msgs) => msgs.map((m) => m.seq);

// ---------------------------------------------------------------------------------

describe('real time over Socket.IO', () => {
  let f;
  before(async () => {
    f = await startFlowd(ARGS);
  });
  afterEach(() => {
    for (const c of live) c.terminate();
    live.clear();
  });
  after(async () => {
    for (const c of live) c.terminate();
    await f?.shutdown();
  });

  for (const mode of ['default', 'websocket']) {
    const options = mode === 'default' ? {} : { transports: ['websocket'] };
    const what = mode === 'default' ? 'default options (polling, then the upgrade)' : "transports: ['websocket']";

    /** Connects `u` with this mode's options and checks the transport it ends on. */
    async function connectMode(u, label) {
      const c = sio(f, u.token, options, label);
      await within(c.connected, `${label} connect`);
      if (mode === 'default') {
        assert.equal(c.transports[0], 'polling', `${label}: first transport`);
        assert.equal(await within(c.upgraded, `${label} upgrade`), 'websocket');
        assert.equal(c.socket.io.engine.transport.name, 'websocket', `${label}: transport after the upgrade`);
      } else {
        assert.deepEqual(c.transports, ['websocket'], `${label}: transports`);
        assert.equal(c.socket.io.engine.transport.name, 'websocket');
      }
      assert.equal(c.socket.connected, true);
      return c;
    }

    it(`direct chat, ${what}: send with ack, received on the other side`, async () => {
      const [a, b] = await users(f, 2);
      const chat = await direct(f, a, b);
      const [sa, sb] = await Promise.all([connectMode(a, 'A'), connectMode(b, 'B')]);
      const m1 = await exchange(sa, [sb], [], chat.id, `hello from A (${mode})`, a.id);
      assert.equal(m1.seq, 1);
      const m2 = await exchange(sb, [sa], [], chat.id, `hello from B (${mode})`, b.id);
      assert.equal(m2.seq, 2);
      const m3 = await exchange(sa, [sb], [], chat.id, 'and again', a.id);
      assert.equal(m3.seq, 3);
      // REST history has the same messages.
      const h = await f.request('GET', `/chats/${chat.id}/messages`, { token: b.token });
      assert.equal(h.status, 200, h.text);
      assert.deepEqual(h.json.items, [m1, m2, m3]);
    });

    it(`group of three, ${what}: each send reaches the two others`, async () => {
      const [a, b, c] = await users(f, 3);
      const chat = await group(f, a, [b, c], `Trio ${mode}`);
      const [sa, sb, sc] = await Promise.all([connectMode(a, 'A'), connectMode(b, 'B'), connectMode(c, 'C')]);
      const m1 = await exchange(sa, [sb, sc], [], chat.id, 'A to all', a.id);
      const m2 = await exchange(sb, [sa, sc], [], chat.id, 'B to all', b.id);
      const m3 = await exchange(sc, [sa, sb], [], chat.id, 'C to all', c.id);
      assert.deepEqual(seqsOf([m1, m2, m3]), [1, 2, 3]);
    });
  }

  it('the two transports mix: a /ws client and socket.io clients in one chat receive each other', async () => {
    const [a, b, c] = await users(f, 3);
    const dm = await direct(f, a, b);
    const trio = await group(f, a, [b, c], 'Mixed');
    const wa = await wsConnect(f, a.token, 'A(ws)');
    const sb = await sioConnect(f, b.token, { transports: ['websocket'] }, 'B(sio ws)');
    const sc = sio(f, c.token, {}, 'C(sio default)');
    await within(sc.connected, 'C connect');
    await within(sc.upgraded, 'C upgrade');

    // Direct: /ws -> socket.io and back.
    await exchange(wa, [sb], [], dm.id, 'ws to sio', a.id);
    await exchange(sb, [wa], [], dm.id, 'sio to ws', b.id);
    // Group: every direction.
    await exchange(wa, [sb, sc], [], trio.id, 'ws to the group', a.id);
    await exchange(sb, [wa, sc], [], trio.id, 'sio(ws) to the group', b.id);
    await exchange(sc, [wa, sb], [], trio.id, 'sio(upgraded) to the group', c.id);
    // C, not in the direct chat, saw none of it.
    await sc.none('message:new', 50, { filter: (m) => m.chat_id === dm.id });
  });

  it('a message sent over REST reaches the socket.io clients, the sender\'s other device too', async () => {
    const [a, b, c] = await users(f, 3);
    const a2 = await anotherDevice(f, a);
    const dm = await direct(f, a, b);
    const trio = await group(f, a, [b, c], 'Rest');
    const sb = await sioConnect(f, b.token, undefined, 'B');
    const sc = await sioConnect(f, c.token, {}, 'C'); // polling first
    const sa2 = await sioConnect(f, a2.token, undefined, 'A2');

    const m1 = await restSend(f, a, dm.id, 'over REST');
    assertMessage(m1);
    assert.deepEqual(await sb.next('message:new', { filter: (m) => m.id === m1.id }), m1);
    assert.deepEqual(await sa2.next('message:new', { filter: (m) => m.id === m1.id }), m1);
    await sc.none('message:new', 100, { filter: (m) => m.id === m1.id });

    const m2 = await restSend(f, a, trio.id, 'group over REST');
    for (const r of [sb, sc, sa2]) {
      assert.deepEqual(await r.next('message:new', { filter: (m) => m.id === m2.id }), m2, r.label);
    }
    // And a socket.io send from the other device reaches B and none twice.
    await exchange(sa2, [sb], [], dm.id, 'from the second device', a.id);
    await sb.none('message:new', 50, { filter: (m) => m.id === m1.id || m.id === m2.id });
  });

  it('receipts: delivered and read reach the sender as message:status; typing', async () => {
    const [a, b] = await users(f, 2);
    const dm = await direct(f, a, b);
    const sa = await sioConnect(f, a.token, undefined, 'A');
    const sb = await sioConnect(f, b.token, undefined, 'B');
    await exchange(sa, [sb], [], dm.id, 'one', a.id);
    await exchange(sa, [sb], [], dm.id, 'two', a.id);

    assert.deepEqual(await sb.emit('message:delivered', { chat_id: dm.id, seq: 2 }), {});
    const delivered = await sa.next('message:status', { filter: (s) => s.status === 'delivered' });
    assert.deepEqual(delivered, { chat_id: dm.id, user_id: b.id, seq: 2, status: 'delivered' });

    assert.deepEqual(await sb.emit('message:read', { chat_id: dm.id, seq: 1 }), {});
    const read1 = await sa.next('message:status', { filter: (s) => s.status === 'read' });
    assert.deepEqual(read1, { chat_id: dm.id, user_id: b.id, seq: 1, status: 'read' });
    assert.deepEqual(await sb.emit('message:read', { chat_id: dm.id, seq: 2 }), {});
    const read2 = await sa.next('message:status', { filter: (s) => s.status === 'read' });
    assert.deepEqual(read2, { chat_id: dm.id, user_id: b.id, seq: 2, status: 'read' });

    // The read mark is the REST one too: nothing unread for B.
    const chatB = await f.request('GET', `/chats/${dm.id}`, { token: b.token });
    assert.equal(chatB.status, 200, chatB.text);
    assert.equal(chatB.json.unread_count, 0);

    // Typing, both ways, on and off.
    assert.deepEqual(await sb.emit('typing', { chat_id: dm.id, typing: true }), {});
    assert.deepEqual(await sa.next('typing'), { chat_id: dm.id, user_id: b.id, typing: true });
    assert.deepEqual(await sb.emit('typing', { chat_id: dm.id, typing: false }), {});
    assert.deepEqual(await sa.next('typing'), { chat_id: dm.id, user_id: b.id, typing: false });
    assert.deepEqual(await sa.emit('typing', { chat_id: dm.id, typing: true }), {});
    assert.deepEqual(await sb.next('typing'), { chat_id: dm.id, user_id: a.id, typing: true });
  });

  it('presence: online on the first device, offline when the last one leaves; only to contacts', async () => {
    const [a, b, stranger] = await users(f, 3);
    const b2 = await anotherDevice(f, b);
    await direct(f, a, b);
    const sa = await sioConnect(f, a.token, undefined, 'A');
    const sx = await sioConnect(f, stranger.token, undefined, 'stranger');
    const fromB = (p) => p && p.user_id === b.id;

    const sb1 = await sioConnect(f, b.token, undefined, 'B1');
    const online = await sa.next('presence', { filter: fromB });
    assert.equal(online.online, true, brief(online));
    assert.ok(online.last_seen_at === null || isMs(online.last_seen_at), brief(online));

    const sb2 = await sioConnect(f, b2.token, {}, 'B2');
    await sa.none('presence', QUIET_MS, { filter: fromB, what: '(second device connected)' });
    sb1.close();
    await sa.none('presence', QUIET_MS, { filter: fromB, what: '(one of two devices left)' });

    const before = Date.now();
    sb2.close();
    const offline = await sa.next('presence', { filter: fromB });
    assert.equal(offline.online, false, brief(offline));
    assert.ok(isMs(offline.last_seen_at), `last_seen_at in ms: ${brief(offline)}`);
    assert.ok(offline.last_seen_at >= before - 5000, `last_seen_at recent: ${brief(offline)}`);
    await sx.none('presence', 50, { filter: fromB, what: '(not a contact)' });
  });

  it('offline catch-up: on connect, every unacknowledged message per chat in seq order, then new ones, none twice', async () => {
    const [a, b, c] = await users(f, 3);
    const dm = await direct(f, a, b);
    const trio = await group(f, a, [b, c], 'Catch-up');
    const sa = await sioConnect(f, a.token, undefined, 'A');

    // B is offline: five messages over two chats.
    const sent = [];
    for (const [chat, text] of [[dm, 'd1'], [trio, 'g1'], [dm, 'd2'], [trio, 'g2'], [dm, 'd3']]) {
      const ack = await say(sa, chat.id, text);
      assertMessage(ack, text);
      sent.push(ack);
    }
    const byChat = (msgs, chat) => msgs.filter((m) => m.chat_id === chat.id);

    // B connects; A sends one more at once.
    let sb = await sioConnect(f, b.token, undefined, 'B');
    const d4 = await say(sa, dm.id, 'd4');
    assertMessage(d4, 'd4');
    const got = await sb.take('message:new', 6);
    await sb.none('message:new', QUIET_MS, { what: '(more than the six)' });
    assert.deepEqual(seqsOf(byChat(got, dm)), [1, 2, 3, 4], `direct chat: ${brief(got.map((m) => m.text))}`);
    assert.deepEqual(seqsOf(byChat(got, trio)), [1, 2], `group: ${brief(got.map((m) => m.text))}`);
    assert.deepEqual(byChat(got, dm).map((m) => m.text), ['d1', 'd2', 'd3', 'd4']);
    // (Across chats, "the backlog before new ones" has a test of its own below.)
    for (const m of got) assert.deepEqual(m, m.id === d4.id ? d4 : sent.find((s) => s.id === m.id));

    // B acknowledges the group entirely and the direct chat up to 2, then goes away.
    assert.deepEqual(await sb.emit('message:delivered', { chat_id: dm.id, seq: 2 }), {});
    assert.deepEqual(await sb.emit('message:delivered', { chat_id: trio.id, seq: 2 }), {});
    sb.close();
    const d5 = await say(sa, dm.id, 'd5');
    assertMessage(d5, 'd5');

    // Reconnected: what was not acknowledged (d3, d4) and what is new (d5), once each.
    sb = await sioConnect(f, b.token, {}, 'B again'); // this time polling first
    const again = await sb.take('message:new', 3);
    await sb.none('message:new', QUIET_MS, { what: '(after d3, d4, d5)' });
    assert.deepEqual(again.map((m) => [m.chat_id, m.seq, m.text]), [
      [dm.id, 3, 'd3'],
      [dm.id, 4, 'd4'],
      [dm.id, 5, 'd5'],
    ]);

    // All acknowledged now: nothing on the next connect.
    assert.deepEqual(await sb.emit('message:delivered', { chat_id: dm.id, seq: 5 }), {});
    sb.close();
    sb = await sioConnect(f, b.token, undefined, 'B third time');
    await sb.none('message:new', 500, { what: '(everything was acknowledged)' });
    // And the live path still works.
    await exchange(sa, [sb], [], dm.id, 'd6', a.id);
  });

  it('offline catch-up across chats: each chat backlog comes before its new messages, and a big backlog does not hold up other chats', async () => {
    const G = 300; // three storage batches of 100
    const N = 5;
    const [a, b, c] = await users(f, 3);
    const dm = await direct(f, a, b);
    const big = await group(f, a, [b, c], 'Big backlog');
    const sa = await sioConnect(f, a.token, undefined, 'A');
    // While B is offline: one message in the direct chat, G in the group.
    const backlog = [await say(sa, dm.id, 'old d1')];
    backlog.push(...(await Promise.all(Array.from({ length: G }, (_, i) => say(sa, big.id, `old g${i + 1}`)))));
    backlog.forEach((m) => assertMessage(m));

    // B connects; at once A sends N new messages in the direct chat.
    const sb = await sioConnect(f, b.token, undefined, 'B');
    const fresh = await Promise.all(Array.from({ length: N }, (_, i) => say(sa, dm.id, `new d${i + 2}`)));
    fresh.forEach((m) => assertMessage(m));
    const got = await sb.take('message:new', G + 1 + N);
    await sb.none('message:new', QUIET_MS, { what: `(more than ${G + 1 + N})` });
    assert.deepEqual(seqsOf(got.filter((m) => m.chat_id === big.id)), Array.from({ length: G }, (_, i) => i + 1));
    assert.deepEqual(seqsOf(got.filter((m) => m.chat_id === dm.id)), Array.from({ length: N + 1 }, (_, i) => i + 1));
    // Per chat (API.md: "per chat in seq order, before new ones"): the direct chat's
    // backlog comes before its new messages; the seq checks above prove that. Chats catch
    // up side by side, so the small chat's new messages need not wait for the big group.
    const dmGot = got.filter((m) => m.chat_id === dm.id);
    assert.equal(dmGot[0].text, 'old d1', 'the direct chat starts with its backlog');
    assert.ok(dmGot.slice(1).every((m) => fresh.some((x) => x.id === m.id)));
  });

  it('a retry with the same client_id gives the same message, and the recipient gets it once', async () => {
    const [a, b] = await users(f, 2);
    const dm = await direct(f, a, b);
    const sa = await sioConnect(f, a.token, undefined, 'A');
    const sb = await sioConnect(f, b.token, undefined, 'B');

    const cid = newClientId();
    const first = await say(sa, dm.id, 'only once', cid);
    assertMessage(first);
    const retry = await say(sa, dm.id, 'only once', cid);
    assert.deepEqual(retry, first, 'the retry answers the first message');
    // Concurrent duplicates of another client_id.
    const cid2 = newClientId();
    const [x, y, z] = await Promise.all([say(sa, dm.id, 'twice?', cid2), say(sa, dm.id, 'twice?', cid2), say(sa, dm.id, 'twice?', cid2)]);
    assertMessage(x);
    assert.deepEqual(y, x);
    assert.deepEqual(z, x);
    assert.equal(x.seq, first.seq + 1);
    // The same client_id over REST: 200 with the same message.
    const rest = await f.request('POST', `/chats/${dm.id}/send_message`, {
      token: a.token,
      body: { client_id: cid, type: 'text', text: 'only once' },
    });
    assert.equal(rest.status, 200, rest.text);
    assert.deepEqual(rest.json, first);

    const got = await sb.take('message:new', 2);
    await sb.none('message:new', QUIET_MS, { what: '(a duplicate)' });
    assert.deepEqual(got, [first, x]);
    const next = await say(sa, dm.id, 'next');
    assert.equal(next.seq, x.seq + 1, 'no seq was used by the retries');
  });

  it('a non-participant: message:send is not_found and nothing of the chat reaches it; bad events are errors', async () => {
    const [a, b, c] = await users(f, 3);
    const dm = await direct(f, a, b);
    const sa = await sioConnect(f, a.token, undefined, 'A');
    const sb = await sioConnect(f, b.token, undefined, 'B');
    const sc = await sioConnect(f, c.token, undefined, 'C (outsider)');

    assertAckError(await say(sc, dm.id, 'let me in'), 'not_found', 'outsider message:send');
    assertAckError(await say(sc, 'no-such-chat', 'hello?'), 'not_found', 'unknown chat');
    await exchange(sa, [sb], [sc], dm.id, 'private', a.id);
    await sb.emit('typing', { chat_id: dm.id, typing: true });
    await sb.emit('message:delivered', { chat_id: dm.id, seq: 1 });
    await sa.next('typing');
    await sa.next('message:status');
    // The outsider's own typing / receipts for the chat reach nobody in it.
    const t = await sc.emit('typing', { chat_id: dm.id, typing: true });
    const d = await sc.emit('message:delivered', { chat_id: dm.id, seq: 1 });
    await sc.none('message:new', 50);
    await sc.none('typing', 0);
    await sc.none('message:status', 0);
    await sa.none('typing', QUIET_MS, { filter: (x) => x.user_id === c.id, what: `(outsider typing; its ack ${brief(t)})` });
    await sa.none('message:status', 0, { filter: (x) => x.user_id === c.id, what: `(outsider delivered; its ack ${brief(d)})` });

    // Bad requests.
    assertAckError(await sa.emit('no:such:event', { x: 1 }), 'unknown_event', 'unknown event');
    const cid = newClientId;
    assertAckError(await sa.emit('message:send', { chat_id: dm.id, client_id: cid(), type: 'sticker', text: 'x' }), 'invalid_field', 'bad type');
    assertAckError(await sa.emit('message:send', { chat_id: dm.id, client_id: cid(), type: 'text', text: 5 }), 'invalid_field', 'text not a string');
    assertAckError(await sa.emit('message:send', { chat_id: dm.id, client_id: cid(), type: 'text' }), null, 'no text');
    assertAckError(await sa.emit('message:send', { client_id: cid(), type: 'text', text: 'x' }), null, 'no chat_id');
    assertAckError(await sa.emit('message:send', { chat_id: dm.id, type: 'text', text: 'x' }), null, 'no client_id');
    assertAckError(await sa.emit('message:send', 'not an object'), null, 'a string payload');
    await sb.none('message:new', 100, { what: '(from a refused send)' });
    // Still connected and working.
    await exchange(sa, [sb], [sc], dm.id, 'still fine', a.id);
  });

  it('a missing or bad token is a connect_error; logout disconnects that token\'s sockets only', async () => {
    for (const [what, token] of [['no token', undefined], ['bad token', 'not-a-token'], ['empty token', '']]) {
      for (const options of [{}, { transports: ['websocket'] }]) {
        const c = sio(f, token, options, what);
        const err = await within(c.connected.then(() => null, (e) => e), `${what} connect_error`);
        assert.ok(err instanceof Error, `${what} (${brief(options)}): connect_error expected, got connected`);
        assert.equal(typeof err.message, 'string');
        assert.ok(err.message.length > 0, `${what}: a message`);
        assert.equal(c.socket.connected, false);
        c.close();
      }
    }

    const [a, b] = await users(f, 2);
    const a2 = await anotherDevice(f, a);
    const dm = await direct(f, a, b);
    const sa = await sioConnect(f, a.token, undefined, 'A');
    const saPoll = await sioConnect(f, a.token, {}, 'A (polling first)');
    const sa2 = await sioConnect(f, a2.token, undefined, 'A2');
    const sb = await sioConnect(f, b.token, undefined, 'B');

    const out = await f.request('POST', '/auth/logout', { token: a.token });
    assert.equal(out.status, 204, out.text);
    const reason = await within(sa.disconnected, 'A disconnect after logout');
    assert.equal(typeof reason, 'string');
    await within(saPoll.disconnected, 'A (polling first) disconnect after logout');
    assert.equal(sa.socket.connected, false);

    // The token is dead for socket.io too.
    for (const options of [{}, { transports: ['websocket'] }]) {
      const again = sio(f, a.token, options, 'A again');
      const err = await within(again.connected.then(() => null, (e) => e), 'connect_error after logout');
      assert.ok(err instanceof Error, `connect with a logged-out token (${brief(options)}) must fail`);
      again.close();
    }
    // The other device of the same user is untouched.
    assert.equal(sa2.socket.connected, true);
    await exchange(sb, [sa2], [], dm.id, 'after the logout', b.id);
  });

  for (const [mode, options] of [
    ['websocket', { transports: ['websocket'] }],
    ['default options, sent right after connect, around the upgrade', {}],
    ['polling only, upgrade: false', { upgrade: false }],
  ]) {
    it(`50 sends in a row without awaiting the acks (${mode}) arrive in order, seq 1..50`, async () => {
      const [a, b] = await users(f, 2);
      const dm = await direct(f, a, b);
      const sb = await sioConnect(f, b.token, undefined, 'B');
      const sa = sio(f, a.token, options, 'A');
      await within(sa.connected, 'A connect');
      const N = 50;
      const texts = Array.from({ length: N }, (_, i) => `burst ${i + 1}`);
      const acks = await Promise.all(texts.map((t) => say(sa, dm.id, t)));
      acks.forEach((m, i) => assertMessage(m, `ack ${i + 1}`));
      assert.deepEqual(acks.map((m) => m.text), texts);
      assert.deepEqual(seqsOf(acks), Array.from({ length: N }, (_, i) => i + 1), 'acks: seq in the order sent');
      const got = await sb.take('message:new', N);
      await sb.none('message:new', 200, { what: '(beyond the 50)' });
      assert.deepEqual(got.map((m) => m.text), texts, 'received in the order sent');
      assert.deepEqual(seqsOf(got), seqsOf(acks));
      assert.deepEqual(got, acks);
      if (options.upgrade === false) {
        assert.equal(sa.socket.io.engine.transport.name, 'polling', 'stayed on polling');
      } else if (!options.transports) {
        await within(sa.upgraded, 'A upgrade');
        assert.equal(sa.socket.io.engine.transport.name, 'websocket');
      }
    });
  }

  it('sends mixed with receipts and a file message, none awaited, are stored and acked in the order sent', async () => {
    const [a, b] = await users(f, 2);
    const dm = await direct(f, a, b);
    const upload = await f.request('POST', '/media', {
      token: a.token,
      rawBody: Buffer.from('a small file\n'),
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(upload.status, 201, `upload -> ${upload.status} ${upload.text}`);
    const sa = await sioConnect(f, a.token, undefined, 'A');
    // Text sends start at once; a receipt or a file send waits for the blocking pool, and
    // the sends after it must wait for it too.
    const sends = [];
    for (let i = 1; i <= 30; i++) {
      if (i === 10) sends.push(sa.emit('message:send', { chat_id: dm.id, client_id: newClientId(), type: 'file', media_id: upload.json.id, text: `burst ${i}` }));
      else sends.push(say(sa, dm.id, `burst ${i}`));
      if (i % 7 === 0) sa.emit('message:read', { chat_id: dm.id, seq: i - 1 });
    }
    const acks = await Promise.all(sends);
    acks.forEach((m, i) => assertMessage(m, `ack ${i + 1}`));
    assert.deepEqual(acks.map((m) => m.text), acks.map((_, i) => `burst ${i + 1}`));
    assert.deepEqual(seqsOf(acks), Array.from({ length: 30 }, (_, i) => i + 1), 'seq in the order sent');
    assert.equal(acks[9].type, 'file');
  });

  it('flow_open_connections counts each Socket.IO WebSocket while it is open, and not once it closed', async () => {
    const [a, b] = await users(f, 2);
    // One opened on a WebSocket, one upgraded to it from polling.
    const clients = [await sioConnect(f, a.token, { transports: ['websocket'] }, 'A'), await sioConnect(f, b.token, {}, 'B')];
    await within(clients[1].upgraded, 'B upgrade');
    const open = await openConnections(f);
    await Promise.all(clients.map((c) => c.close()));
    await untilOpenConnections(f, (n) => n <= open - 2, `closing both WebSockets (${open} open with them)`);
  });
});
