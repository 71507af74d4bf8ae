// A chat's life beyond send and delete (API.md "Editing, reactions, forwarding and the
// rest of a chat's life"), as clients see it over REST, Socket.IO and the plain /ws
// socket: editing a message (message:edited to every device of those who can see it),
// reactions (one emoji per user, message:reaction, in every Message however it comes),
// replies with a preview of the original (kept true as it is edited or deleted),
// forwarding (media shared, readable by the targets), mentions (which reach those who
// muted the chat; push.test.mjs has their pushes), and the refusals that change nothing. On the scaled shape (two nodes) the clients of
// each test spread over both.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowd, assertError, assertAckError, assertMessage, makeGif, NODES, sleep } from './lib/flowd.mjs';
import { connectSio } from './lib/sio_client.mjs';
import { connect } from './lib/ws_client.mjs';

const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0',
  '--user-send-rate', '0'];
const QUIET_MS = 300; // how long to watch for an event that must not come

let clientSeq = 0;
const newClientId = () => `life-${process.pid}-${++clientSeq}`;
const isMs = (t) => Number.isInteger(t) && t > 1_577_836_800_000 && t < Date.now() + 86_400_000;
const byId = (id) => ({ filter: (d) => d && (d.id === id || d.message_id === id) });

/** The clients of one server: users, REST as them, and sockets closed after each test. */
function harness(getF) {
  const sockets = [];
  const h = {
    users: (n, prefix = 'Life') => getF().signUpMany(n, prefix),
    req: (who, method, p, body) => getF().request(method, p, { token: who.token ?? who, body }),
    /** Another device (sign-in) of `u`: {token, id, phone}. */
    async device(u) {
      const s = await getF().signIn(u.phone);
      return { ...u, token: s.token };
    },
    async ws(u) {
      const c = await connect(getF().baseUrl, u.token, { label: `ws ${u.user?.name ?? u.id}` });
      sockets.push(c);
      return c;
    },
    async sio(u) {
      const c = await connectSio(getF().baseUrl, u.token, { transports: ['websocket'], label: `sio ${u.user?.name ?? u.id}` });
      sockets.push(c);
      return c;
    },
    closeAll: () => Promise.all(sockets.splice(0).map((c) => c.terminate())),
    async group(owner, others, name = 'Life group') {
      const r = await h.req(owner, 'POST', '/chats', { type: 'group', name, user_ids: others.map((o) => o.id) });
      assert.equal(r.status, 201, `create group -> ${r.status} ${r.text}`);
      return r.json;
    },
    /** A direct chat `a` opens with `b`, who accepts it. */
    async direct(a, b) {
      const r = await h.req(a, 'POST', '/chats', { type: 'direct', user_id: b.id });
      assert.ok(r.status === 201 || r.status === 200, `create direct -> ${r.status} ${r.text}`);
      assert.equal((await h.req(b, 'POST', `/chats/${r.json.id}/accept`)).status, 204);
      return r.json;
    },
    /** Sends over REST (text unless `extra` says otherwise); asserts 201 and returns the Message. */
    async say(who, chatId, text = 'hello', extra = {}) {
      const r = await h.req(who, 'POST', `/chats/${chatId}/send_message`, { client_id: newClientId(), type: 'text', text, ...extra });
      assert.equal(r.status, 201, `send_message -> ${r.status} ${r.text}`);
      assertMessage(r.json, 'send_message answer');
      return r.json;
    },
    async history(who, chatId, query = '') {
      const r = await h.req(who, 'GET', `/chats/${chatId}/messages${query}`);
      assert.equal(r.status, 200, `GET messages -> ${r.status} ${r.text}`);
      return r.json.items;
    },
    async message(who, chatId, id) {
      const found = (await h.history(who, chatId, '?limit=200')).find((m) => m.id === id);
      assert.ok(found, `message ${id} in the history`);
      return found;
    },
    async upload(who, bytes, type) {
      const r = await getF().request('POST', '/media', { token: who.token, rawBody: bytes, headers: { 'content-type': type } });
      assert.equal(r.status, 201, `upload -> ${r.status} ${r.text}`);
      return r.json;
    },
    forward: (who, chatId, messageIds, toChatIds) =>
      h.req(who, 'POST', `/chats/${chatId}/forward`, { message_ids: messageIds, to_chat_ids: toChatIds }),
    canRead: async (who, mediaId) => (await getF().request('GET', `/media/${mediaId}`, { token: who.token })).status === 200,
    edit: (who, chatId, id, text) => h.req(who, 'PATCH', `/chats/${chatId}/messages/${id}`, { text }),
    react: (who, chatId, id, emoji) => h.req(who, 'PUT', `/chats/${chatId}/messages/${id}/reaction`, { emoji }),
    unreact: (who, chatId, id) => h.req(who, 'DELETE', `/chats/${chatId}/messages/${id}/reaction`),
  };
  return h;
}

