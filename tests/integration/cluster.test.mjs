// Several flowd nodes as one service (PostgreSQL shared, Redis between them), as clients
// see it: real time across nodes, a node killed mid-conversation, concurrent senders on
// both nodes, and a Redis outage. Only the cluster shape has more than one node
// (FLOW_TEST_POSTGRES_URL and FLOW_TEST_REDIS_URL, see lib/flowd.mjs); otherwise the whole
// file is skipped.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowd, request, freePort, sleep, NODES } from './lib/flowd.mjs';
import { startRedis } from './lib/redis.mjs';
import { connect } from './lib/ws_client.mjs';
import { connectSio } from './lib/sio_client.mjs';
import { brief } from './lib/inbox.mjs';

// Many sign-ins come from 127.0.0.1: lift the per-address and per-phone caps.
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];
const WAIT_MS = 5000; // how long to wait for something that must happen
const QUIET_MS = 300; // how long "nothing more arrives" is watched for

let clientSeq = 0;
const newClientId = () => `cl-${process.pid}-${++clientSeq}-${Math.random().toString(36).slice(2, 8)}`;
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const inChat = (chatId) => ({ filter: (d) => d && d.chat_id === chatId, timeout: WAIT_MS });
const about = (userId) => ({ filter: (d) => d && d.user_id === userId, timeout: WAIT_MS });

/** Polls `cond` every 20 ms until it holds; fails with `what()` after `ms`. */
async function until(cond, what, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`${what()}: not within ${ms} ms`);
    await sleep(20);
  }
}

/** The test's view of one server `getF()`: users, requests to a chosen node, sockets closed after each test. */
function harness(getF) {
  const sockets = [];
  const h = {
    get f() {
      return getF();
    },
    url: (node) => getF().nodes[node].url,
    /** A /ws socket of `who` on node `node` (0 or 1). */
    async ws(who, node, label) {
      const c = await connect(h.url(node), who.token, { label });
      sockets.push(c);
      return c;
    },
    /** A Socket.IO socket (WebSocket transport) of `who` on node `node`. */
    async sio(who, node, label) {
      const c = await connectSio(h.url(node), who.token, { label, transports: ['websocket'], timeout: WAIT_MS });
      sockets.push(c);
      return c;
    },
    async closeAll() {
      await Promise.all(sockets.splice(0).map((c) => c.terminate()));
    },
    users(n, prefix) {
      return getF().signUpMany(n, prefix);
    },
    /** A REST request as `who` to node `node`. */
    req(who, node, method, p, body) {
      return request(h.url(node), method, p, { token: who.token, body });
    },
    async chat(who, body) {
      const r = await h.req(who, 0, 'POST', '/chats', body);
      assert.equal(r.status, 201, `POST /chats ${brief(body)} -> ${r.status} ${r.text}`);
      return r.json;
    },
    /** A text message over REST to node `node`, asserting 201; returns the Message. */
    async say(who, node, chatId, text) {
      const r = await h.req(who, node, 'POST', `/chats/${chatId}/send_message`, { client_id: newClientId(), type: 'text', text });
      assert.equal(r.status, 201, `send_message to node ${node + 1} -> ${r.status} ${r.text}`);
      return r.json;
    },
    /** A text message over socket `c`, asserting the ack is a Message; returns it. */
    async wsSay(c, chatId, text) {
      const m = await c.emit('message:send', { chat_id: chatId, client_id: newClientId(), type: 'text', text }, { timeout: WAIT_MS });
      assert.ok(m && Number.isInteger(m.seq), `${c.label}: message:send ack ${brief(m)}`);
      return m;
    },
    /** GET /health of node `node`. */
    async health(node) {
      return (await request(h.url(node), 'GET', '/health')).json;
    },
  };
  return h;
}

