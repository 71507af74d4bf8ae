#!/usr/bin/env node
// Flow against a Node socket.io peer, side by side: `make bench` (or `make bench QUICK=1`).
//
//   node bench/run.mjs [--quick] [--runs N] [--scenarios pairs,rate,idle,group,catchup,history,search]
//                      [--servers flow,peer] [--pairs 500] [--window 16] [--warmup 5]
//                      [--duration 10] [--rate 10000] [--rates 1000,2500,5000]
//                      [--idle 2000,10000,max] [--idle-seconds 26] [--workers 2] [--idle-workers 4]
//                      [--group-sizes 10,100,1000] [--group-sends 50] [--group-warmup 5]
//                      [--catchup-clients 5000] [--catchup-messages 20]
//                      [--history-sizes 1,1000000] [--history-ops 200]
//                      [--search-messages 1000000] [--search-ops 100] [--search-engines sqlite,postgresql]
//                      [--fleet-sockets 100000] [--fleet-nodes 6]
//                      [--flowd build/flowd] [--flow-args "--log-level warn"] [--text-bytes 64]
//                      [--perf]   (perf record of flowd while measuring: a profile, not figures)
//                      [--wait-quiet SECONDS] [--max-outstanding 20000]
//   node bench/run.mjs --redraw STAMP   (the charts again from bench/results/STAMP-*.json)
//
// For each scenario and run it starts one server (flowd on a fresh data dir in /tmp, or the
// peer), never both at once, runs the scenario, stops it, then the other server; the order
// alternates between runs. rate starts a fresh server for each offered rate of --rates and
// --rate (full figures for --rate, latency and errors for the others). idle's `max` is the
// server's descriptor limit less 500, at most 19,500. --runs defaults to 3, but to 1 for
// catchup, history and search (minutes each: 100,000 messages sent first; a million
// stored) and for the rates of --rates (the sweep's chart), so that `make bench` takes 25
// to 30 minutes; --quick makes everything small and runs it once. Every scenario's runs go to
// bench/results/<stamp>-<scenario>.json, the table (medians over the runs) to the terminal
// and bench/results/<stamp>-table.md. `--scenarios fleet` (not in the default set, Flow
// only, about 10 minutes) holds --fleet-sockets idle sockets over --fleet-nodes flowd nodes
// of one service, with the PostgreSQL and Redis of scripts/, past one process's
// descriptor limit.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, REPO_ROOT, startFlow, startFlowFleet, startPeer } from './lib/servers.mjs';
import { SCENARIOS, describe } from './lib/scenarios.mjs';
import { writeCharts } from './lib/charts.mjs';
import { machineBusy, machineCpu } from './lib/proc.mjs';

const HELP = readFileSync(new URL(import.meta.url), 'utf8')
  .split('\n')
  .slice(1, 30)
  .map((l) => l.replace(/^\/\/ ?/, ''))
  .join('\n');

/**
 * The most idle sockets a server can hold: its descriptor limit (both are started with the
 * soft limit raised to the hard one) less 500 for its own files, at most 19,500 so that
 * the default run stays bounded.
 */
function idleMax() {
  const hard = Number(spawnSync('/bin/sh', ['-c', 'ulimit -Hn']).stdout.toString().trim());
  return Math.min(Number.isFinite(hard) ? hard : 20000, 20000) - 500;
}

const counts = (s) => s.split(',').map((x) => (x === 'max' ? idleMax() : Number(x))).filter((x) => Number.isInteger(x) && x > 0);

