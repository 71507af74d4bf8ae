// Per-user rate limits, as a client meets them (issue 13, defect 4 and the lookup cap of
// defect 5): a flood of sends gets 429 `rate_limited` with Retry-After before it can push
// another user's slow device off; a flood of typing events is not relayed, and a device
// that is behind gets only the latest typing state; call signals
// past their rate get an error ack with `retry_after`; /users/lookup stops at the day's
// cap of distinct numbers. On the cluster shape (two nodes, Redis) the send limit holds
// across nodes. Small limits by flag keep each test short.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowd, request, assertError, assertAckError, assertRetryAfter, uniquePhone, NODES } from './lib/flowd.mjs';
import { connect } from './lib/ws_client.mjs';
import { connectSio } from './lib/sio_client.mjs';

// Many sign-ins come from 127.0.0.1: lift the per-address and per-phone caps.
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];
const SEND_BURST = 20;
const SEND_RATE = 2;
const SIGNAL_RATE = 3;
const LOOKUP_CAP = 5;
const LIMITS = [
  '--user-send-rate', String(SEND_RATE),
  '--user-send-burst', String(SEND_BURST),
  '--user-signal-rate', String(SIGNAL_RATE),
  '--lookup-daily-cap', String(LOOKUP_CAP),
];

let clientSeq = 0;
const newClientId = () => `rl-${process.pid}-${++clientSeq}-${Math.random().toString(36).slice(2, 8)}`;
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const inChat = (chatId, timeout = 5000) => ({ filter: (d) => d && d.chat_id === chatId, timeout });