/**
 * One device (one token) as a real client runs it: it reads message:new from whatever
 * /ws socket it has now (attach() again after each reconnect), acknowledges each with
 * message:delivered up to the highest seq it holds without a gap, and keeps every arrival
 * per chat for check().
 *
 * Duplicates: API.md gives a device again every message it has not acknowledged, so a
 * message may come twice when the device got it but the server never confirmed an ack
 * covering it (e.g. the node died first). What counts as a duplicate is a message that
 * comes at or below an ack the server confirmed (answered {}) before it came, or twice on
 * one connection.
 */
class Device {
  constructor(label) {
    this.label = label;
    this.chats = new Map();
    this.conns = 0;
  }

  chat(id) {
    if (!this.chats.has(id)) {
      // held: seqs this device has (received or its own sends); upTo: held without a gap from 1;
      // confirmed: the highest ack the server answered
      this.chats.set(id, { arrivals: [], own: new Set(), held: new Set(), upTo: 0, confirmed: 0, duplicates: [] });
    }
    return this.chats.get(id);
  }

  hold(ch, seq) {
    ch.held.add(seq);
    while (ch.held.has(ch.upTo + 1)) ch.upTo++;
  }

  /** A message this device sent: the server never sends it back to it, but the device has it. */
  sent(m) {
    const ch = this.chat(m.chat_id);
    ch.own.add(m.seq);
    this.hold(ch, m.seq);
  }

  /** Reads message:new from /ws socket `c` (this device's token) until it closes. */
  attach(c) {
    const conn = ++this.conns;
    (async () => {
      for (;;) {
        let m;
        try {
          m = await c.next('message:new', { timeout: 60_000 });
        } catch {
          if (c.closeInfo) return;
          continue;
        }
        const ch = this.chat(m.chat_id);
        if (m.seq <= ch.confirmed || ch.arrivals.some((a) => a.conn === conn && a.seq === m.seq)) {
          ch.duplicates.push({ seq: m.seq, conn, confirmed: ch.confirmed });
        }
        ch.arrivals.push({ seq: m.seq, conn });
        this.hold(ch, m.seq);
        if (m.seq <= ch.upTo) {
          const upTo = ch.upTo;
          c.emit('message:delivered', { chat_id: m.chat_id, seq: upTo }).then(
            (ack) => {
              if (ack && typeof ack === 'object' && Object.keys(ack).length === 0) ch.confirmed = Math.max(ch.confirmed, upTo);
            },
            () => {}, // the connection went away first: not confirmed
          );
        }
      }
    })();
    return c;
  }

  /**
   * Waits until the device holds 1..n of `chatId` and the server confirmed its ack of
   * everything received (its own sends after that need no ack).
   */
  async settled(chatId, n, what) {
    const ch = this.chat(chatId);
    const received = () => Math.max(0, ...ch.arrivals.map((a) => a.seq));
    await until(() => ch.upTo >= n && ch.confirmed >= received(), () => `${this.label} ${what}: holds 1..${ch.upTo} of ${n}, ` +
      `confirmed ${ch.confirmed}; arrivals ${brief(ch.arrivals, 2000)}`);
  }

  /**
   * Asserts that the device has exactly 1..n of `chatId`, that nothing came again after a
   * confirmed ack, and that each connection gave the chat in seq order without gaps (but
   * for the device's own sends).
   */
  check(chatId, n, what) {
    const ch = this.chat(chatId);
    const ctx = `${this.label} ${what}: arrivals (seq, connection) ${brief(ch.arrivals, 2000)}, own ${brief([...ch.own])}`;
    assert.deepEqual(ch.duplicates, [], `duplicates: ${ctx}`);
    assert.deepEqual([...ch.held].sort((x, y) => x - y), range(1, n), `held: ${ctx}`);
    for (let conn = 1; conn <= this.conns; conn++) {
      const seqs = ch.arrivals.filter((a) => a.conn === conn).map((a) => a.seq);
      for (let i = 1; i < seqs.length; i++) {
        assert.ok(seqs[i] > seqs[i - 1], `connection ${conn}: ${seqs[i]} after ${seqs[i - 1]}: ${ctx}`);
        for (let s = seqs[i - 1] + 1; s < seqs[i]; s++) assert.ok(ch.own.has(s), `connection ${conn}: gap at ${s}: ${ctx}`);
      }
    }
  }
}

