// Media over REST, as a client checks it, against both stores flowd has: the default
// folder store and S3 (a local s3rver started here). Uploading (multipart and raw bytes),
// type sniffing over the client's word, sha256 and size, downloads whole and by range,
// ETag and HEAD, big files byte-exact, who may read what, attaching to messages, profiles
// and chats, the size cap, and broken uploads.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { startFlowd, uniquePhone, assertError, sleep, asUser } from './lib/flowd.mjs';
import { MEDIA_STORES } from './lib/s3rver.mjs';

// Many sign-ins come from 127.0.0.1: lift the per-address and per-phone caps.
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];
const CAP = 1_000_000;

let clientSeq = 0;
const newClientId = () => `m-${process.pid}-${++clientSeq}-${Math.random().toString(36).slice(2, 8)}`;
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const isMs = (t) => Number.isInteger(t) && t > 1_577_836_800_000 && t < Date.now() + 86_400_000;

// ---------------------------------------------------------------------------------
// Small real files
// ---------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A valid RGB PNG of width x height (red pixels). */
function makePng(width, height) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, Buffer.from([255, 0, 0]))]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A GIF89a header of width x height (libmagic sizes it from the header). */
function makeGif(width, height) {
  const b = Buffer.alloc(14);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  b[13] = 0x3b; // trailer
  return b;
}

/** A mono 16-bit PCM WAV of `samples` samples at 8 kHz: a voice note. */
function makeWav(samples = 800) {
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(8000 * Math.sin(i / 5)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** An MP4-ish file: an ftyp box then `size` bytes of noise; libmagic calls it video/mp4. */
function makeMp4(size = 64 * 1024) {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypisom', 4, 'latin1');
  ftyp.writeUInt32BE(512, 12);
  ftyp.write('isomiso2', 16, 'latin1');
  const free = Buffer.alloc(8);
  free.writeUInt32BE(8 + size, 0);
  free.write('free', 4, 'latin1');
  return Buffer.concat([ftyp, free, randomBytes(size)]);
}

const TEXT = Buffer.from('Just some plain words, nothing more.\nA second line.\n');

// ---------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------

/** fetch with the body kept as bytes. Returns {status, headers, body (Buffer), json}. */
async function fetchBytes(f, method, urlPath, { token, headers = {}, body } = {}) {
  const h = { ...headers };
  if (token !== undefined) h.authorization = `Bearer ${token}`;
  const res = await fetch(f.baseUrl + urlPath, { method, headers: h, body });
  const buf = Buffer.from(await res.arrayBuffer());
  let json;
  try {
    json = buf.length ? JSON.parse(buf.toString('utf8')) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, body: buf, json, text: buf.toString('utf8') };
}

/**
 * One request over node:http, for what fetch cannot do: announce a Content-Length and
 * send nothing (`announce`), or stream a chunked body (`prefix`, then `chunks` chunks of
 * `chunkSize` bytes of 'a'), stopping when the answer comes. Resolves {status, headers, json, text, sent}.
 */
function rawRequest(f, method, urlPath, { token, headers = {}, announce, prefix, chunks = 0, chunkSize = 64 * 1024 } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (token !== undefined) h.authorization = `Bearer ${token}`;
    if (announce !== undefined) h['content-length'] = String(announce);
    else h['transfer-encoding'] = 'chunked';
    const req = http.request(
      { host: '127.0.0.1', port: f.port, method, path: urlPath, headers: h, agent: false },
      (res) => {
        answered = true;
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('error', () => {});
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, headers: res.headers, json, text, sent });
          req.destroy();
        });
      },
    );
    let answered = false;
    let sent = 0;
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    const timer = setTimeout(() => {
      if (!answered) {
        req.destroy();
        reject(new Error(`no answer to ${method} ${urlPath} within 10 s (sent ${sent} bytes)`));
      }
    }, 10_000);
    req.on('close', () => clearTimeout(timer));
    req.flushHeaders();
    if (announce !== undefined) return; // the body never comes
    if (prefix !== undefined) {
      sent += Buffer.byteLength(prefix);
      req.write(prefix);
    }
    const chunk = Buffer.alloc(chunkSize, 0x61);
    let left = chunks;
    const pump = () => {
      while (left > 0 && !answered && !req.destroyed) {
        left--;
        sent += chunk.length;
        if (!req.write(chunk)) return req.once('drain', pump);
      }
      if (left === 0 && !answered && !req.destroyed) req.end();
    };
    pump();
  });
}

