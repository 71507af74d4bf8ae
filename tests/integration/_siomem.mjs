// RSS (and a jemalloc heap dump) per idle Socket.IO socket: N users, one socket each.
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { io } from 'socket.io-client';
import { startFlowd } from './lib/flowd.mjs';
const N = Number(process.argv[2] || 2000);
const dump = process.argv[3] === 'dump';
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const prof = (pid) => dump && execFileSync('gdb', ['-p', String(pid), '-batch', '-ex', 'call (int)mallctl("prof.dump",0,0,0,0)'], { stdio: 'ignore' });
const f = await startFlowd(['--otp-address-hourly-cap', '1000000', '--otp-phone-hourly-cap', '1000', '--otp-resend-seconds', '0', '--max-connections-per-address', '1000000'], { env: dump ? { MALLOC_CONF: 'prof:true,lg_prof_sample:8,prof_prefix:/tmp/jp/h' } : {} });
const pid = f.pid ?? f.proc?.pid ?? f.procs?.[0]?.pid;
const users = [];
for (let i = 0; i < N; i += 200) users.push(...await f.signUpMany(Math.min(200, N - i), 'M'));
await new Promise((r) => setTimeout(r, 1000));
const before = rss(pid);
prof(pid);
const sockets = [];
for (let i = 0; i < N; i += 100) {
  await Promise.all(users.slice(i, i + 100).map((u) => new Promise((resolve, reject) => {
    const s = io(f.baseUrl, { forceNew: true, reconnection: false, transports: ['websocket'], auth: { token: u.token } });
    s.on('connect', () => { sockets.push(s); resolve(); });
    s.on('connect_error', reject);
  })));
}
await new Promise((r) => setTimeout(r, 3000));
const after = rss(pid);
prof(pid);
console.log(JSON.stringify({ N, before_kib: before, after_kib: after, per_socket_kib: ((after - before) / N).toFixed(2) }));
for (const s of sockets) s.close();
await f.shutdown();