/**
 * A describe with a server of its own (startFlowd(ARGS, await options())), skipped when
 * there are not two nodes; `body(h)` declares its tests with the harness.
 */
function suite(name, body, options = async () => ({})) {
  const skip = NODES < 2 && 'needs two flowd nodes: set FLOW_TEST_POSTGRES_URL and FLOW_TEST_REDIS_URL';
  describe(name, { skip }, () => {
    let f;
    const h = harness(() => f);
    before(async () => {
      f = await startFlowd(ARGS, await options());
    });
    afterEach(() => h.closeAll());
    after(async () => {
      await h.closeAll();
      await f?.shutdown();
    });
    body(h);
  });
}

suite('a cluster of two nodes', (h) => {
  it('clients on different nodes: messages, receipts, typing, presence and calls cross', async () => {
    const [a, b] = await h.users(2, 'Across');
    const dm = await h.chat(a, { type: 'direct', user_id: b.id });
    // B accepts A's message request (on the other node): now they are contacts.
    assert.equal((await h.req(b, 1, 'POST', `/chats/${dm.id}/accept`)).status, 204);
    const ca = await h.ws(a, 0, 'A@1');
    const cb = await h.ws(b, 1, 'B@2');
    assert.equal((await ca.next('presence', about(b.id))).online, true, 'B online, seen from the other node');

    const m1 = await h.wsSay(ca, dm.id, 'from node 1');
    assert.deepEqual(await cb.next('message:new', inChat(dm.id)), m1);
    const m2 = await h.wsSay(cb, dm.id, 'from node 2');
    assert.deepEqual(await ca.next('message:new', inChat(dm.id)), m2);
    assert.deepEqual(await ca.emit('message:delivered', { chat_id: dm.id, seq: 2 }), {});
    assert.deepEqual(await cb.next('message:status', inChat(dm.id)), { chat_id: dm.id, user_id: a.id, seq: 2, status: 'delivered' });

    assert.deepEqual(await cb.emit('typing', { chat_id: dm.id, typing: true }), {});
    assert.deepEqual(await ca.next('typing', inChat(dm.id)), { chat_id: dm.id, user_id: b.id, typing: true });

    const made = await h.req(a, 0, 'POST', '/calls/make_call', { callee_id: b.id, type: 'audio' });
    assert.equal(made.status, 201, made.text);
    assert.equal((await cb.next('call:incoming', { filter: (d) => d.id === made.json.id, timeout: WAIT_MS })).status, 'ringing');
    const accepted = await h.req(b, 1, 'POST', `/calls/${made.json.id}/accept`);
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal((await ca.next('call:updated', { filter: (d) => d.id === made.json.id, timeout: WAIT_MS })).status, 'ongoing');
    assert.equal((await h.req(a, 0, 'POST', `/calls/${made.json.id}/end`)).status, 200);
    assert.equal((await cb.next('call:updated', { filter: (d) => d.id === made.json.id, timeout: WAIT_MS })).status, 'ended');

    await cb.close();
    assert.equal((await ca.next('presence', about(b.id))).online, false, 'B offline, seen from the other node');
    await ca.none('message:new', QUIET_MS);
  });

  it('concurrent senders on both nodes into one group: seq 1..100, each member gets the others\' messages once, in order', async () => {
    const us = await h.users(4, 'Busy');
    const g = await h.chat(us[0], { type: 'group', name: 'Both nodes', user_ids: us.slice(1).map((u) => u.id) });
    // two members on each node, over both transports
    const cs = await Promise.all([
      h.ws(us[0], 0, 'U1@1 ws'),
      h.sio(us[1], 0, 'U2@1 sio'),
      h.ws(us[2], 1, 'U3@2 ws'),
      h.sio(us[3], 1, 'U4@2 sio'),
    ]);
    // all 100 sends at once, none awaited before the others are made
    const send = (c, text) => c.emit('message:send', { chat_id: g.id, client_id: newClientId(), type: 'text', text }, { timeout: WAIT_MS });
    const acks = await Promise.all(cs.map((c, k) => Promise.all(range(1, 25).map((i) => send(c, `${k}:${i}`)))));
    const seqs = acks.map((list, k) =>
      list.map((m) => {
        assert.ok(m && Number.isInteger(m.seq), `member ${k + 1}: ack ${brief(m)}`);
        return m.seq;
      }),
    );
    assert.deepEqual(seqs.flat().sort((x, y) => x - y), range(1, 100), 'the acks carry seq 1..100');
    seqs.forEach((s, k) => assert.deepEqual(s, [...s].sort((x, y) => x - y), `member ${k + 1}: its sends are sequenced in its order`));

    await Promise.all(
      cs.map(async (c, k) => {
        const expected = range(1, 100).filter((s) => !seqs[k].includes(s));
        const got = (await c.take('message:new', expected.length, inChat(g.id))).map((m) => m.seq);
        assert.deepEqual(got, expected, `${c.label}: the others' messages, once, in seq order`);
        await c.none('message:new', QUIET_MS);
      }),
    );
    const lists = [];
    for (const node of [0, 1]) {
      const r = await h.req(us[node * 2], node, 'GET', `/chats/${g.id}/messages?limit=200`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.items.map((m) => m.seq), range(1, 100), `history through node ${node + 1}`);
      lists.push(r.json.items);
    }
    assert.deepEqual(lists[1], lists[0], 'both nodes give the same history');
  });
});

