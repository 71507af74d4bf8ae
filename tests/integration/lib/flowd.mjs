// Helpers for the flowd integration suite: start the real server binary against a
// throw-away data dir with a local HTTP server as its SMS webhook, and talk to it.
//
//   const f = await startFlowd(['--otp-resend-seconds', '0']);
//   const { token, user } = await f.signIn(uniquePhone());
//   const r = await f.request('GET', '/users/me', { token });
//   await f.stop();       // SIGTERM; asserts exit code 0 within 10 s
//   await f.restart();    // start again on the same data dir (new port)
//   await f.cleanup();    // stop if running, close the webhook, remove the temp dir
//
// The scaled shapes: with FLOW_TEST_POSTGRES_URL (a PostgreSQL server the test script
// started), each server gets a database of its own, and with FLOW_TEST_S3_ENDPOINT too,
// its media go to that S3 server; with FLOW_TEST_REDIS_URL as well, a "server" is two
// flowd nodes sharing them and Redis, and f.baseUrl takes turns between the nodes, so
// every test's clients spread over both. scripts/test.sh runs the chat, media, story and
// call suites that way.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FLOWD = process.env.FLOWD_BIN || path.join(REPO_ROOT, 'build', 'flowd');

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const SMS_TIMEOUT_MS = 5_000;

// ---------------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------------

const usedPhones = new Set();

/**
 * A distinct valid UK mobile number in E.164 (+4473 + 8 digits) for this process.
 * (libphonenumber accepts all of 073xx xxxxxx as mobile; 07911 xxxxxx is only partly valid.)
 */
export function uniquePhone() {
  for (;;) {
    const tail = String(Math.floor(Math.random() * 100_000_000)).padStart(8, '0');
    const phone = `+4473${tail}`;
    if (!usedPhones.has(phone)) {
      usedPhones.add(phone);
      return phone;
    }
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a failure naming `what` when it has not settled within `ms`. */
export function within(promise, what, ms = 4000) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------
// SMS webhook
// ---------------------------------------------------------------------------------

/** An HTTP server that records what flowd's webhook SMS provider POSTs to it. */
export async function startSmsWebhook() {
  const messages = []; // every message received, in order: {to, code, text, raw}
  const pending = new Map(); // phone -> queue of unconsumed messages
  const waiters = new Map(); // phone -> [resolve]
  let status = 200; // what the webhook answers; tests may set sms.status = 500
  let delayMs = 0; // how long it takes to answer, as a slow provider; tests may set sms.delayMs
  let inFlight = 0; // requests received and not yet answered

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let msg;
      try {
        msg = JSON.parse(raw);
      } catch {
        msg = { to: undefined, code: undefined, text: undefined };
      }
      const entry = {
        to: msg.to,
        code: msg.code,
        text: msg.text,
        raw,
        path: req.url,
        method: req.method,
        contentType: req.headers['content-type'],
      };
      messages.push(entry);
      if (status >= 200 && status < 300) {
        const ws = waiters.get(entry.to);
        if (ws && ws.length) ws.shift()(entry);
        else {
          if (!pending.has(entry.to)) pending.set(entry.to, []);
          pending.get(entry.to).push(entry);
        }
      }
      const answer = () => {
        inFlight--;
        res.writeHead(sms.status, { 'content-type': 'application/json' });
        res.end('{}');
      };
      inFlight++;
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 1000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = server.address().port;

  const sms = {
    port,
    url: `http://127.0.0.1:${port}/sms`,
    messages,
    get status() {
      return status;
    },
    set status(s) {
      status = s;
    },
    get delayMs() {
      return delayMs;
    },
    set delayMs(ms) {
      delayMs = ms;
    },
    /** Requests being held by delayMs right now. */
    get inFlight() {
      return inFlight;
    },
    /** The next not-yet-taken SMS message sent to `phone` (E.164), waiting for it. */
    nextMessage(phone, timeoutMs = SMS_TIMEOUT_MS) {
      const q = pending.get(phone);
      if (q && q.length) return Promise.resolve(q.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const ws = waiters.get(phone) || [];
          const i = ws.indexOf(done);
          if (i >= 0) ws.splice(i, 1);
          reject(
            new Error(
              `no SMS to ${phone} within ${timeoutMs} ms; received so far: ${JSON.stringify(
                messages.map((m) => m.to),
              )}`,
            ),
          );
        }, timeoutMs);
        const done = (entry) => {
          clearTimeout(timer);
          resolve(entry);
        };
        if (!waiters.has(phone)) waiters.set(phone, []);
        waiters.get(phone).push(done);
      });
    },
    /** The code of the next SMS to `phone`. */
    async nextCode(phone, timeoutMs) {
      return (await sms.nextMessage(phone, timeoutMs)).code;
    },
    /** How many messages were sent to `phone` so far (taken or not). */
    countTo(phone) {
      return messages.filter((m) => m.to === phone).length;
    },
    async close() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return sms;
}

