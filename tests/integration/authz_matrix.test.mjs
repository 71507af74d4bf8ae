// The authorization matrix: every route of the OpenAPI document (api/openapi.json) and
// every client event of the real-time gateway (src/realtime/gateway.cpp), tried as the
// owner of what it names, a member, a stranger and without a token, each with the status
// the table below expects. The table has one row per route (a few routes have more, one
// per kind of object), so a route or an event added without a row here fails the test,
// and a row whose route is gone fails it too. Each authenticated row is also tried with
// a bogus token (401), and each GET row as HEAD (the same status). The events are tried
// over /ws, Socket.IO over WebSocket and Socket.IO over polling: the stranger's are
// refused (not_found) and reach nobody, the member's reach the owner. Then three cases
// around the table: presence reaches contacts only, a story's media is readable by
// exactly those who see the story, and a member who left a group is a stranger to it.
//
// The fixture, built once: owner A, member B, stranger C; a direct chat A-B in which both
// wrote (so A and B are contacts), a group chat (A admin, B member) with a text and an
// image message, an upload of A's attached to nothing, a story of A's with an image, and
// a finished call A -> B. C shares nothing with A or B. Rows that would destroy the
// fixture (logout, delete_message, DELETE /stories/{id}, participants, call actions)
// make a fresh object for each call; the roles are tried in the order: no token,
// stranger, member, owner.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startFlowd, uniquePhone, REPO_ROOT, assertAckError, sleep } from './lib/flowd.mjs';
import { connect, handshake } from './lib/ws_client.mjs';
import { connectSio, openSio } from './lib/sio_client.mjs';
import { brief } from './lib/inbox.mjs';

// Many sign-ins and codes come from 127.0.0.1: lift the per-address and per-phone caps.
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];

// How long an event that must not come is waited for, after a control event that must
// come (sent later) has already arrived.
const QUIET_MS = 150;

const ROLES = ['anon', 'stranger', 'member', 'owner']; // the order the roles are tried in
const BOGUS_TOKEN = 'not-a-token-of-this-server';

const openapi = JSON.parse(readFileSync(path.join(REPO_ROOT, 'api/openapi.json'), 'utf8'));
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** "METHOD /path" of every operation in the OpenAPI document, with whether it needs a token. */
function documentedRoutes() {
  const routes = new Map();
  for (const [p, item] of Object.entries(openapi.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const security = op.security ?? openapi.security ?? [];
      routes.set(`${method.toUpperCase()} ${p}`, security.some((s) => 'bearerAuth' in s));
    }
  }
  return routes;
}

/** The client events the gateway handles: every `event == "..."` in its source. */
function gatewayEvents() {
  const source = readFileSync(path.join(REPO_ROOT, 'src/realtime/gateway.cpp'), 'utf8');
  return [...new Set([...source.matchAll(/event == "([^"]+)"/g)].map((m) => m[1]))];
}

/** The smallest image the server takes: a GIF89a header of 2 x 3 (the kind is sniffed from the bytes). */
const GIF = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([2, 0, 3, 0, 0, 0, 0, 0x3b])]);
// A whole 1 x 1 GIF, which decodes.
const PICTURE = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

// ---------------------------------------------------------------------------------
// The fixture
// ---------------------------------------------------------------------------------

let f;
let fx; // {owner, member, stranger: {token, id, phone, name}, direct, group, ...}

/** A request as `role` (no token for 'anon'), asserting nothing. */
function call(role, method, urlPath, opts = {}) {
  const token = opts.token ?? (role === 'anon' ? undefined : fx[role].token);
  return f.request(method, urlPath, { ...opts, token });
}

/** A request as `role` that must answer `status`; returns the parsed body. */
async function must(role, method, urlPath, status, opts = {}) {
  const r = await call(role, method, urlPath, opts);
  assert.equal(r.status, status, `setup: ${role} ${method} ${urlPath} -> ${r.status} ${r.text}`);
  return r.json;
}

/** A send_message body: a text from `role`. */
const text = (role, words = 'matrix') => ({ client_id: randomUUID(), type: 'text', text: `${words} from ${role}` });

/** A fresh text message of the owner's in `chat`. */
const ownerSays = (chat) => must('owner', 'POST', `/chats/${chat.id}/send_message`, 201, { body: text('owner') });

/** Waits (bounded) until the owner's thumbnail of `mediaId` is no longer being made. */
async function settledThumbnail(mediaId) {
  for (const deadline = Date.now() + 20_000; ; await sleep(50)) {
    const r = await call('owner', 'GET', `/media/${mediaId}/thumbnail`);
    if (r.json?.error?.code !== 'thumbnail_pending') return {};
    assert.ok(Date.now() < deadline, `the thumbnail of ${mediaId} is still being made after 20 s`);
  }
}

async function upload(role) {
  return must(role, 'POST', '/media', 201, { rawBody: GIF, headers: { 'content-type': 'image/gif' } });
}

/** A call A -> B ringing (a fresh one). */
const ringing = () => must('owner', 'POST', '/calls/make_call', 201, { body: { callee_id: fx.member.id, type: 'audio' } });

/** A call A -> B that B accepted. */
async function ongoing() {
  const c = await ringing();
  await must('member', 'POST', `/calls/${c.id}/accept`, 200);
  return c;
}

/** Ends call `id` whatever state it is in (the caller's end, as a teardown). */
async function hangUp(id) {
  const r = await call('owner', 'POST', `/calls/${id}/end`);
  assert.ok([200, 409].includes(r.status), `teardown: end call ${id} -> ${r.status} ${r.text}`);
}