suite('a cluster of two nodes: one node killed mid-conversation', (h) => {
  it('a device of the dead node reconnects to the other and gets what it had not acknowledged, once, in order', async () => {
    const [a, b, c] = await h.users(3, 'Crash');
    const dm = await h.chat(a, { type: 'direct', user_id: b.id });
    const g = await h.chat(a, { type: 'group', name: 'Crash group', user_ids: [b.id, c.id] });
    const last = { [dm.id]: 0, [g.id]: 0 };
    const note = (m) => {
      last[m.chat_id] = Math.max(last[m.chat_id], m.seq);
      return m;
    };
    const ca = await h.ws(a, 0, 'A@1');
    const B = new Device('B');
    const cb1 = B.attach(await h.ws(b, 1, 'B@2'));

    // both nodes up: a conversation in both chats
    for (let i = 1; i <= 3; i++) {
      note(await h.wsSay(ca, dm.id, `a${i}`));
      note(await h.wsSay(ca, g.id, `a${i}`));
      B.sent(note(await h.wsSay(cb1, dm.id, `b${i}`)));
      note(await h.say(c, 1, g.id, `c${i}`));
    }
    await ca.take('message:new', 3, inChat(dm.id)); // B's
    await B.settled(dm.id, last[dm.id], 'direct chat, before the crash');
    await B.settled(g.id, last[g.id], 'group, before the crash');

    // node 2 dies while A's sends are in flight: once B has got the first of them
    const before = { ...last };
    const inFlight = range(1, 6).map((i) => h.wsSay(ca, i % 2 ? dm.id : g.id, `in flight ${i}`));
    const got = (id) => B.chat(id).arrivals.some((x) => x.seq > before[id]);
    await until(() => got(dm.id) || got(g.id), () => 'B gets a message sent after the first part');
    await h.f.kill(1);
    (await Promise.all(inFlight)).forEach(note);
    await until(() => cb1.closeInfo, () => "B's socket on the dead node closes");

    // the outage: A goes on over REST and over its socket, C over REST, all on node 1
    for (let i = 1; i <= 3; i++) {
      note(await h.say(a, 0, dm.id, `rest ${i}`));
      note(await h.wsSay(ca, g.id, `ws ${i}`));
      note(await h.say(c, 0, g.id, `c rest ${i}`));
    }

    // B reconnects to node 1 while A keeps sending
    const during = [dm.id, g.id, dm.id, g.id, dm.id, g.id].map((id, i) => h.wsSay(ca, id, `during reconnect ${i}`));
    B.attach(await h.ws(b, 0, 'B@1'));
    (await Promise.all(during)).forEach(note);
    for (const [id, what] of [[dm.id, 'direct chat'], [g.id, 'group']]) {
      await B.settled(id, last[id], `${what}, after reconnecting`);
    }
    await sleep(QUIET_MS);
    B.check(dm.id, last[dm.id], 'direct chat');
    B.check(g.id, last[g.id], 'group');

    // everything restarted: acknowledged messages do not come again, new ones cross nodes
    await h.closeAll();
    await h.f.restart();
    B.attach(await h.ws(b, 1, 'B@2 after restart'));
    await sleep(QUIET_MS); // anything coming again now is a duplicate for check()
    note(await h.say(a, 0, dm.id, 'after the restart'));
    await B.settled(dm.id, last[dm.id], 'direct chat, after the restart');
    B.check(dm.id, last[dm.id], 'direct chat, after the restart');
  });
});

