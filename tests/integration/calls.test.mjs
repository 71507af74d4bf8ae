// Calls as clients see them: 1:1 calls through every transition (accept, reject, end,
// cancel, busy, missed after the ring time) and every refused one, events on each side
// (call:incoming, call:updated, never to the device that made the change), WebRTC
// signalling relayed over REST, /ws and Socket.IO (to the device that joined only),
// several devices per user, history with directions, durations and paging, group calls
// of up to 8 with per-participant signalling, and a ringing call surviving kill -9.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowd, assertError, assertAckError, sleep } from './lib/flowd.mjs';
import { connect } from './lib/ws_client.mjs';
import { connectSio } from './lib/sio_client.mjs';

// Many sign-ins come from 127.0.0.1: lift the per-address and per-phone caps.
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];
const LONG_RING_S = 60; // nothing times out by accident
const SHORT_RING_S = 2; // for the ring-timeout tests

const WAIT_MS = 3000; // how long to wait for something that must happen
const QUIET_MS = 300; // how long to watch for something that must not happen
const MISSED_WAIT_MS = (SHORT_RING_S + 2) * 1000 + 1500; // the sweep runs every second

const CALL_STATUSES = ['ringing', 'ongoing', 'ended', 'rejected', 'missed', 'busy', 'cancelled'];
const PARTICIPANT_STATES = ['ringing', 'joined', 'declined', 'left', 'missed'];
const LIVE = ['ringing', 'ongoing'];

const isMs = (t) => Number.isInteger(t) && t > 1_577_836_800_000 && t < Date.now() + 86_400_000;
const brief = (x) => {
  const s = JSON.stringify(x);
  return s && s.length > 500 ? `${s.slice(0, 500)}...` : s;
};

// ---------------------------------------------------------------------------------
// Call objects
// ---------------------------------------------------------------------------------

/** Asserts that `c` is a Call as the API shapes it, consistent with itself. */
function assertCall(c, what = 'call') {
  const ctx = `${what}: ${brief(c)}`;
  assert.ok(c && typeof c === 'object' && !c.error, `Call expected, ${ctx}`);
  for (const k of ['id', 'type', 'chat_id', 'caller_id', 'callee_id', 'participants', 'status', 'created_at',
    'answered_at', 'ended_at', 'duration_s']) {
    assert.ok(k in c, `field ${k} missing in ${ctx}`);
  }
  assert.ok(typeof c.id === 'string' && c.id.length > 0, `id: ${ctx}`);
  assert.ok(['audio', 'video'].includes(c.type), `type: ${ctx}`);
  assert.ok(typeof c.chat_id === 'string' && c.chat_id.length > 0, `chat_id: ${ctx}`);
  assert.equal(typeof c.caller_id, 'string', `caller_id: ${ctx}`);
  assert.ok(c.callee_id === null || typeof c.callee_id === 'string', `callee_id: ${ctx}`);
  assert.ok(CALL_STATUSES.includes(c.status), `status: ${ctx}`);
  assert.ok(Array.isArray(c.participants) && c.participants.length >= 2, `participants: ${ctx}`);
  for (const p of c.participants) {
    assert.equal(typeof p.user_id, 'string', `participant user_id: ${ctx}`);
    assert.ok(PARTICIPANT_STATES.includes(p.state), `participant state: ${ctx}`);
  }
  assert.equal(new Set(c.participants.map((p) => p.user_id)).size, c.participants.length, `no one twice: ${ctx}`);
  assert.equal(c.participants[0].user_id, c.caller_id, `the caller is participants[0]: ${ctx}`);
  if (c.callee_id !== null) {
    assert.equal(c.participants.length, 2, `a 1:1 call has two participants: ${ctx}`);
    assert.equal(c.participants[1].user_id, c.callee_id, `callee: ${ctx}`);
  }
  assert.ok(isMs(c.created_at), `created_at: ${ctx}`);
  assert.ok(c.answered_at === null || (isMs(c.answered_at) && c.answered_at >= c.created_at), `answered_at: ${ctx}`);
  assert.ok(c.ended_at === null || (isMs(c.ended_at) && c.ended_at >= c.created_at), `ended_at: ${ctx}`);
  if (LIVE.includes(c.status)) assert.equal(c.ended_at, null, `a live call has no ended_at: ${ctx}`);
  else assert.ok(c.ended_at !== null, `a call that is over has ended_at: ${ctx}`);
  if (c.status === 'ringing') assert.equal(c.answered_at, null, `ringing: not answered: ${ctx}`);
  if (c.status === 'ongoing') assert.ok(c.answered_at !== null, `ongoing: answered_at: ${ctx}`);
  if (c.answered_at !== null && c.ended_at !== null) {
    assert.ok(c.ended_at >= c.answered_at, `ended after answered: ${ctx}`);
    assert.equal(c.duration_s, Math.floor((c.ended_at - c.answered_at) / 1000), `duration_s: ${ctx}`);
  } else {
    assert.equal(c.duration_s, 0, `duration_s is 0 until answered and ended: ${ctx}`);
  }
  if (!LIVE.includes(c.status)) {
    for (const p of c.participants) {
      assert.ok(!['ringing', 'joined'].includes(p.state), `no one rings or is joined in a call that is over: ${ctx}`);
    }
  }
}

/**
 * Asserts that a Call from an event is the Call of an HTTP answer. The answers may carry the
 * asker's `direction` (as history items do); events are the same for every participant, so
 * `direction` is left out of the comparison.
 */
function sameCall(actual, expected, what = 'call') {
  assertCall(actual, what);
  const bare = ({ direction, ...rest }) => rest;
  assert.deepEqual(bare(actual), bare(expected), what);
}

/** {user_id: state} of a call. */
const states = (c) => Object.fromEntries(c.participants.map((p) => [p.user_id, p.state]));
const stateOf = (c, u) => c.participants.find((p) => p.user_id === (u.id ?? u))?.state;

/** Filter for events about call `id` (and matching `pred`). */
const about = (id, pred = () => true) => (d) => d && d.id === id && pred(d);
const signalOf = (id) => (d) => d && d.call_id === id;

// ---------------------------------------------------------------------------------
// Sockets: /ws (lib/ws_client.mjs) and Socket.IO (lib/sio_client.mjs), with one interface
// ---------------------------------------------------------------------------------

/** The data of the next event `name` matching `filter` on `sock`, failing with `what`. */
async function got(sock, name, filter, what = '') {
  try {
    return await sock.next(name, { filter, timeout: WAIT_MS });
  } catch (e) {
    e.message = `${what}: ${e.message}`; // the message starts with the socket's label
    throw e;
  }
}

/** Asserts that none of `socks` gets an event `name` matching `filter` within QUIET_MS. */
async function quiet(socks, name, filter, what = '', ms = QUIET_MS) {
  await Promise.all(socks.map((s) => s.none(name, ms, { filter, what: `(${what})` })));
}

// ---------------------------------------------------------------------------------
// The test's view of one server
// ---------------------------------------------------------------------------------

