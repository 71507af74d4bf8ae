// Fake push services for the integration tests: Web Push (RFC 8030/8291/8292), Google's
// OAuth2 token endpoint with FCM's HTTP v1 API, APNs (HTTP/2, token auth) and UnifiedPush,
// each on 127.0.0.1 on a port the OS picks, over TLS with a certificate from a throwaway CA
// (Flow gets its file as --push-ca-file). Each verifies what the real service verifies
// (signatures, claims, headers, body shape), records what it accepted, and answers a
// request it refuses as the real service would, recording the refusal with its reason.
//
//   const push = await startPushServices();
//   const f = await startFlowd([...ARGS, ...push.flowArgs()]);
//   const sub = push.webpush.subscribe({ applicationServerKey: vapidKey }); // {endpoint, keys}
//   ... PUT /devices/current/push {kind: 'webpush', ...sub}, send a message ...
//   const got = await push.webpush.waitFor((r) => r.payload.chat_id === chatId);
//   assert.deepEqual(push.rejected(), []);
//   push.webpush.failNext(410);                // the next accepted push is answered 410
//   push.apns.delay(5000);                     // every answer waits 5 s until delay(0)
//   push.reset();                              // records, scripts and delays, every service
//   await push.stop();
//
// Every service (push.webpush, push.fcm, push.fcm.oauth, push.apns, push.unifiedpush) has:
//   received     records of the requests it accepted and answered 2xx, in order
//   rejected     {reason, detail, status, method, path, headers, at}: requests it refused
//                because they were wrong (bad signature, claim, header, body...)
//   attempts     {at, status, outcome, record?, reason?} for every request, outcome one of
//                'accepted', 'failed' (scripted by failNext), 'gone' (unregistered),
//                'rejected', 'validated' (FCM validate_only), 'aborted' (the client left
//                before its body was whole)
//   failNext(status, {retryAfter, times = 1, body})   answer the next `times` requests that
//                would have been accepted with `status` (and Retry-After: retryAfter, and
//                the service's usual error body for that status unless `body` is given);
//                they are recorded in attempts, not in received
//   delay(ms)    hold every answer ms (measured from arrival) until delay(0)
//   waitFor(predicate = () => true, timeoutMs = 5000)   the first record in received that
//                matches, as soon as there is one (rejects with what arrived on timeout)
//   waitUntil(check, timeoutMs = 5000)   check() re-evaluated after every request; resolves
//                with its first truthy value
//   unregister(endpoint or token)   later pushes to it are answered as the service answers
//                a dead registration (410; FCM 404 UNREGISTERED)
//   reset()      clears received, rejected, attempts, failNext scripts, the delay and
//                unregistrations (and apns.providerTokens); issued FCM access tokens stay good
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ece from 'http_ece';

const run = promisify(execFile);

const MAX_READ = 64 * 1024; // larger bodies are refused before reading on
const WEBPUSH_MAX = 4096; // RFC 8030 push services take at least 4096 octets; autopush no more
const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

// ---------------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------------

/**
 * A CA (P-256, valid 2 days) and a server certificate it signs for IP 127.0.0.1 and DNS
 * localhost, made with the openssl CLI in dir. Resolves {caFile, caPem, key, cert}.
 */
async function makeCertificates(dir) {
  const file = (name) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2',
    '-subj', '/CN=Flow test push CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1']);
  await writeFile(file('server.ext'), [
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
    '',
  ].join('\n'));
  await run('openssl', ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'),
    '-set_serial', `0x${crypto.randomBytes(8).toString('hex')}`, '-days', '2', '-sha256',
    '-extfile', file('server.ext'), '-out', file('server.pem')]);
  const [caPem, key, cert] = await Promise.all(['ca.pem', 'server.key', 'server.pem'].map((n) => readFile(file(n), 'utf8')));
  return { caFile: file('ca.pem'), caPem, key, cert };
}

// ---------------------------------------------------------------------------------
// JWT (compact JWS) checks
// ---------------------------------------------------------------------------------

