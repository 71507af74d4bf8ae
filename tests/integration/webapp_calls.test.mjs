// Calls in the web app, between two browser contexts with Chromium's fake camera and
// microphone: a declined audio call, then a video call that connects, once over host
// candidates and once forced through the coturn started here (iceTransportPolicy "relay"),
// which proves the TURN logins Flow hands out work end to end; and the call history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { aria, launch, openChat, person, seeMessage, send, signIn, startChat } from './lib/browser.mjs';
import { startCoturn } from './lib/coturn.mjs';
import { startFlowd, uniquePhone } from './lib/flowd.mjs';

const SECRET = 'webapp-turn-secret-' + process.pid;

let turn;
let f;
let browser;
before(async () => {
  turn = await startCoturn(SECRET);
  f = await startFlowd(['--turn-secret', SECRET, '--turn-urls', `turn:127.0.0.1:${turn.port}?transport=udp`]);
  browser = await launch([
    '--use-fake-ui-for-media-stream', // grant the camera and microphone without asking
    '--use-fake-device-for-media-stream', // a synthetic camera and microphone
    // Host candidates as addresses, not mDNS names (nothing here answers mDNS).
    '--disable-features=WebRtcHideLocalIpsWithMdns',
  ]);
});
after(async () => {
  await browser?.close();
  await f?.cleanup();
  await turn?.stop();
});

/**
 * Runs in the page before the app: keeps every RTCPeerConnection the app makes in
 * window.peers for the test to inspect, and with `relayOnly` lets ICE use relayed
 * candidates only, as a browser behind a strict firewall would.
 */
function watchPeers(relayOnly) {
  const Native = window.RTCPeerConnection;
  window.peers = [];
  window.RTCPeerConnection = class extends Native {
    constructor(config = {}) {
      super(relayOnly ? { ...config, iceTransportPolicy: 'relay' } : config);
      window.peers.push(this);
    }
  };
}

/** The candidate types of the pair the page's (only) peer connection chose, and the bytes it received. */
function chosenPath(page) {
  return page.evaluate(async () => {
    const stats = await window.peers.at(-1).getStats();
    let pair;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
    });
    if (!pair) return null;
    return {
      local: stats.get(pair.localCandidateId).candidateType,
      remote: stats.get(pair.remoteCandidateId).candidateType,
      bytesReceived: pair.bytesReceived,
    };
  });
}

/** Two people who are contacts (each wrote in their chat), with the chat open on both sides. */
async function twoContacts(relayOnly) {
  const alice = await person(browser, 'Alice');
  const bob = await person(browser, 'Bob');
  await alice.page.evaluateOnNewDocument(watchPeers, relayOnly);
  await bob.page.evaluateOnNewDocument(watchPeers, relayOnly);
  const [alicePhone, bobPhone] = [uniquePhone(), uniquePhone()];
  await Promise.all([signIn(f, alice.page, alicePhone, 'Alice'), signIn(f, bob.page, bobPhone, 'Bob')]);
  await startChat(alice.page, bobPhone);
  await send(alice.page, 'Can I call you?');
  await openChat(bob.page, 'Alice');
  await send(bob.page, 'Sure');
  await seeMessage(alice.page, 'Sure');
  return { alice, bob };
}

/** Waits until the call panel of `page` says `text`. */
async function panelSays(page, text) {
  const panel = await page.waitForSelector(aria('region', 'Call'));
  await panel.waitForSelector(`::-p-text(${text})`);
}

/** Alice video-calls Bob, he accepts, both see and hear each other; returns the ICE path each chose. */
async function videoCall({ alice, bob }) {
  await alice.page.locator(aria('button', 'Video call')).click();
  await panelSays(alice.page, 'Calling Bob');
  await panelSays(bob.page, 'Alice is calling');
  await bob.page.locator(aria('button', 'Accept')).click();
  await Promise.all([panelSays(alice.page, 'Connected'), panelSays(bob.page, 'Connected')]);
  // Each side plays the other's camera: frames arrive and are decoded.
  for (const { page } of [alice, bob]) {
    await page.waitForFunction(() => {
      const video = document.querySelector('section[aria-label="Call"] figure video');
      return video && video.videoWidth > 0 && video.currentTime > 0;
    });
  }
  return { alice: await chosenPath(alice.page), bob: await chosenPath(bob.page) };
}

