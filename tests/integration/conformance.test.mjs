// Engine.IO v4 and Socket.IO v5 as the official protocol test suites check them, against
// the conformance server (built from the same library as flowd), then the stock
// socket.io-client 4.8.4 against it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import {
  startConformance,
  openPolling,
  openSocketIo,
  sleep,
  within,
  PING_INTERVAL,
  PING_TIMEOUT,
} from './lib/conformance.mjs';

const EIO = '/engine.io/';
const POLL = `${EIO}?EIO=4&transport=polling`;
const WS = `${EIO}?EIO=4&transport=websocket`;

let server;
before(async () => {
  server = await startConformance();
});
after(async () => {
  await server?.stop();
});

/** Opens a WebSocket at `path`, sends `packet` after the open packet, expects a close. */
async function assertClosesOn(path, packet) {
  const ws = await server.websocket(path);
  await ws.next();
  ws.send(packet);
  await ws.waitClose();
}

/** A WebSocket that has probed the upgrade of polling session `sid` ("2probe" → "3probe"). */
async function probe(sid) {
  const ws = await server.websocket(`${WS}&sid=${sid}`);
  ws.send('2probe');
  assert.equal(await ws.next(), '3probe');
  return ws;
}

/** A WebSocket to which polling session `sid` has moved. */
async function upgrade(sid) {
  const ws = await probe(sid);
  ws.send('5');
  ws.send('4sync');
  assert.equal(await ws.next(), '4sync'); // the upgrade is through
  return ws;
}

function assertHandshake(text, upgrades) {
  assert.equal(text[0], '0');
  const open = JSON.parse(text.slice(1));
  assert.deepEqual(Object.keys(open).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
  assert.equal(typeof open.sid, 'string');
  assert.deepEqual(open.upgrades, upgrades);
  assert.equal(open.pingInterval, PING_INTERVAL);
  assert.equal(open.pingTimeout, PING_TIMEOUT);
  assert.equal(open.maxPayload, 1000000);
}

describe('Engine.IO handshake', { concurrency: true }, () => {
  it('opens a polling session', async () => {
    const { status, text } = await server.request(POLL);
    assert.equal(status, 200);
    assertHandshake(text, ['websocket']);
  });

  it('opens a WebSocket session', async () => {
    const ws = await server.websocket(WS);
    assertHandshake(await ws.next(), []);
    ws.close();
  });

  it('refuses a missing or unsupported EIO', async () => {
    for (const query of ['transport=polling', 'EIO=abc&transport=polling', 'EIO=3&transport=polling']) {
      const { status, json } = await server.request(`${EIO}?${query}`);
      assert.equal(status, 400);
      assert.deepEqual(json, { code: 5, message: 'Unsupported protocol version' });
    }
  });

  it('refuses an unknown transport', async () => {
    for (const query of ['EIO=4', 'EIO=4&transport=abc']) {
      const { status, json } = await server.request(`${EIO}?${query}`);
      assert.equal(status, 400);
      assert.deepEqual(json, { code: 0, message: 'Transport unknown' });
    }
  });

  it('refuses a handshake that is not a GET', async () => {
    for (const method of ['POST', 'PUT']) {
      const { status, json } = await server.request(POLL, { method });
      assert.equal(status, 400);
      assert.deepEqual(json, { code: 2, message: 'Bad handshake method' });
    }
  });

  it('refuses an unknown sid', async () => {
    const { status, json } = await server.request(`${POLL}&sid=nope`);
    assert.equal(status, 400);
    assert.deepEqual(json, { code: 1, message: 'Session ID unknown' });
  });

  it('refuses WebSockets with a bad EIO or transport', async () => {
    for (const query of ['transport=websocket', 'EIO=abc&transport=websocket', 'EIO=4', 'EIO=4&transport=abc']) {
      const ws = await server.websocket(`${EIO}?${query}`);
      assert.equal(ws.refused, 400, query);
      await ws.waitClose();
    }
  });
});

describe('Engine.IO messages', { concurrency: true }, () => {
  for (const [what, payload] of [
    ['one text packet', '4hello'],
    ['several text packets', '4test1\x1e4test2\x1e4test3'],
    ['text and binary packets', '4hello\x1ebAQIDBA=='],
  ]) {
    it(`echoes ${what} over polling`, async () => {
      const sid = await openPolling(server);
      const push = await server.request(`${POLL}&sid=${sid}`, { method: 'POST', body: payload });
      assert.equal(push.status, 200);
      assert.equal(push.text, 'ok');
      const poll = await server.request(`${POLL}&sid=${sid}`);
      assert.equal(poll.status, 200);
      assert.equal(poll.text, payload);
    });
  }

  it('closes a polling session on an invalid packet', async () => {
    const sid = await openPolling(server);
    const push = await server.request(`${POLL}&sid=${sid}`, { method: 'POST', body: 'abc' });
    assert.equal(push.status, 400);
    assert.equal((await server.request(`${POLL}&sid=${sid}`)).status, 400);
  });

  it('closes a polling session on a second concurrent GET', async () => {
    const sid = await openPolling(server);
    const first = server.request(`${POLL}&sid=${sid}`);
    await sleep(50);
    const second = await server.request(`${POLL}&sid=${sid}&t=burst`);
    assert.equal(second.status, 400);
    const answer = await first;
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '1');
    assert.equal((await server.request(`${POLL}&sid=${sid}`)).status, 400);
  });

  it('closes a polling session on a body over maxPayload', async () => {
    const sid = await openPolling(server);
    const push = await server.request(`${POLL}&sid=${sid}`, { method: 'POST', body: '4' + 'x'.repeat(1000000) });
    assert.equal(push.status, 413);
    assert.equal((await server.request(`${POLL}&sid=${sid}`)).status, 400);
  });

  it('echoes a text packet over WebSocket', async () => {
    const ws = await server.websocket(WS);
    await ws.next();
    ws.send('4hello');
    assert.equal(await ws.next(), '4hello');
    ws.close();
  });

  it('echoes a binary packet over WebSocket', async () => {
    const ws = await server.websocket(WS);
    await ws.next();
    ws.send(Uint8Array.from([1, 2, 3, 4]));
    assert.deepEqual(await ws.next(), Buffer.from([1, 2, 3, 4]));
    ws.close();
  });

  it('closes a WebSocket session on an invalid packet', () => assertClosesOn(WS, 'abc'));
});

