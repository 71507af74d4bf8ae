// Profiles and users: register_user, modify_user, /users/me, /users/{id}, /users/lookup.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowd, uniquePhone, assertError, assertUser } from './lib/flowd.mjs';

describe('profiles and users', () => {
  let f;
  before(async () => {
    f = await startFlowd();
  });
  after(async () => {
    if (!f) return;
    await f.shutdown();
  });

  it('register_user sets name and about', async () => {
    const phone = uniquePhone();
    const s = await f.signIn(phone);
    const r = await f.request('POST', '/auth/register_user', {
      token: s.token,
      body: { name: 'Ada Lovelace', about: 'Counting engines' },
    });
    assert.equal(r.status, 200, r.text);
    assertUser(r.json);
    assert.equal(r.json.id, s.user.id);
    assert.equal(r.json.phone, phone);
    assert.equal(r.json.name, 'Ada Lovelace');
    assert.equal(r.json.about, 'Counting engines');
    assert.equal(r.json.image_id, null);

    const me = await f.request('GET', '/users/me', { token: s.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.name, 'Ada Lovelace');
    assert.equal(me.json.about, 'Counting engines');
    assert.equal(me.json.created_at, r.json.created_at);

    // about is optional; image_id null is allowed
    const s2 = await f.signIn(uniquePhone());
    const r2 = await f.request('POST', '/auth/register_user', { token: s2.token, body: { name: 'Bob', image_id: null } });
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.name, 'Bob');
    assert.equal(r2.json.image_id, null);
  });

  it('modify_user changes only the fields given', async () => {
    const s = await f.signIn(uniquePhone());
    const reg = await f.request('POST', '/auth/register_user', {
      token: s.token,
      body: { name: 'Grace', about: 'Compilers' },
    });
    assert.equal(reg.status, 200, reg.text);

    const m1 = await f.request('PUT', '/auth/modify_user', { token: s.token, body: { about: 'COBOL' } });
    assert.equal(m1.status, 200, m1.text);
    assertUser(m1.json);
    assert.equal(m1.json.name, 'Grace');
    assert.equal(m1.json.about, 'COBOL');

    const m2 = await f.request('PUT', '/auth/modify_user', { token: s.token, body: { name: 'Grace Hopper' } });
    assert.equal(m2.status, 200, m2.text);
    assert.equal(m2.json.name, 'Grace Hopper');
    assert.equal(m2.json.about, 'COBOL');

    const m3 = await f.request('PUT', '/auth/modify_user', { token: s.token, body: {} });
    assert.equal(m3.status, 200, m3.text);
    assert.equal(m3.json.name, 'Grace Hopper');
    assert.equal(m3.json.about, 'COBOL');

    const me = await f.request('GET', '/users/me', { token: s.token });
    assert.equal(me.json.name, 'Grace Hopper');
    assert.equal(me.json.about, 'COBOL');
    assert.equal(me.json.id, s.user.id);
  });

  it('limits name to 64 characters (not bytes) and about to 256: 400 too_long', async () => {
    const s = await f.signIn(uniquePhone());
    const tooLong = await f.request('POST', '/auth/register_user', { token: s.token, body: { name: 'a'.repeat(65) } });
    assertError(tooLong, 400, 'too_long', 'name of 65 chars');

    const emoji64 = '😀'.repeat(64); // 64 characters, 256 bytes of UTF-8
    const ok = await f.request('POST', '/auth/register_user', { token: s.token, body: { name: emoji64 } });
    assert.equal(ok.status, 200, `64 emoji: ${ok.text}`);
    assert.equal(ok.json.name, emoji64);

    const multi64 = 'é'.repeat(32) + 'ж'.repeat(31) + '中'; // 64 characters
    const ok2 = await f.request('PUT', '/auth/modify_user', { token: s.token, body: { name: multi64 } });
    assert.equal(ok2.status, 200, `64 multibyte chars: ${ok2.text}`);
    assert.equal(ok2.json.name, multi64);

    const emoji65 = await f.request('PUT', '/auth/modify_user', { token: s.token, body: { name: '😀'.repeat(65) } });
    assertError(emoji65, 400, 'too_long', 'name of 65 emoji');
    const modLong = await f.request('PUT', '/auth/modify_user', { token: s.token, body: { name: 'b'.repeat(65) } });
    assertError(modLong, 400, 'too_long', 'modify_user name of 65 chars');

    const about256 = await f.request('PUT', '/auth/modify_user', { token: s.token, body: { about: 'x'.repeat(256) } });
    assert.equal(about256.status, 200, about256.text);
    const about257 = await f.request('PUT', '/auth/modify_user', { token: s.token, body: { about: 'x'.repeat(257) } });
    assertError(about257, 400, 'too_long', 'about of 257 chars');

    // rejected changes left the profile alone
    const me = await f.request('GET', '/users/me', { token: s.token });
    assert.equal(me.json.name, multi64);
    assert.equal(me.json.about, 'x'.repeat(256));
  });

  it('rejects a blank name with 400 invalid_name', async () => {
    const s = await f.signIn(uniquePhone());
    for (const name of ['', '   ', '\t\n']) {
      const r = await f.request('POST', '/auth/register_user', { token: s.token, body: { name } });
      assertError(r, 400, 'invalid_name', `register_user name ${JSON.stringify(name)}`);
    }
    const reg = await f.request('POST', '/auth/register_user', { token: s.token, body: { name: 'Named' } });
    assert.equal(reg.status, 200, reg.text);
    const m = await f.request('PUT', '/auth/modify_user', { token: s.token, body: { name: ' ' } });
    assertError(m, 400, 'invalid_name', 'modify_user name " "');
  });

  it('requires name on register_user: 400 missing_field', async () => {
    const s = await f.signIn(uniquePhone());
    const r = await f.request('POST', '/auth/register_user', { token: s.token, body: { about: 'no name' } });
    assertError(r, 400, 'missing_field', 'register_user without name');
  });

  it('rejects wrong field types with 400 invalid_field', async () => {
    const s = await f.signIn(uniquePhone());
    const cases = [
      ['POST', '/auth/register_user', { name: 123 }],
      ['POST', '/auth/register_user', { name: 'Ok', about: 42 }],
      ['POST', '/auth/register_user', { name: ['x'] }],
      ['PUT', '/auth/modify_user', { name: true }],
      ['PUT', '/auth/modify_user', { about: { a: 1 } }],
    ];
    for (const [method, route, body] of cases) {
      const r = await f.request(method, route, { token: s.token, body });
      assertError(r, 400, 'invalid_field', `${method} ${route} ${JSON.stringify(body)}`);
    }
  });

  it('rejects any non-null image_id with 400 invalid_media', async () => {
    const s = await f.signIn(uniquePhone());
    const r = await f.request('POST', '/auth/register_user', {
      token: s.token,
      body: { name: 'Pic', image_id: 'no-such-media' },
    });
    assertError(r, 400, 'invalid_media', 'register_user image_id');
    const reg = await f.request('POST', '/auth/register_user', { token: s.token, body: { name: 'Pic' } });
    assert.equal(reg.status, 200, reg.text);
    const m = await f.request('PUT', '/auth/modify_user', { token: s.token, body: { image_id: 'abc' } });
    assertError(m, 400, 'invalid_media', 'modify_user image_id');
  });

  it('GET /users/{id} shows another user; unknown id is 404', async () => {
    const alice = await f.signUp(uniquePhone(), { name: 'Alice', about: 'hi' });
    const bob = await f.signIn(uniquePhone());
    const r = await f.request('GET', `/users/${encodeURIComponent(alice.user.id)}`, { token: bob.token });
    assert.equal(r.status, 200, r.text);
    assertUser(r.json);
    assert.equal(r.json.id, alice.user.id);
    assert.equal(r.json.name, 'Alice');
    assert.equal(r.json.about, 'hi');
    assert.equal(r.json.phone, alice.user.phone);

    const nf = await f.request('GET', '/users/does-not-exist-123', { token: bob.token });
    assertError(nf, 404, 'not_found', 'unknown user id');
  });

  it('lookup finds registered users by any notation and skips unknown and invalid numbers', async () => {
    const p1 = uniquePhone();
    const p2 = uniquePhone();
    const unknown = uniquePhone(); // valid, never signed in
    const u1 = await f.signUp(p1, { name: 'One' });
    const u2 = await f.signIn(p2);
    const asker = await f.signIn(uniquePhone());

    const phones = [
      `00${p1.slice(1, 3)} ${p1.slice(3, 7)} ${p1.slice(7)}`, // 0044 73XX XXXXXX
      `+44 (${p2.slice(3, 7)}) ${p2.slice(7, 10)}-${p2.slice(10)}`,
      unknown,
      'not a phone',
      '+1 555 0100',
      p1, // the same user twice
    ];
    const r = await f.request('POST', '/users/lookup', { token: asker.token, body: { phones } });
    assert.equal(r.status, 200, r.text);
    assert.ok(Array.isArray(r.json.items), r.text);
    r.json.items.forEach((u, i) => assertUser(u, `items[${i}]`));
    const ids = [...new Set(r.json.items.map((u) => u.id))].sort();
    assert.deepEqual(ids, [u1.user.id, u2.user.id].sort());
    const one = r.json.items.find((u) => u.id === u1.user.id);
    assert.equal(one.phone, p1);
    assert.equal(one.name, 'One');

    const empty = await f.request('POST', '/users/lookup', { token: asker.token, body: { phones: [] } });
    assert.equal(empty.status, 200, empty.text);
    assert.deepEqual(empty.json, { items: [] });
  });

  it('lookup with more than 1000 phones is 400 too_many_phones; 1000 is fine', async () => {
    const s = await f.signIn(uniquePhone());
    const mk = (n) => Array.from({ length: n }, (_, i) => `+447700${String(900000 + i).padStart(6, '0')}`);
    const ok = await f.request('POST', '/users/lookup', { token: s.token, body: { phones: mk(1000) } });
    assert.equal(ok.status, 200, ok.text.slice(0, 300));
    assert.ok(Array.isArray(ok.json.items));
    const tooMany = await f.request('POST', '/users/lookup', { token: s.token, body: { phones: mk(1001) } });
    assertError(tooMany, 400, 'too_many_phones', 'lookup of 1001 phones');
    const missing = await f.request('POST', '/users/lookup', { token: s.token, body: {} });
    assertError(missing, 400, 'missing_field', 'lookup without phones');
    const notArray = await f.request('POST', '/users/lookup', { token: s.token, body: { phones: '+447911123456' } });
    assertError(notArray, 400, 'invalid_field', 'lookup with phones as a string');
  });

  it('handles concurrent sign-ins and profile updates', async () => {
    const phones = Array.from({ length: 10 }, () => uniquePhone());
    const users = await Promise.all(phones.map((p, i) => f.signUp(p, { name: `Parallel ${i}` })));
    assert.equal(new Set(users.map((u) => u.user.id)).size, 10, 'distinct ids');
    const mods = await Promise.all(
      users.map((u, i) => f.request('PUT', '/auth/modify_user', { token: u.token, body: { about: `about ${i}` } })),
    );
    mods.forEach((m, i) => {
      assert.equal(m.status, 200, m.text);
      assert.equal(m.json.name, `Parallel ${i}`);
      assert.equal(m.json.about, `about ${i}`);
    });
    const l = await f.request('POST', '/users/lookup', { token: users[0].token, body: { phones } });
    assert.equal(l.status, 200, l.text);
    assert.equal(new Set(l.json.items.map((u) => u.id)).size, 10);
  });

  it('accepts the Bearer scheme in any case', async () => {
    const s = await f.signIn(uniquePhone());
    for (const scheme of ['bearer', 'BEARER']) {
      const r = await f.request('GET', '/users/me', { headers: { authorization: `${scheme} ${s.token}` } });
      assert.equal(r.status, 200, `Authorization: ${scheme} <token> -> ${r.status} ${r.text}`);
    }
  });

  it('needs a token: none or a bad one is 401 unauthorized with WWW-Authenticate: Bearer', async () => {
    const s = await f.signIn(uniquePhone());
    const someId = s.user.id;
    const routes = [
      ['GET', '/users/me'],
      ['GET', `/users/${someId}`],
      ['POST', '/users/lookup', { phones: [] }],
      ['POST', '/auth/register_user', { name: 'X' }],
      ['PUT', '/auth/modify_user', { name: 'X' }],
      ['POST', '/auth/logout'],
    ];
    for (const [method, route, body] of routes) {
      const none = await f.request(method, route, { body });
      assertError(none, 401, 'unauthorized', `${method} ${route} without token`);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer\b/, `${method} ${route} WWW-Authenticate`);

      const bad = await f.request(method, route, { body, token: 'not-a-real-token' });
      assertError(bad, 401, 'unauthorized', `${method} ${route} with a bad token`);
      assert.match(bad.headers.get('www-authenticate') ?? '', /^Bearer\b/);
    }
    // a tampered real token
    const t = s.token;
    const tampered = t.slice(0, -1) + (t.at(-1) === 'A' ? 'B' : 'A');
    const r = await f.request('GET', '/users/me', { token: tampered });
    assertError(r, 401, 'unauthorized', 'tampered token');
    // wrong scheme
    const basic = await f.request('GET', '/users/me', { headers: { authorization: `Basic ${t}` } });
    assertError(basic, 401, 'unauthorized', 'Basic scheme');
    // the real token is still fine
    const ok = await f.request('GET', '/users/me', { token: t });
    assert.equal(ok.status, 200, ok.text);
  });
});