/** Thrown by a handler: the request is refused with this answer and recorded in rejected. */
class Refusal extends Error {
  constructor(status, reason, detail, body, headers = {}) {
    super(`${status} ${reason}: ${detail}`);
    Object.assign(this, { status, reason, detail, body, headers });
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const fromB64url = (s) => Buffer.from(s, 'base64url');

/**
 * Splits and checks a compact JWS and verifies its signature with key. alg is 'ES256'
 * (raw r||s, 64 bytes, as RFC 7518 says; a DER signature is refused) or 'RS256'. Returns
 * {header, claims} or throws Error(why).
 */
function verifyJwt(jwt, alg, key) {
  const parts = String(jwt).split('.');
  if (parts.length !== 3) throw new Error(`not a compact JWS (${parts.length} parts)`);
  if (!parts.every((p) => B64URL.test(p))) throw new Error('a JWS part is not unpadded base64url');
  let header;
  let claims;
  try {
    header = JSON.parse(fromB64url(parts[0]).toString('utf8'));
    claims = JSON.parse(fromB64url(parts[1]).toString('utf8'));
  } catch {
    throw new Error('header or claims are not JSON');
  }
  if (!header || typeof header !== 'object' || !claims || typeof claims !== 'object' || Array.isArray(claims)) {
    throw new Error('header or claims are not JSON objects');
  }
  if (header.alg !== alg) throw new Error(`alg is ${JSON.stringify(header.alg)}, not ${alg}`);
  if (header.typ !== undefined && String(header.typ).toUpperCase() !== 'JWT') throw new Error(`typ is ${JSON.stringify(header.typ)}`);
  const signature = fromB64url(parts[2]);
  const input = Buffer.from(`${parts[0]}.${parts[1]}`);
  let ok;
  if (alg === 'ES256') {
    if (signature.length !== 64) throw new Error(`ES256 signature is ${signature.length} bytes, not 64 (r||s; DER is wrong)`);
    ok = crypto.verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } else {
    ok = crypto.verify('sha256', input, key, signature);
  }
  if (!ok) throw new Error('signature does not verify');
  return { header, claims };
}

const isNumericDate = (v) => typeof v === 'number' && Number.isFinite(v);
const nowSeconds = () => Date.now() / 1000;

/** A P-256 public key object from its uncompressed point (65 bytes, 0x04 || x || y). */
function p256PublicKey(point) {
  if (point.length !== 65 || point[0] !== 4) throw new Error(`not an uncompressed P-256 point (${point.length} bytes)`);
  return crypto.createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
}

// ---------------------------------------------------------------------------------
// A fake service: records, scripts, waiting
// ---------------------------------------------------------------------------------

class FakeService {
  /**
   * name: for messages. failureBody(status): the body (object, or string) the real service
   * sends with that status. goneStatus: what a request to an unregistered endpoint gets.
   */
  constructor(name, { failureBody, goneStatus = 410, signal }) {
    this.name = name;
    this.received = [];
    this.rejected = [];
    this.attempts = [];
    this.gone = new Set();
    this._failureBody = failureBody;
    this._goneStatus = goneStatus;
    this._failures = [];
    this._delayMs = 0;
    this._waiters = new Set();
    this._signal = signal;
  }

  failNext(status, { retryAfter, times = 1, body } = {}) {
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error(`failNext: bad status ${status}`);
    this._failures.push({ status, retryAfter, left: times, body });
  }

  delay(ms) {
    this._delayMs = Math.max(0, Number(ms) || 0);
  }

  unregister(key) {
    this.gone.add(String(key));
  }

  reset() {
    this.received.length = 0;
    this.rejected.length = 0;
    this.attempts.length = 0;
    this._failures.length = 0;
    this._delayMs = 0;
    this.gone.clear();
  }

  waitUntil(check, timeoutMs = 5000) {
    const first = check();
    if (first) return Promise.resolve(first);
    return new Promise((resolve, reject) => {
      const waiter = () => {
        let value;
        try {
          value = check();
        } catch (e) {
          done();
          reject(e);
          return;
        }
        if (value) {
          done();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: nothing matched within ${timeoutMs} ms; ${this.summary()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this._waiters.delete(waiter);
      };
      this._waiters.add(waiter);
    });
  }

  waitFor(predicate = () => true, timeoutMs = 5000) {
    return this.waitUntil(() => this.received.find(predicate), timeoutMs);
  }

  summary() {
    const rejected = this.rejected.map((r) => `${r.status} ${r.reason} (${r.detail})`);
    return `received ${this.received.length}, attempts ${JSON.stringify(this.attempts.map((a) => `${a.status} ${a.outcome}`))}, rejected ${JSON.stringify(rejected)}`;
  }

  _notify() {
    for (const waiter of [...this._waiters]) waiter();
  }

  _takeFailure() {
    const f = this._failures[0];
    if (!f) return null;
    if (--f.left <= 0) this._failures.shift();
    return f;
  }

  /**
   * Runs handler(request) for one request and answers. handler returns
   *   {record, status, headers, body, errorHeaders?, goneKey?, validated?, onAccepted?} for a
   *   good request, or throws Refusal for a wrong one.
   * A good request to an unregistered goneKey, or while failNext is scripted, gets that
   * answer (with errorHeaders) instead; onAccepted() runs once it is recorded as received.
   */
  async serve(req, res, handler) {
    const at = Date.now();
    const holdUntil = at + this._delayMs;
    const request = {
      method: req.method,
      path: req.url,
      headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !k.startsWith(':'))),
      httpVersion: req.httpVersion,
      body: Buffer.alloc(0),
      at,
    };
    let answer;
    try {
      request.body = await readBody(req);
    } catch (e) {
      if (!(e instanceof Refusal)) {
        // The client went away before its body was whole: nothing to verify or answer.
        this.attempts.push({ at, status: null, outcome: 'aborted', reason: e.message });
        this._notify();
        return;
      }
      request.refusal = e;
    }
    try {
      if (request.refusal) throw request.refusal;
      answer = await handler(request);
    } catch (e) {
      const refusal = e instanceof Refusal ? e : new Refusal(500, 'FakeError', e.stack || String(e));
      this.rejected.push({
        reason: refusal.reason, detail: refusal.detail, status: refusal.status,
        method: request.method, path: request.path, headers: request.headers, at,
      });
      this.attempts.push({ at, status: refusal.status, outcome: 'rejected', reason: refusal.reason });
      answer = { status: refusal.status, headers: refusal.headers, body: refusal.body ?? this._failureBody(refusal.status, refusal.reason) };
    }
    if (answer.record) {
      const gone = answer.goneKey !== undefined && this.gone.has(answer.goneKey);
      const failure = gone ? null : this._takeFailure();
      if (gone) {
        this.attempts.push({ at, status: this._goneStatus, outcome: 'gone', record: answer.record });
        answer = { status: this._goneStatus, headers: answer.errorHeaders, body: this._failureBody(this._goneStatus) };
      } else if (failure) {
        this.attempts.push({ at, status: failure.status, outcome: 'failed', record: answer.record });
        const headers = { ...answer.errorHeaders };
        if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
        answer = { status: failure.status, headers, body: failure.body ?? this._failureBody(failure.status) };
      } else if (answer.validated) {
        this.attempts.push({ at, status: answer.status, outcome: 'validated', record: answer.record });
      } else {
        this.received.push(answer.record);
        this.attempts.push({ at, status: answer.status, outcome: 'accepted', record: answer.record });
        answer.onAccepted?.();
      }
    }
    this._notify();
    await sleepUntil(holdUntil, this._signal);
    writeAnswer(res, answer);
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_READ) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_READ) reject(new Refusal(413, 'PayloadTooLarge', `body of ${size} bytes`));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('the client aborted the request')));
  });
}