describe('Engine.IO heartbeat and close', { concurrency: true }, () => {
  it('pings a polling client, which answers with pong', async () => {
    const sid = await openPolling(server);
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const poll = await server.request(`${POLL}&sid=${sid}`);
      assert.equal(poll.text, '2');
      assert.ok(Date.now() - started < PING_INTERVAL + 250, "the ping comes within pingInterval");
      const push = await server.request(`${POLL}&sid=${sid}`, { method: 'POST', body: '3' });
      assert.equal(push.text, 'ok');
    }
  });

  it('closes a polling session without pong', async () => {
    const sid = await openPolling(server);
    await sleep(PING_INTERVAL + PING_TIMEOUT + 100);
    const push = await server.request(`${POLL}&sid=${sid}`, { method: 'POST', body: '3' });
    assert.equal(push.status, 400);
  });

  it('pings a WebSocket client, which answers with pong', async () => {
    const ws = await server.websocket(WS);
    await ws.next();
    await sleep(3 * PING_INTERVAL + 100);
    assert.ok(ws.pings >= 2, `pings: ${ws.pings}`);
    assert.equal(ws.ws.readyState, ws.ws.OPEN);
    ws.close();
  });

  it('closes a WebSocket session without pong', async () => {
    const ws = await server.websocket(WS, { pong: false });
    await ws.next();
    await ws.waitClose(PING_INTERVAL + PING_TIMEOUT + 500);
  });

  it('closes a polling session on a close packet, answering the pending GET with noop', async () => {
    const sid = await openPolling(server);
    const [poll, push] = await Promise.all([
      server.request(`${POLL}&sid=${sid}`),
      sleep(20).then(() => server.request(`${POLL}&sid=${sid}`, { method: 'POST', body: '1' })),
    ]);
    assert.equal(push.status, 200);
    assert.equal(poll.status, 200);
    assert.equal(poll.text, '6');
    assert.equal((await server.request(`${POLL}&sid=${sid}`)).status, 400);
  });

  it('closes a WebSocket session on a close packet', () => assertClosesOn(WS, '1'));
});

