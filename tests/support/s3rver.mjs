// A local S3 for the contract tests: s3rver (which checks SigV4 signatures) on 127.0.0.1,
// on a port the OS picks, over a temporary folder, with the bucket `media` and the
// credentials S3RVER / S3RVER. Prints the port alone on a line once it accepts requests;
// on SIGTERM or SIGINT closes and removes its folder.
//   node tests/support/s3rver.mjs [port]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';

const directory = mkdtempSync(join(tmpdir(), 'flow-s3rver-'));
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
  directory,
  silent: true,
  configureBuckets: [{ name: 'media' }],
});

const { port } = await server.run();
console.log(port);

const stop = async () => {
  await server.close().catch(() => {});
  rmSync(directory, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