/** Alice hangs up; both panels say so, and both call histories show the call. */
async function hangUp({ alice, bob }) {
  await alice.page.locator(aria('button', 'End call')).click();
  await Promise.all([panelSays(alice.page, 'Call ended'), panelSays(bob.page, 'Call ended')]);
  for (const [{ page }, entry] of [[alice, 'Outgoing video call, Bob'], [bob, 'Incoming video call, Alice']]) {
    await page.locator(aria('button', 'Calls')).click();
    const history = await page.waitForSelector(aria('list', 'Calls'));
    await history.waitForSelector(aria('listitem', entry));
  }
}

test('web app calls: declining an audio call, then a video call over host candidates', { timeout: 60_000 }, async () => {
  const people = await twoContacts(false);
  const { alice, bob } = people;

  await alice.page.locator(aria('button', 'Audio call')).click();
  await panelSays(bob.page, 'Incoming audio call');
  await bob.page.locator(aria('button', 'Decline')).click();
  await panelSays(alice.page, 'Call declined');

  const path = await videoCall(people);
  assert.equal(path.alice?.local, 'host', JSON.stringify(path));
  assert.equal(path.bob?.local, 'host', JSON.stringify(path));
  assert.ok(path.alice.bytesReceived > 0 && path.bob.bytesReceived > 0, JSON.stringify(path));
  await hangUp(people);

  // The history has the declined audio call too.
  const history = await alice.page.waitForSelector(aria('list', 'Calls'));
  await history.waitForSelector(aria('listitem', 'Outgoing audio call, Bob'));
  assert.deepEqual([...alice.problems, ...bob.problems], []);
});

test('web app calls: a video call forced through TURN relays its media via coturn', { timeout: 60_000 }, async () => {
  const people = await twoContacts(true);
  const path = await videoCall(people);
  assert.equal(path.alice?.local, 'relay', JSON.stringify(path));
  assert.equal(path.bob?.local, 'relay', JSON.stringify(path));
  assert.ok(path.alice.bytesReceived > 0 && path.bob.bytesReceived > 0, JSON.stringify(path));
  await hangUp(people);
  assert.deepEqual([...people.alice.problems, ...people.bob.problems], []);
});

test('web app calls: a group video call connects everyone to everyone (a mesh)', { timeout: 60_000 }, async () => {
  const people = await Promise.all(['Alice', 'Bob', 'Carol'].map(async (name) => {
    const p = await person(browser, name);
    await p.page.evaluateOnNewDocument(watchPeers, false);
    return { ...p, name, phone: uniquePhone() };
  }));
  await Promise.all(people.map((p) => signIn(f, p.page, p.phone, p.name)));
  const [alice, bob, carol] = people;
  await alice.page.locator(aria('button', 'New group')).click();
  await alice.page.locator(aria('textbox', 'Group name')).fill('Standup');
  await alice.page.locator(aria('textbox', 'Member phone numbers')).fill(`${bob.phone}, ${carol.phone}`);
  await alice.page.locator(aria('button', 'Create group')).click();
  await alice.page.locator(aria('button', 'Video call')).click();

  // Bob joins first, then Carol: she offers to both who are in, and everyone sees two others.
  await panelSays(bob.page, 'Incoming video call in Standup');
  await bob.page.locator(aria('button', 'Accept')).click();
  await panelSays(alice.page, 'Connected');
  await carol.page.locator(aria('button', 'Accept')).click();
  for (const { page } of people) {
    await page.waitForFunction(() => {
      const videos = [...document.querySelectorAll('section[aria-label="Call"] figure video')];
      return videos.length === 2 && videos.every((v) => v.videoWidth > 0);
    });
    assert.deepEqual(await page.evaluate(() => window.peers.map((pc) => pc.connectionState)), ['connected', 'connected']);
  }

  // Carol leaves: the others stay in the call with one tile each.
  await carol.page.locator(aria('button', 'End call')).click();
  for (const { page } of [alice, bob]) {
    await page.waitForFunction(() => document.querySelectorAll('section[aria-label="Call"] figure video').length === 1);
    await panelSays(page, 'Connected');
  }
  await alice.page.locator(aria('button', 'End call')).click();
  await panelSays(bob.page, 'Call ended');
  assert.deepEqual(people.flatMap((p) => p.problems), []);
});
