// Bundles the web app into one script: `node build.mjs OUTFILE`. CMake runs it at build
// time (writing build/generated/webapp.js, which flowd embeds and serves at /app.js).
import * as esbuild from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const outfile = process.argv[2];
if (!outfile) {
  console.error('usage: node build.mjs OUTFILE');
  process.exit(2);
}
await esbuild.build({
  entryPoints: [path.join(path.dirname(fileURLToPath(import.meta.url)), 'src', 'main.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  logLevel: 'warning',
  outfile,
});
