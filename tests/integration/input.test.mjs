// What clients send is checked at the edge, alike on SQLite and PostgreSQL: text that is
// not UTF-8 or holds NUL is a 400 `invalid_text` (an error ack over a socket) wherever it
// comes in, over REST, /ws and Socket.IO; and a long list of ids or phones costs nothing
// before the caller's right to send it and its size are checked.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startFlowd, assertError, assertAckError, asUser, uniquePhone } from './lib/flowd.mjs';
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
    // (A body that is not UTF-8 is not JSON: invalid_json, as http.test.mjs has it.)
    assertError(await raw([0xc3, 0x28]), 400, 'invalid_json', 'invalid UTF-8 in a body');
    assertError(await raw([0xff]), 400, 'invalid_json', '0xFF in a body');
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

describe('long lists: permission, then size, then lookups', () => {
  let f;
  let admin;
  let member;
  let stranger;
  let newcomer;
  let group;

  before(async () => {
    f = await startFlowd(ARGS);
    [admin, member, stranger, newcomer] = (await f.signUpMany(4, 'List')).map((u) => asUser(f, u));
    const g = await admin.req('POST', '/chats', { type: 'group', name: 'Lists', user_ids: [member.id] });
    assert.equal(g.status, 201, g.text);
    group = g.json;
  });
  after(async () => {
    await f?.shutdown();
  });

  // Within the 1 MiB body limit.
  const copies = (id) => Array.from({ length: Math.floor(900_000 / (id.length + 3)) }, () => id);
  const made_up = (n) => Array.from({ length: n }, (_, i) => `nobody-${i}`);
  const add = (who, ids) => who.req('POST', `/chats/${group.id}/participants`, { user_ids: ids });

  it('a stranger, or a member who is not an admin, is refused before any id is looked up', async () => {
    assertError(await add(stranger, made_up(5000)), 404, 'not_found', 'a stranger adds unknown users');
    const t0 = Date.now();
    assertError(await add(stranger, copies(stranger.id)), 404, 'not_found', 'a stranger adds themself many times');
    const ms = Date.now() - t0;
    assert.ok(ms < 2000, `refusing a stranger took ${ms} ms`);
    assertError(await add(member, made_up(5000)), 403, 'not_admin', 'a member adds unknown users');
  });

  it('more than a group holds is 400 before any id is looked up; copies count once', async () => {
    assertError(await add(admin, made_up(1023)), 400, 'too_many_participants', '2 + 1023 members');
    assertError(await add(admin, made_up(5000)), 400, 'too_many_participants', '5000 made-up ids');
    const many = copies(newcomer.id);
    assert.ok(many.length > 25_000, `${many.length} copies`);
    const r = await add(admin, many);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.participants.filter((p) => p.user_id === newcomer.id).length, 1, r.text);
    assert.equal(r.json.participants.length, 3, r.text);
    // The members already in count once, whatever the list says.
    assertError(await add(admin, [...made_up(1022), member.id]), 400, 'too_many_participants', '3 + 1022 new');
    assertError(await add(admin, [...made_up(1021), 'nobody-0', member.id]), 400, 'unknown_user', '3 + 1021 new: fits');
  });

  it('POST /chats counts distinct ids against the size of a group', async () => {
    const r = await admin.req('POST', '/chats', { type: 'group', name: 'Copies', user_ids: copies(member.id) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.participants.length, 2, r.text);
    const tooMany = await admin.req('POST', '/chats', { type: 'group', name: 'Crowd', user_ids: made_up(5000) });
    assertError(tooMany, 400, 'too_many_participants', '5000 made-up ids');
  });

  it('POST /users/lookup takes at most 1000 distinct numbers; repeats count once', async () => {
    const phone = member.user.phone;
    const r = await admin.req('POST', '/users/lookup', { phones: copies(phone) });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((u) => u.id), [member.id]);
    const phones = Array.from({ length: 1000 }, () => uniquePhone());
    assert.equal((await admin.req('POST', '/users/lookup', { phones })).status, 200);
    const over = await admin.req('POST', '/users/lookup', { phones: [...phones, phone] });
    assertError(over, 400, 'too_many_phones', '1001 numbers');
  });
});
