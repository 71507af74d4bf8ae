// Thumbnails over REST, as a client sees them, on both media stores (a folder and S3):
// GET /media/{id}/thumbnail is a JPEG at most 320 px on its longer side for an image,
// and the first frame for a video; 404 `no_thumbnail` for a file that does not decode
// and for other kinds; 404 `thumbnail_pending` (Retry-After) while it is being made;
// the same 404 `not_found` as the media itself for whoever may not read the media. The
// media are made at test time with the ffmpeg command line. Then flowd with thumbnailing
// broken in every way: it still starts and serves everything else.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { startFlowd, assertError, assertRetryAfter, asUser, sleep } from './lib/flowd.mjs';
import { MEDIA_STORES } from './lib/s3rver.mjs';

const run = promisify(execFile);
const SIDE = 320;
const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];

let work; // a temporary folder for the files ffmpeg makes and the fake ffmpegs
let FFMPEG; // the real one
before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'flow-thumbs-'));
  FFMPEG = (await run('sh', ['-c', 'command -v ffmpeg']).catch(() => ({ stdout: '' }))).stdout.trim();
  assert.ok(FFMPEG, 'ffmpeg is not installed (scripts/install-deps.sh installs it)');
});
after(() => rm(work, { recursive: true, force: true }));

let made = 0;
/** A file that ffmpeg makes from a lavfi `source` (one frame, or `seconds` of video). */
async function ffmpegMake(source, ext, { seconds, args = [] } = {}) {
  const out = path.join(work, `made-${++made}.${ext}`);
  const length = seconds ? ['-t', String(seconds)] : ['-frames:v', '1'];
  await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', source, ...length, ...args, out]);
  return readFile(out);
}
const picture = (width, height, ext) => ffmpegMake(`testsrc=size=${width}x${height}`, ext);
const video = () => ffmpegMake('testsrc=size=640x360:rate=10', 'mp4', { seconds: 1, args: ['-pix_fmt', 'yuv420p'] });

/** The size a JPEG's frame header (SOF) gives. */
function jpegSize(buf) {
  assert.ok(buf.length > 4 && buf[0] === 0xff && buf[1] === 0xd8, 'a JPEG starts with SOI');
  for (let i = 2; i + 9 < buf.length; ) {
    assert.equal(buf[i], 0xff, `a JPEG marker at ${i}`);
    const marker = buf[i + 1];
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    const length = buf.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker))
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    i += 2 + length;
  }
  assert.fail('no frame header in the JPEG');
}

/** A PNG whose header claims `width` x `height` pixels and whose data is a few bytes. */
function pngClaiming(width, height) {
  const chunk = (type, data) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])));
    return Buffer.concat([head, Buffer.from(type, 'latin1'), data, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 8, 2, 0, 0, 0]); // 8-bit RGB
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))]);
}

/** A client on server `f`: uploads, media messages, and thumbnails. */
function client(f, signed) {
  const base = asUser(f, signed);
  const get = async (p) => {
    const res = await fetch(f.baseUrl + p, { headers: { authorization: `Bearer ${base.token}` } });
    const body = Buffer.from(await res.arrayBuffer());
    let json;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, body, json, text: body.toString('utf8').slice(0, 300) };
  };
  const c = {
    ...base,
    async upload(bytes, type = 'application/octet-stream') {
      const res = await fetch(f.baseUrl + '/media', {
        method: 'POST',
        headers: { authorization: `Bearer ${base.token}`, 'content-type': type },
        body: bytes,
      });
      const text = await res.text();
      assert.equal(res.status, 201, `upload -> ${res.status} ${text}`);
      return JSON.parse(text);
    },
    thumbnail: (id) => get(`/media/${id}/thumbnail`),
    /** The thumbnail once it is no longer being made (bounded wait). */
    async settled(id) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const r = await c.thumbnail(id);
        if (!(r.status === 404 && r.json?.error?.code === 'thumbnail_pending')) return r;
        assert.ok(Date.now() < deadline, `the thumbnail of ${id} is still pending after 20 s`);
        await sleep(50);
      }
    },
    /** Asserts a JPEG thumbnail that fits in SIDE x SIDE; returns its size. */
    async assertThumbnail(id, what) {
      const r = await c.settled(id);
      assert.equal(r.status, 200, `${what}: GET thumbnail -> ${r.status} ${r.text}`);
      assert.equal(r.headers.get('content-type'), 'image/jpeg', what);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
      const size = jpegSize(r.body);
      assert.ok(size.width <= SIDE && size.height <= SIDE, `${what}: ${size.width}x${size.height}`);
      return size;
    },
    async assertNone(id, what) {
      assertError(await c.settled(id), 404, 'no_thumbnail', what);
    },
    async sendMedia(chatId, type, media) {
      const r = await base.req('POST', `/chats/${chatId}/send_message`, {
        client_id: `t-${randomBytes(6).toString('hex')}`,
        type,
        media_id: media.id,
      });
      assert.equal(r.status, 201, `send_message -> ${r.status} ${r.text}`);
      return r.json;
    },
    async direct(userId) {
      const r = await base.req('POST', '/chats', { type: 'direct', user_id: userId });
      assert.ok([200, 201].includes(r.status), `create direct -> ${r.status} ${r.text}`);
      return r.json;
    },
  };
  return c;
}