/** A hand-made multipart/form-data body. parts: [{name, filename?, type?, data}]. */
function multipart(parts, boundary = `----flowtest${Math.random().toString(16).slice(2)}`) {
  const pieces = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    pieces.push(Buffer.from(`${head}\r\n`), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(pieces), contentType: `multipart/form-data; boundary=${boundary}` };
}

function assertMedia(m, what = 'media') {
  const ctx = `${what}: ${JSON.stringify(m)}`;
  assert.ok(m && typeof m === 'object', ctx);
  for (const k of ['id', 'kind', 'mime', 'size', 'sha256', 'created_at']) assert.ok(k in m, `field ${k} missing in ${ctx}`);
  assert.equal(typeof m.id, 'string', ctx);
  assert.ok(m.id.length > 0, ctx);
  assert.ok(['image', 'audio', 'video', 'file'].includes(m.kind), `kind: ${ctx}`);
  assert.match(m.mime, /^[a-z]+\/[a-z0-9.+-]+$/, `mime: ${ctx}`);
  assert.ok(Number.isInteger(m.size) && m.size > 0, `size: ${ctx}`);
  assert.match(m.sha256, /^[0-9a-f]{64}$/, `sha256: ${ctx}`);
  assert.ok(isMs(m.created_at), `created_at in ms: ${ctx}`);
  for (const k of ['width', 'height', 'duration_ms']) {
    if (k in m) assert.ok(m[k] === null || (Number.isInteger(m[k]) && m[k] > 0), `${k}: ${ctx}`);
  }
}

/** A client bound to one server and one signed-in user. */
function client(f, signed) {
  const base = asUser(f, signed);
  const { token, req } = base;
  const c = {
    ...base,
    /** Raw-body upload; `type` is the Content-Type sent (a hint only). */
    upload: (data, type = 'application/octet-stream') =>
      fetchBytes(f, 'POST', '/media', { token, body: data, headers: { 'content-type': type } }),
    /** Multipart upload the way a browser does it (FormData). */
    uploadForm: (data, type = 'application/octet-stream', filename = 'upload.bin') => {
      const form = new FormData();
      form.append('caption', 'not the file');
      form.append('file', new Blob([data], { type }), filename);
      return fetchBytes(f, 'POST', '/media', { token, body: form });
    },
    /** Uploads (raw) and asserts 201; returns the Media. */
    async put(data, type) {
      const r = await c.upload(data, type);
      assert.equal(r.status, 201, `upload -> ${r.status} ${r.text}`);
      assertMedia(r.json);
      return r.json;
    },
    get: (id, headers = {}) => fetchBytes(f, 'GET', `/media/${id}`, { token, headers }),
    async canRead(id) {
      const r = await c.get(id);
      if (r.status === 404) {
        assertError(r, 404, 'not_found', `GET /media/${id}`);
        return false;
      }
      assert.equal(r.status, 200, `GET /media/${id} -> ${r.status} ${r.text}`);
      return true;
    },
    send: (chatId, body) => req('POST', `/chats/${chatId}/send_message`, { client_id: newClientId(), ...body }),
    /** Sends a media message, asserting 201; returns the Message. */
    async sendMedia(chatId, type, media, text = '') {
      const r = await c.send(chatId, { type, media_id: media.id, text });
      assert.equal(r.status, 201, `send_message ${type} -> ${r.status} ${r.text}`);
      return r.json;
    },
    async direct(userId) {
      const r = await req('POST', '/chats', { type: 'direct', user_id: userId });
      assert.ok([200, 201].includes(r.status), `create direct -> ${r.status} ${r.text}`);
      return r.json;
    },
    async group(name, userIds) {
      const r = await req('POST', '/chats', { type: 'group', name, user_ids: userIds });
      assert.equal(r.status, 201, `create group -> ${r.status} ${r.text}`);
      return r.json;
    },
    del: (chatId, messageId, forEveryone) =>
      req('DELETE', `/chats/${chatId}/delete_message`, { message_id: messageId, for_everyone: forEveryone }),
  };
  return c;
}

async function users(f, n, prefix = 'Media User') {
  return (await f.signUpMany(n, prefix)).map((s) => client(f, s));
}

// ---------------------------------------------------------------------------------
// The scenarios, for one store
// ---------------------------------------------------------------------------------

/**
 * shape: {name, setup() -> {args, env, teardown()}}: the flowd arguments and environment
 * for this store.
 */
