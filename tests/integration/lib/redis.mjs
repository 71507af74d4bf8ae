// A redis-server of a test's own, for what the shared one cannot show: an outage (kill
// it), or who listens on it (no other test's nodes).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { sleep } from './flowd.mjs';

const START_MS = 5000;

/** A redis-server on `port`, as a child process (not daemonized) so it can be killed: {url, kill()}. */
export async function startRedis(port) {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const exited = once(proc, 'exit');
  const deadline = Date.now() + START_MS;
  while (!out.includes('Ready to accept connections') && proc.exitCode === null) {
    if (Date.now() > deadline) assert.fail(`redis-server on ${port}: not ready within ${START_MS} ms: ${out}`);
    await sleep(20);
  }
  assert.equal(proc.exitCode, null, `redis-server on ${port} exited: ${out}`);
  return {
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