async function users(f, n) {
  return (await f.signUpMany(n, 'Thumb User')).map((s) => client(f, s));
}

/** Every file under `dir`. */
async function filesUnder(dir) {
  const files = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) files.push(path.join(e.path ?? e.parentPath ?? dir, e.name));
  return files;
}

for (const store of MEDIA_STORES) {
  describe(`thumbnails (${store.name} store)`, { skip: store.skip }, () => {
    let f, s3;
    let alice, bob, carol;
    before(async () => {
      s3 = await store.setup();
      f = await startFlowd([...ARGS, ...s3.args], { env: s3.env });
      [alice, bob, carol] = await users(f, 3);
    });
    after(async () => {
      try {
        await f?.shutdown();
      } finally {
        await s3?.teardown();
      }
    });

    it('a large PNG and a large JPEG get a JPEG thumbnail of at most 320 px, in proportion; a small one is not enlarged', async () => {
      const cases = [
        { what: 'landscape PNG', bytes: await picture(1600, 1200, 'png'), mime: 'image/png', want: [320, 240] },
        { what: 'portrait JPEG', bytes: await picture(900, 1600, 'jpg'), mime: 'image/jpeg', want: [180, 320] },
        { what: 'small PNG', bytes: await picture(100, 50, 'png'), mime: 'image/png', want: [100, 50] },
      ];
      const uploaded = await Promise.all(cases.map((c) => alice.upload(c.bytes, 'application/octet-stream')));
      for (const [i, c] of cases.entries()) {
        assert.equal(uploaded[i].mime, c.mime, c.what);
        const { width, height } = await alice.assertThumbnail(uploaded[i].id, c.what);
        assert.deepEqual([width, height], c.want, `${c.what}: thumbnail size`);
      }
    });

    it('a video gets a poster: its first frame, at most 320 px', async () => {
      const media = await alice.upload(await video(), 'video/mp4');
      assert.equal(media.kind, 'video');
      const { width, height } = await alice.assertThumbnail(media.id, 'mp4 poster');
      assert.deepEqual([width, height], [320, 180]);
    });

    it('whoever may read the media may read its thumbnail; others get the same 404 as for the media', async () => {
      const media = await alice.upload(await picture(800, 600, 'jpg'));
      await alice.assertThumbnail(media.id, 'the uploader');
      for (const [who, u] of [
        ['bob before it is sent', bob],
        ['carol', carol],
      ]) {
        assertError(await u.thumbnail(media.id), 404, 'not_found', who);
        assertError(await u.req('GET', `/media/${media.id}`), 404, 'not_found', `${who}: the media itself`);
      }
      const chat = await alice.direct(bob.id);
      await alice.sendMedia(chat.id, 'image', media);
      const seen = await bob.thumbnail(media.id);
      assert.equal(seen.status, 200, `bob once it is sent to him -> ${seen.status} ${seen.text}`);
      assert.deepEqual(seen.body, (await alice.thumbnail(media.id)).body, 'one thumbnail, made once');
      assertError(await carol.thumbnail(media.id), 404, 'not_found', 'carol, still not in the chat');
      assertError(await carol.thumbnail('0000000000000000000000000z'), 404, 'not_found', 'no such media');
      const anonymous = await fetch(`${f.baseUrl}/media/${media.id}/thumbnail`);
      assert.equal(anonymous.status, 401);
    });

    it('a file that does not decode has none: 404 no_thumbnail, as for audio and other files', async () => {
      const png = await picture(64, 64, 'png');
      // The PNG signature and header, then garbage: libmagic calls it a PNG, no decoder agrees.
      const brokenPng = Buffer.concat([png.subarray(0, 33), randomBytes(4000)]);
      // An MP4's ftyp box then noise: a video to libmagic, nothing to ffmpeg.
      const ftyp = Buffer.alloc(24);
      ftyp.writeUInt32BE(24, 0);
      ftyp.write('ftypisom', 4, 'latin1');
      ftyp.writeUInt32BE(512, 12);
      ftyp.write('isomiso2', 16, 'latin1');
      const brokenMp4 = Buffer.concat([ftyp, randomBytes(8000)]);
      // Bytes no magic number matches (random ones sometimes look like MPEG audio).
      const garbage = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7 + 3) % 256));
      const cases = [
        ['broken PNG', await alice.upload(brokenPng, 'image/png'), 'image'],
        ['a PNG claiming 20000 x 20000 pixels', await alice.upload(pngClaiming(20000, 20000), 'image/png'), 'image'],
        ['broken MP4', await alice.upload(brokenMp4, 'video/mp4'), 'video'],
        ['garbage labelled as an image', await alice.upload(garbage, 'image/jpeg'), 'file'],
        ['audio', await alice.upload(await ffmpegMake('sine=frequency=440', 'wav', { seconds: 0.2 }), 'audio/wav'), 'audio'],
      ];
      for (const [what, media, kind] of cases) {
        assert.equal(media.kind, kind, `${what}: ${JSON.stringify(media)}`);
        await alice.assertNone(media.id, what);
      }
      // The media itself is still there, whole.
      const r = await alice.req('GET', `/media/${cases[0][1].id}`);
      assert.equal(r.status, 200);
    });

    it(`the thumbnail is kept beside the media in the ${store.name} store, and goes with it`, async () => {
      const leaver = (await users(f, 1))[0];
      const media = await leaver.upload(await picture(640, 480, 'png'));
      await leaver.assertThumbnail(media.id, 'before');
      const keys = [media.id, `${media.id}-thumb`];
      const stored = async () => {
        if (store.name === 'folder') {
          const names = (await filesUnder(path.join(f.dataDir, 'media'))).map((p) => path.relative(f.dataDir, p));
          return keys.filter((k) => names.includes(path.join('media', media.id.slice(0, 2), k)));
        }
        const found = [];
        for (const k of keys) if ((await fetch(`${s3.endpoint}/media/${k}`)).status === 200) found.push(k);
        return found;
      };
      assert.deepEqual(await stored(), keys, 'the media and its thumbnail, side by side');
      // An account deleted takes its unused uploads along: bytes and thumbnail.
      const gone = await leaver.req('DELETE', '/users/me');
      assert.equal(gone.status, 204, gone.text);
      assert.deepEqual(await stored(), [], 'nothing left behind');
    });
  });
}

