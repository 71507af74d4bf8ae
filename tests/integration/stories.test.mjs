// Stories over REST and in real time, as a client checks them: posting each type, who
// sees them (the owner and contacts, never strangers, media included; not the opener of a
// message request until it is answered, nor a group's co-members), views recorded
// once and listed to the owner only, deleting, story:new on a contact's socket, expiry,
// and the sweep that deletes an expired story's media.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { startFlowd, uniquePhone, assertError, assertUser, sleep, MEDIA_ON_S3, asUser } from './lib/flowd.mjs';
import { connect } from './lib/ws_client.mjs';

// Many sign-ins come from 127.0.0.1: lift the per-address and per-phone caps.
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];

const isMs = (t) => Number.isInteger(t) && t > 1_577_836_800_000 && t < Date.now() + 86_400_000 * 2;

function crc32(buf) {
  let crc = 0xffffffff;
  for (const byte of buf) {
    let c = (crc ^ byte) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A valid 2x3 RGB PNG. */
function png() {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(3, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = Buffer.alloc(3 * (1 + 2 * 3), 0x7f);
  for (let y = 0; y < 3; y++) rows[y * 7] = 0; // filter byte of each row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The head of an MP4 file (an 'ftyp' box and an empty 'free' box): libmagic calls it video/mp4. */
function mp4() {
  return Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom', 'latin1'), Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2', 'latin1'), Buffer.from([0, 0, 0, 8]), Buffer.from('free', 'latin1'),
  ]);
}

function assertStory(s, what = 'story') {
  const ctx = `${what}: ${JSON.stringify(s)}`;
  assert.ok(s && typeof s === 'object', ctx);
  for (const k of ['id', 'user_id', 'type', 'text', 'media', 'background', 'created_at', 'expires_at']) {
    assert.ok(k in s, `field ${k} missing in ${ctx}`);
  }
  assert.equal(typeof s.id, 'string', ctx);
  assert.ok(['text', 'image', 'video'].includes(s.type), `type: ${ctx}`);
  assert.equal(typeof s.text, 'string', ctx);
  assert.ok(s.media === null || (typeof s.media === 'object' && typeof s.media.id === 'string'), `media: ${ctx}`);
  assert.ok(s.background === null || /^#[0-9A-Fa-f]{6}$/.test(s.background), `background: ${ctx}`);
  assert.ok(isMs(s.created_at), `created_at: ${ctx}`);
  assert.ok(isMs(s.expires_at) && s.expires_at > s.created_at, `expires_at: ${ctx}`);
}

/** A client bound to one server and one signed-in user. */
function client(f, signed) {
  const base = asUser(f, signed);
  const { token, req } = base;
  return {
    ...base,
    upload: (bytes, type) => f.request('POST', '/media', { token, rawBody: bytes, headers: { 'content-type': type } }),
    media: (id) => f.request('GET', `/media/${id}`, { token }),
    post: (body) => req('POST', '/stories', body),
    feed: () => req('GET', '/stories'),
    view: (id) => req('POST', `/stories/${id}/view`),
    views: (id) => req('GET', `/stories/${id}/views`),
    remove: (id) => req('DELETE', `/stories/${id}`),
  };
}

async function signUp(f, name) {
  return client(f, await f.signUp(uniquePhone(), { name }));
}

/** Opens a direct chat from `a` to `b`; returns the Chat. For `b` it is a message request. */
async function opened(a, b) {
  const r = await a.req('POST', '/chats', { type: 'direct', user_id: b.id });
  assert.equal(r.status, 201, `direct chat -> ${r.status} ${r.text}`);
  return r.json;
}

/** Sends a text message as `c`; returns the Message. */
async function say(c, chatId, text) {
  const r = await c.req('POST', `/chats/${chatId}/send_message`, { client_id: `${text}-${Math.random()}`, type: 'text', text });
  assert.equal(r.status, 201, `send_message -> ${r.status} ${r.text}`);
  return r.json;
}

/** Makes `a` and `b` contacts: `a` opens a direct chat with `b` and `b` replies in it. */
async function contacts(a, b) {
  const chat = await opened(a, b);
  await say(a, chat.id, 'hi');
  await say(b, chat.id, 'hello');
  return chat;
}

async function uploaded(c, bytes, type) {
  const r = await c.upload(bytes, type);
  assert.equal(r.status, 201, `upload ${type} -> ${r.status} ${r.text}`);
  return r.json;
}

async function posted(c, body) {
  const r = await c.post(body);
  assert.equal(r.status, 201, `POST /stories ${JSON.stringify(body)} -> ${r.status} ${r.text}`);
  assertStory(r.json);
  return r.json;
}

/** The names of the files in the data dir's media folder (the bytes of stored media). */
async function mediaFiles(f) {
  const entries = await readdir(path.join(f.dataDir, 'media'), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

const groupOf = (feed, userId) => feed.json.items.find((g) => g.user.id === userId);
const storyIds = (feed, userId) => (groupOf(feed, userId)?.stories ?? []).map((s) => s.id);

describe('stories', () => {
  let f, ann, bob, cy;

  before(async () => {
    f = await startFlowd(ARGS);
    ann = await signUp(f, 'Ann');
    bob = await signUp(f, 'Bob');
    cy = await signUp(f, 'Cy');
    await contacts(ann, bob);
  });
  after(async () => {
    await f?.shutdown();
  });

  it('posts a text story with a background, living 24 hours', async () => {
    const before = Date.now();
    const s = await posted(ann, { type: 'text', text: 'Off to the hills', background: '#1E88E5' });
    assert.equal(s.user_id, ann.id);
    assert.equal(s.type, 'text');
    assert.equal(s.text, 'Off to the hills');
    assert.equal(s.background, '#1E88E5');
    assert.equal(s.media, null);
    assert.ok(s.created_at >= before - 1000);
    assert.equal(s.expires_at - s.created_at, 86_400_000);
    const plain = await posted(ann, { type: 'text', text: 'no background' });
    assert.equal(plain.background, null);
  });

  it('posts image and video stories of the owner’s own uploads, caption in text', async () => {
    const image = await uploaded(ann, png(), 'image/png');
    assert.equal(image.kind, 'image');
    const s = await posted(ann, { type: 'image', media_id: image.id, text: 'look' });
    assert.equal(s.media.id, image.id);
    assert.equal(s.media.kind, 'image');
    assert.equal(s.media.mime, 'image/png');
    assert.equal(s.text, 'look');
    assert.equal(s.background, null);

    const video = await uploaded(ann, mp4(), 'video/mp4');
    assert.equal(video.kind, 'video');
    const v = await posted(ann, { type: 'video', media_id: video.id });
    assert.equal(v.media.id, video.id);
    assert.equal(v.text, '');
  });

  it('refuses malformed stories with clear 400s', async () => {
    const image = await uploaded(ann, png(), 'image/png');
    const bobs = await uploaded(bob, png(), 'image/png');
    const cases = [
      [{}, 'missing_field'],
      [{ type: 'poll' }, 'invalid_field'],
      [{ type: 'text' }, 'empty_text'],
      [{ type: 'text', text: '' }, 'empty_text'],
      [{ type: 'text', text: 'x'.repeat(1001) }, 'too_long'],
      [{ type: 'text', text: 'hi', background: 'blue' }, 'invalid_background'],
      [{ type: 'text', text: 'hi', background: '#12345' }, 'invalid_background'],
      [{ type: 'text', text: 'hi', media_id: image.id }, 'invalid_media'],
      [{ type: 'image' }, 'missing_field'],
      [{ type: 'image', media_id: image.id, background: '#000000' }, 'invalid_background'],
      [{ type: 'video', media_id: image.id }, 'invalid_media'],
      [{ type: 'image', media_id: bobs.id }, 'invalid_media'],
      [{ type: 'image', media_id: 'nope' }, 'invalid_media'],
      [{ type: 'text', text: 7 }, 'invalid_field'],
    ];
    for (const [body, code] of cases) assertError(await ann.post(body), 400, code, JSON.stringify(body));
    assertError(await ann.req('POST', '/stories', undefined), 400, 'invalid_json');
    assert.equal((await f.request('POST', '/stories', { body: { type: 'text', text: 'hi' } })).status, 401);
  });

  it('shows the owner and contacts the stories, grouped by user, newest first; strangers see nothing', async () => {
    const dan = await signUp(f, 'Dan');
    const eve = await signUp(f, 'Eve');
    await contacts(dan, eve);
    const first = await posted(dan, { type: 'text', text: 'one' });
    await sleep(5);
    const eves = await posted(eve, { type: 'text', text: 'eve' });
    await sleep(5);
    const second = await posted(dan, { type: 'text', text: 'two' });

    const feed = await dan.feed();
    assert.equal(feed.status, 200, feed.text);
    assert.deepEqual(feed.json.items.map((g) => g.user.id), [dan.id, eve.id], 'newest group first');
    for (const g of feed.json.items) {
      assertUser(g.user);
      for (const s of g.stories) {
        assertStory(s);
        assert.equal(typeof s.viewed, 'boolean');
        assert.equal(s.user_id, g.user.id);
      }
    }
    assert.deepEqual(storyIds(feed, dan.id), [second.id, first.id]);
    assert.deepEqual(storyIds(feed, eve.id), [eves.id]);
    assert.equal(groupOf(feed, dan.id).user.name, 'Dan');

    const strangers = await cy.feed();
    assert.equal(strangers.status, 200);
    assert.equal(groupOf(strangers, dan.id), undefined);
    assert.equal(groupOf(strangers, ann.id), undefined);
    assert.deepEqual(strangers.json.items, []);
  });

  it('lets contacts but not strangers see a story’s media', async () => {
    const image = await uploaded(ann, png(), 'image/png');
    const s = await posted(ann, { type: 'image', media_id: image.id });
    assert.ok(storyIds(await bob.feed(), ann.id).includes(s.id));
    const got = await bob.media(image.id);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.headers.get('content-type'), 'image/png');
    assertError(await cy.media(image.id), 404, 'not_found', 'a stranger reads story media');
    assertError(await cy.view(s.id), 404, 'not_found', 'a stranger views');
    assertError(await cy.views(s.id), 404, 'not_found', 'a stranger lists views');
    assertError(await cy.remove(s.id), 404, 'not_found', 'a stranger deletes');
  });

  it('records a view once, with its time, and lists views to the owner only', async () => {
    const s = await posted(ann, { type: 'text', text: 'who looks?' });
    assert.equal(groupOf(await bob.feed(), ann.id).stories.find((x) => x.id === s.id).viewed, false);
    const t0 = Date.now();
    assert.equal((await bob.view(s.id)).status, 204);
    await sleep(20);
    assert.equal((await bob.view(s.id)).status, 204, 'viewing again is fine');
    assert.equal((await ann.view(s.id)).status, 204, 'the owner may view their own story');

    const views = await ann.views(s.id);
    assert.equal(views.status, 200, views.text);
    assert.equal(views.json.items.length, 1, `one view: ${views.text}`);
    assert.equal(views.json.items[0].user_id, bob.id);
    assert.ok(isMs(views.json.items[0].viewed_at));
    assert.ok(Math.abs(views.json.items[0].viewed_at - t0) < 5000);
    const again = await ann.views(s.id);
    assert.deepEqual(again.json, views.json, 'the first view time is kept');

    assert.equal(groupOf(await bob.feed(), ann.id).stories.find((x) => x.id === s.id).viewed, true);
    assertError(await bob.views(s.id), 404, 'not_found', 'a viewer lists views');
    assertError(await bob.view('no-such-story'), 404, 'not_found');
    assertError(await ann.views('no-such-story'), 404, 'not_found');
  });

  it('deletes a story by its owner only', async () => {
    const s = await posted(ann, { type: 'text', text: 'short-lived' });
    await bob.view(s.id);
    assertError(await bob.remove(s.id), 404, 'not_found', 'a contact deletes');
    assert.ok(storyIds(await bob.feed(), ann.id).includes(s.id));
    assert.equal((await ann.remove(s.id)).status, 204);
    assert.ok(!storyIds(await bob.feed(), ann.id).includes(s.id));
    assert.ok(!storyIds(await ann.feed(), ann.id).includes(s.id));
    assertError(await bob.view(s.id), 404, 'not_found', 'view after delete');
    assertError(await ann.views(s.id), 404, 'not_found', 'views after delete');
    assertError(await ann.remove(s.id), 404, 'not_found', 'delete twice');
  });

  it('sends story:new to contacts’ sockets, not to strangers', async () => {
    const bobSocket = await connect(f.baseUrl, bob.token);
    const cySocket = await connect(f.baseUrl, cy.token);
    try {
      const s = await posted(ann, { type: 'text', text: 'live!', background: '#00FF00' });
      const got = await bobSocket.next('story:new', { filter: (d) => d.id === s.id });
      assertStory(got, 'story:new');
      assert.deepEqual(got, s);
      await cySocket.none('story:new', 300);
    } finally {
      await bobSocket.close();
      await cySocket.close();
    }
  });

  it('a stranger who opens a direct chat with the owner sees none of their stories until the owner replies', async () => {
    const sly = await signUp(f, 'Sly');
    const chat = await opened(sly, ann);
    const hello = await say(sly, chat.id, 'hi, remember me?');
    const slySocket = await connect(f.baseUrl, sly.token);
    const bobSocket = await connect(f.baseUrl, bob.token);
    try {
      const image = await uploaded(ann, png(), 'image/png');
      const s = await posted(ann, { type: 'image', media_id: image.id, text: 'for my contacts' });
      // Bob, a contact, hears of it; then Ann reads Sly's message, and the delivered
      // receipt reaches Sly after any story:new would have.
      await bobSocket.next('story:new', { filter: (d) => d.id === s.id });
      assert.equal((await ann.req('POST', `/chats/${chat.id}/read`, { seq: hello.seq })).status, 204);
      await slySocket.next('message:status', { filter: (d) => d.chat_id === chat.id && d.user_id === ann.id });
      assert.deepEqual(slySocket.drain('story:new'), [], 'story:new reached the opener of a message request');

      assert.equal(groupOf(await sly.feed(), ann.id), undefined, 'the opener of a message request sees the stories');
      assertError(await sly.media(image.id), 404, 'not_found', 'the opener of a message request reads story media');
      assertError(await sly.view(s.id), 404, 'not_found', 'the opener of a message request views a story');
      // Nor does Ann see Sly's.
      const slys = await posted(sly, { type: 'text', text: 'mine' });
      assert.equal(groupOf(await ann.feed(), sly.id), undefined, 'the recipient of a request sees the opener’s stories');

      // Ann replies: now they are contacts, both ways.
      await say(ann, chat.id, 'oh, hi');
      assert.ok(storyIds(await sly.feed(), ann.id).includes(s.id), 'after the reply, the opener sees the stories');
      assert.deepEqual(storyIds(await ann.feed(), sly.id), [slys.id]);
      assert.equal((await sly.media(image.id)).status, 200, 'a contact reads story media');
      assert.equal((await sly.view(s.id)).status, 204);
      const next = await posted(ann, { type: 'text', text: 'hello contacts' });
      assert.deepEqual(await slySocket.next('story:new', { filter: (d) => d.id === next.id }), next);
    } finally {
      await slySocket.close();
      await bobSocket.close();
    }
  });

  it('accepting a message request makes contacts too', async () => {
    const tod = await signUp(f, 'Tod');
    const chat = await opened(tod, ann);
    const s = await posted(ann, { type: 'text', text: 'accepted ones only' });
    assert.equal(groupOf(await tod.feed(), ann.id), undefined);
    assert.equal((await ann.req('POST', `/chats/${chat.id}/accept`)).status, 204);
    assert.ok(storyIds(await tod.feed(), ann.id).includes(s.id), 'after accepting, the opener sees the stories');
  });

  it('sharing a group, even talking in it, does not make contacts', async () => {
    const gus = await signUp(f, 'Gus');
    const g = await ann.req('POST', '/chats', { type: 'group', name: 'Hikers', user_ids: [gus.id] });
    assert.equal(g.status, 201, g.text);
    await say(ann, g.json.id, 'welcome');
    await say(gus, g.json.id, 'thanks');
    const image = await uploaded(ann, png(), 'image/png');
    const s = await posted(ann, { type: 'image', media_id: image.id });
    assert.equal(groupOf(await gus.feed(), ann.id), undefined, 'a group co-member sees the stories');
    assertError(await gus.media(image.id), 404, 'not_found', 'a group co-member reads story media');
    assertError(await gus.view(s.id), 404, 'not_found', 'a group co-member views a story');
  });
});

describe('story expiry and the sweep', () => {
  let f, ann, bob;

  before(async () => {
    f = await startFlowd([...ARGS, '--story-ttl-seconds', '2', '--story-sweep-seconds', '1']);
    ann = await signUp(f, 'Ann');
    bob = await signUp(f, 'Bob');
    await contacts(ann, bob);
  });
  after(async () => {
    await f?.shutdown();
  });

  it('hides an expired story, then the sweep deletes its media', async () => {
    const image = await uploaded(ann, png(), 'image/png');
    const kept = await uploaded(ann, png(), 'image/png'); // never attached: younger than an hour, kept
    const s = await posted(ann, { type: 'image', media_id: image.id });
    assert.equal(s.expires_at - s.created_at, 2000);
    assert.ok(storyIds(await bob.feed(), ann.id).includes(s.id));
    assert.equal((await bob.media(image.id)).status, 200);

    await sleep(Math.max(0, s.expires_at - Date.now()) + 100);
    assert.ok(!storyIds(await bob.feed(), ann.id).includes(s.id), 'expired: not in the feed');
    assert.ok(!storyIds(await ann.feed(), ann.id).includes(s.id), 'expired: not in the owner’s feed');
    assertError(await bob.view(s.id), 404, 'not_found', 'view an expired story');
    assertError(await ann.views(s.id), 404, 'not_found', 'views of an expired story');
    assertError(await bob.media(image.id), 404, 'not_found', 'a contact reads expired story media');

    // The sweep runs every second; the owner loses the media once it has run.
    const deadline = Date.now() + 5000;
    let status;
    while (Date.now() < deadline) {
      // A download the sweep overtakes (on another node) may be cut off mid-body: try again.
      status = await ann.media(image.id).then((r) => r.status, () => 'cut off');
      if (status === 404) break;
      await sleep(200);
    }
    assert.equal(status, 404, 'the sweep deleted the expired story’s media');
    assert.equal((await ann.media(kept.id)).status, 200, 'a fresh unattached upload stays');
    if (MEDIA_ON_S3) return; // the bytes are on the S3 server; the 404 above stands for them
    const files = await mediaFiles(f);
    assert.ok(files.some((name) => name.includes(kept.id)), `the kept upload's bytes: ${files}`);
    assert.ok(!files.some((name) => name.includes(image.id)), `the swept media's bytes are gone: ${files}`);
  });
});
