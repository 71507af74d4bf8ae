// The fake push services of tests/support/push_services.mjs, checked against reference
// senders so that the push tests can trust them: they accept what the real services accept
// and refuse what the real services refuse. Web Push through the npm `web-push` package
// (a dependency of tests/support); the FCM JWT grant and send, and the APNs HTTP/2 request,
// made by hand with node:crypto; UnifiedPush as a plain POST; then scripted failures and
// delays. No flowd here.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readResponse } from './lib/flowd.mjs';

const SUPPORT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'support');
if (!existsSync(path.join(SUPPORT, 'node_modules', 'http_ece'))) {
  throw new Error('tests/support has no node_modules: run `npm ci` in tests/support');
}
const { startPushServices } = await import('../support/push_services.mjs');
const webpush = createRequire(path.join(SUPPORT, 'package.json'))('web-push');

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A compact JWS; alg ES256 signs r||s (as JOSE wants) unless der, RS256 PKCS#1 v1.5. */
function jwt(header, claims, key, { der = false } = {}) {
  const input = `${b64url(header)}.${b64url(claims)}`;
  const options = header.alg === 'ES256' ? { key, dsaEncoding: der ? 'der' : 'ieee-p1363' } : key;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), options).toString('base64url')}`;
}

/** An HTTP/1.1 request (https trusting ca, or plain http); resolves {status, headers, text, json}. */
function request(url, { method = 'POST', headers = {}, body = '', ca, alpn } = {}) {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(u, { method, headers, ca, agent: false, timeout: 5000, ALPNProtocols: alpn }, (res) =>
      readResponse(res).then(resolve, reject),
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.end(body);
  });
}

/** One HTTP/2 POST on a fresh session; resolves {status, headers, json}. */
async function h2post(origin, pathname, headers, body, ca) {
  const session = http2.connect(origin, { ca });
  try {
    return await new Promise((resolve, reject) => {
      session.on('error', reject);
      const stream = session.request({ ':method': 'POST', ':path': pathname, ...headers });
      let responseHeaders;
      const chunks = [];
      stream.on('response', (h) => (responseHeaders = h));
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: responseHeaders?.[':status'], headers: responseHeaders, json: text ? JSON.parse(text) : undefined });
      });
      stream.on('error', reject);
      stream.end(body);
    });
  } finally {
    session.close();
  }
}

describe('fake push services', { timeout: 30_000 }, () => {
  let push;
  let ca;
  before(async () => {
    push = await startPushServices();
    ca = push.caPem;
  });
  after(async () => push?.stop());
  beforeEach(() => push.reset());

  describe('Web Push', () => {
    const vapid = webpush.generateVAPIDKeys();
    const vapidDetails = { subject: 'mailto:ops@flow.test', publicKey: vapid.publicKey, privateKey: vapid.privateKey };
    const send = (sub, payload, options = {}) => webpush.sendNotification(sub, payload, {
      vapidDetails, TTL: 60, contentEncoding: 'aes128gcm', agent: new https.Agent({ ca }), ...options,
    });
    /** web-push's error for a refused push, as {statusCode, body}. */
    const refused = async (promise) => {
      const e = await promise.then(() => assert.fail('accepted'), (err) => err);
      assert.ok(e instanceof webpush.WebPushError, String(e));
      return e;
    };

    it('accepts an encrypted, VAPID-signed push and decrypts it exactly', async () => {
      const sub = push.webpush.subscribe({ applicationServerKey: vapid.publicKey });
      const payload = { type: 'message', chat_id: 'c1', preview: 'héllo ✓ '.repeat(40) };
      const r = await send(sub, JSON.stringify(payload), { urgency: 'high', topic: 'chat-c1' });
      assert.equal(r.statusCode, 201);
      assert.match(r.headers.location, /\/m\//);
      assert.deepEqual(push.rejected(), []);
      const got = await push.webpush.waitFor((x) => x.endpoint === sub.endpoint);
      assert.equal(got.body, JSON.stringify(payload));
      assert.deepEqual(got.payload, payload);
      assert.equal(got.urgency, 'high');
      assert.equal(got.ttl, 60);
      assert.equal(got.topic, 'chat-c1');
      assert.equal(got.vapid.k, vapid.publicKey);
      assert.equal(got.vapid.aud, push.webpush.origin);
      assert.equal(got.headers['content-encoding'], 'aes128gcm');
    });

    it('refuses another VAPID key, a k that did not sign, wrong claims, a DER signature, and no VAPID', async () => {
      const sub = push.webpush.subscribe({ applicationServerKey: vapid.publicKey });
      const other = webpush.generateVAPIDKeys();
      let e = await refused(send(sub, '{}', { vapidDetails: { ...vapidDetails, publicKey: other.publicKey, privateKey: other.privateKey } }));
      assert.equal(e.statusCode, 403);
      const open = push.webpush.subscribe(); // no applicationServerKey: any key that signs
      e = await refused(send(open, '{}', { vapidDetails: { ...vapidDetails, publicKey: other.publicKey } }));
      assert.equal(e.statusCode, 403);
      const aud = new URL(sub.endpoint).origin;
      const claims = { aud, exp: now() + 3600, sub: vapidDetails.subject };
      const key = webpushPrivateKey(vapid);
      const tokens = [
        webpush.getVapidHeaders(aud, vapidDetails.subject, vapid.publicKey, vapid.privateKey, 'aes128gcm', now() - 10)
          .Authorization.replace(/^vapid t=([^,]+),.*$/, '$1'),
        jwt({ typ: 'JWT', alg: 'ES256' }, { ...claims, exp: now() + 86400 + 600 }, key),
        jwt({ typ: 'JWT', alg: 'ES256' }, { ...claims, aud: 'https://127.0.0.1:1' }, key),
        jwt({ typ: 'JWT', alg: 'ES256' }, { ...claims, sub: 'ops@flow.test' }, key),
        jwt({ typ: 'JWT', alg: 'ES256' }, claims, key, { der: true }),
      ];
      for (const t of tokens) {
        e = await refused(send(sub, '{}', { vapidDetails: undefined, headers: { Authorization: `vapid t=${t}, k=${vapid.publicKey}` } }));
        assert.equal(e.statusCode, 403);
      }
      e = await refused(send(sub, '{}', { vapidDetails: undefined }));
      assert.equal(e.statusCode, 401);
      assert.equal(push.webpush.received.length, 0);
      const details = push.webpush.rejected.map((r) => `${r.status} ${r.detail}`);
      const expected = [/^403 k is not the applicationServerKey/, /^403 .*signature does not verify/, /^403 exp .* has passed/,
        /^403 exp .* more than 24 h/, /^403 aud /, /^403 sub /, /^403 .*DER/, /^401 no Authorization/];
      assert.equal(details.length, expected.length, details.join('\n'));
      expected.forEach((re, i) => assert.match(details[i], re));
    });

    it('refuses a body it cannot decrypt and a missing TTL', async () => {
      const sub = push.webpush.subscribe();
      const stranger = push.webpush.subscribe(); // encrypted for another subscription's keys
      const details = webpush.generateRequestDetails({ ...sub, keys: stranger.keys }, '{"a":1}', { vapidDetails, TTL: 5 });
      let r = await request(sub.endpoint, { headers: details.headers, body: details.body, ca });
      assert.equal(r.status, 400);
      const good = webpush.generateRequestDetails(sub, '{"a":1}', { vapidDetails });
      const { TTL, ...noTtl } = good.headers;
      assert.equal(TTL, 2419200);
      r = await request(sub.endpoint, { headers: noTtl, body: good.body, ca });
      assert.equal(r.status, 400);
      assert.match(push.webpush.rejected[0].detail, /cannot decrypt/);
      assert.match(push.webpush.rejected[1].detail, /no TTL/);
    });

    it('answers failNext(410) once, then accepts; an unregistered subscription is gone', async () => {
      const sub = push.webpush.subscribe();
      push.webpush.failNext(410);
      const e = await refused(send(sub, '{"n":1}'));
      assert.equal(e.statusCode, 410);
      assert.equal((await send(sub, '{"n":2}')).statusCode, 201);
      assert.deepEqual(push.webpush.received.map((x) => x.payload.n), [2]);
      assert.deepEqual(push.webpush.attempts.map((a) => [a.status, a.outcome]), [[410, 'failed'], [201, 'accepted']]);
      push.webpush.unregister(sub.endpoint);
      assert.equal((await refused(send(sub, '{"n":3}'))).statusCode, 410);
      assert.deepEqual(push.rejected(), []);
    });
  });

  describe('FCM', () => {
    const grantClaims = () => ({
      iss: push.fcm.serviceAccount.client_email,
      scope: 'https://www.googleapis.com/auth/firebase.messaging',
      aud: push.fcm.serviceAccount.token_uri,
      iat: now(),
      exp: now() + 3600,
    });
    const grant = (assertion) => request(push.fcm.serviceAccount.token_uri, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      ca,
    });
    const sendUrl = () => `${push.fcm.endpoint}/v1/projects/${push.fcm.serviceAccount.project_id}/messages:send`;
    const send = (accessToken, message) => request(sendUrl(), {
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=UTF-8' },
      body: JSON.stringify({ message }),
      ca,
    });
    const signedGrant = (key = push.fcm.serviceAccount.private_key, claims = grantClaims()) => grant(jwt(
      { alg: 'RS256', typ: 'JWT', kid: push.fcm.serviceAccount.private_key_id }, claims, key));

    it('grants a token for the service account JWT and takes a send with it', async () => {
      assert.equal(push.fcm.serviceAccount.type, 'service_account');
      assert.match(push.fcm.serviceAccount.private_key, /^-----BEGIN PRIVATE KEY-----/);
      const g = await signedGrant();
      assert.equal(g.status, 200, g.text);
      assert.equal(g.json.token_type, 'Bearer');
      assert.equal(g.json.expires_in, 3600);
      assert.equal(push.fcm.tokenGrants, 1);
      const message = { token: 'device-token-1', data: { type: 'message', chat_id: 'c1', seq: '7' }, android: { priority: 'high' } };
      const r = await send(g.json.access_token, message);
      assert.equal(r.status, 200, r.text);
      assert.match(r.json.name, new RegExp(`^projects/${push.fcm.projectId}/messages/`));
      const got = await push.fcm.waitFor((x) => x.token === 'device-token-1');
      assert.deepEqual(got.data, message.data);
      assert.deepEqual(got.android, { priority: 'high' });
      assert.deepEqual(push.rejected(), []);
    });

    it('refuses a grant signed with another key, an unknown bearer, non-string data; failNext(429) with Retry-After', async () => {
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      let r = await signedGrant(privateKey);
      assert.equal(r.status, 400);
      assert.equal(r.json.error, 'invalid_grant');
      r = await signedGrant(undefined, { ...grantClaims(), exp: now() + 7200 });
      assert.equal(r.status, 400);
      assert.equal(push.fcm.tokenGrants, 0);
      r = await send('ya29.made-up', { token: 't', data: { a: 'b' } });
      assert.equal(r.status, 401);
      assert.equal(r.json.error.status, 'UNAUTHENTICATED');
      const token = (await signedGrant()).json.access_token;
      r = await send(token, { token: 't', data: { seq: 7 } });
      assert.equal(r.status, 400);
      assert.equal(r.json.error.status, 'INVALID_ARGUMENT');
      push.fcm.failNext(429, { retryAfter: 7 });
      r = await send(token, { token: 't', data: { seq: '7' } });
      assert.equal(r.status, 429);
      assert.equal(r.headers['retry-after'], '7');
      assert.equal(r.json.error.details[0].errorCode, 'QUOTA_EXCEEDED');
      assert.equal(push.fcm.received.length, 0);
      push.fcm.expireTokens();
      assert.equal((await send(token, { token: 't' })).status, 401);
      assert.deepEqual(push.rejected().map((x) => [x.service, x.status]),
        [['fcm-oauth', 400], ['fcm-oauth', 400], ['fcm', 401], ['fcm', 400], ['fcm', 401]]);
      assert.match(push.fcm.oauth.rejected[0].detail, /signature/);
      assert.match(push.fcm.oauth.rejected[1].detail, /exp - iat/);
    });
  });

  describe('APNs', () => {
    const providerToken = (header = {}, claims = {}, options = {}) => jwt(
      { alg: 'ES256', kid: push.apns.keyId, ...header }, { iss: push.apns.teamId, iat: now(), ...claims }, push.apns.key, options);
    const post = (token, { jwtToken = providerToken(), headers = {}, body = { aps: { 'mutable-content': 1, alert: { title: 'x' } }, chat_id: 'c1' } } = {}) =>
      h2post(push.apns.endpoint, `/3/device/${token}`, {
        authorization: `bearer ${jwtToken}`, 'apns-topic': push.apns.topic, 'apns-push-type': 'alert',
        'apns-priority': '10', 'apns-expiration': String(now() + 3600), ...headers,
      }, JSON.stringify(body), ca);

    it('accepts an ES256-authenticated HTTP/2 push, and voip on topic.voip', async () => {
      const token = push.apns.deviceToken();
      const jwtToken = providerToken();
      let r = await post(token, { jwtToken });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.match(r.headers['apns-id'], /^[0-9A-F-]{36}$/);
      const got = await push.apns.waitFor((x) => x.token === token);
      assert.equal(got.payload.chat_id, 'c1');
      assert.equal(got.pushType, 'alert');
      assert.equal(got.httpVersion, '2.0');
      r = await post(token, { jwtToken, headers: { 'apns-topic': `${push.apns.topic}.voip`, 'apns-push-type': 'voip' }, body: { aps: {}, call_id: 'k' } });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.deepEqual(push.apns.providerTokens, [jwtToken]);
      assert.deepEqual(push.rejected(), []);
    });

    it('refuses a wrong kid, a DER signature, an old token, a wrong topic, a bad device token', async () => {
      const token = push.apns.deviceToken();
      const cases = [
        [{ jwtToken: providerToken({ kid: 'ABCDEFGHIJ' }) }, 403, 'InvalidProviderToken'],
        [{ jwtToken: providerToken({}, {}, { der: true }) }, 403, 'InvalidProviderToken'],
        [{ jwtToken: providerToken({}, { iat: now() - 3700 }) }, 403, 'ExpiredProviderToken'],
        [{ headers: { 'apns-push-type': 'voip' } }, 400, 'TopicDisallowed'],
        [{ headers: { 'apns-push-type': 'background', 'apns-priority': '5' } }, 400, 'BadPayload'],
      ];
      for (const [options, status, reason] of cases) {
        const r = await post(token, options);
        assert.deepEqual([r.status, r.json.reason], [status, reason]);
      }
      const r = await post('not-hex');
      assert.deepEqual([r.status, r.json.reason], [400, 'BadDeviceToken']);
      assert.equal(push.apns.received.length, 0);
      assert.deepEqual(push.apns.rejected.map((x) => x.reason),
        ['InvalidProviderToken', 'InvalidProviderToken', 'ExpiredProviderToken', 'TopicDisallowed', 'BadPayload', 'BadDeviceToken']);
      push.apns.unregister(token);
      const gone = await post(token);
      assert.equal(gone.status, 410);
      assert.equal(gone.json.reason, 'Unregistered');
      assert.ok(Number.isInteger(gone.json.timestamp));
    });

    it('speaks HTTP/2 only', async () => {
      await assert.rejects(request(`${push.apns.endpoint}/3/device/${push.apns.deviceToken()}`, { body: '{}', ca, alpn: ['http/1.1'] }),
        /no application protocol/);
    });
  });

  describe('UnifiedPush', () => {
    it('records a plain POST over https and http', async () => {
      for (const insecure of [false, true]) {
        const endpoint = push.unifiedpush.endpoint({ insecure });
        assert.ok(endpoint.startsWith(insecure ? 'http://' : 'https://'));
        const r = await request(endpoint, { body: JSON.stringify({ type: 'message', insecure }), ca });
        assert.equal(r.status, 201);
        const got = await push.unifiedpush.waitFor((x) => x.endpoint === endpoint);
        assert.deepEqual(got.payload, { type: 'message', insecure });
      }
      const r = await request(push.unifiedpush.endpoint().replace(/\/up\/.*/, '/up/unknown'), { body: '{}', ca });
      assert.equal(r.status, 404);
      assert.equal(push.unifiedpush.rejected.length, 1);
    });

    it('holds answers with delay() while waitFor sees the push at once', async () => {
      const endpoint = push.unifiedpush.endpoint();
      push.unifiedpush.delay(400);
      let answeredAt = 0;
      const answered = request(endpoint, { body: '{"slow":true}', ca }).then((r) => ((answeredAt = Date.now()), r));
      const got = await push.unifiedpush.waitFor((x) => x.payload?.slow);
      assert.equal(answeredAt, 0, 'answered before the record was seen');
      assert.equal((await answered).status, 201);
      assert.ok(answeredAt - got.at >= 380, `answered ${answeredAt - got.at} ms after it arrived`);
      await assert.rejects(push.unifiedpush.waitFor((x) => x.payload?.never, 50), /nothing matched within 50 ms/);
    });
  });

  it('stop() ends at once with an answer still held', async () => {
    const other = await startPushServices();
    other.apns.delay(30_000);
    const reply = h2post(other.apns.endpoint, `/3/device/${other.apns.deviceToken()}`, {}, '{}', other.caPem).catch((e) => e);
    await other.apns.waitUntil(() => other.apns.attempts.length);
    const start = Date.now();
    await other.stop();
    await reply; // the held request ends with its connection
    assert.ok(Date.now() - start < 2000, `stop took ${Date.now() - start} ms`);
  });
});

/** The PKCS#8 key object of a web-push VAPID key pair (raw base64url d and public point). */
function webpushPrivateKey({ publicKey, privateKey }) {
  const point = Buffer.from(publicKey, 'base64url');
  return crypto.createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: privateKey, x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
}
