// Web apps served from another origin (--cors-origins): what a browser asks before a
// cross-origin request (the preflight) and the headers that let its script read the
// answers of REST, media and Engine.IO polling; nothing of it for an origin not listed,
// or when the flag is not given.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowd, uniquePhone } from './lib/flowd.mjs';

const APP = 'https://app.example.com';
const GIF = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([2, 0, 3, 0, 0, 0, 0, 0x3b])]);
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];

const call = (f, method, path, headers = {}, body) => fetch(`${f.baseUrl}${path}`, { method, headers, body });

describe('CORS', () => {
  let f, open, closed;
  before(async () => {
    [f, open, closed] = await Promise.all([
      startFlowd([...ARGS, '--cors-origins', `${APP},https://other.example.org`]),
      startFlowd([...ARGS, '--cors-origins', '*']),
      startFlowd(ARGS),
    ]);
  });
  after(async () => {
    await Promise.all([f?.shutdown(), open?.shutdown(), closed?.shutdown()]);
  });

  it('answers a preflight from a listed origin, allowing what it asks for', async () => {
    const r = await call(f, 'OPTIONS', '/chats/abc/send_message', {
      origin: APP,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), APP);
    assert.match(r.headers.get('access-control-allow-methods'), /\bPOST\b/);
    assert.equal(r.headers.get('access-control-allow-headers'), 'authorization, content-type');
    assert.ok(Number(r.headers.get('access-control-max-age')) > 0);
    assert.match(r.headers.get('vary') ?? '', /Origin/);

    for (const [server, origin, what] of [[f, 'https://evil.example.net', 'an origin not listed'], [closed, APP, 'no --cors-origins']]) {
      const refused = await call(server, 'OPTIONS', '/chats', { origin, 'access-control-request-method': 'POST' });
      assert.notEqual(refused.status, 204, what);
      assert.equal(refused.headers.get('access-control-allow-origin'), null, what);
    }
  });

  it('lets a listed origin read REST answers, errors included, and media', async () => {
    const { token } = await f.signUp(uniquePhone());
    const me = await call(f, 'GET', '/users/me', { origin: APP, authorization: `Bearer ${token}` });
    assert.equal(me.status, 200);
    assert.equal(me.headers.get('access-control-allow-origin'), APP);
    assert.match(me.headers.get('access-control-expose-headers'), /Retry-After/);
    const refused = await call(f, 'GET', '/users/me', { origin: APP });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), APP, 'a script can read why it was refused');

    const up = await call(f, 'POST', '/media', { origin: APP, authorization: `Bearer ${token}`, 'content-type': 'image/gif' }, GIF);
    assert.equal(up.status, 201);
    assert.equal(up.headers.get('access-control-allow-origin'), APP);
    const media = await up.json();
    const down = await call(f, 'GET', `/media/${media.id}`, { origin: APP, authorization: `Bearer ${token}`, range: 'bytes=0-3' });
    assert.equal(down.status, 206);
    assert.equal(down.headers.get('access-control-allow-origin'), APP);
    assert.match(down.headers.get('access-control-expose-headers'), /Content-Range/);

    for (const [server, origin, what] of [[f, 'https://evil.example.net', 'an origin not listed'], [f, undefined, 'no Origin'], [closed, APP, 'no --cors-origins']]) {
      const r = await call(server, 'GET', '/health', origin ? { origin } : {});
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), null, what);
    }
    const any = await call(open, 'GET', '/health', { origin: 'https://anywhere.example' });
    assert.equal(any.headers.get('access-control-allow-origin'), '*', '--cors-origins *');
  });

  it('lets a listed origin poll Engine.IO', async () => {
    const r = await call(f, 'GET', '/socket.io/?EIO=4&transport=polling', { origin: APP });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), APP);
    assert.match(await r.text(), /^0\{"sid"/);
    const other = await call(f, 'GET', '/socket.io/?EIO=4&transport=polling', { origin: 'https://evil.example.net' });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});
