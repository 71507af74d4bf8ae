// The OpenAPI document (api/openapi.json) is valid OpenAPI of the version it declares
// (3.0.3: no 3.1 syntax such as `type: [..., "null"]`), as @apidevtools/swagger-parser
// validates it ($refs resolved), and its `security` says which routes need a bearer token
// exactly as the server does: every operation declares `security` itself, `bearerAuth`
// where the server wants a token and `[]` where it does not. What the server does is
// asked of the real flowd: each documented operation is called once without a token
// (path parameters a dummy id, no body); a 401 `unauthorized` means "needs a token", and
// anything else (200, or 400/404 for the dummy input) means it does not.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { startFlowd, REPO_ROOT } from './lib/flowd.mjs';

const DOCUMENT = path.join(REPO_ROOT, 'api/openapi.json');
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const DUMMY_ID = 'no-such-id';

const openapi = JSON.parse(readFileSync(DOCUMENT, 'utf8'));

/** Every operation of the document: {route: "METHOD /path", method, path, operation}. */
function operations() {
  const ops = [];
  for (const [p, item] of Object.entries(openapi.paths)) {
    for (const method of HTTP_METHODS) {
      if (item[method]) ops.push({ route: `${method.toUpperCase()} ${p}`, method: method.toUpperCase(), path: p, operation: item[method] });
    }
  }
  return ops;
}

/** Whether the document says the operation needs the bearer token. */
function documentedNeedsToken(operation) {
  const security = operation.security ?? openapi.security ?? [];
  return security.some((requirement) => 'bearerAuth' in requirement);
}

describe('the OpenAPI document', () => {
  it('validates as the OpenAPI version it declares (swagger-parser)', async () => {
    assert.equal(openapi.openapi, '3.0.3');
    try {
      await SwaggerParser.validate(DOCUMENT);
    } catch (e) {
      // The errors repeat once per $ref that reaches the bad schema: the first few say it.
      assert.fail(`api/openapi.json is not valid OpenAPI ${openapi.openapi}:\n${e.message.split('\n').slice(0, 20).join('\n')}`);
    }
  });

  it('every operation declares its security: bearerAuth (with a 401 answer) or none', () => {
    assert.deepEqual(Object.keys(openapi.components.securitySchemes), ['bearerAuth']);
    assert.equal(openapi.security, undefined, 'no global security: each operation says its own');
    const ops = operations();
    assert.ok(ops.length >= 40, `operations found: ${ops.length}`);
    for (const { route, operation } of ops) {
      assert.ok(Array.isArray(operation.security), `${route}: declares no security (use [] for a public route)`);
      for (const requirement of operation.security) {
        assert.deepEqual(requirement, { bearerAuth: [] }, `${route}: security ${JSON.stringify(operation.security)}`);
      }
      if (documentedNeedsToken(operation)) {
        assert.ok(operation.responses['401'], `${route}: needs a token but documents no 401 answer`);
      }
    }
  });

  describe('its security agrees with the server', () => {
    let f;
    before(async () => {
      f = await startFlowd();
    });
    after(async () => {
      if (f) await f.shutdown();
    });

    it('the routes that answer 401 without a token are exactly those with bearerAuth', async () => {
      const wrong = [];
      for (const { route, method, path: p, operation } of operations()) {
        const res = await f.request(method, p.replace(/\{[^}]+\}/g, DUMMY_ID));
        const serverNeedsToken = res.status === 401 && res.json?.error?.code === 'unauthorized';
        if (serverNeedsToken) {
          assert.equal(res.headers.get('www-authenticate'), 'Bearer', `${route}: 401 without WWW-Authenticate: Bearer`);
        }
        if (serverNeedsToken !== documentedNeedsToken(operation)) {
          wrong.push(`${route}: the server ${serverNeedsToken ? 'wants' : 'does not want'} a token ` +
            `(${res.status} ${res.text.slice(0, 120)}), the document says it ${documentedNeedsToken(operation) ? 'does' : 'does not'}`);
        }
      }
      assert.deepEqual(wrong, [], `security in api/openapi.json disagrees with the server:\n${wrong.join('\n')}`);
    });
  });
});