async function buildFixture() {
  const [owner, member, stranger] = await Promise.all(
    ['Owner A', 'Member B', 'Stranger C'].map(async (name) => {
      const phone = uniquePhone();
      const s = await f.signUp(phone, { name });
      return { token: s.token, id: s.user.id, phone, name };
    }),
  );
  fx = { owner, member, stranger };

  // A and B are contacts in every sense: both wrote in their direct chat.
  fx.direct = await must('owner', 'POST', '/chats', 201, { body: { type: 'direct', user_id: member.id } });
  await ownerSays(fx.direct);
  await must('member', 'POST', `/chats/${fx.direct.id}/send_message`, 201, { body: text('member') });

  fx.group = await must('owner', 'POST', '/chats', 201, { body: { type: 'group', name: 'Matrix group', user_ids: [member.id] } });
  await ownerSays(fx.group);
  fx.messageMedia = await upload('owner');
  fx.mediaMessage = await must('owner', 'POST', `/chats/${fx.group.id}/send_message`, 201, {
    body: { client_id: randomUUID(), type: 'image', text: 'a picture', media_id: fx.messageMedia.id },
  });
  fx.looseMedia = await upload('owner'); // attached to nothing

  fx.storyMedia = await upload('owner');
  fx.story = await must('owner', 'POST', '/stories', 201, { body: { type: 'image', media_id: fx.storyMedia.id } });

  fx.call = await ongoing();
  await must('owner', 'POST', `/calls/${fx.call.id}/end`, 200);
}

// ---------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------
//
// A row: route ("METHOD /path/{param}" as in the OpenAPI document); name (which variant,
// when a route has several rows); params(ctx, role) -> the path's ids; query(ctx, role)
// -> its query parameters; body(ctx, role);
// raw(ctx, role) -> {rawBody, headers} instead of a JSON body; prepare() -> what ctx has
// in every call of the row (made once: the owner's call, the last, may use it up);
// setup(role) -> more of ctx, made fresh for each call; teardown(ctx); token(ctx, role)
// -> the token to use instead of the role's own; expect: the status per role, a number
// or "status code" (a 404 must be not_found and a 401 unauthorized in any case);
// check(res, role, ctx): what else the answer (or the state after it) must show, for the
// signed-in roles. A row whose route api/openapi.json does not have fails.

// Everyone, the same answer: the public routes.
const PUBLIC = (status) => ({ owner: status, member: status, stranger: status, anon: status });
// Any signed-in user: the routes about the caller alone.
const SIGNED_IN = (status) => ({ owner: status, member: status, stranger: status, anon: 401 });
// The chat, message, story and call routes: the stranger is told nothing exists.
const MEMBERS = (owner, member = owner) => ({ owner, member, stranger: 404, anon: 401 });

const ids = (items) => items.map((x) => x.id);

/** After a refused attach of the owner's upload `ctx.media`, the stranger still cannot read it. */
async function stillPrivate(r, role, ctx) {
  if (role === 'owner') return;
  const got = await call('stranger', 'GET', `/media/${ctx.media.id}`);
  assert.equal(got.status, 404, `the owner's upload after the ${role}'s attach: GET /media as the stranger -> ${got.status}`);
}