/** Asserts the fields this part of the contract adds to every Message. */
function assertLifeFields(m, what = 'message') {
  assertMessage(m, what);
  const ctx = `${what}: ${JSON.stringify(m)}`;
  assert.ok(m.edited_at === null || isMs(m.edited_at), `edited_at: ${ctx}`);
  assert.ok('expires_at' in m && m.expires_at === null, `expires_at: ${ctx}`);
  assert.ok('reply_preview' in m, `reply_preview: ${ctx}`);
  if (m.reply_to === null) assert.equal(m.reply_preview, null, `reply_preview without reply_to: ${ctx}`);
  else {
    const p = m.reply_preview;
    assert.ok(p && p.id === m.reply_to && typeof p.sender_id === 'string' && typeof p.type === 'string', `reply_preview: ${ctx}`);
    assert.ok(p.text === null || (typeof p.text === 'string' && [...p.text].length <= 100), `reply_preview.text: ${ctx}`);
  }
  assert.equal(typeof m.forwarded, 'boolean', `forwarded: ${ctx}`);
  assert.ok(Array.isArray(m.mentions) && m.mentions.every((id) => typeof id === 'string'), `mentions: ${ctx}`);
  assert.ok(Array.isArray(m.reactions), `reactions: ${ctx}`);
  for (const r of m.reactions) {
    assert.equal(typeof r.emoji, 'string', `reactions: ${ctx}`);
    assert.ok(Array.isArray(r.user_ids) && r.user_ids.length > 0, `reactions: ${ctx}`);
  }
  const reacting = m.reactions.flatMap((r) => r.user_ids);
  assert.equal(new Set(reacting).size, reacting.length, `one reaction per user: ${ctx}`);
}

/**
 * A message's reactions as {emoji: [user ids]}, in the order the server lists them;
 * `names` maps user ids to names for readable failures.
 */
function reactionsOf(m, names = {}) {
  return Object.fromEntries(m.reactions.map((r) => [r.emoji, r.user_ids.map((id) => names[id] ?? id).sort()]));
}

