// Privacy settings and reports (API.md "Blocking, reports and privacy"), as clients see
// them: GET and PUT /users/me/privacy, and for each setting every way what it hides could
// leak. On the scaled shape (two nodes) each user's requests and sockets go to a node of
// their own, the one whose settings are tested on node 1 and the others on node 2, so a
// setting changed on one node must hold on the other at once.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowd, request, assertError, assertRetryAfter } from './lib/flowd.mjs';
import { connect } from './lib/ws_client.mjs';
import { connectSio } from './lib/sio_client.mjs';
import { brief } from './lib/inbox.mjs';

// Many sign-ins come from 127.0.0.1: lift the per-address and per-phone caps.
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];
const WAIT_MS = 5000; // how long to wait for something that must happen

const DEFAULTS = { last_seen: 'contacts', photo: 'everyone', about: 'everyone', read_receipts: true, groups_add: 'everyone' };

let clientSeq = 0;
const newClientId = () => `p-${process.pid}-${++clientSeq}-${Math.random().toString(36).slice(2, 8)}`;

/** The test's view of server `f`: users pinned to a node each, sockets closed after each test. */
function harness(getF) {
  const sockets = [];
  const h = {
    get f() {
      return getF();
    },
    url: (node) => getF().nodes[node % getF().nodes.length].url,
    /** `n` new users; user i talks to node i % 2 (the same node on the embedded shape). */
    async users(n, prefix = 'User') {
      const signed = await getF().signUpMany(n, prefix);
      return signed.map((s, i) => ({ ...s, node: i % 2, name: `${prefix} ${i + 1}` }));
    },
    /** A REST request as `who` to their node. */
    req(who, method, p, body) {
      return request(h.url(who.node), method, p, { token: who.token, body });
    },
    /** The same, asserting `status`; returns the parsed body. */
    async must(who, method, p, body, status = 200) {
      const r = await h.req(who, method, p, body);
      assert.equal(r.status, status, `${who.name}: ${method} ${p} ${brief(body)} -> ${r.status} ${r.text}`);
      return r.json;
    },
    /** A socket of `who` on their node: /ws or Socket.IO. */
    async socket(who, kind = 'ws') {
      const label = `${who.name} (${kind})`;
      const c = kind === 'ws'
        ? await connect(h.url(who.node), who.token, { label })
        : await connectSio(h.url(who.node), who.token, { label, transports: ['websocket'], timeout: WAIT_MS });
      sockets.push(c);
      return c;
    },
    async closeAll() {
      await Promise.all(sockets.splice(0).map((c) => c.terminate()));
    },
    privacy: (who) => h.must(who, 'GET', '/users/me/privacy'),
    setPrivacy: (who, body) => h.must(who, 'PUT', '/users/me/privacy', body),
    async say(who, chatId, text = 'hello') {
      return h.must(who, 'POST', `/chats/${chatId}/send_message`, { client_id: newClientId(), type: 'text', text }, 201);
    },
    /** Makes `a` and `b` contacts: a direct chat in which both wrote. */
    async contacts(a, b) {
      const chat = await h.must(a, 'POST', '/chats', { type: 'direct', user_id: b.id }, 201);
      await h.say(a, chat.id, `hi ${b.name}`);
      await h.say(b, chat.id, `hi ${a.name}`);
      return chat;
    },
  };
  return h;
}

/**
 * A server for the enclosing describe: started before its tests, stopped after them, its
 * sockets closed after each test. Returns the harness (h.f is the server).
 */
function serverForSuite(args = ARGS) {
  let f;
  const h = harness(() => f);
  before(async () => {
    f = await startFlowd(args);
  });
  after(async () => {
    await f?.shutdown();
  });
  afterEach(() => h.closeAll());
  return h;
}

describe('privacy settings', () => {
  const h = serverForSuite();

  it('are the defaults until changed; a PUT changes only what it names and answers them all, on every node', async () => {
    const [a, b] = await h.users(2);
    assert.deepEqual(await h.privacy(a), DEFAULTS);
    assert.deepEqual(await h.setPrivacy(a, {}), DEFAULTS, 'an empty change');
    const hidden = { ...DEFAULTS, last_seen: 'nobody' };
    assert.deepEqual(await h.setPrivacy(a, { last_seen: 'nobody' }), hidden);
    // Read from the other node: the change is stored, not kept by the node that made it.
    assert.deepEqual(await h.privacy({ ...a, node: a.node + 1 }), hidden);
    const all = { last_seen: 'everyone', photo: 'contacts', about: 'nobody', read_receipts: false, groups_add: 'contacts' };
    assert.deepEqual(await h.setPrivacy(a, { photo: 'contacts', about: 'nobody', read_receipts: false, groups_add: 'contacts', last_seen: 'everyone' }), all);
    assert.deepEqual(await h.setPrivacy(a, { read_receipts: null, photo: null }), all, 'null is left as it is');
    assert.deepEqual(await h.setPrivacy(a, { read_receipts: true, unknown: 1 }), { ...all, read_receipts: true });
    assert.deepEqual(await h.privacy(b), DEFAULTS, 'another user’s are their own');
  });

  it('refuse values outside their audiences with 400 invalid_field, changing nothing', async () => {
    const [a] = await h.users(1);
    await h.setPrivacy(a, { photo: 'contacts' });
    const expected = { ...DEFAULTS, photo: 'contacts' };
    // [body, the field the error names]
    for (const [body, field] of [
      [{ last_seen: 'friends' }, 'last_seen'],
      [{ photo: 'Everyone' }, 'photo'],
      [{ about: '' }, 'about'],
      [{ groups_add: 'nobody' }, 'groups_add'],
      [{ read_receipts: 'false' }, 'read_receipts'],
      [{ read_receipts: 0 }, 'read_receipts'],
      [{ last_seen: 1 }, 'last_seen'],
      [{ about: ['contacts'] }, 'about'],
      // One bad field spoils a good one beside it.
      [{ last_seen: 'nobody', photo: 'friends' }, 'photo'],
      [{ last_seen: 'nobody', groups_add: 'nobody' }, 'groups_add'],
    ]) {
      const r = await h.req(a, 'PUT', '/users/me/privacy', body);
      assertError(r, 400, 'invalid_field', `PUT ${brief(body)}`);
      assert.match(r.json.error.message, new RegExp(field), `the message names ${field}: ${r.text}`);
    }
    const raw = await request(h.url(a.node), 'PUT', '/users/me/privacy', { token: a.token, rawBody: '{"last_seen":' });
    assertError(raw, 400, 'invalid_json', 'a broken body');
    assertError(await h.req(a, 'PUT', '/users/me/privacy', ['nobody']), 400, 'invalid_json', 'an array');
    assert.deepEqual(await h.privacy(a), expected, 'nothing changed');
    assertError(await request(h.url(0), 'GET', '/users/me/privacy'), 401, 'unauthorized', 'no token');
    assertError(await request(h.url(0), 'PUT', '/users/me/privacy', { body: {} }), 401, 'unauthorized', 'no token');
  });
});