const ROWS = [
  // --- sign-in and the caller's own profile
  { route: 'POST /auth/enter_number', body: () => ({ phone: uniquePhone() }), expect: PUBLIC(200) },
  {
    route: 'POST /auth/verify_otp',
    async setup() {
      const phone = uniquePhone();
      const sent = await must('anon', 'POST', '/auth/enter_number', 200, { body: { phone } });
      return { phone, code: await f.sms.nextCode(sent.phone) };
    },
    body: (ctx) => ({ phone: ctx.phone, code: ctx.code }),
    expect: PUBLIC(200),
  },
  {
    route: 'POST /auth/register_user',
    body: (ctx, role) => ({ name: fx[role]?.name ?? 'Nobody' }),
    expect: SIGNED_IN(200),
    check: (r, role) => assert.equal(r.json.id, fx[role].id, 'a profile change is the caller\'s own'),
  },
  {
    route: 'PUT /auth/modify_user',
    body: () => ({ about: 'in the matrix' }),
    expect: SIGNED_IN(200),
    check: (r, role) => assert.equal(r.json.id, fx[role].id, 'a profile change is the caller\'s own'),
  },
  {
    // A profile photo is public: nobody may make another's upload theirs.
    route: 'PUT /auth/modify_user',
    name: "image_id of the owner's upload",
    prepare: async () => ({ media: await upload('owner') }),
    body: (ctx) => ({ image_id: ctx.media.id }),
    expect: { owner: 200, member: '400 invalid_media', stranger: '400 invalid_media', anon: 401 },
    check: stillPrivate,
  },
  {
    // A fresh device of the role's user signs out; the fixture's tokens live on.
    route: 'POST /auth/logout',
    async setup(role) {
      return role === 'anon' ? {} : { token: (await f.signIn(fx[role].phone)).token };
    },
    token: (ctx) => ctx.token,
    expect: SIGNED_IN(204),
    async check(r, role, ctx) {
      assert.equal((await call(role, 'GET', '/users/me', { token: ctx.token })).status, 401, 'the signed-out token');
      assert.equal((await call(role, 'GET', '/users/me')).status, 200, 'the role\'s other device');
    },
  },
  {
    route: 'GET /users/me',
    expect: SIGNED_IN(200),
    check: (r, role) => assert.equal(r.json.id, fx[role].id),
  },
  {
    // A fresh user of the role's deletes their account; the fixture's users live on.
    route: 'DELETE /users/me',
    async setup(role) {
      return role === 'anon' ? {} : { token: (await f.signIn(uniquePhone())).token };
    },
    token: (ctx) => ctx.token,
    expect: SIGNED_IN(204),
    async check(r, role, ctx) {
      assert.equal((await call(role, 'GET', '/users/me', { token: ctx.token })).status, 401, 'the deleted account\'s token');
      assert.equal((await call(role, 'GET', '/users/me')).status, 200, 'the role\'s own account');
    },
  },
  { route: 'GET /users/{user_id}', params: () => ({ user_id: fx.owner.id }), expect: SIGNED_IN(200) },
  { route: 'POST /users/lookup', body: () => ({ phones: [fx.owner.phone] }), expect: SIGNED_IN(200) },
  {
    // Anyone may report anyone (with the messages of their own chats); nobody themself.
    route: 'POST /users/{user_id}/report',
    params: () => ({ user_id: fx.owner.id }),
    body: () => ({ reason: 'other', note: 'matrix' }),
    expect: { owner: '400 self_report', member: 202, stranger: 202, anon: 401 },
  },
  {
    // The group's messages are the member's to report, not the stranger's.
    route: 'POST /users/{user_id}/report',
    name: 'with a message of the group',
    params: () => ({ user_id: fx.owner.id }),
    body: () => ({ reason: 'spam', message_ids: [fx.mediaMessage.id] }),
    expect: { owner: '400 self_report', member: 202, stranger: '404 not_found', anon: 401 },
  },
  {
    // Each blocks a fresh user, so the fixture's users stay unblocked for the rest of the table.
    route: 'POST /users/{user_id}/block',
    async setup() {
      return { other: (await f.signIn(uniquePhone())).user };
    },
    params: (ctx) => ({ user_id: ctx.other.id }),
    expect: SIGNED_IN(204),
    async check(r, role, ctx) {
      const listed = await call(role, 'GET', '/users/blocked');
      assert.ok(listed.json.items.some((u) => u.id === ctx.other.id), 'listed as blocked');
    },
  },
  {
    route: 'DELETE /users/{user_id}/block',
    async setup() {
      return { other: (await f.signIn(uniquePhone())).user };
    },
    params: (ctx) => ({ user_id: ctx.other.id }),
    expect: SIGNED_IN(204),
  },
  { route: 'GET /users/blocked', expect: SIGNED_IN(200) },
  { route: 'GET /users/me/privacy', expect: SIGNED_IN(200) },
  {
    // Each sets what is already theirs: the defaults stay for the rest of the table.
    route: 'PUT /users/me/privacy',
    body: () => ({ about: 'everyone' }),
    expect: SIGNED_IN(200),
    check: (r) => assert.equal(r.json.about, 'everyone'),
  },

  // --- chats
  // A group of one: making it shares no chat with anyone.
  { route: 'POST /chats', body: () => ({ type: 'group', name: 'Alone', user_ids: [] }), expect: SIGNED_IN(201) },
  {
    route: 'GET /chats',
    expect: SIGNED_IN(200),
    check(r, role) {
      const listed = ids(r.json.items);
      const mine = role !== 'stranger';
      for (const chat of [fx.direct, fx.group])
        assert.equal(listed.includes(chat.id), mine, `${role} lists chat ${chat.type}: ${brief(listed)}`);
    },
  },
  { route: 'GET /chats/{chat_id}', name: 'group', params: () => ({ chat_id: fx.group.id }), expect: MEMBERS(200) },
  { route: 'GET /chats/{chat_id}', name: 'direct', params: () => ({ chat_id: fx.direct.id }), expect: MEMBERS(200) },
  {
    route: 'PUT /chats/{chat_id}',
    params: () => ({ chat_id: fx.group.id }),
    body: () => ({ name: 'Matrix group' }),
    expect: MEMBERS(200, '403 not_admin'),
  },
  {
    // Each adds themselves: a no-op for the admin, refused to the others.
    route: 'POST /chats/{chat_id}/participants',
    params: () => ({ chat_id: fx.group.id }),
    body: (ctx, role) => ({ user_ids: [fx[role === 'anon' ? 'stranger' : role].id] }),
    expect: MEMBERS(200, '403 not_admin'),
    async check(r, role) {
      const chat = await must('owner', 'GET', `/chats/${fx.group.id}`, 200);
      assert.ok(!chat.participants.some((p) => p.user_id === fx.stranger.id), `${role}: the stranger is not in the group`);
    },
  },
  {
    // The admin removes the member; the member tries to remove the admin; the stranger the member.
    route: 'DELETE /chats/{chat_id}/participants/{user_id}',
    setup: async () => ({ group: await must('owner', 'POST', '/chats', 201, { body: { type: 'group', name: 'Fresh', user_ids: [fx.member.id] } }) }),
    params: (ctx, role) => ({ chat_id: ctx.group.id, user_id: fx[role === 'member' ? 'owner' : 'member'].id }),
    expect: MEMBERS(200, '403 not_admin'),
    async check(r, role, ctx) {
      if (role === 'owner') return;
      const chat = await must('owner', 'GET', `/chats/${ctx.group.id}`, 200);
      assert.equal(chat.participants.length, 2, `${role} removed nobody: ${brief(chat.participants)}`);
    },
  },
  { route: 'GET /chats/{chat_id}/messages', name: 'group', params: () => ({ chat_id: fx.group.id }), expect: MEMBERS(200) },
  { route: 'GET /chats/{chat_id}/messages', name: 'direct', params: () => ({ chat_id: fx.direct.id }), expect: MEMBERS(200) },
  {
    route: 'POST /chats/{chat_id}/send_message',
    name: 'group',
    params: () => ({ chat_id: fx.group.id }),
    body: (ctx, role) => text(role),
    expect: MEMBERS(201),
  },
  {
    route: 'POST /chats/{chat_id}/send_message',
    name: 'direct',
    params: () => ({ chat_id: fx.direct.id }),
    body: (ctx, role) => text(role),
    expect: MEMBERS(201),
  },
  {
    route: 'POST /chats/{chat_id}/send_message',
    name: "the owner's upload attached",
    prepare: async () => ({ media: await upload('owner') }),
    params: () => ({ chat_id: fx.group.id }),
    body: (ctx) => ({ client_id: randomUUID(), type: 'image', media_id: ctx.media.id }),
    expect: { owner: 201, member: '400 invalid_media', stranger: '400 invalid_media', anon: 401 },
    check: stillPrivate,
  },
  {
    // A fresh message of the owner's each time: only its sender deletes it for everyone.
    route: 'DELETE /chats/{chat_id}/delete_message',
    name: 'for everyone',
    setup: async () => ({ message: await ownerSays(fx.group) }),
    params: () => ({ chat_id: fx.group.id }),
    body: (ctx) => ({ message_id: ctx.message.id, for_everyone: true }),
    expect: MEMBERS(200, '403 not_sender'),
    async check(r, role, ctx) {
      const page = await must('owner', 'GET', `/chats/${fx.group.id}/messages?after=${ctx.message.seq - 1}&limit=1`, 200);
      assert.equal(page.items[0]?.deleted, role === 'owner', `deleted after ${role}'s call: ${brief(page.items)}`);
    },
  },
  {
    // A fresh message of the owner's each time: only its sender edits it.
    route: 'PATCH /chats/{chat_id}/messages/{message_id}',
    setup: async () => ({ message: await ownerSays(fx.group) }),
    params: (ctx) => ({ chat_id: fx.group.id, message_id: ctx.message.id }),
    body: (ctx, role) => ({ text: `edited by ${role}` }),
    expect: MEMBERS(200, '403 not_sender'),
    async check(r, role, ctx) {
      const page = await must('owner', 'GET', `/chats/${fx.group.id}/messages?after=${ctx.message.seq - 1}&limit=1`, 200);
      assert.equal(page.items[0]?.text, role === 'owner' ? 'edited by owner' : ctx.message.text, `after ${role}'s edit`);
    },
  },
  {
    route: 'PUT /chats/{chat_id}/messages/{message_id}/reaction',
    prepare: async () => ({ message: await ownerSays(fx.group) }),
    params: (ctx) => ({ chat_id: fx.group.id, message_id: ctx.message.id }),
    body: () => ({ emoji: '👍' }),
    expect: MEMBERS(200),
    async check(r, role, ctx) {
      const page = await must('owner', 'GET', `/chats/${fx.group.id}/messages?after=${ctx.message.seq - 1}&limit=1`, 200);
      const reacted = page.items[0].reactions.some((x) => x.user_ids.includes(fx[role].id));
      assert.equal(reacted, role !== 'stranger', `${role}'s reaction: ${brief(page.items[0].reactions)}`);
    },
  },
  {
    route: 'DELETE /chats/{chat_id}/messages/{message_id}/reaction',
    prepare: async () => ({ message: await ownerSays(fx.group) }),
    params: (ctx) => ({ chat_id: fx.group.id, message_id: ctx.message.id }),
    expect: MEMBERS(200),
  },
  {
    // The owner's message of the group into the direct chat, both the owner's and the member's.
    route: 'POST /chats/{chat_id}/forward',
    prepare: async () => ({ message: await ownerSays(fx.group) }),
    params: () => ({ chat_id: fx.group.id }),
    body: (ctx) => ({ message_ids: [ctx.message.id], to_chat_ids: [fx.direct.id] }),
    expect: MEMBERS(200),
    check(r, role) {
      if (role === 'stranger') return;
      assert.deepEqual(r.json.items.map((m) => [m.chat_id, m.sender_id, m.forwarded]), [[fx.direct.id, fx[role].id, true]]);
    },
  },
  {
    // Into a chat the role is not in: the stranger's own group, which the others are not in.
    route: 'POST /chats/{chat_id}/forward',
    name: "into the stranger's group",
    prepare: async () => ({
      message: await ownerSays(fx.group),
      theirs: await must('stranger', 'POST', '/chats', 201, { body: { type: 'group', name: 'Not yours', user_ids: [] } }),
    }),
    params: () => ({ chat_id: fx.group.id }),
    body: (ctx) => ({ message_ids: [ctx.message.id], to_chat_ids: [ctx.theirs.id] }),
    expect: MEMBERS(404),
    async check(r, role, ctx) {
      assert.deepEqual((await must('stranger', 'GET', `/chats/${ctx.theirs.id}/messages`, 200)).items, [], 'nothing forwarded');
    },
  },
  {
    route: 'DELETE /chats/{chat_id}/delete_message',
    name: 'for me',
    params: () => ({ chat_id: fx.direct.id }),
    setup: async () => ({ message: await ownerSays(fx.direct) }),
    body: (ctx) => ({ message_id: ctx.message.id, for_everyone: false }),
    expect: MEMBERS(200),
  },
  {
    route: 'GET /chats/{chat_id}/media',
    params: () => ({ chat_id: fx.group.id }),
    expect: MEMBERS(200),
    check: (r) => r.status !== 200 || assert.ok(ids(r.json.items).includes(fx.mediaMessage.id), brief(r.json)),
  },
  {
    route: 'POST /chats/{chat_id}/accept',
    params: () => ({ chat_id: fx.direct.id }),
    expect: MEMBERS(204),
  },
  { route: 'POST /chats/{chat_id}/read', params: () => ({ chat_id: fx.group.id }), body: () => ({ seq: 1 }), expect: MEMBERS(204) },
  {
    route: 'GET /search/messages',
    name: 'in all chats',
    query: () => ({ q: 'picture' }),
    expect: SIGNED_IN(200),
    check: (r, role) => assert.equal(ids(r.json.items).includes(fx.mediaMessage.id), role !== 'stranger', `${role} found: ${brief(r.json)}`),
  },
  {
    route: 'GET /search/messages',
    name: 'in one chat',
    query: () => ({ q: 'picture', chat_id: fx.group.id }),
    expect: MEMBERS(200),
    check: (r) => r.status !== 200 || assert.ok(ids(r.json.items).includes(fx.mediaMessage.id), brief(r.json)),
  },

  // --- media
  {
    route: 'POST /media',
    raw: () => ({ rawBody: GIF, headers: { 'content-type': 'image/gif' } }),
    expect: SIGNED_IN(201),
  },
  // The owner uploaded each of these; the member may read what a message or story shows them.
  { route: 'GET /media/{media_id}', name: 'of a message', params: () => ({ media_id: fx.messageMedia.id }), expect: MEMBERS(200) },
  {
    // Neither a conditional nor a ranged read tells a stranger more than a plain one.
    route: 'GET /media/{media_id}',
    name: 'of a message, If-None-Match its ETag',
    params: () => ({ media_id: fx.messageMedia.id }),
    raw: () => ({ headers: { 'if-none-match': `"${fx.messageMedia.sha256}"` } }),
    expect: MEMBERS(304),
  },
  {
    route: 'GET /media/{media_id}',
    name: 'of a message, a Range',
    params: () => ({ media_id: fx.messageMedia.id }),
    raw: () => ({ headers: { range: 'bytes=0-5' } }),
    expect: MEMBERS(206),
  },
  { route: 'GET /media/{media_id}', name: 'of a story', params: () => ({ media_id: fx.storyMedia.id }), expect: MEMBERS(200) },
  { route: 'GET /media/{media_id}', name: 'attached to nothing', params: () => ({ media_id: fx.looseMedia.id }), expect: MEMBERS(200, 404) },
  // Thumbnails follow the media's rule; each row waits until its thumbnail is settled.
  {
    route: 'GET /media/{media_id}/thumbnail',
    name: 'of a picture in a message',
    prepare: async () => {
      const media = await must('owner', 'POST', '/media', 201, { rawBody: PICTURE, headers: { 'content-type': 'image/gif' } });
      await must('owner', 'POST', `/chats/${fx.group.id}/send_message`, 201, {
        body: { client_id: randomUUID(), type: 'image', media_id: media.id },
      });
      await settledThumbnail(media.id);
      return { media };
    },
    params: (ctx) => ({ media_id: ctx.media.id }),
    expect: MEMBERS(200),
  },
  {
    route: 'GET /media/{media_id}/thumbnail',
    name: 'of a message, a GIF with no frame',
    prepare: () => settledThumbnail(fx.messageMedia.id),
    params: () => ({ media_id: fx.messageMedia.id }),
    expect: MEMBERS('404 no_thumbnail'),
  },

  // --- stories (the member is the owner's contact, the stranger is not)
  { route: 'POST /stories', body: (ctx, role) => ({ type: 'text', text: `a story of ${role}` }), expect: SIGNED_IN(201) },
  {
    route: 'POST /stories',
    name: "the owner's upload attached",
    prepare: async () => ({ media: await upload('owner') }),
    body: (ctx) => ({ type: 'image', media_id: ctx.media.id }),
    expect: { owner: 201, member: '400 invalid_media', stranger: '400 invalid_media', anon: 401 },
    check: stillPrivate,
  },
  {
    route: 'GET /stories',
    expect: SIGNED_IN(200),
    check(r, role) {
      const group = r.json.items.find((g) => g.user.id === fx.owner.id);
      const sees = role !== 'stranger';
      assert.equal(Boolean(group && ids(group.stories).includes(fx.story.id)), sees, `${role} sees the owner's story: ${brief(r.json)}`);
    },
  },
  {
    route: 'DELETE /stories/{story_id}',
    setup: async () => ({ story: await must('owner', 'POST', '/stories', 201, { body: { type: 'text', text: 'short-lived' } }) }),
    params: (ctx) => ({ story_id: ctx.story.id }),
    expect: MEMBERS(204, 404),
    async check(r, role, ctx) {
      const views = await call('owner', 'GET', `/stories/${ctx.story.id}/views`);
      assert.equal(views.status, role === 'owner' ? 404 : 200, `the story after ${role}'s delete`);
    },
  },
  { route: 'POST /stories/{story_id}/view', params: () => ({ story_id: fx.story.id }), expect: MEMBERS(204) },
  { route: 'GET /stories/{story_id}/views', params: () => ({ story_id: fx.story.id }), expect: MEMBERS(200, 404) },

  // --- devices and pushes: the caller's own; a chat's mute is its member's
  {
    route: 'GET /devices',
    expect: SIGNED_IN(200),
    check: (r) => assert.equal(r.json.items.filter((d) => d.current).length, 1, `one current device: ${brief(r.json)}`),
  },
  {
    // A fresh device of the owner's, which only the owner may sign out.
    route: 'DELETE /devices/{device_id}',
    async setup() {
      const { token } = await f.signIn(fx.owner.phone);
      const listed = await must('owner', 'GET', '/devices', 200, { token });
      return { token, device: listed.items.find((d) => d.current).id };
    },
    params: (ctx) => ({ device_id: ctx.device }),
    expect: { owner: 204, member: '404 not_found', stranger: '404 not_found', anon: 401 },
    async check(r, role, ctx) {
      const after = await call(role, 'GET', '/users/me', { token: ctx.token });
      assert.equal(after.status, role === 'owner' ? 401 : 200, `the device's token after the ${role}'s delete`);
    },
  },
  { route: 'PUT /devices/current/push', body: () => ({ kind: 'fcm', token: 'matrix-token' }), expect: SIGNED_IN(204) },
  { route: 'DELETE /devices/current/push', expect: SIGNED_IN(204) },
  { route: 'PUT /chats/{chat_id}/mute', params: () => ({ chat_id: fx.group.id }), body: () => ({ until: -1 }), expect: MEMBERS(204) },
  { route: 'PUT /chats/{chat_id}/settings', params: () => ({ chat_id: fx.group.id }), body: () => ({ archived: true }), expect: MEMBERS(204) },
  // The group is off already: the admin's 0 changes nothing; a member is not an admin.
  { route: 'PUT /chats/{chat_id}/disappearing', params: () => ({ chat_id: fx.group.id }), body: () => ({ seconds: 0 }), expect: MEMBERS(200, '403 not_admin') },
  { route: 'GET /push/vapid_public_key', expect: PUBLIC(200) },

  // --- calls (the owner is the caller, the member the callee)
  { route: 'GET /calls/ice_servers', expect: SIGNED_IN(200) },
  {
    // A group call in the group chat; the stranger may not ring it.
    route: 'POST /calls/make_call',
    body: () => ({ chat_id: fx.group.id, type: 'audio' }),
    expect: MEMBERS(201),
    async check(r, role) {
      if (r.status === 201) await must(role, 'POST', `/calls/${r.json.id}/end`, 200);
    },
  },
  {
    route: 'POST /calls/{call_id}/accept',
    setup: async () => ({ call: await ringing() }),
    teardown: (ctx) => hangUp(ctx.call.id),
    params: (ctx) => ({ call_id: ctx.call.id }),
    expect: MEMBERS('409 already_joined', 200),
  },
  {
    route: 'POST /calls/{call_id}/reject',
    setup: async () => ({ call: await ringing() }),
    teardown: (ctx) => hangUp(ctx.call.id),
    params: (ctx) => ({ call_id: ctx.call.id }),
    expect: MEMBERS('409 not_ringing', 200),
  },
  {
    route: 'POST /calls/{call_id}/end',
    setup: async () => ({ call: await ringing() }),
    teardown: (ctx) => hangUp(ctx.call.id),
    params: (ctx) => ({ call_id: ctx.call.id }),
    expect: MEMBERS(200),
  },
  {
    route: 'POST /calls/{call_id}/signal',
    setup: async () => ({ call: await ongoing() }),
    teardown: (ctx) => hangUp(ctx.call.id),
    params: (ctx) => ({ call_id: ctx.call.id }),
    body: () => ({ kind: 'ice', payload: { candidate: 'candidate:0 1 UDP 1 127.0.0.1 9 typ host' } }),
    expect: MEMBERS(204),
  },
  {
    route: 'GET /calls/history',
    expect: SIGNED_IN(200),
    check: (r, role) => assert.equal(ids(r.json.items).includes(fx.call.id), role !== 'stranger', `${role}'s history: ${brief(r.json)}`),
  },
  { route: 'GET /calls/history/{call_id}', params: () => ({ call_id: fx.call.id }), expect: MEMBERS(200) },

  // --- operations
  { route: 'GET /health', expect: PUBLIC(200) },
  { route: 'GET /ready', expect: PUBLIC(200) },
  { route: 'GET /metrics', expect: PUBLIC(200) },
  { route: 'GET /openapi.json', expect: PUBLIC(200) },
  { route: 'GET /asyncapi.yaml', expect: PUBLIC(200) },
  { route: 'GET /docs', expect: PUBLIC(200) },
  { route: 'GET /docs/docs.css', expect: PUBLIC(200) },
  { route: 'GET /docs/docs.js', expect: PUBLIC(200) },
  { route: 'GET /', expect: PUBLIC(200) },
  { route: 'GET /app.js', expect: PUBLIC(200) },
];

