// Devices, push registrations and muted chats, as a client sees them: the device a
// sign-in names, the list of a user's devices, signing one out from another (its token
// dies and its sockets close, on whichever node they are), where pushes reach a device,
// and muting a chat.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { assertError, startFlowd, uniquePhone, MEDIA_ON_S3, within } from './lib/flowd.mjs';
import { connectSio } from './lib/sio_client.mjs';

const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];
// A tiny GIF, for uploads.
const GIF = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([2, 0, 3, 0, 0, 0, 0, 0x3b])]);

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const webPushSubscription = () => ({
  kind: 'webpush',
  endpoint: 'https://push.example.com/send/abc123',
  keys: { p256dh: b64url(createECDH('prime256v1').generateKeys()), auth: b64url(randomBytes(16)) },
});

describe('devices', () => {
  let f;
  before(async () => {
    f = await startFlowd(ARGS);
  });
  after(async () => {
    await f?.shutdown();
  });

  const req = (method, p, token, body) => f.request(method, p, { token, body });

  it('a sign-in names its device; GET /devices lists the user\'s devices, the current one marked', async () => {
    const phone = uniquePhone();
    const t0 = Date.now();
    const phoneApp = await f.signIn(phone, { device: { name: 'Pixel 9', platform: 'android' } });
    const laptop = await f.signIn(phone, { device: 'Work laptop' });
    const browser = await f.signIn(phone);

    const list = await req('GET', '/devices', laptop.token);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.items.length, 3);
    const [first, second, third] = list.json.items;
    assert.deepEqual(
      list.json.items.map((d) => [d.name, d.platform, d.current, d.push]),
      [
        ['Pixel 9', 'android', false, null],
        ['Work laptop', 'other', true, null],
        ['', 'other', false, null],
      ],
    );
    for (const d of [first, second, third]) {
      assert.equal(typeof d.id, 'string');
      assert.ok(d.created_at >= t0 - 1000 && d.created_at <= Date.now(), 'created_at');
      assert.ok(d.last_seen_at >= d.created_at, 'last_seen_at');
    }
    assert.equal(new Set(list.json.items.map((d) => d.id)).size, 3);

    // Another user sees only their own.
    const other = await f.signIn(uniquePhone(), { device: { platform: 'ios' } });
    const theirs = await req('GET', '/devices', other.token);
    assert.deepEqual(theirs.json.items.map((d) => [d.name, d.platform, d.current]), [['', 'ios', true]]);

    assert.equal((await req('GET', '/devices', phoneApp.token)).json.items[0].current, true);
    assert.equal((await req('GET', '/devices', browser.token)).json.items[2].current, true);
    assertError(await req('GET', '/devices'), 401, 'unauthorized');
  });

  it('a sign-in\'s device must be a name or {name, platform}', async () => {
    const phone = uniquePhone();
    for (const [device, code] of [
      [{ platform: 'toaster' }, 'invalid_field'],
      [{ name: 7 }, 'invalid_field'],
      [42, 'invalid_field'],
      [{ name: 'x'.repeat(65) }, 'too_long'],
    ]) {
      const en = await f.request('POST', '/auth/enter_number', { body: { phone } });
      const otp = await f.sms.nextCode(en.json.phone);
      const v = await f.request('POST', '/auth/verify_otp', { body: { phone, code: otp, device } });
      assertError(v, 400, code, JSON.stringify(device));
    }
  });

  it('DELETE /devices/{id} signs that device out at once: its token dies and its sockets close', async () => {
    const phone = uniquePhone();
    const kept = await f.signIn(phone, { device: 'kept' });
    const lost = await f.signIn(phone, { device: 'lost' });
    const socket = await connectSio(f.baseUrl, lost.token, { label: 'lost device' });
    const keptSocket = await connectSio(f.baseUrl, kept.token, { label: 'kept device' });
    const lostId = (await req('GET', '/devices', lost.token)).json.items.find((d) => d.current).id;

    // Another user cannot, and an unknown id is 404 too.
    const stranger = await f.signIn(uniquePhone());
    assertError(await req('DELETE', `/devices/${lostId}`, stranger.token), 404, 'not_found');
    assertError(await req('DELETE', '/devices/no-such-device', kept.token), 404, 'not_found');
    assert.equal((await req('GET', '/users/me', lost.token)).status, 200, 'still signed in');

    const out = await req('DELETE', `/devices/${lostId}`, kept.token);
    assert.equal(out.status, 204, out.text);
    await within(socket.disconnected, 'the signed-out device\'s socket closes');
    assertError(await req('GET', '/users/me', lost.token), 401, 'unauthorized');
    assert.deepEqual((await req('GET', '/devices', kept.token)).json.items.map((d) => d.name), ['kept']);
    assert.equal(keptSocket.socket.connected, true, 'the other device stays connected');
    assertError(await req('DELETE', `/devices/${lostId}`, kept.token), 404, 'not_found', 'gone already');
    keptSocket.close();
  });

  it('PUT /devices/current/push registers where pushes reach this device; DELETE forgets it', async () => {
    const phone = uniquePhone();
    const a = await f.signIn(phone, { device: { name: 'phone', platform: 'android' } });
    const b = await f.signIn(phone, { device: { name: 'browser', platform: 'web' } });
    const pushOf = async (token) => (await req('GET', '/devices', token)).json.items.map((d) => [d.name, d.push]);

    for (const [registration, kind] of [
      [{ kind: 'fcm', token: 'eHc3:APA91bGx-abc_DEF.123' }, 'fcm'],
      [{ kind: 'apns', token: 'ab'.repeat(32) }, 'apns'],
      [{ kind: 'apns', token: 'CD'.repeat(32), voip: true }, 'apns'],
      [{ kind: 'unifiedpush', endpoint: 'https://ntfy.example.org/upAbC123?up=1' }, 'unifiedpush'],
      [webPushSubscription(), 'webpush'],
    ]) {
      const put = await req('PUT', '/devices/current/push', a.token, registration);
      assert.equal(put.status, 204, `${JSON.stringify(registration)}: ${put.text}`);
      assert.deepEqual(await pushOf(b.token), [['phone', kind], ['browser', null]]);
    }
    const gone = await req('DELETE', '/devices/current/push', a.token);
    assert.equal(gone.status, 204, gone.text);
    assert.deepEqual(await pushOf(a.token), [['phone', null], ['browser', null]]);
    assert.equal((await req('DELETE', '/devices/current/push', a.token)).status, 204, 'idempotent');
  });

  it('a registration no push service would take is 400 invalid_push, and changes nothing', async () => {
    const a = await f.signIn(uniquePhone());
    assert.equal((await req('PUT', '/devices/current/push', a.token, { kind: 'fcm', token: 'good-token' })).status, 204);
    const sub = webPushSubscription();
    const offCurve = Buffer.alloc(65, 1);
    offCurve[0] = 4;
    for (const [what, body, code = 'invalid_push'] of [
      ['an unknown kind', { kind: 'pigeon', token: 'x' }],
      ['no kind', { token: 'x' }, 'missing_field'],
      ['Web Push over http', { ...sub, endpoint: 'http://push.example.com/x' }],
      ['Web Push to no URL', { ...sub, endpoint: 'not a url' }],
      ['Web Push without keys', { kind: 'webpush', endpoint: sub.endpoint }],
      ['a p256dh off the curve', { ...sub, keys: { ...sub.keys, p256dh: b64url(offCurve) } }],
      ['a p256dh of the wrong size', { ...sub, keys: { ...sub.keys, p256dh: b64url(randomBytes(33)) } }],
      ['a p256dh that is not base64url', { ...sub, keys: { ...sub.keys, p256dh: '***' } }],
      ['an auth of 8 bytes', { ...sub, keys: { ...sub.keys, auth: b64url(randomBytes(8)) } }],
      ['an empty FCM token', { kind: 'fcm', token: '' }],
      ['an FCM token with spaces', { kind: 'fcm', token: 'a b' }],
      ['an APNs token not in hex', { kind: 'apns', token: 'z'.repeat(64) }],
      ['a short APNs token', { kind: 'apns', token: 'ab' }],
      ['UnifiedPush over http', { kind: 'unifiedpush', endpoint: 'http://127.0.0.1:6379/' }],
      ['an FCM token that is no string', { kind: 'fcm', token: 5 }, 'invalid_field'],
    ]) {
      assertError(await req('PUT', '/devices/current/push', a.token, body), 400, code, what);
    }
    assert.equal((await req('GET', '/devices', a.token)).json.items[0].push, 'fcm', 'the registration before stays');
  });
});