/** The smallest image the server takes: a GIF89a header of 2 x 3 (the kind is sniffed from the bytes). */
const GIF = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([2, 0, 3, 0, 0, 0, 0, 0x3b])]);

describe('privacy settings applied to profiles and presence', () => {
  const h = serverForSuite();

  /**
   * A on node 1 with a photo, an about, a last seen (from signing in) and a live story; C, A's contact, and S,
   * who shares a group with A but is no contact, both on node 2.
   */
  async function cast() {
    const [a, c, s] = await h.users(3, 'Cast');
    Object.assign(a, { node: 0 }, { name: 'A' });
    Object.assign(c, { node: 1 }, { name: 'C' });
    Object.assign(s, { node: 1 }, { name: 'S' });
    const photo = await request(h.url(a.node), 'POST', '/media', { token: a.token, rawBody: GIF, headers: { 'content-type': 'image/gif' } });
    assert.equal(photo.status, 201, photo.text);
    await h.must(a, 'PUT', '/auth/modify_user', { about: 'Out sailing', image_id: photo.json.id });
    const direct = await h.contacts(a, c);
    const group = await h.must(s, 'POST', '/chats', { type: 'group', name: 'Harbour', user_ids: [a.id] }, 201);
    await h.say(a, group.id, 'ahoy');
    // Signing in set A's last seen.
    const lastSeen = (await h.must(a, 'GET', '/users/me')).last_seen_at;
    assert.ok(Number.isInteger(lastSeen), `A's last seen: ${lastSeen}`);
    await h.must(a, 'POST', '/stories', { type: 'text', text: 'at sea' }, 201);
    return { a, c, s, direct, group, photo: photo.json.id, lastSeen };
  }

  /** Runs `leave` (closing `who`'s last socket) and waits until their last seen moves; returns it. */
  async function wentOffline(who, leave) {
    const before = (await h.must(who, 'GET', '/users/me')).last_seen_at;
    await leave();
    return until(async () => {
      const now = (await h.must(who, 'GET', '/users/me')).last_seen_at;
      return now > before && now;
    }, `${who.name}'s last seen after leaving`);
  }

  /** A as `who` sees it: [GET /users/{id}, POST /users/lookup, the user of A's stories in GET /stories (or null)]. */
  async function viewsOfA(who, a) {
    const profile = await h.must(who, 'GET', who.id === a.id ? '/users/me' : `/users/${a.id}`);
    const byId = who.id === a.id ? await h.must(who, 'GET', `/users/${a.id}`) : profile;
    assert.deepEqual(byId, profile, 'GET /users/{own id} is GET /users/me');
    const found = await h.must(who, 'POST', '/users/lookup', { phones: [a.phone] });
    assert.equal(found.items.length, 1, brief(found));
    const feed = await h.must(who, 'GET', '/stories');
    const group = feed.items.find((g) => g.user.id === a.id);
    return [profile, found.items[0], group ? group.user : null];
  }

  it('photo, about and last seen are seen by their audience only: GET /users/{id}, lookup and the stories feed', async () => {
    const { a, c, s, photo, lastSeen } = await cast();
    const whole = { image_id: photo, about: 'Out sailing', last_seen_at: lastSeen };
    const hidden = { image_id: null, about: '', last_seen_at: null };
    const field = { image_id: 'photo', about: 'about', last_seen_at: 'last_seen' };
    const settings = [
      {},
      { last_seen: 'everyone' },
      { last_seen: 'nobody', photo: 'contacts', about: 'nobody' },
      { last_seen: 'contacts', photo: 'nobody', about: 'contacts' },
      { photo: 'everyone', about: 'everyone', last_seen: 'everyone' },
    ];
    for (const change of settings) {
      const mine = await h.setPrivacy(a, change);
      for (const [who, relation] of [[a, 'self'], [c, 'contact'], [s, 'other']]) {
        // What `who` should see of each field.
        const expected = {};
        for (const [k, setting] of Object.entries(field)) {
          const audience = mine[setting];
          const sees = relation === 'self' || audience === 'everyone' || (audience === 'contacts' && relation === 'contact');
          expected[k] = sees ? whole[k] : hidden[k];
        }
        const [profile, found, inFeed] = await viewsOfA(who, a);
        const ctx = `${who.name} (${relation}) under ${brief(mine)}`;
        for (const [path, user] of [['GET /users/{id}', profile], ['lookup', found], ['GET /stories', inFeed]]) {
          if (path === 'GET /stories' && relation === 'other') {
            assert.equal(user, null, `${ctx}: a stranger has no story of A's`);
            continue;
          }
          const seen = { image_id: user.image_id, about: user.about, last_seen_at: user.last_seen_at };
          assert.deepEqual(seen, expected, `${ctx}: ${path}`);
          assert.equal(user.name, 'Cast 1', `${ctx}: ${path} shows the name whatever the settings`);
        }
      }
    }
  });

  for (const kind of ['ws', 'sio']) {
    it(`last seen nobody: contacts get no presence over ${kind === 'ws' ? '/ws' : 'Socket.IO'}, and hear it hidden and shown again while A is online`, async () => {
      const { a, c, s, direct, group } = await cast();
      const fromA = (e) => e.user_id === a.id;
      const [sc, ss] = [await h.socket(c, kind), await h.socket(s, kind)];

      await h.setPrivacy(a, { last_seen: 'nobody' });
      let sa = await h.socket(a, kind);
      // A's messages reach C and S after any presence of A's connecting would have.
      await h.say(a, direct.id, 'incognito');
      await h.say(a, group.id, 'incognito');
      await sc.next('message:new', { filter: (m) => m.chat_id === direct.id, timeout: WAIT_MS });
      await ss.next('message:new', { filter: (m) => m.chat_id === group.id, timeout: WAIT_MS });
      await sc.none('presence', 200, { filter: fromA, what: 'the contact saw A come online with last seen nobody' });
      // Gone: the last seen moved, and no presence told of it.
      await wentOffline(a, () => sa.terminate());
      await h.say(a, direct.id, 'still incognito');
      await sc.next('message:new', { filter: (m) => m.chat_id === direct.id, timeout: WAIT_MS });
      await sc.none('presence', 200, { filter: fromA, what: 'the contact saw A go offline with last seen nobody' });

      // While A is online, showing it tells the contacts at once, hiding it again too.
      sa = await h.socket(a, kind);
      await h.say(a, direct.id, 'here');
      await sc.next('message:new', { filter: (m) => m.chat_id === direct.id, timeout: WAIT_MS });
      await h.setPrivacy(a, { last_seen: 'contacts' });
      const shown = await sc.next('presence', { filter: fromA, timeout: WAIT_MS });
      assert.equal(shown.online, true, brief(shown));
      assert.ok(Number.isInteger(shown.last_seen_at), `last_seen_at: ${brief(shown)}`);
      await h.setPrivacy(a, { last_seen: 'everyone' });
      await h.setPrivacy(a, { last_seen: 'nobody' });
      const hid = await sc.next('presence', { filter: fromA, timeout: WAIT_MS });
      assert.deepEqual(hid, { user_id: a.id, online: false, last_seen_at: null });
      await h.setPrivacy(a, { photo: 'contacts' });
      // The stranger in the group heard none of it; no more came to the contact.
      await h.say(a, group.id, 'bye');
      await h.say(a, direct.id, 'bye');
      await ss.next('message:new', { filter: (m) => m.chat_id === group.id && m.text === 'bye', timeout: WAIT_MS });
      await sc.next('message:new', { filter: (m) => m.chat_id === direct.id && m.text === 'bye', timeout: WAIT_MS });
      await ss.none('presence', 200, { filter: fromA, what: 'a stranger heard of A’s presence' });
      await sc.none('presence', 200, { filter: fromA, what: 'more presence than the two changes' });
      await sa.terminate();
    });
  }

  it('last seen everyone: anyone sees last_seen_at, but presence still goes to contacts only', async () => {
    const { a, c, s, group } = await cast();
    await h.setPrivacy(a, { last_seen: 'everyone' });
    const fromA = (e) => e.user_id === a.id;
    const [sc, ss] = [await h.socket(c, 'sio'), await h.socket(s, 'ws')];
    const sa = await h.socket(a, 'ws');
    assert.equal((await sc.next('presence', { filter: fromA, timeout: WAIT_MS })).online, true);
    await sa.close();
    const off = await sc.next('presence', { filter: (e) => fromA(e) && !e.online, timeout: WAIT_MS });
    assert.ok(Number.isInteger(off.last_seen_at), brief(off));
    await h.say(a, group.id, 'control');
    await ss.next('message:new', { filter: (m) => m.chat_id === group.id, timeout: WAIT_MS });
    await ss.none('presence', 200, { filter: fromA, what: 'presence reached a stranger under last seen everyone' });
    assert.equal((await h.must(s, 'GET', `/users/${a.id}`)).last_seen_at, off.last_seen_at, 'the stranger sees the last seen');
    assert.equal((await h.must(c, 'GET', `/users/${a.id}`)).last_seen_at, off.last_seen_at);
  });
});