/** The path of `template` with `params` put in (each id URL-encoded); fails on a missing one. */
function fill(template, params) {
  return template.replace(/\{(\w+)\}/g, (_, name) => {
    assert.ok(params[name] !== undefined, `no value for {${name}} in ${template}`);
    return encodeURIComponent(params[name]);
  });
}

/** [status, code or undefined] of an expectation: 404, or "403 not_admin". */
function parseExpect(e) {
  const [status, code] = String(e).split(' ');
  return [Number(status), code ?? { 401: 'unauthorized', 404: 'not_found' }[status]];
}

const label = (row) => (row.name ? `${row.route} (${row.name})` : row.route);

/**
 * Tries `row` as `role` (with `tokenOverride` instead of the role's own if given; as HEAD
 * instead of GET with `head`) and checks the answer.
 */
async function tryRow(row, role, { tokenOverride, head = false, prepared = {} } = {}) {
  const ctx = { ...prepared, ...(row.setup ? await row.setup(role) : {}) };
  try {
    const [routeMethod, template] = row.route.split(' ');
    const method = head ? 'HEAD' : routeMethod;
    const urlPath = fill(template, row.params ? row.params(ctx, role) : {}) +
      (row.query ? `?${new URLSearchParams(row.query(ctx, role))}` : '');
    const opts = row.raw ? row.raw(ctx, role) : {};
    if (row.body) opts.body = row.body(ctx, role);
    const token = tokenOverride ?? (row.token && role !== 'anon' ? row.token(ctx, role) : undefined);
    const r = await call(role, method, urlPath, { ...opts, token });
    const [status, code] = parseExpect(tokenOverride ? 401 : row.expect[role]);
    const what = `${label(row)} as ${tokenOverride ? 'a bogus token' : role}: ${method} ${urlPath}`;
    assert.equal(r.status, status, `${what} -> ${r.status} ${r.text.slice(0, 300)}`);
    if (head) return; // no body to look at
    if (code !== undefined) assert.equal(r.json?.error?.code, code, `${what}: error code in ${r.text.slice(0, 300)}`);
    if (!tokenOverride && role !== 'anon' && row.check) await row.check(r, role, ctx);
  } finally {
    if (row.teardown) await row.teardown(ctx);
  }
}

