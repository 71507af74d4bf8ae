// flowctl, the operator's tool, driven as a child process against a running flowd with the
// same store settings (README "flowctl"): finding users, devices, bans, deleting accounts,
// purging media, counts and reports, bad usage. What it changes reaches live sockets: on
// the embedded shape through flowd's socket in the data dir, on the scaled shape (two
// nodes) through Redis, so the sockets it closes are on the other node too.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT, NODES, assertError, freePort, makeGif, request, startFlowd, uniquePhone, within } from './lib/flowd.mjs';
import { startRedis } from './lib/redis.mjs';
import { connect } from './lib/ws_client.mjs';
import { connectSio } from './lib/sio_client.mjs';

const FLOWCTL = process.env.FLOWCTL_BIN || path.join(REPO_ROOT, 'build', 'flowctl');
// Many sign-ins come from 127.0.0.1: lift the per-address and per-phone caps.
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];
const RUN_MS = 15_000;

/**
 * Runs flowctl with server `f`'s store settings (flags, or with `asEnv` the FLOW_*
 * variables) and `args`: {code, stdout, stderr, json (stdout parsed, if it parses)}.
 */
async function flowctl(f, args, { asEnv = false, asFiles = false, storeArgs } = {}) {
  const stores = storeArgs ?? (await f.storeArgs());
  const env = { ...process.env };
  let flags = stores;
  if (asEnv || asFiles) {
    flags = [];
    for (let i = 0; i < stores.length; i += 2) {
      const name = `FLOW_${stores[i].slice(2).replaceAll('-', '_').toUpperCase()}`;
      if (asFiles) {
        // As Docker mounts secrets: FLOW_X_FILE names a file holding the value and a newline.
        const file = path.join(f.dataDir, `setting-${name}`);
        await writeFile(file, `${stores[i + 1]}\n`);
        env[`${name}_FILE`] = file;
      } else {
        env[name] = stores[i + 1];
      }
    }
  }
  const proc = spawn(FLOWCTL, [...flags, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  proc.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), RUN_MS);
  const code = await new Promise((resolve) => proc.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  let json;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

/** Runs flowctl and asserts exit 0 with one JSON document; returns it. */
async function ok(f, args, opts) {
  const r = await flowctl(f, args, opts);
  assert.equal(r.code, 0, `flowctl ${args.join(' ')} -> exit ${r.code}\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
  assert.ok(r.json && typeof r.json === 'object', `flowctl ${args.join(' ')}: one JSON document, got ${r.stdout}`);
  assert.equal(r.stdout.trim().split('\n').length, 1, 'one line of JSON');
  return r.json;
}

/** Runs flowctl and asserts exit `code` with a message on stderr and nothing on stdout. */
async function refused(f, args, code, message) {
  const r = await flowctl(f, args);
  assert.equal(r.code, code, `flowctl ${args.join(' ')} -> exit ${r.code}, stderr: ${r.stderr}`);
  assert.equal(r.stdout, '', `nothing on stdout: ${r.stdout}`);
  assert.match(r.stderr, message, `flowctl ${args.join(' ')}`);
  return r;
}

/** The URL of node `i` (the one node on the embedded shape). */
const nodeUrl = (f, i) => f.nodes[i % f.nodes.length].url;
/** The node a socket goes to when it should be the other one than a user's requests. */
const OTHER = NODES - 1;

describe('flowctl', () => {
  let f;
  before(async () => {
    assert.ok(existsSync(FLOWCTL), `flowctl not built: ${FLOWCTL}`);
    f = await startFlowd(ARGS);
  });
  after(async () => {
    await f?.shutdown();
  });

  const me = (token, node = 0) => request(nodeUrl(f, node), 'GET', '/users/me', { token });

  it('user find: by phone (any notation) and by id, with ban and devices', async () => {
    const phone = uniquePhone();
    const { user } = await f.signUp(phone, { name: 'Found Person' });
    await f.signIn(phone); // a second device
    const byPhone = await ok(f, ['user', 'find', '--phone', phone]);
    assert.deepEqual(
      { id: byPhone.id, phone: byPhone.phone, name: byPhone.name, created_at: byPhone.created_at },
      { id: user.id, phone, name: 'Found Person', created_at: user.created_at },
    );
    assert.deepEqual([byPhone.banned, byPhone.banned_at, byPhone.deleted, byPhone.devices], [false, null, false, 2]);
    // 00 for +, with spaces, as a person types it.
    const spaced = `00${phone.slice(1, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`;
    assert.equal((await ok(f, ['user', 'find', '--phone', spaced])).id, user.id);
    assert.deepEqual(await ok(f, ['user', 'find', '--id', user.id]), byPhone);
    // The settings may come after the command too, and as FLOW_* variables.
    const after = await flowctl(f, ['user', 'find', '--id', user.id, ...(await f.storeArgs())], { storeArgs: [] });
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.json.id, user.id);
    assert.equal((await ok(f, ['user', 'find', '--id', user.id], { asEnv: true })).id, user.id);
    assert.equal((await ok(f, ['user', 'find', '--id', user.id], { asFiles: true })).id, user.id);

    await refused(f, ['user', 'find', '--id', 'no-such-user'], 1, /no such user/);
    await refused(f, ['user', 'find', '--phone', uniquePhone()], 1, /no user has \+/);
  });

  it('bad usage exits 2 with a message; an unknown user, device, media or report exits 1', async () => {
    for (const [args, message] of [
      [[], /a command is required/],
      [['frobnicate'], /frobnicate/],
      [['user', 'find'], /--phone|--id/],
      [['user', 'find', '--phone', '+447300000000', '--id', 'x'], /excludes|--phone|--id/],
      [['user', 'find', '--phone', 'not a number'], /international notation/],
      [['devices', 'revoke', 'only-a-user'], /DEVICE_ID/],
      [['ban'], /USER_ID/],
      [['reports', 'list', '--limit', '0'], /limit/],
    ]) {
      await refused(f, args, 2, message);
    }
    const mysql = await flowctl(f, ['counts'], { storeArgs: ['--data-dir', f.dataDir, '--db', 'mysql://x'] });
    assert.equal(mysql.code, 2, mysql.stderr);
    assert.match(mysql.stderr, /--db must be a SQLite file or a postgresql:\/\/ URL/);
    const { user } = await f.signIn(uniquePhone());
    for (const args of [
      ['devices', 'list', 'no-such-user'],
      ['devices', 'revoke', 'no-such-user', 'x'],
      ['ban', 'no-such-user'],
      ['unban', 'no-such-user'],
      ['delete-account', 'no-such-user'],
    ]) {
      await refused(f, args, 1, /no such user/);
    }
    await refused(f, ['devices', 'revoke', user.id, 'no-such-device'], 1, /no such device/);
    await refused(f, ['media', 'purge', 'no-such-media'], 1, /no such media/);
    await refused(f, ['media', 'purge', '../../etc/passwd'], 1, /no such media/);
    await refused(f, ['reports', 'resolve', 'no-such-report'], 1, /no such report/);
    // A data dir with no database is refused, not made.
    const r = await flowctl(f, ['counts'], { storeArgs: ['--data-dir', path.join(f.dataDir, 'nothing-here')] });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /no database at .*nothing-here/);
    assert.equal(existsSync(path.join(f.dataDir, 'nothing-here')), false);
  });

  it('devices list and revoke: the revoked device\'s token is 401 at once and its socket closes, on either node', async () => {
    const phone = uniquePhone();
    const kept = await f.signIn(phone, { device: { name: 'kept', platform: 'android' } });
    const lost = await f.signIn(phone, { device: 'lost' });
    const lostSocket = await connect(nodeUrl(f, OTHER), lost.token, { label: 'lost' });
    const keptSocket = await connect(nodeUrl(f, 0), kept.token, { label: 'kept' });

    const list = await ok(f, ['devices', 'list', kept.user.id]);
    assert.equal(list.user_id, kept.user.id);
    assert.deepEqual(list.items.map((d) => [d.name, d.platform, d.push]), [['kept', 'android', null], ['lost', 'other', null]]);
    for (const d of list.items) {
      assert.equal(typeof d.id, 'string');
      assert.ok(Number.isInteger(d.created_at) && Number.isInteger(d.last_seen_at));
      assert.ok(!('current' in d));
    }
    const lostId = list.items[1].id;
    // Another user's device is not theirs to revoke.
    const stranger = await f.signIn(uniquePhone());
    await refused(f, ['devices', 'revoke', stranger.user.id, lostId], 1, /no such device/);

    assert.deepEqual(await ok(f, ['devices', 'revoke', kept.user.id, lostId]), { user_id: kept.user.id, revoked: lostId });
    await within(lostSocket.closed, 'the revoked device\'s socket closes');
    assertError(await me(lost.token), 401, 'unauthorized');
    assertError(await me(lost.token, 1), 401, 'unauthorized');
    assert.equal((await me(kept.token)).status, 200);
    assert.equal(keptSocket.isOpen, true, 'the other device stays connected');
    assert.deepEqual((await ok(f, ['devices', 'list', kept.user.id])).items.map((d) => d.name), ['kept']);
    await refused(f, ['devices', 'revoke', kept.user.id, lostId], 1, /no such device/);
    await keptSocket.close();
  });

  it('ban signs every device out (sockets close, REST 401) and refuses sign-in with 403 banned; unban lets them in', async () => {
    const phone = uniquePhone();
    const first = await f.signUp(phone, { name: 'To Be Banned' });
    const second = await f.signIn(phone);
    const third = await f.signIn(phone);
    const id = first.user.id;
    const sockets = [
      await connect(nodeUrl(f, 0), first.token, { label: 'first' }),
      await connect(nodeUrl(f, OTHER), second.token, { label: 'second' }),
    ];
    const sio = await connectSio(nodeUrl(f, OTHER), third.token, { label: 'third, Socket.IO' });
    // A code asked for before the ban is no way back in.
    const asked = await f.request('POST', '/auth/enter_number', { body: { phone } });
    assert.equal(asked.status, 200, asked.text);
    const code = await f.sms.nextCode(phone);
    const sent = f.sms.countTo(phone);
    const before = await ok(f, ['counts']);

    assert.deepEqual(await ok(f, ['ban', id]), { user_id: id, banned: true, devices_signed_out: 3 });
    await within(Promise.all([...sockets.map((s) => s.closed), sio.disconnected]), 'every socket closes');
    for (const token of [first.token, second.token, third.token]) {
      for (const node of [0, 1]) assertError(await me(token, node), 401, 'unauthorized');
    }
    const found = await ok(f, ['user', 'find', '--id', id]);
    assert.deepEqual([found.banned, found.devices], [true, 0]);
    assert.ok(Number.isInteger(found.banned_at) && Math.abs(found.banned_at - Date.now()) < 60_000, `banned_at ${found.banned_at}`);
    const counted = await ok(f, ['counts']);
    assert.equal(counted.banned_users, before.banned_users + 1);
    assert.equal(counted.devices, before.devices - 3);

    for (const node of [0, 1]) {
      const url = nodeUrl(f, node);
      assertError(await request(url, 'POST', '/auth/enter_number', { body: { phone } }), 403, 'banned', 'asking for a code');
      assertError(await request(url, 'POST', '/auth/verify_otp', { body: { phone, code } }), 403, 'banned', 'the code from before');
      assertError(await request(url, 'POST', '/auth/verify_otp', { body: { phone, code: '000000' } }), 403, 'banned', 'any code');
    }
    assert.equal(f.sms.countTo(phone), sent, 'no code was sent after the ban');
    // Banning again keeps the first time.
    assert.deepEqual(await ok(f, ['ban', id]), { user_id: id, banned: true, devices_signed_out: 0 });
    assert.equal((await ok(f, ['user', 'find', '--id', id])).banned_at, found.banned_at);

    assert.deepEqual(await ok(f, ['unban', id]), { user_id: id, banned: false });
    const back = await f.signIn(phone);
    assert.equal(back.user.id, id, 'the same account');
    assert.equal(back.user.name, 'To Be Banned');
    assert.equal((await me(back.token, 1)).status, 200);
    const unbanned = await ok(f, ['user', 'find', '--phone', phone]);
    assert.deepEqual([unbanned.banned, unbanned.banned_at, unbanned.devices], [false, null, 1]);
  });

  it('delete-account deletes it as DELETE /users/me would; its chats\' members hear it live', async () => {
    const [a, b] = await f.signUpMany(2, 'Deleting');
    const chat = await f.request('POST', '/chats', { token: a.token, body: { type: 'direct', user_id: b.id } });
    assert.equal(chat.status, 201, chat.text);
    const sent = await f.request('POST', `/chats/${chat.json.id}/send_message`, {
      token: a.token,
      body: { client_id: `ctl-${Date.now()}`, type: 'text', text: 'before I go' },
    });
    assert.equal(sent.status, 201, sent.text);
    const aSocket = await connect(nodeUrl(f, 0), a.token, { label: 'A' });
    const bSocket = await connect(nodeUrl(f, OTHER), b.token, { label: 'B' });

    assert.deepEqual(await ok(f, ['delete-account', a.id]), { user_id: a.id, deleted: true });
    await within(aSocket.closed, 'the deleted account\'s socket closes');
    const update = await bSocket.next('chat:updated', { filter: (c) => c.id === chat.json.id });
    assert.deepEqual(update.participants.map((p) => p.user_id), [b.id], 'A left the chat');
    assertError(await me(a.token), 401, 'unauthorized');
    const seen = await request(nodeUrl(f, 1), 'GET', `/users/${a.id}`, { token: b.token });
    assert.equal(seen.status, 200, seen.text);
    assert.equal(seen.json.name, '');
    const history = await request(nodeUrl(f, 1), 'GET', `/chats/${chat.json.id}/messages`, { token: b.token });
    assert.deepEqual(history.json.items.map((m) => m.text), ['before I go'], 'B keeps what A sent');
    const found = await ok(f, ['user', 'find', '--id', a.id]);
    assert.deepEqual([found.deleted, found.devices, found.name], [true, 0, '']);
    await refused(f, ['delete-account', a.id], 1, /no such user/);
    await refused(f, ['user', 'find', '--phone', a.phone], 1, /no user has/);
    // The number is free to sign up again, as a new user.
    assert.equal((await f.signIn(a.phone)).new_user, true);
    await bSocket.close();
  });

  it('media purge: the media and its thumbnail are 404 afterwards; messages that had it read no media', async () => {
    const [a, b] = await f.signUpMany(2, 'Purging');
    const upload = await fetch(`${nodeUrl(f, 0)}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'image/gif' },
      body: makeGif(4, 3),
    });
    const media = await upload.json();
    assert.equal(upload.status, 201, JSON.stringify(media));
    const chat = await f.request('POST', '/chats', { token: a.token, body: { type: 'direct', user_id: b.id } });
    const sent = await f.request('POST', `/chats/${chat.json.id}/send_message`, {
      token: a.token,
      body: { client_id: `ctl-${Date.now()}`, type: 'image', media_id: media.id, text: 'look' },
    });
    assert.equal(sent.status, 201, sent.text);
    assert.equal((await request(nodeUrl(f, 1), 'GET', `/media/${media.id}`, { token: b.token })).status, 200);
    const before = await ok(f, ['counts']);

    assert.deepEqual(await ok(f, ['media', 'purge', media.id]), { media_id: media.id, purged: true });
    for (const [who, node] of [[a, 0], [b, 1]]) {
      assertError(await request(nodeUrl(f, node), 'GET', `/media/${media.id}`, { token: who.token }), 404, 'not_found');
      assert.equal((await request(nodeUrl(f, node), 'GET', `/media/${media.id}/thumbnail`, { token: who.token })).status, 404);
    }
    const history = await request(nodeUrl(f, 1), 'GET', `/chats/${chat.json.id}/messages`, { token: b.token });
    const message = history.json.items.find((m) => m.id === sent.json.id);
    assert.deepEqual([message.type, message.text, message.media], ['image', 'look', null]);
    const after = await ok(f, ['counts']);
    assert.equal(after.media_objects, before.media_objects - 1);
    assert.equal(after.media_bytes, before.media_bytes - media.size);
    await refused(f, ['media', 'purge', media.id], 1, /no such media/);
  });

  it('counts: users, devices, chats, messages, media and reports', async () => {
    const before = await ok(f, ['counts']);
    for (const key of ['users', 'banned_users', 'deleted_users', 'devices', 'chats', 'messages', 'media_objects', 'media_bytes', 'reports', 'open_reports']) {
      assert.ok(Number.isInteger(before[key]) && before[key] >= 0, `${key}: ${before[key]}`);
    }
    const [a, b] = await f.signUpMany(2, 'Counted');
    const chat = await f.request('POST', '/chats', { token: a.token, body: { type: 'direct', user_id: b.id } });
    for (const text of ['one', 'two']) {
      await f.request('POST', `/chats/${chat.json.id}/send_message`, { token: a.token, body: { client_id: `c-${text}-${Date.now()}`, type: 'text', text } });
    }
    const gif = makeGif(2, 2);
    const upload = await fetch(`${nodeUrl(f, 0)}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'image/gif' },
      body: gif,
    });
    assert.equal(upload.status, 201);
    const filed = await f.request('POST', `/users/${a.id}/report`, { token: b.token, body: { reason: 'spam' } });
    assert.equal(filed.status, 202, filed.text);
    const after = await ok(f, ['counts']);
    assert.deepEqual(
      Object.fromEntries(Object.keys(before).map((k) => [k, after[k] - before[k]])),
      { users: 2, banned_users: 0, deleted_users: 0, devices: 2, chats: 1, messages: 2, media_objects: 1, media_bytes: gif.length, reports: 1, open_reports: 1 },
    );
  });

  it('reports list [--open] and resolve', async () => {
    const [r, x] = await f.signUpMany(2, 'Reports');
    const chat = await f.request('POST', '/chats', { token: x.token, body: { type: 'direct', user_id: r.id } });
    const threat = await f.request('POST', `/chats/${chat.json.id}/send_message`, {
      token: x.token,
      body: { client_id: `t-${Date.now()}`, type: 'text', text: 'you will regret it' },
    });
    const filed = await f.request('POST', `/users/${x.id}/report`, {
      token: r.token,
      body: { reason: 'abuse', message_ids: [threat.json.id], note: 'threats' },
    });
    assert.equal(filed.status, 202, filed.text);
    const reportId = filed.json.id;

    const open = await ok(f, ['reports', 'list', '--open']);
    const listed = open.items.find((i) => i.id === reportId);
    assert.ok(listed, `report ${reportId} among the open ones`);
    assert.equal(open.items[0].id, reportId, 'the newest first');
    assert.deepEqual(
      { ...listed, created_at: 0, messages: listed.messages.map((m) => ({ ...m, created_at: 0 })) },
      {
        id: reportId, reporter_id: r.id, reported_id: x.id, reason: 'abuse', note: 'threats', created_at: 0, resolved_at: null,
        messages: [{ message_id: threat.json.id, chat_id: chat.json.id, seq: threat.json.seq, sender_id: x.id, type: 'text', text: 'you will regret it', media_id: null, created_at: 0 }],
      },
    );
    const before = await ok(f, ['counts']);

    const resolved = await ok(f, ['reports', 'resolve', reportId]);
    assert.equal(resolved.id, reportId);
    assert.ok(Number.isInteger(resolved.resolved_at) && Math.abs(resolved.resolved_at - Date.now()) < 60_000);
    assert.equal((await ok(f, ['reports', 'resolve', reportId])).resolved_at, resolved.resolved_at, 'resolving again keeps the time');
    assert.ok(!(await ok(f, ['reports', 'list', '--open'])).items.some((i) => i.id === reportId), 'no longer open');
    const all = await ok(f, ['reports', 'list', '--limit', '1000']);
    assert.equal(all.items.find((i) => i.id === reportId).resolved_at, resolved.resolved_at);
    assert.equal((await ok(f, ['reports', 'list', '--limit', '1'])).items.length, 1);
    assert.equal((await ok(f, ['counts'])).open_reports, before.open_reports - 1);
  });
});

describe('flowctl while flowd is down', () => {
  // On the scaled shape a Redis of its own: the shared one has other tests' nodes listening.
  let f;
  let redis;
  before(async () => {
    if (NODES > 1) redis = await startRedis(await freePort());
    f = await startFlowd(ARGS, redis ? { redisUrl: redis.url } : {});
  });
  after(async () => {
    try {
      await f?.shutdown();
    } finally {
      await redis?.kill();
    }
  });

  it('changes the store anyway and warns that no live socket was told; after a kill, flowd replaces its stale socket', async () => {
    const phone = uniquePhone();
    const { token, user } = await f.signIn(phone);
    await f.stop();
    const banned = await flowctl(f, ['ban', user.id]);
    assert.equal(banned.code, 0, banned.stderr);
    assert.deepEqual(banned.json, { user_id: user.id, banned: true, devices_signed_out: 1 });
    assert.match(banned.stderr, /warning: .*(flowd is not running|no flowd node listens).*no live socket was told/);

    await f.restart();
    assertError(await f.request('GET', '/users/me', { token }), 401, 'unauthorized');
    assertError(await f.request('POST', '/auth/enter_number', { body: { phone } }), 403, 'banned');
    await ok(f, ['unban', user.id]);

    // Killed, flowd leaves its socket behind; started again it listens there anew, and
    // what flowctl sends reaches it.
    await f.kill();
    await f.restart();
    const again = await f.signIn(phone);
    const socket = await connect(nodeUrl(f, OTHER), again.token, { label: 'after restart' });
    const revoked = await flowctl(f, ['devices', 'revoke', user.id, (await ok(f, ['devices', 'list', user.id])).items[0].id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stderr, '', 'no warning: it reached the server');
    await within(socket.closed, 'the socket closes');
  });
});
