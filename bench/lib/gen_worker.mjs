// One process of the load generator (forked by bench/run.mjs, commands over IPC).
//
// It speaks Engine.IO v4 / Socket.IO v5 over a bare WebSocket (the `ws` package), which
// costs a fraction of socket.io-client: open `0{...}`, CONNECT `40{"token":...}` ->
// `40{"sid":...}` (or `44{...}`), events `42["name",{...}]`, acks `42<id>[...]` ->
// `43<id>[...]`, and the server's ping `2` answered with `3`.
//
// Commands (each answered with {id, ...} once done):
//   connect {url, clients: [{key, token}], localAddresses, concurrency}
//   pairs   {pairs: [{sender, recipient, chat_id}], mode: "window"|"rate", window, rate,
//            t0, t1 (CLOCK_MONOTONIC ns, as strings), drainMs, textBytes}
//   send    {key, chat_id, tag, textBytes} -> {stamp, ack_ms, seq, error}: one message, acked
//   fill    {sends: [{key, chat_id, count}], window, textBytes} -> {acked, ack_errors}:
//            every message sent, at most `window` in flight, one chat after another in turn
//   watch   {clients: [{key, chat_id}]}: message:new to these clients (connected now or
//            later) counted, by tag (the text up to its first ':') and in all, each
//            client's seqs checked to run 1, 2, 3, ... in its chat
//   heard   {tag?, expect, timeoutMs} -> {count, last_ns, duplicates, order_errors,
//            unexpected}: once `expect` of the tag (or in all) have arrived, or at the
//            timeout; one waiting at a time
//   cpu     -> {cpu: process.cpuUsage(), now}
//   close   closes every socket
// Times: process.hrtime.bigint() is CLOCK_MONOTONIC, the same clock in every process of
// the machine, so the orchestrator can hand out the measured interval [t0, t1].
import { WebSocket } from 'ws';
import { Histogram } from './histogram.mjs';

const now = () => process.hrtime.bigint();
const nowNs = () => Number(process.hrtime.bigint()); // exact below 2^53 ns (104 days of uptime)

const clients = new Map(); // key -> Client
const stats = { disconnects: 0, connectErrors: 0, pings: 0, events: {} };
const watchers = new Map(); // key -> onEvent for a client not connected yet (watch)

class Client {
  constructor(key, token) {
    this.key = key;
    this.token = token;
    this.ws = null;
    this.nextAck = 1;
    this.acks = new Map(); // ack id -> function(data)
    this.onEvent = null; // (name, data) => void
    this.connected = false;
    this.closing = false;
  }