// ---------------------------------------------------------------------------------
// The client events
// ---------------------------------------------------------------------------------
//
// A row: the event a client emits; setup() -> ctx (a fresh object to act on); data(ctx,
// role); teardown(ctx); then `relayed`: the event the other party gets when the member
// does the same, and from(data, role) whether an event received came from `role`. The
// stranger's emit must be acked with not_found and relay nothing; the member's, sent
// after it, must arrive at the owner, which bounds how long the stranger's could take.

const EVENTS = [
  {
    event: 'message:send',
    data: (ctx, role) => ({ chat_id: fx.group.id, ...text(role, 'an event') }),
    relayed: 'message:new',
    from: (d, role) => d.chat_id === fx.group.id && d.sender_id === fx[role].id,
  },
  {
    event: 'message:delivered',
    setup: async () => ({ message: await ownerSays(fx.group) }),
    data: (ctx) => ({ chat_id: fx.group.id, seq: ctx.message.seq }),
    relayed: 'message:status',
    from: (d, role) => d.chat_id === fx.group.id && d.user_id === fx[role].id && d.status === 'delivered',
  },
  {
    event: 'message:read',
    setup: async () => ({ message: await ownerSays(fx.group) }),
    data: (ctx) => ({ chat_id: fx.group.id, seq: ctx.message.seq }),
    relayed: 'message:status',
    from: (d, role) => d.chat_id === fx.group.id && d.user_id === fx[role].id && d.status === 'read',
  },
  {
    // The member edits a message of their own; the stranger tries the same one.
    event: 'message:edit',
    setup: async () => ({ message: await must('member', 'POST', `/chats/${fx.group.id}/send_message`, 201, { body: text('member') }) }),
    data: (ctx, role) => ({ chat_id: fx.group.id, message_id: ctx.message.id, text: `edited by ${role}` }),
    relayed: 'message:edited',
    from: (d, role) => d.chat_id === fx.group.id && d.text === `edited by ${role}`,
  },
  {
    event: 'message:react',
    setup: async () => ({ message: await ownerSays(fx.group) }),
    data: (ctx) => ({ chat_id: fx.group.id, message_id: ctx.message.id, emoji: '👍' }),
    relayed: 'message:reaction',
    from: (d, role) => d.chat_id === fx.group.id && d.user_id === fx[role].id,
  },
  {
    event: 'message:forward',
    setup: async () => ({ message: await ownerSays(fx.group) }),
    data: (ctx) => ({ chat_id: fx.group.id, message_ids: [ctx.message.id], to_chat_ids: [fx.group.id] }),
    relayed: 'message:new',
    from: (d, role) => d.chat_id === fx.group.id && d.forwarded && d.sender_id === fx[role].id,
  },
  {
    event: 'typing',
    data: () => ({ chat_id: fx.group.id, typing: true }),
    relayed: 'typing',
    from: (d, role) => d.chat_id === fx.group.id && d.user_id === fx[role].id,
  },
  {
    event: 'call:signal',
    setup: async () => ({ call: await ongoing() }),
    teardown: (ctx) => hangUp(ctx.call.id),
    data: (ctx) => ({ call_id: ctx.call.id, kind: 'ice', payload: { candidate: 'candidate:0 1 UDP 1 127.0.0.1 9 typ host' } }),
    relayed: 'call:signal',
    from: (d, role) => d.from === fx[role].id,
  },
];

