// A message's life in the web app (GET /), two people in two browser contexts: editing,
// reactions, replies (and their quote once the original is deleted), forwarding into a
// group, and searching; the other person's app follows live (message:edited,
// message:reaction, message:deleted, message:new).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aliceAndBob, aria, clickFresh, launch, openChat, openMessageActions, seeMessage, send, startChat } from './lib/browser.mjs';
import { startFlowd } from './lib/flowd.mjs';

const EDIT_WINDOW_S = 15; // long enough for an edit made at once, short enough to wait out
const SEARCH_PAGE = 30; // search.ts's page size

/** Waits until the message showing `text` has, in its part that `css` selects, `part`. */
async function seeIn(page, text, css, part) {
  await page.waitForFunction((m, c, p) => [...document.querySelectorAll('ul[aria-label="Messages"] > li')]
    .some((li) => li.querySelector('.text')?.textContent === m && li.querySelector(c)?.textContent.includes(p)), {}, text, css, part);
}

/** Opens the "Message actions" menu of the message showing `text` and chooses `action` in it. */
async function act(page, text, action) {
  await openMessageActions(page, text);
  await page.locator(aria('button', action)).click();
}

test('web app: edit, react, reply, forward and search messages; the other person sees it live', { timeout: 90_000 }, async (t) => {
  const f = await startFlowd([`--edit-window-seconds=${EDIT_WINDOW_S}`]);
  t.after(() => f.cleanup());
  const browser = await launch();
  t.after(() => browser.close());

  const { alice, bob, bobPhone } = await aliceAndBob(f, browser);
  await startChat(alice.page, bobPhone);
  await send(alice.page, 'See you soon'); // edited once its window has passed, at the end
  const soonSent = Date.now();
  await send(alice.page, 'Dinner at seven?');
  const bobChats = await bob.page.waitForSelector(aria('list', 'Chats'));
  await openChat(bob.page, 'Alice');
  await seeMessage(bob.page, 'Dinner at seven?');

  // Alice edits her message: both see the new text, marked edited, the old one gone.
  await act(alice.page, 'Dinner at seven?', 'Edit');
  const box = alice.page.locator(aria('textbox', 'Message'));
  assert.equal(await box.map((el) => el.value).wait(), 'Dinner at seven?', 'the text to change is in the box');
  await alice.page.waitForSelector('::-p-text(Editing message)');
  await box.fill('Dinner at eight?');
  await alice.page.locator(aria('button', 'Send')).click();
  for (const page of [bob.page, alice.page]) {
    await seeIn(page, 'Dinner at eight?', '.edited', 'edited');
    const texts = await page.$$eval('ul[aria-label="Messages"] .text', (els) => els.map((e) => e.textContent));
    assert.ok(!texts.includes('Dinner at seven?'), texts.join(' | '));
  }

  // Bob reacts: Alice sees the count and who; Bob takes it back from his pressed reaction.
  await act(bob.page, 'Dinner at eight?', 'React with 👍');
  await alice.page.waitForSelector(aria('button', '👍 1: Bob'));
  const mine = await bob.page.waitForSelector(aria('button', '👍 1: you'));
  assert.equal(await mine.evaluate((b) => b.getAttribute('aria-pressed')), 'true');
  await clickFresh(() => bob.page.waitForSelector(aria('button', '👍 1: you')));
  for (const page of [alice.page, bob.page]) await page.waitForFunction(() => !document.querySelector('ul[aria-label="Messages"] .reactions'));

  // Bob replies to it (after changing his mind once: Escape cancels a reply): both see the
  // quote of Alice's message above his reply.
  const replying = () => document.querySelector('.composer-mode:not([hidden])')?.textContent.startsWith('Replying to');
  await act(bob.page, 'Dinner at eight?', 'Reply');
  await bob.page.waitForFunction(replying);
  await bob.page.keyboard.press('Escape');
  await bob.page.waitForFunction(() => !document.querySelector('.composer-mode:not([hidden])'));
  await act(bob.page, 'Dinner at eight?', 'Reply');
  await bob.page.waitForFunction(replying);
  await send(bob.page, 'Yes, see you there');
  for (const page of [alice.page, bob.page]) {
    await seeIn(page, 'Yes, see you there', '.quote', 'AliceDinner at eight?');
  }
  assert.equal(await bob.page.$('.composer-mode:not([hidden])'), null, 'the reply is no longer being written');

  // Alice deletes the original for everyone: Bob's reply now quotes a deleted message.
  await act(alice.page, 'Dinner at eight?', 'Delete for everyone');
  await seeIn(bob.page, 'Yes, see you there', '.quote', 'This message was deleted');

  // Alice forwards a message into a group with Bob: there it is marked Forwarded for both.
  await send(alice.page, 'Meet at the Café Olé');
  await seeMessage(bob.page, 'Meet at the Café Olé');
  await alice.page.locator(aria('button', 'New group')).click();
  await alice.page.locator(aria('textbox', 'Group name')).fill('Weekend');
  await alice.page.locator(aria('textbox', 'Member phone numbers')).fill(bobPhone);
  await alice.page.locator(aria('button', 'Create group')).click();
  await alice.page.waitForSelector('.chat-head h2::-p-text(Weekend)');
  await alice.page.locator(aria('listitem', 'Bob')).click();
  await act(alice.page, 'Meet at the Café Olé', 'Forward…');
  const dialog = await alice.page.waitForSelector(aria('dialog', 'Forward message'));
  await clickFresh(async () => dialog.waitForSelector(aria('checkbox', 'Weekend')));
  await clickFresh(async () => dialog.waitForSelector(aria('button', 'Forward')));
  await alice.page.waitForFunction(() => !document.querySelector('dialog'));
  await openChat(bob.page, 'Weekend');
  await seeIn(bob.page, 'Meet at the Café Olé', '.forwarded', 'Forwarded');
  await alice.page.locator(aria('listitem', 'Weekend')).click();
  await seeIn(alice.page, 'Meet at the Café Olé', '.forwarded', 'Forwarded');

  // Bob writes a page of notes into the group (over the API, to be quick).
  const bobToken = await bob.page.evaluate(() => localStorage.getItem('flow.token'));
  const chats = (await f.request('GET', '/chats', { token: bobToken })).json.items;
  const weekend = chats.find((c) => c.name === 'Weekend');
  for (let i = 1; i <= SEARCH_PAGE; i++) {
    const sent = await f.request('POST', `/chats/${weekend.id}/send_message`, { body: { client_id: `note-${i}`, type: 'text', text: `Cafe note ${i}` }, token: bobToken });
    assert.equal(sent.status, 201, sent.text);
  }

  // Alice searches, case and accents aside: newest first, a page at a time ("Load more"),
  // the two copies of her message last; choosing the older opens the direct chat with Bob.
  await alice.page.locator(aria('searchbox', 'Search messages')).fill('CAFE');
  await alice.page.keyboard.press('Enter');
  const results = await alice.page.waitForSelector(aria('list', 'Search results'));
  const found = () => results.$$eval('li', (items) => items.map((li) => [li.querySelector('.name').textContent, li.querySelector('.what').textContent]));
  await results.waitForSelector(`li:nth-child(${SEARCH_PAGE})`);
  assert.deepEqual((await found())[0], ['Weekend', `Bob: Cafe note ${SEARCH_PAGE}`]);
  await alice.page.locator(aria('button', 'Load more')).click();
  await results.waitForSelector(`li:nth-child(${SEARCH_PAGE + 2})`);
  assert.deepEqual((await found()).slice(SEARCH_PAGE - 1), [
    ['Weekend', 'Bob: Cafe note 1'], ['Weekend', 'Alice: Meet at the Café Olé'], ['Bob', 'Alice: Meet at the Café Olé']]);
  await alice.page.waitForSelector(`${aria('button', 'Load more')}`, { hidden: true });
  await clickFresh(async () => results.waitForSelector(`li:nth-child(${SEARCH_PAGE + 2}) button`));
  await alice.page.waitForSelector('.chat-head h2::-p-text(Bob)');
  await seeMessage(alice.page, 'Meet at the Café Olé');

  // Past the edit window the server refuses an edit, and the app says why; the text stays.
  await alice.page.waitForFunction((until) => Date.now() > until, { timeout: (EDIT_WINDOW_S + 2) * 1000 }, soonSent + EDIT_WINDOW_S * 1000 + 500);
  await act(alice.page, 'See you soon', 'Edit');
  await alice.page.locator(aria('textbox', 'Message')).fill('See you later');
  await alice.page.locator(aria('button', 'Send')).click();
  await alice.page.waitForSelector('[role=alert]::-p-text(It is too late to change this message.)');
  await seeMessage(alice.page, 'See you soon');

  // The browser logs the refused edit's 403 itself; nothing else went wrong.
  const refused = (p) => /status of 403 .*\/messages\/[^/]+$/.test(p);
  assert.deepEqual([...alice.problems.filter((p) => !refused(p)), ...bob.problems], []);
});