function sleepUntil(t, signal) {
  const ms = t - Date.now();
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    }
    signal.addEventListener('abort', finish);
  });
}

function writeAnswer(res, { status, headers = {}, body }) {
  if (res.destroyed || res.writableEnded || (res.stream && res.stream.destroyed)) return;
  let data = '';
  const out = { ...headers };
  if (body !== undefined && body !== null && body !== '') {
    data = typeof body === 'string' ? body : JSON.stringify(body);
    if (!out['content-type']) out['content-type'] = typeof body === 'string' ? 'text/plain' : 'application/json';
  }
  try {
    res.writeHead(status, out);
    res.end(data);
  } catch {
    // The client went away.
  }
}

// ---------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------

/**
 * A TLS server on 127.0.0.1 (HTTP/2, and HTTP/1.1 too when allowHTTP1) calling
 * route(req, res). Resolves {port, origin, close()}; close() drops every connection.
 */
async function listenTls(tls, allowHTTP1, route) {
  const server = http2.createSecureServer({ key: tls.key, cert: tls.cert, allowHTTP1 }, route);
  return listen(server, 'https');
}

async function listenPlain(route) {
  return listen(http.createServer(route), 'http');
}

async function listen(server, scheme) {
  const sockets = new Set();
  const sessions = new Set();
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('tlsClientError', () => {});
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address();
  return {
    port,
    origin: `${scheme}://127.0.0.1:${port}`,
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sessions) s.destroy();
        for (const s of sockets) s.destroy();
      });
    },
  };
}

function notFound(req, res) {
  writeAnswer(res, { status: 404, body: { error: `no route ${req.method} ${req.url}` } });
}

const randomId = () => crypto.randomBytes(12).toString('base64url');
const upperAlnum = (n) => Array.from(crypto.randomBytes(n), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[b % 36]).join('');

