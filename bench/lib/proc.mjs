// What /proc says about a process (CPU time, resident memory) and about the machine.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
} catch {
  /* 100 on Linux */
}

/** utime + stime of every thread of `pid` (dead ones included), in µs; null if gone. */
export function cpuUs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): utime is field 14, stime 15.
    const utime = Number(f[11]);
    const stime = Number(f[12]);
    return { user_us: (utime * 1e6) / clkTck, system_us: (stime * 1e6) / clkTck, total_us: ((utime + stime) * 1e6) / clkTck };
  } catch {
    return null;
  }
}

/** Time on CPU of the live threads of `pid`, ns, from schedstat (finer than stat's ticks). */
export function schedNs(pid) {
  let total = 0;
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        /* the thread ended */
      }
    }
  } catch {
    return null;
  }
  return total;
}

/** Fields of /proc/PID/status in kB: VmRSS, VmHWM, RssAnon, Threads. */
export function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k) => {
      const m = new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status);
      return m ? Number(m[1]) : null;
    };
    return { rss_kb: get('VmRSS'), hwm_kb: get('VmHWM'), rss_anon_kb: get('RssAnon'), threads: get('Threads') };
  } catch {
    return null;
  }
}

/** Open file descriptors of `pid`. */
export function fdCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** The machine's CPU counters (jiffies): busy and total over all cores. */
export function machineCpu() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] || 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Busy share of the whole machine between two machineCpu() readings (1 = every core busy). */
export function machineBusy(a, b) {
  const total = b.total - a.total;
  return total > 0 ? (b.busy - a.busy) / total : null;
}

/** A reading of everything the runner diffs over an interval. */
export function snapshot(pid) {
  return { t: Number(process.hrtime.bigint()), cpu: cpuUs(pid), sched_ns: schedNs(pid), machine: machineCpu(), mem: memory(pid) };
}

/** CPU of `pid` between two snapshots: µs used, and cores (µs per µs of wall time). */
export function cpuBetween(a, b) {
  const wallUs = (b.t - a.t) / 1000;
  const us = b.cpu && a.cpu ? b.cpu.total_us - a.cpu.total_us : null;
  const sched = b.sched_ns !== null && a.sched_ns !== null ? (b.sched_ns - a.sched_ns) / 1000 : null;
  return {
    wall_s: wallUs / 1e6,
    cpu_us: us,
    user_us: b.cpu && a.cpu ? b.cpu.user_us - a.cpu.user_us : null,
    system_us: b.cpu && a.cpu ? b.cpu.system_us - a.cpu.system_us : null,
    cores: us !== null ? us / wallUs : null,
    sched_cpu_us: sched,
    machine_busy: machineBusy(a.machine, b.machine),
  };
}
