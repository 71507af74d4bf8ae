// Full-text search of messages (GET /search/messages), as a client checks it: whole words
// with case and accents aside, in texts and in captions, newest first and paged, in one
// chat or all, never a message the caller cannot see (hidden for them, deleted for
// everyone, another's chat, before they joined a group or after they left it), and bad
// input answered with a clear 4xx. Both shapes (scripts/test.sh runs it on PostgreSQL too).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertMessage, asUser, startFlowd } from './lib/flowd.mjs';

// Many sign-ins come from 127.0.0.1: lift the per-address and per-phone caps.
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];

// A 1x1 PNG, for a photo with a caption.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

let clientSeq = 0;

/**
 * Waits until the clock has passed `t` (at most a millisecond): messages sent one after
 * the other are then apart in time, so that newest first has one answer on PostgreSQL
 * too, whose order is the ids', which begin with the time in ms.
 */
async function passed(t) {
  while (Date.now() <= t) await new Promise((resolve) => setImmediate(resolve));
}

/** A client bound to one server and one signed-in user. */
function client(f, signed) {
  const base = asUser(f, signed);
  const { req, token } = base;
  const c = {
    ...base,
    /** GET /search/messages with these query parameters (strings, given as they are). */
    search: (params) => req('GET', `/search/messages?${new URLSearchParams(params)}`),
    /** The items found for `q` (and more parameters), asserting 200 and the page's shape. */
    async found(q, params = {}) {
      const r = await c.search({ q, ...params });
      assert.equal(r.status, 200, `search ${q} -> ${r.status} ${r.text}`);
      assert.ok(Array.isArray(r.json.items), r.text);
      assert.ok(r.json.next_before === null || typeof r.json.next_before === 'string', r.text);
      for (const m of r.json.items) assertMessage(m, `found for ${q}`);
      return r.json;
    },
    /** The texts found for `q`, in the order found. */
    async texts(q, params = {}) {
      return (await c.found(q, params)).items.map((m) => m.text);
    },
    async say(chatId, text) {
      const r = await req('POST', `/chats/${chatId}/send_message`, { client_id: `s-${process.pid}-${++clientSeq}`, type: 'text', text });
      assert.equal(r.status, 201, `send_message -> ${r.status} ${r.text}`);
      await passed(r.json.created_at);
      return r.json;
    },
    async photo(chatId, caption) {
      const up = await f.request('POST', '/media', { token, rawBody: PNG, headers: { 'content-type': 'image/png' } });
      assert.equal(up.status, 201, `upload -> ${up.status} ${up.text}`);
      const r = await req('POST', `/chats/${chatId}/send_message`, {
        client_id: `p-${process.pid}-${++clientSeq}`, type: 'image', media_id: up.json.id, text: caption,
      });
      assert.equal(r.status, 201, `send_message (photo) -> ${r.status} ${r.text}`);
      await passed(r.json.created_at);
      return r.json;
    },
    async direct(other) {
      const r = await req('POST', '/chats', { type: 'direct', user_id: other.id });
      assert.ok(r.status === 201 || r.status === 200, `direct chat -> ${r.status} ${r.text}`);
      return r.json;
    },
    async group(members) {
      const r = await req('POST', '/chats', { type: 'group', name: 'search', user_ids: members.map((m) => m.id) });
      assert.equal(r.status, 201, `group -> ${r.status} ${r.text}`);
      return r.json;
    },
  };
  return c;
}

