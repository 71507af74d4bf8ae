// The scenarios. Each takes a started server and the options, drives the generator's
// processes and returns {figures, details}: `figures` are the numbers of the table (flat,
// named), `details` everything else worth keeping in the JSON.
//
//   pairs:   1:1 pairs saturating: each sender keeps `window` messages in flight (sent and
//            not yet both acked and delivered), for `duration` s after a `warmup`.
//   rate:    1:1 pairs at a fixed offered rate (open loop), same measurement; one step
//            per offered rate of the sweep, each on a fresh server.
//   idle:    N authenticated idle sockets: RSS per connection and idle CPU, for each N.
//   group:   one message at a time to a group of N connected members: send -> the last
//            member has it, for each N.
//   catchup: clients owed messages sent while they were offline connect at once: until
//            every message is delivered.
//   history: message:send acks and GET /chats/{id}/messages in chats with N messages
//            stored, for each N.
//   search:  GET /search/messages over a million stored messages in 100 chats, half of them
//            the searcher's, for words from rare to common, on SQLite then PostgreSQL
//            (Flow only).
//   fleet:   past one process's descriptor limit (Flow only, not in the default set): N
//            idle sockets over the nodes of one service (PostgreSQL, Redis), RSS per socket
//            and idle CPU of all nodes, then a message to every socket from another node.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Histogram } from './histogram.mjs';
import { cpuBetween, fdCount, memory, snapshot } from './proc.mjs';
import { pool, sleep } from './servers.mjs';
import { share, startWorkers } from './workers.mjs';

const hr = () => Number(process.hrtime.bigint());
const at = (tNs) => new Promise((r) => setTimeout(r, Math.max(0, (tNs - hr()) / 1e6)));
const round = (v, d = 3) => (v === null || v === undefined || Number.isNaN(v) ? null : Number(v.toFixed(d)));

function log(opts, ...a) {
  if (!opts.quiet) console.log(...a);
}

/** Sign-in of `n` users, timed. */
async function signIn(server, n, opts) {
  const t = Date.now();
  const users = await server.signIn(n);
  const ms = Date.now() - t;
  log(opts, `    ${n} users signed in in ${(ms / 1000).toFixed(1)} s (${Math.round((n * 1000) / ms)}/s)`);
  return { users, ms };
}

/** The generator's CPU as the workers measured it: per worker, share of one core. */
function generatorCpu(results) {
  const per = results.map((r) => (r.cpu && r.cpu.wall_us ? (r.cpu.user_us + r.cpu.system_us) / r.cpu.wall_us : null));
  const known = per.filter((x) => x !== null);
  return {
    per_worker_cores: per.map((x) => round(x)),
    max_worker_cores: known.length ? round(Math.max(...known)) : null,
    total_cores: known.length ? round(known.reduce((a, b) => a + b, 0)) : null,
  };
}

/**
 * `perf record -g` of the server over the measured interval (--perf), then the head of
 * `perf report --stdio` next to the results. Not for the figures: perf slows the server.
 */
async function startPerf(pid, opts, seconds = opts.duration) {
  const data = path.join(os.tmpdir(), `flow-bench-${opts.stamp}-${opts.scenario}-${pid}.perf.data`);
  const secs = Math.max(1, Math.floor(seconds));
  // DWARF unwinding: flowd is built without frame pointers, so plain -g gives broken stacks.
  const rec = spawn('perf', ['record', '--call-graph', 'dwarf,16384', '-F', '299', '-p', String(pid), '-o', data, '--', 'sleep', String(secs)], {
    stdio: 'ignore',
  });
  const code = await new Promise((r) => rec.on('exit', r).on('error', () => r(-1)));
  if (code !== 0) return { error: `perf record exited ${code}` };
  const report = spawnSync('perf', ['report', '-i', data, '--stdio', '--no-inline', '--no-children', '--percent-limit', '0.5'], { maxBuffer: 1 << 28 });
  const flat = spawnSync('perf', ['report', '-i', data, '--stdio', '--no-inline', '--no-children', '-g', 'none', '--percent-limit', '0.3'], { maxBuffer: 1 << 28 });
  const inclusive = spawnSync('perf', ['report', '-i', data, '--stdio', '--no-inline', '--children', '-g', 'none', '--percent-limit', '2'], { maxBuffer: 1 << 28 });
  const file = path.join(opts.out, `${opts.stamp}-${opts.scenario}-flow-perf.txt`);
  writeFileSync(file, `# perf record --call-graph dwarf -F 299 -p flowd for ${secs} s during the measured interval (${data})\n\n## flat\n${flat.stdout.toString().split('\n').slice(0, 120).join('\n')}\n\n## inclusive (children)\n${inclusive.stdout.toString().split('\n').slice(0, 150).join('\n')}\n\n## with call graphs\n${report.stdout.toString().split('\n').slice(0, 600).join('\n')}\n`);
  rmSync(`${data}.old`, { force: true });
  return { file, data };
}

