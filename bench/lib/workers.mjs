// The load generator's processes: `n` forks of gen_worker.mjs, each asked over IPC.
import { fork } from 'node:child_process';
import path from 'node:path';
import { BENCH_DIR } from './servers.mjs';

export async function startWorkers(n) {
  const workers = await Promise.all(
    Array.from({ length: n }, () =>
      new Promise((resolve, reject) => {
        const child = fork(path.join(BENCH_DIR, 'lib', 'gen_worker.mjs'), [], {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        const pending = new Map();
        let seq = 0;
        const w = {
          pid: child.pid,
          child,
          ask(cmd, args = {}) {
            const id = ++seq;
            return new Promise((res, rej) => {
              pending.set(id, { res, rej });
              child.send({ id, cmd, ...args });
            });
          },
        };
        child.on('message', (m) => {
          if (m.ready) return resolve(w);
          if (m.log) return console.error(`  [worker ${child.pid}] ${m.log}`);
          const p = pending.get(m.id);
          if (!p) return;
          pending.delete(m.id);
          if (m.error) p.rej(new Error(`worker ${child.pid}: ${m.error}`));
          else p.res(m);
        });
        child.on('exit', (code, signal) => {
          for (const p of pending.values()) p.rej(new Error(`worker ${child.pid} exited (${code ?? signal})`));
          pending.clear();
        });
        child.on('error', reject);
      }),
    ),
  );
  return {
    list: workers,
    /** Asks every worker at once; args may be a function of the worker's index. */
    all(cmd, args) {
      return Promise.all(workers.map((w, i) => w.ask(cmd, typeof args === 'function' ? args(i) : args)));
    },
    async stop() {
      await Promise.all(
        workers.map(async (w) => {
          try {
            await w.ask('close');
          } catch {
            /* gone */
          }
          w.child.disconnect();
          await new Promise((r) => (w.child.exitCode !== null ? r() : w.child.once('exit', r)));
        }),
      );
    },
  };
}

/** Splits `items` into `n` round-robin shares. */
export function share(items, n) {
  const out = Array.from({ length: n }, () => []);
  items.forEach((x, i) => out[i % n].push(x));
  return out;
}
