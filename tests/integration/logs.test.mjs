// What operators read (issue 19): access log lines with the client, the user, the status,
// the duration and a request id (X-Request-Id, taken or made, and returned); socket opens
// and closes with their device and reason; the start-up line naming the web app and
// /docs; all of it as one JSON object a line with --log-format json. And test numbers:
// fixed codes, never sent, said loudly at start.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowd, sleep, uniquePhone } from './lib/flowd.mjs';
import { openSio } from './lib/sio_client.mjs';
import { connect } from './lib/ws_client.mjs';

const TEST_PHONE = '+15550100000'; // a fictional number, as app store reviewers are given
const TEST_CODE = '424242';

/** The lines flowd printed, each parsed as JSON (failing on one that is not). */
function jsonLines(f) {
  return f
    .output()
    .split('\n')
    .filter((line) => line && !line.startsWith('--- flowd'))
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        assert.fail(`a log line is not JSON: ${line}`);
      }
    });
}

/** Waits (up to 4 s) for a JSON log line that `match` accepts, and returns it. */
async function logLine(f, match, what) {
  for (const deadline = Date.now() + 4000; Date.now() < deadline; await sleep(25)) {
    const line = jsonLines(f).find(match);
    if (line) return line;
  }
  assert.fail(`no log line ${what}:\n${f.output().slice(-3000)}`);
}

describe('logs as JSON', () => {
  let f;
  before(async () => {
    f = await startFlowd(['--log-format', 'json', '--trusted-proxies', '127.0.0.1',
      '--test-numbers', `${TEST_PHONE}=${TEST_CODE},+15550100001=000111`]);
  });
  after(() => f?.shutdown());

  it('the start-up line names the web app and the API docs', async () => {
    const line = await logLine(f, (l) => l.msg.startsWith('flowd listening'), 'of start');
    assert.equal(line.level, 'info');
    assert.ok(line.msg.includes(`web app: ${f.baseUrl}/`), line.msg);
    assert.ok(line.msg.includes(`API docs: ${f.baseUrl}/docs`), line.msg);
    assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('an access line has the client, the user, the status, the duration and the request id it returns', async () => {
    const alice = await f.signUp(uniquePhone(), { name: 'Alice' });
    const res = await fetch(`${f.baseUrl}/users/me`, {
      headers: { authorization: `Bearer ${alice.token}`, 'x-request-id': 'trace-42', 'x-forwarded-for': '203.0.113.7' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), 'trace-42');
    const line = await logLine(f, (l) => l.msg === 'request' && l.request_id === 'trace-42', 'for trace-42');
    assert.deepEqual(
      { method: line.method, path: line.path, status: line.status, client: line.client, user: line.user },
      { method: 'GET', path: '/users/me', status: 200, client: '203.0.113.7', user: alice.user.id },
    );
    assert.equal(typeof line.duration_ms, 'number');
    assert.ok(line.duration_ms >= 0 && line.duration_ms < 10_000, String(line.duration_ms));

    // Without an id (or with one not fit for a log), one is made, and the line has no user.
    for (const sent of [undefined, 'has spaces in it', 'x'.repeat(129)]) {
      const anon = await fetch(`${f.baseUrl}/users/me`, { headers: sent ? { 'x-request-id': sent } : {} });
      assert.equal(anon.status, 401);
      const made = anon.headers.get('x-request-id');
      assert.match(made, /^[0-9a-z]{26}$/, `made for ${sent}`);
      const refused = await logLine(f, (l) => l.request_id === made, `for ${made}`);
      assert.equal(refused.status, 401);
      assert.equal(refused.user, undefined);
    }
    // The query (a token may be in it) is not logged.
    await fetch(`${f.baseUrl}/health?token=secret-in-query`);
    await logLine(f, (l) => l.msg === 'request' && l.path === '/health', 'for /health');
    assert.ok(!f.output().includes('secret-in-query'));
  });

  it('sockets opening and closing are logged with their device and reason, on both transports', async () => {
    const bob = await f.signUp(uniquePhone(), { name: 'Bob' });
    const devices = await f.request('GET', '/devices', { token: bob.token });
    const device = devices.json.items.find((d) => d.current).id;

    const ws = await connect(f.baseUrl, bob.token);
    const opened = await logLine(f, (l) => l.msg === 'socket opened' && l.device === device, 'of the ws opening');
    assert.deepEqual({ transport: opened.transport, user: opened.user }, { transport: 'ws', user: bob.user.id });
    await ws.close();
    const closed = await logLine(f, (l) => l.msg === 'socket closed' && l.device === device && l.transport === 'ws',
      'of the ws closing');
    assert.equal(closed.user, bob.user.id);
    assert.equal(typeof closed.reason, 'string');
    assert.ok(closed.reason.length > 0);

    const sio = openSio(f.baseUrl, bob.token);
    await sio.connected;
    await logLine(f, (l) => l.msg === 'socket opened' && l.device === device && l.transport === 'socket.io',
      'of the Socket.IO opening');
    await sio.close();
    const sioClosed = await logLine(f, (l) => l.msg === 'socket closed' && l.device === device && l.transport === 'socket.io',
      'of the Socket.IO closing');
    assert.equal(sioClosed.reason, 'client namespace disconnect');
  });

  it('a test number signs in with its fixed code, which is never sent, and its being on is said at start', async () => {
    const warning = await logLine(f, (l) => l.msg.startsWith('TEST NUMBERS ARE ON'), 'warning of test numbers');
    assert.equal(warning.level, 'warning');
    assert.ok(warning.msg.includes(TEST_PHONE) && warning.msg.includes('+15550100001'), warning.msg);
    assert.ok(!JSON.stringify(jsonLines(f)).includes(TEST_CODE), 'the code itself is not logged');

    const entered = await f.request('POST', '/auth/enter_number', { body: { phone: TEST_PHONE } });
    assert.equal(entered.status, 200, entered.text);
    assert.equal(entered.json.phone, TEST_PHONE);
    const wrong = await f.request('POST', '/auth/verify_otp', { body: { phone: TEST_PHONE, code: '000000' } });
    assert.equal(wrong.status, 401, wrong.text);
    const signed = await f.request('POST', '/auth/verify_otp', { body: { phone: TEST_PHONE, code: TEST_CODE } });
    assert.equal(signed.status, 200, signed.text);
    assert.ok(signed.json.token);
    assert.equal(f.sms.countTo(TEST_PHONE), 0, 'no SMS went to the test number');

    // Other numbers are not affected: theirs are random codes sent by SMS.
    const other = uniquePhone();
    await f.signIn(other);
    assert.equal(f.sms.countTo(other), 1);
  });
});

describe('logs as text', () => {
  it('an access line is `request` and its fields, by default', async () => {
    const f = await startFlowd();
    try {
      const res = await fetch(`${f.baseUrl}/health`, { headers: { 'x-request-id': 'plain-1' } });
      assert.equal(res.headers.get('x-request-id'), 'plain-1');
      const pattern = /request method=GET path=\/health status=200 duration_ms=\d+\.\d\d client=127\.0\.0\.1 request_id=plain-1/;
      for (const deadline = Date.now() + 4000; !pattern.test(f.output()) && Date.now() < deadline; ) await sleep(25);
      assert.match(f.output(), pattern);
      assert.match(f.output(), /web app: http:\/\/127\.0\.0\.1:\d+\/, API docs: http:\/\/127\.0\.0\.1:\d+\/docs/);
    } finally {
      await f.shutdown();
    }
  });
});
