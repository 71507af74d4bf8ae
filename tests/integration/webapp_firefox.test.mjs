// The web app in Firefox (the contract names current Chromium and Firefox): two people in
// Debian's Firefox ESR sign in, talk live both ways and see the read tick, then have a
// video call with Firefox's fake camera that connects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aria, launchFirefox, openChat, person, seeMessage, send, signIn, startChat } from './lib/browser.mjs';
import { startFlowd, uniquePhone } from './lib/flowd.mjs';

test('web app in Firefox: sign in, a chat both ways live, and a video call', { timeout: 150_000 }, async (t) => {
  const f = await startFlowd();
  t.after(() => f.cleanup());
  const browser = await launchFirefox();
  t.after(() => browser.close());

  const alice = await person(browser, 'Alice');
  const bob = await person(browser, 'Bob');
  const [alicePhone, bobPhone] = [uniquePhone(), uniquePhone()];
  await signIn(f, alice.page, alicePhone, 'Alice');
  await signIn(f, bob.page, bobPhone, 'Bob');

  await startChat(alice.page, bobPhone);
  await send(alice.page, 'Hello from Firefox');
  await openChat(bob.page, 'Alice');
  await seeMessage(bob.page, 'Hello from Firefox');
  await send(bob.page, 'Firefox here too');
  await seeMessage(alice.page, 'Firefox here too');
  await send(alice.page, 'Read this');
  await seeMessage(bob.page, 'Read this');
  const item = await (await seeMessage(alice.page, 'Read this')).evaluateHandle((el) => el.closest('li'));
  await item.asElement().waitForSelector(aria(null, 'Read'));

  await alice.page.locator(aria('button', 'Video call')).click();
  await bob.page.locator(aria('button', 'Accept')).click();
  for (const { page } of [alice, bob]) {
    const panel = await page.waitForSelector(aria('region', 'Call'));
    await panel.waitForSelector('::-p-text(Connected)');
    await page.waitForFunction(() => {
      const video = document.querySelector('section[aria-label="Call"] figure video');
      return video && video.videoWidth > 0;
    });
  }
  await alice.page.locator(aria('button', 'End call')).click();
  await (await bob.page.waitForSelector(aria('region', 'Call'))).waitForSelector('::-p-text(Call ended)');

  assert.deepEqual([...alice.problems, ...bob.problems], []);
});