  connect(url, localAddress, timeoutMs = 30000) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
        perMessageDeflate: false,
        localAddress,
        handshakeTimeout: timeoutMs,
      });
      this.ws = ws;
      let settled = false;
      const timer = setTimeout(() => fail(new Error('connect timeout')), timeoutMs);
      const fail = (err) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try {
          ws.terminate();
        } catch {
          /* gone */
        }
        reject(err);
      };
      ws.on('error', (err) => fail(err));
      ws.on('close', () => {
        if (!settled) return fail(new Error('closed while connecting'));
        if (this.connected && !this.closing) stats.disconnects++;
        this.connected = false;
      });
      ws.on('message', (buf) => {
        const s = buf.toString();
        const t = s.charCodeAt(0);
        if (t === 0x32 /* 2: ping */) {
          stats.pings++;
          return ws.send('3');
        }
        if (t === 0x34 /* 4: message */) {
          const p = s.charCodeAt(1);
          if (p === 0x32 /* 2: EVENT */) return this.event(s);
          if (p === 0x33 /* 3: ACK */) return this.ack(s);
          if (p === 0x30 /* 0: CONNECT */) {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            this.connected = true;
            return resolve(this);
          }
          if (p === 0x34 /* 4: CONNECT_ERROR */) return fail(new Error(`refused: ${s.slice(2, 200)}`));
          return;
        }
        if (t === 0x30 /* 0: open */) return ws.send(`40${JSON.stringify({ token: this.token })}`);
        // 1 (close), 6 (noop): nothing to do
      });
    });
  }

  event(s) {
    // 42["name",data] or 42<id>["name",data] (an event asking for our ack: not used by
    // these servers towards clients, answered empty if it comes).
    let i = 2;
    while (s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
    const arr = JSON.parse(s.slice(i));
    if (i > 2) this.ws.send(`43${s.slice(2, i)}[]`);
    const name = arr[0];
    if (this.onEvent) this.onEvent(name, arr[1]);
    else stats.events[name] = (stats.events[name] || 0) + 1;
  }

  ack(s) {
    let i = 2;
    while (s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
    const id = Number(s.slice(2, i));
    const fn = this.acks.get(id);
    if (!fn) return;
    this.acks.delete(id);
    fn(JSON.parse(s.slice(i))[0]);
  }

  emit(name, data, onAck) {
    const id = this.nextAck++;
    this.acks.set(id, onAck);
    this.ws.send(`42${id}${JSON.stringify([name, data])}`);
  }

  close() {
    this.closing = true;
    try {
      this.ws?.close();
    } catch {
      /* gone */
    }
  }
}

async function cmdConnect({ url, clients: list, localAddresses = ['127.0.0.1'], concurrency = 100 }) {
  const t0 = Date.now();
  let next = 0;
  let ok = 0;
  const errors = {};
  const addrBase = clients.size;
  async function lane() {
    while (next < list.length) {
      const i = next++;
      const { key, token } = list[i];
      const c = new Client(key, token);
      // Set before connecting: a catch-up may come right behind the CONNECT answer.
      c.onEvent = watchers.get(key) ?? null;
      try {
        await c.connect(url, localAddresses[(addrBase + i) % localAddresses.length]);
        clients.set(key, c);
        ok++;
      } catch (e) {
        stats.connectErrors++;
        const k = String(e.code || e.message).slice(0, 120);
        errors[k] = (errors[k] || 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, lane));
  return { connected: ok, failed: list.length - ok, errors, ms: Date.now() - t0, open: clients.size };
}

function pad(s, n) {
  return s.length >= n ? s : s + 'x'.repeat(n - s.length);
}

async function cmdPairs({ pairs: spec, mode, window = 16, rate = 0, t0, t1, drainMs = 10000, textBytes = 64, maxOutstanding = 20000 }) {
  const T0 = Number(BigInt(t0));
  const T1 = Number(BigInt(t1));
  const hist = new Histogram();
  const lag = new Histogram(); // rate mode: how late the generator sent, against its schedule
  const byChat = new Map();
  const pairs = spec.map((p, idx) => {
    const pair = {
      idx,
      chatId: p.chat_id,
      sender: clients.get(p.sender),
      recipient: clients.get(p.recipient),
      n: 0, // messages sent
      inflight: 0,
      state: new Uint8Array(1024), // per message number: 1 acked, 2 delivered, 4 duplicate
      ackSeq: new Int32Array(1024),
      recvSeq: new Int32Array(1024),
      lastSeq: 0,
      ackErrors: 0,
      orderErrors: 0,
      duplicates: 0,
      unknown: 0,
      seqMismatch: 0,
    };
    if (!pair.sender || !pair.recipient) throw new Error(`pair ${idx}: client not connected`);
    byChat.set(pair.chatId, pair);
    return pair;
  });
  const grow = (pair, n) => {
    if (n < pair.state.length) return;
    let len = pair.state.length;
    while (len <= n) len *= 2;
    for (const k of ['state', 'ackSeq', 'recvSeq']) {
      const a = new pair[k].constructor(len);
      a.set(pair[k]);
      pair[k] = a;
    }
  };

  let sending = true;
  let sent = 0;
  let skipped = 0; // rate mode: due, not sent, because maxOutstanding were waiting already
  let acked = 0;
  let delivered = 0;
  let inWindow = 0;
  let outstanding = 0; // sent, and not yet both acked and delivered
  let drained = null; // resolve() once outstanding reaches 0 after sending stopped

  const finish = (pair) => {
    pair.inflight--;
    outstanding--;
    if (!sending) {
      if (outstanding === 0 && drained) drained();
      return;
    }
    if (mode === 'window') send(pair);
  };

  const send = (pair) => {
    const n = pair.n++;
    grow(pair, n);
    pair.inflight++;
    outstanding++;
    sent++;
    const stamp = nowNs();
    const text = pad(`${n}:${stamp}:`, textBytes);
    pair.sender.emit('message:send', { chat_id: pair.chatId, client_id: `b${pair.idx}-${n}`, type: 'text', text }, (m) => {
      if (!m || m.error || typeof m.seq !== 'number') {
        pair.ackErrors++;
        if (pair.ackErrors <= 3) process.send?.({ log: `ack error: ${JSON.stringify(m).slice(0, 300)}` });
        // Never acked as a message: it will not be delivered either.
        pair.state[n] |= 3;
        return finish(pair);
      }
      acked++;
      pair.ackSeq[n] = m.seq;
      pair.state[n] |= 1;
      if (pair.state[n] & 2) finish(pair);
    });
  };

  const onEvent = (recipientPairs) => (name, m) => {
    if (name !== 'message:new') {
      stats.events[name] = (stats.events[name] || 0) + 1;
      return;
    }
    const t = nowNs();
    const pair = byChat.get(m.chat_id);
    if (!pair || !recipientPairs.has(pair)) {
      stats.events['message:new (unexpected)'] = (stats.events['message:new (unexpected)'] || 0) + 1;
      return;
    }
    const text = m.text;
    const c1 = text.indexOf(':');
    const c2 = text.indexOf(':', c1 + 1);
    const n = Number(text.slice(0, c1));
    const stamp = Number(text.slice(c1 + 1, c2));
    if (!(n >= 0 && n < pair.n)) {
      pair.unknown++;
      return;
    }
    if (pair.state[n] & 2) {
      pair.duplicates++;
      pair.state[n] |= 4;
      return;
    }
    if (m.seq !== pair.lastSeq + 1) pair.orderErrors++;
    if (m.seq > pair.lastSeq) pair.lastSeq = m.seq;
    pair.recvSeq[n] = m.seq;
    pair.state[n] |= 2;
    delivered++;
    if (t >= T0 && t <= T1) {
      inWindow++;
      hist.record((t - stamp) / 1000);
    }
    if (pair.state[n] & 1) finish(pair);
  };
  // A client may be the recipient of several pairs (not in these scenarios, but cheap).
  const recipientsOf = new Map();
  for (const pair of pairs) {
    if (!recipientsOf.has(pair.recipient)) recipientsOf.set(pair.recipient, new Set());
    recipientsOf.get(pair.recipient).add(pair);
  }
  for (const [client, set] of recipientsOf) client.onEvent = onEvent(set);

  // CPU of this process over [t0, t1].
  let cpu0 = null;
  let cpu1 = null;
  const wall = { t0: null, t1: null };
  const at = (t, fn) => setTimeout(fn, Math.max(0, (t - nowNs()) / 1e6));
  at(T0, () => {
    cpu0 = process.cpuUsage();
    wall.t0 = nowNs();
  });
  const ended = new Promise((resolve) =>
    at(T1, () => {
      cpu1 = process.cpuUsage(cpu0 ?? undefined);
      wall.t1 = nowNs();
      sending = false;
      resolve();
    }),
  );

  let timer = null;
  if (mode === 'window') {
    for (const pair of pairs) for (let k = 0; k < window; k++) send(pair);
  } else {
    // Open loop: `rate` messages/s from this process, round robin over its pairs, paced on
    // a 1 ms timer from a fixed schedule (a late tick sends what fell due meanwhile).
    const start = nowNs();
    let issued = 0;
    let rr = 0;
    timer = setInterval(() => {
      if (!sending) return;
      const t = nowNs();
      const due = Math.floor(((t - start) / 1e9) * rate);
      while (issued < due) {
        const scheduled = start + (issued * 1e9) / rate;
        issued++;
        // A server far behind: bound what waits on it (and this process's memory).
        if (outstanding >= maxOutstanding) {
          skipped++;
          continue;
        }
        lag.record((t - scheduled) / 1000);
        send(pairs[rr]);
        rr = (rr + 1) % pairs.length;
      }
    }, 1);
  }

  await ended;
  if (timer) clearInterval(timer);
  let drainedAll = outstanding === 0;
  if (!drainedAll) {
    drainedAll = await new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), drainMs);
      drained = () => {
        clearTimeout(t);
        resolve(true);
      };
    });
  }

  // The checks: every message acked exactly once and delivered exactly once, in seq order,
  // with the seq of its ack.
  let lost = 0;
  let unacked = 0;
  let ackErrors = 0;
  let orderErrors = 0;
  let duplicates = 0;
  let seqMismatch = 0;
  let unknown = 0;
  for (const pair of pairs) {
    ackErrors += pair.ackErrors;
    orderErrors += pair.orderErrors;
    duplicates += pair.duplicates;
    unknown += pair.unknown;
    for (let n = 0; n < pair.n; n++) {
      const s = pair.state[n];
      if (!(s & 1)) unacked++;
      else if (!(s & 2)) lost++; // acked (durably stored, per the contract) and never delivered
      else if (pair.recvSeq[n] !== pair.ackSeq[n] && pair.ackSeq[n] !== 0) seqMismatch++;
    }
    pair.recipient.onEvent = null;
  }
  const wallUs = wall.t1 !== null && wall.t0 !== null ? (wall.t1 - wall.t0) / 1000 : null;
  return {
    sent,
    skipped,
    acked,
    delivered,
    delivered_in_window: inWindow,
    window_s: wallUs !== null ? wallUs / 1e6 : null,
    drained: drainedAll,
    outstanding_after_drain: outstanding,
    checks: { lost, unacked, ack_errors: ackErrors, order_errors: orderErrors, duplicates, seq_mismatch: seqMismatch, unknown },
    latency: hist.toJSON(),
    send_lag: mode === 'rate' ? lag.toJSON() : null,
    cpu: cpu1 ? { user_us: cpu1.user, system_us: cpu1.system, wall_us: wallUs } : null,
    disconnects: stats.disconnects,
    events: { ...stats.events },
  };
}

