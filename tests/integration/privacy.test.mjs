// Privacy settings and reports (API.md "Blocking, reports and privacy"), as clients see
// them: GET and PUT /users/me/privacy, and for each setting every way what it hides could
// leak. On the scaled shape (two nodes) each user's requests and sockets go to a node of
// their own, the one whose settings are tested on node 1 and the others on node 2, so a
// setting changed on one node must hold on the other at once.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFlowd, request, assertError, NODES } from './lib/flowd.mjs';
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

describe('privacy settings', () => {
  let f;
  const h = harness(() => f);
  before(async () => {
    f = await startFlowd(ARGS);
  });
  after(async () => {
    await f?.shutdown();
  });
  afterEach(() => h.closeAll());

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
