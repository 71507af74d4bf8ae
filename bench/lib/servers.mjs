// The two servers under test, started and driven the same way:
//   const s = await startFlow({bin}) | await startPeer();
//   s.pid, s.url; await s.signIn(n) -> [{id, token}]; await s.directChat(a, b) -> chat id
//   await s.groupChat(owner, members) -> chat id
//   await s.fill([{chat_id, sender_ids: [a, b], count}], textBytes): history stored at once
//   await s.sql({sqlite, postgresql}): SQL run on flowd's database, flowd stopped meanwhile
//   await s.stop()
// startFlow({postgres: true}) runs flowd on a throwaway PostgreSQL (scripts/postgres.sh)
// rather than SQLite; s.engine says which.
// Flow's users sign in through its real API: enter_number, the code from the SMS webhook
// (an HTTP listener here), verify_otp. Nothing is cached between runs: each start is a
// fresh data dir and a fresh set of phone numbers.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(BENCH_DIR, '..');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs fn over items with at most `concurrency` at once; results in order. */
export async function pool(items, concurrency, fn) {
  const out = new Array(items.length);
  let next = 0;
  async function lane() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return out;
}

async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

async function post(url, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

// Distinct valid UK mobile numbers (+4473 and 8 digits), never twice in this process.
let phoneBase = Math.floor(Math.random() * 50_000_000);
const nextPhone = () => `+4473${String(phoneBase++ % 100_000_000).padStart(8, '0')}`;

/** Spawns `bin args` with the soft descriptor limit raised to the hard one; keeps an output tail. */
function spawnServer(bin, args, opts = {}) {
  const proc = spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...opts,
  });
  const tail = [];
  const keep = (d) => {
    tail.push(d);
    if (tail.length > 200) tail.shift();
  };
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return { proc, tail, exited };
}

async function stopProc(p, what) {
  if (p.proc.exitCode !== null || p.proc.signalCode !== null) return await p.exited;
  p.proc.kill('SIGTERM');
  const r = await Promise.race([p.exited, sleep(15000).then(() => null)]);
  if (r) return r;
  p.proc.kill('SIGKILL');
  console.error(`${what} did not stop within 15 s of SIGTERM: killed`);
  return await p.exited;
}

async function waitHealthy(url, p, what) {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (p.proc.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      await res.text();
      if (res.status === 200) return;
    } catch {
      /* not yet */
    }
    await sleep(50);
  }
  throw new Error(`${what} did not answer /health within 15 s:\n${p.tail.join('')}`);
}

/** The SMS webhook flowd POSTs {to, code, text} to; codeFor(phone) waits for the code. */
async function startSmsWebhook() {
  const waiting = new Map(); // phone -> resolve
  const arrived = new Map(); // phone -> code
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        const { to, code } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const w = waiting.get(to);
        if (w) {
          waiting.delete(to);
          w(code);
        } else arrived.set(to, code);
      } catch {
        /* not ours */
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  server.keepAliveTimeout = 5000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/sms`,
    codeFor(phone, timeoutMs = 30000) {
      const c = arrived.get(phone);
      if (c !== undefined) {
        arrived.delete(phone);
        return Promise.resolve(c);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          waiting.delete(phone);
          reject(new Error(`no SMS to ${phone} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(phone, (code) => {
          clearTimeout(t);
          resolve(code);
        });
      });
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((r) => server.close(r));
    },
  };
}

async function directChat(url, a, b) {
  const r = await post(`${url}/chats`, { type: 'direct', user_id: b.id }, a.token);
  if (r.status !== 201 && r.status !== 200) throw new Error(`POST /chats -> ${r.status} ${r.text.slice(0, 300)}`);
  return r.json.id;
}

async function groupChat(url, owner, members) {
  const r = await post(`${url}/chats`, { type: 'group', name: `bench ${members.length + 1}`, user_ids: members.map((u) => u.id) }, owner.token);
  if (r.status !== 201) throw new Error(`POST /chats (group of ${members.length + 1}) -> ${r.status} ${r.text.slice(0, 300)}`);
  return r.json.id;
}

const sqlText = (s) => `'${String(s).replace(/'/g, "''")}'`;

