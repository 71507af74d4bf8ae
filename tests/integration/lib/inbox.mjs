// The received-event buffer behind the suite's socket clients (lib/ws_client.mjs for /ws,
// lib/sio_client.mjs for Socket.IO): a client pushes each server event in, a test waits
// for the one it wants without losing the others.
//
//   const inbox = new Inbox('B');                 // the label prefixes its error messages
//   socket.on(..., () => inbox.push({ event, data }));
//   socket.on('close', () => inbox.end('connection closed (1006)'));
//   return inbox.attach(client);                  // client.next / take / none / drain / buffer / label
//
// Events no `next` has taken yet stay buffered, in arrival order.

export const DEFAULT_TIMEOUT_MS = 4000;
export const DEFAULT_QUIET_MS = 300;

/** JSON of `x`, cut to `max` characters, for error messages. */
export const brief = (x, max = 300) => {
  const s = JSON.stringify(x);
  return s && s.length > max ? `${s.slice(0, max)}...` : s;
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Server events, each an object with `event` (its name) and `data`, kept until taken. */
export class Inbox {
  constructor(label = '') {
    this.label = label;
    this.buffer = []; // events not taken by next() yet, in arrival order
    this.waiters = []; // {name, filter, resolve, reject, timer}
    this.ended = null; // why no more events will come
  }

  /** `what`, prefixed with the label if there is one. */
  tag(what) {
    return this.label ? `${this.label}: ${what}` : what;
  }

  /** Hands `entry` ({event, data, ...}) to the first waiter that wants it, or buffers it. */
  push(entry) {
    const i = this.waiters.findIndex((w) => w.name === entry.event && w.filter(entry.data));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      clearTimeout(w.timer);
      w.resolve(entry.data);
    } else {
      this.buffer.push(entry);
    }
  }

  /** No more events will come (`why`, e.g. "connection closed (1000)"): fails every waiter. */
  end(why) {
    this.ended = why;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error(this.tag(`${why} while waiting for ${w.name}; buffered: ${this.names()}`)));
    }
  }

  /** The names of the buffered events, for error messages. */
  names() {
    return brief(this.buffer.map((e) => e.event), 400);
  }

  /** The data of the next event `name` (matching `filter`), buffered or still to come. */
  next(name, { timeout = DEFAULT_TIMEOUT_MS, filter = () => true } = {}) {
    const i = this.buffer.findIndex((e) => e.event === name && filter(e.data));
    if (i >= 0) return Promise.resolve(this.buffer.splice(i, 1)[0].data);
    if (this.ended) return Promise.reject(new Error(this.tag(`${this.ended}; no ${name} buffered`)));
    return new Promise((resolve, reject) => {
      const w = { name, filter, resolve, reject };
      w.timer = setTimeout(() => {
        const k = this.waiters.indexOf(w);
        if (k >= 0) this.waiters.splice(k, 1);
        reject(new Error(this.tag(`no ${name} event within ${timeout} ms; buffered: ${this.names()}`)));
      }, timeout);
      this.waiters.push(w);
    });
  }

  /** The data of the next `n` events `name` (matching `filter`), in arrival order. */
  async take(name, n, opts = {}) {
    const out = [];
    for (let i = 0; i < n; i++) {
      try {
        out.push(await this.next(name, opts));
      } catch (e) {
        e.message = `${e.message} (got ${i} of ${n}: ${brief(out)})`;
        throw e;
      }
    }
    return out;
  }

  /**
   * Asserts that no event `name` (matching `filter`) is buffered or arrives within `ms`;
   * `what` is added to the error message.
   */
  async none(name, ms = DEFAULT_QUIET_MS, { filter = () => true, what = '' } = {}) {
    const found = () => this.buffer.find((e) => e.event === name && filter(e.data));
    let hit = found();
    if (!hit) {
      await sleep(ms);
      hit = found();
    }
    if (hit) throw new Error(this.tag(`unexpected ${name} event: ${brief(hit.data)}${what ? ` ${what}` : ''}`));
  }

  /** Buffered (not yet taken) events named `name` matching `filter`, removed from the buffer. */
  drain(name, filter = () => true) {
    const out = [];
    for (let i = 0; i < this.buffer.length; ) {
      if (this.buffer[i].event === name && filter(this.buffer[i].data)) out.push(this.buffer.splice(i, 1)[0].data);
      else i++;
    }
    return out;
  }

  /** Gives `client` next, take, none and drain of this inbox, and its `buffer` and `label`; returns it. */
  attach(client) {
    for (const m of ['next', 'take', 'none', 'drain']) client[m] = this[m].bind(this);
    Object.defineProperty(client, 'buffer', { get: () => this.buffer, enumerable: true });
    Object.defineProperty(client, 'label', { get: () => this.label, enumerable: true });
    return client;
  }
}
