// deploy/, without Docker: Caddy from Debian's package runs deploy/Caddyfile in its laptop
// mode (Caddy's local CA, https://localhost) on loopback ports in front of the real flowd,
// and clients go through it over TLS: REST, /ws, Socket.IO on long polling alone, and the
// client's address reaching flowd in X-Forwarded-For. Then: every metric the Grafana
// dashboard queries is one flowd exposes; coturn takes deploy/coturn/turnserver.conf and
// the logins flowd hands out; docker-compose.yml pins its images, keeps state in named
// volumes, hands secrets over as files, and names every flowd node in Caddy's upstreams
// and Prometheus's targets; deploy/make-secrets.sh makes every secret it names.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import yaml from 'js-yaml';
import { REPO_ROOT, assertError, assertMessage, freePort, readResponse, sleep, startFlowd, uniquePhone } from './lib/flowd.mjs';
import { openSio } from './lib/sio_client.mjs';
import { wrap } from './lib/ws_client.mjs';
import { allocate } from './lib/coturn.mjs';

const DEPLOY = path.join(REPO_ROOT, 'deploy');
const CADDYFILE = path.join(DEPLOY, 'Caddyfile');
const WAIT_MS = 4000;
const installed = (program) => spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;

let clientSeq = 0;
const newClientId = () => `deploy-${process.pid}-${++clientSeq}`;

// ---------------------------------------------------------------------------------
// Caddy
// ---------------------------------------------------------------------------------

/**
 * `caddy run` with deploy/Caddyfile in front of `upstreams` (host:port), as on a laptop:
 * FLOW_DOMAIN and CADDY_TLS unset (localhost, Caddy's local CA), on free loopback ports,
 * no admin API, its certificates and CA in a temp dir. Resolves once a request through it
 * reaches a node (GET /ready answers 200).
 */