// ---------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------

export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

// ---------------------------------------------------------------------------------
// HTTP client
// ---------------------------------------------------------------------------------

/**
 * One request with fetch. `body` is sent as JSON; `rawBody` (string/Buffer) as is, with
 * Content-Type application/json unless `headers` say otherwise.
 * Returns {status, headers (a Headers object), json (parsed or undefined), text}.
 */
export async function request(baseUrl, method, urlPath, { body, token, headers = {}, rawBody } = {}) {
  const h = { ...headers };
  let payload;
  if (rawBody !== undefined) payload = rawBody;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
    h['content-type'] = 'application/json';
  }
  if (token !== undefined) h.authorization = `Bearer ${token}`;
  const res = await fetch(baseUrl + urlPath, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  try {
    json = text.length ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/**
 * The rest of a node:http or node:https response (for what fetch cannot do: a CA of the
 * test's own, a local address to connect from). Resolves with {status, headers (an object
 * of lower-case names), text, json (parsed, or undefined)}.
 */
export function readResponse(res) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json;
      try {
        json = text.length ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ status: res.statusCode, headers: res.headers, text, json });
    });
    res.on('error', reject);
  });
}

/** flow_open_connections summed over the server's nodes. */
export async function openConnections(f) {
  let open = 0;
  for (const node of f.nodes) {
    const r = await request(node.url, 'GET', '/metrics');
    const line = r.text.split('\n').find((l) => l.startsWith('flow_open_connections '));
    assert.ok(line, `flow_open_connections in ${node.url}/metrics`);
    open += Number(line.split(' ')[1]);
  }
  return open;
}

/** Waits (up to `ms`) until openConnections(f) satisfies `test`, else fails naming `what`. */
export async function untilOpenConnections(f, test, what, ms = 4000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const open = await openConnections(f);
    if (test(open)) return open;
    if (Date.now() > deadline) assert.fail(`${what}: flow_open_connections is ${open}`);
    await sleep(50);
  }
}

/** One signed-in user ({token, user}) on server `f`, and requests as them: the base of each suite's client. */
export function asUser(f, { token, user }) {
  return { token, user, id: user.id, req: (method, p, body) => f.request(method, p, { token, body }) };
}

/** A GIF89a header of width x height: an image as libmagic sniffs it. */
export function makeGif(width, height) {
  const b = Buffer.alloc(14);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  b[13] = 0x3b;
  return b;
}

/** Asserts that `m` is a Message as API.md shapes it (not an error object). */
export function assertMessage(m, what = 'message') {
  const ctx = `${what}: ${JSON.stringify(m)?.slice(0, 300)}`;
  assert.ok(m && typeof m === 'object' && !m.error, ctx);
  for (const k of ['id', 'chat_id', 'seq', 'sender_id', 'client_id', 'type', 'text', 'media', 'reply_to', 'created_at', 'deleted']) {
    assert.ok(k in m, `field ${k} missing in ${ctx}`);
  }
  assert.ok(typeof m.id === 'string' && m.id.length > 0, ctx);
  assert.equal(typeof m.chat_id, 'string', ctx);
  assert.ok(Number.isInteger(m.seq) && m.seq >= 1, `seq: ${ctx}`);
  assert.equal(typeof m.sender_id, 'string', ctx);
  assert.equal(typeof m.client_id, 'string', ctx);
  assert.ok(['text', 'image', 'audio', 'video', 'file', 'system'].includes(m.type), `type: ${ctx}`);
  assert.equal(typeof m.text, 'string', ctx);
  assert.ok(m.media === null || (typeof m.media === 'object' && typeof m.media.id === 'string'), `media: ${ctx}`);
  assert.ok(m.reply_to === null || typeof m.reply_to === 'string', `reply_to: ${ctx}`);
  assert.ok(Number.isInteger(m.created_at) && m.created_at > 1.6e12, `created_at in ms: ${ctx}`);
  assert.equal(typeof m.deleted, 'boolean', ctx);
}

