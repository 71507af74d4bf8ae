// The peer that Flow is measured against: what a developer would write instead of Flow
// for the real-time path, on the socket.io npm package (4.8), messages in memory only.
//
//   node bench/peer/server.mjs [--host 127.0.0.1] [--port 0]
//
// prints one JSON line on stdout once listening: {"ready": true, "port", "pid"}.
//
// REST, just enough to set a benchmark up (shaped like Flow's):
//   POST /auth/login {phone}              -> {token, user: {id, phone}}  (no OTP: a bench peer)
//   POST /chats {type:"direct", user_id}  -> 201 Chat {id, type, participants}  (Bearer token)
//   POST /chats {type:"group", name, user_ids} -> 201 Chat, the caller its admin
//   GET  /chats/{id}/messages ?before= | ?after=, limit (1-200, default 50)
//                                         -> {items: [Message] ascending, next_before}
//   GET  /health                          -> {status: "ok"}
//   POST /bench/fill {chat_id, count, text_bytes} -> {last_seq}: `count` messages appended
//        to the chat at once, alternately from its first two members (bench only: a chat
//        with a long history without sending it through a socket)
// Socket.IO at /socket.io/, the token in the CONNECT auth {token}; events:
//   message:send {chat_id, client_id, type:"text", text} -> ack: Message, or {error}
//   message:new (Message) to every socket of every participant but the sending one
//   message:delivered / message:read {chat_id, seq} -> ack {}; message:status to the others
// Messages get a per-chat seq 1, 2, 3, ...; a client_id seen before in the chat from the
// same sender answers the first message again (safe retries, as Flow does). A participant
// with no socket connected gets the message queued in memory, and the queue is sent, in
// order, when their next socket connects (one device per user: the bench's clients).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Server } from 'socket.io';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const HOST = opt('host', '127.0.0.1');
const PORT = Number(opt('port', '0'));

const users = new Map(); // id -> {id, phone, name, created_at}
const usersByPhone = new Map(); // phone -> user
const tokens = new Map(); // token -> user id
const chats = new Map(); // chat id -> Chat (with its messages)
const directChats = new Map(); // "a|b" (sorted ids) -> chat id

let idCounter = 0;
const newId = (prefix) => `${prefix}${Date.now().toString(36)}${(++idCounter).toString(36)}`;

const error = (code, message) => ({ error: { code, message } });

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch {
        resolve(undefined);
      }
    });
  });
}

function bearer(req) {
  const h = req.headers.authorization || '';
  const m = /^Bearer (.+)$/.exec(h);
  return m ? tokens.get(m[1]) : undefined;
}

const chatJson = (chat) => ({
  id: chat.id,
  type: chat.type,
  name: chat.name,
  image_id: null,
  participants: chat.participants.map((user_id, i) => ({ user_id, role: chat.type === 'group' && i === 0 ? 'admin' : 'member' })),
  created_at: chat.created_at,
});

function newChat(type, participants, name = '') {
  const chat = {
    id: newId('c'),
    type,
    name,
    participants,
    created_at: Date.now(),
    seq: 0,
    delivered: new Map(), // user id -> seq
    messages: [], // every Message, in seq order: messages[seq - 1]
    byClientId: new Map(), // sender id + client id -> Message
  };
  chats.set(chat.id, chat);
  return chat;
}

function createChat(me, body) {
  if (body?.type === 'group') {
    if (typeof body.name !== 'string' || !body.name || !Array.isArray(body.user_ids)) {
      return [400, error('invalid_request', '{type: "group", name, user_ids} expected')];
    }
    const others = [...new Set(body.user_ids)].filter((u) => u !== me);
    if (others.some((u) => !users.has(u))) return [404, error('not_found', 'no such user')];
    if (others.length + 1 > MAX_GROUP) return [400, error('too_many_participants', `a group has at most ${MAX_GROUP} members`)];
    return [201, chatJson(newChat('group', [me, ...others], body.name))];
  }
  if (body?.type !== 'direct' || typeof body.user_id !== 'string') {
    return [400, error('invalid_request', '{type: "direct", user_id} or {type: "group", name, user_ids} expected')];
  }
  if (!users.has(body.user_id)) return [404, error('not_found', 'no such user')];
  if (body.user_id === me) return [400, error('invalid_request', 'a chat with yourself')];
  const key = [me, body.user_id].sort().join('|');
  const existing = directChats.get(key);
  if (existing) return [200, chatJson(chats.get(existing))];
  const chat = newChat('direct', [me, body.user_id]);
  directChats.set(key, chat.id);
  return [201, chatJson(chat)];
}