describe('muted chats', () => {
  let f;
  before(async () => {
    f = await startFlowd(ARGS);
  });
  after(async () => {
    await f?.shutdown();
  });

  it('PUT /chats/{id}/mute mutes a chat for the caller, until a time or for ever, and null unmutes', async () => {
    const [a, b, c] = await f.signUpMany(3, 'Muter');
    const chat = await f.request('POST', '/chats', { token: a.token, body: { type: 'direct', user_id: b.id } });
    assert.equal(chat.status, 201, chat.text);
    const id = chat.json.id;
    const mutedFor = async (user) => (await f.request('GET', `/chats/${id}`, { token: user.token })).json.muted_until;

    assert.equal(await mutedFor(a), null, 'not muted at first');
    const until = Date.now() + 3_600_000;
    for (const [value, seen] of [[-1, -1], [until, until], [null, null]]) {
      const put = await f.request('PUT', `/chats/${id}/mute`, { token: a.token, body: { until: value } });
      assert.equal(put.status, 204, put.text);
      assert.equal(await mutedFor(a), seen);
      assert.equal(await mutedFor(b), null, 'the other member\'s is their own');
    }
    const list = await f.request('GET', '/chats', { token: a.token });
    assert.equal(list.json.items.find((x) => x.id === id).muted_until, null);

    assertError(await f.request('PUT', `/chats/${id}/mute`, { token: c.token, body: { until: -1 } }), 404, 'not_found', 'not a member');
    assertError(await f.request('PUT', '/chats/nope/mute', { token: a.token, body: { until: -1 } }), 404, 'not_found');
    for (const [body, code] of [[{}, 'missing_field'], [{ until: 'soon' }, 'invalid_field'], [{ until: -5 }, 'invalid_field'], [{ until: 1.5 }, 'invalid_field']])
      assertError(await f.request('PUT', `/chats/${id}/mute`, { token: a.token, body }), 400, code, JSON.stringify(body));
  });
});

