// HTTP layer and operations: JSON errors, routing, limits, keep-alive, health, metrics,
// OpenAPI, docs, and what the log must never contain.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startFlowd, uniquePhone, assertError, sleep, readResponse, REPO_ROOT } from './lib/flowd.mjs';

/** A request with node:http (for cases fetch handles poorly). */
function rawRequest(baseUrl, method, path, { headers = {}, body, agent } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, baseUrl), { method, headers, agent }, (res) => {
      readResponse(res).then((r) => resolve({ ...r, reusedSocket: req.reusedSocket, socket: res.socket }), reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

describe('http and operations', () => {
  let f;
  before(async () => {
    f = await startFlowd();
  });
  after(async () => {
    if (!f) return;
    await f.shutdown();
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    for (const rawBody of ['{"phone":', '{phone: "+447911123456"}', 'not json', '{"phone":"+447911123456"} trailing']) {
      const r = await f.request('POST', '/auth/enter_number', { rawBody });
      assertError(r, 400, 'invalid_json', `body ${JSON.stringify(rawBody)}`);
    }
    const empty = await f.request('POST', '/auth/enter_number', { rawBody: '' });
    assertError(empty, 400, 'invalid_json', 'empty body');
    // also on an authenticated route
    const s = await f.signIn(uniquePhone());
    const r = await f.request('PUT', '/auth/modify_user', { token: s.token, rawBody: '{"name": "x"' });
    assertError(r, 400, 'invalid_json', 'modify_user with a truncated body');
  });

  it('answers a body that is not UTF-8 with 400 invalid_json', async () => {
    const rawBody = Buffer.concat([Buffer.from('{"phone":"+44 73'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const r = await f.request('POST', '/auth/enter_number', { rawBody });
    assertError(r, 400, 'invalid_json', 'invalid UTF-8 in the body');
  });

  it('answers a JSON body that is not an object with 400 invalid_json', async () => {
    for (const rawBody of ['[]', '[{"phone":"+447911123456"}]', '"+447911123456"', '42', 'null']) {
      const r = await f.request('POST', '/auth/enter_number', { rawBody });
      assertError(r, 400, 'invalid_json', `body ${rawBody}`);
    }
  });

  it('answers an unknown route with 404 not_found as JSON', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/auth/does_not_exist'],
      ['GET', '/users'],
      ['GET', '/nope/'],
    ]) {
      const r = await f.request(method, path, { body: method === 'POST' ? {} : undefined });
      assertError(r, 404, 'not_found', `${method} ${path}`);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    }
  });

  it('answers a wrong method on a known path with 405 and Allow', async () => {
    const cases = [
      ['GET', '/auth/enter_number', 'POST'],
      ['GET', '/auth/verify_otp', 'POST'],
      ['PATCH', '/users/me', 'GET'],
      ['POST', '/health', 'GET'],
      ['POST', '/auth/modify_user', 'PUT'],
      ['PUT', '/users/lookup', 'POST'],
    ];
    for (const [method, path, allowed] of cases) {
      const r = await f.request(method, path);
      assertError(r, 405, 'method_not_allowed', `${method} ${path}`);
      const allow = (r.headers.get('allow') ?? '').split(',').map((s) => s.trim().toUpperCase());
      assert.ok(allow.includes(allowed), `${method} ${path}: Allow "${r.headers.get('allow')}" should list ${allowed}`);
      assert.ok(!allow.includes(method), `${method} ${path}: Allow must not list ${method}`);
    }
  });

  it('answers a body over 1 MiB with 413', async () => {
    const big = JSON.stringify({ phone: '+447911123456', pad: 'x'.repeat(1024 * 1024 + 16) });
    let r;
    try {
      r = await rawRequest(f.baseUrl, 'POST', '/auth/enter_number', {
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) },
        body: big,
      });
    } catch (e) {
      assert.fail(`request with a ${big.length}-byte body failed without an answer: ${e.message}`);
    }
    assert.equal(r.status, 413, r.text.slice(0, 300));
    if (r.json !== undefined) {
      assert.equal(typeof r.json.error?.code, 'string', r.text);
    }
    // the same without Content-Length (chunked)
    let chunked;
    try {
      chunked = await new Promise((resolve, reject) => {
        const req = http.request(new URL('/auth/enter_number', f.baseUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', reject);
        for (let i = 0; i < 20; i++) req.write('x'.repeat(64 * 1024));
        req.end();
      });
    } catch (e) {
      assert.fail(`chunked request of 1.25 MiB failed without an answer: ${e.message}`);
    }
    assert.equal(chunked, 413, 'chunked body over 1 MiB');
    // a body just under the limit is read and judged on its content
    const under = JSON.stringify({ phone: '+44 12', pad: 'x'.repeat(1024 * 1024 - 100) });
    assert.ok(Buffer.byteLength(under) <= 1024 * 1024);
    const ok = await f.request('POST', '/auth/enter_number', { rawBody: under });
    assertError(ok, 400, 'invalid_phone', 'body just under 1 MiB');
    // the server is fine afterwards
    const h = await f.request('GET', '/health');
    assert.equal(h.status, 200);
  });

  it('serves several requests on one keep-alive connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const results = [];
      for (let i = 0; i < 5; i++) {
        const r = await rawRequest(f.baseUrl, 'GET', '/health', { agent });
        results.push(r);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.status, 'ok');
      }
      // an error answer does not break the connection either
      const nf = await rawRequest(f.baseUrl, 'GET', '/nope', { agent });
      assert.equal(nf.status, 404);
      const post = await rawRequest(f.baseUrl, 'POST', '/auth/enter_number', {
        agent,
        headers: { 'content-type': 'application/json' },
        body: '[]',
      });
      assert.equal(post.status, 400);
      const last = await rawRequest(f.baseUrl, 'GET', '/health', { agent });
      assert.equal(last.status, 200);
      results.push(nf, post, last);
      const sockets = new Set(results.map((r) => r.socket));
      assert.equal(sockets.size, 1, `all requests on one connection (used ${sockets.size})`);
      assert.ok(results.slice(1).every((r) => r.reusedSocket), 'later requests reused the socket');
    } finally {
      agent.destroy();
    }
  });

  it('GET /health reports ok', async () => {
    const r = await f.request('GET', '/health');
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(r.json, { status: 'ok', storage: 'ok', media: 'ok', bus: 'ok' });
  });

  it('GET /metrics exposes request counters, durations and open connections', async () => {
    const en = await f.request('POST', '/auth/enter_number', { body: { phone: uniquePhone() } });
    assert.equal(en.status, 200, en.text);
    const r = await f.request('GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    const lines = r.text.split('\n');
    const counter = lines.find(
      (l) =>
        l.startsWith('flow_http_requests_total{') &&
        l.includes('route="/auth/enter_number"') &&
        l.includes('method="POST"') &&
        l.includes('status="200"'),
    );
    assert.ok(counter, `flow_http_requests_total for POST /auth/enter_number 200 in:\n${r.text.slice(0, 3000)}`);
    assert.match(counter, /\s([1-9]\d*(\.0+)?|\d+(\.\d+)?e\+?\d+)$/, `counter value >= 1: ${counter}`);
    assert.ok(lines.some((l) => /^# TYPE flow_http_requests_total counter/.test(l)), 'TYPE line for the counter');
    assert.ok(lines.some((l) => l.startsWith('flow_http_request_duration_seconds_bucket{')), 'duration histogram buckets');
    assert.ok(lines.some((l) => /^# TYPE flow_http_request_duration_seconds histogram/.test(l)), 'TYPE histogram');
    const open = lines.find((l) => /^flow_open_connections(\{[^}]*\})? /.test(l));
    assert.ok(open, 'flow_open_connections gauge');
    assert.ok(Number(open.split(' ').at(-1)) >= 1, `at least this connection is open: ${open}`);
    // unknown paths must not create a label per path (cardinality)
    await f.request('GET', '/nope/random-' + Math.random().toString(36).slice(2));
    const r2 = await f.request('GET', '/metrics');
    assert.ok(!r2.text.includes('random-'), 'raw unknown paths are not used as route labels');
  });

  it('GET /openapi.json describes every route', async () => {
    const r = await f.request('GET', '/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.ok(r.json, 'valid JSON');
    assert.equal(r.json.openapi, '3.0.3');
    assert.equal(typeof r.json.info?.title, 'string');
    const paths = r.json.paths ?? {};
    const routes = [
      ['post', '/auth/enter_number'],
      ['post', '/auth/verify_otp'],
      ['post', '/auth/register_user'],
      ['put', '/auth/modify_user'],
      ['post', '/auth/logout'],
      ['get', '/users/me'],
      ['get', '/users/{*}'],
      ['post', '/users/lookup'],
      ['get', '/health'],
      ['get', '/metrics'],
      ['get', '/openapi.json'],
      ['get', '/asyncapi.yaml'],
      ['get', '/docs'],
    ];
    const missing = [];
    for (const [method, path] of routes) {
      const key = path.endsWith('{*}')
        ? Object.keys(paths).find((p) => /^\/users\/\{[a-z_]+\}$/.test(p))
        : path;
      if (!key || !paths[key] || !paths[key][method]) missing.push(`${method.toUpperCase()} ${path}`);
    }
    assert.deepEqual(missing, [], `routes missing from /openapi.json (has ${Object.keys(paths).join(', ')})`);
  });

  it('GET /docs is an HTML page with a tab for each API, its script and stylesheet served beside it', async () => {
    const r = await f.request('GET', '/docs');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(r.text, /<html/i);
    assert.match(r.text, /role="tab"[^>]*>REST</);
    assert.match(r.text, /role="tab"[^>]*>Real time</);
    for (const [asset, type] of [['/docs/docs.js', /^application\/javascript/], ['/docs/docs.css', /^text\/css/]]) {
      assert.ok(r.text.includes(`"${asset}"`), `the page loads ${asset}`);
      const a = await f.request('GET', asset);
      assert.equal(a.status, 200, asset);
      assert.match(a.headers.get('content-type') ?? '', type, asset);
      assert.ok(a.text.length > 1000, `${asset} has ${a.text.length} bytes`);
    }
  });

  it('GET /asyncapi.yaml is api/asyncapi.yaml, the real-time API', async () => {
    const r = await f.request('GET', '/asyncapi.yaml');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/yaml/);
    assert.equal(r.text, readFileSync(path.join(REPO_ROOT, 'api', 'asyncapi.yaml'), 'utf8'));
  });

  it('never writes the token or the code to the log at the default level', async () => {
    const phone = uniquePhone();
    const en = await f.request('POST', '/auth/enter_number', { body: { phone } });
    assert.equal(en.status, 200, en.text);
    const code = await f.sms.nextCode(phone);
    const v = await f.request('POST', '/auth/verify_otp', { body: { phone, code } });
    assert.equal(v.status, 200, v.text);
    const { token } = v.json;
    await f.request('GET', '/users/me', { token });
    await f.request('POST', '/auth/logout', { token });
    await f.request('GET', '/users/me', { token });
    await sleep(200);
    const out = f.output();
    assert.ok(!out.includes(token), 'the token appears in the server log');
    assert.ok(!new RegExp(`(?<!\\d)${code}(?!\\d)`).test(out), `OTP code ${code} appears in the server log`);
  });

  it('never writes tokens or (with the webhook provider) codes to the log, even at trace level', async () => {
    const g = await startFlowd(['--log-level', 'trace']);
    try {
      const phone = uniquePhone();
      const en = await g.request('POST', '/auth/enter_number', { body: { phone } });
      assert.equal(en.status, 200, en.text);
      const code = await g.sms.nextCode(phone);
      const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      await g.request('POST', '/auth/verify_otp', { body: { phone, code: wrong } });
      const v = await g.request('POST', '/auth/verify_otp', { body: { phone, code } });
      assert.equal(v.status, 200, v.text);
      const { token } = v.json;
      // use the token in a few ways, including failing ones
      await g.request('GET', '/users/me', { token });
      await g.request('POST', '/auth/register_user', { token, body: { name: 'Logged' } });
      await g.request('GET', '/nope', { token });
      await g.request('POST', '/users/lookup', { token, rawBody: '{bad' });
      await g.request('POST', '/auth/logout', { token });
      await g.request('GET', '/users/me', { token });
      await sleep(200); // let the log lines arrive
      const out = g.output();
      assert.ok(out.split('\n').length > 2, 'the server logs something');
      assert.ok(!out.includes(token), 'the token appears in the server log');
      for (const c of [code, wrong]) {
        assert.ok(!new RegExp(`(?<!\\d)${c}(?!\\d)`).test(out), `OTP code ${c} appears in the server log`);
      }
    } finally {
      await g.shutdown();
    }
  });
});
