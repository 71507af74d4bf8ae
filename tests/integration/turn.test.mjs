// TURN credentials: GET /calls/ice_servers hands out logins in coturn's REST scheme, and a
// real coturn (started here on 127.0.0.1 with the same shared secret) accepts them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startFlowd, uniquePhone, freePort, sleep } from './lib/flowd.mjs';

const SECRET = 'turn-test-secret-' + process.pid;

/** Starts coturn on a free loopback port with `use-auth-secret`; resolves once it listens. */
async function startCoturn() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-turn-'));
  const port = await freePort();
  const proc = spawn('turnserver', [
    '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    '--min-port=49160', '--max-port=49200', '--use-auth-secret', `--static-auth-secret=${SECRET}`,
    '--realm=flow.local', '--no-cli', '--no-tls', '--no-dtls', '--fingerprint', '--allow-loopback-peers',
    `--userdb=${dir}/turndb`, `--pidfile=${dir}/turn.pid`, `--log-file=${dir}/turn.log`, '--simple-log',
    '--no-stdout-log',
  ], { stdio: 'ignore' });
  // coturn has no readiness signal: wait until an allocation with a bad login is refused
  // (it answers), which also proves it listens.
  for (let i = 0; i < 50; i++) {
    if (allocate(port, 'x', 'y', 1).status !== null) break;
    await sleep(100);
  }
  return {
    port,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((resolve) => (proc.exitCode !== null ? resolve() : proc.once('exit', resolve)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One TURN allocation with turnutils_uclient; exit status 0 means coturn accepted the login. */
function allocate(port, username, credential, timeoutS = 10) {
  return spawnSync('turnutils_uclient', ['-u', username, '-w', credential, '-y', '-n', '3', '-m', '1',
    '-p', String(port), '127.0.0.1'], { timeout: timeoutS * 1000, encoding: 'utf8' });
}

describe('ICE servers and TURN credentials', () => {
  let turn;
  let f;
  before(async () => {
    turn = await startCoturn();
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