const textOf = (tag, stamp, textBytes) => pad(`${tag}:${stamp}:`, textBytes);

function cmdSend({ key, chat_id, tag, textBytes = 64 }) {
  const c = clients.get(key);
  if (!c) throw new Error(`${key} is not connected`);
  return new Promise((resolve) => {
    const stamp = nowNs();
    c.emit('message:send', { chat_id, client_id: tag, type: 'text', text: textOf(tag, stamp, textBytes) }, (m) => {
      const ackMs = (nowNs() - stamp) / 1e6;
      const error = !m || m.error || typeof m.seq !== 'number' ? JSON.stringify(m).slice(0, 300) : null;
      resolve({ stamp: String(stamp), ack_ms: ackMs, seq: m?.seq ?? null, error });
    });
  });
}

async function cmdFill({ sends, window = 64, textBytes = 64 }) {
  // One message of each chat in turn, so a chat's messages are rarely in flight together.
  const queue = [];
  const most = Math.max(0, ...sends.map((x) => x.count));
  for (let n = 0; n < most; n++) for (const x of sends) if (n < x.count) queue.push([x, n]);
  let next = 0;
  let acked = 0;
  const errors = [];
  async function lane() {
    while (next < queue.length) {
      const [x, n] = queue[next++];
      const r = await cmdSend({ key: x.key, chat_id: x.chat_id, tag: `f${n}`, textBytes });
      if (r.error) errors.push(r.error);
      else acked++;
    }
  }
  await Promise.all(Array.from({ length: Math.min(window, queue.length) }, lane));
  return { acked, ack_errors: errors.length, errors: errors.slice(0, 3) };
}