/** An executable shell script in the work folder, standing in for ffmpeg. */
async function fakeFfmpeg(name, body) {
  const file = path.join(work, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

describe('thumbnails while they are made, and when making them fails', () => {
  it('while a poster is being made: 404 thumbnail_pending with Retry-After, then the poster', async () => {
    // This ffmpeg waits for the test to open a gate, so the first answer is surely "pending".
    const gate = path.join(work, 'gate');
    const slow = await fakeFfmpeg('slow-ffmpeg', `while [ ! -e '${gate}' ]; do sleep 0.05; done\nexec '${FFMPEG}' "$@"`);
    const f = await startFlowd([...ARGS, '--ffmpeg', slow]);
    try {
      const [u] = await users(f, 1);
      const media = await u.upload(await video());
      const pending = await u.thumbnail(media.id);
      assertError(pending, 404, 'thumbnail_pending', 'while ffmpeg waits');
      assertRetryAfter(pending, 'thumbnail_pending');
      await writeFile(gate, '');
      await u.assertThumbnail(media.id, 'after the gate opened');
    } finally {
      await f.shutdown();
    }
  });

  it('flowd starts and serves everything else when ffmpeg is missing, crashes, writes garbage, or thumbnails are off', async () => {
    const crashing = await fakeFfmpeg('crashing-ffmpeg', 'kill -SEGV $$');
    const garbage = await fakeFfmpeg('garbage-ffmpeg', 'echo this is no JPEG');
    const servers = [
      ['no ffmpeg', ['--ffmpeg', path.join(work, 'no-such-ffmpeg')], { image: true }],
      ['a crashing ffmpeg', ['--ffmpeg', crashing], { image: true }],
      ['an ffmpeg writing garbage', ['--ffmpeg', garbage], { image: true }],
      ['--thumbnail-threads 0', ['--thumbnail-threads', '0'], { image: false }],
    ];
    const [png, mp4] = [await picture(1000, 500, 'png'), await video()];
    for (const [what, args, expect] of servers) {
      const f = await startFlowd([...ARGS, ...args]);
      try {
        const [u, v] = await users(f, 2);
        const image = await u.upload(png);
        const movie = await u.upload(mp4);
        await u.assertNone(movie.id, `${what}: the video`);
        if (expect.image) await u.assertThumbnail(image.id, `${what}: the image`);
        else await u.assertNone(image.id, `${what}: the image`);
        // Everything else works: the media itself, and a message with it.
        const bytes = await u.req('GET', `/media/${movie.id}`);
        assert.equal(bytes.status, 200, `${what}: GET /media`);
        const chat = await u.direct(v.id);
        await u.sendMedia(chat.id, 'video', movie);
        assert.equal((await f.request('GET', '/health')).status, 200, `${what}: /health`);
      } finally {
        await f.shutdown();
      }
    }
  });
});
