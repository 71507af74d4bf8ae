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
//   GET  /health                          -> {status: "ok"}
// Socket.IO at /socket.io/, the token in the CONNECT auth {token}; events:
//   message:send {chat_id, client_id, type:"text", text} -> ack: Message, or {error}
//   message:new (Message) to every socket of both participants but the sending one
//   message:delivered / message:read {chat_id, seq} -> ack {}; message:status to the sender
// Messages get a per-chat seq 1, 2, 3, ...; a client_id seen before in the chat from the
// same sender answers the first message again (safe retries, as Flow does).
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
  name: '',
  image_id: null,
  participants: chat.participants.map((user_id) => ({ user_id, role: 'member' })),
  created_at: chat.created_at,
});

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
  if (req.method === 'POST' && url === '/chats') {
    const me = bearer(req);
    if (!me) return send(res, 401, error('unauthorized', 'token expected'));
    const body = await readJson(req);
    if (!body || body.type !== 'direct' || typeof body.user_id !== 'string') {
      return send(res, 400, error('invalid_request', '{type: "direct", user_id} expected'));
    }
    if (!users.has(body.user_id)) return send(res, 404, error('not_found', 'no such user'));
    if (body.user_id === me) return send(res, 400, error('invalid_request', 'a chat with yourself'));
    const key = [me, body.user_id].sort().join('|');
    const existing = directChats.get(key);
    if (existing) return send(res, 200, chatJson(chats.get(existing)));
    const chat = {
      id: newId('c'),
      type: 'direct',
      participants: [me, body.user_id],
      created_at: Date.now(),
      seq: 0,
      delivered: new Map(), // user id -> seq
      messages: [], // every Message, in seq order
      byClientId: new Map(), // sender id + client id -> Message
    };
    chats.set(chat.id, chat);
    directChats.set(key, chat.id);
    return send(res, 201, chatJson(chat));
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

io.on('connection', (socket) => {
  const me = socket.data.userId;
  socket.join(room(me));

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
    // Every socket of every participant except the sending one (the sender's other devices too).
    socket.to(chat.participants.map(room)).emit('message:new', message);
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
