// What clients send is checked at the edge, alike on SQLite and PostgreSQL: text that is
// not UTF-8 or holds NUL is a 400 `invalid_text` (an error ack over a socket) wherever it
// comes in, over REST, /ws and Socket.IO.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startFlowd, assertError, assertAckError, asUser } from './lib/flowd.mjs';
import { connect } from './lib/ws_client.mjs';
import { connectSio } from './lib/sio_client.mjs';

// Many sign-ins come from 127.0.0.1: lift the per-address and per-phone caps.
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];

let clientSeq = 0;
const newClientId = () => `in-${process.pid}-${++clientSeq}`;

/** Sends `raw` (a Buffer: the whole request) on a new connection; resolves with the status line's code. */
function rawStatus(f, raw) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(f.port, '127.0.0.1', () => socket.end(raw));
    let got = '';
    socket.on('data', (chunk) => {
      got += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(got.split(' ')[1]), text: got }));
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer: ${got}`)));
  });
}

describe('text from outside: valid UTF-8 without NUL, or 400 invalid_text', () => {
  let f;
  let a;
  let b;
  let group;

  before(async () => {
    f = await startFlowd(ARGS);
    [a, b] = (await f.signUpMany(2, 'Text')).map((u) => asUser(f, u));
    const g = await a.req('POST', '/chats', { type: 'group', name: 'Texts', user_ids: [b.id] });
    assert.equal(g.status, 201, g.text);
    group = g.json;
  });
  after(async () => {
    await f?.shutdown();
  });

  it('in decoded path and query parameters', async () => {
    for (const target of [
      '/chats/ab%00cd',
      '/users/%C3%28',
      '/users/%00',
      '/stories/%ED%A0%80/views', // an encoded surrogate
      `/chats/${group.id}/messages?before=%FF`,
      '/calls/history?before=%FF',
      '/calls/history?before=a%00b',
      '/calls/history?x%00=1',
    ]) {
      const r = await f.request('GET', target, { token: a.token });
      assertError(r, 400, 'invalid_text', `GET ${target}`);
    }
    const del = await f.request('DELETE', `/chats/${group.id}/participants/%C0%80`, { token: a.token });
    assertError(del, 400, 'invalid_text', 'an overlong NUL as a user id');
    // Raw bytes in the target: a media id goes to storage as it was sent.
    const media = await rawStatus(f, Buffer.concat([
      Buffer.from('GET /media/ab'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(` HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${a.token}\r\nConnection: close\r\n\r\n`),
    ]));
    assert.equal(media.status, 400, media.text);
  });

  it('in JSON bodies: strings and keys, at any depth', async () => {
    const send = (body) => a.req('POST', `/chats/${group.id}/send_message`, body);
    assertError(await send({ client_id: newClientId(), type: 'text', text: 'a\u0000b' }), 400, 'invalid_text', 'NUL in a message text');
    assertError(await send({ client_id: `x\u0000${newClientId()}`, type: 'text', text: 'hi' }), 400, 'invalid_text', 'NUL in client_id');
    assertError(await send({ client_id: newClientId(), type: 'text', text: 'hi', 'ke\u0000y': 1 }), 400, 'invalid_text', 'NUL in a key');
    assertError(await send({ client_id: newClientId(), type: 'text', text: 'hi', extra: [{ deep: ['\u0000'] }] }), 400, 'invalid_text', 'NUL deep down');
    assertError(await a.req('PUT', '/auth/modify_user', { name: 'Ann\u0000' }), 400, 'invalid_text', 'NUL in a name');
    assertError(await a.req('PUT', `/chats/${group.id}`, { name: '\u0000' }), 400, 'invalid_text', 'NUL in a group name');
    assertError(await a.req('POST', '/chats', { type: 'group', name: 'G\u0000', user_ids: [b.id] }), 400, 'invalid_text', 'NUL in a new group name');
    assertError(await a.req('POST', '/users/lookup', { phones: ['+4479\u000011'] }), 400, 'invalid_text', 'NUL in a phone');
    assertError(await f.request('POST', '/auth/enter_number', { body: { phone: '+44\u00007911123456' } }), 400, 'invalid_text', 'NUL in enter_number');
    // Bytes that are not UTF-8, and an escaped lone surrogate
    const raw = (bytes) =>
      f.request('POST', `/chats/${group.id}/send_message`, {
        token: a.token,
        rawBody: Buffer.concat([Buffer.from(`{"client_id":"${newClientId()}","type":"text","text":"`), Buffer.from(bytes), Buffer.from('"}')]),
      });
    assertError(await raw([0xc3, 0x28]), 400, 'invalid_text', 'invalid UTF-8 in a body');
    assertError(await raw([0xff]), 400, 'invalid_text', '0xFF in a body');
    assertError(await raw(Buffer.from('\\ud800')), 400, 'invalid_json', 'a lone surrogate escape');
    // Nothing of it was stored; text that is fine still goes through.
    const ok = await send({ client_id: newClientId(), type: 'text', text: 'é ✓ 😀' });
    assert.equal(ok.status, 201, ok.text);
    const page = await a.req('GET', `/chats/${group.id}/messages`);
    assert.deepEqual(page.json.items.map((m) => m.text), ['é ✓ 😀']);
  });

  for (const transport of ['ws', 'socket.io']) {
    it(`in ${transport} events: the event name, strings and keys of its data`, async () => {
      const c = transport === 'ws' ? await connect(f.baseUrl, a.token) : await connectSio(f.baseUrl, a.token, { transports: ['websocket'] });
      try {
        const message = (extra) => ({ chat_id: group.id, client_id: newClientId(), type: 'text', text: 'hi', ...extra });
        assertAckError(await c.emit('message:send', message({ text: 'a\u0000b' })), 'invalid_text', 'NUL in a text');
        assertAckError(await c.emit('message:send', message({ chat_id: `${group.id}\u0000` })), 'invalid_text', 'NUL in chat_id');
        assertAckError(await c.emit('message:send', message({ '\u0000': true })), 'invalid_text', 'NUL in a key');
        assertAckError(await c.emit('typing', { chat_id: '\u0000', typing: true }), 'invalid_text', 'NUL in typing');
        assertAckError(await c.emit('message:read', { chat_id: group.id, seq: 1, x: { y: ['\u0000'] } }), 'invalid_text', 'NUL deep down');
        assertAckError(await c.emit('call:signal', { call_id: 'c\u0000', kind: 'offer', payload: { sdp: 'x' } }), 'invalid_text', 'NUL in call_id');
        assertAckError(await c.emit('typ\u0000ing', { chat_id: group.id, typing: true }), 'invalid_text', 'NUL in the event name');
        const ok = await c.emit('message:send', message({ text: `over ${transport}` }));
        assert.equal(ok.text, `over ${transport}`, JSON.stringify(ok));
      } finally {
        await c.close();
      }
    });
  }
});