async function startCaddy(upstreams) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-caddy-'));
  const httpsPort = await freePort();
  const env = {
    ...process.env,
    HOME: dir,
    XDG_DATA_HOME: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    CADDY_ADMIN: 'off',
    CADDY_BIND: '127.0.0.1',
    CADDY_HTTP_PORT: String(await freePort()),
    CADDY_HTTPS_PORT: String(httpsPort),
    FLOW_UPSTREAMS: upstreams.join(' '),
  };
  delete env.FLOW_DOMAIN;
  delete env.CADDY_TLS;
  const proc = spawn('caddy', ['run', '--config', CADDYFILE, '--adapter', 'caddyfile'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  proc.stdout.on('data', (d) => logs.push(d));
  proc.stderr.on('data', (d) => logs.push(d));
  const exited = once(proc, 'exit');
  const killOnExit = () => proc.kill('SIGKILL');
  process.on('exit', killOnExit);

  const caddy = {
    port: httpsPort,
    baseUrl: `https://localhost:${httpsPort}`,
    // The root certificate of Caddy's local CA, which a laptop's browser is told to trust.
    rootCert: path.join(dir, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt'),
    agent: null,
    output: () => Buffer.concat(logs).toString('utf8'),
    async stop() {
      caddy.agent?.destroy();
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`caddy exited with ${proc.exitCode}`);
      if (!caddy.agent && existsSync(caddy.rootCert)) caddy.agent = trustingAgent(readFileSync(caddy.rootCert));
      if (caddy.agent) {
        const r = await httpsRequest(caddy, 'GET', '/ready').catch((e) => ({ status: 0, text: e.message }));
        if (r.status === 200) return caddy;
      }
      if (Date.now() > deadline) throw new Error('no answer through caddy within 10 s');
      await sleep(50);
    }
  } catch (e) {
    await caddy.stop();
    throw new Error(`${e.message}\ncaddy's output:\n${caddy.output()}`);
  }
}

/**
 * An HTTPS agent trusting only `ca` (Caddy's local root), reaching `localhost` on
 * 127.0.0.1 whatever the resolver says (so TLS checks the name `localhost`, as a browser on
 * the laptop would).
 */
function trustingAgent(ca) {
  const lookup = (_host, options, callback) =>
    options && options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
  return new https.Agent({ ca, lookup, keepAlive: false });
}

/**
 * One request through Caddy. `from`: the local address to connect from (a loopback
 * address), which Caddy should pass to flowd as the client's. Resolves as readResponse.
 */
function httpsRequest(caddy, method, urlPath, { body, token, headers = {}, from } = {}) {
  const h = { ...headers };
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) h['content-type'] = 'application/json';
  if (token !== undefined) h.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${caddy.baseUrl}${urlPath}`,
      { method, headers: h, agent: caddy.agent, localAddress: from, timeout: WAIT_MS },
      (res) => readResponse(res).then(resolve, reject),
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer within ${WAIT_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

// ---------------------------------------------------------------------------------
// (a) Caddy in front of flowd
// ---------------------------------------------------------------------------------

describe('Caddy in front of flowd (deploy/Caddyfile, laptop mode)', {
  skip: installed('caddy') ? false : 'caddy is not installed (scripts/install-deps.sh installs it)',
}, () => {
  let f;
  let caddy;
  let a; // {token, user}: signed in through Caddy from 127.0.0.1
  let b; // {token, user}: signed in through Caddy from 127.0.0.2
  let chatId;
  const live = [];

  /** Sign-in through Caddy from local address `from`: enter_number, the code, verify_otp. */
  async function signIn(from, name) {
    const phone = uniquePhone();
    const en = await httpsRequest(caddy, 'POST', '/auth/enter_number', { body: { phone }, from });
    assert.equal(en.status, 200, `enter_number from ${from} through caddy -> ${en.status} ${en.text}`);
    const code = await f.sms.nextCode(en.json.phone);
    const v = await httpsRequest(caddy, 'POST', '/auth/verify_otp', { body: { phone, code }, from });
    assert.equal(v.status, 200, `verify_otp -> ${v.status} ${v.text}`);
    const r = await httpsRequest(caddy, 'POST', '/auth/register_user', { body: { name }, token: v.json.token, from });
    assert.equal(r.status, 200, `register_user -> ${r.status} ${r.text}`);
    return { token: v.json.token, user: r.json };
  }

  /** A text message from `user` in the chat, over REST through Caddy; resolves with it. */
  async function sendOverRest(user, text) {
    const r = await httpsRequest(caddy, 'POST', `/chats/${chatId}/send_message`, {
      token: user.token,
      body: { client_id: newClientId(), type: 'text', text },
    });
    assert.equal(r.status, 201, r.text);
    return r.json;
  }

  before(async () => {
    // One sign-in code per client address an hour, and Caddy (on 127.0.0.1) trusted to name
    // the client: each client behind Caddy then has its own single code.
    f = await startFlowd(['--otp-address-hourly-cap', '1', '--otp-resend-seconds', '0', '--trusted-proxies', '127.0.0.1']);
    caddy = await startCaddy(f.nodes.map((n) => `127.0.0.1:${n.port}`));
    // Clients other than Caddy connect from other loopback addresses (all of 127/8 is lo's).
    a = await signIn('127.0.0.1', 'Ann');
    b = await signIn('127.0.0.2', 'Ben');
  });

  after(async () => {
    for (const c of live) await c.close();
    await caddy?.stop();
    await f?.shutdown();
  });

  it('serves REST over TLS with a certificate from its local CA for localhost', async () => {
    const me = await httpsRequest(caddy, 'GET', '/users/me', { token: a.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.id, a.user.id);
    const chat = await httpsRequest(caddy, 'POST', '/chats', { token: a.token, body: { type: 'direct', user_id: b.user.id } });
    assert.equal(chat.status, 201, chat.text);
    chatId = chat.json.id;
    // /metrics is for Prometheus on the private network, not for the world.
    assert.equal((await httpsRequest(caddy, 'GET', '/metrics')).status, 404);
  });

  it('passes /ws WebSocket upgrades: a message round trip', async () => {
    const ws = new WebSocket(`wss://localhost:${caddy.port}/ws?token=${encodeURIComponent(a.token)}`, {
      agent: caddy.agent,
      handshakeTimeout: WAIT_MS,
      perMessageDeflate: false,
    });
    ws.on('error', () => {});
    const c = wrap(ws, { label: 'ws via caddy' });
    live.push(c);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });

    const ack = await c.emit('message:send', { chat_id: chatId, client_id: newClientId(), type: 'text', text: 'over wss' });
    assertMessage(ack, 'ack of message:send over wss');
    assert.equal(ack.text, 'over wss');
    // And the other way: a message sent over REST arrives on the socket.
    const sent = await sendOverRest(b, 'to the socket');
    const got = await c.next('message:new', { filter: (m) => m.id === sent.id });
    assert.equal(got.text, 'to the socket');
  });

  it('passes Socket.IO on long polling alone: events reach the client through a held poll', async () => {
    const s = openSio(caddy.baseUrl, b.token, {
      transports: ['polling'],
      upgrade: false,
      agent: caddy.agent,
      label: 'polling via caddy',
      timeout: WAIT_MS,
    });
    live.push(s);
    await s.connected;
    // A message from the other side reaches B in the answer of a poll Caddy holds open.
    const sent = await sendOverRest(a, 'to the poll');
    const got = await s.next('message:new', { filter: (m) => m.id === sent.id });
    assert.equal(got.text, 'to the poll');
    // And an emit with its ack, posted over polling.
    const ack = await s.emit('message:send', { chat_id: chatId, client_id: newClientId(), type: 'text', text: 'by post' });
    assertMessage(ack, 'ack of message:send over polling');
    assert.deepEqual(s.transports, ['polling']);
    assert.equal(s.socket.io.engine.transport.name, 'polling');
  });

  it("hands flowd each client's address in X-Forwarded-For, which a client cannot choose", async () => {
    // Caddy reaches flowd from 127.0.0.1, whose one code Ann's sign-in used (from
    // 127.0.0.1); Ben's (from 127.0.0.2, in before) got through, so flowd counted him apart.
    const send = (from, headers) => httpsRequest(caddy, 'POST', '/auth/enter_number', { body: { phone: uniquePhone() }, from, headers });
    assertError(await send('127.0.0.1'), 429, 'rate_limited', 'a second code for 127.0.0.1');
    assertError(await send('127.0.0.2', { 'x-forwarded-for': '198.51.100.7' }), 429, 'rate_limited',
      'a second code for 127.0.0.2, which names another address itself');
    const third = await send('127.0.0.3');
    assert.equal(third.status, 200, `a third client has its own code: ${third.text}`);
  });
});