function harness(getF) {
  const sockets = [];
  const h = {
    get f() {
      return getF();
    },
    req(who, method, p, body) {
      return getF().request(method, p, { token: who.token ?? who, body });
    },
    users(n, prefix = 'Caller') {
      return getF().signUpMany(n, prefix);
    },
    /** Another sign-in (another device, another token) of the same user. */
    async device(u) {
      const s = await getF().signIn(u.phone);
      assert.equal(s.user.id, u.id);
      return { ...u, token: s.token };
    },
    async direct(a, b) {
      const r = await h.req(a, 'POST', '/chats', { type: 'direct', user_id: b.id });
      assert.ok(r.status === 201 || r.status === 200, `create direct -> ${r.status} ${r.text}`);
      return r.json;
    },
    async group(admin, members, name = 'Call group') {
      const r = await h.req(admin, 'POST', '/chats', { type: 'group', name, user_ids: members.map((m) => m.id) });
      assert.equal(r.status, 201, `create group -> ${r.status} ${r.text}`);
      return r.json;
    },
    /** make_call, asserting `status` (201) and a Call; returns the Call. */
    async make(who, body, what = 'make_call') {
      const r = await h.req(who, 'POST', '/calls/make_call', body);
      assert.equal(r.status, 201, `${what} ${brief(body)} -> ${r.status} ${r.text}`);
      assertCall(r.json, what);
      return r.json;
    },
    /** POST /calls/{id}/{action} (accept, reject, end): the raw answer. */
    action(who, id, action) {
      return h.req(who, 'POST', `/calls/${encodeURIComponent(id)}/${action}`);
    },
    /** The action, asserting 200 and a Call; returns the Call. */
    async act(who, id, action, what = action) {
      const r = await h.action(who, id, action);
      assert.equal(r.status, 200, `${what}: POST /calls/${id}/${action} -> ${r.status} ${r.text}`);
      assertCall(r.json, what);
      assert.equal(r.json.id, id);
      return r.json;
    },
    signal(who, id, body) {
      return h.req(who, 'POST', `/calls/${encodeURIComponent(id)}/signal`, body);
    },
    async signalOk(who, id, body, what = 'signal') {
      const r = await h.signal(who, id, body);
      assert.equal(r.status, 204, `${what}: POST /calls/${id}/signal ${brief(body)} -> ${r.status} ${r.text}`);
    },
    /** GET /calls/history/{id}, asserting 200 and a Call; returns it. */
    async one(who, id, what = 'history/{id}') {
      const r = await h.req(who, 'GET', `/calls/history/${encodeURIComponent(id)}`);
      assert.equal(r.status, 200, `${what}: GET /calls/history/${id} -> ${r.status} ${r.text}`);
      assertCall(r.json, what);
      return r.json;
    },
    /** GET /calls/history`query`, asserting 200; returns {items, next_before}. */
    async history(who, query = '', what = 'history') {
      const r = await h.req(who, 'GET', `/calls/history${query}`);
      assert.equal(r.status, 200, `${what}: GET /calls/history${query} -> ${r.status} ${r.text}`);
      assert.ok(Array.isArray(r.json?.items), `${what}: items: ${r.text}`);
      assert.ok('next_before' in r.json, `${what}: next_before missing: ${r.text}`);
      assert.ok(r.json.next_before === null || typeof r.json.next_before === 'string', `${what}: next_before: ${r.text}`);
      for (const c of r.json.items) {
        assertCall(c, `${what} item`);
        assert.ok(['outgoing', 'incoming'].includes(c.direction), `${what}: direction: ${brief(c)}`);
      }
      return r.json;
    },
    /** A /ws client of `who`'s device. */
    async ws(who, label) {
      const c = await connect(getF().baseUrl, who.token, { label });
      sockets.push(c);
      return c;
    },
    /** A Socket.IO client of `who`'s device; `mode` 'websocket' (WebSocket only) or 'default'. */
    async sio(who, label, mode = 'websocket') {
      const options = mode === 'websocket' ? { transports: ['websocket'] } : {};
      const c = await connectSio(getF().baseUrl, who.token, { label, timeout: WAIT_MS, ...options });
      sockets.push(c);
      return c;
    },
    async closeAll() {
      await Promise.all(sockets.splice(0).map((c) => c.terminate()));
    },
  };
  return h;
}

// =================================================================================