describe('Engine.IO upgrade', { concurrency: true }, () => {
  it('upgrades from polling to WebSocket, ending the pending GET with noop', async () => {
    const sid = await openPolling(server);
    const pending = server.request(`${POLL}&sid=${sid}`);
    const ws = await probe(sid);
    const poll = await within(pending, 1000, 'the pending GET');
    assert.equal(poll.status, 200);
    assert.equal(poll.text, '6');
    ws.send('5');
    ws.send('4hello');
    assert.equal(await ws.next(), '4hello');
    ws.close();
  });

  it('answers a GET during the upgrade with noop', async () => {
    const sid = await openPolling(server);
    const ws = await probe(sid);
    const poll = await server.request(`${POLL}&sid=${sid}`);
    assert.equal(poll.text, '6');
    ws.send('5');
    ws.close();
  });

  it('refuses polling requests with the sid after the upgrade', async () => {
    const sid = await openPolling(server);
    const ws = await upgrade(sid);
    assert.equal((await server.request(`${POLL}&sid=${sid}`)).status, 400);
    assert.equal((await server.request(`${POLL}&sid=${sid}`, { method: 'POST', body: '4x' })).status, 400);
    ws.send('4hello');
    assert.equal(await ws.next(), '4hello');
    ws.close();
  });

  it('refuses a second WebSocket with the sid', async () => {
    const sid = await openPolling(server);
    const ws = await upgrade(sid);
    const second = await server.websocket(`${WS}&sid=${sid}`);
    assert.equal(second.refused, 400);
    await second.waitClose();
    ws.send('4hello');
    assert.equal(await ws.next(), '4hello');
    ws.close();
  });

  it('delivers packets queued before the upgrade over the WebSocket', async () => {
    const sid = await openPolling(server);
    const ws = await probe(sid);
    await server.request(`${POLL}&sid=${sid}`, { method: 'POST', body: '4queued' });
    ws.send('5');
    assert.equal(await ws.next(), '4queued');
    ws.close();
  });
});