/** Asserts an error answer: status, JSON {"error":{"code","message"}} with the given code. */
export function assertError(res, status, code, what = '') {
  const ctx = `${what} -> ${res.status} ${res.text}`;
  assert.equal(res.status, status, `status: ${ctx}`);
  assert.ok(res.json && typeof res.json === 'object', `JSON error body expected: ${ctx}`);
  assert.ok(res.json.error && typeof res.json.error === 'object', `error object expected: ${ctx}`);
  assert.equal(res.json.error.code, code, `error code: ${ctx}`);
  assert.equal(typeof res.json.error.message, 'string', `error message: ${ctx}`);
  assert.ok(res.json.error.message.length > 0, `non-empty error message: ${ctx}`);
}

/**
 * Asserts a socket ack (/ws or Socket.IO) carrying {error: {code, message}} with the given
 * code (any code if null).
 */
export function assertAckError(ack, code, what = '') {
  const ctx = `${what}: ack ${JSON.stringify(ack)?.slice(0, 400)}`;
  assert.ok(ack && typeof ack === 'object' && ack.error && typeof ack.error === 'object', `error ack expected, ${ctx}`);
  if (code !== null) assert.equal(ack.error.code, code, `error code, ${ctx}`);
  else assert.equal(typeof ack.error.code, 'string', `error code, ${ctx}`);
  assert.equal(typeof ack.error.message, 'string', `error message, ${ctx}`);
  assert.ok(ack.error.message.length > 0, `non-empty error message, ${ctx}`);
}

/** Asserts a positive integer Retry-After header (seconds) and returns it. */
export function assertRetryAfter(res, what = '') {
  const v = res.headers.get('retry-after');
  assert.ok(v !== null, `Retry-After header expected: ${what} -> ${res.status} ${res.text}`);
  assert.match(v, /^\d+$/, `Retry-After must be whole seconds, got ${v}`);
  const n = Number(v);
  assert.ok(n >= 1, `Retry-After must be >= 1, got ${v}`);
  return n;
}

/** Asserts the shape of a User object. */
export function assertUser(u, what = 'user') {
  assert.ok(u && typeof u === 'object', `${what}: object expected, got ${JSON.stringify(u)}`);
  for (const k of ['id', 'phone', 'name', 'about', 'image_id', 'created_at', 'last_seen_at']) {
    assert.ok(k in u, `${what}: field ${k} missing in ${JSON.stringify(u)}`);
  }
  assert.equal(typeof u.id, 'string', `${what}.id`);
  assert.ok(u.id.length > 0, `${what}.id non-empty`);
  assert.match(u.phone, /^\+[1-9]\d{6,14}$/, `${what}.phone E.164`);
  assert.ok(Number.isInteger(u.created_at), `${what}.created_at integer ms`);
  // Milliseconds since the epoch: after 2020, not in the far future.
  assert.ok(u.created_at > 1_577_836_800_000 && u.created_at < Date.now() + 86_400_000, `${what}.created_at in ms`);
  assert.ok(u.last_seen_at === null || Number.isInteger(u.last_seen_at), `${what}.last_seen_at`);
}

// ---------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------

/** Whether servers keep their media on the S3 server (the scaled shape) rather than in a folder. */
export const MEDIA_ON_S3 = Boolean(process.env.FLOW_TEST_POSTGRES_URL && process.env.FLOW_TEST_S3_ENDPOINT);

/**
 * The flags that put a server with data dir `dir` on the scaled shape's backends, or
 * none on the embedded shape (flags the test gives itself win). Its database is made on first use and kept in the data
 * dir, so a restart on the same dir finds the same data. `redisUrl`: the Redis between its nodes, if any.
 */
async function backendArgs(dir, extraArgs, redisUrl) {
  const admin = process.env.FLOW_TEST_POSTGRES_URL;
  if (!admin) return [];
  const file = path.join(dir, 'postgres-url');
  let url = await readFile(file, 'utf8').catch(() => null);
  if (!url) {
    const name = `flow_${randomBytes(6).toString('hex')}`;
    await new Promise((resolve, reject) =>
      execFile('psql', [admin, '-qAtc', `CREATE DATABASE ${name}`], (err, _out, stderr) =>
        err ? reject(new Error(`CREATE DATABASE ${name}: ${stderr || err.message}`)) : resolve()),
    );
    const parsed = new URL(admin);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
    await writeFile(file, url);
  }
  const args = ['--db', url.trim()];
  if (redisUrl) args.push('--redis', redisUrl);
  if (MEDIA_ON_S3 && !extraArgs.includes('--media')) {
    const s3 = process.env.FLOW_TEST_S3_ENDPOINT;
    args.push('--media', 's3://media', '--s3-endpoint', s3, '--s3-access-key', 'S3RVER', '--s3-secret-key', 'S3RVER');
  }
  return args;
}

