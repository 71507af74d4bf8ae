// Type-checks the web app (tsc, tsconfig.json) and bundles it into one script:
// `node build.mjs OUTFILE`. CMake runs it at build time (writing build/generated/webapp.js,
// which flowd embeds and serves at /app.js); a type error fails the build.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const dir = path.dirname(fileURLToPath(import.meta.url));
const outfile = process.argv[2];
if (!outfile) {
  console.error('usage: node build.mjs OUTFILE');
  process.exit(2);
}

const tsc = spawnSync(process.execPath, [path.join(dir, 'node_modules/typescript/bin/tsc'), '-p', dir], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

await esbuild.build({
  entryPoints: [path.join(dir, 'src', 'main.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  logLevel: 'warning',
  outfile,
});