// The nodes' Redis is one of the test's own, which it can stop.
let redis;
let redisPort;
suite('a cluster of two nodes: a Redis outage', (h) => {
  after(() => redis?.kill());

  /** Waits until GET /health on both nodes reports `bus`. */
  const busIs = (bus) =>
    until(
      async () => (await Promise.all([0, 1].map((n) => h.health(n)))).every((x) => x?.bus === bus),
      () => `both nodes report bus: "${bus}"`,
    );

  it('storage goes on without Redis; when it is back the nodes close their sockets and devices catch up', async () => {
    const [a, b] = await h.users(2, 'Outage');
    const dm = await h.chat(a, { type: 'direct', user_id: b.id });
    const B = new Device('B');
    const cb1 = B.attach(await h.ws(b, 1, 'B@2'));
    await h.say(a, 0, dm.id, 'before the outage');
    await B.settled(dm.id, 1, 'before the outage');
    await busIs('ok');

    await redis.kill();
    await busIs('down');
    // Alive, but not to be sent traffic: /health 200 degraded, /ready 503.
    for (const node of [0, 1]) {
      const health = await request(h.url(node), 'GET', '/health');
      assert.equal(health.status, 200);
      assert.equal(health.json.status, 'degraded', health.text);
      const ready = await request(h.url(node), 'GET', '/ready');
      assert.equal(ready.status, 503);
      assert.deepEqual(ready.json, { storage: 'ok', media: 'ok', bus: 'down', status: 'not_ready' });
    }
    for (let i = 1; i <= 5; i++) await h.say(a, 0, dm.id, `during the outage ${i}`); // 201 without Redis

    redis = await startRedis(redisPort);
    await until(() => cb1.closeInfo, () => 'node 2 closes its sockets once Redis is back');
    await busIs('ok');
    for (const node of [0, 1]) {
      assert.equal((await request(h.url(node), 'GET', '/health')).json.status, 'ok');
      assert.equal((await request(h.url(node), 'GET', '/ready')).status, 200);
    }
    B.attach(await h.ws(b, 1, 'B@2 again'));
    await B.settled(dm.id, 6, 'after Redis came back');
    // and the fan-out between nodes works again
    await h.say(a, 0, dm.id, 'after the outage');
    await B.settled(dm.id, 7, 'live after the outage');
    await sleep(QUIET_MS);
    B.check(dm.id, 7, 'direct chat');
  });
}, async () => {
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  return { redisUrl: `redis://127.0.0.1:${redisPort}` };
});
