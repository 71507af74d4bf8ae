// The scenarios. Each takes a started server and the options, drives the generator's
// processes and returns {figures, details}: `figures` are the numbers of the table (flat,
// named), `details` everything else worth keeping in the JSON.
//
//   pairs: 1:1 pairs saturating: each sender keeps `window` messages in flight (sent and
//          not yet both acked and delivered), for `duration` s after a `warmup`.
//   rate:  1:1 pairs at a fixed offered rate (open loop), same measurement.
//   idle:  N authenticated idle sockets: RSS per connection and idle CPU, for each N.
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

export const SCENARIOS = {
  pairs: {
    title: '1:1 pairs, saturating',
    run: (s, o) => runPairs(s, o, 'window'),
  },
  rate: {
    title: '1:1 pairs, fixed offered rate',
    run: (s, o) => runPairs(s, o, 'rate'),
  },
  idle: {
    title: 'idle authenticated sockets',
    run: runIdle,
  },
};

/**
 * How to read each figure: its label, unit, and which way is better ('lower', 'higher',
 * or null for context figures that are not a contest).
 */
export function describe(name) {
  const [base, at] = name.split('@');
  const suffix = at ? ` @${Number(at).toLocaleString('en-US')} conns` : '';
  const d = {
    delivered_per_s: ['delivered messages/s', 'higher'],
    offered_per_s: ['offered messages/s', null],
    cpu_us_per_msg: ['server CPU-µs per delivered message', 'lower'],
    server_cores: ['server CPU (cores busy)', null],
    p50_ms: ['latency p50 (ms)', 'lower'],
    p90_ms: ['latency p90 (ms)', 'lower'],
    p99_ms: ['latency p99 (ms)', 'lower'],
    max_ms: ['latency max (ms)', 'lower'],
    lost: ['lost messages (must be 0)', 'lower'],
    order_errors: ['order/duplicate errors (must be 0)', 'lower'],
    ack_errors: ['error acks (must be 0)', 'lower'],
    unacked: ['no ack by the end of the drain (backlog)', 'lower'],
    gen_max_worker_cores: ['generator: busiest worker (cores)', null],
    machine_busy: ['machine CPU busy (share of all cores)', null],
    other_cores: ['other work on the machine (cores)', null],
    not_sent: ['due but not sent: server too far behind', 'lower'],
    server_rss_mb: ['server RSS after the run (MiB)', null],
    rss_per_conn_kb: ['RSS per idle connection (KiB)', 'lower'],
    rss_mb: ['server RSS (MiB)', 'lower'],
    idle_cpu_pct: ['idle CPU (% of a core)', 'lower'],
    connect_per_s: ['connects/s (setup)', 'higher'],
  }[base] || [base, null];
  return { label: d[0] + suffix, better: d[1] };
}
