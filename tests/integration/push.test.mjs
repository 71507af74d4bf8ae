// Push notifications, against fake push services started here (tests/support/
// push_services.mjs: Web Push, FCM with its OAuth endpoint, APNs over HTTP/2 and
// UnifiedPush, on 127.0.0.1 with a throwaway CA, each verifying what the real one
// verifies). A phone whose socket is closed hears of a message or a call through the
// service it registered: one push per chat per burst, none for a device that is online,
// none in a muted chat (unless the message mentions them), none for the sender; calls at
// once and urgently; a registration the service says is gone ends; a service that is
// slow delays nobody's messages. On the scaled shape (two nodes) each event gives one
// push.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowd, request, sleep, NODES } from './lib/flowd.mjs';
import { connectSio } from './lib/sio_client.mjs';
import { startPushServices } from '../support/push_services.mjs';

const COALESCE_MS = 400;
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0',
  '--push-coalesce-ms', String(COALESCE_MS)];
const QUIET_MS = COALESCE_MS + 800; // how long to watch for a push that must not come

let clientSeq = 0;
const clientId = () => `push-${process.pid}-${++clientSeq}`;
const randomToken = () => `fcm-${Math.random().toString(36).slice(2)}:APA91b${Math.random().toString(36).slice(2)}`;