describe('Socket.IO connect', { concurrency: true }, () => {
  async function handshake(connect, expectedPrefix) {
    const ws = await server.websocket('/socket.io/?EIO=4&transport=websocket');
    await ws.next();
    ws.send(connect);
    const answer = await ws.next();
    assert.ok(answer.startsWith(expectedPrefix), answer);
    const payload = JSON.parse(answer.slice(expectedPrefix.length));
    assert.deepEqual(Object.keys(payload), ['sid']);
    assert.equal(typeof payload.sid, 'string');
    return ws;
  }

  for (const [what, connect, prefix, auth] of [
    ['the main namespace', '40', '40', '42["auth",{}]'],
    ['the main namespace with a payload', '40{"token":"123"}', '40', '42["auth",{"token":"123"}]'],
    ['a custom namespace', '40/custom,', '40/custom,', '42/custom,["auth",{}]'],
    ['a custom namespace with a payload', '40/custom,{"token":"abc"}', '40/custom,', '42/custom,["auth",{"token":"abc"}]'],
  ]) {
    it(`joins ${what}`, async () => {
      const ws = await handshake(connect, prefix);
      assert.equal(await ws.next(), auth);
      ws.close();
    });
  }

  it('refuses an unknown namespace', async () => {
    const ws = await server.websocket('/socket.io/?EIO=4&transport=websocket');
    await ws.next();
    ws.send('40/random');
    assert.equal(await ws.next(), '44/random,{"message":"Invalid namespace"}');
    ws.close();
  });

  it('closes on an invalid handshake', () => assertClosesOn('/socket.io/?EIO=4&transport=websocket', '4abc'));

  it('closes a connection that joins no namespace within connectTimeout', async () => {
    const ws = await server.websocket('/socket.io/?EIO=4&transport=websocket');
    await ws.next();
    const started = Date.now();
    await ws.waitClose(2500);
    assert.ok(Date.now() - started > 700, 'closed before connectTimeout');
  });

  it('joins over polling', async () => {
    const base = '/socket.io/?EIO=4&transport=polling';
    const sid = await openPolling(server, '/socket.io/');
    assert.equal((await server.request(`${base}&sid=${sid}`, { method: 'POST', body: '40' })).text, 'ok');
    const poll = await server.request(`${base}&sid=${sid}`);
    const [connected, auth] = poll.text.split('\x1e');
    assert.match(connected, /^40\{"sid":"[^"]+"\}$/);
    assert.equal(auth, '42["auth",{}]');
    await server.request(`${base}&sid=${sid}`, { method: 'POST', body: '42["message",{"a":1}]' });
    assert.equal((await server.request(`${base}&sid=${sid}`)).text, '42["message-back",{"a":1}]');
    await server.request(`${base}&sid=${sid}`, { method: 'POST', body: '1' });
  });
});

describe('Socket.IO disconnect and messages', { concurrency: true }, () => {
  it('leaves the main namespace; a later event for it closes the connection', async () => {
    const ws = await openSocketIo(server);
    ws.send('41');
    ws.send('42["message","after"]');
    await ws.waitClose();
  });

  it('joins then leaves a custom namespace, the main one still working', async () => {
    const ws = await openSocketIo(server);
    ws.send('40/custom');
    assert.match(await ws.next(), /^40\/custom,\{"sid":"/);
    assert.equal(await ws.next(), '42/custom,["auth",{}]');
    ws.send('41/custom');
    ws.send('42["message","message to main namespace"]');
    assert.equal(await ws.next(), '42["message-back","message to main namespace"]');
    ws.close();
  });

  it('answers a plain event', async () => {
    const ws = await openSocketIo(server);
    ws.send('42["message",1,"2",{"3":[true]}]');
    assert.equal(await ws.next(), '42["message-back",1,"2",{"3":[true]}]');
    ws.close();
  });

  it('acknowledges an event', async () => {
    const ws = await openSocketIo(server);
    ws.send('42456["message-with-ack",1,"2",{"3":[false]}]');
    assert.equal(await ws.next(), '43456[1,"2",{"3":[false]}]');
    ws.close();
  });

  const PLACEHOLDERS = '{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}';
  for (const [what, packet, answer] of [
    ['answers an event with binary attachments', `452-["message",${PLACEHOLDERS}]`, `452-["message-back",${PLACEHOLDERS}]`],
    ['acknowledges an event with binary attachments', `452-789["message-with-ack",${PLACEHOLDERS}]`, `462-789[${PLACEHOLDERS}]`],
  ]) {
    it(what, async () => {
      const ws = await openSocketIo(server);
      ws.send(packet);
      ws.send(Uint8Array.from([1, 2, 3]));
      ws.send(Uint8Array.from([4, 5, 6]));
      const [text, first, second] = await ws.take(3);
      assert.equal(text, answer);
      assert.deepEqual(first, Buffer.from([1, 2, 3]));
      assert.deepEqual(second, Buffer.from([4, 5, 6]));
      ws.close();
    });
  }

  for (const [what, packet] of [
    ['an unknown packet type', '4abc'],
    ['a payload that is not an array', '42{}'],
    ['an invalid ack id', '42abc["message-with-ack",1,"2",{"3":[false]}]'],
    ['a binary frame nobody announced', Uint8Array.from([1])],
  ]) {
    it(`closes the connection on ${what}`, async () => {
      const ws = await openSocketIo(server);
      ws.send(packet);
      await ws.waitClose();
    });
  }
});

describe('socket.io-client 4.8.4', { concurrency: true }, () => {
  function connect(nsp, options) {
    const socket = io(server.url + nsp, { forceNew: true, reconnection: false, ...options });
    return socket;
  }

  async function exchange(socket) {
    const back = new Promise((resolve) => socket.once('message-back', (...args) => resolve(args)));
    socket.emit('message', 'hello', { n: 1 }, Buffer.from([1, 2, 3]));
    const args = await within(back, 3000, 'message-back');
    assert.deepEqual(args.slice(0, 2), ['hello', { n: 1 }]);
    assert.deepEqual(Buffer.from(args[2]), Buffer.from([1, 2, 3]));

    const acked = await within(
      new Promise((resolve) => socket.emit('message-with-ack', 42, Buffer.from([9, 8]), (...a) => resolve(a))),
      3000,
      'the ack',
    );
    assert.equal(acked[0], 42);
    assert.deepEqual(Buffer.from(acked[1]), Buffer.from([9, 8]));
  }

  it('connects with default options (polling, then upgrade to WebSocket)', async () => {
    const socket = connect('/', { auth: { token: 'abc' } });
    try {
      const auth = new Promise((resolve) => socket.once('auth', resolve));
      let first;
      const upgraded = new Promise((resolve) =>
        socket.io.on('open', () => {
          first = socket.io.engine.transport.name;
          socket.io.engine.once('upgrade', resolve);
        }),
      );
      await within(new Promise((resolve) => socket.once('connect', resolve)), 3000, 'connect');
      assert.deepEqual(await within(auth, 3000, 'auth'), { token: 'abc' });
      await within(upgraded, 3000, 'the upgrade');
      assert.equal(first, 'polling');
      assert.equal(socket.io.engine.transport.name, 'websocket');
      await exchange(socket);
    } finally {
      socket.disconnect();
    }
  });

  it('connects with transports: ["websocket"]', async () => {
    const socket = connect('/', { transports: ['websocket'] });
    try {
      await within(new Promise((resolve) => socket.once('connect', resolve)), 3000, 'connect');
      assert.equal(socket.io.engine.transport.name, 'websocket');
      await exchange(socket);
    } finally {
      socket.disconnect();
    }
  });

  it('exchanges messages over polling only', async () => {
    const socket = connect('/custom', { transports: ['polling'] });
    try {
      await within(new Promise((resolve) => socket.once('connect', resolve)), 3000, 'connect');
      await exchange(socket);
      await sleep(PING_INTERVAL + PING_TIMEOUT); // survives a heartbeat
      assert.ok(socket.connected);
    } finally {
      socket.disconnect();
    }
  });

  it('gets connect_error for an unknown namespace', async () => {
    const socket = connect('/random', { transports: ['websocket'] });
    try {
      const error = await within(new Promise((resolve) => socket.once('connect_error', resolve)), 3000, 'connect_error');
      assert.equal(error.message, 'Invalid namespace');
    } finally {
      socket.disconnect();
    }
  });
});