function parseJson(buffer) {
  try {
    return JSON.parse(buffer.toString('utf8'));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------
// Web Push (RFC 8030 push service, RFC 8291 message encryption, RFC 8292 VAPID)
// ---------------------------------------------------------------------------------

const URGENCIES = ['very-low', 'low', 'normal', 'high'];

async function startWebPush(tls, signal) {
  const svc = new FakeService('webpush', {
    signal,
    // As Mozilla's autopush answers errors.
    failureBody: (status, reason) => ({ code: status, error: http.STATUS_CODES[status] ?? 'Error', message: reason ?? http.STATUS_CODES[status] }),
  });
  const subscriptions = new Map(); // id -> {ecdh, auth, endpoint, applicationServerKey}
  const server = await listenTls(tls, true, (req, res) => {
    if (/^\/push\//.test(req.url)) svc.serve(req, res, handle);
    else notFound(req, res);
  });
  const origin = server.origin;
  const refuse = (status, detail) => {
    throw new Refusal(status, http.STATUS_CODES[status], detail);
  };

  function checkVapid(authorization, sub, now) {
    if (!authorization) refuse(401, 'no Authorization header (RFC 8292: vapid t=..., k=...)');
    const m = /^vapid\s+(.+)$/i.exec(authorization.trim());
    if (!m) refuse(401, `Authorization is not the vapid scheme: ${authorization.slice(0, 40)}`);
    const params = {};
    for (const part of m[1].split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) refuse(401, `vapid parameter without '=': ${part.trim()}`);
      params[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    }
    if (!params.t || !params.k) refuse(401, 'vapid needs both t and k');
    if (!B64URL.test(params.k)) refuse(403, 'k is not unpadded base64url');
    const k = fromB64url(params.k);
    let key;
    try {
      key = p256PublicKey(k);
    } catch (e) {
      refuse(403, `k: ${e.message}`);
    }
    if (sub.applicationServerKey && !sub.applicationServerKey.equals(k)) {
      refuse(403, 'k is not the applicationServerKey the subscription was made with');
    }
    let claims;
    try {
      ({ claims } = verifyJwt(params.t, 'ES256', key));
    } catch (e) {
      refuse(403, `vapid JWT: ${e.message}`);
    }
    if (claims.aud !== origin) refuse(403, `aud is ${JSON.stringify(claims.aud)}, not the push resource's origin ${origin}`);
    if (!isNumericDate(claims.exp)) refuse(403, 'exp missing or not a number');
    if (claims.exp <= now) refuse(403, `exp ${claims.exp} has passed (now ${Math.floor(now)})`);
    if (claims.exp > now + 86400) refuse(403, `exp ${claims.exp} is more than 24 h ahead (now ${Math.floor(now)})`);
    if (typeof claims.sub !== 'string' || !/^(mailto:[^@\s]+@[^@\s]+|https:\/\/\S+)$/.test(claims.sub)) {
      refuse(403, `sub is ${JSON.stringify(claims.sub)}, not a mailto: or https: URL`);
    }
    return { k: params.k, sub: claims.sub, aud: claims.aud, exp: claims.exp };
  }

  /** RFC 8291 section 4: one record, keyid = the sender's 65-byte P-256 key; RFC 8188 header. */
  function decrypt(body, sub) {
    if (body.length === 0) refuse(400, 'Content-Encoding aes128gcm with an empty body');
    if (body.length > WEBPUSH_MAX) refuse(413, `body of ${body.length} bytes; the limit is ${WEBPUSH_MAX}`);
    if (body.length < 21) refuse(400, 'body shorter than the aes128gcm header');
    const rs = body.readUInt32BE(16);
    const idlen = body[20];
    if (idlen !== 65) refuse(400, `aes128gcm keyid is ${idlen} bytes, not the sender's 65-byte P-256 key`);
    const ciphertext = body.length - 21 - idlen;
    if (rs < 18) refuse(400, `rs ${rs} < 18`);
    if (ciphertext < 17) refuse(400, `ciphertext of ${ciphertext} bytes: less than a tag and a delimiter`);
    if (ciphertext > rs) refuse(400, `ciphertext of ${ciphertext} bytes exceeds rs ${rs}: more than one record (RFC 8291 asks for one)`);
    try {
      p256PublicKey(body.subarray(21, 21 + idlen));
    } catch (e) {
      refuse(400, `keyid: ${e.message}`);
    }
    try {
      return ece.decrypt(body, { version: 'aes128gcm', privateKey: sub.ecdh, authSecret: sub.auth.toString('base64url') });
    } catch (e) {
      refuse(400, `cannot decrypt: ${e.message}`);
    }
  }

  function handle(r) {
    const id = /^\/push\/([A-Za-z0-9_-]+)$/.exec(r.path)?.[1];
    if (!id) refuse(404, `no push resource at ${r.path}`);
    if (r.method !== 'POST') refuse(405, `${r.method} on a push resource`);
    const sub = subscriptions.get(id);
    if (!sub) refuse(404, `no subscription ${id}`);
    const vapid = checkVapid(r.headers.authorization, sub, nowSeconds());
    const ttlHeader = r.headers.ttl;
    if (ttlHeader === undefined) refuse(400, 'no TTL header (RFC 8030 section 5.2)');
    if (!/^\d+$/.test(ttlHeader)) refuse(400, `TTL ${JSON.stringify(ttlHeader)} is not a non-negative integer`);
    const urgency = r.headers.urgency ?? null;
    if (urgency !== null && !URGENCIES.includes(urgency)) refuse(400, `Urgency ${JSON.stringify(urgency)} is not one of ${URGENCIES.join('|')}`);
    const topic = r.headers.topic ?? null;
    if (topic !== null && !/^[A-Za-z0-9_-]{1,32}$/.test(topic)) refuse(400, `Topic ${JSON.stringify(topic)} is not 1-32 base64url characters`);
    const encoding = r.headers['content-encoding'];
    if (encoding?.toLowerCase() !== 'aes128gcm') refuse(400, `Content-Encoding is ${JSON.stringify(encoding)}, not aes128gcm (RFC 8291)`);
    const plaintext = decrypt(r.body, sub);
    const body = plaintext.toString('utf8');
    const record = {
      id, endpoint: sub.endpoint, headers: r.headers, ttl: Number(ttlHeader), urgency, topic,
      body, payload: parseJson(plaintext) ?? null, vapid, httpVersion: r.httpVersion, at: r.at,
    };
    return {
      record, goneKey: sub.endpoint, status: 201,
      headers: { location: `${origin}/m/${randomId()}`, ttl: ttlHeader },
    };
  }

  return Object.assign(svc, {
    origin,
    /**
     * A new subscription, as a browser's PushSubscription.toJSON() gives it:
     * {endpoint, expirationTime: null, keys: {p256dh, auth}} (base64url). With
     * applicationServerKey (base64url or bytes of the uncompressed P-256 key) only pushes
     * signed with that VAPID key are accepted, as browsers restrict subscriptions.
     */
    subscribe({ applicationServerKey } = {}) {
      const id = randomId();
      const ecdh = crypto.createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = crypto.randomBytes(16);
      const endpoint = `${origin}/push/${id}`;
      const restriction = applicationServerKey === undefined ? null
        : Buffer.isBuffer(applicationServerKey) || applicationServerKey instanceof Uint8Array ? Buffer.from(applicationServerKey)
          : fromB64url(applicationServerKey);
      subscriptions.set(id, { ecdh, auth, endpoint, applicationServerKey: restriction });
      return {
        endpoint,
        expirationTime: null,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      };
    },
    close: server.close,
  });
}

// ---------------------------------------------------------------------------------
// OAuth2 token endpoint (JWT bearer grant, RFC 7523) + FCM HTTP v1
// ---------------------------------------------------------------------------------

const FCM_ERROR_CODES = {
  400: ['INVALID_ARGUMENT', 'INVALID_ARGUMENT'],
  401: ['UNAUTHENTICATED', 'THIRD_PARTY_AUTH_ERROR'],
  403: ['PERMISSION_DENIED', 'SENDER_ID_MISMATCH'],
  404: ['NOT_FOUND', 'UNREGISTERED'],
  429: ['RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED'],
  500: ['INTERNAL', 'INTERNAL'],
  503: ['UNAVAILABLE', 'UNAVAILABLE'],
};
const MESSAGE_FIELDS = new Set(['name', 'data', 'notification', 'android', 'webpush', 'apns', 'fcm_options', 'token', 'topic', 'condition']);
const ANDROID_FIELDS = new Set(['collapse_key', 'priority', 'ttl', 'restricted_package_name', 'data', 'notification',
  'fcm_options', 'direct_boot_ok', 'bandwidth_constrained_ok', 'restricted_satellite_ok']);

/** Google's error body for the FCM v1 API. */
function fcmErrorBody(status, message) {
  const [grpc, fcmCode] = FCM_ERROR_CODES[status] ?? ['UNKNOWN', 'UNSPECIFIED_ERROR'];
  return {
    error: {
      code: status,
      message: message ?? (status === 404 ? 'Requested entity was not found.' : http.STATUS_CODES[status]),
      status: grpc,
      details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: fcmCode }],
    },
  };
}

async function startFcm(tls, dir, signal, { projectId }) {
  const oauth = new FakeService('fcm-oauth', {
    signal,
    failureBody: (status, reason) => (status === 400 || status === 401
      ? { error: reason ?? 'invalid_grant', error_description: http.STATUS_CODES[status] }
      : { error: 'server_error', error_description: http.STATUS_CODES[status] ?? 'Error' }),
  });
  const svc = new FakeService('fcm', { signal, goneStatus: 404, failureBody: (status) => fcmErrorBody(status) });

  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const accessTokens = new Map(); // token -> expiry (ms)

  const tokenServer = await listenTls(tls, true, (req, res) => {
    if (req.url === '/token') oauth.serve(req, res, grant);
    else notFound(req, res);
  });
  const fcmServer = await listenTls(tls, true, (req, res) => {
    if (req.url.startsWith('/v1/')) svc.serve(req, res, send);
    else notFound(req, res);
  });

  const clientEmail = `flow-push@${projectId}.iam.gserviceaccount.com`;
  const serviceAccount = {
    type: 'service_account',
    project_id: projectId,
    private_key_id: crypto.randomBytes(20).toString('hex'),
    private_key: privateKey,
    client_email: clientEmail,
    client_id: String(100_000_000_000_000_000_000n + BigInt(`0x${crypto.randomBytes(8).toString('hex')}`)),
    auth_uri: `${tokenServer.origin}/o/oauth2/auth`,
    token_uri: `${tokenServer.origin}/token`,
    auth_provider_x509_cert_url: `${tokenServer.origin}/oauth2/v1/certs`,
    client_x509_cert_url: `${tokenServer.origin}/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
    universe_domain: 'googleapis.com',
  };
  const credentialsFile = path.join(dir, 'fcm-service-account.json');
  await writeFile(credentialsFile, JSON.stringify(serviceAccount, null, 2));

  const invalidGrant = (detail, error = 'invalid_grant') => {
    throw new Refusal(400, error, detail, { error, error_description: detail });
  };

  function grant(r) {
    if (r.method !== 'POST') throw new Refusal(405, 'method_not_allowed', `${r.method} /token`, { error: 'invalid_request', error_description: 'POST only' });
    const type = r.headers['content-type'] ?? '';
    if (!/^application\/x-www-form-urlencoded\b/i.test(type)) invalidGrant(`Content-Type ${JSON.stringify(type)}, not application/x-www-form-urlencoded`, 'invalid_request');
    const form = new URLSearchParams(r.body.toString('utf8'));
    if (form.get('grant_type') !== JWT_BEARER) invalidGrant(`grant_type ${JSON.stringify(form.get('grant_type'))}, not ${JWT_BEARER}`, 'unsupported_grant_type');
    const assertion = form.get('assertion');
    if (!assertion) invalidGrant('no assertion', 'invalid_request');
    let header;
    let claims;
    try {
      ({ header, claims } = verifyJwt(assertion, 'RS256', publicKey));
    } catch (e) {
      invalidGrant(`Invalid JWT Signature: ${e.message}`);
    }
    if (header.kid !== undefined && header.kid !== serviceAccount.private_key_id) invalidGrant(`kid ${JSON.stringify(header.kid)} is not the account's private_key_id`);
    if (claims.iss !== clientEmail) invalidGrant(`iss ${JSON.stringify(claims.iss)}, not ${clientEmail}`);
    if (claims.aud !== serviceAccount.token_uri) invalidGrant(`aud ${JSON.stringify(claims.aud)}, not the token_uri ${serviceAccount.token_uri}`);
    if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes(FCM_SCOPE)) invalidGrant(`scope ${JSON.stringify(claims.scope)} lacks ${FCM_SCOPE}`, 'invalid_scope');
    const now = nowSeconds();
    if (!isNumericDate(claims.iat) || !isNumericDate(claims.exp)) invalidGrant('iat or exp missing or not numbers');
    if (claims.iat > now + 1) invalidGrant(`iat ${claims.iat} is in the future (now ${Math.floor(now)}); in seconds, not ms?`);
    if (claims.exp <= now) invalidGrant(`exp ${claims.exp} has passed (now ${Math.floor(now)})`);
    if (claims.exp <= claims.iat || claims.exp - claims.iat > 3600) invalidGrant(`exp - iat = ${claims.exp - claims.iat}: must be within (0, 3600]`);
    const accessToken = `ya29.fake-${crypto.randomBytes(24).toString('base64url')}`;
    return {
      record: { claims, header, headers: r.headers, accessToken, at: r.at },
      status: 200,
      body: { access_token: accessToken, expires_in: 3600, token_type: 'Bearer' },
      // Issued only when answered 200, not when failNext turned the grant down.
      onAccepted: () => accessTokens.set(accessToken, Date.now() + 3600_000),
    };
  }

  const badRequest = (detail) => {
    throw new Refusal(400, 'INVALID_ARGUMENT', detail, fcmErrorBody(400, detail));
  };

  function send(r) {
    const projectInPath = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(r.path)?.[1];
    if (!projectInPath) throw new Refusal(404, 'NOT_FOUND', `no route ${r.path}`, fcmErrorBody(404, `no route ${r.path}`));
    if (r.method !== 'POST') throw new Refusal(405, 'METHOD_NOT_ALLOWED', `${r.method} ${r.path}`, fcmErrorBody(405));
    const bearer = /^Bearer\s+(\S+)$/i.exec(r.headers.authorization ?? '')?.[1];
    const unauthenticated = (detail) => {
      const message = 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.';
      throw new Refusal(401, 'UNAUTHENTICATED', detail, { error: { code: 401, message, status: 'UNAUTHENTICATED' } },
        { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' });
    };
    if (!bearer) unauthenticated('no Authorization: Bearer header');
    const expiry = accessTokens.get(bearer);
    if (expiry === undefined) unauthenticated('a bearer token this token endpoint did not issue');
    if (expiry <= Date.now()) unauthenticated('an expired access token');
    if (decodeURIComponent(projectInPath) !== projectId) {
      const detail = `project ${projectInPath} is not the service account's ${projectId}`;
      throw new Refusal(403, 'PERMISSION_DENIED', detail, fcmErrorBody(403, detail));
    }
    const type = r.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) badRequest(`Content-Type ${JSON.stringify(type)}, not application/json`);
    const json = parseJson(r.body);
    if (!json || typeof json !== 'object' || Array.isArray(json)) badRequest('body is not a JSON object');
    for (const k of Object.keys(json)) if (k !== 'message' && k !== 'validate_only') badRequest(`Invalid JSON payload received. Unknown name "${k}"`);
    const message = json.message;
    if (!message || typeof message !== 'object' || Array.isArray(message)) badRequest('no message object');
    for (const k of Object.keys(message)) if (!MESSAGE_FIELDS.has(k)) badRequest(`Invalid JSON payload received. Unknown name "${k}" at 'message'`);
    const targets = ['token', 'topic', 'condition'].filter((k) => message[k] !== undefined);
    if (targets.length !== 1) badRequest(`message needs exactly one of token, topic, condition (has ${targets.join(', ') || 'none'})`);
    if (typeof message.token !== 'string' || message.token === '') badRequest('message.token is not a non-empty string (Flow sends to device tokens)');
    const data = message.data;
    if (data !== undefined) {
      if (!data || typeof data !== 'object' || Array.isArray(data)) badRequest('message.data is not an object');
      for (const [k, v] of Object.entries(data)) {
        if (typeof v !== 'string') badRequest(`Invalid value at 'message.data[${k}].value' (TYPE_STRING): ${JSON.stringify(v)}`);
        if (k === 'from' || k === 'message_type' || k === 'collapse_key' || /^(google|gcm)/.test(k)) badRequest(`message.data key ${k} is reserved`);
      }
      if (Buffer.byteLength(JSON.stringify(data)) > 4096) badRequest('Message is too big: data over 4096 bytes');
    }
    const android = message.android;
    if (android !== undefined) {
      if (!android || typeof android !== 'object' || Array.isArray(android)) badRequest('message.android is not an object');
      for (const k of Object.keys(android)) if (!ANDROID_FIELDS.has(k)) badRequest(`Invalid JSON payload received. Unknown name "${k}" at 'message.android'`);
      if (android.priority !== undefined && !/^(normal|high)$/i.test(android.priority)) badRequest(`message.android.priority ${JSON.stringify(android.priority)}: not normal or high`);
      if (android.ttl !== undefined && !/^\d+(\.\d{1,9})?s$/.test(android.ttl)) badRequest(`message.android.ttl ${JSON.stringify(android.ttl)}: a duration such as "3.5s"`);
    }
    const name = `projects/${projectId}/messages/0:${Date.now()}%${crypto.randomBytes(8).toString('hex')}`;
    const record = {
      projectId, token: message.token, data: data ?? {}, payload: data ?? {}, android: android ?? null,
      message, headers: r.headers, httpVersion: r.httpVersion, name, at: r.at,
    };
    return { record, goneKey: message.token, validated: json.validate_only === true, status: 200, body: { name } };
  }

  /** Access tokens granted (grants answered 200) since the last reset of fcm.oauth. */
  Object.defineProperty(svc, 'tokenGrants', { get: () => oauth.received.length, enumerable: true });
  return Object.assign(svc, {
    oauth,
    serviceAccount,
    credentialsFile,
    projectId,
    /** What Flow gets as --fcm-endpoint: it posts to `${endpoint}/v1/projects/${project_id}/messages:send`. */
    endpoint: fcmServer.origin,
    tokenUri: serviceAccount.token_uri,
    /** Every access token issued so far stops working (as a revoked or expired one): sends with it get 401. */
    expireTokens() {
      for (const k of accessTokens.keys()) accessTokens.set(k, 0);
    },
    close: async () => {
      await Promise.all([tokenServer.close(), fcmServer.close()]);
    },
  });
}

// ---------------------------------------------------------------------------------
// APNs (HTTP/2 only, token-based provider authentication)
// ---------------------------------------------------------------------------------

const PUSH_TYPES = ['alert', 'background', 'voip'];
const APNS_REASONS = {
  400: 'BadDeviceToken', 403: 'InvalidProviderToken', 404: 'BadPath', 405: 'MethodNotAllowed', 410: 'Unregistered',
  413: 'PayloadTooLarge', 429: 'TooManyRequests', 500: 'InternalServerError', 503: 'ServiceUnavailable',
};

async function startApns(tls, dir, signal, { topic }) {
  const svc = new FakeService('apns', {
    signal,
    failureBody: (status, reason) => (status === 410
      ? { reason: reason ?? 'Unregistered', timestamp: Date.now() }
      : { reason: reason ?? APNS_REASONS[status] ?? 'InternalServerError' }),
  });
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const keyId = upperAlnum(10);
  const teamId = upperAlnum(10);
  const keyFile = path.join(dir, `AuthKey_${keyId}.p8`);
  await writeFile(keyFile, privateKey);
  const providerTokens = [];

  const server = await listenTls(tls, false, (req, res) => svc.serve(req, res, handle));

  const fail = (status, reason, detail) => {
    throw new Refusal(status, reason, detail, { reason });
  };

  function checkProviderToken(authorization) {
    if (!authorization) fail(403, 'MissingProviderToken', 'no authorization header');
    const jwt = /^bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (!jwt) fail(403, 'InvalidProviderToken', `authorization is not "bearer <jwt>": ${authorization.slice(0, 40)}`);
    let header;
    let claims;
    try {
      ({ header, claims } = verifyJwt(jwt, 'ES256', publicKey));
    } catch (e) {
      fail(403, 'InvalidProviderToken', e.message);
    }
    if (header.kid !== keyId) fail(403, 'InvalidProviderToken', `kid ${JSON.stringify(header.kid)}, not ${keyId}`);
    if (claims.iss !== teamId) fail(403, 'InvalidProviderToken', `iss ${JSON.stringify(claims.iss)}, not the team ${teamId}`);
    const now = nowSeconds();
    if (!isNumericDate(claims.iat)) fail(403, 'InvalidProviderToken', 'iat missing or not a number');
    if (claims.iat > now + 1) fail(403, 'InvalidProviderToken', `iat ${claims.iat} is in the future (now ${Math.floor(now)}); in seconds, not ms?`);
    if (claims.iat < now - 3600) fail(403, 'ExpiredProviderToken', `iat ${claims.iat} is more than an hour old (now ${Math.floor(now)})`);
    if (!providerTokens.includes(jwt)) providerTokens.push(jwt);
    return { header, claims };
  }

  function handle(r) {
    if (r.method !== 'POST') fail(405, 'MethodNotAllowed', `${r.method} ${r.path}`);
    const m = /^\/3\/device\/([^/?]*)$/.exec(r.path);
    if (!m) fail(404, 'BadPath', `no route ${r.path}`);
    const providerToken = checkProviderToken(r.headers.authorization);
    const token = m[1];
    if (token === '') fail(400, 'MissingDeviceToken', 'empty device token');
    if (!/^[0-9a-fA-F]+$/.test(token) || token.length % 2 !== 0 || token.length < 64 || token.length > 200) {
      fail(400, 'BadDeviceToken', `device token ${JSON.stringify(token.slice(0, 80))} is not 32-100 bytes of hex`);
    }
    const h = r.headers;
    const pushType = h['apns-push-type'];
    if (pushType === undefined) fail(400, 'InvalidPushType', 'no apns-push-type');
    if (!PUSH_TYPES.includes(pushType)) fail(400, 'InvalidPushType', `apns-push-type ${JSON.stringify(pushType)}, not ${PUSH_TYPES.join('|')}`);
    const expectedTopic = pushType === 'voip' ? `${topic}.voip` : topic;
    if (h['apns-topic'] === undefined) fail(400, 'MissingTopic', 'no apns-topic');
    if (h['apns-topic'] !== expectedTopic) fail(400, 'TopicDisallowed', `apns-topic ${JSON.stringify(h['apns-topic'])}, not ${expectedTopic} for apns-push-type ${pushType}`);
    const priority = h['apns-priority'] === undefined ? 10 : Number(h['apns-priority']);
    if (h['apns-priority'] !== undefined && !/^(10|5|1)$/.test(h['apns-priority'])) fail(400, 'BadPriority', `apns-priority ${JSON.stringify(h['apns-priority'])}, not 10, 5 or 1`);
    if (h['apns-expiration'] !== undefined && !/^\d+$/.test(h['apns-expiration'])) fail(400, 'BadExpirationDate', `apns-expiration ${JSON.stringify(h['apns-expiration'])} is not UNIX seconds`);
    const apnsId = h['apns-id'] ?? crypto.randomUUID().toUpperCase();
    if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(apnsId)) fail(400, 'BadMessageId', `apns-id ${JSON.stringify(apnsId)} is not a UUID`);
    if (h['apns-collapse-id'] !== undefined && Buffer.byteLength(h['apns-collapse-id']) > 64) fail(400, 'BadCollapseId', 'apns-collapse-id over 64 bytes');
    const limit = pushType === 'voip' ? 5120 : 4096;
    if (r.body.length === 0) fail(400, 'PayloadEmpty', 'empty body');
    if (r.body.length > limit) fail(413, 'PayloadTooLarge', `payload of ${r.body.length} bytes; the limit is ${limit}`);
    const payload = parseJson(r.body);
    // APNs has no reason for this; the fake refuses it so that a malformed payload shows.
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) fail(400, 'BadPayload', 'the body is not a JSON object');
    const aps = payload.aps;
    if (!aps || typeof aps !== 'object' || Array.isArray(aps)) fail(400, 'BadPayload', 'the payload has no aps dictionary');
    if (pushType === 'background') {
      if (aps['content-available'] !== 1) fail(400, 'BadPayload', 'a background push needs aps.content-available: 1');
      if (priority !== 5) fail(400, 'BadPriority', 'a background push must have apns-priority: 5 (APNs takes a missing one as 10)');
    }
    const record = {
      token, headers: h, payload, pushType, topic: h['apns-topic'], priority,
      expiration: h['apns-expiration'] === undefined ? null : Number(h['apns-expiration']),
      collapseId: h['apns-collapse-id'] ?? null, apnsId, providerToken, httpVersion: r.httpVersion, at: r.at,
    };
    return { record, goneKey: token, status: 200, headers: { 'apns-id': apnsId }, errorHeaders: { 'apns-id': apnsId } };
  }

  const resetRecords = svc.reset.bind(svc);
  return Object.assign(svc, {
    reset() {
      resetRecords();
      providerTokens.length = 0;
    },
    endpoint: server.origin,
    key: privateKey,
    keyFile,
    keyId,
    teamId,
    topic,
    /** Distinct provider JWTs it accepted, in the order first seen, since reset() (Flow should reuse one for up to an hour). */
    providerTokens,
    /** A fresh device token as iOS gives one: 32 random bytes in hex. */
    deviceToken: () => crypto.randomBytes(32).toString('hex'),
    close: server.close,
  });
}