/** A page of a chat's history, as Flow pages it: newest first unless `after`. */
function historyPage(chat, query) {
  const limit = query.has('limit') ? Number(query.get('limit')) : 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) return [400, error('invalid_limit', 'limit 1 to 200')];
  const cursor = (k) => (query.has(k) ? Number(query.get(k)) : null);
  const after = cursor('after');
  const before = cursor('before');
  if ([after, before].some((c) => c !== null && !Number.isInteger(c))) return [400, error('invalid_cursor', 'seq expected')];
  // Seqs from + 1 .. to, which are messages[from .. to - 1].
  let from;
  let to;
  if (after !== null) {
    from = after;
    to = Math.min(after + limit, chat.seq);
  } else {
    to = Math.min(before === null ? chat.seq : before - 1, chat.seq);
    from = to - limit;
  }
  const items = chat.messages.slice(Math.max(0, from), Math.max(0, to));
  const older = items.length && items[0].seq > 1 && (after !== null || items.length === limit);
  return [200, { items, next_before: older ? items[0].seq : null }];
}

/** Bench only: `count` text messages appended at once, alternately from the first two members. */
function fill(chat, count, textBytes) {
  const now = Date.now();
  for (let k = 0; k < count; k++) {
    const seq = ++chat.seq;
    const sender = chat.participants[seq % 2 ? 0 : 1];
    const message = {
      id: newId('m'),
      chat_id: chat.id,
      seq,
      sender_id: sender,
      client_id: `fill-${seq}`,
      type: 'text',
      text: `${seq}: `.padEnd(textBytes, 'x'),
      media: null,
      reply_to: null,
      created_at: now - (count - k) * 1000, // a second apart, up to now
      deleted: false,
    };
    chat.messages.push(message);
    chat.byClientId.set(`${sender}\n${message.client_id}`, message);
  }
  return chat.seq;
}

async function rest(req, res) {
  const url = req.url.split('?')[0];
  if (req.method === 'GET' && url === '/health') return send(res, 200, { status: 'ok' });
  if (req.method === 'POST' && url === '/auth/login') {
    const body = await readJson(req);
    if (!body || typeof body.phone !== 'string' || !/^\+[1-9]\d{6,14}$/.test(body.phone)) {
      return send(res, 400, error('invalid_phone', 'phone in E.164 expected'));
    }
    let user = usersByPhone.get(body.phone);
    if (!user) {
      user = { id: newId('u'), phone: body.phone, name: '', created_at: Date.now() };
      users.set(user.id, user);
      usersByPhone.set(user.phone, user);
    }
    const token = `peer_${randomBytes(24).toString('base64url')}`;
    tokens.set(token, user.id);
    return send(res, 200, { token, user });
  }
  if (req.method === 'POST' && url === '/bench/fill') {
    const body = await readJson(req);
    const chat = body && chats.get(body.chat_id);
    if (!chat || !Number.isInteger(body.count) || body.count < 0) return send(res, 400, error('invalid_request', '{chat_id, count} expected'));
    return send(res, 200, { last_seq: fill(chat, body.count, body.text_bytes ?? 64) });
  }
  const me = bearer(req);
  if (!me) return send(res, 401, error('unauthorized', 'token expected'));
  if (req.method === 'POST' && url === '/chats') return send(res, ...createChat(me, await readJson(req)));
  const m = /^\/chats\/([^/]+)\/messages$/.exec(url);
  if (req.method === 'GET' && m) {
    const chat = chats.get(decodeURIComponent(m[1]));
    if (!chat || !chat.participants.includes(me)) return send(res, 404, error('not_found', 'no such chat'));
    return send(res, ...historyPage(chat, new URL(req.url, 'http://peer').searchParams));
  }
  return send(res, 404, error('not_found', 'no such route'));
}

