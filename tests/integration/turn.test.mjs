// TURN credentials: GET /calls/ice_servers hands out logins in coturn's REST scheme, and a
// real coturn (started here on 127.0.0.1 with the same shared secret) accepts them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { allocate, startCoturn } from './lib/coturn.mjs';
import { startFlowd, uniquePhone } from './lib/flowd.mjs';

const SECRET = 'turn-test-secret-' + process.pid;

describe('ICE servers and TURN credentials', () => {
  let turn;
  let f;
  before(async () => {
    turn = await startCoturn(SECRET);
    f = await startFlowd(['--turn-secret', SECRET, '--turn-urls', `stun:127.0.0.1:${turn.port},turn:127.0.0.1:${turn.port}?transport=udp`]);
  });
  after(async () => {
    await f?.shutdown();
    await turn?.stop();
  });

  it('hands out a login that a real coturn accepts, and coturn refuses a forged one', async () => {
    const me = await f.signIn(uniquePhone());
    const r = await f.request('GET', '/calls/ice_servers', { token: me.token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.ttl, 3600);
    assert.equal(r.json.ice_servers.length, 1);
    const [server] = r.json.ice_servers;
    assert.deepEqual(server.urls, [`stun:127.0.0.1:${turn.port}`, `turn:127.0.0.1:${turn.port}?transport=udp`]);
    const [expiry, userId] = server.username.split(':');
    assert.equal(userId, me.user.id);
    const now = Math.floor(Date.now() / 1000);
    assert.ok(Number(expiry) > now + 3500 && Number(expiry) <= now + 3601, `expiry ${expiry}`);

    const accepted = allocate(turn.port, server.username, server.credential);
    assert.equal(accepted.status, 0, `coturn refused Flow's credential:\n${accepted.stdout}\n${accepted.stderr}`);
    const forged = allocate(turn.port, server.username, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    assert.notEqual(forged.status, 0, 'coturn accepted a forged credential');
  });

  it('needs a signed-in caller', async () => {
    const r = await f.request('GET', '/calls/ice_servers');
    assert.equal(r.status, 401);
  });

  it('gives the URLs alone without a TURN secret', async () => {
    const g = await startFlowd(['--turn-urls', 'stun:stun.example.org:3478']);
    try {
      const me = await g.signIn(uniquePhone());
      const r = await g.request('GET', '/calls/ice_servers', { token: me.token });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.ice_servers, [{ urls: ['stun:stun.example.org:3478'] }]);
    } finally {
      await g.shutdown();
    }
  });
});