describe('message search', () => {
  let f;
  const users = async (n) => (await f.signUpMany(n, 'Searcher')).map((s) => client(f, s));

  before(async () => {
    f = await startFlowd(ARGS);
  });
  after(async () => {
    await f?.cleanup();
  });

  it('matches whole words, with case and accents aside, in texts and captions', async () => {
    const [ann, bob] = await users(2);
    const chat = await ann.direct(bob);
    await ann.say(chat.id, 'Meet me at the Café on the corner');
    await bob.say(chat.id, 'Category theory, again');
    await bob.say(chat.id, 'My CAT sleeps');
    const photo = await ann.photo(chat.id, 'Crème brûlée at the cafe');

    for (const q of ['cafe', 'CAFÉ', 'café', 'Cafe']) {
      assert.deepEqual(await bob.texts(q), ['Crème brûlée at the cafe', 'Meet me at the Café on the corner'], q);
    }
    assert.deepEqual(await ann.texts('cat'), ['My CAT sleeps'], '"cat" is not "category"');
    assert.deepEqual(await ann.texts('categ'), [], 'a word is not found by its beginning');
    assert.deepEqual(await ann.texts('orner'), [], 'nor by its end');
    assert.deepEqual(await ann.texts('creme brulee'), ['Crème brûlée at the cafe'], 'every word, accents aside');
    assert.deepEqual(await ann.texts('  cafe   CORNER '), ['Meet me at the Café on the corner'], 'all the words, anywhere');
    assert.deepEqual(await ann.texts('cafe sleeps'), [], 'no message has both');

    const [found] = (await ann.found('brulee')).items;
    assert.equal(found.id, photo.id, 'the photo, by its caption');
    assert.equal(found.type, 'image');
    assert.equal(found.media?.id, photo.media.id, 'with its media');

    // What looks like a query language is just words.
    await bob.say(chat.id, "C'est l'amour, \\o/");
    assert.deepEqual(await ann.texts("l'amour"), ["C'est l'amour, \\o/"], 'a quote inside a word');
    for (const q of ['cafe OR nothing', 'NOT cafe', '"cafe', 'cafe*', 'NEAR(cafe corner)', 'text:cafe', '(', '^', '-', "'", '\\', "it's", 'a\\b', '\\o/']) {
      const r = await ann.search({ q });
      assert.equal(r.status, 200, `${q} -> ${r.status} ${r.text}`);
    }
    assert.deepEqual(await ann.texts('"corner"'), ['Meet me at the Café on the corner'], 'quotes are not part of the word');
  });

  it('lists newest first, across chats, in pages that follow next_before', async () => {
    const [ann, bob, cid] = await users(3);
    const direct = await ann.direct(bob);
    const group = await ann.group([bob, cid]);
    const sent = [];
    for (let i = 1; i <= 7; i++) sent.push(await (i % 2 ? ann : bob).say(i % 3 ? direct.id : group.id, `zephyr number ${i}`));
    const newestFirst = sent.map((m) => m.id).reverse();

    const all = await bob.found('zephyr');
    assert.deepEqual(all.items.map((m) => m.id), newestFirst, 'every one, newest first');
    assert.equal(all.next_before, null, 'nothing older');

    const pages = [];
    let before;
    for (let k = 0; k < 5; k++) {
      const page = await bob.found('zephyr', { limit: '3', ...(before ? { before } : {}) });
      pages.push(page.items.map((m) => m.id));
      before = page.next_before;
      if (!before) break;
    }
    assert.deepEqual(pages.map((p) => p.length), [3, 3, 1], 'pages of 3, then the rest');
    assert.deepEqual(pages.flat(), newestFirst, 'the pages go on where the last one stopped');
    const exact = await bob.found('zephyr', { limit: '7' });
    assert.equal(exact.items.length, 7);
    assert.equal(exact.next_before, null, 'a full page with nothing older has no next page');

    // One chat only.
    const inGroup = await bob.found('zephyr', { chat_id: group.id });
    assert.deepEqual(inGroup.items.map((m) => m.id), sent.filter((m) => m.chat_id === group.id).map((m) => m.id).reverse());
    const first = await cid.found('zephyr', { chat_id: group.id, limit: '1' });
    assert.deepEqual(first.items.map((m) => m.id), [inGroup.items[0].id]);
    const next = await cid.found('zephyr', { chat_id: group.id, limit: '1', before: first.next_before });
    assert.deepEqual(next.items.map((m) => m.id), [inGroup.items[1].id], 'paging within one chat');
    assert.deepEqual(await cid.texts('zephyr', { chat_id: group.id }), inGroup.items.map((m) => m.text));
  });

  it('never finds what the caller cannot see', async () => {
    const [ann, bob, cid, dan] = await users(4);
    const direct = await ann.direct(bob);
    await ann.say(direct.id, 'quokka one');
    const hidden = await ann.say(direct.id, 'quokka two');
    const erased = await ann.say(direct.id, 'quokka three');

    // Hidden for bob only (delete for me); erased for everyone.
    let r = await bob.req('DELETE', `/chats/${direct.id}/delete_message`, { message_id: hidden.id, for_everyone: false });
    assert.equal(r.status, 200, r.text);
    r = await ann.req('DELETE', `/chats/${direct.id}/delete_message`, { message_id: erased.id, for_everyone: true });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await bob.texts('quokka'), ['quokka one'], 'bob: not what he hid, not what was erased');
    assert.deepEqual(await ann.texts('quokka'), ['quokka two', 'quokka one'], 'ann: what bob hid is still hers');
    assert.deepEqual(await ann.texts('three'), [], 'the erased text is out of the index');

    // Another pair's chat.
    const other = await cid.direct(dan);
    await cid.say(other.id, 'quokka secret');
    assert.deepEqual(await ann.texts('secret'), [], "another's chat");
    assert.deepEqual(await cid.texts('secret'), ['quokka secret']);
    assertError(await ann.search({ q: 'quokka', chat_id: other.id }), 404, 'not_found', 'a chat ann is not in');
    assertError(await ann.search({ q: 'quokka', chat_id: 'nosuchchat' }), 404, 'not_found', 'no such chat');

    // A group: dan joins late and sees from then on; cid leaves and sees none of it.
    const group = await ann.group([cid]);
    await ann.say(group.id, 'wombat before dan');
    r = await ann.req('POST', `/chats/${group.id}/participants`, { user_ids: [dan.id] });
    assert.equal(r.status, 200, r.text);
    await ann.say(group.id, 'wombat after dan');
    assert.deepEqual(await dan.texts('wombat'), ['wombat after dan'], 'nothing from before he joined');
    assert.deepEqual(await cid.texts('wombat'), ['wombat after dan', 'wombat before dan']);
    r = await cid.req('DELETE', `/chats/${group.id}/participants/${cid.id}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await cid.texts('wombat'), [], 'nothing once she left');
    assertError(await cid.search({ q: 'wombat', chat_id: group.id }), 404, 'not_found', 'a chat she left');
  });

  it('answers bad input with a clear 4xx', async () => {
    const [ann] = await users(1);
    for (const [params, code, what] of [
      [{}, 'invalid_query', 'no q'],
      [{ q: '' }, 'invalid_query', 'an empty q'],
      [{ q: '  \t ' }, 'invalid_query', 'a q of spaces'],
      [{ q: 'x'.repeat(201) }, 'too_long', 'a q of 201 characters'],
      [{ q: 'é'.repeat(201) }, 'too_long', 'a q of 201 two-byte characters'],
      [{ q: 'cafe', limit: '0' }, 'invalid_query', 'limit 0'],
      [{ q: 'cafe', limit: '201' }, 'invalid_query', 'limit 201'],
      [{ q: 'cafe', limit: 'ten' }, 'invalid_query', 'limit ten'],
      [{ q: 'cafe', before: 'not a cursor!' }, 'invalid_cursor', 'a cursor flowd did not make'],
      [{ q: 'cafe', before: '' }, 'invalid_cursor', 'an empty cursor'],
    ]) {
      assertError(await ann.search(params), 400, code, what);
    }
    for (const q of ['é'.repeat(200), 'x'.repeat(200), 'x']) {
      assert.equal((await ann.search({ q })).status, 200, `${q.length} characters`);
    }
    assertError(await f.request('GET', '/search/messages?q=cafe'), 401, 'unauthorized', 'no token');
    assertError(await ann.req('POST', '/search/messages?q=cafe'), 405, 'method_not_allowed', 'POST');
  });
});
