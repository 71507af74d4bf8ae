// The real-time transports under a client that does not play by the rules: Socket.IO
// packets with binary attachments before any CONNECT, attachments past Engine.IO's
// maxPayload after one (over WebSocket and long-polling), and one device opening more
// sockets than --max-sockets-per-device allows (/ws and Socket.IO).
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startFlowd, sleep, uniquePhone, within } from './lib/flowd.mjs';
import { openSio } from './lib/sio_client.mjs';
import { connect, handshake } from './lib/ws_client.mjs';

const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];
const MAX_SOCKETS = 3;
const WAIT_MS = 4000; // how long to wait for something that must happen
const MAX_PAYLOAD = 1_000_000; // Engine.IO's maxPayload, as the handshake announces it

/** `promise`, or a rejection naming `what` after `ms`. */
const open = new Set(); // raw WebSockets and clients of the current test, closed after it

/**
 * A raw Engine.IO WebSocket at /socket.io/ that has read the open packet: {ws, frames, closed}.
 * Answers the server's pings so that only what the test sends can close it.
 */
async function rawEngine(baseUrl) {
  const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  open.add({ close: () => ws.terminate() });
  const frames = [];
  const waiters = [];
  ws.on('error', () => {});
  ws.on('message', (data, binary) => {
    const text = binary ? null : data.toString('utf8');
    if (text === '2') ws.send('3');
    frames.push(text);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  await within(new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  }), 'WebSocket open');
  /** The next text frame matching `test`, waiting for it. */
  const next = async (test, what) => {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = frames.find((t) => t !== null && test(t));
      if (found !== undefined) return found;
      if (Date.now() > deadline) assert.fail(`${what}: not received; got ${JSON.stringify(frames).slice(0, 300)}`);
      await within(new Promise((resolve) => waiters.push(resolve)), what).catch(() => {});
    }
  };
  const handshakeFrame = await next((t) => t.startsWith('0{'), 'the Engine.IO open packet');
  assert.equal(JSON.parse(handshakeFrame.slice(1)).maxPayload, MAX_PAYLOAD);
  /** Sends without failing once the server has closed. */
  const send = (data) => new Promise((resolve) => ws.send(data, () => resolve()));
  return { ws, next, send, closed };
}

describe('real time hardening', () => {
  let f;
  before(async () => {
    f = await startFlowd([...ARGS, '--max-sockets-per-device', String(MAX_SOCKETS)]);
  });
  afterEach(async () => {
    for (const c of open) await c.close();
    open.clear();
  });
  after(async () => {
    await f?.shutdown();
  });

  it('Socket.IO: a binary packet before any CONNECT closes the connection at its header, holding no attachments', async () => {
    const e = await rawEngine(f.baseUrl);
    await e.send('451000-["x"]');
    const chunk = Buffer.alloc(990_000, 7);
    for (let i = 0; i < 3; ++i) await e.send(chunk);
    await within(e.closed, 'the server closes the connection');
  });

  it('Socket.IO: a text event before any CONNECT closes the connection too', async () => {
    const e = await rawEngine(f.baseUrl);
    await e.send('42["message:send",{}]');
    await within(e.closed, 'the server closes the connection');
  });

  it('Socket.IO: attachments past maxPayload in all, after a CONNECT, close the connection', async () => {
    const { token } = await f.signIn(uniquePhone());
    const e = await rawEngine(f.baseUrl);
    await e.send(`40${JSON.stringify({ token })}`);
    await e.next((t) => t.startsWith('40{'), 'CONNECT accepted');
    const ph = (num) => ({ _placeholder: true, num });
    await e.send(`453-${JSON.stringify(['typing', ph(0), ph(1), ph(2)])}`);
    const chunk = Buffer.alloc(600_000, 7);
    await e.send(chunk);
    await e.send(chunk); // 1.2 MB waiting for a third attachment
    await within(e.closed, 'the server closes the connection');
  });

  it('Socket.IO over long-polling: a binary packet before any CONNECT ends the session', async () => {
    const base = `${f.baseUrl}/socket.io/?EIO=4&transport=polling`;
    const opened = await fetch(base, { signal: AbortSignal.timeout(WAIT_MS) }).then((r) => r.text());
    const sid = JSON.parse(opened.slice(1)).sid;
    const post = await fetch(`${base}&sid=${sid}`, {
      method: 'POST',
      body: '451000-["x"]',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      signal: AbortSignal.timeout(WAIT_MS),
    });
    await post.text();
    // The session is over: a GET gets the close packet or no session at all, at once.
    const get = await fetch(`${base}&sid=${sid}`, { signal: AbortSignal.timeout(WAIT_MS) });
    const body = await get.text();
    assert.ok((get.status === 200 && body === '1') || get.status === 400, `GET after -> ${get.status} ${body}`);
  });

  it(`a device opens at most ${MAX_SOCKETS} sockets, /ws and Socket.IO together; the next is refused with too_many_sockets`, async () => {
    const phone = uniquePhone();
    const { token } = await f.signIn(phone);
    const other = await f.signIn(phone); // another device of the same user
    const base = f.nodes[0].url; // the cap is per node: every socket to one

    const ws1 = await connect(base, token, { label: 'ws1' });
    open.add({ close: () => ws1.terminate() });
    const sios = [];
    for (let i = 0; i < MAX_SOCKETS - 1; ++i) {
      const c = openSio(base, token, { transports: ['websocket'], label: `sio${i}`, timeout: WAIT_MS });
      open.add(c);
      await within(c.connected, `sio${i} connect`);
      sios.push(c);
    }

    const refused = openSio(base, token, { transports: ['websocket'], label: 'one too many', timeout: WAIT_MS });
    open.add(refused);
    const err = await within(refused.connected.then(() => null, (x) => x), 'connect_error');
    assert.ok(err instanceof Error, 'a Socket.IO socket past the cap is refused');
    assert.equal(err.data?.code, 'too_many_sockets', `connect_error data: ${JSON.stringify(err.data)}`);
    assert.ok(err.message.length > 0);

    const r = await handshake(base, token);
    assert.equal(r.status, 429, `/ws past the cap: ${r.status} ${r.body}`);
    assert.equal(r.json?.error?.code, 'too_many_sockets', r.body);

    // Another device of the same user has a quota of its own.
    const mine = await connect(base, other.token, { label: 'other device' });
    open.add({ close: () => mine.terminate() });

    // A socket that closes gives its place back.
    await sios[0].close();
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const again = openSio(base, token, { transports: ['websocket'], label: 'again', timeout: WAIT_MS });
      open.add(again);
      const ok = await within(again.connected.then(() => true, () => false), 'connect again');
      if (ok) break;
      assert.ok(Date.now() < deadline, 'a place is given back once a socket closed');
      await sleep(50);
    }
  });
});