/** Polls `get` every 20 ms until it gives a truthy value, which it returns; fails naming `what` after WAIT_MS. */
async function until(get, what) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await get();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('read receipts off', () => {
  const h = serverForSuite();

  const isRead = (chatId, userId) => (e) => e.chat_id === chatId && e.user_id === userId && e.status === 'read';
  const isDelivered = (chatId, userId) => (e) => e.chat_id === chatId && e.user_id === userId && e.status === 'delivered';

  /**
   * `reader` reads `seq` of `chat` over socket `sr` (or REST), and `sender`, whose socket is
   * `ss`, hears of it: the delivered status always, the read one only if `readSeen`. A
   * message from the reader afterwards bounds the wait for a read status that must not come.
   */
  async function readAndWatch({ reader, sr, sender, ss, chat, seq, readSeen, rest = false }) {
    if (rest) await h.must(reader, 'POST', `/chats/${chat.id}/read`, { seq }, 204);
    else assert.deepEqual(await sr.emit('message:read', { chat_id: chat.id, seq }), {});
    const delivered = await ss.next('message:status', { filter: isDelivered(chat.id, reader.id), timeout: WAIT_MS });
    assert.equal(delivered.seq, seq, `delivered still flows: ${brief(delivered)}`);
    if (readSeen) {
      assert.deepEqual(await ss.next('message:status', { filter: isRead(chat.id, reader.id), timeout: WAIT_MS }),
        { chat_id: chat.id, user_id: reader.id, seq, status: 'read' });
      return;
    }
    const control = await h.say(reader, chat.id, 'control');
    await ss.next('message:new', { filter: (m) => m.id === control.id, timeout: WAIT_MS });
    assert.deepEqual(ss.drain('message:status', isRead(chat.id, reader.id)), [], `${sender.name} saw ${reader.name}'s read mark`);
    return control;
  }

  for (const [kindA, kindC] of [['ws', 'sio'], ['sio', 'ws']]) {
    it(`in a direct chat: neither sent nor seen, delivered still flows, the reader's unread still counts (A on ${kindA}, C on ${kindC})`, async () => {
      const [a, c] = await h.users(2, 'Reader');
      Object.assign(a, { node: 0, name: 'A' });
      Object.assign(c, { node: 1, name: 'C' });
      const chat = await h.contacts(a, c); // seq 1 from A, 2 from C
      const [sa, sc] = [await h.socket(a, kindA), await h.socket(c, kindC)];
      // Both on: read marks flow both ways.
      await readAndWatch({ reader: a, sr: sa, sender: c, ss: sc, chat, seq: 2, readSeen: true });
      assert.equal((await h.say(a, chat.id, 'three')).seq, 3);
      await readAndWatch({ reader: c, sr: sc, sender: a, ss: sa, chat, seq: 3, readSeen: true });

      await h.setPrivacy(a, { read_receipts: false });
      // A reads C's message: C hears it was delivered, not read; A's own unread is 0.
      assert.equal((await h.say(c, chat.id, 'four')).seq, 4);
      const control = await readAndWatch({ reader: a, sr: sa, sender: c, ss: sc, chat, seq: 4, readSeen: false });
      assert.equal((await h.must(a, 'GET', `/chats/${chat.id}`)).unread_count, 0, 'A’s read mark counts for A');
      // C, whose receipts are on, reads A's: A sees no read mark either (over REST this time).
      await readAndWatch({ reader: c, sr: sc, sender: a, ss: sa, chat, seq: control.seq, readSeen: false, rest: true });
      assert.equal((await h.must(c, 'GET', `/chats/${chat.id}`)).unread_count, 0, 'C’s read mark counts for C');

      // On again: they flow from the next read on, nothing retroactively.
      await h.setPrivacy(a, { read_receipts: true });
      const six = await h.say(c, chat.id, 'six');
      await readAndWatch({ reader: a, sr: sa, sender: c, ss: sc, chat, seq: six.seq, readSeen: true });
      const seven = await h.say(a, chat.id, 'seven');
      await readAndWatch({ reader: c, sr: sc, sender: a, ss: sa, chat, seq: seven.seq, readSeen: true });
    });
  }

  it('the other side turning them off stops them too; groups keep read receipts both ways', async () => {
    const [a, c, d] = await h.users(3, 'Grouper');
    Object.assign(a, { node: 0, name: 'A' });
    Object.assign(c, { node: 1, name: 'C' });
    Object.assign(d, { node: 1, name: 'D' });
    const direct = await h.contacts(a, c);
    const group = await h.must(a, 'POST', '/chats', { type: 'group', name: 'Readers', user_ids: [c.id, d.id] }, 201);
    const [sa, sc] = [await h.socket(a, 'sio'), await h.socket(c, 'ws')];
    // C turns them off: A (on) sees none of C's, and C none of A's.
    await h.setPrivacy(c, { read_receipts: false });
    const m = await h.say(a, direct.id, 'are you reading this?');
    await readAndWatch({ reader: c, sr: sc, sender: a, ss: sa, chat: direct, seq: m.seq, readSeen: false });
    const n = await h.say(c, direct.id, 'maybe');
    await readAndWatch({ reader: a, sr: sa, sender: c, ss: sc, chat: direct, seq: n.seq, readSeen: false, rest: true });

    // In the group, with both A's and C's off, read marks still go both ways.
    await h.setPrivacy(a, { read_receipts: false });
    const g1 = await h.say(a, group.id, 'group news');
    await readAndWatch({ reader: c, sr: sc, sender: a, ss: sa, chat: group, seq: g1.seq, readSeen: true });
    const g2 = await h.say(c, group.id, 'read it');
    await readAndWatch({ reader: a, sr: sa, sender: c, ss: sc, chat: group, seq: g2.seq, readSeen: true, rest: true });
  });
});

