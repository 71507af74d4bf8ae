// The real-time API document, api/asyncapi.yaml: it is valid AsyncAPI 3.0.0 as
// @asyncapi/parser judges it (its payloads are OpenAPI 3.0 schemas, many of them $refs
// into api/openapi.json, so that document's schemas must resolve and be valid OpenAPI 3.0
// too), and it documents exactly the events the server has, read from the source: every
// event a client may send (src/realtime/gateway.cpp) as a `receive` operation with a
// reply (its ack) on both channels, and every event the server sends as a `send`
// operation on the channels that send it. A new event without documentation fails here.
// Needs no server; the parser comes from tests/support (scripts/test.sh runs npm ci there).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOCUMENT = path.join(REPO, 'api', 'asyncapi.yaml');
const support = createRequire(path.join(REPO, 'tests', 'support', 'package.json'));

const source = (file) => readFileSync(path.join(REPO, 'src', file), 'utf8');
const matches = (text, regex) => [...text.matchAll(regex)].map((m) => m[1]);
const sorted = (names) => [...new Set(names)].sort();

// The channels of the document, by transport.
const SOCKETIO = 'socketio';
const WS = 'ws';

/** The events a client may send: the names Gateway::handle compares the event with. */
function clientEvents() {
  return sorted(matches(source('realtime/gateway.cpp'), /event\s*[!=]=\s*"([^"]+)"/g));
}

/**
 * The events the server sends, with the channels each goes out on: the domain events as
 * wire/event_json.cpp names them (both transports), and the events a transport frames
 * itself (`frame_event(format, "name", ...)`: /ws's `error`).
 */
function serverEvents() {
  const events = new Map();
  for (const name of matches(source('wire/event_json.cpp'), /return\s*\{\s*"([^"]+)"/g)) events.set(name, [SOCKETIO, WS]);
  // A sign-out is a domain event with a name too, but it is never framed: encode() turns
  // it into "close this device's sockets" before any event is encoded.
  const delivery = source('wire/encoded_delivery.cpp');
  const endedAt = delivery.indexOf('get_if<event::SessionEnded>');
  assert.ok(endedAt >= 0 && endedAt < delivery.indexOf('to_json(delivery.event)'),
    'wire/encoded_delivery.cpp no longer turns a SessionEnded into a closing before encoding events: is session:ended sent to clients now? Then document it.');
  events.delete('session:ended');
  const own = (dir, channel) => {
    for (const file of readdirSync(path.join(REPO, 'src', dir)).filter((f) => f.endsWith('.cpp')))
      for (const name of matches(source(path.join(dir, file)), /frame_event\([^,]+,\s*"([^"]+)"/g)) events.set(name, [channel]);
  };
  own('realtime/ws', WS);
  return events;
}

describe('api/asyncapi.yaml, the real-time API', () => {
  let document;
  let diagnostics;

  before(async () => {
    let parser;
    try {
      const { Parser } = support('@asyncapi/parser');
      const { OpenAPISchemaParser } = support('@asyncapi/openapi-schema-parser');
      parser = new Parser();
      parser.registerSchemaParser(OpenAPISchemaParser());
    } catch (e) {
      throw new Error(`@asyncapi/parser is missing: run npm ci in tests/support (${e.message})`);
    }
    const { fromFile } = support('@asyncapi/parser');
    ({ document, diagnostics } = await fromFile(parser, DOCUMENT).parse());
  });

  it('is valid AsyncAPI 3.0.0: no error from the parser, every $ref (into openapi.json too) resolved', () => {
    const errors = diagnostics.filter((d) => d.severity === 0);
    assert.deepEqual(
      errors.map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}${d.source ? ` (${path.relative(REPO, d.source)})` : ''}`),
      [],
      'api/asyncapi.yaml has errors',
    );
    assert.ok(document, 'the parser gave no document');
    assert.equal(document.version(), '3.0.0');
    assert.deepEqual(sorted(document.channels().all().map((c) => c.address())), ['/socket.io/', '/ws']);
  });

  /** The parsed document; the parser gives none for a document with errors. */
  function parsed() {
    assert.ok(document, 'api/asyncapi.yaml has errors (see the first test): nothing to check');
    return document;
  }

  /** The message names of the document's operations of `action` on `channel`. */
  function operations(action, channel) {
    const found = new Map(); // message name -> the operation
    for (const op of parsed().operations().all()) {
      if (op.action() !== action || !op.channels().all().some((c) => c.id() === channel)) continue;
      for (const message of op.messages().all()) found.set(message.name(), op);
    }
    return found;
  }

  it('documents every event a client may send, on both channels, each with its ack', () => {
    const events = clientEvents();
    assert.ok(events.includes('message:send'), `the events read from gateway.cpp: ${events}`);
    for (const channel of [SOCKETIO, WS]) {
      const documented = operations('receive', channel);
      assert.deepEqual(sorted(documented.keys()), events, `the client events documented on channel ${channel}`);
      for (const [name, op] of documented) {
        const replies = op.reply()?.messages().all() ?? [];
        assert.ok(replies.length > 0, `${channel}: ${name} has no reply (its ack)`);
      }
    }
  });

  it('documents every event the server sends, on the channels that send it, and no other', () => {
    const events = serverEvents();
    assert.ok(events.has('message:new') && events.has('error'), `the events read from the source: ${[...events.keys()]}`);
    for (const channel of [SOCKETIO, WS]) {
      const expected = sorted([...events].filter(([, channels]) => channels.includes(channel)).map(([name]) => name));
      assert.deepEqual(sorted(operations('send', channel).keys()), expected, `the server events documented on channel ${channel}`);
    }
  });

  it('gives every event a payload, a description and who receives it', () => {
    for (const message of parsed().messages().all()) {
      const name = message.name();
      assert.ok(message.hasPayload(), `${name} has no payload`);
      assert.ok(message.description()?.length > 0 || message.summary()?.length > 0, `${name} is not described`);
    }
    for (const op of parsed().operations().all().filter((o) => o.action() === 'send'))
      for (const message of op.messages().all())
        assert.match(message.description() ?? '', /\*\*To:\*\*/, `${message.name()} does not say who receives it`);
  });
});
