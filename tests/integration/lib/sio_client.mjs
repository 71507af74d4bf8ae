// A small client for flowd's Socket.IO transport (the stock socket.io-client), for the
// integration suite, with the waiting API of lib/ws_client.mjs so tests can use either.
//
//   const c = await connectSio(f.baseUrl, token, { transports: ['websocket'], label: 'B' });
//   const m = await c.next('message:new', { filter: (d) => d.chat_id === chatId });
//   await c.none('typing', 300);                          // nothing of that name within 300 ms
//   const ack = await c.emit('message:send', { chat_id, client_id, type: 'text', text: 'hi' });
//   c.close();                                            // socket.disconnect()
//
//   const s = openSio(f.baseUrl, token, {});              // not awaited: polling first, then the upgrade
//   await s.connected; await s.upgraded;                  // 'websocket'; s.transports: ['polling', 'websocket']
//
// Server events that no `next` has taken yet stay buffered, in arrival order
// (lib/inbox.mjs). No reconnection: a disconnect is final.
import { io } from 'socket.io-client';
import { Inbox, DEFAULT_TIMEOUT_MS } from './inbox.mjs';

/**
 * Opens a socket.io-client socket for `token` (no `auth` when undefined), without waiting.
 * Options: label (prefixes error messages), timeout (of the connect); the others go to
 * io() as they are (transports, upgrade, ...).
 * The client has `connected` (resolves with it on 'connect', rejects with the
 * connect_error), `upgraded` (the name of the transport the engine upgraded to),
 * `disconnected` (the disconnect reason) and `transports` (the names of the transports
 * the engine used, in order).
 */
export function openSio(baseUrl, token, { label = '', timeout = DEFAULT_TIMEOUT_MS, ...options } = {}) {
  const socket = io(baseUrl, {
    forceNew: true,
    reconnection: false,
    timeout,
    ...(token === undefined ? {} : { auth: { token } }),
    ...options,
  });
  const inbox = new Inbox(label);
  socket.onAny((event, data) => inbox.push({ event, data }));
  const engine = socket.io.engine;
  let reason; // of the disconnect, once there was one

  // next, take, none, drain, buffer and label: see lib/inbox.mjs.
  const c = inbox.attach({
    socket,
    transports: [],

    /** emitWithAck with a timeout; resolves with the ack's data (a result or {error}). */
    emit(event, data, { timeout: ms = DEFAULT_TIMEOUT_MS } = {}) {
      return socket.timeout(ms).emitWithAck(event, data);
    },

    /** Disconnects; resolves with the disconnect reason (undefined if it never connected). */
    close() {
      const wasConnected = socket.connected;
      socket.disconnect();
      return wasConnected ? c.disconnected : Promise.resolve(reason);
    },

    /** The same as close(), named as in lib/ws_client.mjs. */
    terminate() {
      return c.close();
    },
  });

  engine.once('open', () => c.transports.push(engine.transport.name));
  c.upgraded = new Promise((resolve) => {
    engine.once('upgrade', (t) => {
      c.transports.push(t.name);
      resolve(t.name);
    });
  });
  c.connected = new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(c));
    socket.once('connect_error', (err) => reject(err));
  });
  c.connected.catch(() => {}); // a test may look at a refused connect later, or never
  c.disconnected = new Promise((resolve) => {
    socket.once('disconnect', (why) => {
      reason = why;
      inbox.end(`disconnected (${why})`);
      resolve(why);
    });
  });
  return c;
}

/**
 * openSio, resolved once connected; rejects with the connect_error, or when nothing
 * happens within `timeout` ms (disconnecting the socket either way).
 */
export async function connectSio(baseUrl, token, opts = {}) {
  const c = openSio(baseUrl, token, opts);
  const ms = opts.timeout ?? DEFAULT_TIMEOUT_MS;
  let timer;
  try {
    await Promise.race([
      c.connected,
      new Promise((_, reject) => {
        const what = `Socket.IO connect: nothing within ${ms} ms`;
        timer = setTimeout(() => reject(new Error(c.label ? `${c.label}: ${what}` : what)), ms);
      }),
    ]);
  } catch (e) {
    c.socket.disconnect();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return c;
}