describe('groups_add contacts', () => {
  const h = serverForSuite();

  const groupIds = async (who) => (await h.must(who, 'GET', '/chats')).items.filter((c) => c.type === 'group').map((c) => c.id);

  it('only a contact may put the user in a group, creating it or adding members; anyone else gets 403 not_allowed and nothing changes', async () => {
    // A (node 1) lets contacts alone add them; C is A's contact, S opened a chat with A that
    // A never answered (no contact), D lets anyone add them; all but A on node 2.
    const [a, c, s, d] = await h.users(4, 'Member');
    Object.assign(a, { node: 0, name: 'A' });
    Object.assign(c, { node: 1, name: 'C' });
    Object.assign(s, { node: 1, name: 'S' });
    Object.assign(d, { node: 1, name: 'D' });
    await h.contacts(a, c);
    const request = await h.must(s, 'POST', '/chats', { type: 'direct', user_id: a.id }, 201);
    await h.say(s, request.id, 'add you to my group?');
    await h.setPrivacy(a, { groups_add: 'contacts' });
    const [sa, sd] = [await h.socket(a, 'ws'), await h.socket(d, 'sio')];

    // Creating a group with A: refused to S, whoever else is in it, and no group is made.
    const before = { s: await groupIds(s), d: await groupIds(d), a: await groupIds(a) };
    for (const userIds of [[a.id], [d.id, a.id], [a.id, a.id, s.id]]) {
      const r = await h.req(s, 'POST', '/chats', { type: 'group', name: 'Not yours', user_ids: userIds });
      assertError(r, 403, 'not_allowed', `S creates a group with ${brief(userIds)}`);
      assert.ok(r.json.error.message.endsWith(a.id), `the message names A: ${r.text}`);
    }
    assert.deepEqual({ s: await groupIds(s), d: await groupIds(d), a: await groupIds(a) }, before, 'no group was made');

    // Adding A to S's group: refused, alone or with D, and D is not added either.
    const group = await h.must(s, 'POST', '/chats', { type: 'group', name: 'Open', user_ids: [] }, 201);
    for (const userIds of [[a.id], [d.id, a.id]]) {
      assertError(await h.req(s, 'POST', `/chats/${group.id}/participants`, { user_ids: userIds }), 403, 'not_allowed', `S adds ${brief(userIds)}`);
    }
    assert.deepEqual((await h.must(s, 'GET', `/chats/${group.id}`)).participants.map((p) => p.user_id), [s.id], 'nobody was added');
    // Neither A nor D heard of a group: D's chat:new for a later group comes first.
    const later = await h.must(s, 'POST', '/chats', { type: 'group', name: 'Later', user_ids: [d.id] }, 201);
    assert.equal((await sd.next('chat:new', { timeout: WAIT_MS })).id, later.id, 'D’s first chat:new is the group they are in');
    assert.deepEqual(sa.drain('chat:new'), [], 'A heard of a group');

    // A contact may, creating a group or adding to one; so may anyone once A allows everyone.
    const byContact = await h.must(c, 'POST', '/chats', { type: 'group', name: 'Friends', user_ids: [a.id, d.id] }, 201);
    assert.deepEqual(byContact.participants.map((p) => p.user_id).sort(), [a.id, c.id, d.id].sort());
    assert.equal((await sa.next('chat:new', { filter: (x) => x.id === byContact.id, timeout: WAIT_MS })).id, byContact.id);
    const cGroup = await h.must(c, 'POST', '/chats', { type: 'group', name: 'Later friends', user_ids: [] }, 201);
    await h.must(c, 'POST', `/chats/${cGroup.id}/participants`, { user_ids: [a.id] });
    // D (groups_add everyone) is added by anyone.
    await h.must(s, 'POST', `/chats/${group.id}/participants`, { user_ids: [d.id] });
    // S takes part by A accepting the request: now contacts, S may add A.
    await h.must(a, 'POST', `/chats/${request.id}/accept`, undefined, 204);
    await h.must(s, 'POST', `/chats/${group.id}/participants`, { user_ids: [a.id] });
    await h.setPrivacy(a, { groups_add: 'everyone' });
    await h.must(d, 'POST', '/chats', { type: 'group', name: 'Anyone', user_ids: [a.id] }, 201);
  });
});