const TRANSPORTS = {
  ws: (token, label) => connect(f.baseUrl, token, { label }),
  'socket.io': (token, label) => connectSio(f.baseUrl, token, { transports: ['websocket'], label }),
  'socket.io polling': (token, label) => connectSio(f.baseUrl, token, { transports: ['polling'], upgrade: false, label }),
};

// ---------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------

describe('authorization matrix', () => {
  before(async () => {
    f = await startFlowd(ARGS);
    await buildFixture();
  });

  after(async () => {
    if (f) await f.shutdown();
  });

  it('every route of the OpenAPI document has a row, and every row a documented route', () => {
    const documented = documentedRoutes();
    const covered = new Set(ROWS.map((r) => r.route));
    const missing = [...documented.keys()].filter((route) => !covered.has(route));
    assert.deepEqual(missing, [], `routes of api/openapi.json without a row in the matrix of ${path.basename(import.meta.url)}: ` +
      `add one (who may call it, and what each role gets) for: ${missing.join(', ')}`);
    const stale = [...covered].filter((route) => !documented.has(route));
    assert.deepEqual(stale, [], `rows for routes api/openapi.json does not have: ${stale.join(', ')}`);
    // The document says which routes need a token; the table must agree with it.
    for (const row of ROWS.filter((r) => documented.has(r.route))) {
      const needsToken = documented.get(row.route);
      assert.equal(row.expect.anon === 401, needsToken,
        `${label(row)}: the table says ${row.expect.anon} without a token, but api/openapi.json ` +
        `${needsToken ? 'requires' : 'does not require'} a bearer token (security)`);
      for (const role of ROLES) assert.ok(row.expect[role] !== undefined, `${label(row)}: no expectation for ${role}`);
    }
  });

  it('every client event of the gateway has a row', () => {
    const handled = gatewayEvents();
    assert.ok(handled.length >= 5, `events found in src/realtime/gateway.cpp: ${handled}`);
    const missing = handled.filter((e) => !EVENTS.some((row) => row.event === e));
    assert.deepEqual(missing, [], `client events without a row in the event matrix: ${missing.join(', ')}`);
  });

  const documented = documentedRoutes();
  for (const row of ROWS) {
    it(`${label(row)}: ${ROLES.map((role) => `${role} ${row.expect[role]}`).join(', ')}`, async () => {
      const prepared = row.prepare ? await row.prepare() : {};
      for (const role of ROLES) await tryRow(row, role, { prepared });
      if (row.expect.anon === 401) await tryRow(row, 'anon', { tokenOverride: BOGUS_TOKEN, prepared });
      // HEAD is answered as GET is, headers only: it must not get around a rule either.
      if (row.route.startsWith('GET ')) for (const role of ROLES) await tryRow(row, role, { head: true, prepared });
    });
  }

  // Before any other socket of the member's: its first connect and its last leave are
  // the member's presence changes.
  it("the member's presence reaches the owner (a contact), never the stranger", async () => {
    const owner = await connect(f.baseUrl, fx.owner.token, { label: 'owner' });
    const stranger = await connect(f.baseUrl, fx.stranger.token, { label: 'stranger' });
    try {
      const member = await connect(f.baseUrl, fx.member.token, { label: 'member' });
      const isMember = (d) => d.user_id === fx.member.id;
      await owner.next('presence', { filter: (d) => isMember(d) && d.online === true });
      await member.close();
      await owner.next('presence', { filter: (d) => isMember(d) && d.online === false });
      await stranger.none('presence', QUIET_MS, { filter: isMember, what: "(the member's presence reached the stranger)" });
    } finally {
      await Promise.all([owner.close(), stranger.close()]);
    }
  });

  it("a story's media is readable by exactly those who see the story", async () => {
    // Besides the member (a contact) and the stranger: one who shares only a group with the
    // owner, and one who opened a direct chat with the owner that the owner never answered.
    const [grouped, requester] = await Promise.all(
      ['Grouped E', 'Requester R'].map(async (name) => {
        const s = await f.signUp(uniquePhone(), { name });
        return { token: s.token, id: s.user.id };
      }),
    );
    await must('owner', 'POST', '/chats', 201, { body: { type: 'group', name: 'Shared group', user_ids: [grouped.id] } });
    const asked = await f.request('POST', '/chats', { token: requester.token, body: { type: 'direct', user_id: fx.owner.id } });
    assert.equal(asked.status, 201, `the requester's direct chat -> ${asked.status} ${asked.text}`);
    await f.request('POST', `/chats/${asked.json.id}/send_message`, { token: requester.token, body: text('requester') });

    const viewers = { member: fx.member, stranger: fx.stranger, 'group co-member': grouped, requester };
    for (const [who, { token }] of Object.entries(viewers)) {
      const feed = await f.request('GET', '/stories', { token });
      assert.equal(feed.status, 200);
      const sees = feed.json.items.some((g) => g.user.id === fx.owner.id && ids(g.stories).includes(fx.story.id));
      const media = await f.request('GET', `/media/${fx.storyMedia.id}`, { token });
      assert.equal(media.status, sees ? 200 : 404, `${who} ${sees ? 'sees' : 'does not see'} the story: its media -> ${media.status}`);
      const view = await f.request('POST', `/stories/${fx.story.id}/view`, { token });
      assert.equal(view.status, sees ? 204 : 404, `${who} ${sees ? 'sees' : 'does not see'} the story: view -> ${view.status}`);
      if (who === 'member') assert.ok(sees, 'the member (a contact) sees the story');
      if (who === 'stranger') assert.ok(!sees, 'the stranger does not see the story');
    }
  });

  it('a member who left a group is a stranger to it: 404 everywhere, rejoining included, and events refused', async () => {
    const former = await f.signUp(uniquePhone(), { name: 'Former D' });
    fx.former = { token: former.token, id: former.user.id };
    const group = await must('owner', 'POST', '/chats', 201, { body: { type: 'group', name: 'Left', user_ids: [fx.member.id, fx.former.id] } });
    const media = await upload('owner');
    const seen = await must('owner', 'POST', `/chats/${group.id}/send_message`, 201, {
      body: { client_id: randomUUID(), type: 'image', media_id: media.id },
    });
    assert.equal((await call('former', 'GET', `/media/${media.id}`)).status, 200, 'the media while in the group');
    await must('former', 'DELETE', `/chats/${group.id}/participants/${fx.former.id}`, 200);

    const tries = [
      ['GET', `/chats/${group.id}`],
      ['PUT', `/chats/${group.id}`, { name: 'Mine now' }],
      ['POST', `/chats/${group.id}/participants`, { user_ids: [fx.former.id] }],
      ['DELETE', `/chats/${group.id}/participants/${fx.member.id}`],
      ['GET', `/chats/${group.id}/messages`],
      ['POST', `/chats/${group.id}/send_message`, text('former')],
      ['DELETE', `/chats/${group.id}/delete_message`, { message_id: seen.id, for_everyone: false }],
      ['GET', `/chats/${group.id}/media`],
      ['POST', `/chats/${group.id}/read`, { seq: seen.seq }],
      ['GET', `/media/${media.id}`],
      ['POST', '/calls/make_call', { chat_id: group.id, type: 'audio' }],
    ];
    for (const [method, urlPath, body] of tries) {
      const r = await call('former', method, urlPath, { body });
      assert.equal(r.status, 404, `the former member: ${method} ${urlPath} -> ${r.status} ${r.text.slice(0, 200)}`);
    }
    const after = await must('owner', 'GET', `/chats/${group.id}`, 200);
    assert.deepEqual(after.participants.map((p) => p.user_id).sort(), [fx.owner.id, fx.member.id].sort(), 'nobody came back, nobody left');

    const owner = await connect(f.baseUrl, fx.owner.token, { label: 'owner' });
    const gone = await connect(f.baseUrl, fx.former.token, { label: 'former' });
    try {
      for (const [event, data] of [
        ['message:send', { chat_id: group.id, ...text('former') }],
        ['message:read', { chat_id: group.id, seq: seen.seq }],
        ['typing', { chat_id: group.id, typing: true }],
      ]) {
        assertAckError(await gone.emit(event, data), 'not_found', `the former member's ${event}`);
      }
      // The member's message, sent after, arrives; nothing of the former member's comes.
      await must('member', 'POST', `/chats/${group.id}/send_message`, 201, { body: text('member') });
      await owner.next('message:new', { filter: (d) => d.chat_id === group.id && d.sender_id === fx.member.id });
      for (const name of ['message:new', 'message:status', 'typing'])
        await owner.none(name, QUIET_MS, { filter: (d) => d.chat_id === group.id && (d.sender_id ?? d.user_id) === fx.former.id });
    } finally {
      await Promise.all([owner.close(), gone.close()]);
    }
  });

  for (const [transport, open] of Object.entries(TRANSPORTS)) {
    it(`${transport}: a socket without a token is refused`, async () => {
      const transports = transport === 'socket.io polling' ? ['polling'] : ['websocket'];
      if (transport === 'ws') {
        const r = await handshake(f.baseUrl, undefined);
        assert.equal(r.status, 401, `/ws without a token -> ${r.status} ${r.body}`);
        const bogus = await handshake(f.baseUrl, BOGUS_TOKEN);
        assert.equal(bogus.status, 401, `/ws with a bogus token -> ${bogus.status} ${bogus.body}`);
      } else {
        for (const token of [undefined, BOGUS_TOKEN]) {
          const s = openSio(f.baseUrl, token, { transports, upgrade: false });
          await assert.rejects(s.connected, `Socket.IO CONNECT with ${token ? 'a bogus token' : 'no token'} must fail`);
          s.socket.disconnect();
        }
      }
    });

    it(`${transport}: a stranger's events are refused with not_found and reach nobody; the member's reach the owner`, async () => {
      const sockets = {};
      try {
        for (const role of ['owner', 'member', 'stranger']) sockets[role] = await open(fx[role].token, `${transport} ${role}`);
        for (const row of EVENTS) {
          const ctx = row.setup ? await row.setup() : {};
          try {
            const refused = await sockets.stranger.emit(row.event, row.data(ctx, 'stranger'));
            assertAckError(refused, 'not_found', `${transport} ${row.event} as the stranger`);

            const ack = await sockets.member.emit(row.event, row.data(ctx, 'member'));
            assert.ok(ack && !ack.error, `${transport} ${row.event} as the member: ack ${brief(ack)}`);
            await sockets.owner.next(row.relayed, { filter: (d) => row.from(d, 'member') });

            await Promise.all(
              ['owner', 'member'].map((role) =>
                sockets[role].none(row.relayed, QUIET_MS, {
                  filter: (d) => row.from(d, 'stranger'),
                  what: `(${transport}: the stranger's ${row.event} reached the ${role})`,
                }),
              ),
            );
          } finally {
            if (row.teardown) await row.teardown(ctx);
          }
        }
      } finally {
        await Promise.all(Object.values(sockets).map((s) => s.close()));
      }
    });
  }
});
