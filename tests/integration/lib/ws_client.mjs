// A small client for flowd's plain WebSocket transport at /ws, for the integration suite.
//
//   const c = await connect(f.baseUrl, token);            // ?token=...; {auth: 'header'} for Authorization
//   const m = await c.next('message:new', { filter: (d) => d.chat_id === chatId });
//   await c.none('typing', 300);                          // nothing of that name within 300 ms
//   const ack = await c.emit('message:send', { chat_id, client_id, type: 'text', text: 'hi' });
//   c.send('not json'); c.send(Buffer.from([1, 2]));     // raw text / binary frames
//   await c.close(); const { code } = await c.closed;
//
// Every frame received is kept, parsed, in `events` (acks too). Server events that no
// `next` has taken yet stay buffered, in arrival order, so a test can wait for one event
// without losing the others (lib/inbox.mjs; lib/sio_client.mjs is the Socket.IO twin).
import WebSocket from 'ws';
import { Inbox, DEFAULT_TIMEOUT_MS } from './inbox.mjs';

/** The ws:// URL of /ws on an http:// base URL, with the token in the query if given. */
export function wsUrl(baseUrl, token) {
  const url = new URL('/ws', baseUrl.replace(/^http/, 'ws'));
  if (token !== undefined) url.searchParams.set('token', token);
  return url.toString();
}

function open(baseUrl, token, { auth = 'query', headers = {}, timeout = DEFAULT_TIMEOUT_MS } = {}) {
  const h = { ...headers };
  if (auth === 'header' && token !== undefined) h.authorization = `Bearer ${token}`;
  const ws = new WebSocket(wsUrl(baseUrl, auth === 'query' ? token : undefined), {
    headers: h,
    handshakeTimeout: timeout,
    perMessageDeflate: false,
    maxPayload: 64 * 1024 * 1024,
  });
  ws.on('error', () => {
    /* reported by opened() during the handshake, by `closed` after it */
  });
  return ws;
}

// Resolves with {ws} once open, or with {status, headers, body, json} when the server
// answers the handshake with a plain HTTP response instead of the upgrade.
function opened(ws) {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (req, res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        req.destroy();
        resolve({ status: res.statusCode, headers: res.headers, body, json });
      });
      res.on('error', reject);
    });
    ws.once('error', (err) => reject(err));
  });
}

/**
 * Tries a WebSocket handshake: resolves with {ws} (closed again at once) when the server
 * upgrades, or {status, headers, body, json} when it answers with a plain HTTP response.
 */
export async function handshake(baseUrl, token, opts = {}) {
  const r = await opened(open(baseUrl, token, opts));
  if (r.ws) r.ws.terminate();
  return r;
}

/**
 * Connects as the device holding `token`; rejects if the server refuses the upgrade.
 * Options: auth ('query' or 'header'), headers, timeout (of the handshake), label (prefixes
 * the client's error messages).
 */
export async function connect(baseUrl, token, opts = {}) {
  const ws = open(baseUrl, token, opts);
  // Listen before the upgrade completes: frames may come in the same read as the 101.
  const client = wrap(ws, { label: opts.label });
  const r = await opened(ws);
  if (!r.ws) {
    const err = new Error(`ws connect refused: HTTP ${r.status} ${r.body}`);
    err.status = r.status;
    err.body = r.body;
    throw err;
  }
  return client;
}

/** The client API around a `ws` WebSocket (listening from the start); `label` prefixes errors. */
export function wrap(ws, { label = '' } = {}) {
  const events = []; // every frame received, parsed ({raw} when it was not JSON)
  const inbox = new Inbox(label); // server events (frames with "event") not taken by next()
  const acks = new Map(); // ack number -> {resolve, reject, timer}
  let ackCounter = 0;
  let closeInfo = null;

  let resolveClosed;
  const closed = new Promise((resolve) => {
    resolveClosed = resolve;
  });

  ws.on('message', (data, isBinary) => {
    let frame;
    if (isBinary) frame = { binary: Buffer.from(data) };
    else {
      const text = data.toString('utf8');
      try {
        frame = JSON.parse(text);
      } catch {
        frame = { raw: text };
      }
    }
    events.push(frame);
    if (frame && typeof frame === 'object' && !Array.isArray(frame) && 'ack' in frame && !('event' in frame)) {
      const pending = acks.get(frame.ack);
      if (pending) {
        acks.delete(frame.ack);
        clearTimeout(pending.timer);
        pending.resolve(frame.data);
      }
      return;
    }
    if (frame && typeof frame.event === 'string') inbox.push(frame);
  });

  ws.on('close', (code, reason) => {
    closeInfo = { code, reason: reason.toString('utf8') };
    inbox.end(`connection closed (${code})`);
    for (const [n, p] of acks) {
      clearTimeout(p.timer);
      p.reject(new Error(inbox.tag(`connection closed (${code}) before ack ${n}`)));
    }
    acks.clear();
    resolveClosed(closeInfo);
  });

  // next, take, none, drain, buffer and label: see lib/inbox.mjs.
  const c = inbox.attach({
    ws,
    events,
    closed,
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    get closeInfo() {
      return closeInfo;
    },

    /** Sends {event, data, ack}; resolves with the ack's data (a result or {error}). */
    emit(event, data, { timeout = DEFAULT_TIMEOUT_MS } = {}) {
      const ack = ++ackCounter;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          acks.delete(ack);
          reject(new Error(inbox.tag(`no ack ${ack} for ${event} within ${timeout} ms`)));
        }, timeout);
        acks.set(ack, { resolve, reject, timer });
        c.send(JSON.stringify({ event, data, ack }), (err) => {
          if (err) {
            clearTimeout(timer);
            acks.delete(ack);
            reject(err);
          }
        });
      });
    },

    /** Sends a raw frame: a string as text, a Buffer as binary. */
    send(raw, cb) {
      ws.send(raw, { binary: Buffer.isBuffer(raw) }, cb);
    },

    /** Closes (normal closure) and waits until the connection is gone. */
    async close(code = 1000) {
      if (!closeInfo) {
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code);
        const timer = setTimeout(() => ws.terminate(), 2000);
        await closed;
        clearTimeout(timer);
      }
      return closeInfo;
    },

    /** Drops the TCP connection without a closing handshake. */
    async terminate() {
      if (!closeInfo) ws.terminate();
      return closed;
    },
  });
  return c;
}