describe(`a chat's life (${NODES} node${NODES > 1 ? 's' : ''})`, () => {
  let f;
  const h = harness(() => f);
  before(async () => {
    f = await startFlowd(ARGS);
  });
  after(async () => {
    await h.closeAll();
    await f?.shutdown();
  });
  afterEach(() => h.closeAll());

  describe('editing', () => {
    it('the sender edits over REST and both sockets: the Message with edited_at, message:edited to every device of every member', async () => {
      const [ann, bob, cat] = await h.users(3, 'Editor');
      const chat = await h.group(ann, [bob, cat]);
      const ann2 = await h.device(ann);
      const [annWs, annSio, bobWs, catSio] = await Promise.all([h.ws(ann2), h.sio(ann), h.ws(bob), h.sio(cat)]);
      const sent = await h.say(ann, chat.id, 'helo');
      assertLifeFields(sent, 'a new message');
      assert.equal(sent.edited_at, null, 'not edited yet');

      const r = await h.edit(ann, chat.id, sent.id, 'hello');
      assert.equal(r.status, 200, r.text);
      assertLifeFields(r.json, 'PATCH answer');
      assert.equal(r.json.id, sent.id);
      assert.equal(r.json.seq, sent.seq);
      assert.equal(r.json.text, 'hello');
      assert.ok(r.json.edited_at >= sent.created_at, 'edited_at');
      for (const c of [annWs, annSio, bobWs, catSio]) {
        const e = await c.next('message:edited', byId(sent.id));
        assertLifeFields(e, `${c.label}: message:edited`);
        assert.equal(e.text, 'hello', c.label);
        assert.equal(e.edited_at, r.json.edited_at, c.label);
      }
      const seen = await h.message(bob, chat.id, sent.id);
      assert.equal(seen.text, 'hello', 'the history has the new text');
      assert.equal(seen.edited_at, r.json.edited_at);

      // Over /ws, then Socket.IO: the ack is the Message; the others hear of it.
      const byWs = await annWs.emit('message:edit', { chat_id: chat.id, message_id: sent.id, text: 'hello!' });
      assertLifeFields(byWs, 'message:edit ack (/ws)');
      assert.equal(byWs.text, 'hello!');
      assert.equal((await catSio.next('message:edited', byId(sent.id))).text, 'hello!');
      assert.equal((await bobWs.next('message:edited', byId(sent.id))).text, 'hello!');
      const bySio = await annSio.emit('message:edit', { chat_id: chat.id, message_id: sent.id, text: 'hello!!' });
      assertLifeFields(bySio, 'message:edit ack (Socket.IO)');
      assert.equal(bySio.text, 'hello!!');
      assert.equal((await bobWs.next('message:edited', byId(sent.id))).text, 'hello!!');
      assert.equal((await catSio.next('message:edited', byId(sent.id))).text, 'hello!!');
      const history = await h.history(cat, chat.id);
      assert.equal(history.length, 1, 'an edit adds no message');
      assert.equal(history[0].text, 'hello!!', 'the previous text is not kept');
    });

    it('edits a media caption, which may become empty; a text message may not', async () => {
      const [ann, bob] = await h.users(2, 'Captioner');
      const chat = await h.direct(ann, bob);
      const media = await h.upload(ann, makeGif(3, 2), 'image/gif');
      const photo = await h.say(ann, chat.id, 'a caption', { type: 'image', media_id: media.id });
      const r = await h.edit(ann, chat.id, photo.id, 'a better caption');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.text, 'a better caption');
      assert.equal(r.json.media?.id, media.id, 'the media stays');
      const cleared = await h.edit(ann, chat.id, photo.id, '');
      assert.equal(cleared.status, 200, cleared.text);
      assert.equal(cleared.json.text, '');
      const text = await h.say(ann, chat.id, 'words');
      assertError(await h.edit(ann, chat.id, text.id, ''), 400, 'empty_text', 'a text message emptied');
    });

    it('refuses edits by others (403), of deleted messages (409), bad bodies (400), outside the chat (404): nothing changes', async () => {
      const [ann, bob, eve] = await h.users(3, 'Refused');
      const chat = await h.group(ann, [bob]);
      const bobWs = await h.ws(bob);
      const eveSio = await h.sio(eve);
      const sent = await h.say(ann, chat.id, 'original');
      const gone = await h.say(ann, chat.id, 'to delete');
      const del = await h.req(ann, 'DELETE', `/chats/${chat.id}/delete_message`, { message_id: gone.id, for_everyone: true });
      assert.equal(del.status, 200, del.text);

      assertError(await h.edit(bob, chat.id, sent.id, 'hijacked'), 403, 'not_sender', "another member's edit");
      assertAckError(await bobWs.emit('message:edit', { chat_id: chat.id, message_id: sent.id, text: 'hijacked' }),
        'not_sender', "another member's edit over /ws");
      assertError(await h.edit(ann, chat.id, gone.id, 'back'), 409, 'message_deleted', 'a message deleted for everyone');
      assertError(await h.edit(ann, chat.id, sent.id, 'x'.repeat(64 * 1024 + 1)), 400, 'too_long', 'over 64 KiB');
      assertError(await h.req(ann, 'PATCH', `/chats/${chat.id}/messages/${sent.id}`, {}), 400, 'missing_field', 'no text');
      assertError(await h.req(ann, 'PATCH', `/chats/${chat.id}/messages/${sent.id}`, { text: 5 }), 400, 'invalid_field', 'text not a string');
      assertError(await h.edit(eve, chat.id, sent.id, 'from outside'), 404, 'not_found', 'a non-member');
      assertAckError(await eveSio.emit('message:edit', { chat_id: chat.id, message_id: sent.id, text: 'x' }), 'not_found',
        'a non-member over Socket.IO');
      assertError(await h.edit(ann, chat.id, 'no-such-message', 'x'), 404, 'not_found', 'an unknown message');

      await bobWs.none('message:edited', QUIET_MS);
      const [first, second] = await h.history(bob, chat.id);
      assert.equal(first.text, 'original');
      assert.equal(first.edited_at, null);
      assert.equal(second.text, '');
      assert.equal(second.deleted, true);
    });
  });

  describe('reactions', () => {
    it('one emoji per user: PUT, DELETE and message:react over both sockets, grouped by emoji, message:reaction to every device', async () => {
      const [ann, bob, cat] = await h.users(3, 'Reactor');
      const names = { [ann.id]: 'ann', [bob.id]: 'bob', [cat.id]: 'cat' };
      const chat = await h.group(ann, [bob, cat]);
      const bobLater = await h.device(bob); // signed in now, connected only at the end: it catches up
      const [annWs, bobWs, catSio] = await Promise.all([h.ws(ann), h.ws(bob), h.sio(cat)]);
      const m = await h.say(ann, chat.id, 'react to me');
      assert.deepEqual(m.reactions, [], 'a new message has none');
      const heard = async (user, emoji) => {
        for (const c of [annWs, bobWs, catSio]) {
          const e = await c.next('message:reaction', byId(m.id));
          assert.deepEqual(e, { chat_id: chat.id, message_id: m.id, user_id: user.id, emoji }, c.label);
        }
      };

      const bobs = await h.react(bob, chat.id, m.id, '👍');
      assert.equal(bobs.status, 200, bobs.text);
      assertLifeFields(bobs.json, 'PUT reaction answer');
      assert.deepEqual(bobs.json.reactions, [{ emoji: '👍', user_ids: [bob.id] }]);
      await heard(bob, '👍');

      const cats = await catSio.emit('message:react', { chat_id: chat.id, message_id: m.id, emoji: '👍' });
      assertLifeFields(cats, 'message:react ack (Socket.IO)');
      assert.deepEqual(reactionsOf(cats, names), { '👍': ['bob', 'cat'] });
      await heard(cat, '👍');
      const anns = await annWs.emit('message:react', { chat_id: chat.id, message_id: m.id, emoji: '❤️' });
      assertLifeFields(anns, 'message:react ack (/ws)');
      assert.deepEqual(reactionsOf(anns, names), { '👍': ['bob', 'cat'], '❤️': ['ann'] });
      await heard(ann, '❤️');

      // Another emoji replaces the user's; the same one again changes nothing and tells nobody.
      const replaced = await h.react(bob, chat.id, m.id, '🎉');
      assert.deepEqual(reactionsOf(replaced.json, names), { '👍': ['cat'], '❤️': ['ann'], '🎉': ['bob'] });
      await heard(bob, '🎉');
      assert.equal((await h.react(bob, chat.id, m.id, '🎉')).status, 200);
      await bobWs.none('message:reaction', QUIET_MS, { filter: (d) => d.message_id === m.id });

      // Taken back: DELETE over REST, emoji null over a socket; twice is still 200, silently.
      const removed = await h.unreact(bob, chat.id, m.id);
      assert.equal(removed.status, 200, removed.text);
      assert.deepEqual(reactionsOf(removed.json, names), { '👍': ['cat'], '❤️': ['ann'] });
      await heard(bob, null);
      assert.equal((await h.unreact(bob, chat.id, m.id)).status, 200);
      const catBack = await catSio.emit('message:react', { chat_id: chat.id, message_id: m.id, emoji: null });
      assert.deepEqual(reactionsOf(catBack, names), { '❤️': ['ann'] });
      await heard(cat, null);
      await annWs.none('message:reaction', QUIET_MS, { filter: (d) => d.message_id === m.id && d.user_id === bob.id });

      // Every Message the server gives carries them: history, the chat list, catching up.
      const seen = await h.message(bob, chat.id, m.id);
      assert.deepEqual(seen.reactions, [{ emoji: '❤️', user_ids: [ann.id] }], 'history');
      const list = await h.req(cat, 'GET', '/chats');
      const listed = list.json.items.find((c) => c.id === chat.id);
      assert.deepEqual(listed.last_message.reactions, [{ emoji: '❤️', user_ids: [ann.id] }], 'GET /chats last_message');
      const late = await h.ws(bobLater);
      const caught = await late.next('message:new', byId(m.id));
      assert.deepEqual(caught.reactions, [{ emoji: '❤️', user_ids: [ann.id] }], 'a message caught up after connecting');
    });

    it('a page of history carries each message its own reactions', async () => {
      const [ann, bob] = await h.users(2, 'Paged');
      const chat = await h.direct(ann, bob);
      const sent = [];
      for (let i = 0; i < 6; i++) sent.push(await h.say(i % 2 ? bob : ann, chat.id, `m${i}`));
      const emojis = ['😀', null, '👍🏽', '🇫🇷', null, '1️⃣'];
      for (const [i, emoji] of emojis.entries()) {
        if (emoji) assert.equal((await h.react(bob, chat.id, sent[i].id, emoji)).status, 200);
        if (emoji && i % 3 === 0) assert.equal((await h.react(ann, chat.id, sent[i].id, '👀')).status, 200);
      }
      const hidden = await h.req(bob, 'DELETE', `/chats/${chat.id}/delete_message`, { message_id: sent[2].id, for_everyone: false });
      assert.equal(hidden.status, 200, hidden.text);
      for (const [who, query] of [[ann, '?limit=4'], [ann, `?after=${sent[0].seq}&limit=3`], [bob, '']]) {
        for (const m of await h.history(who, chat.id, query)) {
          const i = sent.findIndex((s) => s.id === m.id);
          const expected = {};
          if (emojis[i]) expected[emojis[i]] = [bob.id];
          if (emojis[i] && i % 3 === 0) expected['👀'] = [ann.id];
          assert.deepEqual(reactionsOf(m), expected, `message ${i} of ${query}`);
        }
      }
    });

    it('refuses what is not one emoji (400), deleted messages (409), outside the chat (404): nothing changes', async () => {
      const [ann, bob, eve] = await h.users(3, 'Picky');
      const chat = await h.direct(ann, bob);
      const annWs = await h.ws(ann);
      const m = await h.say(ann, chat.id, 'pick one');
      for (const emoji of ['', 'ab', 'a', '1', '#', '👍👍', '🇫🇷🇩🇪', ' 👍', '🇫', 'x'.repeat(100)])
        assertError(await h.react(bob, chat.id, m.id, emoji), 400, 'invalid_emoji', `emoji ${JSON.stringify(emoji)}`);
      assertAckError(await annWs.emit('message:react', { chat_id: chat.id, message_id: m.id, emoji: 'ab' }), 'invalid_emoji', '/ws');
      assertAckError(await annWs.emit('message:react', { chat_id: chat.id, message_id: m.id }), 'missing_field', '/ws without emoji');
      assertError(await h.req(bob, 'PUT', `/chats/${chat.id}/messages/${m.id}/reaction`, {}), 400, 'missing_field', 'no emoji');
      assertError(await h.react(bob, chat.id, m.id, 5), 400, 'invalid_field', 'emoji not a string');
      assertError(await h.react(eve, chat.id, m.id, '👍'), 404, 'not_found', 'a non-member');
      assertError(await h.unreact(eve, chat.id, m.id), 404, 'not_found', 'a non-member taking back');
      assertError(await h.react(bob, chat.id, 'no-such-message', '👍'), 404, 'not_found', 'an unknown message');
      await annWs.none('message:reaction', QUIET_MS);
      assert.deepEqual((await h.message(bob, chat.id, m.id)).reactions, [], 'nothing changed');

      // Every kind of emoji is one: ZWJ sequences, flags, keycaps, skin tones, text forms.
      for (const emoji of ['👨‍👩‍👧‍👦', '🏳️‍🌈', '🇯🇵', '#️⃣', '👋🏿', '❤'])
        assert.equal((await h.react(bob, chat.id, m.id, emoji)).status, 200, `emoji ${emoji}`);

      // A delete for everyone takes the reactions away, and takes no more.
      assert.equal((await h.react(ann, chat.id, m.id, '👍')).status, 200);
      const del = await h.req(ann, 'DELETE', `/chats/${chat.id}/delete_message`, { message_id: m.id, for_everyone: true });
      assert.equal(del.status, 200, del.text);
      assert.deepEqual((await h.message(bob, chat.id, m.id)).reactions, [], 'a deleted message has none');
      assertError(await h.react(bob, chat.id, m.id, '👍'), 409, 'message_deleted', 'a deleted message');
      assertError(await h.unreact(bob, chat.id, m.id), 409, 'message_deleted', 'taking back on a deleted message');
    });
  });

  describe('replies', () => {
    it('a reply carries a preview of the original (100 characters), by id over REST or by seq over a socket, to every device', async () => {
      const [ann, bob, cat] = await h.users(3, 'Replier');
      const chat = await h.group(ann, [bob, cat]);
      const [annWs, catSio] = await Promise.all([h.ws(ann), h.sio(cat)]);
      const long = `${'é'.repeat(60)}${'😀'.repeat(60)}`;
      const original = await h.say(ann, chat.id, long);
      const expected = { id: original.id, sender_id: ann.id, type: 'text', text: `${'é'.repeat(60)}${'😀'.repeat(40)}` };

      const reply = await h.say(bob, chat.id, 'agreed', { reply_to: original.id });
      assertLifeFields(reply, 'the reply');
      assert.equal(reply.reply_to, original.id);
      assert.deepEqual(reply.reply_preview, expected, 'cut to 100 characters, none split');
      for (const c of [annWs, catSio]) {
        const e = await c.next('message:new', byId(reply.id));
        assert.deepEqual(e.reply_preview, expected, `${c.label}: message:new`);
      }
      // By seq: the stored reply names the original by its id.
      const bySeq = await annWs.emit('message:send', { chat_id: chat.id, client_id: newClientId(), type: 'text', text: 'me too', reply_to: original.seq });
      assertLifeFields(bySeq, 'a reply by seq over /ws');
      assert.equal(bySeq.reply_to, original.id);
      assert.deepEqual(bySeq.reply_preview, expected);
      const bySio = await catSio.emit('message:send', { chat_id: chat.id, client_id: newClientId(), type: 'text', text: 'and me', reply_to: reply.seq });
      assert.deepEqual(bySio.reply_preview, { id: reply.id, sender_id: bob.id, type: 'text', text: 'agreed' }, 'a reply by seq over Socket.IO');

      // A reply to a photo shows its type and caption.
      const media = await h.upload(cat, makeGif(2, 2), 'image/gif');
      const photo = await h.say(cat, chat.id, 'look', { type: 'image', media_id: media.id });
      const onPhoto = await h.say(ann, chat.id, 'nice', { reply_to: photo.id });
      assert.deepEqual(onPhoto.reply_preview, { id: photo.id, sender_id: cat.id, type: 'image', text: 'look' });
    });

    it('the preview follows the original: its edits, and no text once it is deleted for everyone', async () => {
      const [ann, bob] = await h.users(2, 'Follower');
      const chat = await h.direct(ann, bob);
      const original = await h.say(ann, chat.id, 'meet at 8');
      const replies = [];
      for (let i = 0; i < 3; i++) replies.push(await h.say(bob, chat.id, `ok ${i}`, { reply_to: original.id }));
      assert.equal((await h.edit(ann, chat.id, original.id, 'meet at 9')).status, 200);
      for (const m of (await h.history(bob, chat.id)).filter((x) => x.reply_to)) {
        assertLifeFields(m, 'a reply in the history');
        assert.deepEqual(m.reply_preview, { id: original.id, sender_id: ann.id, type: 'text', text: 'meet at 9' }, 'after the edit');
      }
      const del = await h.req(ann, 'DELETE', `/chats/${chat.id}/delete_message`, { message_id: original.id, for_everyone: true });
      assert.equal(del.status, 200, del.text);
      const page = await h.history(ann, chat.id, '?limit=2');
      assert.equal(page.length, 2);
      for (const m of page) assert.deepEqual(m.reply_preview, { id: original.id, sender_id: ann.id, type: 'text', text: null }, 'after the delete');
      // Still a reply the others can answer in turn, and one to the deleted message too.
      const again = await h.say(ann, chat.id, 'sorry', { reply_to: original.id });
      assert.equal(again.reply_preview.text, null);
      const list = await h.req(bob, 'GET', '/chats');
      assert.equal(list.json.items.find((c) => c.id === chat.id).last_message.reply_preview.id, original.id, 'in the chat list too');
    });

    it('refuses replies to what is not a message of the chat the sender can see: 400 invalid_reply, nothing sent', async () => {
      const [ann, bob, cat] = await h.users(3, 'Misreplier');
      const chat = await h.direct(ann, bob);
      const other = await h.direct(ann, cat);
      const elsewhere = await h.say(ann, other.id, 'elsewhere');
      const here = await h.say(ann, chat.id, 'here');
      const bobWs = await h.ws(bob);
      const send = (replyTo) => h.req(ann, 'POST', `/chats/${chat.id}/send_message`, { client_id: newClientId(), type: 'text', text: 'x', reply_to: replyTo });
      assertError(await send(elsewhere.id), 400, 'invalid_reply', 'a message of another chat');
      assertError(await send('no-such-message'), 400, 'invalid_reply', 'an unknown id');
      assertError(await send(here.seq + 5), 400, 'invalid_reply', 'a seq past the end');
      assertError(await send(-1), 400, 'invalid_reply', 'a negative seq');
      assertError(await send(true), 400, 'invalid_field', 'neither an id nor a seq');
      assertAckError(await bobWs.emit('message:send', { chat_id: chat.id, client_id: newClientId(), type: 'text', text: 'x', reply_to: elsewhere.seq + 10 }),
        'invalid_reply', 'over /ws');
      // A member who joined a group later cannot reply to what came before.
      const group = await h.group(ann, [bob]);
      const early = await h.say(ann, group.id, 'before cat');
      assert.equal((await h.req(ann, 'POST', `/chats/${group.id}/participants`, { user_ids: [cat.id] })).status, 200);
      assertError(await h.req(cat, 'POST', `/chats/${group.id}/send_message`, { client_id: newClientId(), type: 'text', text: 'x', reply_to: early.id }),
        400, 'invalid_reply', 'a message from before joining');
      await bobWs.none('message:new', QUIET_MS, { filter: (d) => d.chat_id === chat.id && d.text === 'x' });
      assert.deepEqual((await h.history(ann, chat.id)).map((m) => m.text), ['here'], 'nothing was sent');
    });
  });

  describe('forwarding', () => {
    it('forwards messages into several chats at once: new messages, forwarded, media shared and readable by the targets', async () => {
      const [ann, bob, cat, dan, eve] = await h.users(5, 'Forwarder');
      const source = await h.group(ann, [bob], 'Source');
      const toCat = await h.direct(ann, cat);
      const toGroup = await h.group(ann, [dan], 'Target');
      const [catWs, danSio, bobWs] = await Promise.all([h.ws(cat), h.sio(dan), h.ws(bob)]);
      const text = await h.say(bob, source.id, 'pass this on', {});
      const media = await h.upload(ann, makeGif(4, 4), 'image/gif');
      const photo = await h.say(ann, source.id, 'a photo', { type: 'image', media_id: media.id });
      assert.equal(await h.canRead(cat, media.id), false, 'cat cannot read the photo before');

      // Named newest first: each target gets them in their chat's order.
      const r = await h.forward(ann, source.id, [photo.id, text.id], [toCat.id, toGroup.id]);
      assert.equal(r.status, 200, r.text);
      const items = r.json.items;
      assert.equal(items.length, 4);
      items.forEach((m, i) => assertLifeFields(m, `forwarded ${i}`));
      assert.deepEqual(items.map((m) => [m.chat_id, m.text]),
        [[toCat.id, 'pass this on'], [toCat.id, 'a photo'], [toGroup.id, 'pass this on'], [toGroup.id, 'a photo']]);
      for (const m of items) {
        assert.equal(m.forwarded, true);
        assert.equal(m.sender_id, ann.id, 'the forwarder sends them');
        assert.equal(m.reply_to, null);
        assert.ok(![text.id, photo.id].includes(m.id), 'new messages');
      }
      assert.equal(items[1].type, 'image');
      assert.equal(items[1].media.id, media.id, 'the same media, not a copy');
      assert.deepEqual(items.map((m) => m.seq), [1, 2, 1, 2]);

      for (const [c, chat] of [[catWs, toCat], [danSio, toGroup]]) {
        const got = await c.take('message:new', 2, { filter: (d) => d.chat_id === chat.id });
        assert.deepEqual(got.map((m) => [m.text, m.forwarded]), [['pass this on', true], ['a photo', true]], c.label);
      }
      await bobWs.none('message:new', QUIET_MS, { filter: (d) => d.forwarded });
      assert.equal(await h.canRead(cat, media.id), true, 'cat reads the photo forwarded to her');
      assert.equal(await h.canRead(dan, media.id), true, 'and so does the target group');
      assert.equal(await h.canRead(eve, media.id), false, 'nobody else');
      assert.deepEqual((await h.history(cat, toCat.id)).map((m) => m.forwarded), [true, true]);

      // Over both sockets, acked with the new messages; what was forwarded forwards again.
      const annWs = await h.ws(ann);
      const byWs = await annWs.emit('message:forward', { chat_id: toCat.id, message_ids: [items[0].id], to_chat_ids: [source.id] });
      assert.equal(byWs.items?.length, 1, JSON.stringify(byWs));
      assertLifeFields(byWs.items[0], 'message:forward ack (/ws)');
      assert.equal(byWs.items[0].forwarded, true);
      assert.equal((await bobWs.next('message:new', byId(byWs.items[0].id))).text, 'pass this on');
      const catSio = await h.sio(cat);
      const bySio = await catSio.emit('message:forward', { chat_id: toCat.id, message_ids: [items[1].id], to_chat_ids: [toCat.id] });
      assert.equal(bySio.items?.[0]?.media?.id, media.id, JSON.stringify(bySio));
      await annWs.next('message:new', byId(bySio.items[0].id));
    });

    it('takes up to 20 messages into up to 5 chats, and no more', async () => {
      const [ann, ...others] = await h.users(6, 'Bulk');
      const source = await h.group(ann, others, 'Bulk source');
      const sent = [];
      for (let i = 0; i < 21; i++) sent.push(await h.say(ann, source.id, `n${i}`));
      const targets = [];
      for (let i = 0; i < 6; i++) targets.push(await h.group(ann, [others[i % others.length]], `Bulk ${i}`));
      const ids = sent.map((m) => m.id);
      assertError(await h.forward(ann, source.id, ids, [targets[0].id]), 400, 'too_many_messages', '21 messages');
      assertError(await h.forward(ann, source.id, [ids[0]], targets.map((t) => t.id)), 400, 'too_many_chats', '6 chats');
      const twenty = await h.forward(ann, source.id, ids.slice(0, 20), [targets[0].id]);
      assert.equal(twenty.status, 200, twenty.text);
      assert.deepEqual(twenty.json.items.map((m) => m.text), sent.slice(0, 20).map((m) => m.text));
      const five = await h.forward(ann, source.id, [ids[20], ids[20]], [...targets.slice(1).map((t) => t.id), targets[1].id]);
      assert.equal(five.status, 200, five.text);
      assert.equal(five.json.items.length, 5, 'each named once');
      assert.equal((await h.history(ann, targets[5].id)).length, 1);
    });

    it('refuses what the caller cannot see and chats they are not in: 4xx, and nothing is forwarded anywhere', async () => {
      const [ann, bob, cat] = await h.users(3, 'Unforwarded');
      const source = await h.group(ann, [bob], 'Mine');
      const before = await h.say(ann, source.id, 'before cat joined');
      const mine = await h.direct(ann, bob);
      const theirs = await h.direct(bob, cat); // ann is not in it
      const elsewhere = await h.say(bob, theirs.id, 'not for ann');
      const hidden = await h.say(bob, source.id, 'hidden by ann');
      assert.equal((await h.req(ann, 'DELETE', `/chats/${source.id}/delete_message`, { message_id: hidden.id, for_everyone: false })).status, 200);
      const gone = await h.say(ann, source.id, 'deleted');
      assert.equal((await h.req(ann, 'DELETE', `/chats/${source.id}/delete_message`, { message_id: gone.id, for_everyone: true })).status, 200);
      const ok = await h.say(ann, source.id, 'fine');
      const bobWs = await h.ws(bob);

      assertError(await h.forward(ann, source.id, [ok.id], [mine.id, theirs.id]), 404, 'not_found', 'into a chat ann is not in');
      assertError(await h.forward(ann, source.id, [ok.id], [mine.id, 'no-such-chat']), 404, 'not_found', 'into no chat');
      assertError(await h.forward(ann, source.id, [ok.id, elsewhere.id], [mine.id]), 404, 'not_found', 'a message of another chat');
      assertError(await h.forward(ann, theirs.id, [elsewhere.id], [mine.id]), 404, 'not_found', 'from a chat ann is not in');
      assertError(await h.forward(ann, source.id, [ok.id, hidden.id], [mine.id]), 404, 'not_found', 'a message ann hid');
      assertError(await h.forward(ann, source.id, [ok.id, gone.id], [mine.id]), 409, 'message_deleted', 'a message deleted for everyone');
      assertError(await h.forward(ann, source.id, [], [mine.id]), 400, 'invalid_field', 'no messages');
      assertError(await h.forward(ann, source.id, [ok.id], []), 400, 'invalid_field', 'no chats');
      assertError(await h.req(ann, 'POST', `/chats/${source.id}/forward`, { message_ids: [ok.id] }), 400, 'missing_field', 'no to_chat_ids');
      assertError(await h.forward(ann, source.id, ok.id, [mine.id]), 400, 'invalid_field', 'message_ids not an array');
      // A member who joined later cannot forward what came before.
      assert.equal((await h.req(ann, 'POST', `/chats/${source.id}/participants`, { user_ids: [cat.id] })).status, 200);
      assertError(await h.forward(cat, source.id, [before.id], [theirs.id]), 404, 'not_found', 'a message from before joining');
      const catSio = await h.sio(cat);
      assertAckError(await catSio.emit('message:forward', { chat_id: source.id, message_ids: [ok.id], to_chat_ids: [mine.id] }),
        'not_found', 'over Socket.IO, into a chat cat is not in');

      await bobWs.none('message:new', QUIET_MS, { filter: (d) => d.forwarded });
      assert.deepEqual(await h.history(bob, mine.id), [], 'nothing reached the direct chat');
      assert.deepEqual((await h.history(cat, theirs.id)).map((m) => m.text), ['not for ann']);
    });
  });

  describe('mentions', () => {
    it('a message mentions members, each once, over REST and both sockets; muting the chat does not keep it from them', async () => {
      const [ann, bob, cat] = await h.users(3, 'Mentioner');
      const chat = await h.group(ann, [bob, cat]);
      assert.equal((await h.req(bob, 'PUT', `/chats/${chat.id}/mute`, { until: -1 })).status, 204);
      const [bobWs, catSio, annWs] = await Promise.all([h.ws(bob), h.sio(cat), h.ws(ann)]);

      const m = await h.say(ann, chat.id, '@bob look', { mentions: [bob.id] });
      assertLifeFields(m, 'a message with a mention');
      assert.deepEqual(m.mentions, [bob.id]);
      const atBob = await bobWs.next('message:new', byId(m.id));
      assert.deepEqual(atBob.mentions, [bob.id], 'bob muted the chat and still gets it, mention and all');
      assert.deepEqual((await catSio.next('message:new', byId(m.id))).mentions, [bob.id]);

      const bySio = await catSio.emit('message:send', { chat_id: chat.id, client_id: newClientId(), type: 'text', text: 'all of you',
        mentions: [ann.id, bob.id, ann.id] });
      assertLifeFields(bySio, 'message:send with mentions (Socket.IO)');
      assert.deepEqual(bySio.mentions, [ann.id, bob.id], 'each once, in order');
      assert.deepEqual((await annWs.next('message:new', byId(bySio.id))).mentions, [ann.id, bob.id]);
      const byWs = await annWs.emit('message:send', { chat_id: chat.id, client_id: newClientId(), type: 'text', text: 'me', mentions: [ann.id] });
      assert.deepEqual(byWs.mentions, [ann.id], 'one may mention oneself');
      const plain = await h.say(bob, chat.id, 'no one');
      assert.deepEqual(plain.mentions, []);
      assert.deepEqual((await h.history(cat, chat.id)).map((x) => x.mentions), [[bob.id], [ann.id, bob.id], [ann.id], []]);
    });

    it('mentions of non-members are 400 invalid_mention, and nothing is sent', async () => {
      const [ann, bob, eve] = await h.users(3, 'Mismention');
      const chat = await h.group(ann, [bob]);
      const bobWs = await h.ws(bob);
      const send = (mentions) => h.req(ann, 'POST', `/chats/${chat.id}/send_message`, { client_id: newClientId(), type: 'text', text: 'hey', mentions });
      assertError(await send([eve.id]), 400, 'invalid_mention', 'a user outside the chat');
      assertError(await send([bob.id, 'no-such-user']), 400, 'invalid_mention', 'an unknown id among members');
      assertError(await send(bob.id), 400, 'invalid_field', 'not an array');
      assertError(await send([5]), 400, 'invalid_field', 'not strings');
      assertAckError(await bobWs.emit('message:send', { chat_id: chat.id, client_id: newClientId(), type: 'text', text: 'x', mentions: [eve.id] }),
        'invalid_mention', 'over /ws');
      // A member who left is no member.
      const cat = (await h.users(1, 'Leaver'))[0];
      assert.equal((await h.req(ann, 'POST', `/chats/${chat.id}/participants`, { user_ids: [cat.id] })).status, 200);
      assert.equal((await h.req(cat, 'DELETE', `/chats/${chat.id}/participants/${cat.id}`)).status, 200);
      assertError(await send([cat.id]), 400, 'invalid_mention', 'a member who left');
      await bobWs.none('message:new', QUIET_MS, { filter: (d) => d.chat_id === chat.id });
      assert.deepEqual(await h.history(ann, chat.id), [], 'nothing was sent');
      // Forwarded copies mention nobody.
      const m = await h.say(ann, chat.id, 'with a mention', { mentions: [bob.id] });
      const fwd = await h.forward(ann, chat.id, [m.id], [chat.id]);
      assert.deepEqual(fwd.json.items[0].mentions, []);
    });
  });

  describe('with a short edit window', () => {
    let g;
    const s = harness(() => g);
    before(async () => {
      g = await startFlowd([...ARGS, '--edit-window-seconds', '1']);
    });
    after(() => g?.shutdown());

    it('a late edit is 403 window_passed and changes nothing', async () => {
      const [ann, bob] = await s.users(2, 'Late');
      const chat = await s.direct(ann, bob);
      const sent = await s.say(ann, chat.id, 'in time');
      const early = await s.edit(ann, chat.id, sent.id, 'in time, edited');
      assert.equal(early.status, 200, early.text);
      // Past the window by the server's clock, which is this machine's.
      await sleep(Math.max(0, sent.created_at + 1100 - Date.now()));
      assertError(await s.edit(ann, chat.id, sent.id, 'too late'), 403, 'window_passed', 'after the window');
      const [kept] = await s.history(bob, chat.id);
      assert.equal(kept.text, 'in time, edited');
      assert.equal(kept.edited_at, early.json.edited_at);
    });
  });
});