function mediaSuite(shape) {
  describe(`media (${shape.name} store)`, { skip: shape.skip }, () => {
    let f; // the server
    let capped; // a server with --max-upload-bytes CAP
    let store;
    let alice, bob, carol;

    before(async () => {
      store = await shape.setup();
      [f, capped] = await Promise.all([
        startFlowd([...ARGS, ...store.args], { env: store.env }),
        startFlowd([...ARGS, ...store.args, '--max-upload-bytes', String(CAP)], { env: store.env }),
      ]);
      [alice, bob, carol] = await users(f, 3);
    });
    after(async () => {
      try {
        await Promise.all([f?.shutdown(), capped?.shutdown()]);
      } finally {
        await store?.teardown();
      }
    });

    it('done when: a photo and a voice note sent in a chat are downloaded by the other participant, not by a stranger', async () => {
      const png = makePng(4, 3);
      const wav = makeWav();
      const photo = await alice.put(png, 'image/png');
      const voice = await alice.put(wav, 'audio/wav');
      assert.equal(photo.kind, 'image');
      assert.equal(voice.kind, 'audio');

      const chat = await alice.direct(bob.id);
      // Not attached yet: only the uploader sees them.
      assert.equal(await bob.canRead(photo.id), false, 'bob before the message');
      assert.equal(await alice.canRead(photo.id), true, 'the uploader');

      const m1 = await alice.sendMedia(chat.id, 'image', photo, 'look');
      const m2 = await alice.sendMedia(chat.id, 'audio', voice);
      assert.deepEqual(m1.media, photo, 'Message.media is the whole Media object');
      assert.equal(m1.text, 'look');
      assert.deepEqual(m2.media, voice);

      // Bob finds them in the history and downloads them.
      const hist = await bob.req('GET', `/chats/${chat.id}/messages`);
      assert.equal(hist.status, 200, hist.text);
      const byId = Object.fromEntries(hist.json.items.map((m) => [m.id, m]));
      assert.deepEqual(byId[m1.id].media, photo);
      assert.deepEqual(byId[m2.id].media, voice);
      for (const [media, bytes] of [
        [photo, png],
        [voice, wav],
      ]) {
        const r = await bob.get(media.id);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.headers.get('content-type'), media.mime);
        assert.ok(r.body.equals(bytes), `${media.kind} bytes differ`);
      }

      // A video the other participant seeks in with Range.
      const mp4 = makeMp4(200 * 1024);
      const video = await alice.put(mp4, 'application/octet-stream');
      assert.equal(video.kind, 'video');
      assert.equal(video.mime, 'video/mp4');
      await alice.sendMedia(chat.id, 'video', video);
      const seek = await bob.get(video.id, { range: 'bytes=100000-100999' });
      assert.equal(seek.status, 206, seek.text);
      assert.equal(seek.headers.get('content-range'), `bytes 100000-100999/${mp4.length}`);
      assert.ok(seek.body.equals(mp4.subarray(100000, 101000)), 'the seeked range');

      // A stranger gets 404 for all of them.
      for (const m of [photo, voice, video]) assert.equal(await carol.canRead(m.id), false, `carol ${m.kind}`);
    });

    it('caps the uploads a user has not sent anywhere yet, by count and by bytes: 429 too_many_uploads until one is used', async () => {
      const q = await startFlowd([...ARGS, ...store.args, '--max-unused-uploads', '2', '--max-unused-upload-bytes', '3000'],
        { env: store.env });
      try {
        const [ann, ben] = await users(q, 2);
        const png = makePng(2, 2);
        const first = await ann.put(png, 'image/png');
        await ann.put(png, 'image/png');
        const third = await ann.upload(png, 'image/png');
        assertError(third, 429, 'too_many_uploads', 'a third unused upload');
        const wait = Number(third.headers.get('retry-after'));
        assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 3600, `Retry-After: ${third.headers.get('retry-after')}`);
        const bens = await ben.put(png, 'image/png');
        // Sending one in a message frees its place.
        const chat = await ann.direct(ben.id);
        await ann.sendMedia(chat.id, 'image', first);
        assert.equal((await ann.upload(png, 'image/png')).status, 201, 'after one was sent');
        // By bytes: with nothing else unused, one upload of 3,000 bytes fills ben's quota.
        await ben.sendMedia(chat.id, 'image', bens);
        await ben.put(Buffer.alloc(3000, 7));
        assertError(await ben.upload(png, 'image/png'), 429, 'too_many_uploads', 'past the bytes');
      } finally {
        await q.shutdown();
      }
    });

    it('uploads by multipart (a browser FormData) and by raw body alike', async () => {
      const png = makePng(3, 2);
      const raw = await alice.upload(png, 'image/png');
      const form = await alice.uploadForm(png, 'image/png', 'pic.png');
      for (const [how, r] of [
        ['raw', raw],
        ['multipart', form],
      ]) {
        assert.equal(r.status, 201, `${how}: ${r.text}`);
        assertMedia(r.json, how);
        assert.equal(r.json.kind, 'image', how);
        assert.equal(r.json.mime, 'image/png', how);
        assert.equal(r.json.size, png.length, how);
        assert.equal(r.json.sha256, sha256(png), how);
        assert.equal(r.json.width, 3, how);
        assert.equal(r.json.height, 2, how);
      }
      assert.notEqual(raw.json.id, form.json.id, 'each upload is its own media');
      const back = await alice.get(form.json.id);
      assert.equal(back.status, 200);
      assert.ok(back.body.equals(png), 'multipart round trip byte-exact');

      // A hand-made form: other parts before and after are skipped, the file keeps its CRLFs.
      const data = Buffer.from('line one\r\nline two\r\n--not-a-boundary\r\n');
      const mp = multipart([
        { name: 'before', data: 'x'.repeat(1000) },
        { name: 'file', filename: 'notes.txt', type: 'image/png', data },
        { name: 'after', data: 'y' },
      ]);
      const r = await fetchBytes(f, 'POST', '/media', {
        token: alice.token,
        body: mp.body,
        headers: { 'content-type': mp.contentType },
      });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.size, data.length);
      assert.equal(r.json.sha256, sha256(data));
      assert.equal(r.json.mime, 'text/plain', 'sniffed, not the part Content-Type');
      assert.equal(r.json.kind, 'file');
    });

    it('the sniffed type beats a false Content-Type', async () => {
      const cases = [
        ['a PNG sent as text/plain', makePng(2, 2), 'text/plain', 'image', 'image/png'],
        ['text sent as image/png', TEXT, 'image/png', 'file', 'text/plain'],
        ['a WAV sent as image/jpeg', makeWav(), 'image/jpeg', 'audio', null],
        ['an MP4 sent as audio/mpeg', makeMp4(4096), 'audio/mpeg', 'video', 'video/mp4'],
        ['a GIF sent as application/octet-stream', makeGif(5, 4), 'application/octet-stream', 'image', 'image/gif'],
      ];
      for (const [what, bytes, claimed, kind, mime] of cases) {
        for (const [how, r] of [
          ['raw', await alice.upload(bytes, claimed)],
          ['multipart', await alice.uploadForm(bytes, claimed)],
        ]) {
          assert.equal(r.status, 201, `${what} (${how}): ${r.text}`);
          assertMedia(r.json, what);
          assert.equal(r.json.kind, kind, `${what} (${how}): ${r.text}`);
          if (mime) assert.equal(r.json.mime, mime, `${what} (${how})`);
          else assert.match(r.json.mime, /^audio\//, `${what} (${how})`);
          assert.equal(r.json.size, bytes.length, what);
          assert.equal(r.json.sha256, sha256(bytes), what);
          const back = await alice.get(r.json.id);
          assert.equal(back.headers.get('content-type'), r.json.mime, `${what}: served with the sniffed type`);
        }
      }
      // Sizes for images libmagic can size; none for the others.
      const gif = await alice.put(makeGif(5, 4));
      assert.equal(gif.width, 5);
      assert.equal(gif.height, 4);
      const text = await alice.put(TEXT, 'text/plain');
      assert.ok(text.width === undefined || text.width === null, JSON.stringify(text));
    });

    it('downloads whole, by ranges, with ETag / If-None-Match and HEAD', async () => {
      // Bytes no magic number matches (random ones sometimes look like an executable).
      const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7 + 3) % 256));
      const m = await alice.put(bytes);
      assert.equal(m.kind, 'file');
      assert.equal(m.mime, 'application/octet-stream');
      const size = bytes.length;
      const etag = `"${sha256(bytes)}"`;

      const whole = await alice.get(m.id);
      assert.equal(whole.status, 200);
      assert.ok(whole.body.equals(bytes), 'whole body');
      assert.equal(whole.headers.get('content-length'), String(size));
      assert.equal(whole.headers.get('content-type'), 'application/octet-stream');
      assert.equal(whole.headers.get('etag'), etag);
      assert.equal(whole.headers.get('accept-ranges'), 'bytes');
      assert.equal(whole.headers.get('content-range'), null);

      const ranges = [
        ['first bytes', 'bytes=0-99', 0, 99],
        ['the middle', 'bytes=4000-4999', 4000, 4999],
        ['one byte', 'bytes=1234-1234', 1234, 1234],
        ['suffix -n', 'bytes=-300', size - 300, size - 1],
        ['open-ended a-', `bytes=${size - 77}-`, size - 77, size - 1],
        ['the end past the size is clamped', `bytes=9990-20000`, 9990, size - 1],
        ['a suffix longer than the file is all of it', 'bytes=-50000', 0, size - 1],
      ];
      for (const [what, range, first, last] of ranges) {
        const r = await alice.get(m.id, { range });
        assert.equal(r.status, 206, `${what} (${range}): ${r.status} ${r.text.slice(0, 200)}`);
        assert.equal(r.headers.get('content-range'), `bytes ${first}-${last}/${size}`, what);
        assert.equal(r.headers.get('content-length'), String(last - first + 1), what);
        assert.equal(r.headers.get('etag'), etag, what);
        assert.ok(r.body.equals(bytes.subarray(first, last + 1)), `${what}: bytes`);
      }

      for (const range of [`bytes=${size}-`, `bytes=${size + 10}-${size + 20}`]) {
        const r = await alice.get(m.id, { range });
        assert.equal(r.status, 416, `${range}: ${r.status} ${r.text.slice(0, 200)}`);
        assert.equal(r.headers.get('content-range'), `bytes */${size}`, range);
      }

      // ETag: the same answers 304 with no body; another one the whole object.
      const same = await alice.get(m.id, { 'if-none-match': etag });
      assert.equal(same.status, 304);
      assert.equal(same.body.length, 0);
      assert.equal(same.headers.get('etag'), etag);
      const other = await alice.get(m.id, { 'if-none-match': `"${'0'.repeat(64)}"` });
      assert.equal(other.status, 200);
      assert.ok(other.body.equals(bytes));

      // HEAD: the headers of a GET, no body.
      const head = await fetchBytes(f, 'HEAD', `/media/${m.id}`, { token: alice.token });
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      assert.equal(head.headers.get('content-length'), String(size));
      assert.equal(head.headers.get('etag'), etag);
      assert.equal(head.headers.get('content-type'), 'application/octet-stream');
      const headRange = await fetchBytes(f, 'HEAD', `/media/${m.id}`, {
        token: alice.token,
        headers: { range: 'bytes=0-9' },
      });
      assert.equal(headRange.status, 206);
      assert.equal(headRange.headers.get('content-range'), `bytes 0-9/${size}`);
      assert.equal(headRange.body.length, 0);

      // Several downloads on one kept-alive connection (node's fetch pools connections).
      const again = await Promise.all([1, 2, 3].map(() => alice.get(m.id, { range: 'bytes=0-9' })));
      for (const r of again) assert.ok(r.body.equals(bytes.subarray(0, 10)));
    });

    it('a 5 MiB and a 20 MiB upload round-trip byte-exact (raw and multipart)', async () => {
      const five = randomBytes(5 * 1024 * 1024);
      const twenty = randomBytes(20 * 1024 * 1024);
      const [r5, r20] = await Promise.all([alice.upload(five), alice.uploadForm(twenty)]);
      for (const [what, r, bytes] of [
        ['5 MiB raw', r5, five],
        ['20 MiB multipart', r20, twenty],
      ]) {
        assert.equal(r.status, 201, `${what}: ${r.text}`);
        assert.equal(r.json.size, bytes.length, what);
        assert.equal(r.json.sha256, sha256(bytes), what);
        const back = await alice.get(r.json.id);
        assert.equal(back.status, 200, what);
        assert.equal(back.body.length, bytes.length, `${what}: length`);
        assert.ok(back.body.equals(bytes), `${what}: bytes differ`);
        // A range across the 8 MiB part boundary of an S3 multipart upload, and the tail.
        const at = Math.min(8 * 1024 * 1024 - 5, bytes.length - 20);
        const mid = await alice.get(r.json.id, { range: `bytes=${at}-${at + 9}` });
        assert.equal(mid.status, 206, what);
        assert.ok(mid.body.equals(bytes.subarray(at, at + 10)), `${what}: range at ${at}`);
        const tail = await alice.get(r.json.id, { range: 'bytes=-16' });
        assert.ok(tail.body.equals(bytes.subarray(bytes.length - 16)), `${what}: tail`);
      }
    });

    it('access: uploader, participants from their join on, not after delete for everyone or hiding', async () => {
      const [dave] = await users(f, 1, 'Dave');
      const group = await alice.group('Media group', [bob.id]);
      const file = await alice.put(TEXT, 'text/plain');
      const msg = await alice.sendMedia(group.id, 'file', file, 'notes');
      assert.equal(await alice.canRead(file.id), true, 'uploader');
      assert.equal(await bob.canRead(file.id), true, 'participant via the message');
      assert.equal(await carol.canRead(file.id), false, 'stranger');

      // Dave joins after the message: he does not see it, nor its media.
      const add = await alice.req('POST', `/chats/${group.id}/participants`, { user_ids: [dave.id] });
      assert.equal(add.status, 200, add.text);
      assert.equal(await dave.canRead(file.id), false, 'a member who joined after the message');

      // Bob hides the message for himself: he no longer reads it; Alice still does.
      const hide = await bob.del(group.id, msg.id, false);
      assert.equal(hide.status, 200, hide.text);
      assert.equal(await bob.canRead(file.id), false, 'after hiding the message');
      assert.equal(await alice.canRead(file.id), true, 'uploader after bob hid it');

      // Delete for everyone: the other participant 404, the uploader still reads it.
      const chat = await alice.direct(bob.id);
      const voice = await alice.put(makeWav(), 'audio/wav');
      const vm = await alice.sendMedia(chat.id, 'audio', voice);
      assert.equal(await bob.canRead(voice.id), true, 'bob before the delete');
      const del = await alice.del(chat.id, vm.id, true);
      assert.equal(del.status, 200, del.text);
      assert.equal(await bob.canRead(voice.id), false, 'bob after delete for everyone');
      assert.equal(await alice.canRead(voice.id), true, 'alice (uploader) after delete for everyone');
      const hist = await bob.req('GET', `/chats/${chat.id}/messages`);
      const gone = hist.json.items.find((m) => m.id === vm.id);
      assert.equal(gone.deleted, true);
      assert.equal(gone.media, null, 'the deleted message carries no media');

      // Unknown and malformed ids are 404 alike.
      for (const id of ['nope', '0'.repeat(26), 'UPPER', '..%2F..%2Fetc']) {
        const r = await alice.get(id);
        assertError(r, 404, 'not_found', `GET /media/${id}`);
      }
    });

    it('profile pictures are readable by any signed-in user; chat pictures by members', async () => {
      // A new user sets a picture in the register_user that follows sign-in.
      const s = await f.signIn(uniquePhone());
      const erin = client(f, { token: s.token, user: s.user });
      const pic = await erin.put(makePng(8, 8), 'image/png');
      const reg = await erin.req('POST', '/auth/register_user', { name: 'Erin', image_id: pic.id });
      assert.equal(reg.status, 200, reg.text);
      assert.equal(reg.json.image_id, pic.id);
      assert.equal(await carol.canRead(pic.id), true, 'a stranger reads a profile picture');

      const pic2 = await alice.put(makePng(6, 6), 'image/png');
      assert.equal(await carol.canRead(pic2.id), false, 'before it is a profile picture');
      const mod = await alice.req('PUT', '/auth/modify_user', { image_id: pic2.id });
      assert.equal(mod.status, 200, mod.text);
      assert.equal(mod.json.image_id, pic2.id);
      assert.equal(await carol.canRead(pic2.id), true, 'after modify_user');
      const anon = await fetchBytes(f, 'GET', `/media/${pic2.id}`);
      assertError(anon, 401, 'unauthorized', 'a profile picture without a token');

      const group = await alice.group('Pictured', [bob.id]);
      const gpic = await alice.put(makePng(5, 5), 'image/png');
      const upd = await alice.req('PUT', `/chats/${group.id}`, { image_id: gpic.id });
      assert.equal(upd.status, 200, upd.text);
      assert.equal(upd.json.image_id, gpic.id);
      assert.equal(await bob.canRead(gpic.id), true, 'a member reads the chat picture');
      assert.equal(await carol.canRead(gpic.id), false, 'a stranger does not');
    });

    it('invalid_media: someone else\'s media, the wrong kind, unknown ids', async () => {
      const chat = await alice.direct(bob.id);
      const alicePng = await alice.put(makePng(2, 2), 'image/png');
      const aliceWav = await alice.put(makeWav(), 'audio/wav');
      const aliceText = await alice.put(TEXT, 'text/plain');

      const bad = [
        ['bob sends alice\'s image', bob, { type: 'image', media_id: alicePng.id }],
        ['bob sends alice\'s image as a file', bob, { type: 'file', media_id: alicePng.id }],
        ['an audio as image', alice, { type: 'image', media_id: aliceWav.id }],
        ['an image as audio', alice, { type: 'audio', media_id: alicePng.id }],
        ['text as video', alice, { type: 'video', media_id: aliceText.id }],
        ['an unknown media id', alice, { type: 'image', media_id: 'does-not-exist' }],
      ];
      for (const [what, who, body] of bad) {
        const r = await who.send(chat.id, body);
        assertError(r, 400, 'invalid_media', what);
      }
      // A file takes any kind.
      for (const m of [aliceWav, alicePng, aliceText]) {
        const r = await alice.send(chat.id, { type: 'file', media_id: m.id });
        assert.equal(r.status, 201, `file with a ${m.kind}: ${r.text}`);
        assert.deepEqual(r.json.media, m);
      }
      // Now bob can read alice's image (it is in the chat), and still cannot attach it.
      assert.equal(await bob.canRead(alicePng.id), true);
      assertError(await bob.send(chat.id, { type: 'image', media_id: alicePng.id }), 400, 'invalid_media', 'readable is not attachable');

      // Profiles and chat pictures: the caller's own image only.
      const profileBad = [
        ['someone else\'s image', alicePng.id],
        ['an audio', null],
        ['an unknown id', 'does-not-exist'],
      ];
      const bobWav = await bob.put(makeWav(), 'audio/wav');
      for (const [what, id] of profileBad) {
        const imageId = id ?? bobWav.id;
        assertError(await bob.req('PUT', '/auth/modify_user', { image_id: imageId }), 400, 'invalid_media', `modify_user: ${what}`);
        assertError(
          await bob.req('POST', '/auth/register_user', { name: 'Bob', image_id: imageId }),
          400,
          'invalid_media',
          `register_user: ${what}`,
        );
      }
      const group = await bob.group('Bob\'s', [alice.id]);
      for (const [what, id] of profileBad) {
        const imageId = id ?? bobWav.id;
        assertError(await bob.req('PUT', `/chats/${group.id}`, { image_id: imageId }), 400, 'invalid_media', `PUT chat: ${what}`);
      }
      const me = await bob.req('GET', '/users/me');
      assert.equal(me.json.image_id, null, 'nothing was set');
    });

    it('size cap: a chunked body is refused with 413 once over the cap; up to the cap is fine', async () => {
      const [u] = await users(capped, 1, 'Capped');
      // Chunked: refused once more than the cap has come, before the 32 MiB offered are all
      // sent (the socket buffers hold a few MiB).
      const chunked = await rawRequest(capped, 'POST', '/media', {
        token: u.token,
        headers: { 'content-type': 'application/octet-stream' },
        chunks: 512,
      });
      assertError(chunked, 413, 'too_large', 'chunked body over the cap');
      assert.ok(chunked.sent < 512 * 64 * 1024, `refused while streaming (${chunked.sent} bytes sent)`);
      const form = await rawRequest(capped, 'POST', '/media', {
        token: u.token,
        headers: { 'content-type': 'multipart/form-data; boundary=abc' },
        prefix: '--abc\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n',
        chunks: 64,
      });
      assertError(form, 413, 'too_large', 'chunked multipart whose file part goes over the cap');

      // At the cap and under it: fine, with a Content-Length and chunked.
      const exact = randomBytes(CAP);
      const ok = await fetchBytes(capped, 'POST', '/media', { token: u.token, body: exact });
      assert.equal(ok.status, 201, `exactly the cap: ${ok.text}`);
      assert.equal(ok.json.size, CAP);
      assert.equal(ok.json.sha256, sha256(exact));
      const underChunked = await rawRequest(capped, 'POST', '/media', {
        token: u.token,
        headers: { 'content-type': 'application/octet-stream' },
        chunks: 10,
      });
      assert.equal(underChunked.status, 201, `chunked under the cap: ${underChunked.text}`);
      assert.equal(underChunked.json.size, 10 * 64 * 1024);
      // And the default server takes more than that cap.
      const big = await alice.upload(randomBytes(CAP + 1));
      assert.equal(big.status, 201, big.text);
    });

    it('broken uploads: empty body, broken multipart, no file part, no token, wrong method', async () => {
      assertError(await alice.upload(Buffer.alloc(0)), 400, 'empty_body', 'empty raw body');
      const emptyChunked = await rawRequest(f, 'POST', '/media', {
        token: alice.token,
        headers: { 'content-type': 'application/octet-stream' },
        chunks: 0,
      });
      assertError(emptyChunked, 400, 'empty_body', 'empty chunked body');
      const emptyPart = multipart([{ name: 'file', filename: 'e.bin', data: '' }]);
      assertError(
        await fetchBytes(f, 'POST', '/media', { token: alice.token, body: emptyPart.body, headers: { 'content-type': emptyPart.contentType } }),
        400,
        'empty_body',
        'an empty file part',
      );

      const good = multipart([{ name: 'file', filename: 'a.txt', data: 'some text here' }]);
      const unclosed = good.body.subarray(0, good.body.length - 20);
      assertError(
        await fetchBytes(f, 'POST', '/media', { token: alice.token, body: unclosed, headers: { 'content-type': good.contentType } }),
        400,
        'invalid_multipart',
        'no closing boundary',
      );
      assertError(
        await fetchBytes(f, 'POST', '/media', { token: alice.token, body: Buffer.from('not a form at all'), headers: { 'content-type': good.contentType } }),
        400,
        'invalid_multipart',
        'no boundary in the body',
      );
      assertError(
        await fetchBytes(f, 'POST', '/media', { token: alice.token, body: good.body, headers: { 'content-type': 'multipart/form-data' } }),
        400,
        'invalid_multipart',
        'no boundary in the Content-Type',
      );
      const noFile = multipart([{ name: 'photo', filename: 'a.png', data: makePng(1, 1) }]);
      assertError(
        await fetchBytes(f, 'POST', '/media', { token: alice.token, body: noFile.body, headers: { 'content-type': noFile.contentType } }),
        400,
        'missing_field',
        'a form without a file part',
      );
      // The server still works, on a fresh connection and a kept one.
      assert.equal((await alice.upload(TEXT, 'text/plain')).status, 201);

      const m = await alice.put(TEXT, 'text/plain');
      for (const [what, method, p, token, body] of [
        ['upload without a token', 'POST', '/media', undefined, TEXT],
        ['upload with a bad token', 'POST', '/media', 'not-a-real-token', TEXT],
        ['download without a token', 'GET', `/media/${m.id}`, undefined, undefined],
        ['download with a bad token', 'GET', `/media/${m.id}`, 'not-a-real-token', undefined],
        ['HEAD without a token', 'HEAD', `/media/${m.id}`, undefined, undefined],
      ]) {
        const r = await fetchBytes(f, method, p, { token, body });
        if (method === 'HEAD') assert.equal(r.status, 401, what);
        else assertError(r, 401, 'unauthorized', what);
        assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer\b/, `${what}: WWW-Authenticate`);
      }

      for (const [method, p, allow] of [
        ['GET', '/media', 'POST'],
        ['PUT', '/media', 'POST'],
        ['DELETE', `/media/${m.id}`, 'GET'],
        ['POST', `/media/${m.id}`, 'GET'],
      ]) {
        const r = await fetchBytes(f, method, p, { token: alice.token });
        assert.equal(r.status, 405, `${method} ${p}: ${r.status} ${r.text}`);
        assert.ok(r.headers.get('allow')?.includes(allow), `${method} ${p}: Allow ${r.headers.get('allow')}`);
      }

      // Media requests are counted in /metrics by route, as every route is.
      assert.equal((await alice.get(m.id)).status, 200);
      const metrics = (await f.request('GET', '/metrics')).text;
      for (const line of [
        /flow_http_requests_total\{route="\/media",method="POST",status="201"\} [1-9]/,
        /flow_http_requests_total\{route="\/media",method="POST",status="401"\} [1-9]/,
        /flow_http_requests_total\{route="\/media\/\{media_id\}",method="GET",status="200"\} [1-9]/,
      ])
        assert.match(metrics, line);
    });

    it(`the bytes live in the ${shape.name} store`, async () => {
      const bytes = randomBytes(3333);
      const m = await alice.put(bytes);
      const files = [];
      const walk = async (dir) => {
        for (const e of await readdir(dir, { withFileTypes: true })) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) await walk(p);
          else files.push(p);
        }
      };
      await walk(f.dataDir);
      const named = files.filter((p) => path.basename(p).includes(m.id));
      if (shape.name === 'folder') {
        assert.equal(named.length, 1, `one file named by the media id: ${files.join(', ')}`);
        assert.ok(named[0].startsWith(path.join(f.dataDir, 'media') + path.sep), `under <data-dir>/media: ${named[0]}`);
        assert.ok((await readFile(named[0])).equals(bytes));
      } else {
        assert.deepEqual(named, [], 'nothing of it in the data dir: it went to S3');
      }
    });
  });
}

for (const store of MEDIA_STORES) mediaSuite(store);