// ---------------------------------------------------------------------------------
// UnifiedPush (a plain POST of the body to the endpoint)
// ---------------------------------------------------------------------------------

async function startUnifiedPush(tls, signal) {
  const svc = new FakeService('unifiedpush', {
    signal,
    failureBody: (status, reason) => ({ code: status, error: reason ?? http.STATUS_CODES[status] ?? 'Error' }),
  });
  const endpoints = new Map(); // id -> endpoint URL
  const route = (req, res) => svc.serve(req, res, handle);
  const secure = await listenTls(tls, true, route);
  const plain = await listenPlain(route);
  const refuse = (status, detail) => {
    throw new Refusal(status, http.STATUS_CODES[status], detail);
  };

  function handle(r) {
    const id = /^\/up\/([A-Za-z0-9_-]+)$/.exec(r.path)?.[1];
    if (!id) refuse(404, `no route ${r.path}`);
    if (r.method !== 'POST') refuse(405, `${r.method} ${r.path}`);
    if (!endpoints.has(id)) refuse(404, `no endpoint ${id}`);
    if (r.body.length > WEBPUSH_MAX) refuse(413, `body of ${r.body.length} bytes; the limit is ${WEBPUSH_MAX}`);
    const record = {
      id, endpoint: endpoints.get(id), headers: r.headers, body: r.body.toString('utf8'),
      payload: parseJson(r.body) ?? null, httpVersion: r.httpVersion, at: r.at,
    };
    // UnifiedPush distributors (ntfy, NextPush...) answer 2xx; 201 as RFC 8030 push services do.
    return { record, goneKey: id, status: 201 };
  }

  return Object.assign(svc, {
    /** A fresh endpoint URL, https (or http with {insecure: true}). */
    endpoint({ insecure = false } = {}) {
      const id = randomId();
      const url = `${insecure ? plain.origin : secure.origin}/up/${id}`;
      endpoints.set(id, url);
      return url;
    },
    /** Later posts to this endpoint get 410. */
    unregister(endpoint) {
      const id = /\/up\/([A-Za-z0-9_-]+)$/.exec(String(endpoint))?.[1] ?? String(endpoint);
      svc.gone.add(id);
    },
    close: async () => {
      await Promise.all([secure.close(), plain.close()]);
    },
  });
}

