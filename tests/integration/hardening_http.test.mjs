// Issue 13, the HTTP server's part, tried as an attacker on raw TCP would: no request
// smuggled behind a media answer's unread body, connection caps and the descriptor limit
// (the accept loop neither spins nor floods the log), slow links that keep sending are
// not cut off, the upload cap counts the whole body, Expect: 100-continue, /metrics
// labels bounded, Connection: close on uploads, media answers that a browser will not
// render, and files only the server can read.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startFlowd, uniquePhone, sleep, freePort, FLOWD } from './lib/flowd.mjs';

const ARGS = ['--otp-address-hourly-cap', '100000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0'];
const ON_SQLITE = !process.env.FLOW_TEST_POSTGRES_URL;

// ---------------------------------------------------------------------------------
// A raw TCP client
// ---------------------------------------------------------------------------------

/** A connection to 127.0.0.1:port that keeps everything it reads (latin1) and whether it ended. */
async function connect(port) {
  const socket = net.connect(port, '127.0.0.1');
  const c = { socket, text: '', ended: false };
  socket.setEncoding('latin1');
  socket.on('data', (d) => (c.text += d));
  socket.on('error', () => {});
  socket.on('close', () => (c.ended = true));
  await once(socket, 'connect');
  /** Waits until `test(c)` holds (checked on every read and close), failing after `ms`. */
  c.until = (test, what, ms = 5000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (!test(c)) return false;
        clearTimeout(timer);
        socket.off('data', check);
        socket.off('close', check);
        resolve(c);
        return true;
      };
      const timer = setTimeout(() => {
        socket.off('data', check);
        socket.off('close', check);
        reject(new Error(`${what} within ${ms} ms; read so far: ${JSON.stringify(c.text.slice(0, 600))}`));
      }, ms);
      socket.on('data', check);
      socket.on('close', check);
      check();
    });
  c.write = (data) => new Promise((resolve) => socket.write(data, () => resolve()));
  return c;
}

/** The status codes of the responses in `text`, in order. */
const statuses = (text) => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

const health = 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n';
const smuggled = 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n';
const healthAnswered = (c) => c.ended || /"status":"ok"/.test(c.text);

function withBody(head, body) {
  return `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function chunked(head, body) {
  return `${head}Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
}

// ---------------------------------------------------------------------------------