// What the watched clients heard: in all and by tag, each with the time of the last one.
const heard = { all: { count: 0, lastNs: 0 }, byTag: new Map(), duplicates: 0, orderErrors: 0, unexpected: 0, waiter: null };

function cmdWatch({ clients: list }) {
  for (const { key, chat_id } of list) {
    let lastSeq = 0;
    const onEvent = (name, m) => {
      if (name !== 'message:new' || m.chat_id !== chat_id) {
        stats.events[name] = (stats.events[name] || 0) + 1;
        if (name === 'message:new') heard.unexpected++;
        return;
      }
      if (m.seq <= lastSeq) {
        heard.duplicates++;
        return;
      }
      if (m.seq !== lastSeq + 1) heard.orderErrors++;
      lastSeq = m.seq;
      const t = nowNs();
      const tag = m.text.slice(0, m.text.indexOf(':'));
      if (!heard.byTag.has(tag)) heard.byTag.set(tag, { count: 0, lastNs: 0 });
      for (const h of [heard.all, heard.byTag.get(tag)]) {
        h.count++;
        h.lastNs = t;
      }
      if (heard.waiter) heard.waiter();
    };
    const c = clients.get(key);
    if (c) c.onEvent = onEvent;
    else watchers.set(key, onEvent);
  }
  return { watching: list.length };
}

async function cmdHeard({ tag, expect, timeoutMs = 10000 }) {
  const of = () => (tag === undefined ? heard.all : heard.byTag.get(tag) ?? { count: 0, lastNs: 0 });
  if (of().count < expect) {
    await new Promise((resolve) => {
      const t = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(t);
        heard.waiter = null;
        resolve();
      }
      heard.waiter = () => of().count >= expect && done();
    });
  }
  return { count: of().count, last_ns: String(of().lastNs), duplicates: heard.duplicates, order_errors: heard.orderErrors, unexpected: heard.unexpected };
}

async function cmdClose() {
  for (const c of clients.values()) c.close();
  const n = clients.size;
  clients.clear();
  watchers.clear();
  return { closed: n };
}

const handlers = {
  connect: cmdConnect,
  pairs: cmdPairs,
  send: cmdSend,
  fill: cmdFill,
  watch: cmdWatch,
  heard: cmdHeard,
  cpu: async () => ({ cpu: process.cpuUsage(), now: String(now()), open: clients.size, disconnects: stats.disconnects, pings: stats.pings }),
  close: cmdClose,
};

process.on('message', async (msg) => {
  const h = handlers[msg.cmd];
  if (!h) return process.send({ id: msg.id, error: `unknown command ${msg.cmd}` });
  try {
    const result = await h(msg);
    process.send({ id: msg.id, ...result });
  } catch (e) {
    process.send({ id: msg.id, error: String(e?.stack || e) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true, pid: process.pid });