const live = new Set(); // every node process still running, to kill on exit

/** How many flowd processes one server is: two on the cluster shape (Redis between them). */
export const NODES = process.env.FLOW_TEST_POSTGRES_URL && process.env.FLOW_TEST_REDIS_URL ? 2 : 1;

const running = (node) => node.proc.exitCode === null && node.proc.signalCode === null;

/** Starts node `i` of server `f` and waits until it answers /health. */
async function spawnNode(f, i) {
  const port = await freePort();
  const args = [
    '--host', '127.0.0.1',
    '--port', String(port),
    '--data-dir', f.dataDir,
    '--sms', `webhook:${f.sms.url}`,
    ...(await backendArgs(f.dataDir, f.extraArgs, f.redisUrl)),
    ...f.extraArgs,
  ];
  const proc = spawn(FLOWD, args, {
    cwd: f.dataDir,
    env: { ...process.env, ...(f.env || {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const node = { proc, port, url: `http://127.0.0.1:${port}`, exit: null };
  const runNo = f.logs.length;
  f.logs.push(`--- flowd${NODES > 1 ? ` node ${i + 1}` : ''} ${args.join(' ')}\n`);
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', (d) => f.logs.push(d));
  proc.stderr.on('data', (d) => f.logs.push(d));
  node.exit = new Promise((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }));
    proc.on('error', (err) => resolve({ code: null, signal: null, error: err }));
  });
  let exited = null;
  node.exit.then((e) => {
    exited = e;
    live.delete(proc);
  });
  live.add(proc);

  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastErr;
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const res = await fetch(`${node.url}/health`, { signal: AbortSignal.timeout(1000) });
      await res.text();
      if (res.status === 200) return node;
      lastErr = new Error(`GET /health -> ${res.status}`);
    } catch (e) {
      lastErr = e;
    }
    await sleep(50);
  }
  if (!exited) {
    proc.kill('SIGKILL');
    await node.exit;
  }
  throw new Error(
    `flowd did not become healthy within ${START_TIMEOUT_MS} ms ` +
      `(${exited ? `exited ${JSON.stringify(exited)}` : `last error: ${lastErr?.message}`})\n` +
      `server output:\n${f.logs.slice(runNo).join('')}`,
  );
}

// What a sanitizer build of flowd (make sanitize, make tsan) prints when it finds a
// memory error, undefined behaviour, a leak or a data race.
const SANITIZER_REPORT = /^(==\d+==ERROR: \w+Sanitizer|WARNING: ThreadSanitizer|SUMMARY: \w+Sanitizer|.*: runtime error: )/m;

/** Fails when a server printed a sanitizer report, whatever its exit. */
function assertNoSanitizerReport(f) {
  const output = f.output();
  assert.doesNotMatch(output, SANITIZER_REPORT, `flowd printed a sanitizer report\n${output}`);
}

/** SIGTERM to one node; asserts a clean exit (code 0) within 10 s. */
async function stopNode(f, node) {
  node.proc.kill('SIGTERM');
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
  });
  const result = await Promise.race([node.exit, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    node.proc.kill('SIGKILL');
    await node.exit;
    assert.fail(`flowd did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n${f.output()}`);
  }
  assert.deepEqual(
    { code: result.code, signal: result.signal },
    { code: 0, signal: null },
    `flowd exit after SIGTERM\n${f.output()}`,
  );
  assertNoSanitizerReport(f);
}

/**
 * Starts build/flowd. Options: dataDir (use this dir and don't remove it), sms (reuse a
 * webhook from startSmsWebhook), env (extra environment), redisUrl (on the scaled shape,
 * the Redis its nodes share instead of FLOW_TEST_REDIS_URL's, e.g. one the test can stop).
 */
