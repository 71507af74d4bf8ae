// coturn for the tests: started on a free loopback port with `use-auth-secret` (the TURN
// REST scheme Flow's /calls/ice_servers hands out logins for), relaying on loopback only.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, sleep } from './flowd.mjs';

/** Starts coturn with this shared secret; resolves once it answers. */
export async function startCoturn(secret) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-turn-'));
  const port = await freePort();
  const proc = spawn('turnserver', [
    '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    '--min-port=49160', '--max-port=49200', '--use-auth-secret', `--static-auth-secret=${secret}`,
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
export function allocate(port, username, credential, timeoutS = 10) {
  return spawnSync('turnutils_uclient', ['-u', username, '-w', credential, '-y', '-n', '3', '-m', '1',
    '-p', String(port), '127.0.0.1'], { timeout: timeoutS * 1000, encoding: 'utf8' });
}