const httpServer = http.createServer((req, res) => {
  rest(req, res).catch((e) => send(res, 500, error('internal', String(e?.message || e))));
});
httpServer.keepAliveTimeout = 5000;

const io = new Server(httpServer, {
  serveClient: false,
  // The stock settings otherwise (pingInterval 25 s, pingTimeout 20 s, maxHttpBufferSize 1 MB).
});

io.use((socket, next) => {
  const token = socket.handshake.auth?.token;
  const userId = typeof token === 'string' ? tokens.get(token) : undefined;
  if (!userId) return next(new Error('unauthorized'));
  socket.data.userId = userId;
  next();
});

const room = (userId) => `u:${userId}`;
const MAX_TEXT = 64 * 1024;
const MAX_GROUP = 1024; // as Flow
const pending = new Map(); // user id -> [Message] sent while they had no socket

const online = (userId) => (io.sockets.adapter.rooms.get(room(userId))?.size ?? 0) > 0;

io.on('connection', (socket) => {
  const me = socket.data.userId;
  socket.join(room(me));
  const owed = pending.get(me);
  if (owed) {
    pending.delete(me);
    for (const message of owed) socket.emit('message:new', message);
  }

  socket.on('message:send', (data, ack) => {
    if (typeof ack !== 'function') ack = () => {};
    if (!data || typeof data !== 'object') return ack(error('invalid_json', 'object expected'));
    const chat = chats.get(data.chat_id);
    if (!chat || !chat.participants.includes(me)) return ack(error('not_found', 'no such chat'));
    if (typeof data.client_id !== 'string' || !data.client_id) return ack(error('missing_field', 'client_id'));
    if (data.type !== 'text') return ack(error('invalid_type', 'text messages only'));
    if (typeof data.text !== 'string' || !data.text) return ack(error('missing_field', 'text'));
    if (data.text.length > MAX_TEXT) return ack(error('too_long', 'text over 64 KiB'));
    const key = `${me}\n${data.client_id}`;
    const again = chat.byClientId.get(key);
    if (again) return ack(again);
    const message = {
      id: newId('m'),
      chat_id: chat.id,
      seq: ++chat.seq,
      sender_id: me,
      client_id: data.client_id,
      type: 'text',
      text: data.text,
      media: null,
      reply_to: null,
      created_at: Date.now(),
      deleted: false,
    };
    chat.messages.push(message);
    chat.byClientId.set(key, message);
    // Every socket of every participant except the sending one (the sender's other devices
    // too); kept for those with none.
    socket.to(chat.participants.map(room)).emit('message:new', message);
    for (const u of chat.participants) {
      if (u === me || online(u)) continue;
      if (!pending.has(u)) pending.set(u, []);
      pending.get(u).push(message);
    }
    ack(message);
  });

  const receipt = (status) => (data, ack) => {
    if (typeof ack !== 'function') ack = () => {};
    const chat = data && chats.get(data.chat_id);
    if (!chat || !chat.participants.includes(me)) return ack(error('not_found', 'no such chat'));
    if (!Number.isInteger(data.seq) || data.seq < 1) return ack(error('invalid_seq', 'seq expected'));
    const upTo = Math.min(data.seq, chat.seq);
    if (upTo > (chat.delivered.get(me) || 0)) {
      chat.delivered.set(me, upTo);
      const others = chat.participants.filter((u) => u !== me).map(room);
      io.to(others).emit('message:status', { chat_id: chat.id, user_id: me, seq: upTo, status });
    }
    ack({});
  };
  socket.on('message:delivered', receipt('delivered'));
  socket.on('message:read', receipt('read'));
});

httpServer.listen(PORT, HOST, () => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: httpServer.address().port, pid: process.pid })}\n`);
});

const stop = () => {
  io.close();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