/** flow_reports_total by reason, summed over the server's nodes. */
async function reportsTotal(f) {
  const total = { spam: 0, abuse: 0, other: 0 };
  for (const node of f.nodes) {
    const r = await request(node.url, 'GET', '/metrics');
    for (const line of r.text.split('\n')) {
      const m = line.match(/^flow_reports_total\{reason="(\w+)"\} (\d+)$/);
      if (m) total[m[1]] += Number(m[2]);
    }
  }
  return total;
}

describe('reports', () => {
  const h = serverForSuite();

  const report = (who, userId, body) => h.req(who, 'POST', `/users/${userId}/report`, body);

  it('202 with the messages of chats the reporter is in, counted by reason; a later delete for everyone changes nothing of it', async () => {
    // R (node 1) reports X (node 2), who wrote to R; X also writes in a group R is not in.
    const [r, x, y] = await h.users(3, 'Reporter');
    Object.assign(r, { node: 0, name: 'R' });
    Object.assign(x, { node: 1, name: 'X' });
    Object.assign(y, { node: 1, name: 'Y' });
    const direct = await h.must(x, 'POST', '/chats', { type: 'direct', user_id: r.id }, 201);
    const threats = [await h.say(x, direct.id, 'you will regret it'), await h.say(x, direct.id, 'I know where you live')];
    const elsewhere = await h.must(x, 'POST', '/chats', { type: 'group', name: 'Elsewhere', user_ids: [y.id] }, 201);
    const other = await h.say(x, elsewhere.id, 'not for R');
    assert.deepEqual(await reportsTotal(h.f), { spam: 0, abuse: 0, other: 0 }, 'every reason shows from the start');

    const filed = await report(r, x.id, { reason: 'abuse', message_ids: threats.map((m) => m.id), note: 'threats since Monday' });
    assert.equal(filed.status, 202, filed.text);
    assert.equal(typeof filed.json.id, 'string');
    // The same messages twice, no messages, a null list, a message of R's own: all fine.
    for (const body of [
      { reason: 'spam', message_ids: [threats[0].id, threats[0].id] },
      { reason: 'spam' },
      { reason: 'other', message_ids: null, note: null },
      { reason: 'other', message_ids: [(await h.say(r, direct.id, 'stop it')).id] },
    ]) {
      const again = await report(r, x.id, body);
      assert.equal(again.status, 202, `${brief(body)} -> ${again.text}`);
    }
    assert.deepEqual(await reportsTotal(h.f), { spam: 2, abuse: 1, other: 2 });

    // X deletes the threats for everyone: that works as ever, and the report stands (the
    // store's contract test reads the copies back as they were).
    for (const m of threats) await h.must(x, 'DELETE', `/chats/${direct.id}/delete_message`, { message_id: m.id, for_everyone: true });
    const page = await h.must(r, 'GET', `/chats/${direct.id}/messages`);
    assert.deepEqual(page.items.slice(0, 2).map((m) => [m.deleted, m.text]), [[true, ''], [true, '']]);
    // A message R cannot see: in a chat R is not in, unknown, or one R's report names among good ones.
    for (const ids of [[other.id], ['no-such-message'], [threats[0].id, other.id]]) {
      assertError(await report(r, x.id, { reason: 'abuse', message_ids: ids }), 404, 'not_found', `messages ${brief(ids)}`);
    }
    assert.deepEqual(await reportsTotal(h.f), { spam: 2, abuse: 1, other: 2 }, 'refused reports count nothing');
  });

  it('refuses bad reports with the contract’s errors before counting them', async () => {
    const [r, x] = await h.users(2, 'Checker');
    const start = await reportsTotal(h.f);
    const ids = (n) => Array.from({ length: n }, (_, i) => `m${i}`);
    for (const [body, status, code, userId] of [
      [{ reason: 'abuse' }, 400, 'self_report', r.id],
      [{ reason: 'abuse' }, 404, 'not_found', 'no-such-user'],
      [{}, 400, 'missing_field'],
      [{ reason: 'rude' }, 400, 'invalid_field'],
      [{ reason: 'SPAM' }, 400, 'invalid_field'],
      [{ reason: 7 }, 400, 'invalid_field'],
      [{ reason: 'spam', message_ids: 'm1' }, 400, 'invalid_field'],
      [{ reason: 'spam', message_ids: [1] }, 400, 'invalid_field'],
      [{ reason: 'spam', note: 5 }, 400, 'invalid_field'],
      [{ reason: 'spam', message_ids: ids(21) }, 400, 'too_many_messages'],
      [{ reason: 'spam', note: 'x'.repeat(1001) }, 400, 'too_long'],
    ]) {
      assertError(await report(r, userId ?? x.id, body), status, code, `${brief(body)} about ${userId ?? 'X'}`);
    }
    // 20 distinct ids (repeats counting once) are not too many; they are unknown messages.
    assertError(await report(r, x.id, { reason: 'spam', message_ids: [...ids(20), 'm0'] }), 404, 'not_found', '20 distinct');
    // A note of 1000 characters (not bytes) is fine.
    assert.equal((await report(r, x.id, { reason: 'other', note: 'é'.repeat(1000) })).status, 202);
    // A deleted account is no one to report.
    await h.must(x, 'DELETE', '/users/me', undefined, 204);
    assertError(await report(r, x.id, { reason: 'spam' }), 404, 'not_found', 'a deleted account');
    assert.deepEqual(await reportsTotal(h.f), { ...start, other: start.other + 1 });
    assertError(await request(h.url(0), 'POST', `/users/${x.id}/report`, { body: { reason: 'spam' } }), 401, 'unauthorized');
  });
});

