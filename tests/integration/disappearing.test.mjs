// Disappearing messages (API.md "Editing, reactions, forwarding and the rest of a chat's
// life", PUT /chats/{chat_id}/disappearing), as clients see them over REST, Socket.IO and
// the plain /ws socket: who may set a chat's period and which periods there are, the
// system message that records a change and the chat:updated that follows, expires_at on
// the messages sent after it (not before), and what expiry does: the message and its
// media gone for everyone (message:deleted to every device, out of history, search and
// the chat list, media 404) unless another message still shares the media, on every node
// exactly once. flowd runs with --disappearing-override-ms so that a message lives
// LIFETIME_MS rather than a day, and sweeps every SWEEP_MS; a second server, without it,
// shows the real periods in expires_at. On the scaled shape (two nodes) the clients of
// each test spread over both, and both nodes sweep.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowd, assertError, assertMessage, makeGif, NODES } from './lib/flowd.mjs';
import { connectSio } from './lib/sio_client.mjs';
import { connect } from './lib/ws_client.mjs';

const LIFETIME_MS = 1500;
const SWEEP_MS = 100;
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0',
  '--user-send-rate', '0', '--disappearing-override-ms', String(LIFETIME_MS), '--disappearing-sweep-ms', String(SWEEP_MS)];
const QUIET_MS = 300; // how long to watch for an event that must not come
const GONE_WAIT_MS = LIFETIME_MS + 4000; // a message's life, then time for the sweep to tell

let clientSeq = 0;
const newClientId = () => `gone-${process.pid}-${++clientSeq}`;
const byId = (id) => ({ filter: (d) => d && (d.id === id || d.message_id === id) });
const ofChat = (chatId) => ({ filter: (d) => d && (d.chat_id === chatId || d.id === chatId) });