describe('deleting an account', () => {
  let f;
  before(async () => {
    f = await startFlowd(ARGS);
  });
  after(async () => {
    await f?.shutdown();
  });

  const as = (user) => (method, p, body, opts = {}) => f.request(method, p, { token: user.token, body, ...opts });
  const upload = async (user) => {
    const r = await f.request('POST', '/media', { token: user.token, rawBody: GIF, headers: { 'content-type': 'image/gif' } });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };

  it('DELETE /users/me: the account is gone, what others hold of it stays, and the phone signs up anew', async () => {
    const [ann, bob, cat] = await f.signUpMany(3, 'Leaver');
    const a = as(ann), b = as(bob), c = as(cat);
    const annPhone = (await a('GET', '/users/me')).json.phone;
    const secondDevice = await f.signIn(annPhone);

    // What Ann has: a direct chat with Bob and a group she made, messages in both (one
    // with a photo), a profile picture, a story, an upload nothing uses.
    const direct = (await a('POST', '/chats', { type: 'direct', user_id: bob.id })).json;
    const group = (await a('POST', '/chats', { type: 'group', name: 'Club', user_ids: [bob.id, cat.id] })).json;
    const photo = await upload(ann);
    const sent = await a('POST', `/chats/${direct.id}/send_message`, { client_id: 'del-1', type: 'image', media_id: photo.id, text: 'look' });
    assert.equal(sent.status, 201, sent.text);
    assert.equal((await a('POST', `/chats/${group.id}/send_message`, { client_id: 'del-2', type: 'text', text: 'hi all' })).status, 201);
    assert.equal((await b('POST', `/chats/${direct.id}/send_message`, { client_id: 'del-3', type: 'text', text: 'hi Ann' })).status, 201);
    const picture = await upload(ann);
    assert.equal((await a('PUT', '/auth/modify_user', { image_id: picture.id })).status, 200);
    const storyMedia = await upload(ann);
    assert.equal((await a('POST', '/stories', { type: 'image', media_id: storyMedia.id })).status, 201);
    const unused = await upload(ann);
    assert.equal((await b('GET', `/media/${picture.id}`)).status, 200, 'a profile picture is public');

    const annSockets = await Promise.all([ann.token, secondDevice.token].map((t) => connectSio(f.baseUrl, t)));
    const bobSocket = await connectSio(f.baseUrl, bob.token, { label: 'bob' });

    const gone = await a('DELETE', '/users/me');
    assert.equal(gone.status, 204, gone.text);

    // Every token of hers is dead, and her sockets closed.
    await Promise.all(annSockets.map((s, i) => within(s.disconnected, `Ann's socket ${i + 1} closes`)));
    for (const token of [ann.token, secondDevice.token])
      assertError(await f.request('GET', '/users/me', { token }), 401, 'unauthorized');

    // Others see a user with no name, picture or number, and keep her messages.
    const seen = await b('GET', `/users/${ann.id}`);
    assert.equal(seen.status, 200, seen.text);
    assert.deepEqual([seen.json.name, seen.json.image_id, seen.json.phone, seen.json.about], ['', null, '', '']);
    const history = await b('GET', `/chats/${direct.id}/messages`);
    assert.deepEqual(history.json.items.map((m) => [m.sender_id, m.text]), [[ann.id, 'look'], [bob.id, 'hi Ann']]);
    assert.equal((await b('GET', `/media/${photo.id}`)).status, 200, 'a photo she sent stays with the message');
    const inGroup = await c('GET', `/chats/${group.id}`);
    assert.deepEqual(inGroup.json.participants.map((p) => p.user_id).sort(), [bob.id, cat.id].sort(), 'she left the group');
    assert.ok(inGroup.json.participants.some((p) => p.role === 'admin'), 'the group still has an admin');
    assert.deepEqual((await b('GET', `/chats/${direct.id}`)).json.participants.map((p) => p.user_id), [bob.id]);
    assert.equal((await b('GET', '/stories')).json.items.some((g) => g.user.id === ann.id), false, 'her story is gone');
    assertError(await b('POST', '/chats', { type: 'direct', user_id: ann.id }), 404, 'not_found', 'no new chat with her');
    assert.equal(bobSocket.socket.connected, true);
    bobSocket.close();

    // What only she could see is deleted, bytes too.
    for (const m of [picture, storyMedia, unused])
      assert.equal((await b('GET', `/media/${m.id}`)).status, 404, `media ${m.id}`);
    if (!MEDIA_ON_S3) {
      const file = (m) => path.join(f.dataDir, 'media', m.id.slice(0, 2), m.id);
      assert.equal(existsSync(file(photo)), true, 'the sent photo\'s bytes');
      for (const m of [picture, storyMedia, unused]) assert.equal(existsSync(file(m)), false, `the bytes of ${m.id}`);
    }

    // The phone is free: it signs up as a new user.
    const again = await f.signIn(annPhone);
    assert.equal(again.new_user, true);
    assert.notEqual(again.user.id, ann.id);
    assert.equal(again.user.phone, annPhone);
    assert.equal((await f.request('GET', '/chats', { token: again.token })).json.items.length, 0);
  });
});