// ---------------------------------------------------------------------------------
// All of them
// ---------------------------------------------------------------------------------

/**
 * Starts the four fakes. options: {topic = 'org.flow.test' (APNs bundle id),
 * projectId = 'flow-push-test' (FCM)}. Resolves
 *   {caFile, caPem, webpush, fcm, apns, unifiedpush, services, flowArgs(), rejected(),
 *    reset(), stop()}.
 */
export async function startPushServices(options = {}) {
  const { topic = 'org.flow.test', projectId = 'flow-push-test' } = options;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-push-'));
  const abort = new AbortController();
  const started = [];
  try {
    const tls = await makeCertificates(dir);
    const webpush = await startWebPush(tls, abort.signal);
    started.push(webpush);
    const fcm = await startFcm(tls, dir, abort.signal, { projectId });
    started.push(fcm);
    const apns = await startApns(tls, dir, abort.signal, { topic });
    started.push(apns);
    const unifiedpush = await startUnifiedPush(tls, abort.signal);
    started.push(unifiedpush);
    const services = [webpush, fcm.oauth, fcm, apns, unifiedpush];
    let stopped = false;
    return {
      caFile: tls.caFile,
      caPem: tls.caPem,
      webpush,
      fcm,
      apns,
      unifiedpush,
      services,
      /** Flow's flags that point it at these fakes (the VAPID key and subject are Flow's own). */
      flowArgs() {
        return [
          '--push-ca-file', tls.caFile,
          '--fcm-credentials', fcm.credentialsFile,
          '--fcm-endpoint', fcm.endpoint,
          '--apns-key', apns.keyFile,
          '--apns-key-id', apns.keyId,
          '--apns-team-id', apns.teamId,
          '--apns-topic', apns.topic,
          '--apns-endpoint', apns.endpoint,
        ];
      },
      /** Every service's refusals, each with `service` added: [] when Flow sent nothing wrong. */
      rejected() {
        return services.flatMap((s) => s.rejected.map((r) => ({ service: s.name, ...r })));
      },
      reset() {
        for (const s of services) s.reset();
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        abort.abort();
        await Promise.all(started.map((s) => s.close()));
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    abort.abort();
    await Promise.all(started.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
