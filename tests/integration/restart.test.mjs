// Restarts: state survives a clean stop (SIGTERM) and a crash (SIGKILL) right after a 2xx.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowd, uniquePhone, assertError, assertUser } from './lib/flowd.mjs';

describe('restart and durability', () => {
  const servers = [];
  afterEach(async () => {
    while (servers.length) {
      const f = servers.pop();
      await f.shutdown();
    }
  });
  async function server(args = []) {
    const f = await startFlowd(args);
    servers.push(f);
    return f;
  }

  it('keeps tokens, users and profiles across SIGTERM and a restart on the same data dir', async () => {
    const f = await server(['--otp-resend-seconds', '0']);
    const phone = uniquePhone();
    const a = await f.signIn(phone);
    const reg = await f.request('POST', '/auth/register_user', {
      token: a.token,
      body: { name: 'Persistent', about: 'still here' },
    });
    assert.equal(reg.status, 200, reg.text);
    const other = await f.signUp(uniquePhone(), { name: 'Other' });
    const loggedOut = await f.signIn(phone);
    const lo = await f.request('POST', '/auth/logout', { token: loggedOut.token });
    assert.equal(lo.status, 204, lo.text);

    await f.stop(); // asserts exit code 0
    await f.restart();

    const me = await f.request('GET', '/users/me', { token: a.token });
    assert.equal(me.status, 200, `token after restart: ${me.text}`);
    assertUser(me.json);
    assert.equal(me.json.id, a.user.id);
    assert.equal(me.json.phone, phone);
    assert.equal(me.json.name, 'Persistent');
    assert.equal(me.json.about, 'still here');
    assert.equal(me.json.created_at, reg.json.created_at);

    const o = await f.request('GET', `/users/${other.user.id}`, { token: a.token });
    assert.equal(o.status, 200, o.text);
    assert.equal(o.json.name, 'Other');

    const gone = await f.request('GET', '/users/me', { token: loggedOut.token });
    assertError(gone, 401, 'unauthorized', 'logged-out token after restart');

    // signing in again is a returning user with the same id
    const again = await f.signIn(phone);
    assert.equal(again.new_user, false);
    assert.equal(again.user.id, a.user.id);

    const l = await f.request('POST', '/users/lookup', { token: a.token, body: { phones: [other.user.phone] } });
    assert.equal(l.status, 200, l.text);
    assert.deepEqual(l.json.items.map((u) => u.id), [other.user.id]);
  });

  it('keeps a register_user answered 200 when killed with SIGKILL the moment after', async () => {
    const f = await server();
    const s = await f.signIn(uniquePhone());
    const reg = await f.request('POST', '/auth/register_user', {
      token: s.token,
      body: { name: 'Crash Test', about: 'durable' },
    });
    assert.equal(reg.status, 200, reg.text);
    await f.kill();
    await f.restart();
    const me = await f.request('GET', '/users/me', { token: s.token });
    assert.equal(me.status, 200, `token after SIGKILL: ${me.text}`);
    assert.equal(me.json.name, 'Crash Test');
    assert.equal(me.json.about, 'durable');
  });

  it('keeps a modify_user answered 200 when killed with SIGKILL the moment after, repeatedly', async () => {
    const f = await server();
    const s = await f.signIn(uniquePhone());
    const reg = await f.request('POST', '/auth/register_user', { token: s.token, body: { name: 'Round 0' } });
    assert.equal(reg.status, 200, reg.text);
    for (let round = 1; round <= 3; round++) {
      const m = await f.request('PUT', '/auth/modify_user', {
        token: s.token,
        body: { name: `Round ${round}`, about: `about ${round}` },
      });
      assert.equal(m.status, 200, m.text);
      await f.kill();
      await f.restart();
      const me = await f.request('GET', '/users/me', { token: s.token });
      assert.equal(me.status, 200, `round ${round}: ${me.text}`);
      assert.equal(me.json.name, `Round ${round}`, `round ${round} name`);
      assert.equal(me.json.about, `about ${round}`, `round ${round} about`);
    }
  });

  it('keeps a sign-in (the new token) answered 200 when killed with SIGKILL the moment after', async () => {
    const f = await server();
    const phone = uniquePhone();
    const s = await f.signIn(phone);
    await f.kill();
    await f.restart();
    const me = await f.request('GET', '/users/me', { token: s.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.id, s.user.id);
    assert.equal(me.json.phone, phone);
  });
});