describe('calls', () => {
  let f;
  const h = harness(() => f);
  before(async () => {
    f = await startFlowd([...ARGS, '--call-ring-seconds', String(LONG_RING_S)]);
  });
  afterEach(() => h.closeAll());
  after(async () => {
    await h.closeAll();
    await f?.shutdown();
  });

  it('1:1: make_call rings the callee, accept makes it ongoing, end ends it with a duration', async () => {
    const [a, b, stranger] = await h.users(3);
    const dm = await h.direct(a, b);
    const [sa, sb, sx] = await Promise.all([h.ws(a, 'A'), h.ws(b, 'B'), h.ws(stranger, 'stranger')]);

    const made = await h.make(a, { callee_id: b.id, type: 'video' });
    assert.equal(made.status, 'ringing');
    assert.equal(made.type, 'video');
    assert.equal(made.caller_id, a.id);
    assert.equal(made.callee_id, b.id);
    assert.equal(made.chat_id, dm.id, 'the direct chat of the two');
    assert.deepEqual(made.participants, [{ user_id: a.id, state: 'joined' }, { user_id: b.id, state: 'ringing' }]);
    assert.equal(made.answered_at, null);
    assert.equal(made.ended_at, null);
    assert.equal(made.duration_s, 0);

    sameCall(await got(sb, 'call:incoming', about(made.id), 'the callee rings'), made);
    await quiet([sa, sx], 'call:incoming', () => true, 'only the callee rings');

    const accepted = await h.act(b, made.id, 'accept');
    assert.equal(accepted.status, 'ongoing');
    assert.deepEqual(states(accepted), { [a.id]: 'joined', [b.id]: 'joined' });
    assert.ok(accepted.answered_at >= made.created_at, brief(accepted));
    assert.equal(accepted.ended_at, null);
    assert.equal(accepted.duration_s, 0);
    assert.equal(accepted.created_at, made.created_at);
    sameCall(await got(sa, 'call:updated', about(made.id), 'the caller hears the answer'), accepted);
    await quiet([sb], 'call:updated', about(made.id), 'the accepting device has the HTTP answer');
    await quiet([sx], 'call:updated', () => true, 'a stranger hears nothing');

    await sleep(1100);
    const ended = await h.act(b, made.id, 'end', 'the callee hangs up');
    assert.equal(ended.status, 'ended');
    assert.ok(ended.ended_at !== null);
    assert.ok(ended.duration_s >= 1, `about a second was spoken: ${brief(ended)}`);
    assert.equal(ended.answered_at, accepted.answered_at, 'answered_at stays the first accept');
    assert.deepEqual(states(ended), { [a.id]: 'left', [b.id]: 'left' });
    sameCall(await got(sa, 'call:updated', about(made.id, (c) => c.status === 'ended'), 'the caller sees the end'), ended);

    // Over: every action and signal is 409 call_over, for both.
    for (const who of [a, b]) {
      for (const action of ['accept', 'reject', 'end']) {
        assertError(await h.action(who, made.id, action), 409, 'call_over', `${action} after the end`);
      }
      assertError(await h.signal(who, made.id, { kind: 'ice', payload: { candidate: 'x' } }), 409, 'call_over', 'signal after the end');
    }

    // Both see it in history, with their direction.
    assert.deepEqual(await h.one(a, made.id), { ...ended, direction: 'outgoing' });
    assert.deepEqual(await h.one(b, made.id), { ...ended, direction: 'incoming' });
    assertError(await h.req(stranger, 'GET', `/calls/history/${made.id}`), 404, 'not_found', 'a stranger reads the call');
  });

  it('1:1 without a chat yet: make_call creates the direct chat; the caller can end an ongoing call too', async () => {
    const [a, b] = await h.users(2);
    const made = await h.make(a, { callee_id: b.id, type: 'audio' });
    assert.equal(made.type, 'audio');
    const chat = await h.req(b, 'GET', `/chats/${made.chat_id}`);
    assert.equal(chat.status, 200, `the callee sees the new chat: ${chat.text}`);
    assert.equal(chat.json.type, 'direct');
    assert.deepEqual(chat.json.participants.map((p) => p.user_id).sort(), [a.id, b.id].sort());
    const accepted = await h.act(b, made.id, 'accept');
    const ended = await h.act(a, made.id, 'end', 'the caller hangs up');
    assert.equal(ended.status, 'ended');
    assert.equal(ended.answered_at, accepted.answered_at);
    assert.deepEqual(states(ended), { [a.id]: 'left', [b.id]: 'left' });
    // Calling back uses the same chat.
    const again = await h.make(b, { callee_id: a.id, type: 'audio' });
    assert.equal(again.chat_id, made.chat_id, 'calling back uses the same direct chat');
    assert.equal(again.caller_id, b.id);
    assert.equal(again.callee_id, a.id);
    await h.act(b, again.id, 'end');
  });

  it('the caller ending while ringing cancels the call and the callee stops ringing', async () => {
    const [a, b] = await h.users(2);
    const [sa, sb] = await Promise.all([h.ws(a, 'A'), h.ws(b, 'B')]);
    const made = await h.make(a, { callee_id: b.id, type: 'audio' });
    await got(sb, 'call:incoming', about(made.id), 'rings');
    const cancelled = await h.act(a, made.id, 'end', 'cancel');
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.answered_at, null);
    assert.ok(cancelled.ended_at !== null);
    assert.equal(cancelled.duration_s, 0);
    assert.equal(stateOf(cancelled, b), 'missed', 'the callee missed it');
    sameCall(await got(sb, 'call:updated', about(made.id), 'the callee stops ringing'), cancelled);
    await quiet([sa], 'call:updated', about(made.id), 'the cancelling device has the HTTP answer');
    assertError(await h.action(b, made.id, 'accept'), 409, 'call_over', 'accept a cancelled call');
    assertError(await h.action(b, made.id, 'reject'), 409, 'call_over', 'reject a cancelled call');
    assert.deepEqual(await h.one(b, made.id), { ...cancelled, direction: 'incoming' });
  });

  it('the callee rejecting: rejected, the caller hears it, nothing more can happen', async () => {
    const [a, b] = await h.users(2);
    const [sa, sb] = await Promise.all([h.ws(a, 'A'), h.ws(b, 'B')]);
    const made = await h.make(a, { callee_id: b.id, type: 'video' });
    await got(sb, 'call:incoming', about(made.id), 'rings');
    const rejected = await h.act(b, made.id, 'reject');
    assert.equal(rejected.status, 'rejected');
    assert.equal(stateOf(rejected, b), 'declined');
    assert.equal(rejected.answered_at, null);
    assert.ok(rejected.ended_at !== null);
    assert.equal(rejected.duration_s, 0);
    sameCall(await got(sa, 'call:updated', about(made.id), 'the caller hears the reject'), rejected);
    await quiet([sb], 'call:updated', about(made.id), 'the rejecting device has the HTTP answer');
    assertError(await h.action(b, made.id, 'accept'), 409, 'call_over', 'accept after reject');
    assertError(await h.action(a, made.id, 'end'), 409, 'call_over', 'end after reject');
    assertError(await h.signal(a, made.id, { kind: 'offer', payload: 'sdp' }), 409, 'call_over', 'signal after reject');
  });

  it('refused transitions: accept twice, reject when not ringing, other people\'s calls, unknown ids', async () => {
    const [a, b, stranger] = await h.users(3);
    const b2 = await h.device(b);
    const made = await h.make(a, { callee_id: b.id, type: 'audio' });

    assertError(await h.action(a, made.id, 'accept'), 409, 'already_joined', 'the caller accepts its own call');
    assertError(await h.action(a, made.id, 'reject'), 409, 'not_ringing', 'the caller rejects its own call');
    for (const action of ['accept', 'reject', 'end']) {
      assertError(await h.action(stranger, made.id, action), 404, 'not_found', `a stranger: ${action}`);
    }
    assertError(await h.signal(stranger, made.id, { kind: 'offer', payload: {} }), 404, 'not_found', 'a stranger signals');
    assertError(await h.req(stranger, 'GET', `/calls/history/${made.id}`), 404, 'not_found', 'a stranger reads');

    await h.act(b, made.id, 'accept');
    assertError(await h.action(b, made.id, 'accept'), 409, 'already_joined', 'accept twice');
    assertError(await h.action(b2, made.id, 'accept'), 409, 'already_joined', 'the callee\'s second device accepts');
    assertError(await h.action(b, made.id, 'reject'), 409, 'not_ringing', 'reject after accept');
    assertError(await h.action(b2, made.id, 'reject'), 409, 'not_ringing', 'reject after accept, other device');
    for (const action of ['accept', 'reject', 'end']) {
      assertError(await h.action(stranger, made.id, action), 404, 'not_found', `a stranger on a live call: ${action}`);
    }
    // Still ongoing after all that.
    const now = await h.one(a, made.id);
    assert.equal(now.status, 'ongoing');
    assert.deepEqual(states(now), { [a.id]: 'joined', [b.id]: 'joined' });

    for (const action of ['accept', 'reject', 'end']) {
      assertError(await h.action(a, 'no-such-call', action), 404, 'not_found', `unknown call: ${action}`);
    }
    assertError(await h.signal(a, 'no-such-call', { kind: 'offer', payload: {} }), 404, 'not_found', 'signal, unknown call');
    assertError(await h.req(a, 'GET', '/calls/history/no-such-call'), 404, 'not_found', 'history, unknown call');

    await h.act(a, made.id, 'end');
    for (const action of ['accept', 'reject', 'end']) {
      assertError(await h.action(stranger, made.id, action), 404, 'not_found', `a stranger on an ended call: ${action}`);
    }

    // No token: 401.
    assertError(await f.request('POST', '/calls/make_call', { body: { callee_id: b.id, type: 'audio' } }), 401, 'unauthorized', 'make_call without a token');
    assertError(await f.request('POST', `/calls/${made.id}/end`), 401, 'unauthorized', 'end without a token');
    assertError(await f.request('GET', '/calls/history'), 401, 'unauthorized', 'history without a token');
  });

  it('make_call validation: self, unknown callee, type, callee_id vs chat_id, chats the caller is not in', async () => {
    const [a, b, c] = await h.users(3);
    const theirs = await h.group(b, [c], 'Not yours');
    const mk = (body) => h.req(a, 'POST', '/calls/make_call', body);
    assertError(await mk({ callee_id: a.id, type: 'audio' }), 400, 'cannot_call_self', 'calling yourself');
    assertError(await mk({ callee_id: 'no-such-user', type: 'audio' }), 404, 'not_found', 'unknown callee');
    assertError(await mk({ callee_id: b.id }), 400, 'missing_field', 'no type');
    assertError(await mk({ callee_id: b.id, type: 'fax' }), 400, 'invalid_field', 'type fax');
    assertError(await mk({ callee_id: b.id, type: 'AUDIO' }), 400, 'invalid_field', 'type AUDIO');
    assertError(await mk({ callee_id: b.id, type: 5 }), 400, 'invalid_field', 'type a number');
    assertError(await mk({ type: 'audio' }), 400, 'missing_field', 'neither callee_id nor chat_id');
    assertError(await mk({ callee_id: b.id, chat_id: theirs.id, type: 'audio' }), 400, 'invalid_field', 'both callee_id and chat_id');
    assertError(await mk({ chat_id: theirs.id, type: 'audio' }), 404, 'not_found', 'a group the caller is not in');
    assertError(await mk({ chat_id: 'no-such-chat', type: 'audio' }), 404, 'not_found', 'unknown chat');
    assertError(await f.request('POST', '/calls/make_call', { token: a.token, rawBody: '{"callee_id":' }), 400, 'invalid_json', 'broken JSON');

    // None of that rang anyone or left a call behind.
    assert.deepEqual((await h.history(a)).items, []);
    assert.deepEqual((await h.history(b)).items, []);
  });

  it('busy: a callee already in a call (ringing or joined) gets no second call; the caller neither', async () => {
    const [a, b, c, d, e] = await h.users(5);
    const b2 = await h.device(b);
    const [sa, sb, sb2, sc] = await Promise.all([h.ws(a, 'A'), h.ws(b, 'B'), h.ws(b2, 'B2'), h.ws(c, 'C')]);

    const first = await h.make(a, { callee_id: b.id, type: 'audio' });
    await got(sb, 'call:incoming', about(first.id), 'B rings');
    await got(sb2, 'call:incoming', about(first.id), 'B2 rings');

    // B is ringing: C's call is busy at once.
    const busy = await h.make(c, { callee_id: b.id, type: 'video' });
    assert.equal(busy.status, 'busy', brief(busy));
    assert.equal(busy.callee_id, b.id);
    assert.equal(busy.caller_id, c.id);
    assert.ok(busy.ended_at !== null, 'a busy call is over at once');
    assert.equal(busy.answered_at, null);
    assert.equal(busy.duration_s, 0);
    for (const s of [sb, sb2]) {
      sameCall(await got(s, 'call:updated', about(busy.id), 'the callee is told of the busy call'), busy);
    }
    await quiet([sb, sb2], 'call:incoming', about(busy.id), 'a busy call never rings');
    await quiet([sa], 'call:updated', about(busy.id), 'not A\'s call');
    await quiet([sc], 'call:updated', about(busy.id), 'the calling device has the HTTP answer', 50);
    assert.deepEqual(await h.one(c, busy.id), { ...busy, direction: 'outgoing' });
    assert.deepEqual(await h.one(b, busy.id), { ...busy, direction: 'incoming' });
    assertError(await h.action(b, busy.id, 'accept'), 409, 'call_over', 'accept a busy call');

    // The first call goes on ringing, unharmed.
    const still = await h.one(a, first.id);
    assert.equal(still.status, 'ringing');
    assert.deepEqual(states(still), { [a.id]: 'joined', [b.id]: 'ringing' });

    // A, the caller of a ringing call, is busy too.
    const busyA = await h.make(d, { callee_id: a.id, type: 'audio' });
    assert.equal(busyA.status, 'busy', `the caller of a ringing call is in a call: ${brief(busyA)}`);
    await quiet([sa], 'call:incoming', about(busyA.id), 'a busy call never rings');

    // Joined in an ongoing call: still busy.
    await h.act(b, first.id, 'accept');
    const busy2 = await h.make(d, { callee_id: b.id, type: 'audio' });
    assert.equal(busy2.status, 'busy', `joined in an ongoing call: ${brief(busy2)}`);
    await quiet([sb, sb2], 'call:incoming', about(busy2.id), 'a busy call never rings');

    // Once the call is over, B can be called again.
    await h.act(a, first.id, 'end');
    const free = await h.make(e, { callee_id: b.id, type: 'audio' });
    assert.equal(free.status, 'ringing', `free again: ${brief(free)}`);
    await got(sb, 'call:incoming', about(free.id), 'B rings again');
    await h.act(e, free.id, 'end');
  });

  it('signals over REST: the caller\'s offer while ringing, the ringing callee refused, answer and ice after accept', async () => {
    const [a, b, stranger] = await h.users(3);
    const [sa, sb] = await Promise.all([h.ws(a, 'A'), h.ws(b, 'B')]);
    const made = await h.make(a, { callee_id: b.id, type: 'video' });
    const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n', nested: { list: [1, 'two', null, true] } };

    await h.signalOk(a, made.id, { kind: 'offer', payload: offer }, 'the caller offers while ringing');
    assert.deepEqual(await got(sb, 'call:signal', signalOf(made.id), 'offer'), { call_id: made.id, from: a.id, kind: 'offer', payload: offer });
    await quiet([sa], 'call:signal', signalOf(made.id), 'no echo to the sender');

    assertError(await h.signal(b, made.id, { kind: 'answer', payload: 'early' }), 409, 'not_in_call', 'the ringing callee signals');
    assertError(await h.signal(a, made.id, { kind: 'hello', payload: {} }), 400, 'invalid_field', 'bad kind');
    assertError(await h.signal(a, made.id, { kind: 7, payload: {} }), 400, 'invalid_field', 'kind a number');
    assertError(await h.signal(stranger, made.id, { kind: 'offer', payload: {} }), 404, 'not_found', 'a stranger signals');

    await h.act(b, made.id, 'accept');
    const answer = { type: 'answer', sdp: 'v=0\r\n' };
    await h.signalOk(b, made.id, { kind: 'answer', payload: answer }, 'answer');
    assert.deepEqual(await got(sa, 'call:signal', signalOf(made.id), 'answer'), { call_id: made.id, from: b.id, kind: 'answer', payload: answer });

    // ICE both ways, payloads of any JSON type kept as they are.
    const payloads = [{ candidate: 'candidate:1 1 udp 2122260223 10.0.0.1 54321 typ host', sdpMid: '0', sdpMLineIndex: 0 }, 'a string', 42, null, [1, { x: 'y' }]];
    for (const payload of payloads) {
      await h.signalOk(a, made.id, { kind: 'ice', payload }, `ice A->B ${brief(payload)}`);
      assert.deepEqual(await got(sb, 'call:signal', signalOf(made.id), 'ice A->B'), { call_id: made.id, from: a.id, kind: 'ice', payload });
      await h.signalOk(b, made.id, { kind: 'ice', payload }, `ice B->A ${brief(payload)}`);
      assert.deepEqual(await got(sa, 'call:signal', signalOf(made.id), 'ice B->A'), { call_id: made.id, from: b.id, kind: 'ice', payload });
    }
    await quiet([sa, sb], 'call:signal', signalOf(made.id), 'nothing more, nothing twice');

    await h.act(a, made.id, 'end');
    assertError(await h.signal(a, made.id, { kind: 'ice', payload: {} }), 409, 'call_over', 'signal after the end');
    assertError(await h.signal(b, made.id, { kind: 'ice', payload: {} }), 409, 'call_over', 'signal after the end');
    await quiet([sa, sb], 'call:signal', signalOf(made.id), 'nothing relayed after the end');
  });

  /** Offer, answer and ice both ways over sockets, with acks; error acks. */
  async function socketSignalling(sa, sb, a, b) {
    const made = await h.make(a, { callee_id: b.id, type: 'video' });
    await got(sb, 'call:incoming', about(made.id), 'rings');
    const offer = { type: 'offer', sdp: 'v=0 offer' };
    assert.deepEqual(await sa.emit('call:signal', { call_id: made.id, kind: 'offer', payload: offer }), {}, 'offer ack');
    assert.deepEqual(await got(sb, 'call:signal', signalOf(made.id), 'offer'), { call_id: made.id, from: a.id, kind: 'offer', payload: offer });

    assertAckError(await sb.emit('call:signal', { call_id: made.id, kind: 'answer', payload: {} }), 'not_in_call', 'the ringing callee signals');
    assertAckError(await sa.emit('call:signal', { call_id: made.id, kind: 'bogus', payload: {} }), 'invalid_field', 'bad kind');
    assertAckError(await sa.emit('call:signal', { call_id: 'no-such-call', kind: 'offer', payload: {} }), 'not_found', 'unknown call');

    // The accepting device is the socket's device (same token).
    const accepted = await h.act(b, made.id, 'accept');
    sameCall(await got(sa, 'call:updated', about(made.id), 'answered'), accepted);

    const answer = { type: 'answer', sdp: 'v=0 answer' };
    assert.deepEqual(await sb.emit('call:signal', { call_id: made.id, kind: 'answer', payload: answer }), {}, 'answer ack');
    assert.deepEqual(await got(sa, 'call:signal', signalOf(made.id), 'answer'), { call_id: made.id, from: b.id, kind: 'answer', payload: answer });
    for (let i = 0; i < 3; i++) {
      const ice = { candidate: `candidate:${i} 1 udp 1 10.0.0.${i} 5000 typ host`, sdpMid: '0', sdpMLineIndex: 0 };
      assert.deepEqual(await sa.emit('call:signal', { call_id: made.id, kind: 'ice', payload: ice }), {}, 'ice ack');
      assert.deepEqual(await sb.emit('call:signal', { call_id: made.id, kind: 'ice', payload: ice }), {}, 'ice ack');
    }
    // In order, each on the other side only.
    for (let i = 0; i < 3; i++) {
      const ice = { candidate: `candidate:${i} 1 udp 1 10.0.0.${i} 5000 typ host`, sdpMid: '0', sdpMLineIndex: 0 };
      assert.deepEqual(await got(sb, 'call:signal', signalOf(made.id), `ice ${i} A->B`), { call_id: made.id, from: a.id, kind: 'ice', payload: ice });
      assert.deepEqual(await got(sa, 'call:signal', signalOf(made.id), `ice ${i} B->A`), { call_id: made.id, from: b.id, kind: 'ice', payload: ice });
    }
    await quiet([sa, sb], 'call:signal', signalOf(made.id), 'no echoes, nothing twice');

    // A signal sent over REST reaches the other side's socket just the same.
    await h.signalOk(b, made.id, { kind: 'ice', payload: 'rest' });
    assert.deepEqual(await got(sa, 'call:signal', signalOf(made.id), 'REST ice'), { call_id: made.id, from: b.id, kind: 'ice', payload: 'rest' });

    const ended = await h.act(a, made.id, 'end');
    sameCall(await got(sb, 'call:updated', about(made.id, (c) => c.status === 'ended'), 'ended'), ended);
    assertAckError(await sa.emit('call:signal', { call_id: made.id, kind: 'ice', payload: {} }), 'call_over', 'signal after the end');
    assertAckError(await sb.emit('call:signal', { call_id: made.id, kind: 'ice', payload: {} }), 'call_over', 'signal after the end');
  }

  it('signals over /ws: call:signal frames acked {}, relayed both ways; errors in the ack', async () => {
    const [a, b] = await h.users(2);
    const [sa, sb] = await Promise.all([h.ws(a, 'A(ws)'), h.ws(b, 'B(ws)')]);
    await socketSignalling(sa, sb, a, b);
  });

  for (const mode of ['websocket', 'default']) {
    it(`signals over Socket.IO (${mode === 'websocket' ? "transports: ['websocket']" : 'default options'}): relayed both ways with acks`, async () => {
      const [a, b] = await h.users(2);
      const [sa, sb] = await Promise.all([h.sio(a, `A(sio ${mode})`, mode), h.sio(b, `B(sio ${mode})`, mode)]);
      await socketSignalling(sa, sb, a, b);
    });
  }

  it('signals between a /ws client and a Socket.IO client', async () => {
    const [a, b] = await h.users(2);
    const [sa, sb] = await Promise.all([h.ws(a, 'A(ws)'), h.sio(b, 'B(sio)')]);
    await socketSignalling(sa, sb, a, b);
  });

  it('several devices: all ring, one accepts, the others stop ringing, signals go to the joined device only', async () => {
    const [a, b] = await h.users(2);
    const a2 = await h.device(a);
    const b2 = await h.device(b);
    const [sa1, sa2, sb1, sb2] = await Promise.all([h.ws(a, 'A1'), h.sio(a2, 'A2(sio)'), h.ws(b, 'B1'), h.sio(b2, 'B2(sio)')]);

    const made = await h.make(a, { callee_id: b.id, type: 'video' }); // from device A1
    sameCall(await got(sb1, 'call:incoming', about(made.id), 'B1 rings'), made);
    sameCall(await got(sb2, 'call:incoming', about(made.id), 'B2 rings'), made);
    await quiet([sa1, sa2], 'call:incoming', about(made.id), 'the caller\'s devices do not ring');

    // While B rings, the offer goes to all of B's devices.
    await h.signalOk(a, made.id, { kind: 'offer', payload: { sdp: 'early offer' } });
    for (const s of [sb1, sb2]) {
      assert.deepEqual(await got(s, 'call:signal', signalOf(made.id), 'offer to a ringing callee'),
        { call_id: made.id, from: a.id, kind: 'offer', payload: { sdp: 'early offer' } });
    }
    await quiet([sa1, sa2], 'call:signal', signalOf(made.id), 'not to the caller');

    // B2 accepts.
    const accepted = await h.act(b2, made.id, 'accept');
    assert.equal(accepted.status, 'ongoing');
    assert.equal(stateOf(accepted, b), 'joined');
    const answered = about(made.id, (c) => c.status === 'ongoing');
    for (const s of [sb1, sa1, sa2]) {
      sameCall(await got(s, 'call:updated', answered, 'the answer is seen everywhere else'), accepted);
    }
    await quiet([sb2], 'call:updated', about(made.id), 'the accepting device has the HTTP answer');
    assertError(await h.action(b, made.id, 'accept'), 409, 'already_joined', 'B1 accepts too late');

    // The caller's signals reach B2 only.
    await h.signalOk(a, made.id, { kind: 'offer', payload: { sdp: 'renegotiate' } });
    assert.deepEqual(await got(sb2, 'call:signal', signalOf(made.id), 'offer to the joined device'),
      { call_id: made.id, from: a.id, kind: 'offer', payload: { sdp: 'renegotiate' } });
    assert.deepEqual(await sa1.emit('call:signal', { call_id: made.id, kind: 'ice', payload: { c: 1 } }), {});
    assert.deepEqual(await got(sb2, 'call:signal', signalOf(made.id), 'ice to the joined device'),
      { call_id: made.id, from: a.id, kind: 'ice', payload: { c: 1 } });
    // B2 answers: only A1, the device that made the call, gets it.
    assert.deepEqual(await sb2.emit('call:signal', { call_id: made.id, kind: 'answer', payload: { sdp: 'answer' } }), {});
    assert.deepEqual(await got(sa1, 'call:signal', signalOf(made.id), 'answer to the calling device'),
      { call_id: made.id, from: b.id, kind: 'answer', payload: { sdp: 'answer' } });
    await quiet([sb1, sa2], 'call:signal', signalOf(made.id), 'devices that did not join get no signals');
    await quiet([sa1, sb2], 'call:signal', signalOf(made.id), 'nothing twice');

    // The caller hangs up from its other device: the call ends, and every other device hears it.
    const ended = await h.act(a2, made.id, 'end', 'the caller ends from the other device');
    assert.equal(ended.status, 'ended');
    for (const s of [sa1, sb1, sb2]) {
      sameCall(await got(s, 'call:updated', about(made.id, (c) => c.status === 'ended'), 'ended'), ended);
    }
  });

  it('history: both directions, newest first, only one\'s own calls; paging with limit and next_before', async () => {
    const [a, b, c] = await h.users(3);
    const trio = await h.group(b, [a, c], 'History group');

    const c1 = await h.make(a, { callee_id: b.id, type: 'audio' });
    await h.act(b, c1.id, 'accept');
    const c1end = await h.act(a, c1.id, 'end');
    const c2 = await h.make(b, { callee_id: a.id, type: 'video' });
    const c2end = await h.act(a, c2.id, 'reject');
    const c3 = await h.make(a, { callee_id: c.id, type: 'video' });
    const c3end = await h.act(a, c3.id, 'end');
    const c4 = await h.make(b, { chat_id: trio.id, type: 'audio' });
    const c4end = await h.act(b, c4.id, 'end');
    assert.equal(c4end.status, 'cancelled', brief(c4end));

    const all = await h.history(a);
    assert.deepEqual(all.items, [
      { ...c4end, direction: 'incoming' },
      { ...c3end, direction: 'outgoing' },
      { ...c2end, direction: 'incoming' },
      { ...c1end, direction: 'outgoing' },
    ]);
    assert.equal(all.next_before, null, 'everything fitted');
    assert.deepEqual((await h.history(b)).items.map((x) => [x.id, x.direction]),
      [[c4.id, 'outgoing'], [c2.id, 'outgoing'], [c1.id, 'incoming']]);
    assert.deepEqual((await h.history(c)).items.map((x) => [x.id, x.direction]),
      [[c4.id, 'incoming'], [c3.id, 'incoming']]);

    // One per page, following next_before.
    const seen = [];
    let cursor = null;
    for (let page = 0; page < 6; page++) {
      const q = cursor === null ? '?limit=1' : `?limit=1&before=${encodeURIComponent(cursor)}`;
      const p = await h.history(a, q, `page ${page}`);
      assert.ok(p.items.length <= 1, `limit=1: ${brief(p)}`);
      seen.push(...p.items.map((x) => x.id));
      if (p.items.length === 0) assert.equal(p.next_before, null, `an empty page has nothing older: ${brief(p)}`);
      cursor = p.next_before;
      if (cursor === null) break;
    }
    assert.equal(cursor, null, 'the paging ends');
    assert.deepEqual(seen, [c4.id, c3.id, c2.id, c1.id]);

    const p1 = await h.history(a, '?limit=3');
    assert.deepEqual(p1.items.map((x) => x.id), [c4.id, c3.id, c2.id]);
    assert.equal(typeof p1.next_before, 'string', 'more to come');
    const p2 = await h.history(a, `?limit=3&before=${encodeURIComponent(p1.next_before)}`);
    assert.deepEqual(p2.items, [{ ...c1end, direction: 'outgoing' }]);
    assert.equal((await h.history(a, '?limit=200')).items.length, 4);

    for (const q of ['?limit=0', '?limit=201', '?limit=abc', '?limit=-1']) {
      const r = await h.req(a, 'GET', `/calls/history${q}`);
      assert.equal(r.status, 400, `GET /calls/history${q} -> ${r.status} ${r.text}`);
      assert.equal(typeof r.json?.error?.code, 'string', `error object: ${r.text}`);
    }

    // One call: with the direction of the one asking; 404 to others.
    assert.deepEqual(await h.one(a, c1.id), { ...c1end, direction: 'outgoing' });
    assert.deepEqual(await h.one(b, c1.id), { ...c1end, direction: 'incoming' });
    assert.deepEqual(await h.one(c, c4.id), { ...c4end, direction: 'incoming' });
    assertError(await h.req(c, 'GET', `/calls/history/${c1.id}`), 404, 'not_found', 'not a participant');
    assertError(await h.req(b, 'GET', `/calls/history/${c3.id}`), 404, 'not_found', 'not a participant');
  });

  it('a group call of four: one declines, three join, signals go to their `to` only, leaving one by one ends it', async () => {
    const [a, b, c, d] = await h.users(4, 'Member');
    const chat = await h.group(a, [b, c, d], 'Four');
    const [sa, sb, sc, sd] = await Promise.all([h.ws(a, 'A'), h.ws(b, 'B'), h.sio(c, 'C(sio)'), h.ws(d, 'D')]);
    const all = [sa, sb, sc, sd];

    const made = await h.make(a, { chat_id: chat.id, type: 'video' });
    assert.equal(made.status, 'ringing');
    assert.equal(made.callee_id, null);
    assert.equal(made.chat_id, chat.id);
    assert.equal(made.caller_id, a.id);
    assert.deepEqual(made.participants[0], { user_id: a.id, state: 'joined' });
    assert.deepEqual(states(made), { [a.id]: 'joined', [b.id]: 'ringing', [c.id]: 'ringing', [d.id]: 'ringing' });
    for (const s of [sb, sc, sd]) sameCall(await got(s, 'call:incoming', about(made.id), 'rings'), made);
    await quiet([sa], 'call:incoming', about(made.id), 'the caller does not ring');

    // D declines: the others ring on.
    const declined = await h.act(d, made.id, 'reject');
    assert.equal(declined.status, 'ringing');
    assert.deepEqual(states(declined), { [a.id]: 'joined', [b.id]: 'ringing', [c.id]: 'ringing', [d.id]: 'declined' });
    for (const s of [sa, sb, sc]) sameCall(await got(s, 'call:updated', about(made.id), 'D declined'), declined);

    // B joins: ongoing.
    const bJoined = await h.act(b, made.id, 'accept');
    assert.equal(bJoined.status, 'ongoing');
    assert.ok(bJoined.answered_at !== null);
    assert.deepEqual(states(bJoined), { [a.id]: 'joined', [b.id]: 'joined', [c.id]: 'ringing', [d.id]: 'declined' });
    for (const s of [sa, sc, sd]) sameCall(await got(s, 'call:updated', about(made.id), 'B joined'), bJoined);

    // C joins: three in the call.
    const cJoined = await h.act(c, made.id, 'accept');
    assert.equal(cJoined.status, 'ongoing');
    assert.equal(cJoined.answered_at, bJoined.answered_at, 'answered_at is the first accept');
    assert.deepEqual(states(cJoined), { [a.id]: 'joined', [b.id]: 'joined', [c.id]: 'joined', [d.id]: 'declined' });
    for (const s of [sa, sb, sd]) sameCall(await got(s, 'call:updated', about(made.id), 'C joined'), cJoined);
    await quiet([sb], 'call:updated', about(made.id), 'B\'s device saw only the changes by others');

    // The mesh: each pair negotiates, every signal reaches its `to` alone.
    const sock = new Map([[a.id, sa], [b.id, sb], [c.id, sc], [d.id, sd]]);
    const pairs = [
      [a, b, 'rest'], [b, a, 'socket'],
      [a, c, 'socket'], [c, a, 'rest'],
      [b, c, 'rest'], [c, b, 'socket'],
    ];
    let n = 0;
    for (const [from, to, how] of pairs) {
      const payload = { sdp: `from ${from.id} to ${to.id}`, n: ++n };
      const kind = n % 2 ? 'offer' : 'answer';
      if (how === 'rest') await h.signalOk(from, made.id, { kind, payload, to: to.id }, `signal ${n}`);
      else assert.deepEqual(await sock.get(from.id).emit('call:signal', { call_id: made.id, kind, payload, to: to.id }), {}, `signal ${n} ack`);
      assert.deepEqual(await got(sock.get(to.id), 'call:signal', signalOf(made.id), `signal ${n}`), { call_id: made.id, from: from.id, kind, payload });
      await quiet(all.filter((s) => s !== sock.get(to.id)), 'call:signal', signalOf(made.id), `signal ${n} reaches its \`to\` only`, 100);
    }
    await h.signalOk(c, made.id, { kind: 'ice', payload: { candidate: 'c-ice' }, to: a.id });
    assert.deepEqual(await got(sa, 'call:signal', signalOf(made.id), 'ice'), { call_id: made.id, from: c.id, kind: 'ice', payload: { candidate: 'c-ice' } });

    assertError(await h.signal(a, made.id, { kind: 'offer', payload: {} }), 400, 'missing_field', 'a group signal without `to`');
    assertAckError(await sb.emit('call:signal', { call_id: made.id, kind: 'offer', payload: {} }), 'missing_field', 'a group signal without `to`');
    assertError(await h.signal(d, made.id, { kind: 'offer', payload: {}, to: a.id }), 409, 'not_in_call', 'D declined and signals');
    await quiet(all, 'call:signal', signalOf(made.id), 'refused signals relay nothing');

    // C leaves: A and B go on.
    const cLeft = await h.act(c, made.id, 'end');
    assert.equal(cLeft.status, 'ongoing', `two remain: ${brief(cLeft)}`);
    assert.equal(cLeft.ended_at, null);
    assert.deepEqual(states(cLeft), { [a.id]: 'joined', [b.id]: 'joined', [c.id]: 'left', [d.id]: 'declined' });
    for (const s of [sa, sb, sd]) sameCall(await got(s, 'call:updated', about(made.id), 'C left'), cLeft);
    assertError(await h.signal(c, made.id, { kind: 'ice', payload: {}, to: a.id }), 409, 'not_in_call', 'C left and signals');
    await h.signalOk(a, made.id, { kind: 'ice', payload: 'still on', to: b.id });
    assert.deepEqual(await got(sb, 'call:signal', signalOf(made.id), 'still on'), { call_id: made.id, from: a.id, kind: 'ice', payload: 'still on' });

    // B leaves: fewer than two, the call ends.
    const over = await h.act(b, made.id, 'end');
    assert.equal(over.status, 'ended', brief(over));
    assert.ok(over.ended_at !== null);
    assert.equal(over.answered_at, bJoined.answered_at);
    assert.deepEqual(states(over), { [a.id]: 'left', [b.id]: 'left', [c.id]: 'left', [d.id]: 'declined' });
    for (const s of [sa, sc, sd]) {
      sameCall(await got(s, 'call:updated', about(made.id, (x) => x.status === 'ended'), 'ended'), over);
    }
    for (const who of [a, b, c, d]) {
      assertError(await h.action(who, made.id, 'accept'), 409, 'call_over', 'accept an ended group call');
    }
    assertError(await h.signal(a, made.id, { kind: 'ice', payload: {}, to: b.id }), 409, 'call_over', 'signal on an ended group call');
    assert.deepEqual(await h.one(d, made.id), { ...over, direction: 'incoming' });
    assert.deepEqual(await h.one(a, made.id), { ...over, direction: 'outgoing' });
  });

  it('group size: 8 members can be called, 9 are too many', async () => {
    const people = await h.users(9, 'Crowd');
    const [a, ...others] = people;
    const eight = await h.group(a, others.slice(0, 7), 'Eight');
    const nine = await h.group(a, others, 'Nine');

    assertError(await h.req(a, 'POST', '/calls/make_call', { chat_id: nine.id, type: 'audio' }), 400, 'too_many_participants', '9 members');
    assert.deepEqual((await h.history(others[7])).items, [], 'nobody rang');

    const made = await h.make(a, { chat_id: eight.id, type: 'audio' });
    assert.equal(made.participants.length, 8);
    assert.equal(made.callee_id, null);
    assert.deepEqual(made.participants.filter((p) => p.state === 'ringing').map((p) => p.user_id).sort(),
      others.slice(0, 7).map((u) => u.id).sort());
    const cancelled = await h.act(a, made.id, 'end');
    assert.equal(cancelled.status, 'cancelled', brief(cancelled));
    assert.ok(cancelled.participants.slice(1).every((p) => p.state === 'missed'), `the others missed it: ${brief(cancelled)}`);
  });
});

