// Settings that fail loudly (issue 19): flowd run as an operator would run it, with a bad
// setting each time, must exit with a message that names the setting and what is wrong,
// rather than start and misbehave. And --version, /metrics' flow_build_info.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile, readdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FLOWD, startFlowd } from './lib/flowd.mjs';

/** Runs flowd with `args` (in a fresh data dir unless one is given) until it exits: {code, out}. */
async function runFlowd(args, { dataDir, env } = {}) {
  const dir = dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'flow-settings-')));
  try {
    return await new Promise((resolve) => {
      execFile(FLOWD, ['--data-dir', dir, '--host', '127.0.0.1', ...args], { timeout: 10_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
        resolve({ code: err ? err.code : 0, out: `${stdout}${stderr}` });
      });
    });
  } finally {
    if (!dataDir) await rm(dir, { recursive: true, force: true });
  }
}

describe('settings that fail loudly', () => {
  it('a bad setting exits 2 naming the setting and what it takes', async () => {
    for (const [args, says] of [
      [['--log-level', 'LOUD'], /--log-level: LOUD not in \{trace,debug,info,warn,error,critical,off\}/],
      [['--log-level', 'verbose'], /--log-level/],
      [['--db', 'mysql://x'], /--db must be a SQLite file or a postgresql:\/\/ URL \(got a mysql:\/\/ URL\)/],
      [['--trusted-proxies', '10.0.0.1,bogus'], /--trusted-proxies: "bogus" is no IP address or network/],
      [['--trusted-proxies', '10.0.0.0/33'], /--trusted-proxies: "10.0.0.0\/33"/],
      [['--port', 'eighty'], /--port/],
      [['--sms', 'carrier-pigeon'], /--sms must be log or webhook:URL/],
      [['--log-format', 'xml'], /--log-format: xml not in \{text,json\}/],
      [['--test-numbers', '+15550100000=12'], /--test-numbers: "\+15550100000=12" is not a phone number, = and a 6-digit code/],
      [['--test-numbers', '5550100000=123456'], /--test-numbers: "5550100000=123456"/],
    ]) {
      const { code, out } = await runFlowd(args);
      assert.equal(code, 2, `${args.join(' ')}: exit ${code}: ${out}`);
      assert.match(out, says, args.join(' '));
    }
  });

  it('log levels are taken whatever their case', async () => {
    // Bound to a port in use, flowd stops right after reading its settings: they passed.
    const busy = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => busy.once('listening', resolve));
    try {
      for (const level of ['DEBUG', 'Warn', 'info']) {
        const { code, out } = await runFlowd(['--log-level', level, '--port', String(busy.address().port)]);
        assert.equal(code, 1, `${level}: ${out}`);
        assert.match(out, /cannot listen/, level);
      }
    } finally {
      busy.close();
    }
  });

  it('a port in use is said first, in plain words, before the data dir is touched', async () => {
    const busy = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => busy.once('listening', resolve));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-settings-'));
    try {
      const port = busy.address().port;
      const { code, out } = await runFlowd(['--port', String(port)], { dataDir: dir });
      assert.equal(code, 1, out);
      assert.match(out, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: address in use`));
      assert.doesNotMatch(out, /bind:|system:|asio/i, 'no library internals');
      assert.deepEqual(await readdir(dir), [], 'no key, database or media made');
    } finally {
      busy.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a data dir that cannot be made or written is named with the reason', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-settings-'));
    try {
      const file = path.join(dir, 'a-file');
      await writeFile(file, 'not a folder');
      const { code, out } = await runFlowd(['--port', '0'], { dataDir: path.join(file, 'data') });
      assert.equal(code, 1, out);
      assert.match(out, new RegExp(`cannot make the data dir ${file.replace(/[.]/g, '\\.')}/data: Not a directory`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a node whose secret key is not the one its database was first used with refuses to start, saying why', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-settings-'));
    try {
      const f = await startFlowd(['--secret', 'a'.repeat(32)], { dataDir: dir });
      await f.shutdown();
      const { code, out } = await runFlowd(['--port', '0', '--secret', 'b'.repeat(32)], { dataDir: dir });
      assert.equal(code, 1, out);
      assert.match(out, /the secret key \(--secret \/ FLOW_SECRET, or secret\.key in the data dir\) is not the one this database was first used with/);
      const again = await startFlowd(['--secret', 'a'.repeat(32)], { dataDir: dir });
      await again.shutdown();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a setting may come from the file FLOW_<NAME>_FILE names, as Docker secrets are mounted', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-settings-'));
    try {
      const secret = 's'.repeat(40);
      const secretFile = path.join(dir, 'flow_secret');
      await writeFile(secretFile, `${secret}\n`); // as `echo` writes it: the newline is dropped
      const data = path.join(dir, 'data');
      await mkdir(data);
      const f = await startFlowd([], { dataDir: data, env: { FLOW_SECRET_FILE: secretFile } });
      await f.shutdown();
      // The database now knows the key's fingerprint: the same key given as a flag is taken,
      const same = await startFlowd(['--secret', secret], { dataDir: data });
      await same.shutdown();
      // and another, from a file, is refused: the file was read, not ignored.
      await writeFile(secretFile, 't'.repeat(40));
      const other = await runFlowd([], { dataDir: data, env: { FLOW_SECRET_FILE: secretFile } });
      assert.equal(other.code, 1, other.out);
      assert.match(other.out, /secret/i);

      for (const [env, says] of [
        [{ FLOW_SECRET: secret, FLOW_SECRET_FILE: secretFile }, /FLOW_SECRET and FLOW_SECRET_FILE are both set/],
        [{ FLOW_SECRET_FILE: path.join(dir, 'missing') }, /FLOW_SECRET_FILE: cannot read .*missing: No such file or directory/],
        [{ FLOW_LOG_LEVEL_FILE: secretFile }, /--log-level \(from FLOW_LOG_LEVEL_FILE\)/],
      ]) {
        const { code, out } = await runFlowd([], { env });
        assert.equal(code, 2, `${JSON.stringify(env)}: ${out}`);
        assert.match(out, says);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--version names the version, commit and build type, as flow_build_info does on /metrics', async () => {
    const { code, out } = await runFlowd(['--version']);
    assert.equal(code, 0, out);
    const m = out.trim().match(/^flowd (\d+\.\d+\.\d+) \(([0-9a-f]{7,}|unknown), (\w+)\)$/);
    assert.ok(m, out);
    const f = await startFlowd();
    try {
      const metrics = await (await fetch(`${f.baseUrl}/metrics`)).text();
      assert.ok(metrics.includes(`flow_build_info{version="${m[1]}",commit="${m[2]}",build_type="${m[3]}"} 1`), metrics.slice(0, 400));
    } finally {
      await f.shutdown();
    }
  });
});