describe(`push notifications (${NODES} node${NODES > 1 ? 's' : ''})`, () => {
  let push, f, vapidKey;
  before(async () => {
    push = await startPushServices();
    f = await startFlowd([...ARGS, ...push.flowArgs()]);
    const key = await f.request('GET', '/push/vapid_public_key');
    assert.equal(key.status, 200, key.text);
    vapidKey = key.json.key;
    assert.equal(Buffer.from(vapidKey, 'base64url').length, 65, 'an uncompressed P-256 point');
  });
  after(async () => {
    await f?.shutdown();
    await push?.stop();
  });
  beforeEach(() => push.reset());

  const req = (token, method, p, body) => f.request(method, p, { token, body });
  const register = async (token, registration) => {
    const r = await req(token, 'PUT', '/devices/current/push', registration);
    assert.equal(r.status, 204, r.text);
  };
  /** Sends a text; through the node at `baseUrl` when given (else the nodes take turns). */
  const send = async (user, chatId, text, baseUrl = f.baseUrl) => {
    const r = await request(baseUrl, 'POST', `/chats/${chatId}/send_message`, {
      token: user.token,
      body: { client_id: clientId(), type: 'text', text },
    });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const directChat = async (a, b) => (await req(a.token, 'POST', '/chats', { type: 'direct', user_id: b.id })).json;
  /** A new device of `user` registered as `registration(device)` returns. */
  const device = async (user, registration) => {
    const signed = await f.signIn(user.phone);
    await register(signed.token, registration);
    return signed;
  };
  /** flow_push_total{kind, outcome} summed over the nodes (a push is counted where it was sent). */
  const metric = async (kind, outcome) => {
    let total = 0;
    for (const node of f.nodes) {
      const text = await (await fetch(`${node.url}/metrics`)).text();
      const m = text.match(new RegExp(`flow_push_total\\{kind="${kind}",outcome="${outcome}"\\} (\\d+)`));
      total += m ? Number(m[1]) : 0;
    }
    return total;
  };

  it('a device with no socket gets one push per burst, through each service, with what the contract says', async () => {
    const [ann, bob] = await f.signUpMany(2, 'Pusher');
    const chat = await directChat(ann, bob);
    const web = push.webpush.subscribe({ applicationServerKey: vapidKey });
    await device(bob, { kind: 'webpush', endpoint: web.endpoint, keys: web.keys });
    const fcmToken = randomToken();
    await device(bob, { kind: 'fcm', token: fcmToken });
    const apnsToken = push.apns.deviceToken();
    await device(bob, { kind: 'apns', token: apnsToken });
    const up = push.unifiedpush.endpoint();
    await device(bob, { kind: 'unifiedpush', endpoint: up });
    // The sender's own device, registered too, hears nothing of her messages.
    const annWeb = push.webpush.subscribe({ applicationServerKey: vapidKey });
    await register(ann.token, { kind: 'webpush', endpoint: annWeb.endpoint, keys: annWeb.keys });
    const sentBefore = await metric('webpush', 'sent');

    // The burst goes through one node: when its messages land on two, the node that claims
    // the burst's push may not know the newest one yet, and the push names an earlier one.
    const node = f.nodes[0].url;
    await send(ann, chat.id, 'first', node);
    await send(ann, chat.id, 'second', node);
    const last = await send(ann, chat.id, 'x'.repeat(150), node);

    const [w, g, a, u] = await Promise.all([
      push.webpush.waitFor((r) => r.endpoint === web.endpoint),
      push.fcm.waitFor((r) => r.token === fcmToken),
      push.apns.waitFor((r) => r.token === apnsToken),
      push.unifiedpush.waitFor((r) => r.endpoint === up),
    ]);
    const ids = { type: 'message', chat_id: chat.id, message_id: last.id, seq: last.seq, sender_id: ann.id, badge: 3 };
    assert.deepEqual(w.payload, { ...ids, sender_name: 'Pusher 1', preview: 'x'.repeat(100) }, 'Web Push: decrypted');
    assert.equal(w.urgency, 'normal');
    assert.ok(w.ttl > 0, 'a TTL');
    assert.deepEqual(g.payload, Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, String(v)])), 'FCM: data, ids only');
    assert.equal(g.android?.priority, 'normal');
    assert.equal(a.pushType, 'alert');
    assert.equal(a.topic, push.apns.topic);
    assert.deepEqual({ ...a.payload, aps: undefined }, { ...ids, aps: undefined }, 'APNs: ids only');
    assert.equal(a.payload.aps.badge, 3);
    assert.deepEqual(u.payload, ids, 'UnifiedPush: ids only');

    await sleep(QUIET_MS);
    for (const svc of [push.webpush, push.fcm, push.apns, push.unifiedpush])
      assert.equal(svc.received.length, 1, `${svc.name}: one push for the burst: ${svc.describe?.() ?? ''}`);
    assert.equal(push.webpush.received.some((r) => r.endpoint === annWeb.endpoint), false, 'none for the sender');
    assert.deepEqual(push.rejected(), []);
    const grants = push.fcm.oauth.received.length;
    assert.ok(grants >= 1 && grants <= NODES, `an access token per node that pushed, kept for its next pushes: ${grants}`);
    assert.ok((await metric('webpush', 'sent')) > sentBefore, 'counted in /metrics');
    assert.ok((await metric('webpush', 'coalesced')) >= 2, 'the two earlier messages coalesced');

    // A later burst is another push, and the token is used again.
    const again = await send(ann, chat.id, 'later');
    const g2 = await push.fcm.waitFor((r) => r.payload.message_id === again.id);
    assert.equal(g2.payload.badge, '4');
    assert.ok(push.fcm.oauth.received.length <= NODES, 'no token more than a node needs');
  });

  it('no push to a device with a socket open, on any node, nor in a muted chat', async () => {
    const [ann, bob] = await f.signUpMany(2, 'Quiet');
    const chat = await directChat(ann, bob);
    const web = push.webpush.subscribe({ applicationServerKey: vapidKey });
    const phone = await device(bob, { kind: 'webpush', endpoint: web.endpoint, keys: web.keys });
    const mine = (r) => r.endpoint === web.endpoint;

    const online = await connectSio(f.baseUrl, phone.token, { label: 'bob online' });
    await sleep(200); // the registry hears of the socket on the blocking pool
    await send(ann, chat.id, 'while online');
    await sleep(QUIET_MS);
    assert.equal(push.webpush.received.filter(mine).length, 0, 'online: no push');
    await online.close();

    const muted = await req(bob.token, 'PUT', `/chats/${chat.id}/mute`, { until: -1 });
    assert.equal(muted.status, 204, muted.text);
    await sleep(200);
    await send(ann, chat.id, 'while muted');
    await sleep(QUIET_MS);
    assert.equal(push.webpush.received.filter(mine).length, 0, 'muted: no push');

    assert.equal((await req(bob.token, 'PUT', `/chats/${chat.id}/mute`, { until: null })).status, 204);
    const heard = await send(ann, chat.id, 'unmuted, offline');
    const got = await push.webpush.waitFor(mine);
    assert.equal(got.payload.message_id, heard.id);
    assert.deepEqual(push.rejected(), []);
  });

  it('a mention pushes to the mentioned member even in a chat they muted; the others who muted it get nothing', async () => {
    const [ann, bob, cat] = await f.signUpMany(3, 'Mentioned');
    const group = await req(ann.token, 'POST', '/chats', { type: 'group', name: 'Muted group', user_ids: [bob.id, cat.id] });
    assert.equal(group.status, 201, group.text);
    const chat = group.json;
    const bobWeb = push.webpush.subscribe({ applicationServerKey: vapidKey });
    await device(bob, { kind: 'webpush', endpoint: bobWeb.endpoint, keys: bobWeb.keys });
    const catToken = randomToken();
    await device(cat, { kind: 'fcm', token: catToken });
    for (const who of [bob, cat]) assert.equal((await req(who.token, 'PUT', `/chats/${chat.id}/mute`, { until: -1 })).status, 204);
    const toBob = (r) => r.endpoint === bobWeb.endpoint;
    const toCat = (r) => r.token === catToken;

    await send(ann, chat.id, 'nobody mentioned');
    await sleep(QUIET_MS);
    assert.equal(push.webpush.received.filter(toBob).length, 0, 'muted, not mentioned: no push');

    const r = await req(ann.token, 'POST', `/chats/${chat.id}/send_message`, { client_id: clientId(), type: 'text', text: '@bob', mentions: [bob.id] });
    assert.equal(r.status, 201, r.text);
    const got = await push.webpush.waitFor(toBob);
    assert.equal(got.payload.message_id, r.json.id, 'the mention');
    assert.equal(got.payload.preview, '@bob');
    await sleep(QUIET_MS);
    assert.equal(push.webpush.received.filter(toBob).length, 1, 'one push for the mention');
    assert.equal(push.fcm.received.filter(toCat).length, 0, 'cat muted it and was not mentioned');
    assert.deepEqual(push.rejected(), []);
  });

  it('a blocker gets no push of what the blocked user sends or of their calls; after unblocking, the next message pushes', async () => {
    const [ann, bob] = await f.signUpMany(2, 'Blocked');
    const chat = await directChat(ann, bob);
    await send(bob, chat.id, 'hi');
    const web = push.webpush.subscribe({ applicationServerKey: vapidKey });
    await device(bob, { kind: 'webpush', endpoint: web.endpoint, keys: web.keys });
    const toBob = (r) => r.endpoint === web.endpoint;
    assert.equal((await req(bob.token, 'POST', `/users/${ann.id}/block`)).status, 204);

    await send(ann, chat.id, 'let me in');
    const call = await req(ann.token, 'POST', '/calls/make_call', { callee_id: bob.id, type: 'audio' });
    assert.equal(call.status, 201, call.text);
    await sleep(QUIET_MS);
    assert.deepEqual(push.webpush.received.filter(toBob), [], 'a push reached the blocker');

    assert.equal((await req(bob.token, 'DELETE', `/users/${ann.id}/block`)).status, 204);
    const after = await send(ann, chat.id, 'after');
    const got = await push.webpush.waitFor(toBob);
    assert.equal(got.payload.message_id, after.id);
    assert.deepEqual(push.rejected(), []);
  });

  it('a call pushes at once and urgently; a VoIP registration gets it as a VoIP push', async () => {
    const [ann, bob] = await f.signUpMany(2, 'Caller');
    await directChat(ann, bob);
    const voipToken = push.apns.deviceToken();
    await device(bob, { kind: 'apns', token: voipToken, voip: true });
    const web = push.webpush.subscribe({ applicationServerKey: vapidKey });
    await device(bob, { kind: 'webpush', endpoint: web.endpoint, keys: web.keys });

    const call = await req(ann.token, 'POST', '/calls/make_call', { callee_id: bob.id, type: 'video' });
    assert.equal(call.status, 201, call.text);
    const ids = { type: 'call', call_id: call.json.id, caller_id: ann.id, call_type: 'video' };
    const [a, w] = await Promise.all([
      push.apns.waitFor((r) => r.token === voipToken, COALESCE_MS), // not held back for a burst
      push.webpush.waitFor((r) => r.endpoint === web.endpoint, COALESCE_MS),
    ]);
    assert.equal(a.pushType, 'voip');
    assert.equal(a.topic, `${push.apns.topic}.voip`);
    assert.equal(a.priority, 10);
    assert.deepEqual(a.payload, { ...ids, aps: {} });
    assert.equal(w.urgency, 'high');
    assert.deepEqual(w.payload, ids);
    assert.deepEqual(push.rejected(), []);
  });

  it('a registration the service says is gone (410) ends; 429 with Retry-After is tried again', async () => {
    const [ann, bob] = await f.signUpMany(2, 'Gone');
    const chat = await directChat(ann, bob);
    const web = push.webpush.subscribe({ applicationServerKey: vapidKey });
    const phone = await device(bob, { kind: 'webpush', endpoint: web.endpoint, keys: web.keys });
    push.webpush.unregister(web.endpoint);
    await send(ann, chat.id, 'into the void');
    const deadline = Date.now() + 5000;
    let listed;
    do {
      await sleep(100);
      listed = (await req(phone.token, 'GET', '/devices')).json.items.find((d) => d.current);
    } while (listed.push !== null && Date.now() < deadline);
    assert.equal(listed.push, null, 'the registration ended');

    const fcmToken = randomToken();
    await device(bob, { kind: 'fcm', token: fcmToken });
    push.fcm.failNext(429, { retryAfter: 1 });
    const started = Date.now();
    const retried = await send(ann, chat.id, 'try again');
    const got = await push.fcm.waitFor((r) => r.token === fcmToken && r.payload.message_id === retried.id, 6000);
    assert.ok(got.at - started >= 1000, `retried after Retry-After: ${got.at - started} ms`);

    // FCM stops taking the access token Flow holds (401): the next push fetches another.
    // (One node: each node holds its own token, and the node that commits a message
    // pushes it.)
    if (NODES === 1) {
      push.fcm.expireTokens();
      const grants = push.fcm.oauth.received.length;
      await send(ann, chat.id, 'with a dead token');
      await push.fcm.waitUntil(() => push.fcm.rejected.length > 0 || null, COALESCE_MS + 3000);
      await sleep(COALESCE_MS + 200);
      const fresh = await send(ann, chat.id, 'with a new token');
      await push.fcm.waitFor((r) => r.payload.message_id === fresh.id, COALESCE_MS + 3000);
      assert.ok(push.fcm.oauth.received.length > grants, 'a new access token');
    }
  });

  it('a push service that answers after 5 s delays no message between other users', async () => {
    const [ann, bob, cat, dan] = await f.signUpMany(4, 'Busy');
    const chat = await directChat(ann, bob);
    await device(bob, { kind: 'apns', token: push.apns.deviceToken() });
    push.apns.delay(5000);
    for (let i = 0; i < 5; i++) await send(ann, chat.id, `to a slow service ${i}`);
    await push.apns.waitUntil(() => push.apns.attempts.length > 0 || null, COALESCE_MS + 2000).catch(() => {});

    const other = await directChat(cat, dan);
    const danSocket = await connectSio(f.baseUrl, dan.token, { label: 'dan' });
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const sent = await send(cat, other.id, `quick ${i}`);
      const heard = await danSocket.next('message:new', { filter: (m) => m.id === sent.id });
      assert.ok(heard, 'delivered');
      assert.ok(Date.now() - started < 1000, `message ${i} took ${Date.now() - started} ms`);
    }
    danSocket.close();
    push.apns.delay(0);
  });
});