describe('per-user rate limits', () => {
  let f;
  const sockets = [];
  const open = async (who, opts) => {
    const c = await connect(f.baseUrl, who.token, opts);
    sockets.push(c);
    return c;
  };
  const req = (who, method, p, body) => f.request(method, p, { token: who.token, body });
  const send = (who, chatId, text, url = f.baseUrl) =>
    request(url, 'POST', `/chats/${chatId}/send_message`, { token: who.token, body: { client_id: newClientId(), type: 'text', text } });
  /** A direct chat in which both have written, so that the two are contacts. */
  async function talking(a, b) {
    const r = await req(a, 'POST', '/chats', { type: 'direct', user_id: b.id });
    assert.ok(r.status === 201 || r.status === 200, `create direct -> ${r.status} ${r.text}`);
    for (const who of [a, b]) assert.equal((await send(who, r.json.id, 'hi')).status, 201);
    return r.json;
  }

  before(async () => {
    f = await startFlowd([...ARGS, ...LIMITS]);
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((c) => c.terminate()));
  });
  after(async () => {
    await f?.shutdown();
  });

  it('250 REST sends of 64 KB: the sender gets 429 with Retry-After, and the slow reader stays connected', async () => {
    const [a, b] = await f.signUpMany(2, 'Flood');
    const chat = await talking(a, b);
    const victim = await open(b, { label: 'slow B' });
    victim.ws._socket.pause();
    // The sender's socket is open before the flood, so that the refill while it connects
    // (slow under a sanitizer) cannot give the send after the flood a token.
    const sio = await connectSio(f.baseUrl, a.token, { transports: ['websocket'] });
    sockets.push(sio);

    const big = 'x'.repeat(64_000);
    let stored = 0;
    let refused = null;
    let refusals = 0;
    for (let i = 0; i < 250; i++) {
      const r = await send(a, chat.id, `${i} ${big}`);
      if (r.status === 201) stored++;
      else if (r.status === 429) {
        refused ??= r;
        refusals++;
      } else assert.fail(`send ${i} -> ${r.status} ${r.text.slice(0, 300)}`);
    }
    assert.ok(refused, `all 250 sends were stored`);
    assertError(refused, 429, 'rate_limited', 'a send past the limit');
    assertRetryAfter(refused, 'a send past the limit');
    // the burst, and what the rate refilled while the test ran (a few seconds at most)
    assert.ok(stored >= SEND_BURST - 2 && stored <= SEND_BURST + 20, `stored ${stored} of 250 (${refusals} refused)`);

    // Socket sends of the same user are refused too, with retry_after in the error ack.
    // Five at once: the rate (2/s) may have refilled a token since the last REST send
    // (slow under a sanitizer), not five.
    const acks = await Promise.all(Array.from({ length: 5 }, (_, i) =>
      sio.emit('message:send', { chat_id: chat.id, client_id: newClientId(), type: 'text', text: `and one more ${i}` })));
    const refusedAcks = acks.filter((ack) => ack.error);
    stored += acks.length - refusedAcks.length;
    assert.ok(refusedAcks.length >= 3, `socket sends past the limit: ${JSON.stringify(acks).slice(0, 600)}`);
    const ack = refusedAcks[0];
    assertAckError(ack, 'rate_limited', 'message:send past the limit');
    assert.ok(Number.isInteger(ack.error.retry_after) && ack.error.retry_after >= 1, `retry_after: ${JSON.stringify(ack)}`);

    // The victim was never pushed off: reading again, it gets every stored message, in order.
    victim.ws._socket.resume();
    // (seq 1, A's "hi", comes first as B had not acknowledged it; seq 2 is B's own.)
    const seqs = [];
    while (seqs.at(-1) !== stored + 2) {
      try {
        seqs.push((await victim.next('message:new', inChat(chat.id))).seq);
      } catch (e) {
        assert.fail(`the slow reader got seqs up to ${seqs.at(-1)} of ${stored + 2}, then: ${e.message}; closed: ${JSON.stringify(victim.closeInfo)}`);
      }
    }
    assert.deepEqual(seqs, [1, ...range(3, stored + 2)]);
    assert.ok(victim.isOpen, `the slow reader is still connected: ${JSON.stringify(victim.closeInfo)}`);
  });

  it('3,000 typing frames are not all relayed, and the excess is dropped without an error', async () => {
    const [a, b] = await f.signUpMany(2, 'Typist');
    const chat = await talking(a, b);
    const [ca, cb] = [await open(a, { label: 'A' }), await open(b, { label: 'B' })];
    const frame = JSON.stringify({ event: 'typing', data: { chat_id: chat.id, typing: true } });
    for (let i = 0; i < 2999; i++) ca.send(frame);
    assert.deepEqual(await ca.emit('typing', { chat_id: chat.id, typing: false }, { timeout: 20_000 }), {}, 'an excess typing event acks {}');
    // a message after them all: once B has it, B has every typing event it will get
    const marker = await ca.emit('message:send', { chat_id: chat.id, client_id: newClientId(), type: 'text', text: 'done typing' });
    assert.ok(Number.isInteger(marker.seq), `message:send ack ${JSON.stringify(marker)}`);
    await cb.next('message:new', inChat(chat.id));

    const relayed = cb.events.filter((e) => e.event === 'typing').length;
    assert.ok(relayed >= 1, 'the first typing events are relayed');
    assert.ok(relayed <= 50, `${relayed} of 3000 typing events were relayed`);
    assert.deepEqual(ca.events.filter((e) => e.event === 'error'), [], 'no error frames for dropped typing');
  });

  it('typing is a state: a device not yet written to gets only the latest of each chat and user', async () => {
    const [a, b] = await f.signUpMany(2, 'Coalesce');
    const chat = await talking(a, b);
    // B is a Socket.IO client over long-polling that does not poll while A types, so
    // everything for B waits in its session until B's next GET.
    const base = `${f.baseUrl}/socket.io/?EIO=4&transport=polling`;
    const get = async (sid) => {
      const r = await fetch(`${base}&sid=${sid}`);
      assert.equal(r.status, 200);
      return (await r.text()).split('\x1e');
    };
    const opened = await (await fetch(base)).text();
    const { sid } = JSON.parse(opened.slice(1));
    const posted = await fetch(`${base}&sid=${sid}`, { method: 'POST', body: `40${JSON.stringify({ token: b.token })}` });
    assert.equal(posted.status, 200);
    assert.ok((await get(sid)).some((p) => p.startsWith('40{')), 'B is connected');

    const ca = await open(a, { label: 'A' });
    // Within the typing rate's burst (5): on, off, on, off, on.
    for (const typing of [true, false, true, false, true])
      assert.deepEqual(await ca.emit('typing', { chat_id: chat.id, typing }), {});
    const marker = await ca.emit('message:send', { chat_id: chat.id, client_id: newClientId(), type: 'text', text: 'typed' });
    assert.ok(Number.isInteger(marker.seq), `message:send ack ${JSON.stringify(marker)}`);
    await new Promise((resolve) => setTimeout(resolve, 300)); // for the events to reach B's session

    const packets = await get(sid);
    const events = packets.filter((p) => p.startsWith('42')).map((p) => JSON.parse(p.slice(2)));
    const typing = events.filter(([name, data]) => name === 'typing' && data.chat_id === chat.id);
    assert.deepEqual(typing, [['typing', { chat_id: chat.id, user_id: a.id, typing: true }]],
      `B's typing events: ${JSON.stringify(typing)}`);
    assert.equal(events.filter(([name, data]) => name === 'message:new' && data.text === 'typed').length, 1,
      'the message is not coalesced');
    await fetch(`${base}&sid=${sid}`, { method: 'POST', body: '1' });
  });

  it('call signals past --user-signal-rate get an error ack with retry_after, and 429 over REST', async () => {
    const [a, b] = await f.signUpMany(2, 'Signal');
    await talking(a, b);
    const ca = await open(a, { label: 'A' });
    await open(b, { label: 'B' });
    const made = await req(a, 'POST', '/calls/make_call', { callee_id: b.id, type: 'audio' });
    assert.equal(made.status, 201, `make_call -> ${made.status} ${made.text}`);
    const signal = { call_id: made.json.id, kind: 'ice', payload: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } };

    const acks = await Promise.all(range(1, 3 * SIGNAL_RATE).map(() => ca.emit('call:signal', signal)));
    const ok = acks.filter((ack) => ack && !ack.error).length;
    assert.ok(ok >= SIGNAL_RATE && ok < 2 * SIGNAL_RATE, `${ok} of ${acks.length} signals relayed: ${JSON.stringify(acks)}`);
    const limited = acks.find((ack) => ack && ack.error);
    assertAckError(limited, 'rate_limited', 'call:signal past the rate');
    assert.ok(Number.isInteger(limited.error.retry_after) && limited.error.retry_after >= 1, `retry_after: ${JSON.stringify(limited)}`);

    const rest = await req(a, 'POST', `/calls/${made.json.id}/signal`, { kind: signal.kind, payload: signal.payload });
    assertError(rest, 429, 'rate_limited', 'POST /calls/{id}/signal past the rate');
    assertRetryAfter(rest, 'POST /calls/{id}/signal past the rate');
  });

  it('/users/lookup stops at --lookup-daily-cap distinct numbers a day: 429, refusing the whole lookup', async () => {
    const [a, b, c] = await f.signUpMany(3, 'Lookup');
    const lookup = (who, phones) => req(who, 'POST', '/users/lookup', { phones });
    const others = range(1, 4).map(() => uniquePhone());

    let r = await lookup(a, [b.phone, others[0], others[1]]);
    assert.equal(r.status, 200, `3 numbers -> ${r.status} ${r.text}`);
    assert.deepEqual(r.json.items.map((u) => u.id), [b.id]);
    r = await lookup(a, [b.phone, others[0], others[1], 'not a number']);
    assert.equal(r.status, 200, `the same numbers again count once; an invalid one not at all -> ${r.status} ${r.text}`);

    r = await lookup(a, [c.phone, others[2], others[3]]);
    assertError(r, 429, 'rate_limited', `3 more would make 6 of ${LOOKUP_CAP}`);
    const retry = assertRetryAfter(r, 'the lookup cap');
    assert.ok(retry <= 86_400, `Retry-After ${retry}: at most until the next UTC day`);

    r = await lookup(a, [c.phone, others[2]]);
    assert.equal(r.status, 200, `the refused lookup counted nothing: 2 more make 5 -> ${r.status} ${r.text}`);
    assert.deepEqual(r.json.items.map((u) => u.id), [c.id]);
    assertError(await lookup(a, [others[3]]), 429, 'rate_limited', 'a sixth number');
    assert.equal((await lookup(a, [b.phone])).status, 200, 'a number already looked up today');
    assert.equal((await lookup(b, [a.phone, others[3]])).status, 200, 'another user has a cap of their own');
  });

  it('on two nodes sharing Redis, sends spread over both hit the limit at about the same count as on one', { skip: NODES < 2 && 'not the cluster shape' }, async () => {
    const [a, b] = await f.signUpMany(2, 'Spread');
    const chat = await talking(a, b);
    const statuses = [];
    for (let i = 0; i < 3 * SEND_BURST; i++) statuses.push((await send(a, chat.id, `m${i}`, f.nodes[i % 2].url)).status);
    const stored = statuses.filter((s) => s === 201).length;
    assert.ok(statuses.every((s) => s === 201 || s === 429), `statuses ${statuses.join(',')}`);
    // One bucket for both nodes: the burst (less talking()'s one send) and a little refill,
    // not the two bursts two separate buckets would give.
    assert.ok(stored >= SEND_BURST - 3 && stored <= SEND_BURST + 4, `${stored} of ${statuses.length} sends were stored: ${statuses.join(',')}`);
    for (const node of [0, 1])
      assert.ok(statuses.some((s, i) => i % 2 === node && s === 429), `node ${node + 1} refused some sends`);
  });
});
