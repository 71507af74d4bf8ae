// Type-checks the web app and the API docs page (tsc, tsconfig.json) and bundles them:
// `node build.mjs OUTDIR` writes OUTDIR/webapp.js (the web app, served at /app.js) and
// OUTDIR/docs.js and OUTDIR/docs.css (the docs page's Swagger UI and AsyncAPI renderers,
// served at /docs/docs.js and /docs/docs.css). CMake runs it at build time into
// build/generated/, which flowd embeds; a type error fails the build, and so does an
// api/asyncapi.yaml that @asyncapi/parser cannot parse.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, fromFile, stringify } from '@asyncapi/parser';
import { OpenAPISchemaParser } from '@asyncapi/openapi-schema-parser';
import * as esbuild from 'esbuild';

const dir = path.dirname(fileURLToPath(import.meta.url));
const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node build.mjs OUTDIR');
  process.exit(2);
}

const tsc = spawnSync(process.execPath, [path.join(dir, 'node_modules/typescript/bin/tsc'), '-p', dir], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

/**
 * api/asyncapi.yaml parsed, its $refs into openapi.json resolved and its OpenAPI payload
 * schemas turned into AsyncAPI ones, stringified as the AsyncAPI component takes it: the
 * page renders it without parsing (and validating) 200 KB of documents in the browser.
 */
async function parsedAsyncApi() {
  const parser = new Parser();
  parser.registerSchemaParser(OpenAPISchemaParser());
  const file = path.join(dir, '..', 'api', 'asyncapi.yaml');
  const { document, diagnostics } = await fromFile(parser, file).parse();
  if (!document) {
    for (const d of diagnostics.filter((d) => d.severity === 0))
      console.error(`${path.relative(process.cwd(), d.source ?? file)}: ${d.message} at ${d.path.join('.')}`);
    console.error('api/asyncapi.yaml does not parse (tests/integration/api_docs.test.mjs says more)');
    process.exit(1);
  }
  return stringify(document, { space: 0 });
}

/** `import asyncapi from 'flow:asyncapi'` in docs.ts: the parsed document, a string. */
const asyncapiModule = (contents) => ({
  name: 'flow-asyncapi',
  setup(build) {
    build.onResolve({ filter: /^flow:asyncapi$/ }, () => ({ path: 'asyncapi', namespace: 'flow' }));
    build.onLoad({ filter: /.*/, namespace: 'flow' }, () => ({ contents, loader: 'text' }));
  },
});

const src = (file) => path.join(dir, 'src', file);
await esbuild.build({
  entryPoints: [
    { in: src('main.ts'), out: 'webapp' },
    { in: src('docs.ts'), out: 'docs' },
    { in: src('docs.css'), out: 'docs' },
  ],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  // Swagger UI's stylesheet inlines its few icons.
  loader: { '.svg': 'dataurl', '.png': 'dataurl' },
  plugins: [asyncapiModule(await parsedAsyncApi())],
  logLevel: 'warning',
  outdir,
});