export async function startFlowd(extraArgs = [], { dataDir, sms, env, redisUrl = process.env.FLOW_TEST_REDIS_URL } = {}) {
  if (!existsSync(FLOWD)) throw new Error(`server binary not found: ${FLOWD}`);
  const ownsDataDir = !dataDir;
  const dir = dataDir || (await mkdtemp(path.join(os.tmpdir(), 'flowd-it-')));
  const ownsSms = !sms;
  const hook = sms || (await startSmsWebhook());

  const f = {
    dataDir: dir,
    sms: hook,
    extraArgs,
    env,
    redisUrl,
    nodes: [], // one {proc, port, url, exit} per flowd process: two on the cluster shape
    logs: [], // output of every process run on this instance, in order
    turn: 0,

    /**
     * The URL of a node to talk to: on the cluster shape each use takes the next node,
     * so a test's requests and sockets spread over both.
     */
    get baseUrl() {
      const live = f.nodes.filter(running);
      const pool = live.length ? live : f.nodes;
      return pool[f.turn++ % pool.length]?.url ?? '';
    },
    /** The first node's port and process. */
    get port() {
      return f.nodes[0]?.port ?? 0;
    },
    get proc() {
      return f.nodes[0]?.proc ?? null;
    },

    /** The flags of the stores this server's nodes use (data dir, database, Redis, S3), for flowctl. */
    async storeArgs() {
      return ['--data-dir', f.dataDir, ...(await backendArgs(f.dataDir, f.extraArgs, f.redisUrl))];
    },

    /** Everything the server(s) printed (stdout and stderr) so far. */
    output() {
      return f.logs.join('');
    },

    request(method, urlPath, opts) {
      return request(f.baseUrl, method, urlPath, opts);
    },

    /** enter_number + the code from the webhook + verify_otp. */
    async signIn(phone, { device } = {}) {
      const en = await f.request('POST', '/auth/enter_number', { body: { phone } });
      assert.equal(en.status, 200, `enter_number ${phone} -> ${en.status} ${en.text}`);
      const code = await hook.nextCode(en.json.phone);
      const body = { phone, code };
      if (device !== undefined) body.device = device;
      const v = await f.request('POST', '/auth/verify_otp', { body });
      assert.equal(v.status, 200, `verify_otp ${phone} -> ${v.status} ${v.text}`);
      return v.json;
    },

    /** `n` new users at once, named `${prefix} 1`, ...: [{phone, token, id, user}]. */
    async signUpMany(n, prefix = 'User') {
      const signed = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const phone = uniquePhone();
          return { phone, ...(await f.signUp(phone, { name: `${prefix} ${i + 1}` })) };
        }),
      );
      return signed.map(({ phone, token, user }) => ({ phone, token, id: user.id, user }));
    },

    /** signIn + register_user; returns {token, user (the registered profile)}. */
    async signUp(phone, profile = { name: 'Test User' }) {
      const s = await f.signIn(phone);
      const r = await f.request('POST', '/auth/register_user', { body: profile, token: s.token });
      assert.equal(r.status, 200, `register_user -> ${r.status} ${r.text}`);
      return { token: s.token, user: r.json, new_user: s.new_user };
    },

    // One after the other: the first node makes the data dir's secret key, which the
    // others then share.
    async _spawn() {
      f.nodes = [];
      for (let i = 0; i < NODES; i++) f.nodes.push(await spawnNode(f, i));
    },

    get running() {
      return f.nodes.some(running);
    },

    /** SIGTERM to every node; asserts a clean exit (code 0) within 10 s. */
    async stop() {
      await Promise.all(f.nodes.filter(running).map((node) => stopNode(f, node)));
    },

    /** SIGKILL (kill -9) to every node, or to node `i` alone; waits for them to be gone. */
    async kill(i) {
      const nodes = i === undefined ? f.nodes : [f.nodes[i]];
      await Promise.all(
        nodes.filter(running).map(async (node) => {
          node.proc.kill('SIGKILL');
          await node.exit;
        }),
      );
    },

    /** Starts the server again on the same data dir (stopping it first if it runs). */
    async restart({ args } = {}) {
      if (f.running) await f.stop();
      if (args) f.extraArgs = args;
      await f._spawn();
    },

    /** Stop cleanly (asserting exit 0), then clean up whatever happens. */
    async shutdown() {
      try {
        await f.stop();
      } finally {
        await f.cleanup();
      }
    },

    /**
     * Kill whatever still runs, close the webhook, remove the temp data dir; fails if a
     * sanitizer build of flowd reported an error.
     */
    async cleanup() {
      await f.kill();
      if (ownsSms) await hook.close();
      if (ownsDataDir) await rm(f.dataDir, { recursive: true, force: true });
      assertNoSanitizerReport(f);
    },
  };

  try {
    await f._spawn();
  } catch (e) {
    await f.cleanup();
    throw e;
  }
  return f;
}

// Belt and braces: never leave a server behind if the test process goes away.
process.on('exit', () => {
  for (const proc of live) {
    try {
      proc.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});