function parseArgs(argv) {
  const quick = argv.includes('--quick') || ['1', 'true', 'yes'].includes(process.env.QUICK || '');
  const o = {
    quick,
    runs: quick ? 1 : null, // null: each scenario's own default
    scenarios: ['pairs', 'rate', 'idle', 'group', 'catchup', 'history', 'search'],
    servers: ['flow', 'peer'],
    pairs: quick ? 100 : 500,
    window: 16,
    warmup: quick ? 2 : 5,
    duration: quick ? 5 : 10,
    rate: 10000,
    rates: quick ? [2500] : [1000, 2500, 5000],
    idle: quick ? [2000] : [2000, 10000, idleMax()],
    idleSeconds: 26,
    settleMs: 3000,
    workers: 2,
    idleWorkers: 4,
    groupSizes: quick ? [10, 100] : [10, 100, 1000],
    groupSends: quick ? 20 : 50,
    groupWarmup: quick ? 2 : 5,
    groupTimeoutMs: 10000,
    catchupClients: quick ? 500 : 5000,
    catchupMessages: 20,
    catchupConcurrency: 500,
    catchupTimeoutMs: 120000,
    historySizes: quick ? [1, 100000] : [1, 1000000],
    historyOps: quick ? 50 : 200,
    searchMessages: quick ? 100000 : 1000000,
    searchOps: quick ? 20 : 100,
    searchWarmup: 3,
    searchEngines: ['sqlite', 'postgresql'],
    fleetSockets: quick ? 4000 : 100000,
    fleetNodes: quick ? 2 : 6,
    flowd: process.env.FLOWD_BIN || path.join(REPO_ROOT, 'build', 'flowd'),
    flowArgs: [],
    textBytes: 64,
    drainMs: 10000,
    out: path.join(BENCH_DIR, 'results'),
    charts: true,
    perf: false,
    maxOutstanding: 20000,
    waitQuiet: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const num = () => {
      const x = Number(v());
      if (!Number.isFinite(x) || x < 0) throw new Error(`${a}: a number expected`);
      return x;
    };
    switch (a) {
      case '--quick': break;
      case '--runs': o.runs = Math.max(1, Math.floor(num())); break;
      case '--scenarios': o.scenarios = v().split(',').filter(Boolean); break;
      case '--servers': o.servers = v().split(',').filter(Boolean); break;
      case '--pairs': o.pairs = Math.max(1, Math.floor(num())); break;
      case '--window': o.window = Math.max(1, Math.floor(num())); break;
      case '--warmup': o.warmup = num(); break;
      case '--duration': o.duration = Math.max(1, num()); break;
      case '--rate': o.rate = Math.max(1, num()); break;
      case '--rates': o.rates = counts(v()); break;
      case '--idle': o.idle = counts(v()); break;
      case '--group-sizes': o.groupSizes = counts(v()).filter((n) => n >= 2); break;
      case '--group-sends': o.groupSends = Math.max(1, Math.floor(num())); break;
      case '--group-warmup': o.groupWarmup = Math.floor(num()); break;
      case '--catchup-clients': o.catchupClients = Math.max(1, Math.floor(num())); break;
      case '--catchup-messages': o.catchupMessages = Math.max(1, Math.floor(num())); break;
      case '--history-sizes': o.historySizes = counts(v()); break;
      case '--history-ops': o.historyOps = Math.max(1, Math.floor(num())); break;
      case '--search-messages': o.searchMessages = Math.max(1000, Math.floor(num())); break;
      case '--search-ops': o.searchOps = Math.max(1, Math.floor(num())); break;
      case '--search-engines': o.searchEngines = v().split(',').filter(Boolean); break;
      case '--fleet-sockets': o.fleetSockets = Math.max(2, Math.floor(num())); break;
      case '--fleet-nodes': o.fleetNodes = Math.max(1, Math.floor(num())); break;
      case '--idle-seconds': o.idleSeconds = Math.max(1, num()); break;
      case '--settle-ms': o.settleMs = num(); break;
      case '--workers': o.workers = Math.max(1, Math.floor(num())); break;
      case '--idle-workers': o.idleWorkers = Math.max(1, Math.floor(num())); break;
      case '--flowd': o.flowd = path.resolve(v()); break;
      case '--flow-args': o.flowArgs = v().split(/\s+/).filter(Boolean); break;
      case '--text-bytes': o.textBytes = Math.max(24, Math.floor(num())); break;
      case '--drain-ms': o.drainMs = num(); break;
      case '--out': o.out = path.resolve(v()); break;
      case '--no-charts': o.charts = false; break;
      case '--perf': o.perf = true; break;
      case '--max-outstanding': o.maxOutstanding = Math.max(1, Math.floor(num())); break;
      case '--wait-quiet': o.waitQuiet = num(); break;
      case '-h':
      case '--help':
        console.log(HELP);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${a} (see --help)`);
    }
  }
  for (const s of o.scenarios) if (!SCENARIOS[s]) throw new Error(`unknown scenario ${s}: ${Object.keys(SCENARIOS).join(', ')}`);
  for (const s of o.servers) if (!['flow', 'peer'].includes(s)) throw new Error(`unknown server ${s}: flow, peer`);
  for (const e of o.searchEngines) if (!['sqlite', 'postgresql'].includes(e)) throw new Error(`unknown engine ${e}: sqlite, postgresql`);
  return o;
}

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

function fmt(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number') return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

/** The ratio Flow/peer, and in words who wins and by how much. */
function verdict(flow, peer, better) {
  if (typeof flow !== 'number' || typeof peer !== 'number') return { ratio: '—', words: '' };
  if (flow === 0 && peer === 0) return { ratio: '—', words: better ? 'equal' : '' };
  const num = (x) => (x === Infinity ? '∞' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const ratio = peer === 0 ? Infinity : flow / peer;
  if (!better) return { ratio: num(ratio), words: '(context)' };
  if (flow === peer) return { ratio: num(ratio), words: `${better} is better: equal` };
  const [hi, lo] = flow > peer ? [flow, peer] : [peer, flow];
  const factor = lo === 0 ? Infinity : hi / lo;
  const flowWins = better === 'lower' ? flow < peer : flow > peer;
  const x = factor === Infinity ? '∞' : factor >= 10 ? factor.toFixed(0) : factor.toFixed(1);
  return { ratio: num(ratio), words: `${better} is better: ${flowWins ? 'Flow' : 'peer'} ${x}× better` };
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((x, c) => String(x).padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

function params(name, o) {
  const n = (x) => x.toLocaleString('en-US');
  if (name === 'pairs') return `${o.pairs} pairs, window ${o.window}, ${o.warmup} s warm-up + ${o.duration} s, ${o.textBytes}-byte texts`;
  if (name === 'rate') {
    const others = o.rates.filter((r) => r !== o.rate);
    return `${o.pairs} pairs, ${n(o.rate)} msg/s offered${others.length ? ` (and ${others.map(n).join(', ')}, ${o.runs ? 'as often' : 'once'})` : ''}, ${o.warmup} s warm-up + ${o.duration} s`;
  }
  if (name === 'idle') return `${o.idle.map(n).join(' then ')} sockets, idle CPU at the largest over ${o.idleSeconds} s`;
  if (name === 'group') return `groups of ${o.groupSizes.map(n).join(', ')}, ${o.groupSends} sends each one at a time after ${o.groupWarmup} uncounted`;
  if (name === 'catchup') return `${n(o.catchupClients)} clients owed ${o.catchupMessages} messages each (${n(o.catchupClients * o.catchupMessages)}), connecting ${o.catchupConcurrency} at a time per worker`;
  if (name === 'search') return `${n(o.searchMessages)} messages stored in 100 chats, 50 of them the searcher's; ${o.searchOps} searches of each query, one at a time, after ${o.searchWarmup} uncounted; ${o.searchEngines.join(' then ')}`;
  if (name === 'history') return `${o.historySizes.map(n).join(' and ')} messages stored, ${o.historyOps} sends and ${o.historyOps} reads of the newest page each`;
  if (name === 'fleet') return `${n(o.fleetSockets)} sockets over ${o.fleetNodes} flowd nodes (PostgreSQL, Redis), idle CPU over ${o.idleSeconds} s, then one message to each`;
  return '';
}

/**
 * How busy the machine is with other work before a run (cores, over 1 s); with --wait-quiet
 * S, waits up to S seconds for it to drop below 0.25 cores. Warns when it stays above.
 */
async function quiet(o) {
  const deadline = Date.now() + o.waitQuiet * 1000;
  for (;;) {
    const a = machineCpu();
    await new Promise((r) => setTimeout(r, 1000));
    const cores = machineBusy(a, machineCpu()) * os.cpus().length;
    if (cores < 0.25 || Date.now() >= deadline) {
      if (cores >= 0.25) console.log(`    note: other work keeps ${cores.toFixed(2)} cores busy: the figures of this run are noisy`);
      return { busy_cores: Number(cores.toFixed(2)), loadavg: os.loadavg().map((x) => Number(x.toFixed(2))) };
    }
  }
}

/** --redraw STAMP: the charts again from the JSON of an earlier run. */
async function redraw(dir, stamp) {
  const summary = {};
  for (const name of Object.keys(SCENARIOS)) {
    try {
      const j = JSON.parse(readFileSync(path.join(dir, `${stamp}-${name}.json`), 'utf8'));
      summary[name] = { medians: j.medians };
    } catch {
      /* not in that run */
    }
  }
  for (const c of await writeCharts(dir, stamp, summary)) console.log(`chart: ${path.relative(process.cwd(), c)}`);
}

/** One server started, one scenario (step) run on it, the server stopped: the run's record. */
async function runOnce(sc, which, opts, step) {
  const t = Date.now();
  let server;
  const record = { server: which, run: opts.run, ...(Object.keys(step).length ? { step } : {}), started_at: new Date().toISOString() };
  try {
    record.machine_before = await quiet(opts);
    if (which === 'peer') server = await startPeer();
    else if (sc.fleet) server = await startFlowFleet({ bin: opts.flowd, nodes: opts.fleetNodes, extraArgs: opts.flowArgs });
    else server = await startFlow({ bin: opts.flowd, extraArgs: opts.flowArgs, postgres: Boolean(opts.postgres) });
    record.pid = server.pid;
    record.server_args = server.args;
    Object.assign(record, await sc.run(server, opts));
  } catch (e) {
    record.error = String(e?.stack || e);
    if (server) record.server_output_tail = server.output().slice(-4000);
    console.error(`  FAILED: ${String(e?.message || e).split('\n').slice(0, 6).join('\n  ')}`);
  } finally {
    if (server) {
      const exit = await server.stop();
      record.server_exit = exit;
      if (exit && exit.code !== 0 && exit.signal !== 'SIGTERM') {
        console.error(`  ${which} exited ${JSON.stringify(exit)}`);
        record.server_output_tail ??= server.output().slice(-4000);
      }
    }
  }
  record.seconds = Math.round((Date.now() - t) / 100) / 10;
  return record;
}

async function main() {
  const r = process.argv.indexOf('--redraw');
  if (r >= 0) return redraw(path.join(BENCH_DIR, 'results'), process.argv[r + 1]);
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(o.out, { recursive: true });
  const started = new Date();
  const stamp = started.toISOString().replace(/[:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const machine = {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    loadavg_at_start: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
  const command = `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim() + (o.quick && !process.argv.includes('--quick') ? ' (QUICK=1)' : '');
  console.log(`Flow vs peer: ${o.scenarios.join(', ')}; ${o.runs ?? 'default'} run(s) each; ${machine.cpus} cores (${machine.cpu_model}); flowd ${o.flowd}`);

  const summary = {};
  for (const name of o.scenarios) {
    const sc = SCENARIOS[name];
    console.log(`\n== ${sc.title}: ${params(name, o)}`);
    const runs = [];
    const count = o.runs ?? sc.runs ?? 3;
    for (let run = 1; run <= count; run++) {
      const servers = o.servers.filter((s) => !sc.servers || sc.servers.includes(s));
      const order = run % 2 ? servers : [...servers].reverse();
      for (const which of order) {
        // A step may run in fewer runs than its scenario (the rate sweep's other rates: once).
        for (const step of (sc.steps ? sc.steps(o) : [{}]).filter((st) => run <= (o.runs ?? st.runs ?? count))) {
          console.log(`  run ${run}/${count}, ${which === 'flow' ? 'Flow' : 'peer'}${step.label ? `, ${step.label}` : ''}`);
          runs.push(await runOnce(sc, which, { ...o, ...step, stamp, scenario: name, run }, step));
        }
      }
    }
    const medians = {};
    for (const which of o.servers) {
      const ok = runs.filter((r) => r.server === which && r.figures);
      medians[which] = {};
      const names = [...new Set(ok.flatMap((r) => Object.keys(r.figures)))];
      for (const f of names) medians[which][f] = median(ok.map((r) => r.figures[f]));
    }
    summary[name] = { title: sc.title, params: params(name, o), runs: count, medians, failed: runs.filter((r) => r.error).length };
    const file = path.join(o.out, `${stamp}-${name}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ scenario: name, title: sc.title, params: params(name, o), stamp, date: started.toISOString(), command, options: o, machine, medians, runs }, null, 1)}\n`,
    );
    console.log(`  -> ${path.relative(process.cwd(), file)}`);
  }

  // The table.
  const lines = [];
  lines.push(`Flow vs peer (socket.io 4.8.4 on Node ${process.version}), medians over each scenario's runs; ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${machine.cpus} cores, shared machine`);
  lines.push(`ratio = Flow / peer`);
  for (const [name, s] of Object.entries(summary)) {
    lines.push('');
    lines.push(`${s.title} (${s.params}; ${s.runs} run(s))${s.failed ? ` — ${s.failed} run(s) FAILED, see the JSON` : ''}`);
    const figs = [...new Set(Object.values(s.medians).flatMap((m) => Object.keys(m)))];
    const rows = [['figure', 'Flow', 'peer', 'ratio', '']];
    for (const f of figs) {
      const d = describe(f);
      const flow = s.medians.flow?.[f];
      const peer = s.medians.peer?.[f];
      const v = verdict(flow, peer, d.better);
      rows.push([d.label, fmt(flow), fmt(peer), v.ratio, v.words]);
    }
    lines.push(table(rows));
  }
  const text = lines.join('\n');
  console.log(`\n${text}\n`);
  writeFileSync(path.join(o.out, `${stamp}-table.md`), `${text}\n\nCommand: \`${command}\`\n`);
  if (o.charts) {
    try {
      const charts = await writeCharts(o.out, stamp, summary);
      for (const c of charts) console.log(`chart: ${path.relative(process.cwd(), c)}`);
    } catch (e) {
      console.error(`charts: ${e.message}`);
    }
  }
  const failed = Object.values(summary).reduce((a, s) => a + s.failed, 0);
  console.log(`done in ${Math.round((Date.now() - started) / 1000)} s; results in ${path.relative(process.cwd(), o.out)}/${stamp}-*`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e?.stack || e);
  process.exit(2);
});
