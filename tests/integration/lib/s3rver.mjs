// The media stores a media suite runs against: the default folder store, and S3 on a
// local s3rver (tests/support/s3rver.mjs, which checks SigV4 signatures) started for the
// suite. media.test.mjs and thumbnails.test.mjs run their scenarios on each.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, MEDIA_ON_S3 } from './flowd.mjs';

const S3RVER = path.join(REPO_ROOT, 'tests', 'support', 's3rver.mjs');
const S3RVER_PKG = path.join(REPO_ROOT, 'tests', 'support', 'node_modules', '@20minutes', 's3rver');
export const SKIP_S3 = process.env.FLOW_TEST_SKIP_S3 === '1';

/** Starts tests/support/s3rver.mjs on a port it picks; resolves {port, endpoint, stop()}. */
export async function startS3rver() {
  if (!existsSync(S3RVER_PKG)) {
    throw new Error('tests/support has no node_modules: run `npm ci` in tests/support (or set FLOW_TEST_SKIP_S3=1)');
  }
  const proc = spawn(process.execPath, [S3RVER], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  const exited = once(proc, 'exit');
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver printed no port within 10 s: ${out} ${err}`)), 10_000);
    proc.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = out.match(/^(\d+)\s*$/m);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited: ${out} ${err}`));
    });
  });
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The stores, as {name, skip, setup() -> {args, env, teardown()}}: the flowd arguments and
 * environment for each. The folder store is skipped on the scaled shape, which keeps
 * media on S3.
 */
export const MEDIA_STORES = [
  {
    name: 'folder',
    skip: MEDIA_ON_S3 ? 'the scaled shape keeps media on S3' : false,
    async setup() {
      return { args: [], env: {}, async teardown() {} };
    },
  },
  {
    name: 'S3',
    skip: SKIP_S3 ? 'FLOW_TEST_SKIP_S3=1' : false,
    async setup() {
      const s3 = await startS3rver();
      return {
        args: ['--media', 's3://media'],
        env: {
          FLOW_S3_ENDPOINT: s3.endpoint,
          FLOW_S3_ACCESS_KEY: 'S3RVER',
          FLOW_S3_SECRET_KEY: 'S3RVER',
          FLOW_S3_REGION: 'us-east-1',
        },
        endpoint: s3.endpoint,
        teardown: () => s3.stop(),
      };
    },
  },
];