/**
 * SQL that appends `count` text messages to each chat straight into flowd's SQLite
 * database, as flowd itself stores them (src/storage/sql/): seqs after the chat's
 * last_seq, alternately from the two senders, a second apart up to now, ids of
 * flowd's form (the creation time in 10 base-32 digits, then random ones); the chat's
 * last_seq and active_at follow, and every member's marks and every device cursor of
 * the chat move to the end, as if all of it had been delivered and read.
 */
function fillSql(list, textBytes) {
  const now = Date.now();
  const idTime = Array.from({ length: 10 }, (_, k) => `substr(a, ((at >> ${5 * (9 - k)}) & 31) + 1, 1)`).join(' || ');
  const out = ['BEGIN;'];
  for (const { chat_id: chat, sender_ids: [s0, s1], count } of list) {
    const c = sqlText(chat);
    out.push(`
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ${count}),
  m(seq, at, a) AS (SELECT (SELECT last_seq FROM chats WHERE id = ${c}) + k, ${now} - (${count} - k) * 1000, '0123456789abcdefghjkmnpqrstvwxyz' FROM n)
INSERT INTO messages (id, chat_id, seq, sender_id, client_id, type, text, created_at)
SELECT ${idTime} || lower(hex(randomblob(8))), ${c}, seq, CASE seq % 2 WHEN 1 THEN ${sqlText(s0)} ELSE ${sqlText(s1)} END,
  'fill-' || seq, 'text', substr(printf('%d: %.*c', seq, ${textBytes}, 'x'), 1, ${textBytes}), at FROM m;
UPDATE chats SET last_seq = last_seq + ${count}, active_at = ${now} WHERE id = ${c};
UPDATE participants SET read_seq = (SELECT last_seq FROM chats WHERE id = ${c}), delivered_seq = (SELECT last_seq FROM chats WHERE id = ${c}) WHERE chat_id = ${c};
INSERT INTO device_cursors (session_id, chat_id, delivered_seq)
  SELECT s.id, ${c}, (SELECT last_seq FROM chats WHERE id = ${c}) FROM sessions s JOIN participants p ON p.user_id = s.user_id AND p.chat_id = ${c} WHERE true
  ON CONFLICT (session_id, chat_id) DO UPDATE SET delivered_seq = excluded.delivered_seq;`);
  }
  out.push('COMMIT;');
  return out.join('\n');
}

