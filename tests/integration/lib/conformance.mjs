// Helpers for the Engine.IO / Socket.IO conformance suite: start the conformance server
// (build/flow-sio-conformance, or $FLOW_SIO_CONFORMANCE) on a free port, and talk to it
// over raw HTTP long-polling and raw WebSocket frames.
//
//   const server = await startConformance();
//   const ws = await server.websocket('/engine.io/?EIO=4&transport=websocket');
//   const open = await ws.next();          // the next message (string or Buffer), pings answered
//   await server.stop();                   // SIGTERM; asserts exit code 0
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import WebSocket from 'ws';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BINARY =
  process.env.FLOW_SIO_CONFORMANCE || path.join(REPO_ROOT, 'build', 'flow-sio-conformance');

export const PING_INTERVAL = 300;
export const PING_TIMEOUT = 200;
const WAIT_MS = 3000;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects after `ms` unless `promise` settles first. */
export function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Starts the conformance server on a free port. */
export async function startConformance() {
  const proc = spawn(BINARY, ['--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exit = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const port = await within(
    new Promise((resolve, reject) => {
      proc.stdout.on('data', (chunk) => {
        output += chunk;
        const match = /listening on [^:]+:(\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      proc.stderr.on('data', (chunk) => (output += chunk));
      proc.on('error', reject);
      exit.then((e) => reject(new Error(`${BINARY} exited ${JSON.stringify(e)}: ${output}`)));
    }),
    10_000,
    `${BINARY} to listen`,
  );
  const url = `http://127.0.0.1:${port}`;
  const sockets = new Set();
  return {
    url,
    wsUrl: url.replace('http', 'ws'),
    /** fetch() against the server; resolves to {status, text, json}. */
    async request(pathAndQuery, { method = 'GET', body } = {}) {
      const response = await fetch(url + pathAndQuery, { method, body });
      const text = await response.text();
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, text, json };
    },
    /** A raw WebSocket; resolves once open (or once refused, with `refused` set). */
    async websocket(pathAndQuery, options) {
      const ws = new RawSocket(url.replace('http', 'ws') + pathAndQuery, options);
      sockets.add(ws);
      await ws.opened;
      return ws;
    },
    async stop() {
      for (const ws of sockets) ws.terminate();
      proc.kill('SIGTERM');
      const result = await within(exit, 5000, 'the server to exit after SIGTERM');
      assert.deepEqual(result, { code: 0, signal: null }, output);
    },
  };
}

/**
 * A WebSocket that queues what it receives. Engine.IO pings ("2") are answered with "3"
 * unless `{pong: false}`, and never queued; they are counted in `pings`.
 */
class RawSocket {
  constructor(address, { pong = true } = {}) {
    this.queue = [];
    this.waiters = [];
    this.pings = 0;
    this.refused = null;
    this.ws = new WebSocket(address);
    this.ws.binaryType = 'nodebuffer';
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve(code)));
    this.opened = new Promise((resolve) => {
      this.ws.on('open', resolve);
      this.ws.on('error', (error) => {
        const refusal = /Unexpected server response: (\d+)/.exec(error.message);
        if (refusal) this.refused = Number(refusal[1]);
        resolve();
      });
    });
    this.ws.on('message', (data, isBinary) => {
      const message = isBinary ? data : data.toString();
      if (message === '2') {
        this.pings += 1;
        if (pong) this.ws.send('3');
        return;
      }
      if (this.waiters.length) this.waiters.shift()(message);
      else this.queue.push(message);
    });
  }

  /** The next message other than a ping. */
  next(ms = WAIT_MS) {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return within(new Promise((resolve) => this.waiters.push(resolve)), ms, 'a WebSocket message');
  }

  /** The next `count` messages. */
  async take(count) {
    const messages = [];
    for (let i = 0; i < count; i++) messages.push(await this.next());
    return messages;
  }

  /** Resolves with the close code once the server has closed the connection. */
  waitClose(ms = WAIT_MS) {
    return within(this.closed, ms, 'the WebSocket to close');
  }

  send(data) {
    this.ws.send(data);
  }

  close() {
    this.ws.close();
  }

  terminate() {
    this.ws.terminate();
  }
}

/** An open Engine.IO long-polling session: its sid. */
export async function openPolling(server, base = '/engine.io/') {
  const { status, text } = await server.request(`${base}?EIO=4&transport=polling`);
  assert.equal(status, 200);
  assert.equal(text[0], '0');
  return JSON.parse(text.slice(1)).sid;
}

/** A WebSocket joined to the main Socket.IO namespace, past the `auth` event. */
export async function openSocketIo(server) {
  const ws = await server.websocket('/socket.io/?EIO=4&transport=websocket');
  await ws.next(); // Engine.IO open
  ws.send('40');
  assert.match(await ws.next(), /^40\{"sid":"/);
  assert.equal(await ws.next(), '42["auth",{}]');
  return ws;
}