describe(`disappearing messages (${NODES} node${NODES > 1 ? 's' : ''})`, () => {
  let f;
  const sockets = [];
  const req = (who, method, p, body) => f.request(method, p, { token: who.token, body });
  const ws = async (u) => {
    const c = await connect(f.baseUrl, u.token, { label: `ws ${u.user?.name ?? u.id}` });
    sockets.push(c);
    return c;
  };
  const sio = async (u) => {
    const c = await connectSio(f.baseUrl, u.token, { transports: ['websocket'], label: `sio ${u.user?.name ?? u.id}` });
    sockets.push(c);
    return c;
  };
  const setPeriod = (who, chatId, seconds) => req(who, 'PUT', `/chats/${chatId}/disappearing`, { seconds });
  async function direct(a, b) {
    const r = await req(a, 'POST', '/chats', { type: 'direct', user_id: b.id });
    assert.ok(r.status === 201 || r.status === 200, `create direct -> ${r.status} ${r.text}`);
    assert.equal((await req(b, 'POST', `/chats/${r.json.id}/accept`)).status, 204);
    return r.json;
  }
  async function say(who, chatId, text, extra = {}) {
    const r = await req(who, 'POST', `/chats/${chatId}/send_message`, { client_id: newClientId(), type: 'text', text, ...extra });
    assert.equal(r.status, 201, `send_message -> ${r.status} ${r.text}`);
    assertMessage(r.json, 'send_message answer');
    return r.json;
  }
  async function history(who, chatId) {
    const r = await req(who, 'GET', `/chats/${chatId}/messages?limit=200`);
    assert.equal(r.status, 200, `GET messages -> ${r.status} ${r.text}`);
    return r.json.items;
  }
  async function search(who, q, chatId) {
    const r = await req(who, 'GET', `/search/messages?${new URLSearchParams({ q, chat_id: chatId })}`);
    assert.equal(r.status, 200, `search -> ${r.status} ${r.text}`);
    return r.json.items.map((m) => m.id);
  }
  const mediaStatus = async (who, id) => (await f.request('GET', `/media/${id}`, { token: who.token })).status;
  /** How many messages the nodes' sweeps have reported erasing so far (their logs). */
  const erasedSoFar = () =>
    [...f.output().matchAll(/sweep: (\d+) disappearing messages erased/g)].reduce((n, m) => n + Number(m[1]), 0);

  before(async () => {
    f = await startFlowd(ARGS);
  });
  after(async () => {
    await Promise.all(sockets.splice(0).map((c) => c.terminate()));
    await f?.shutdown();
  });
  afterEach(() => Promise.all(sockets.splice(0).map((c) => c.terminate())));

  it('a member of a direct chat turns it on: 200 Chat, a system message and chat:updated to every device; later messages carry expires_at, earlier ones not', async () => {
    const [ann, bob] = await f.signUpMany(2, 'Vanisher');
    const chat = await direct(ann, bob);
    assert.equal(chat.disappearing_seconds, 0, 'off by default');
    const before = await say(ann, chat.id, 'said before');
    assert.equal(before.expires_at, null);
    const [annWs, bobWs, bobSio] = await Promise.all([ws(ann), ws(bob), sio(bob)]);

    const r = await setPeriod(bob, chat.id, 86400);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, chat.id);
    assert.equal(r.json.disappearing_seconds, 86400);
    for (const c of [annWs, bobWs, bobSio]) {
      // (Past the message from before, which a socket that never acknowledged it gets on connecting.)
      const notice = await c.next('message:new', { filter: (d) => d.chat_id === chat.id && d.type === 'system' });
      assertMessage(notice, `${c.label}: the system message`);
      assert.equal(notice.type, 'system', c.label);
      assert.equal(notice.sender_id, bob.id, `${c.label}: who changed it`);
      assert.equal(notice.text, 'turned on disappearing messages: 1 day', c.label);
      assert.equal(notice.expires_at, null, `${c.label}: the record of the change stays`);
      const updated = await c.next('chat:updated', ofChat(chat.id));
      assert.equal(updated.disappearing_seconds, 86400, c.label);
    }
    assert.equal((await req(ann, 'GET', `/chats/${chat.id}`)).json.disappearing_seconds, 86400);
    const listed = (await req(ann, 'GET', '/chats')).json.items.find((c) => c.id === chat.id);
    assert.equal(listed.disappearing_seconds, 86400, 'GET /chats');
    assert.equal(listed.last_message.type, 'system', 'the system message is the last message');

    // After it: expires_at on every way in (REST, /ws, Socket.IO); the earlier message keeps none.
    const byRest = await say(ann, chat.id, 'said after');
    assert.equal(byRest.expires_at, byRest.created_at + LIFETIME_MS, 'expires_at = created_at + the lifetime');
    const byWs = await annWs.emit('message:send', { chat_id: chat.id, client_id: newClientId(), type: 'text', text: 'by ws' });
    assert.equal(byWs.expires_at, byWs.created_at + LIFETIME_MS, '/ws ack');
    const bySio = await bobSio.emit('message:send', { chat_id: chat.id, client_id: newClientId(), type: 'text', text: 'by sio' });
    assert.equal(bySio.expires_at, bySio.created_at + LIFETIME_MS, 'Socket.IO ack');
    assert.equal((await bobWs.next('message:new', byId(byRest.id))).expires_at, byRest.expires_at, 'message:new');
    const seen = await history(bob, chat.id);
    assert.equal(seen.find((m) => m.id === before.id).expires_at, null, 'a message from before keeps none');
    assert.equal(seen.find((m) => m.id === byRest.id).expires_at, byRest.expires_at);

    // The same period again changes nothing and says nothing; 0 turns it off, with a record.
    const again = await setPeriod(ann, chat.id, 86400);
    assert.equal(again.status, 200, again.text);
    await annWs.none('message:new', QUIET_MS, { filter: (d) => d.type === 'system' });
    const off = await setPeriod(ann, chat.id, 0);
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json.disappearing_seconds, 0);
    const offNotice = await bobWs.next('message:new', { filter: (d) => d.type === 'system' && d.sender_id === ann.id });
    assert.equal(offNotice.text, 'turned off disappearing messages');
    assert.equal((await say(bob, chat.id, 'kept')).expires_at, null, 'off: no expires_at');
    // Turning it off spares nothing sent before: those three still go, however they were sent.
    for (const m of [byRest, byWs, bySio]) await bobWs.next('message:deleted', { ...byId(m.id), timeout: GONE_WAIT_MS });
  });

  it('in a group only admins may set it; bad periods, non-members and clients sending system messages are refused, nothing changed', async () => {
    const [ann, bob, eve] = await f.signUpMany(3, 'Admin');
    const created = await req(ann, 'POST', '/chats', { type: 'group', name: 'Vanishing group', user_ids: [bob.id] });
    assert.equal(created.status, 201, created.text);
    const chat = created.json;
    const bobWs = await ws(bob);

    assertError(await setPeriod(bob, chat.id, 86400), 403, 'not_admin', 'a member who is no admin');
    assertError(await setPeriod(eve, chat.id, 86400), 404, 'not_found', 'a stranger');
    assertError(await setPeriod(ann, 'no-such-chat', 86400), 404, 'not_found', 'no such chat');
    for (const seconds of [1, 3600, -86400, 86401, 31536000])
      assertError(await setPeriod(ann, chat.id, seconds), 400, 'invalid_period', `seconds ${seconds}`);
    for (const seconds of ['86400', 86400.5, null, true])
      assertError(await setPeriod(ann, chat.id, seconds), 400, 'invalid_field', `seconds ${JSON.stringify(seconds)}`);
    assertError(await req(ann, 'PUT', `/chats/${chat.id}/disappearing`, {}), 400, 'missing_field', 'no seconds');
    assertError(await req(ann, 'POST', `/chats/${chat.id}/send_message`, { client_id: newClientId(), type: 'system', text: 'forged' }),
      400, 'invalid_field', 'a client sending a system message');
    await bobWs.none('message:new', QUIET_MS, ofChat(chat.id));
    await bobWs.none('chat:updated', 0, ofChat(chat.id));
    assert.equal((await req(bob, 'GET', `/chats/${chat.id}`)).json.disappearing_seconds, 0, 'nothing changed');
    assert.deepEqual(await history(bob, chat.id), [], 'no system message');

    const r = await setPeriod(ann, chat.id, 7776000);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.disappearing_seconds, 7776000);
    const notice = await bobWs.next('message:new', ofChat(chat.id));
    assert.equal(notice.text, 'turned on disappearing messages: 90 days');
    assert.equal((await bobWs.next('chat:updated', ofChat(chat.id))).disappearing_seconds, 7776000);
    // The record of a change cannot be edited or forwarded.
    assertError(await req(ann, 'PATCH', `/chats/${chat.id}/messages/${notice.id}`, { text: 'x' }), 403, 'not_editable');
    const fwd = await req(ann, 'POST', `/chats/${chat.id}/forward`, { message_ids: [notice.id], to_chat_ids: [chat.id] });
    assertError(fwd, 409, 'not_forwardable');
    assert.equal((await setPeriod(ann, chat.id, 604800)).json.disappearing_seconds, 604800, 'an admin changes it');
    assert.equal((await bobWs.next('message:new', ofChat(chat.id))).text, 'turned on disappearing messages: 7 days');
  });

  it('once expired, a message and its media are gone for both users: message:deleted over /ws and Socket.IO, out of history, search, the chat list; replies show it deleted; media 404', async () => {
    const [ann, bob] = await f.signUpMany(2, 'Expiring');
    const chat = await direct(ann, bob);
    const kept = await say(ann, chat.id, 'permanent zebra');
    assert.equal((await setPeriod(ann, chat.id, 86400)).status, 200);
    const [annSio, bobWs] = await Promise.all([sio(ann), ws(bob)]);
    const upload = await f.request('POST', '/media', { token: ann.token, rawBody: makeGif(4, 3), headers: { 'content-type': 'image/gif' } });
    assert.equal(upload.status, 201, upload.text);
    const media = upload.json;
    const text = await say(ann, chat.id, 'vanishing zebra');
    const photo = await say(ann, chat.id, 'a vanishing caption', { type: 'image', media_id: media.id });
    // A reply from after the chat turned it off again stays, and shows the original as deleted.
    assert.equal((await setPeriod(bob, chat.id, 0)).status, 200);
    const reply = await say(bob, chat.id, 'a lasting reply', { reply_to: text.id });
    assert.equal(reply.expires_at, null);
    assert.equal(reply.reply_preview.text, 'vanishing zebra');
    assert.ok((await search(bob, 'zebra', chat.id)).includes(text.id), 'found before it expires');
    assert.equal(await mediaStatus(bob, media.id), 200, 'the media is readable before');

    for (const c of [annSio, bobWs])
      for (const m of [text, photo]) {
        const gone = await c.next('message:deleted', { ...byId(m.id), timeout: GONE_WAIT_MS });
        assert.deepEqual(gone, { chat_id: chat.id, message_id: m.id }, c.label);
      }
    for (const who of [ann, bob]) {
      const ids = (await history(who, chat.id)).map((m) => m.id);
      assert.ok(!ids.includes(text.id) && !ids.includes(photo.id), `gone from ${who.user.name}'s history: ${ids}`);
      assert.ok(ids.includes(kept.id) && ids.includes(reply.id), 'the others stay');
      assert.deepEqual(await search(who, 'zebra', chat.id), [kept.id], 'gone from search');
      assert.equal(await mediaStatus(who, media.id), 404, `the media is gone for ${who.user.name}`);
      const media2 = await req(who, 'GET', `/chats/${chat.id}/media`);
      assert.deepEqual(media2.json.items, [], 'gone from the gallery');
      const listed = (await req(who, 'GET', '/chats')).json.items.find((c) => c.id === chat.id);
      assert.equal(listed.last_message.id, reply.id, 'the chat list');
    }
    const replied = (await history(ann, chat.id)).find((m) => m.id === reply.id);
    assert.equal(replied.reply_preview.id, text.id);
    assert.equal(replied.reply_preview.text, null, 'the reply shows the original as deleted');
    const fwd = await req(ann, 'POST', `/chats/${chat.id}/forward`, { message_ids: [text.id], to_chat_ids: [chat.id] });
    assert.ok([404, 409].includes(fwd.status), `forwarding what expired -> ${fwd.status} ${fwd.text}`);
    assertError(await req(ann, 'PATCH', `/chats/${chat.id}/messages/${text.id}`, { text: 'x' }), 404, 'not_found', 'editing what expired');
  });

  it('media another message still uses stays when a disappearing message with it goes', async () => {
    const [ann, bob, cat] = await f.signUpMany(3, 'Sharer');
    const vanishing = await direct(ann, bob);
    const lasting = await direct(ann, cat);
    assert.equal((await setPeriod(ann, vanishing.id, 604800)).status, 200);
    const upload = await f.request('POST', '/media', { token: ann.token, rawBody: makeGif(5, 5), headers: { 'content-type': 'image/gif' } });
    const media = upload.json;
    const photo = await say(ann, vanishing.id, '', { type: 'image', media_id: media.id });
    const fwd = await req(ann, 'POST', `/chats/${vanishing.id}/forward`, { message_ids: [photo.id], to_chat_ids: [lasting.id] });
    assert.equal(fwd.status, 200, fwd.text);
    const bobWs = await ws(bob);
    await bobWs.next('message:deleted', { ...byId(photo.id), timeout: GONE_WAIT_MS });
    assert.equal(await mediaStatus(bob, media.id), 404, 'bob saw it only in the message that went');
    assert.equal(await mediaStatus(cat, media.id), 200, 'cat still has it in the forwarded copy');
    assert.equal(await mediaStatus(ann, media.id), 200);
  });

  it(`every expired message is erased once, whichever node sweeps it (${NODES} sweeping)`, async () => {
    const [ann, bob] = await f.signUpMany(2, 'Once');
    const chat = await direct(ann, bob);
    assert.equal((await setPeriod(ann, chat.id, 86400)).status, 200);
    const [bobWs, bobSio, annWs] = await Promise.all([ws(bob), sio(bob), ws(ann)]);
    const before = erasedSoFar();
    const sent = [];
    for (let i = 0; i < 12; i++) sent.push(await say(i % 2 ? bob : ann, chat.id, `burst ${i}`));
    for (const c of [bobWs, bobSio, annWs])
      for (const m of sent) await c.next('message:deleted', { ...byId(m.id), timeout: GONE_WAIT_MS });
    // Not twice: no second message:deleted for any of them, and the sweeps' logs count 12.
    for (const c of [bobWs, bobSio, annWs])
      await c.none('message:deleted', QUIET_MS, { filter: (d) => sent.some((m) => m.id === d.message_id) });
    assert.equal(erasedSoFar() - before, sent.length, 'erased once each, in all the nodes together');
    assert.deepEqual((await history(bob, chat.id)).map((m) => m.type), ['system'], 'only the record of the change stays');
  });
});

describe(`disappearing messages at their real periods (${NODES} node${NODES > 1 ? 's' : ''})`, () => {
  let f;
  before(async () => {
    f = await startFlowd(ARGS.slice(0, ARGS.indexOf('--disappearing-override-ms')));
  });
  after(() => f?.shutdown());

  it('without --disappearing-override-ms a message lives its chat\'s period: expires_at = created_at + seconds * 1000', async () => {
    const [ann, bob] = await f.signUpMany(2, 'Weekly');
    const opened = await f.request('POST', '/chats', { token: ann.token, body: { type: 'direct', user_id: bob.id } });
    assert.equal(opened.status, 201, opened.text);
    for (const seconds of [86400, 604800, 7776000]) {
      const r = await f.request('PUT', `/chats/${opened.json.id}/disappearing`, { token: bob.token, body: { seconds } });
      assert.equal(r.status, 200, r.text);
      const sent = await f.request('POST', `/chats/${opened.json.id}/send_message`,
        { token: ann.token, body: { client_id: newClientId(), type: 'text', text: `for ${seconds} s` } });
      assert.equal(sent.status, 201, sent.text);
      assert.equal(sent.json.expires_at, sent.json.created_at + seconds * 1000, `${seconds} s`);
    }
  });
});