describe('hardening: one server', () => {
  let f;
  let token;

  before(async () => {
    f = await startFlowd(ARGS);
    ({ token } = await f.signIn(uniquePhone()));
  });
  after(async () => {
    if (f) await f.shutdown();
  });

  describe('a media answer never leaves its body to be read as the next request (defect 3)', () => {
    const cases = () => [
      ['GET with Content-Length, not found', withBody(`GET /media/nothing HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n`, smuggled), 404],
      ['GET with Content-Length, no token', withBody('GET /media/nothing HTTP/1.1\r\nHost: x\r\n', smuggled), 401],
      ['HEAD with Content-Length', withBody(`HEAD /media/nothing HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n`, smuggled), 404],
      ['GET with a chunked body', chunked(`GET /media/nothing HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n`, smuggled), 404],
      ['PUT (405) with a body', withBody(`PUT /media/nothing HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n`, smuggled), 405],
      // Mounts on the generic path get the request once its body is read whole.
      ['/ws, not an upgrade, with a body', withBody('GET /ws HTTP/1.1\r\nHost: x\r\n', smuggled), 400],
      ['Engine.IO polling handshake with a body', withBody('GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n', smuggled), 200],
    ];
    it('answers once, then the next real request (or closes); /metrics never runs', async () => {
      for (const [what, request, status] of cases()) {
        const c = await connect(f.port);
        await c.write(request + health);
        await c.until(healthAnswered, `${what}: /health answered or the connection closed`);
        c.socket.destroy();
        assert.ok(!c.text.includes('flow_http_requests_total'), `${what}: the smuggled GET /metrics was served:\n${c.text}`);
        const seen = statuses(c.text);
        assert.equal(seen[0], status, `${what}: first answer`);
        assert.ok(seen.length <= 2 && (seen.length === 1 || seen[1] === 200), `${what}: answers ${seen}`);
      }
    });

    it('a media download with a body still serves the file, and the next request after it', async () => {
      const up = await f.request('POST', '/media', { token, rawBody: Buffer.from('plain bytes'), headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(up.status, 201, up.text);
      const c = await connect(f.port);
      await c.write(withBody(`GET /media/${up.json.id} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n`, smuggled) + health);
      await c.until(healthAnswered, '/health after the download');
      c.socket.destroy();
      assert.ok(!c.text.includes('flow_http_requests_total'), c.text);
      assert.ok(c.text.includes('plain bytes'), c.text);
    });
  });

  it('/metrics stays small whatever methods are made up (defect 13)', async () => {
    const c = await connect(f.port);
    const junk = 'X'.repeat(200);
    let pipeline = '';
    for (let i = 0; i < 100; i++) pipeline += `M${junk}${i} /health HTTP/1.1\r\nHost: x\r\n\r\n`;
    await c.write(pipeline + health.replace('/health', '/health?last'));
    await c.until((x) => statuses(x.text).length >= 101 || x.ended, '101 answers');
    c.socket.destroy();
    const metrics = await f.request('GET', '/metrics');
    assert.ok(!metrics.text.includes(junk), 'a made-up method is a label');
    assert.match(metrics.text, /method="other"/);
    assert.ok(metrics.text.length < 20_000, `/metrics is ${metrics.text.length} bytes`);
  });

  it('an upload with Connection: close is answered and closed (defect 14)', async () => {
    const c = await connect(f.port);
    await c.write(
      withBody(`POST /media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\nContent-Type: application/octet-stream\r\n`, 'hello'),
    );
    await c.until((x) => x.ended, 'the server closes the connection', 3000);
    assert.equal(statuses(c.text)[0], 201, c.text);
    assert.match(c.text, /\r\nConnection: close\r\n/i);
  });

  describe('Expect: 100-continue (defect 11)', () => {
    it('an upload hears 100 Continue before it sends the body, then 201', async () => {
      const c = await connect(f.port);
      await c.write(
        `POST /media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n`,
      );
      await c.until((x) => /^HTTP\/1\.1 100 Continue\r\n\r\n/.test(x.text), '100 Continue', 2000);
      await c.write('hello');
      await c.until((x) => statuses(x.text).length >= 2, 'the final answer');
      c.socket.destroy();
      assert.deepEqual(statuses(c.text), [100, 201], c.text);
    });

    it('a JSON request hears 100 Continue too', async () => {
      const body = JSON.stringify({ phone: uniquePhone() });
      const c = await connect(f.port);
      await c.write(
        `POST /auth/enter_number HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
      );
      await c.until((x) => /^HTTP\/1\.1 100 Continue\r\n\r\n/.test(x.text), '100 Continue', 2000);
      await c.write(body);
      await c.until((x) => statuses(x.text).length >= 2, 'the final answer');
      c.socket.destroy();
      assert.deepEqual(statuses(c.text), [100, 200], c.text);
    });

    it('a refused upload is answered at once, without 100, and closed', async () => {
      const c = await connect(f.port);
      await c.write('POST /media HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n');
      await c.until((x) => x.ended, 'the connection closed', 3000);
      assert.deepEqual(statuses(c.text), [401], c.text);
    });
  });

  it('media answers carry nosniff, and HTML or SVG come as attachments', async () => {
    const files = {
      html: '<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n',
      svg: '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>\n',
      text: 'just some words\n',
    };
    for (const [kind, content] of Object.entries(files)) {
      const up = await f.request('POST', '/media', { token, rawBody: Buffer.from(content), headers: { 'content-type': 'image/png' } });
      assert.equal(up.status, 201, up.text);
      const down = await f.request('GET', `/media/${up.json.id}`, { token });
      assert.equal(down.status, 200);
      assert.equal(down.headers.get('x-content-type-options'), 'nosniff', kind);
      const attachment = down.headers.get('content-disposition') === 'attachment';
      assert.equal(attachment, kind !== 'text', `${kind} (${down.headers.get('content-type')}) as an attachment`);
    }
    const missing = await f.request('GET', '/media/nothing', { token });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-content-type-options'), 'nosniff');
  });

  it('the data dir: folders 0700, files 0600', { skip: !ON_SQLITE && 'the SQLite shape only' }, async () => {
    const up = await f.request('POST', '/media', { token, rawBody: Buffer.from('private'), headers: { 'content-type': 'text/plain' } });
    assert.equal(up.status, 201, up.text);
    const loose = [];
    const walk = async (dir) => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        const { mode } = await stat(p);
        if (mode & 0o077) loose.push(`${path.relative(f.dataDir, p)} ${(mode & 0o777).toString(8)}`);
        if (entry.isDirectory()) await walk(p);
      }
    };
    await walk(f.dataDir);
    assert.deepEqual(loose, [], 'readable by others');
  });
});

describe('the upload cap counts the whole body (defect 9)', () => {
  let f;
  before(async () => {
    f = await startFlowd([...ARGS, '--max-upload-bytes', '65536']);
  });
  after(async () => {
    if (f) await f.shutdown();
  });

  it('a chunked multipart body with a big junk part before a small file part gets 413', async () => {
    const { token } = await f.signIn(uniquePhone());
    const boundary = 'XyZ';
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="junk"\r\n\r\n${'j'.repeat(100_000)}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nsmall\r\n` +
      `--${boundary}--\r\n`;
    const c = await connect(f.port);
    await c.write(chunked(`POST /media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n`, body));
    await c.until((x) => x.ended, 'the connection closed');
    assert.deepEqual(statuses(c.text), [413], c.text);
  });
});

describe('slow links time out on inactivity, not per chunk (defect 8)', () => {
  let f;
  let token;
  before(async () => {
    f = await startFlowd([...ARGS, '--io-timeout-seconds', '1']);
    ({ token } = await f.signIn(uniquePhone()));
  });
  after(async () => {
    if (f) await f.shutdown();
  });

  /** Sends `body` in `pieces` writes `gapMs` apart on connection `c`. */
  async function trickle(c, body, pieces, gapMs) {
    const size = Math.ceil(body.length / pieces);
    for (let at = 0; at < body.length; at += size) {
      await c.write(body.subarray(at, at + size));
      await sleep(gapMs);
    }
  }

  it('an upload that keeps trickling in for 2.5 times the timeout succeeds', async () => {
    const body = Buffer.alloc(6000, 'a');
    const c = await connect(f.port);
    await c.write(`POST /media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`);
    await trickle(c, body, 10, 250);
    await c.until((x) => statuses(x.text).length >= 1, 'the answer');
    c.socket.destroy();
    assert.equal(statuses(c.text)[0], 201, c.text);
  });

  it('a JSON body that trickles in is read too', async () => {
    const body = Buffer.from(JSON.stringify({ phone: uniquePhone(), pad: ' '.repeat(400) }));
    const c = await connect(f.port);
    await c.write(`POST /auth/enter_number HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    await trickle(c, body, 10, 250);
    await c.until((x) => statuses(x.text).length >= 1, 'the answer');
    c.socket.destroy();
    assert.equal(statuses(c.text)[0], 200, c.text);
  });

  it('an upload that stops sending is cut off', async () => {
    const c = await connect(f.port);
    await c.write(`POST /media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: text/plain\r\nContent-Length: 6000\r\n\r\nabc`);
    await c.until((x) => x.ended, 'the connection closed', 4000);
  });
});

describe('connection caps (defect 2)', () => {
  async function holdConnections(port, n) {
    return Promise.all(Array.from({ length: n }, () => connect(port)));
  }
  const refused = (text, reason) => Number(text.match(new RegExp(`flow_connections_refused_total\\{reason="${reason}"\\} (\\d+)`))?.[1] ?? 0);

  for (const [flag, reason] of [
    ['--max-connections-per-address', 'max_connections_per_address'],
    ['--max-connections', 'max_connections'],
  ]) {
    it(`${flag} 20: the 21st connection on is closed at once, and counted`, async () => {
      const f = await startFlowd([flag, '20']);
      try {
        const held = await holdConnections(f.port, 20);
        // Each held one is in: it is answered.
        await held[0].write(health);
        await held[0].until(healthAnswered, 'a held connection answered');
        const over = await holdConnections(f.port, 10);
        await Promise.all(over.map((c) => c.until((x) => x.ended, 'an over-cap connection closed')));
        for (const c of held) c.socket.destroy();
        let metrics;
        for (let i = 0; i < 100; i++) {
          try {
            metrics = await f.request('GET', '/metrics');
            break;
          } catch {
            await sleep(20);  // until the server has seen the held ones go
          }
        }
        // (The test library's own keep-alive connection to the server may hold one slot.)
        const count = refused(metrics.text, reason);
        assert.ok(count >= 10 && count <= 11, `${count} refused\n${metrics.text}`);
      } finally {
        await f.shutdown();
      }
    });
  }

  // The sanitizers' runtime needs descriptors of its own (UBSan's check of a virtual call
  // opens a pipe to probe memory), so with none left it reports errors flowd does not have.
  const sanitized = process.env.FLOW_TEST_SANITIZER && `under ${process.env.FLOW_TEST_SANITIZER}, whose runtime needs descriptors too`;
  it('out of descriptors, the server neither spins nor floods its log, and serves again at once', { skip: sanitized }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flowd-fd-'));
    const port = await freePort();
    const args = ['--host', '127.0.0.1', '--port', String(port), '--data-dir', dir, '--sms', 'log', '--max-connections', '1000', '--max-connections-per-address', '1000'];
    // dash's ulimit sets the soft and the hard limit: flowd cannot raise it.
    const proc = spawn('sh', ['-c', 'ulimit -n 64 && exec "$0" "$@"', FLOWD, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout.on('data', (d) => (log += d));
    proc.stderr.on('data', (d) => (log += d));
    const exited = once(proc, 'exit');
    const url = `http://127.0.0.1:${port}`;
    const healthy = async (ms) => {
      const deadline = Date.now() + ms;
      for (;;) {
        try {
          const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(500) });
          if (r.status === 200) return Date.now();
        } catch {}
        if (Date.now() > deadline) assert.fail(`no /health within ${ms} ms\n${log.slice(-2000)}`);
        await sleep(20);
      }
    };
    const cpuTicks = async () => {
      const fields = (await readFile(`/proc/${proc.pid}/stat`, 'utf8')).split(') ')[1].split(' ');
      return Number(fields[11]) + Number(fields[12]);  // utime + stime
    };
    const held = [];
    try {
      await healthy(10_000);
      for (let i = 0; i < 100; i++) {
        const s = net.connect(port, '127.0.0.1');
        s.on('error', () => {});
        held.push(s);
      }
      await Promise.all(held.map((s) => once(s, 'connect').catch(() => {})));
      const before = await cpuTicks();
      await sleep(1000);  // a stretch of time to measure the CPU over
      const ticks = (await cpuTicks()) - before;
      assert.ok(ticks < 30, `flowd used ${ticks}% of a core while out of descriptors`);
      const lines = log.split('\n').filter((l) => l.includes('accept failed')).length;
      assert.ok(lines <= 5, `${lines} "accept failed" lines\n${log.slice(-1000)}`);
      for (const s of held) s.destroy();
      const freed = Date.now();
      const answered = await healthy(3000);
      assert.ok(answered - freed < 1500, `/health answered ${answered - freed} ms after the connections went`);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /flow_connections_refused_total\{reason="descriptors"\} [1-9]/);
    } finally {
      for (const s of held) s.destroy();
      proc.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