// ---------------------------------------------------------------------------------
// (b) The Grafana dashboard
// ---------------------------------------------------------------------------------

/** Every PromQL expression of the panels of a Grafana dashboard (rows included). */
function dashboardExprs(dashboard) {
  const exprs = [];
  const walk = (panels) => {
    for (const p of panels || []) {
      for (const t of p.targets || []) if (t.expr) exprs.push({ panel: p.title, expr: t.expr });
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return exprs;
}

/** /metrics parsed: the type of each family, and the label names each sample name carries. */
function parseExposition(text) {
  const types = new Map();
  const labels = new Map();
  for (const line of text.split('\n')) {
    const t = line.match(/^# TYPE (\S+) (\S+)/);
    if (t) types.set(t[1], t[2]);
    const s = line.match(/^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? /);
    if (s) {
      const names = labels.get(s[1]) || new Set();
      for (const m of (s[2] || '').matchAll(/(\w+)="/g)) names.add(m[1]);
      labels.set(s[1], names);
    }
  }
  return { types, labels };
}

describe('the Grafana dashboard (deploy/grafana/dashboards/flow.json)', () => {
  it("queries only metrics and labels that flowd's /metrics has", async () => {
    const dashboard = JSON.parse(await readFile(path.join(DEPLOY, 'grafana', 'dashboards', 'flow.json'), 'utf8'));
    const exprs = dashboardExprs(dashboard);
    assert.ok(exprs.length >= 5, `the dashboard has queries: ${exprs.length}`);
    for (const p of dashboard.panels) assert.equal(p.datasource?.uid, 'prometheus', `panel ${p.title}: the provisioned data source`);

    const f = await startFlowd();
    let text;
    try {
      // Some traffic first, so that the labelled families have samples.
      await f.request('GET', '/health');
      await f.request('GET', '/users/me');
      text = (await f.request('GET', '/metrics')).text;
    } finally {
      await f.shutdown();
    }
    const { types, labels } = parseExposition(text);
    // A histogram's samples are NAME_bucket, NAME_sum and NAME_count.
    const family = (name) => {
      if (types.has(name)) return name;
      const base = name.replace(/_(bucket|sum|count)$/, '');
      return types.get(base) === 'histogram' ? base : null;
    };
    // Labels Prometheus adds to every sample it scrapes, and the histogram's bucket bound.
    const added = new Set(['instance', 'job', 'le']);

    for (const { panel, expr } of exprs) {
      const names = [...expr.matchAll(/\bflow_\w+/g)].map((m) => m[0]);
      assert.ok(names.length > 0, `panel ${panel}: ${expr} queries a flow_ metric`);
      for (const name of names) assert.ok(family(name), `panel ${panel}: ${name} is not on /metrics:\n${text}`);
      // Label names in by (...), without (...) and {...} selectors: each must be one some
      // metric of the expression carries, where that metric has samples to tell.
      const used = new Set();
      for (const m of expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) for (const l of m[1].split(',')) used.add(l.trim());
      for (const m of expr.matchAll(/\{([^}]*)\}/g)) for (const l of m[1].matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)) used.add(l[1]);
      const known = new Set(added);
      let sampled = false;
      for (const name of names) {
        for (const [sample, ls] of labels) {
          if (sample === name || family(sample) === family(name)) {
            sampled = true;
            for (const l of ls) known.add(l);
          }
        }
      }
      if (!sampled) continue;
      for (const l of used) if (l) assert.ok(known.has(l), `panel ${panel}: label ${l} of ${expr} is on no sample of ${names.join(', ')}`);
    }
  });
});

// ---------------------------------------------------------------------------------
// coturn with deploy/coturn/turnserver.conf
// ---------------------------------------------------------------------------------

describe('coturn with deploy/coturn/turnserver.conf', {
  skip: installed('turnserver') && installed('turnutils_uclient') ? false : 'coturn is not installed',
}, () => {
  it('accepts the TURN logins flowd makes with the same secret, and refuses others', async () => {
    const secret = 'deploy-test-turn-secret';
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-turn-'));
    const port = await freePort();
    // The file as compose gives it, with what the container's start line adds (the secret,
    // the realm), on loopback: loopback peers allowed for the test's relay round trip.
    const proc = spawn('turnserver', [
      '-c', path.join(DEPLOY, 'coturn', 'turnserver.conf'), `--static-auth-secret=${secret}`, '--realm=localhost',
      '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`, '--allow-loopback-peers',
      '--allowed-peer-ip=127.0.0.1', `--log-file=${dir}/turn.log`, '--no-stdout-log', `--pidfile=${dir}/turn.pid`,
      `--userdb=${dir}/turndb`,
    ], { stdio: 'ignore' });
    const exited = once(proc, 'exit');
    const f = await startFlowd(['--turn-secret', secret, '--turn-urls', `turn:127.0.0.1:${port}`]);
    try {
      const { token } = await f.signIn(uniquePhone());
      const ice = await f.request('GET', '/calls/ice_servers', { token });
      assert.equal(ice.status, 200, ice.text);
      const { username, credential } = ice.json.ice_servers[0];
      assert.ok(username && credential, `a TURN login: ${ice.text}`);
      // coturn answers once it listens: wait for a refusal of a bad login, bounded.
      for (let i = 0; i < 50 && allocate(port, 'x', 'y', 1).status === null; i++) await sleep(100);
      const good = allocate(port, username, credential);
      assert.equal(good.status, 0, `flowd's login refused by coturn:\n${good.stdout}\n${good.stderr}\n${await readFile(`${dir}/turn.log`, 'utf8').catch(() => '')}`);
      assert.notEqual(allocate(port, username, `${credential}x`).status, 0, 'a wrong password is refused');
    } finally {
      await f.shutdown();
      proc.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------
// (c) docker-compose.yml
// ---------------------------------------------------------------------------------

describe('deploy/docker-compose.yml', () => {
  const compose = yaml.load(readFileSync(path.join(DEPLOY, 'docker-compose.yml'), 'utf8'));
  const services = compose.services;
  // The flowd nodes: the services built from deploy/Dockerfile.
  const nodes = Object.keys(services).filter((s) => services[s].build);
  const envOf = (s) => services[s].environment || {};
  const mounts = (s) => (services[s].volumes || []).map((v) => (typeof v === 'string' ? v.split(':') : [v.source, v.target]));

  it('runs two flowd nodes, and no nginx', () => {
    assert.deepEqual(nodes, ['flowd1', 'flowd2']);
    for (const n of nodes) assert.equal(services[n].build.dockerfile, 'deploy/Dockerfile');
    assert.ok(!Object.values(services).some((s) => /nginx/.test(s.image || '')), 'no nginx service');
    assert.ok(!existsSync(path.join(DEPLOY, 'nginx.conf')), 'no nginx.conf left');
  });

  it('pins every image to an exact version', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build) continue; // flowd, built here
      const m = /^([\w./-]+):([\w.-]+)$/.exec(s.image || '');
      assert.ok(m, `${name}: image ${s.image} has a tag`);
      const [, repo, tag] = m;
      const exact =
        /^v?\d+\.\d+\.\d+$/.test(tag) || // major.minor.patch
        /^RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/.test(tag) || // MinIO's releases
        (repo === 'postgres' && /^\d+\.\d+$/.test(tag)); // PostgreSQL 10+: major.minor is a release
      assert.ok(exact, `${name}: ${s.image} is not an exact version`);
    }
  });

  it('puts every flowd node behind Caddy and in Prometheus', async () => {
    const caddyfile = await readFile(CADDYFILE, 'utf8');
    const m = /reverse_proxy \{\$FLOW_UPSTREAMS:([^}]*)\}/.exec(caddyfile);
    assert.ok(m, 'reverse_proxy {$FLOW_UPSTREAMS:...} in the Caddyfile');
    const upstreams = (envOf('caddy').FLOW_UPSTREAMS ?? m[1]).split(/\s+/).filter(Boolean);
    const prometheus = yaml.load(await readFile(path.join(DEPLOY, 'prometheus.yml'), 'utf8'));
    const job = prometheus.scrape_configs.find((j) => j.job_name === 'flowd');
    assert.equal(job.metrics_path ?? '/metrics', '/metrics');
    const targets = job.static_configs.flatMap((c) => c.targets);
    const expected = nodes.map((n) => `${n}:${envOf(n).FLOW_PORT ?? 8000}`);
    assert.deepEqual([...upstreams].sort(), expected.sort(), "Caddy's upstreams");
    assert.deepEqual([...targets].sort(), expected.sort(), "Prometheus's targets");
    // Caddy serves 80 (ACME's challenge, the redirect) and 443 with the Caddyfile.
    assert.ok(services.caddy.ports.includes('80:80') && services.caddy.ports.includes('443:443'), 'caddy on 80 and 443');
    assert.ok(mounts('caddy').some(([src, dst]) => src === './Caddyfile' && dst === '/etc/caddy/Caddyfile'));
    for (const n of nodes) assert.ok(!services[n].ports, `${n} is reached through Caddy only`);
  });

  it('keeps every piece of state in a named volume', () => {
    const state = {
      postgres: '/var/lib/postgresql/data',
      minio: '/data',
      caddy: ['/data', '/config'],
      prometheus: '/prometheus',
      grafana: '/var/lib/grafana',
    };
    const declared = Object.keys(compose.volumes || {});
    for (const [service, paths] of Object.entries(state)) {
      for (const p of [].concat(paths)) {
        const mount = mounts(service).find(([, dst]) => dst === p);
        assert.ok(mount, `${service}: ${p} is mounted`);
        assert.ok(declared.includes(mount[0]), `${service}: ${p} is on a named volume, not ${mount[0]}`);
      }
    }
    for (const s of Object.keys(services)) {
      for (const [src, dst] of mounts(s)) {
        assert.ok(dst !== undefined, `${s}: ${src} is an anonymous volume`);
        assert.ok(src.startsWith('./') || declared.includes(src), `${s}: ${src} is declared under volumes`);
      }
    }
    // flowd keeps nothing in its data dir on this shape (the image's VOLUME): a tmpfs.
    for (const n of nodes) assert.ok((services[n].tmpfs || []).includes('/var/lib/flow'), `${n}: /var/lib/flow on a tmpfs`);
  });

  it('hands secrets over as files (Docker secrets), never in the environment', () => {
    const secrets = compose.secrets;
    for (const [name, s] of Object.entries(secrets)) {
      assert.match(s.file, new RegExp(`^\\./secrets/${name}\\.(txt|pem)$`), `secret ${name}`);
    }
    for (const [service, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(envOf(service))) {
        const v = String(value);
        if (/_FILE$/.test(key)) {
          const m = /^\/run\/secrets\/(\w+)$/.exec(v);
          assert.ok(m, `${service}: ${key}=${v} is a Docker secret`);
          assert.ok((s.secrets || []).includes(m[1]), `${service}: ${key} names secret ${m[1]}, which it lists`);
          assert.ok(secrets[m[1]], `secret ${m[1]} is declared`);
        } else if (/SECRET|PASSWORD|_KEY$/.test(key)) {
          assert.match(v, /^\/run\/secrets\/\w+$/, `${service}: ${key} holds a secret in the environment`);
        }
      }
    }
    for (const n of nodes) {
      const env = envOf(n);
      for (const setting of ['FLOW_SECRET', 'FLOW_DB', 'FLOW_S3_ACCESS_KEY', 'FLOW_S3_SECRET_KEY', 'FLOW_TURN_SECRET']) {
        assert.ok(env[`${setting}_FILE`], `${n}: ${setting}_FILE`);
        assert.equal(env[setting], undefined, `${n}: ${setting} not set as a value`);
      }
      assert.equal(env.FLOW_VAPID_PRIVATE_KEY, '/run/secrets/vapid_private_key', `${n}: one VAPID key for every node`);
    }
    assert.equal(envOf('postgres').POSTGRES_PASSWORD_FILE, '/run/secrets/postgres_password');
    assert.equal(envOf('minio').MINIO_ROOT_USER_FILE, '/run/secrets/minio_root_user');
    assert.equal(envOf('minio').MINIO_ROOT_PASSWORD_FILE, '/run/secrets/minio_root_password');
    assert.equal(envOf('grafana').GF_SECURITY_ADMIN_PASSWORD__FILE, '/run/secrets/grafana_admin_password');
  });

  it("gives coturn flowd's TURN secret and flowd coturn's URLs", () => {
    const coturn = services.coturn;
    const secretOf = (n) => /^\/run\/secrets\/(\w+)$/.exec(envOf(n).FLOW_TURN_SECRET_FILE)[1];
    for (const n of nodes) {
      assert.ok(coturn.secrets.includes(secretOf(n)), `coturn has ${n}'s TURN secret`);
      assert.ok(coturn.command.join('\n').includes(`/run/secrets/${secretOf(n)}`), "coturn's start line reads it");
      const urls = String(envOf(n).FLOW_TURN_URLS);
      assert.match(urls, /turn:\$\{FLOW_DOMAIN:-localhost\}:3478/, `${n}: FLOW_TURN_URLS names coturn`);
    }
    assert.ok(coturn.ports.includes('3478:3478/udp') && coturn.ports.includes('3478:3478/tcp'), 'coturn on 3478');
    const conf = readFileSync(path.join(DEPLOY, 'coturn', 'turnserver.conf'), 'utf8');
    const [, min] = /^min-port=(\d+)$/m.exec(conf);
    const [, max] = /^max-port=(\d+)$/m.exec(conf);
    assert.ok(coturn.ports.includes(`${min}-${max}:${min}-${max}/udp`), 'the relay ports are published');
    assert.match(conf, /^use-auth-secret$/m);
  });

  it('deploy/make-secrets.sh makes every secret, which flowd takes; git ignores them', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-secrets-'));
    try {
      await cp(path.join(DEPLOY, 'make-secrets.sh'), path.join(dir, 'make-secrets.sh'));
      const run = () =>
        new Promise((resolve, reject) =>
          execFile(path.join(dir, 'make-secrets.sh'), (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout))),
        );
      await run();
      const read = (name) => readFile(path.join(dir, compose.secrets[name].file), 'utf8');
      const before = {};
      for (const name of Object.keys(compose.secrets)) {
        before[name] = await read(name);
        assert.ok(before[name].length > 0, `${name} made`);
        const mode = (await stat(path.join(dir, compose.secrets[name].file))).mode & 0o777;
        assert.equal(mode, 0o644, `${name}: readable by the containers' users`);
      }
      assert.equal((await stat(path.join(dir, 'secrets'))).mode & 0o777, 0o700, 'the folder is its owner alone');
      const password = await read('postgres_password');
      assert.equal(await read('flow_db'), `postgresql://flow:${password}@postgres:5432/flow`);
      // Run again: every secret stays as it was.
      await run();
      for (const name of Object.keys(compose.secrets)) assert.equal(await read(name), before[name], `${name} kept`);

      // flowd takes the hashing key and the VAPID key.
      const f = await startFlowd(['--secret', await read('flow_secret'), '--vapid-private-key', path.join(dir, compose.secrets.vapid_private_key.file)]);
      try {
        const r = await f.request('GET', '/push/vapid_public_key');
        assert.equal(r.status, 200, r.text);
      } finally {
        await f.shutdown();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const file of ['deploy/secrets/flow_secret.txt', 'deploy/.env']) {
      const ignored = spawnSync('git', ['check-ignore', '-q', file], { cwd: REPO_ROOT });
      assert.equal(ignored.status, 0, `git ignores ${file}`);
    }
  });
});