// =================================================================================

describe(`calls with --call-ring-seconds ${SHORT_RING_S}`, () => {
  let f;
  const h = harness(() => f);
  before(async () => {
    f = await startFlowd([...ARGS, '--call-ring-seconds', String(SHORT_RING_S)]);
  });
  afterEach(() => h.closeAll());
  after(async () => {
    await h.closeAll();
    await f?.shutdown();
  });

  it('a 1:1 call left ringing becomes missed after the ring time, with call:updated on both sides', async () => {
    const [a, b] = await h.users(2);
    const b2 = await h.device(b);
    const [sa, sb, sb2] = await Promise.all([h.ws(a, 'A'), h.ws(b, 'B'), h.sio(b2, 'B2(sio)')]);
    const made = await h.make(a, { callee_id: b.id, type: 'audio' });
    const t0 = Date.now();
    await got(sb, 'call:incoming', about(made.id), 'rings');

    const missed = await sa.next('call:updated', { filter: about(made.id), timeout: MISSED_WAIT_MS });
    const elapsed = Date.now() - t0;
    assertCall(missed, 'missed');
    assert.equal(missed.status, 'missed', brief(missed));
    assert.equal(stateOf(missed, b), 'missed');
    assert.equal(missed.answered_at, null);
    assert.equal(missed.duration_s, 0);
    assert.ok(missed.ended_at - missed.created_at >= SHORT_RING_S * 1000, `not before the ring time: ${brief(missed)}`);
    assert.ok(elapsed >= SHORT_RING_S * 1000 - 300, `missed after ${elapsed} ms, ring time ${SHORT_RING_S} s`);
    sameCall(await got(sb, 'call:updated', about(made.id), 'the callee stops ringing'), missed);
    sameCall(await got(sb2, 'call:updated', about(made.id), 'the callee\'s other device stops ringing'), missed);
    // The ring timer runs on every node, yet the timeout happens, and is announced, once.
    await quiet([sa, sb], 'call:updated', about(made.id), 'a second announcement of the timeout', 1500);

    assertError(await h.action(b, made.id, 'accept'), 409, 'call_over', 'accept a missed call');
    assertError(await h.signal(a, made.id, { kind: 'offer', payload: {} }), 409, 'call_over', 'signal on a missed call');
    assert.deepEqual(await h.one(b, made.id), { ...missed, direction: 'incoming' });
    assert.deepEqual(await h.one(a, made.id), { ...missed, direction: 'outgoing' });
  });

  it('an answered call does not time out', async () => {
    const [a, b] = await h.users(2);
    const made = await h.make(a, { callee_id: b.id, type: 'audio' });
    await h.act(b, made.id, 'accept');
    await sleep((SHORT_RING_S + 1) * 1000 + 500);
    const now = await h.one(a, made.id);
    assert.equal(now.status, 'ongoing', brief(now));
    assert.deepEqual(states(now), { [a.id]: 'joined', [b.id]: 'joined' });
    const ended = await h.act(a, made.id, 'end');
    assert.ok(ended.duration_s >= SHORT_RING_S + 1, brief(ended));
  });

  it('a group member who never answers is missed while the call goes on', async () => {
    const [a, b, c] = await h.users(3, 'Member');
    const chat = await h.group(a, [b, c], 'Three');
    const [sa, sb, sc] = await Promise.all([h.ws(a, 'A'), h.ws(b, 'B'), h.ws(c, 'C')]);
    const made = await h.make(a, { chat_id: chat.id, type: 'audio' });
    await got(sc, 'call:incoming', about(made.id), 'C rings');
    const joined = await h.act(b, made.id, 'accept');
    assert.equal(joined.status, 'ongoing');

    const cMissed = (x) => stateOf(x, c) === 'missed';
    const seen = await sa.next('call:updated', { filter: about(made.id, cMissed), timeout: MISSED_WAIT_MS });
    assertCall(seen);
    assert.equal(seen.status, 'ongoing', `the call goes on: ${brief(seen)}`);
    assert.equal(seen.ended_at, null);
    assert.deepEqual(states(seen), { [a.id]: 'joined', [b.id]: 'joined', [c.id]: 'missed' });
    sameCall(await got(sb, 'call:updated', about(made.id, cMissed), 'B'), seen);
    sameCall(await got(sc, 'call:updated', about(made.id, cMissed), 'C stops ringing'), seen);

    const over = await h.act(a, made.id, 'end');
    assert.equal(over.status, 'ended');
    assert.deepEqual(states(over), { [a.id]: 'left', [b.id]: 'left', [c.id]: 'missed' });
  });

  it('a call ringing when flowd is killed (kill -9) becomes missed after the restart', async () => {
    const [a, b] = await h.users(2);
    const made = await h.make(a, { callee_id: b.id, type: 'video' });
    const t0 = Date.now();
    await f.kill();
    await f.restart();
    const sa = await h.ws(a, 'A after restart');

    let now = await h.one(a, made.id, 'after the restart');
    assert.ok(['ringing', 'missed'].includes(now.status), `the call survived the crash as it was: ${brief(now)}`);
    if (now.status === 'ringing') {
      // Still ringing: it must run out, and the caller, connected again, hears it.
      const u = await sa.next('call:updated', { filter: about(made.id), timeout: MISSED_WAIT_MS });
      assert.equal(u.status, 'missed', brief(u));
    }
    const deadline = t0 + MISSED_WAIT_MS + 2000;
    while (now.status === 'ringing' && Date.now() < deadline) {
      await sleep(200);
      now = await h.one(a, made.id);
    }
    assert.equal(now.status, 'missed', `no longer ringing ${Date.now() - t0} ms after the call: ${brief(now)}`);
    assert.equal(stateOf(now, b), 'missed');
    assert.equal(now.answered_at, null);
    assert.equal(now.duration_s, 0);
    assert.ok(now.ended_at - now.created_at >= SHORT_RING_S * 1000, brief(now));
    assert.deepEqual(await h.one(b, made.id), { ...now, direction: 'incoming' });
    assertError(await h.action(b, made.id, 'accept'), 409, 'call_over', 'accept after the restart');
    // And the callee is free again.
    const next = await h.make(a, { callee_id: b.id, type: 'audio' });
    assert.equal(next.status, 'ringing', brief(next));
    await h.act(a, next.id, 'end');
  });
});