async function runPairs(server, opts, mode) {
  const P = opts.pairs;
  const W = Math.min(opts.workers, P);
  const { users, ms: signInMs } = await signIn(server, 2 * P, opts);
  const t = Date.now();
  const pairs = await pool(Array.from({ length: P }, (_, i) => i), 50, async (i) => ({
    sender: `s${i}`,
    recipient: `r${i}`,
    chat_id: await server.directChat(users[2 * i], users[2 * i + 1]),
  }));
  log(opts, `    ${P} direct chats in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const workers = await startWorkers(W);
  try {
    const shares = share(pairs, W);
    const conn = await workers.all('connect', (w) => ({
      url: server.url,
      concurrency: 50,
      clients: shares[w].flatMap((p) => {
        const i = Number(p.sender.slice(1));
        return [
          { key: p.sender, token: users[2 * i].token },
          { key: p.recipient, token: users[2 * i + 1].token },
        ];
      }),
    }));
    const failed = conn.reduce((a, c) => a + c.failed, 0);
    if (failed) throw new Error(`${failed} sockets failed to connect: ${JSON.stringify(conn.map((c) => c.errors))}`);
    await sleep(1000); // presence and the like settle

    const start = hr();
    const T0 = start + opts.warmup * 1e9;
    const T1 = T0 + opts.duration * 1e9;
    const marks = {};
    const sampler = (async () => {
      await at(T0);
      marks.a = snapshot(server.pid);
      const perf = opts.perf && server.name === 'flow' ? startPerf(server.pid, opts) : null;
      await at(T1);
      marks.b = snapshot(server.pid);
      if (perf) marks.perf = await perf;
    })();
    log(opts, `    ${mode === 'rate' ? `${opts.rate} msg/s offered` : `window ${opts.window}`}: ${opts.warmup} s warm-up, ${opts.duration} s measured`);
    const results = await workers.all('pairs', (w) => ({
      pairs: shares[w],
      mode,
      window: opts.window,
      rate: (opts.rate * shares[w].length) / P,
      t0: String(T0),
      t1: String(T1),
      drainMs: opts.drainMs,
      textBytes: opts.textBytes,
      maxOutstanding: Math.ceil((opts.maxOutstanding * shares[w].length) / P),
    }));
    await sampler;
    const cpu = cpuBetween(marks.a, marks.b);
    const hist = results.map((r) => Histogram.fromJSON(r.latency)).reduce((a, h) => a.merge(h), new Histogram());
    const lag = mode === 'rate' ? results.map((r) => Histogram.fromJSON(r.send_lag)).reduce((a, h) => a.merge(h), new Histogram()) : null;
    const delivered = results.reduce((a, r) => a + r.delivered_in_window, 0);
    const checks = {};
    for (const r of results) for (const [k, v] of Object.entries(r.checks)) checks[k] = (checks[k] || 0) + v;
    const disconnects = results.reduce((a, r) => Math.max(a, r.disconnects), 0);
    const lat = hist.summaryMs();
    const gen = generatorCpu(results);
    const wall = cpu.wall_s;
    const figures = {
      delivered_per_s: round(delivered / wall, 0),
      cpu_us_per_msg: delivered ? round(cpu.cpu_us / delivered, 2) : null,
      server_cores: round(cpu.cores),
      p50_ms: round(lat.p50_ms),
      p90_ms: round(lat.p90_ms),
      p99_ms: round(lat.p99_ms),
      max_ms: round(lat.max_ms),
      lost: checks.lost,
      order_errors: checks.order_errors + checks.duplicates + checks.seq_mismatch,
      ack_errors: checks.ack_errors,
      unacked: checks.unacked,
      gen_max_worker_cores: gen.max_worker_cores,
      machine_busy: round(cpu.machine_busy),
      server_rss_mb: round(memory(server.pid)?.rss_kb / 1024, 1),
    };
    const sent = results.reduce((a, r) => a + r.sent, 0);
    const skipped = results.reduce((a, r) => a + r.skipped, 0);
    if (mode === 'rate') {
      figures.offered_per_s = opts.rate;
      figures.not_sent = skipped;
    }
    // What else ran on the machine meanwhile (other work, the kernel's share not charged
    // to a process): cores busy that neither the server nor the generator account for.
    figures.other_cores = round(cpu.machine_busy * os.cpus().length - cpu.cores - (gen.total_cores ?? 0));
    log(
      opts,
      `    delivered ${figures.delivered_per_s}/s, ${figures.cpu_us_per_msg} CPU-µs/msg (${figures.server_cores} cores), ` +
        `p50 ${figures.p50_ms} p99 ${figures.p99_ms} max ${figures.max_ms} ms; lost ${checks.lost}, order ${figures.order_errors}, ` +
        `ack errors ${figures.ack_errors}, unacked ${figures.unacked}${results.every((r) => r.drained) ? '' : ' (NOT DRAINED)'}; generator ${gen.per_worker_cores.join('+')} cores, machine ${Math.round(cpu.machine_busy * 100)}% busy`,
    );
    return {
      figures,
      details: {
        sign_in_ms: signInMs,
        sign_in_per_s: round((2 * P * 1000) / signInMs, 0),
        connect: conn.map((c) => ({ connected: c.connected, ms: c.ms })),
        sent,
        not_sent_server_behind: skipped,
        delivered_total: results.reduce((a, r) => a + r.delivered, 0),
        drained: results.every((r) => r.drained),
        checks,
        disconnects,
        latency: lat,
        send_lag: lag ? lag.summaryMs() : null,
        server_cpu: cpu,
        perf: marks.perf ?? null,
        generator: { ...gen, workers: results.map((r) => ({ cpu: r.cpu, events: r.events })) },
      },
    };
  } finally {
    await workers.stop();
  }
}

/** Connects `clients` ({key, token}) over the workers, shares[w] to worker w; throws if any fails. */
async function connectAll(server, workers, shares, concurrency = 50) {
  const t = Date.now();
  const conn = await workers.all('connect', (w) => ({ url: server.url, concurrency, clients: shares[w] }));
  const failed = conn.reduce((a, c) => a + c.failed, 0);
  if (failed) throw new Error(`${failed} sockets failed to connect: ${JSON.stringify(conn.map((c) => c.errors))}`);
  return Date.now() - t;
}

const msOf = (h) => {
  const s = h.summaryMs();
  return { count: s.count, p50_ms: round(s.p50_ms), p99_ms: round(s.p99_ms), max_ms: round(s.max_ms) };
};

async function runGroup(server, opts) {
  const sizes = [...opts.groupSizes].sort((a, b) => a - b);
  const N = sizes[sizes.length - 1];
  const W = Math.min(opts.workers, N);
  const { users, ms: signInMs } = await signIn(server, N, opts);
  // Member i of every group is user i; user 0 owns each group and sends.
  const chats = [];
  for (const n of sizes) chats.push(await server.groupChat(users[0], users.slice(1, n)));
  const workers = await startWorkers(W);
  try {
    const clients = users.map((u, i) => ({ key: `m${i}`, token: u.token }));
    const connectMs = await connectAll(server, workers, share(clients, W)); // m0 in worker 0
    await sleep(1000);
    const figures = {};
    const steps = [];
    const checks = { lost: 0, ack_errors: 0, duplicates: 0, order_errors: 0 };
    for (const [s, n] of sizes.entries()) {
      const chat_id = chats[s];
      // The members but the sender, where share() put them: member i in worker i % W.
      const members = Array.from({ length: n - 1 }, (_, k) => k + 1);
      const expect = Array.from({ length: W }, (_, w) => members.filter((i) => i % W === w).length);
      await workers.all('watch', (w) => ({ clients: members.filter((i) => i % W === w).map((i) => ({ key: `m${i}`, chat_id })) }));
      // The first sends to a group warm the servers' caches; they are kept in the JSON only.
      const warm = new Histogram();
      const last = new Histogram();
      const ack = new Histogram();
      for (let k = 0; k < opts.groupWarmup + opts.groupSends; k++) {
        const tag = `g${n}-${k}`;
        const waits = workers.list.map((w, i) => w.ask('heard', { tag, expect: expect[i], timeoutMs: opts.groupTimeoutMs }));
        const sent = await workers.list[0].ask('send', { key: 'm0', chat_id, tag, textBytes: opts.textBytes });
        const heard = await Promise.all(waits);
        const missing = n - 1 - heard.reduce((a, h) => a + h.count, 0);
        if (sent.error || missing) {
          if (sent.error) checks.ack_errors++;
          checks.lost += missing;
          log(opts, `    group of ${n}, send ${k}: ${sent.error ? `ack error ${sent.error}; ` : ''}${missing} members without it after ${opts.groupTimeoutMs} ms: the rest of this size skipped`);
          break;
        }
        const lastNs = Math.max(...heard.filter((_, i) => expect[i] > 0).map((h) => Number(BigInt(h.last_ns))));
        (k < opts.groupWarmup ? warm : last).record((lastNs - Number(BigInt(sent.stamp))) / 1000);
        if (k >= opts.groupWarmup) ack.record(sent.ack_ms * 1000);
      }
      const step = { members: n, last_member: msOf(last), warm_up: msOf(warm), sender_ack: msOf(ack) };
      steps.push(step);
      figures[`last_member_p50_ms@${n}`] = step.last_member.p50_ms;
      figures[`last_member_p99_ms@${n}`] = step.last_member.p99_ms;
      log(opts, `    group of ${n}: last member p50 ${step.last_member.p50_ms} p99 ${step.last_member.p99_ms} max ${step.last_member.max_ms} ms over ${step.last_member.count} sends (ack p50 ${step.sender_ack.p50_ms} ms)`);
    }
    const heard = await workers.all('heard', { expect: 0 }); // the counters, at once
    checks.duplicates = heard.reduce((a, h) => a + h.duplicates, 0);
    checks.order_errors = heard.reduce((a, h) => a + h.order_errors, 0);
    Object.assign(figures, { lost: checks.lost, order_errors: checks.duplicates + checks.order_errors, ack_errors: checks.ack_errors });
    return { figures, details: { sign_in_ms: signInMs, connect_ms: connectMs, checks, steps } };
  } finally {
    await workers.stop();
  }
}

const CATCHUP_PER_SENDER = 10; // recipients each sender has a direct chat with
const FILL_WINDOW = 256; // messages in flight per worker while the backlog is sent

async function runCatchup(server, opts) {
  const R = opts.catchupClients;
  const M = opts.catchupMessages;
  const S = Math.ceil(R / CATCHUP_PER_SENDER);
  const W = opts.workers;
  // Recipients sign in (their device exists) before the chats do: all of the chat is owed.
  const { users, ms: signInMs } = await signIn(server, S + R, opts);
  const senders = users.slice(0, S).map((u, i) => ({ key: `s${i}`, token: u.token }));
  const recipients = users.slice(S).map((u, j) => ({ key: `r${j}`, token: u.token, sender: Math.floor(j / CATCHUP_PER_SENDER) }));
  let t = Date.now();
  await pool(recipients, 50, async (r, j) => {
    r.chat_id = await server.directChat(users[r.sender], users[S + j]);
  });
  log(opts, `    ${R} direct chats in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const workers = await startWorkers(W);
  try {
    await connectAll(server, workers, share(senders, W));
    // The backlog, while the recipients are offline: sender i is in worker i % W.
    t = Date.now();
    const fill = await workers.all('fill', (w) => ({
      sends: recipients.filter((r) => r.sender % W === w).map((r) => ({ key: `s${r.sender}`, chat_id: r.chat_id, count: M })),
      window: FILL_WINDOW,
      textBytes: opts.textBytes,
    }));
    const fillMs = Date.now() - t;
    const ackErrors = fill.reduce((a, f) => a + f.ack_errors, 0);
    log(opts, `    ${R * M} messages sent to offline recipients in ${(fillMs / 1000).toFixed(1)} s (${Math.round((R * M * 1000) / fillMs)}/s), ${ackErrors} ack errors`);
    if (ackErrors) throw new Error(`${ackErrors} sends of the backlog failed: ${JSON.stringify(fill.map((f) => f.errors))}`);
    await sleep(1000);

    const shares = share(recipients, W);
    await workers.all('watch', (w) => ({ clients: shares[w].map((r) => ({ key: r.key, chat_id: r.chat_id })) }));
    const t0 = hr();
    const connectMs = await connectAll(server, workers, shares, opts.catchupConcurrency);
    const heard = await workers.all('heard', (w) => ({ expect: shares[w].length * M, timeoutMs: opts.catchupTimeoutMs }));
    const delivered = heard.reduce((a, h) => a + h.count, 0);
    const allMs = (Math.max(...heard.map((h) => Number(BigInt(h.last_ns)))) - t0) / 1e6;
    const checks = {
      lost: R * M - delivered,
      duplicates: heard.reduce((a, h) => a + h.duplicates, 0),
      order_errors: heard.reduce((a, h) => a + h.order_errors, 0),
      unexpected: heard.reduce((a, h) => a + h.unexpected, 0),
    };
    const figures = {
      all_delivered_ms: checks.lost ? null : round(allMs, 1),
      catchup_per_s: checks.lost ? null : round((R * M * 1000) / allMs, 0),
      connected_ms: connectMs,
      lost: checks.lost,
      order_errors: checks.duplicates + checks.order_errors,
      server_rss_mb: round(memory(server.pid)?.rss_kb / 1024, 1),
    };
    log(
      opts,
      `    ${R} clients connected in ${connectMs} ms; ${delivered} of ${R * M} delivered` +
        `${checks.lost ? ` (${checks.lost} LOST after ${opts.catchupTimeoutMs} ms)` : ` in ${figures.all_delivered_ms} ms`}; duplicates ${checks.duplicates}, order ${checks.order_errors}`,
    );
    return {
      figures,
      details: { sign_in_ms: signInMs, senders: S, fill_ms: fillMs, fill_per_s: round((R * M * 1000) / fillMs, 0), checks },
    };
  } finally {
    await workers.stop();
  }
}

/** `ops` GETs of the default (newest) page of a chat's history, each checked and timed. */
async function readHistory(server, user, chatId, stored, ops) {
  const h = new Histogram();
  let errors = 0;
  for (let k = 0; k < ops; k++) {
    const t = hr();
    const res = await fetch(`${server.url}/chats/${chatId}/messages`, { headers: { authorization: `Bearer ${user.token}` } });
    const body = await res.json().catch(() => null);
    h.record((hr() - t) / 1000);
    const items = body?.items;
    if (res.status !== 200 || items?.length !== Math.min(50, stored) || items[items.length - 1].seq !== stored) errors++;
  }
  return { h, errors };
}

async function runHistory(server, opts) {
  const sizes = [...opts.historySizes].sort((a, b) => a - b);
  // A pair of users and their direct chat for each size.
  const { users, ms: signInMs } = await signIn(server, 2 * sizes.length, opts);
  const chats = await Promise.all(sizes.map((_, i) => server.directChat(users[2 * i], users[2 * i + 1])));
  let t = Date.now();
  await server.fill(
    sizes.map((count, i) => ({ chat_id: chats[i], sender_ids: [users[2 * i].id, users[2 * i + 1].id], count })),
    opts.textBytes,
  );
  const fillMs = Date.now() - t;
  log(opts, `    ${sizes.map((n) => n.toLocaleString('en-US')).join(' and ')} messages stored in ${(fillMs / 1000).toFixed(1)} s`);
  const workers = await startWorkers(1);
  try {
    await connectAll(server, workers, [users.map((u, i) => ({ key: `h${i}`, token: u.token }))]);
    await sleep(1000);
    const figures = {};
    const steps = [];
    let errors = 0;
    for (const [i, n] of sizes.entries()) {
      t = Date.now();
      // Reads first, while the chat holds exactly n messages; then the sends.
      const reads = await readHistory(server, users[2 * i], chats[i], n, opts.historyOps);
      const send = new Histogram();
      let sendErrors = 0;
      for (let k = 0; k < opts.historyOps; k++) {
        const r = await workers.list[0].ask('send', { key: `h${2 * i}`, chat_id: chats[i], tag: `h${k}`, textBytes: opts.textBytes });
        send.record(r.ack_ms * 1000);
        if (r.error || r.seq !== n + k + 1) sendErrors++;
      }
      errors += reads.errors + sendErrors;
      const step = { stored: n, history: msOf(reads.h), history_errors: reads.errors, send: msOf(send), send_errors: sendErrors, seconds: (Date.now() - t) / 1000 };
      steps.push(step);
      figures[`send_p50_ms@${n}`] = step.send.p50_ms;
      figures[`send_p99_ms@${n}`] = step.send.p99_ms;
      figures[`history_p50_ms@${n}`] = step.history.p50_ms;
      figures[`history_p99_ms@${n}`] = step.history.p99_ms;
      log(opts, `    ${n} stored: send ack p50 ${step.send.p50_ms} p99 ${step.send.p99_ms} ms; history page p50 ${step.history.p50_ms} p99 ${step.history.p99_ms} ms; ${reads.errors + sendErrors} errors`);
    }
    figures.errors = errors;
    figures.server_rss_mb = round(memory(server.pid)?.rss_kb / 1024, 1);
    return { figures, details: { sign_in_ms: signInMs, fill_ms: fillMs, steps } };
  } finally {
    await workers.stop();
  }
}

async function runIdle(server, opts) {
  const counts = [...opts.idle].sort((a, b) => a - b);
  const max = counts[counts.length - 1];
  const W = opts.idleWorkers;
  const { users, ms: signInMs } = await signIn(server, max, opts);
  const workers = await startWorkers(W);
  // Each worker its own source addresses (127.0.0.x), so no source runs out of ports.
  const perWorker = 4;
  const addrs = (w) => Array.from({ length: perWorker }, (_, k) => `127.0.0.${10 + w * perWorker + k}`);
  try {
    await sleep(2000);
    const base = memory(server.pid);
    const fds0 = fdCount(server.pid);
    log(opts, `    before: RSS ${(base.rss_kb / 1024).toFixed(1)} MiB, ${fds0} fds`);
    const figures = { 'rss_mb@0': round(base.rss_kb / 1024, 1) };
    const steps = [];
    let open = 0;
    for (const n of counts) {
      const batch = users.slice(open, n).map((u, i) => ({ key: `c${open + i}`, token: u.token }));
      const t = Date.now();
      const conn = await workers.all('connect', (w) => ({
        url: server.url,
        concurrency: 100,
        localAddresses: addrs(w),
        clients: share(batch, W)[w],
      }));
      const connectMs = Date.now() - t;
      const failed = conn.reduce((a, c) => a + c.failed, 0);
      if (failed) throw new Error(`${failed} of ${batch.length} sockets failed to connect: ${JSON.stringify(conn.map((c) => c.errors))}`);
      open = n;
      await sleep(opts.settleMs);
      const mem = memory(server.pid);
      const perConnKb = (mem.rss_kb - base.rss_kb) / n;
      figures[`rss_per_conn_kb@${n}`] = round(perConnKb, 2);
      figures[`rss_mb@${n}`] = round(mem.rss_kb / 1024, 1);
      figures[`connect_per_s@${n}`] = round((batch.length * 1000) / connectMs, 0);
      const step = {
        connections: n,
        rss_kb: mem.rss_kb,
        rss_anon_kb: mem.rss_anon_kb,
        base_rss_kb: base.rss_kb,
        rss_per_conn_kb: round(perConnKb, 3),
        threads: mem.threads,
        fds: fdCount(server.pid),
        connect_ms: connectMs,
      };
      let said = `    ${n} idle sockets: RSS ${(mem.rss_kb / 1024).toFixed(1)} MiB, ${perConnKb.toFixed(2)} KiB/conn; connected at ${figures[`connect_per_s@${n}`]}/s`;
      // Idle CPU at the largest count, over a whole ping interval (25 s on both servers) so
      // that every socket is pinged once in it, wherever the window falls.
      if (n === max) {
        const gen0 = await workers.all('cpu');
        const a = snapshot(server.pid);
        const perf = opts.perf && server.name === 'flow' ? startPerf(server.pid, opts, opts.idleSeconds) : null;
        await sleep(opts.idleSeconds * 1000);
        const b = snapshot(server.pid);
        if (perf) step.perf = await perf;
        const gen1 = await workers.all('cpu');
        const cpu = cpuBetween(a, b);
        const genCores = gen1.map((g, i) => {
          const us = g.cpu.user + g.cpu.system - gen0[i].cpu.user - gen0[i].cpu.system;
          return round(us / ((Number(BigInt(g.now)) - Number(BigInt(gen0[i].now))) / 1000), 4);
        });
        const pings = gen1.reduce((x, g, i) => x + g.pings - gen0[i].pings, 0);
        // schedstat's nanoseconds rather than stat's 10 ms ticks: an idle server uses little.
        const idleCores = cpu.sched_cpu_us !== null ? cpu.sched_cpu_us / (cpu.wall_s * 1e6) : cpu.cores;
        figures[`idle_cpu_pct@${n}`] = round(idleCores * 100, 3);
        Object.assign(step, { idle_cpu: cpu, idle_cpu_pct: round(idleCores * 100, 4), pings_answered: pings, generator_cores: genCores });
        said += `; idle CPU ${(idleCores * 100).toFixed(3)}% over ${opts.idleSeconds} s (${pings} pings answered); generator ${genCores.join('+')} cores`;
      }
      const gen = await workers.all('cpu');
      const stillOpen = gen.reduce((x, g) => x + g.open, 0);
      const disconnects = gen.reduce((x, g) => x + g.disconnects, 0);
      Object.assign(step, { still_open: stillOpen, disconnects });
      steps.push(step);
      log(opts, `${said}; ${stillOpen} open, ${disconnects} dropped`);
      if (stillOpen !== n) throw new Error(`${n - stillOpen} of ${n} idle sockets were dropped`);
    }
    return { figures, details: { sign_in_ms: signInMs, sign_in_per_s: round((max * 1000) / signInMs, 0), base, fds_before: fds0, steps } };
  } finally {
    await workers.stop();
  }
}

// search: message k (0, 1, ... in the order stored) is in chat k % 100, seq k / 100 + 1,
// and its text is 6 filler words (w0 to w20010, each in about 300 messages) after the
// words these queries look for. The searcher is in chats 0 to 49.
const SEARCH_CHATS = 100;
const SEARCH_MINE = 50;
const SEARCH_WORDS = [
  ['hello', 'k % 13 = 7'],
  ['Café', 'k % 997 = 3'],
  ['needle', 'k % 100003 = 12345'],
  ['secret', `k % ${SEARCH_CHATS} >= ${SEARCH_MINE} AND k % 11 = 5`],
];
const SEARCH_QUERIES = [
  { key: 'rare', label: 'a rare word (1 message in 100,003)', q: 'needle', match: (k) => k % 100003 === 12345 },
  { key: 'thousandth', label: 'a word in 1 message of 997', q: 'cafe', match: (k) => k % 997 === 3 },
  { key: 'common', label: 'a word in 1 message of 13', q: 'hello', match: (k) => k % 13 === 7 },
  { key: 'two words', label: 'two words', q: 'hello cafe', match: (k) => k % 13 === 7 && k % 997 === 3 },
  { key: 'common, one chat', label: 'a word in 1 of 13, in one chat', q: 'hello', chat: 1, match: (k) => k % 13 === 7 },
  { key: 'common, page 2', label: 'a word in 1 of 13, the second page', q: 'hello', page: 2, match: (k) => k % 13 === 7 },
  { key: 'others only', label: "a word only in others' chats (1 of 22)", q: 'secret', match: (k) => k % SEARCH_CHATS >= SEARCH_MINE && k % 11 === 5 },
];

/**
 * The SQL that stores `n` messages in the chats `chats` ([{chat_id, a, b}], chat c's
 * senders a and b taking turns), in flowd's tables as flowd writes them, for each engine;
 * its chats' last_seq, members' marks and device cursors then at their ends.
 */
function searchFillSql(chats, n) {
  const now = Date.now();
  const text = [...SEARCH_WORDS.map(([w, when]) => `CASE WHEN ${when} THEN '${w} ' ELSE '' END`),
    ...[7919, 7927, 7933, 7937, 7949, 7951].map((m, j) => `'w' || ((k * ${m} + ${j * 104729}) % 20011)${j < 5 ? " || ' '" : ''}`)].join(' || ');
  // Ids of flowd's form: the time in 10 base-32 digits, then random ones.
  const idTime = (cast) => Array.from({ length: 10 }, (_, d) => `substr('0123456789abcdefghjkmnpqrstvwxyz', ((at >> ${5 * (9 - d)}) & 31)${cast} + 1, 1)`).join(' || ');
  const values = chats.map((c, i) => `(${i}, '${c.chat_id}', '${c.a}', '${c.b}')`).join(', ');
  const select = (id, rows) => `INSERT INTO messages (id, chat_id, seq, sender_id, client_id, type, text, created_at)
SELECT ${id}, (SELECT chat_id FROM bench_chats WHERE c = k % ${SEARCH_CHATS}), k / ${SEARCH_CHATS} + 1,
  (SELECT CASE (k / ${SEARCH_CHATS}) % 2 WHEN 0 THEN a ELSE b END FROM bench_chats WHERE c = k % ${SEARCH_CHATS}),
  'search-' || k, 'text', ${text}, at
FROM (SELECT k, ${now} - (${n} - k) * 10 AS at FROM ${rows}) AS m`;
  const ends = [
    `UPDATE chats SET last_seq = (SELECT max(seq) FROM messages WHERE chat_id = chats.id), active_at = ${now} WHERE id IN (SELECT chat_id FROM bench_chats)`,
    'UPDATE participants SET read_seq = (SELECT last_seq FROM chats WHERE id = chat_id), delivered_seq = (SELECT last_seq FROM chats WHERE id = chat_id) WHERE chat_id IN (SELECT chat_id FROM bench_chats)',
    `INSERT INTO device_cursors (session_id, chat_id, delivered_seq)
  SELECT s.id, p.chat_id, p.delivered_seq FROM sessions s JOIN participants p ON p.user_id = s.user_id WHERE p.chat_id IN (SELECT chat_id FROM bench_chats)
  ON CONFLICT (session_id, chat_id) DO UPDATE SET delivered_seq = excluded.delivered_seq`,
  ];
  return {
    sqlite: ['BEGIN;', `CREATE TEMP TABLE bench_chats (c INTEGER PRIMARY KEY, chat_id TEXT, a TEXT, b TEXT);`,
      `INSERT INTO bench_chats VALUES ${values};`,
      `WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < ${n - 1})`,
      `${select(`${idTime('')} || lower(hex(randomblob(8)))`, 'n')};`, ...ends.map((e) => `${e};`), 'COMMIT;'].join('\n'),
    postgresql: [
      'CREATE TEMP TABLE bench_chats (c INTEGER PRIMARY KEY, chat_id TEXT, a TEXT, b TEXT)',
      `INSERT INTO bench_chats VALUES ${values}`,
      select(`${idTime('::int')} || substr(md5(k::text), 1, 16)`, `generate_series(CAST(0 AS BIGINT), ${n - 1}) AS k`),
      ...ends,
      // What autovacuum does after a bulk load, at once: statistics, and the GIN index's
      // pending list merged in.
      'VACUUM ANALYZE messages',
    ],
  };
}

/** Searches `ops` times for one query, each answer timed and checked against what it must hold. */
async function timeSearch(server, user, query, expected, ops) {
  const h = new Histogram();
  let errors = 0;
  const headers = { authorization: `Bearer ${user.token}` };
  const url = (params) => `${server.url}/search/messages?${new URLSearchParams(params)}`;
  const params = { q: query.q, ...(query.chat_id ? { chat_id: query.chat_id } : {}) };
  if (query.page === 2) params.before = (await fetch(url(params), { headers }).then((r) => r.json())).next_before;
  const target = url(params);
  for (let k = 0; k < ops; k++) {
    const t = hr();
    const res = await fetch(target, { headers });
    const body = await res.json().catch(() => null);
    h.record((hr() - t) / 1000);
    const items = body?.items;
    if (res.status !== 200 || items?.length !== expected.length || items.some((m, i) => m.seq !== expected[i].seq || m.chat_id !== expected[i].chat_id)) errors++;
  }
  return { h, errors };
}

async function runSearch(server, opts) {
  const n = opts.searchMessages;
  const { users, ms: signInMs } = await signIn(server, 1 + SEARCH_CHATS + (SEARCH_CHATS - SEARCH_MINE), opts);
  const [me, ...others] = users;
  const chats = await pool(Array.from({ length: SEARCH_CHATS }, (_, c) => c), 20, async (c) => {
    const a = c < SEARCH_MINE ? me : others[SEARCH_CHATS + c - SEARCH_MINE];
    const b = others[c];
    return { chat_id: await server.directChat(a, b), a: a.id, b: b.id };
  });
  let t = Date.now();
  await server.sql(searchFillSql(chats, n));
  const fillMs = Date.now() - t;
  log(opts, `    ${n.toLocaleString('en-US')} messages stored (${server.engine}) in ${(fillMs / 1000).toFixed(1)} s`);

  const figures = {};
  const steps = [];
  let errors = 0;
  for (const asked of SEARCH_QUERIES) {
    const query = { ...asked, chat_id: asked.chat === undefined ? undefined : chats[asked.chat].chat_id };
    // What the page must hold: the searcher's matches, newest first.
    const visible = [];
    for (let k = n - 1; k >= 0 && visible.length < 100; k--) {
      const c = k % SEARCH_CHATS;
      if (c < SEARCH_MINE && (query.chat === undefined || c === query.chat) && query.match(k))
        visible.push({ chat_id: chats[c].chat_id, seq: Math.floor(k / SEARCH_CHATS) + 1 });
    }
    const expected = query.page === 2 ? visible.slice(50, 100) : visible.slice(0, 50);
    await timeSearch(server, me, query, expected, opts.searchWarmup);
    const r = await timeSearch(server, me, query, expected, opts.searchOps);
    errors += r.errors;
    const step = { query: query.label, q: query.q, chat_id: query.chat_id ?? null, page: query.page ?? 1, found: expected.length, ...msOf(r.h), errors: r.errors };
    steps.push(step);
    figures[`search_p50_ms@${server.engine}: ${query.key}`] = step.p50_ms;
    figures[`search_p99_ms@${server.engine}: ${query.key}`] = step.p99_ms;
    log(opts, `    ${query.label} ("${query.q}"${query.chat_id ? ', one chat' : ''}${query.page ? ', page 2' : ''}; ${expected.length} on the page): p50 ${step.p50_ms} p99 ${step.p99_ms} max ${step.max_ms} ms; ${r.errors} errors`);
  }
  figures[`errors@${server.engine}`] = errors;
  figures[`fill_s@${server.engine}`] = round(fillMs / 1000, 1);
  figures[`server_rss_mb@${server.engine}`] = round(memory(server.pid)?.rss_kb / 1024, 1);
  return { figures, details: { engine: server.engine, messages: n, sign_in_ms: signInMs, fill_ms: fillMs, steps } };
}

const FLEET_SOCKETS_PER_WORKER = 15000; // under a worker's descriptor limit (20,000 here)

/**
 * fleet: N sockets, client i of user i on node i mod K, so that users 2j and 2j+1 (one
 * direct chat) sit on different nodes. Once all are connected and settled: RSS per socket
 * (every node's growth over its own baseline, summed, over N) and the idle CPU of all
 * nodes over a ping interval. Then every user sends one message into its chat: every
 * socket must hear exactly one, its partner's, which crossed nodes through Redis.
 */
async function runFleet(fleet, opts) {
  const N = opts.fleetSockets - (opts.fleetSockets % 2);
  const K = fleet.nodes.length;
  const W = Math.max(1, Math.ceil(N / FLEET_SOCKETS_PER_WORKER));
  const { users, ms: signInMs } = await signIn(fleet, N, opts);
  let t = Date.now();
  const chats = await pool(Array.from({ length: N / 2 }, (_, j) => j), 100, (j) => fleet.directChat(users[2 * j], users[2 * j + 1], j));
  const chatsMs = Date.now() - t;
  log(opts, `    ${N / 2} direct chats in ${(chatsMs / 1000).toFixed(1)} s`);
  const clients = users.map((u, i) => ({ key: `c${i}`, token: u.token, chat_id: chats[i >> 1], node: i % K, worker: i % W }));
  const mine = (w) => clients.filter((c) => c.worker === w);
  const addrs = (w) => Array.from({ length: 4 }, (_, k) => `127.0.${1 + w}.${10 + k}`);
  const workers = await startWorkers(W);
  try {
    await workers.all('watch', (w) => ({ clients: mine(w).map(({ key, chat_id }) => ({ key, chat_id })) }));
    await sleep(2000);
    const base = fleet.pids.map(memory);
    t = Date.now();
    for (let k = 0; k < K; k++) {
      const conn = await workers.all('connect', (w) => ({
        url: fleet.nodes[k].url,
        concurrency: 100,
        localAddresses: addrs(w),
        clients: mine(w).filter((c) => c.node === k).map(({ key, token }) => ({ key, token })),
      }));
      const failed = conn.reduce((a, c) => a + c.failed, 0);
      if (failed) throw new Error(`${failed} sockets failed to connect to node ${k}: ${JSON.stringify(conn.map((c) => c.errors))}`);
    }
    const connectMs = Date.now() - t;
    await sleep(opts.settleMs);
    const mem = fleet.pids.map(memory);
    const grown = mem.map((m, k) => m.rss_kb - base[k].rss_kb);
    const perSocketKb = grown.reduce((a, b) => a + b, 0) / N;
    log(opts, `    ${N} idle sockets on ${K} nodes (connected at ${Math.round((N * 1000) / connectMs)}/s): ${perSocketKb.toFixed(2)} KiB/socket; RSS per node ${mem.map((m) => (m.rss_kb / 1024).toFixed(0)).join(', ')} MiB`);

    const gen0 = await workers.all('cpu');
    const a = fleet.pids.map(snapshot);
    await sleep(opts.idleSeconds * 1000);
    const b = fleet.pids.map(snapshot);
    const gen1 = await workers.all('cpu');
    const perNode = a.map((x, k) => {
      const cpu = cpuBetween(x, b[k]);
      return cpu.sched_cpu_us !== null ? cpu.sched_cpu_us / (cpu.wall_s * 1e6) : cpu.cores;
    });
    const idleCores = perNode.reduce((x, y) => x + y, 0);
    const pings = gen1.reduce((x, g, i) => x + g.pings - gen0[i].pings, 0);
    const open = gen1.reduce((x, g) => x + g.open, 0);
    log(opts, `    idle CPU of all nodes ${(idleCores * 100).toFixed(2)}% of a core over ${opts.idleSeconds} s (${pings} pings answered); ${open} open`);
    if (open !== N) throw new Error(`${N - open} of ${N} idle sockets were dropped`);

    t = Date.now();
    const sent = await workers.all('fill', (w) => ({ sends: mine(w).map(({ key, chat_id }) => ({ key, chat_id, count: 1 })), window: 64, textBytes: opts.textBytes }));
    const heard = await workers.all('heard', (w) => ({ expect: mine(w).length, timeoutMs: 60000 }));
    const deliverMs = Date.now() - t;
    const acked = sent.reduce((x, r) => x + r.acked, 0);
    const received = heard.reduce((x, r) => x + r.count, 0);
    // Each socket hears one message, seq 1 or 2 of its chat: order is not checked here.
    const wrong = heard.reduce((x, r) => x + r.duplicates + r.unexpected, 0);
    log(opts, `    ${acked} messages acked, ${received} of ${N} sockets heard theirs in ${(deliverMs / 1000).toFixed(1)} s; ${wrong} duplicates or unexpected`);
    return {
      figures: {
        [`rss_per_conn_kb@${N}`]: round(perSocketKb, 2),
        [`idle_cpu_pct@${N}`]: round(idleCores * 100, 3),
        [`connect_per_s@${N}`]: round((N * 1000) / connectMs, 0),
        nodes: K,
        sockets_heard: received,
        lost: N - received,
        ack_errors: sent.reduce((x, r) => x + r.ack_errors, 0),
        wrong_messages: wrong,
      },
      details: {
        sign_in_ms: signInMs,
        chats_ms: chatsMs,
        connect_ms: connectMs,
        deliver_ms: deliverMs,
        workers: W,
        base,
        after: mem,
        idle_cpu_per_node_pct: perNode.map((x) => round(x * 100, 3)),
        pings_answered: pings,
        fill_errors: sent.flatMap((r) => r.errors),
      },
    };
  } finally {
    await workers.stop();
  }
}

/** The figures of a sweep step of `rate`, named for its offered rate. */
function sweepFigures(r, rate) {
  const f = r.figures;
  return {
    figures: {
      [`delivered_per_s@${rate}`]: f.delivered_per_s,
      [`cpu_us_per_msg@${rate}`]: f.cpu_us_per_msg,
      [`p50_ms@${rate}`]: f.p50_ms,
      [`p99_ms@${rate}`]: f.p99_ms,
      [`errors@${rate}`]: f.lost + f.order_errors + f.ack_errors,
    },
    details: { all_figures: f, ...r.details },
  };
}

export const SCENARIOS = {
  pairs: {
    title: '1:1 pairs, saturating',
    run: (s, o) => runPairs(s, o, 'window'),
  },
  rate: {
    title: '1:1 pairs, fixed offered rate',
    // Each offered rate on a fresh server; the full figures for --rate, a few for the others,
    // which run once.
    steps: (o) =>
      [...new Set([...o.rates, o.rate])]
        .sort((a, b) => a - b)
        .map((rate) => ({ label: `${rate.toLocaleString('en-US')} msg/s offered`, rate, ...(rate !== o.rate && { sweep: true, runs: 1 }) })),
    run: async (s, o) => {
      const r = await runPairs(s, o, 'rate');
      return o.sweep ? sweepFigures(r, o.rate) : r;
    },
  },
  idle: {
    title: 'idle authenticated sockets',
    run: runIdle,
  },
  group: {
    title: 'one message to a group, all members connected',
    run: runGroup,
  },
  catchup: {
    title: 'catch-up of clients owed messages, connecting at once',
    runs: 1,
    run: runCatchup,
  },
  history: {
    title: 'sends and history reads against stored history',
    runs: 1,
    run: runHistory,
  },
  search: {
    title: 'full-text search over stored messages',
    runs: 1,
    servers: ['flow'],
    // SQLite, then PostgreSQL on a throwaway server of its own (scripts/postgres.sh).
    steps: (o) => o.searchEngines.map((engine) => ({ label: engine, postgres: engine === 'postgresql' })),
    run: runSearch,
  },
  fleet: {
    title: 'idle sockets over several nodes of one service, then a message to each',
    runs: 1,
    servers: ['flow'],
    fleet: true,
    run: runFleet,
  },
};

/**
 * How to read each figure: its label, unit, and which way is better ('lower', 'higher',
 * or null for context figures that are not a contest).
 */
export function describe(name) {
  const [base, at] = name.split('@');
  const d = {
    delivered_per_s: ['delivered messages/s', 'higher', 'msg/s offered'],
    offered_per_s: ['offered messages/s', null],
    cpu_us_per_msg: ['server CPU-µs per delivered message', 'lower', 'msg/s offered'],
    server_cores: ['server CPU (cores busy)', null],
    p50_ms: ['latency p50 (ms)', 'lower', 'msg/s offered'],
    p90_ms: ['latency p90 (ms)', 'lower'],
    p99_ms: ['latency p99 (ms)', 'lower', 'msg/s offered'],
    max_ms: ['latency max (ms)', 'lower'],
    lost: ['lost messages (must be 0)', 'lower'],
    order_errors: ['order/duplicate errors (must be 0)', 'lower'],
    ack_errors: ['error acks (must be 0)', 'lower'],
    errors: ['errors: lost, order, acks, answers (must be 0)', 'lower', 'msg/s offered'],
    unacked: ['no ack by the end of the drain (backlog)', 'lower'],
    gen_max_worker_cores: ['generator: busiest worker (cores)', null],
    machine_busy: ['machine CPU busy (share of all cores)', null],
    other_cores: ['other work on the machine (cores)', null],
    not_sent: ['due but not sent: server too far behind', 'lower'],
    server_rss_mb: ['server RSS after the run (MiB)', null],
    rss_per_conn_kb: ['RSS per idle connection (KiB)', 'lower', 'conns'],
    rss_mb: ['server RSS (MiB)', 'lower', 'conns'],
    idle_cpu_pct: ['idle CPU (% of a core)', 'lower', 'conns'],
    connect_per_s: ['connects/s (setup)', 'higher', 'conns'],
    last_member_p50_ms: ['send → last member has it, p50 (ms)', 'lower', 'members'],
    last_member_p99_ms: ['send → last member has it, p99 (ms)', 'lower', 'members'],
    all_delivered_ms: ['connect → all owed messages delivered (ms)', 'lower'],
    catchup_per_s: ['owed messages delivered/s', 'higher'],
    connected_ms: ['all sockets connected (ms)', 'lower'],
    send_p50_ms: ['message:send ack p50 (ms)', 'lower', 'stored'],
    send_p99_ms: ['message:send ack p99 (ms)', 'lower', 'stored'],
    history_p50_ms: ['GET newest history page p50 (ms)', 'lower', 'stored'],
    history_p99_ms: ['GET newest history page p99 (ms)', 'lower', 'stored'],
    nodes: ['flowd nodes', null],
    sockets_heard: ['sockets that heard their message', 'higher'],
    wrong_messages: ['duplicate or unexpected messages (must be 0)', 'lower'],
    search_p50_ms: ['search p50 (ms)', 'lower'],
    search_p99_ms: ['search p99 (ms)', 'lower'],
    fill_s: ['messages stored in (s)', null],
  }[base] || [base, null];
  // `@` and a count (of connections, members...), or words (search: the engine, the query).
  const suffix = !at ? '' : Number.isNaN(Number(at)) ? ` @${at}` : ` @${Number(at).toLocaleString('en-US')} ${d[2] ?? ''}`.trimEnd();
  return { label: d[0] + suffix, better: d[1] };
}