describe('reports rate limit', () => {
  it('a reporter past --user-report-hourly gets 429 rate_limited with Retry-After, on every node; others are not held back', async () => {
    const f = await startFlowd([...ARGS, '--user-report-hourly', '3']);
    const h = harness(() => f);
    try {
      const [r, x, q] = await h.users(3, 'Limited');
      for (let i = 0; i < 3; i++) {
        const who = { ...r, node: i }; // both nodes share the reporter's budget
        assert.equal((await report(h, who, x.id)).status, 202, `report ${i + 1}`);
      }
      const refused = await report(h, { ...r, node: 1 }, x.id);
      assertError(refused, 429, 'rate_limited', 'the fourth report within the hour');
      assertRetryAfter(refused);
      assert.equal((await report(h, q, x.id)).status, 202, 'another reporter');
      assert.equal((await reportsTotal(f)).spam, 4);
    } finally {
      await f.shutdown();
    }
  });

  function report(h, who, userId) {
    return h.req(who, 'POST', `/users/${userId}/report`, { reason: 'spam' });
  }
});

describe('blocking', () => {
  // Calls ring for a second, so that one to a blocker rings out within a test.
  const h = serverForSuite([...ARGS, '--call-ring-seconds', '1']);

  /**
   * A (node 1) and B (node 2) are contacts with a direct chat, both in a group with G
   * (node 2); A has a photo, an about and a live story, and C (node 2), another contact of
   * A's, watches what A's other contacts still get.
   */
  async function cast() {
    const [a, b, c, g] = await h.users(4, 'Blocking');
    Object.assign(a, { node: 0, name: 'A' });
    Object.assign(b, { node: 1, name: 'B' });
    Object.assign(c, { node: 1, name: 'C' });
    Object.assign(g, { node: 1, name: 'G' });
    const photo = await request(h.url(a.node), 'POST', '/media', { token: a.token, rawBody: GIF, headers: { 'content-type': 'image/gif' } });
    assert.equal(photo.status, 201, photo.text);
    await h.must(a, 'PUT', '/auth/modify_user', { about: 'Before', image_id: photo.json.id });
    const direct = await h.contacts(a, b);
    await h.contacts(a, c);
    const group = await h.must(g, 'POST', '/chats', { type: 'group', name: 'Both', user_ids: [a.id, b.id] }, 201);
    const story = await h.must(a, 'POST', '/stories', { type: 'text', text: 'before' }, 201);
    return { a, b, c, g, direct, group, story, photo: photo.json.id };
  }

  const block = (who, whom, status = 204) => h.must(who, 'POST', `/users/${whom.id}/block`, undefined, status);
  const texts = async (who, chatId) => (await h.must(who, 'GET', `/chats/${chatId}/messages?limit=100`)).items.map((m) => m.text);

  it('block, unblock and the list: idempotent, per user, on every node; yourself is 400 and nobody 404', async () => {
    const [a, b, c] = await h.users(3, 'Lister');
    await block(a, b);
    await block({ ...a, node: a.node + 1 }, b);
    await block(a, c);
    const listed = await h.must(a, 'GET', '/users/blocked');
    assert.deepEqual(listed.items.map((u) => u.id), [c.id, b.id], 'the latest first, each once');
    assert.equal(listed.items[1].name, 'Lister 2');
    assert.deepEqual((await h.must(b, 'GET', '/users/blocked')).items, [], 'B blocks nobody');
    assertError(await h.req(a, 'POST', `/users/${a.id}/block`), 400, 'self_block', 'blocking yourself');
    assertError(await h.req(a, 'POST', '/users/0000000000000000000000000z/block'), 404, 'not_found', 'no such user');
    assertError(await h.req(a, 'DELETE', '/users/0000000000000000000000000z/block'), 404, 'not_found', 'no such user');
    assertError(await request(h.url(0), 'POST', `/users/${b.id}/block`, {}), 401, 'unauthorized', 'no token');
    await h.must({ ...a, node: a.node + 1 }, 'DELETE', `/users/${b.id}/block`, undefined, 204);
    await h.must(a, 'DELETE', `/users/${b.id}/block`, undefined, 204);
    assert.deepEqual((await h.must(a, 'GET', '/users/blocked')).items.map((u) => u.id), [c.id]);
  });

  for (const kind of ['ws', 'sio']) {
    it(`B's messages, typing and reactions in the direct chat look sent to B and never reach A; groups flow (${kind === 'ws' ? '/ws' : 'Socket.IO'})`, async () => {
      const { a, b, direct, group } = await cast();
      const [sa, sb] = [await h.socket(a, kind), await h.socket(b, kind)];
      const inDirect = (e) => e.chat_id === direct.id;
      const before = await h.say(a, direct.id, 'last before the block');
      await sb.next('message:new', { filter: (m) => m.id === before.id, timeout: WAIT_MS });
      await block(a, b);

      // B sends over REST and the socket, types and reacts: B sees it all as usual.
      const rest = await h.say(b, direct.id, 'hidden zebra one');
      const ack = await sb.emit('message:send', { chat_id: direct.id, client_id: newClientId(), type: 'text', text: 'hidden zebra two' });
      assert.equal(ack.text, 'hidden zebra two', brief(ack));
      assert.equal(ack.seq, rest.seq + 1);
      await sb.emit('typing', { chat_id: direct.id, typing: true });
      await h.must(b, 'PUT', `/chats/${direct.id}/messages/${before.id}/reaction`, { emoji: '👍' });
      assert.deepEqual((await texts(b, direct.id)).slice(-2), ['hidden zebra one', 'hidden zebra two']);
      // A group message bounds the wait: it flows, and nothing of the direct chat came before it.
      const inGroup = await h.say(b, group.id, 'in the group');
      await sa.next('message:new', { filter: (m) => m.id === inGroup.id, timeout: WAIT_MS });
      // (A's socket was sent what A had not had yet on connecting: the messages before the block.)
      const fromB = (e) => inDirect(e) && (e.seq === undefined || e.seq > before.seq);
      for (const event of ['message:new', 'typing', 'message:reaction', 'chat:new', 'chat:updated'])
        assert.deepEqual(sa.drain(event, fromB), [], `A got ${event} from B`);

      // A's side: not in the history, the chat list, the unread count or search.
      assert.deepEqual(await texts(a, direct.id), ['hi B', 'hi A', 'last before the block']);
      const listed = (await h.must(a, 'GET', '/chats')).items.find((x) => x.id === direct.id);
      assert.equal(listed.unread_count, 1, `"hi A" alone, from before the block: ${brief(listed)}`);
      assert.equal(listed.last_message.id, before.id);
      assert.deepEqual((await h.must(a, 'GET', '/search/messages?q=zebra')).items, []);
      assert.equal((await h.must(b, 'GET', '/search/messages?q=zebra')).items.length, 2, 'B finds them');

      // A reads up to the newest and writes: B hears no receipt, not even delivered; A cannot write to B.
      await h.must(a, 'POST', `/chats/${direct.id}/read`, { seq: ack.seq }, 204);
      assertError(await h.req(a, 'POST', `/chats/${direct.id}/send_message`, { client_id: newClientId(), type: 'text', text: 'x' }), 403, 'blocked', 'A writing to B');
      const control = await h.say(a, group.id, 'control');
      await sb.next('message:new', { filter: (m) => m.id === control.id, timeout: WAIT_MS });
      assert.deepEqual(sb.drain('message:status', inDirect), [], 'B heard a receipt of A');
      assert.deepEqual(sb.drain('typing', inDirect), []);

      // Unblocking delivers nothing of before; what B sends from then on reaches A.
      await h.must(a, 'DELETE', `/users/${b.id}/block`, undefined, 204);
      const after = await h.say(b, direct.id, 'after the block');
      assert.equal((await sa.next('message:new', { filter: fromB, timeout: WAIT_MS })).id, after.id);
      assert.deepEqual(await texts(a, direct.id), ['hi B', 'hi A', 'last before the block', 'after the block']);
    });
  }

  it('B sees A as when blocked: profile, lookup and presence stop changing, A’s stories are gone; others see A as it is', async () => {
    const { a, b, c, story, photo } = await cast();
    const seenBefore = await h.must(b, 'GET', `/users/${a.id}`);
    assert.equal(seenBefore.about, 'Before');
    assert.equal(seenBefore.image_id, photo);
    const [sb, sc] = [await h.socket(b, 'ws'), await h.socket(c, 'sio')];
    await block(a, b);
    // A changes everything and comes and goes; C, a contact, hears of it.
    await h.must(a, 'PUT', '/auth/modify_user', { about: 'After', image_id: null });
    const newStory = await h.must(a, 'POST', '/stories', { type: 'text', text: 'after' }, 201);
    await sc.next('story:new', { filter: (e) => e.id === newStory.id, timeout: WAIT_MS });
    // (Online heard before going: a socket opened and closed at once may leave no presence.)
    const sa = await h.socket(a, 'sio');
    await sc.next('presence', { filter: (e) => e.user_id === a.id && e.online, timeout: WAIT_MS });
    await sa.terminate();
    await sc.next('presence', { filter: (e) => e.user_id === a.id && !e.online, timeout: WAIT_MS });
    const fields = (u) => ({ about: u.about, image_id: u.image_id, last_seen_at: u.last_seen_at, name: u.name });
    assert.deepEqual(fields(await h.must(b, 'GET', `/users/${a.id}`)), fields(seenBefore), 'GET /users/{id}');
    const found = await h.must(b, 'POST', '/users/lookup', { phones: [a.phone] });
    assert.deepEqual(fields(found.items[0]), fields(seenBefore), 'lookup');
    assert.equal((await h.must(b, 'GET', '/stories')).items.find((x) => x.user.id === a.id), undefined, 'A’s stories');
    for (const s of [story, newStory]) assertError(await h.req(b, 'POST', `/stories/${s.id}/view`), 404, 'not_found', 'viewing A’s story');
    assert.deepEqual(sb.drain('presence', (e) => e.user_id === a.id), [], 'presence of A reached B');
    assert.deepEqual(sb.drain('story:new', (e) => e.user_id === a.id), [], 'A’s new story reached B');
    // C, another contact, sees A as A is now.
    const byC = await h.must(c, 'GET', `/users/${a.id}`);
    assert.equal(byC.about, 'After');
    assert.equal(byC.image_id, null);
    assert.ok((await h.must(c, 'GET', '/stories')).items.find((x) => x.user.id === a.id), 'C sees A’s stories');
  });

  it('B’s calls to A never ring A and end missed for B; A cannot call B; B cannot put A in a group (403 not_allowed)', async () => {
    const { a, b, g, group } = await cast();
    const [sa, sb] = [await h.socket(a, 'ws'), await h.socket(b, 'sio')];
    await block(a, b);
    const call = await h.must(b, 'POST', '/calls/make_call', { callee_id: a.id, type: 'audio' }, 201);
    assert.equal(call.status, 'ringing', brief(call));
    const ended = await sb.next('call:updated', { filter: (c) => c.id === call.id && c.status !== 'ringing', timeout: WAIT_MS });
    assert.equal(ended.status, 'missed', brief(ended));
    assert.equal(ended.participants.find((p) => p.user_id === a.id).state, 'missed', `B sees A’s side ring out: ${brief(ended)}`);
    assert.deepEqual(sa.drain('call:incoming'), [], 'A rang');
    assert.deepEqual(sa.drain('call:updated', (c) => c.id === call.id), [], 'A heard of the call');
    assert.equal((await h.must(a, 'GET', '/calls/history')).items.find((c) => c.id === call.id), undefined, 'in A’s history');
    assertError(await h.req(a, 'GET', `/calls/history/${call.id}`), 404, 'not_found', 'A reads the call');
    assert.equal((await h.must(b, 'GET', `/calls/history/${call.id}`)).status, 'missed');
    assertError(await h.req(a, 'POST', '/calls/make_call', { callee_id: b.id, type: 'video' }), 403, 'blocked', 'A calling B');

    assertError(await h.req(b, 'POST', '/chats', { type: 'group', name: 'No', user_ids: [a.id] }), 403, 'not_allowed', 'B making a group with A');
    const own = await h.must(b, 'POST', '/chats', { type: 'group', name: 'Mine', user_ids: [g.id] }, 201);
    assertError(await h.req(b, 'POST', `/chats/${own.id}/participants`, { user_ids: [a.id] }), 403, 'not_allowed', 'B adding A');
    // In the group they share, B's messages still reach A.
    const said = await h.say(b, group.id, 'still here');
    assert.equal((await sa.next('message:new', { filter: (m) => m.chat_id === group.id, timeout: WAIT_MS })).id, said.id);
  });
});