// =================================================================================

const GRACE_S = 1; // --call-grace-seconds for the tests of abandoned calls
const MAX_S = 4; // --call-max-seconds
const ABANDON_WAIT_MS = (GRACE_S + 2) * 1000 + 1500; // the check runs every second

describe(`calls with --call-grace-seconds ${GRACE_S} --call-max-seconds ${MAX_S}`, () => {
  let f;
  const h = harness(() => f);
  before(async () => {
    f = await startFlowd([...ARGS, '--call-ring-seconds', String(LONG_RING_S), '--call-grace-seconds', String(GRACE_S),
      '--call-max-seconds', String(MAX_S)]);
  });
  afterEach(() => h.closeAll());
  after(async () => {
    await h.closeAll();
    await f?.shutdown();
  });

  /** Polls GET /calls/history/{id} until the call is no longer ongoing, within `ms`. */
  async function untilOver(who, id, ms, what) {
    const deadline = Date.now() + ms;
    for (;;) {
      const now = await h.one(who, id, what);
      if (now.status !== 'ongoing') return now;
      assert.ok(Date.now() < deadline, `${what}: still ongoing after ${ms} ms: ${brief(now)}`);
      await sleep(100);
    }
  }

  it('a party whose last socket closes ends the call after the grace period, with call:updated; both are free again', async () => {
    const [a, b] = await h.users(2);
    const [sa, sb] = await Promise.all([h.ws(a, 'A'), h.sio(b, 'B(sio)')]);
    const made = await h.make(a, { callee_id: b.id, type: 'audio' });
    await got(sb, 'call:incoming', about(made.id), 'rings');
    const accepted = await h.act(b, made.id, 'accept');
    assert.equal(accepted.status, 'ongoing');
    await got(sa, 'call:updated', about(made.id), 'the caller hears the answer');

    await sb.close();
    const gone = Date.now();
    const ended = await sa.next('call:updated', { filter: about(made.id), timeout: ABANDON_WAIT_MS });
    assertCall(ended, 'ended');
    assert.equal(ended.status, 'ended', brief(ended));
    assert.deepEqual(states(ended), { [a.id]: 'left', [b.id]: 'left' });
    assert.ok(Date.now() - gone >= GRACE_S * 1000 - 300, `ended ${Date.now() - gone} ms after B left, grace ${GRACE_S} s`);
    assert.deepEqual(await h.one(b, made.id), { ...ended, direction: 'incoming' });
    // Announced once, though every node checks.
    await quiet([sa], 'call:updated', about(made.id), 'a second announcement', 1500);

    // Neither is busy any more.
    const next = await h.make(b, { callee_id: a.id, type: 'audio' });
    assert.equal(next.status, 'ringing', brief(next));
    await h.act(b, next.id, 'end');
  });

  it('a call answered by parties that never connected a socket ends after the grace period', async () => {
    const [a, b] = await h.users(2);
    const made = await h.make(a, { callee_id: b.id, type: 'video' });
    await h.act(b, made.id, 'accept');
    const ended = await untilOver(a, made.id, ABANDON_WAIT_MS, 'no sockets');
    assert.equal(ended.status, 'ended', brief(ended));
    assert.deepEqual(states(ended), { [a.id]: 'left', [b.id]: 'left' });
    assert.ok(ended.ended_at - ended.answered_at >= GRACE_S * 1000, brief(ended));
    const next = await h.make(a, { callee_id: b.id, type: 'audio' });
    assert.equal(next.status, 'ringing', `not busy after the end: ${brief(next)}`);
    await h.act(a, next.id, 'end');
  });

  it('a group call goes on when one of three vanishes, and ends when fewer than two remain', async () => {
    const [a, b, c] = await h.users(3, 'Member');
    const chat = await h.group(a, [b, c], 'Three');
    const [sa, sb, sc] = await Promise.all([h.ws(a, 'A'), h.ws(b, 'B'), h.ws(c, 'C')]);
    const made = await h.make(a, { chat_id: chat.id, type: 'audio' });
    await h.act(b, made.id, 'accept');
    await h.act(c, made.id, 'accept');
    await sc.terminate();
    const cLeft = (x) => stateOf(x, c) === 'left';
    const seen = await sa.next('call:updated', { filter: about(made.id, cLeft), timeout: ABANDON_WAIT_MS });
    assert.equal(seen.status, 'ongoing', `the call goes on: ${brief(seen)}`);
    assert.deepEqual(states(seen), { [a.id]: 'joined', [b.id]: 'joined', [c.id]: 'left' });
    sameCall(await got(sb, 'call:updated', about(made.id, cLeft), 'B'), seen);
    await sb.terminate();
    const over = await sa.next('call:updated', { filter: about(made.id, (x) => x.status !== 'ongoing'), timeout: ABANDON_WAIT_MS });
    assert.equal(over.status, 'ended', brief(over));
    assert.deepEqual(states(over), { [a.id]: 'left', [b.id]: 'left', [c.id]: 'left' });
  });

  it(`a call whose parties stay connected goes on past the grace period, and ends after ${MAX_S} s in any case`, async () => {
    const [a, b] = await h.users(2);
    const [sa, sb] = await Promise.all([h.ws(a, 'A'), h.ws(b, 'B')]);
    const made = await h.make(a, { callee_id: b.id, type: 'audio' });
    const accepted = await h.act(b, made.id, 'accept');
    const ended = await sa.next('call:updated', { filter: about(made.id, (x) => x.status !== 'ongoing'), timeout: (MAX_S + 3) * 1000 });
    assert.equal(ended.status, 'ended', brief(ended));
    assert.ok(ended.ended_at - accepted.answered_at >= MAX_S * 1000, `not before ${MAX_S} s: ${brief(ended)}`);
    assert.equal(ended.duration_s, Math.floor((ended.ended_at - ended.answered_at) / 1000));
    sameCall(await got(sb, 'call:updated', about(made.id), 'B hears the end'), ended);
    const next = await h.make(a, { callee_id: b.id, type: 'audio' });
    assert.equal(next.status, 'ringing', brief(next));
    await h.act(a, next.id, 'end');
  });
});