/** Runs `sql` with the sqlite3 shell on the database file `db`. */
async function sqlite(db, sql) {
  const p = spawn('sqlite3', ['-bail', db, sql], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  const [code] = await Promise.race([once(p, 'exit'), once(p, 'error').then(([e]) => [e.message])]);
  if (code !== 0) throw new Error(`sqlite3 ${db} failed (${code}): ${err.slice(0, 1000)} (apt-get install sqlite3 if it is missing)`);
}

/** Runs `sql` with psql on the database at `url`, each statement on its own (VACUUM needs it). */
async function psql(url, statements) {
  const p = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, ...statements.flatMap((sql) => ['-c', sql])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  const [code] = await Promise.race([once(p, 'exit'), once(p, 'error').then(([e]) => [e.message])]);
  if (code !== 0) throw new Error(`psql failed (${code}): ${err.slice(0, 1000)}`);
}

/**
 * flowd on a fresh data dir in /tmp, its SMS going to a webhook here; with `postgres`, on
 * a throwaway PostgreSQL of its own (scripts/postgres.sh, stopped with it).
 */
export async function startFlow({ bin = process.env.FLOWD_BIN || path.join(REPO_ROOT, 'build', 'flowd'), extraArgs = [], signInConcurrency = 50, postgres = false } = {}) {
  if (!existsSync(bin)) throw new Error(`flowd not found at ${bin} (build it with make build, or give --flowd / FLOWD_BIN)`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'flow-bench-'));
  let db = null;
  if (postgres) {
    await chmod(dataDir, 0o711); // PostgreSQL runs as its own user when this runs as root
    try {
      db = serviceScript('postgres.sh', 'start', path.join(dataDir, 'postgres'));
    } catch (e) {
      await rm(dataDir, { recursive: true, force: true });
      throw e;
    }
  }
  const stopDb = () => db && serviceScript('postgres.sh', 'stop', path.join(dataDir, 'postgres'));
  const sms = await startSmsWebhook();
  const port = await freePort();
  const args = [
    ...(db ? ['--db', db] : []),
    '--host', '127.0.0.1',
    '--port', String(port),
    '--data-dir', dataDir,
    '--sms', `webhook:${sms.url}`,
    // Every sign-in comes from 127.0.0.1: no cap per address.
    '--otp-address-hourly-cap', '0',
    '--otp-phone-hourly-cap', '1000000',
    '--otp-resend-seconds', '0',
    // A load test is one user doing what thousands would: the per-user limits off.
    '--user-send-rate', '0',
    '--user-typing-rate', '0',
    '--user-signal-rate', '0',
    '--lookup-daily-cap', '0',
    // Every simulated client connects from a handful of loopback addresses.
    '--max-connections-per-address', '1000000',
    ...extraArgs,
  ];
  const url = `http://127.0.0.1:${port}`;
  const launch = async () => {
    const proc = spawnServer(bin, args, { cwd: dataDir });
    try {
      await waitHealthy(url, proc, 'flowd');
      return proc;
    } catch (e) {
      await stopProc(proc, 'flowd');
      throw e;
    }
  };
  let p;
  try {
    p = await launch();
  } catch (e) {
    await sms.close();
    stopDb();
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  // Stops flowd, runs `write`, and starts flowd again on the same data dir and port.
  const whileStopped = async (write) => {
    const exit = await stopProc(p, 'flowd');
    if (exit.code !== 0 && exit.signal !== 'SIGTERM') throw new Error(`flowd exited ${JSON.stringify(exit)} when stopped to write its database`);
    await write();
    p = await launch();
  };
  return {
    name: 'flow',
    label: 'Flow',
    engine: db ? 'postgresql' : 'sqlite',
    get pid() {
      return p.proc.pid;
    },
    url,
    args,
    bin,
    output: () => p.tail.join(''),
    async signIn(n) {
      return pool(Array.from({ length: n }), signInConcurrency, async () => {
        const phone = nextPhone();
        const en = await post(`${url}/auth/enter_number`, { phone });
        if (en.status !== 200) throw new Error(`enter_number ${phone} -> ${en.status} ${en.text.slice(0, 300)}`);
        const code = await sms.codeFor(en.json.phone);
        const v = await post(`${url}/auth/verify_otp`, { phone, code });
        if (v.status !== 200) throw new Error(`verify_otp ${phone} -> ${v.status} ${v.text.slice(0, 300)}`);
        return { id: v.json.user.id, token: v.json.token };
      });
    },
    directChat: (a, b) => directChat(url, a, b),
    groupChat: (owner, members) => groupChat(url, owner, members),
    // Through the API a million messages take minutes: flowd is stopped, the rows go
    // straight into its database, and it starts again on the same data dir and port.
    async fill(list, textBytes) {
      if (args.includes('--db')) throw new Error('fill needs flowd on its own SQLite file (no --db)');
      await whileStopped(() => sqlite(path.join(dataDir, 'flow.db'), fillSql(list, textBytes)));
    },
    // SQL in each engine's words ({sqlite: text, postgresql: [statements]}) for the one
    // flowd runs on.
    sql: (sql) => whileStopped(() => (db ? psql(db, sql.postgresql) : sqlite(path.join(dataDir, 'flow.db'), sql.sqlite))),
    async stop() {
      const r = await stopProc(p, 'flowd');
      await sms.close();
      stopDb();
      await rm(dataDir, { recursive: true, force: true });
      return r;
    },
  };
}

/** The socket.io peer (bench/peer/server.mjs). */
export async function startPeer({ node = process.execPath, signInConcurrency = 50 } = {}) {
  const script = path.join(BENCH_DIR, 'peer', 'server.mjs');
  if (!existsSync(path.join(BENCH_DIR, 'peer', 'node_modules', 'socket.io'))) {
    throw new Error('bench/peer/node_modules is missing: run npm ci in bench/peer (make bench does)');
  }
  const p = spawnServer(node, [script, '--host', '127.0.0.1', '--port', '0']);
  const ready = await new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d) => {
      buf += d;
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        p.proc.stdout.off('data', onData);
        resolve(JSON.parse(line));
      }
    };
    p.proc.stdout.on('data', onData);
    p.exited.then((e) => reject(new Error(`the peer exited ${JSON.stringify(e)}:\n${p.tail.join('')}`)));
    setTimeout(() => reject(new Error('the peer did not start within 15 s')), 15000).unref();
  });
  const url = `http://127.0.0.1:${ready.port}`;
  await waitHealthy(url, p, 'the peer');
  return {
    name: 'peer',
    label: 'peer',
    pid: ready.pid,
    url,
    args: [script],
    bin: node,
    output: () => p.tail.join(''),
    async signIn(n) {
      return pool(Array.from({ length: n }), signInConcurrency, async () => {
        const phone = nextPhone();
        const r = await post(`${url}/auth/login`, { phone });
        if (r.status !== 200) throw new Error(`login ${phone} -> ${r.status} ${r.text.slice(0, 300)}`);
        return { id: r.json.user.id, token: r.json.token };
      });
    },
    directChat: (a, b) => directChat(url, a, b),
    groupChat: (owner, members) => groupChat(url, owner, members),
    async fill(list, textBytes) {
      for (const { chat_id, count } of list) {
        const r = await post(`${url}/bench/fill`, { chat_id, count, text_bytes: textBytes });
        if (r.status !== 200) throw new Error(`POST /bench/fill -> ${r.status} ${r.text.slice(0, 300)}`);
      }
    },
    stop: () => stopProc(p, 'the peer'),
  };
}

/** Runs one of the project's throwaway-server scripts (scripts/postgres.sh, scripts/redis.sh). */
function serviceScript(name, action, dir) {
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', name), action, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/${name} ${action} failed: ${r.stderr.slice(-2000)}`);
  return r.stdout.trim().split('\n').pop();
}

/**
 * `nodes` flowd processes of one service on the scaled shape: a throwaway PostgreSQL and
 * Redis (the project's scripts, on 127.0.0.1), one secret, each node with its own data
 * dir (media stays local: the fleet sends text only). A user signed in on any node may
 * connect to any other. pids lists every node; stop() stops them and both services.
 */
export async function startFlowFleet({ bin = process.env.FLOWD_BIN || path.join(REPO_ROOT, 'build', 'flowd'), nodes = 6, extraArgs = [] } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-fleet-'));
  await chmod(dir, 0o711); // PostgreSQL runs as its own user when this runs as root
  const started = [];
  const stopAll = async () => {
    const exits = await Promise.all(started.map((n) => n.stop()));
    for (const name of ['redis.sh', 'postgres.sh']) {
      try {
        serviceScript(name, 'stop', path.join(dir, name));
      } catch (e) {
        console.error(String(e.message || e));
      }
    }
    await rm(dir, { recursive: true, force: true });
    return exits.find((e) => e && e.code !== 0 && e.signal !== 'SIGTERM') ?? exits[0];
  };
  try {
    const db = serviceScript('postgres.sh', 'start', path.join(dir, 'postgres.sh'));
    const redis = serviceScript('redis.sh', 'start', path.join(dir, 'redis.sh'));
    const secret = randomBytes(32).toString('hex');
    // One after the other: the first applies the migrations.
    for (let i = 0; i < nodes; i++)
      started.push(await startFlow({ bin, extraArgs: ['--db', db, '--redis', redis, '--secret', secret, ...extraArgs] }));
  } catch (e) {
    await stopAll();
    throw e;
  }
  const first = started[0];
  return {
    name: 'flow',
    label: `Flow (${nodes} nodes)`,
    nodes: started,
    pid: first.pid,
    get pids() {
      return started.map((n) => n.pid);
    },
    url: first.url,
    args: first.args,
    bin,
    output: () => started.map((n, i) => `--- node ${i}\n${n.output().slice(-2000)}`).join('\n'),
    /** n users, signed in on the nodes in turn (all at once). */
    async signIn(n) {
      const shares = started.map((_, k) => Math.floor(n / nodes) + (k < n % nodes ? 1 : 0));
      const lists = await Promise.all(started.map((node, k) => node.signIn(shares[k])));
      return lists.flat();
    },
    directChat: (a, b, k = 0) => directChat(started[k % nodes].url, a, b),
    groupChat: (owner, members) => groupChat(first.url, owner, members),
    stop: stopAll,
  };
}
