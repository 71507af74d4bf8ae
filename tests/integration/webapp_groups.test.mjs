// Editing a group in the web app (GET /), three people in three browser contexts: the
// admin renames it, sets its photo, adds and removes members from the "Group info" panel,
// and the others' apps follow live (chat:updated, chat:new).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aria, launch, openChat, person, seeMessage, send, signIn, writePng } from './lib/browser.mjs';
import { startFlowd, uniquePhone } from './lib/flowd.mjs';

/** Waits until `page`'s chat list has no item named `name`. */
async function noChat(page, name) {
  await page.waitForFunction((n) => ![...document.querySelectorAll('ul[aria-label="Chats"] > li')].some((li) => li.getAttribute('aria-label') === n), {}, name);
}

test('web app: an admin renames a group, sets its photo, adds and removes members; the others see it live', { timeout: 60_000 }, async (t) => {
  const f = await startFlowd();
  t.after(() => f.cleanup());
  const browser = await launch();
  t.after(() => browser.close());

  const alice = await person(browser, 'Alice');
  const bob = await person(browser, 'Bob');
  const carol = await person(browser, 'Carol');
  const [alicePhone, bobPhone, carolPhone] = [uniquePhone(), uniquePhone(), uniquePhone()];
  await Promise.all([
    signIn(f, alice.page, alicePhone, 'Alice'),
    signIn(f, bob.page, bobPhone, 'Bob'),
    signIn(f, carol.page, carolPhone, 'Carol'),
  ]);

  // Alice makes a group with Bob; Bob opens it.
  await alice.page.locator(aria('button', 'New group')).click();
  await alice.page.locator(aria('textbox', 'Group name')).fill('Book club');
  await alice.page.locator(aria('textbox', 'Member phone numbers')).fill(bobPhone);
  await alice.page.locator(aria('button', 'Create group')).click();
  await send(alice.page, 'First meeting on Monday');
  const bobChats = await bob.page.waitForSelector(aria('list', 'Chats'));
  await openChat(bob.page, 'Book club');
  await seeMessage(bob.page, 'First meeting on Monday');
  assert.equal(await bob.page.$(aria('button', 'Load older messages')), null, 'the whole history is shown');

  // Alice opens Group info: both members, herself the admin.
  await alice.page.locator(aria('button', 'Group info')).click();
  const members = await alice.page.waitForSelector(aria('list', 'Members'));
  await members.waitForSelector('::-p-text(Alice (you))');
  await members.waitForSelector(aria('button', 'Remove Bob'));
  await members.waitForSelector('::-p-text(Admin)');

  // A number nobody has is refused, with an alert that says so.
  const nobody = uniquePhone();
  await alice.page.locator(aria('textbox', 'Member phone numbers')).fill(nobody);
  await alice.page.locator(aria('button', 'Add members')).click();
  await alice.page.waitForSelector(`[role=alert]::-p-text(Nobody on Flow has ${nobody} yet.)`);

  // Renaming: Bob's chat list (keeping the last message) and open chat's header follow live.
  await alice.page.locator(aria('textbox', 'Group name')).fill('Reading club');
  await alice.page.locator(aria('button', 'Rename')).click();
  await (await bobChats.waitForSelector(aria('listitem', 'Reading club'))).waitForSelector('::-p-text(First meeting on Monday)');
  await bob.page.waitForSelector('.chat-head h2::-p-text(Reading club)');
  await alice.page.waitForSelector('.chat-head h2::-p-text(Reading club)');

  // Bob, a member, opens the panel by keyboard: he sees the members and can leave, but has
  // no admin tools; Escape closes it and gives the focus back to the button.
  await bob.page.focus(aria('button', 'Group info'));
  await bob.page.keyboard.press('Enter');
  await (await bob.page.waitForSelector(aria('list', 'Members'))).waitForSelector('::-p-text(Bob (you))');
  await bob.page.waitForSelector(aria('button', 'Leave group'));
  assert.equal(await bob.page.$(aria('button', 'Rename')), null);
  assert.equal(await bob.page.$(aria('button', 'Remove Alice')), null);
  await bob.page.keyboard.press('Escape');
  await bob.page.waitForFunction(() => !document.querySelector('ul[aria-label="Members"]') &&
    document.activeElement?.textContent === 'Group info' && document.activeElement.getAttribute('aria-expanded') === 'false');
  await bob.page.keyboard.press('Enter');

  // Alice adds Carol by number: the group appears in Carol's list, and in both panels.
  await alice.page.locator(aria('textbox', 'Member phone numbers')).fill(carolPhone);
  await alice.page.locator(aria('button', 'Add members')).click();
  const carolChats = await carol.page.waitForSelector(aria('list', 'Chats'));
  await carolChats.waitForSelector(aria('listitem', 'Reading club'));
  await members.waitForSelector(aria('button', 'Remove Carol'));
  await bob.page.waitForSelector('ul[aria-label="Members"] ::-p-text(Carol)');

  // A group photo: Carol sees it beside the group's name (the list is drawn anew on each change).
  const label = await alice.page.waitForSelector('label::-p-text(Group photo)');
  const photoInput = (await label.evaluateHandle((l) => l.control)).asElement();
  await photoInput.uploadFile(await writePng(t));
  await alice.page.locator(aria('button', 'Set group photo')).click();
  await carol.page.waitForSelector('ul[aria-label="Chats"] > li[aria-label="Reading club"] .avatar img');

  // Alice removes Bob: the group leaves his list, and his open chat stays readable, closed to writing.
  await alice.page.locator(aria('button', 'Remove Bob')).click();
  await noChat(bob.page, 'Reading club');
  await bob.page.waitForSelector('::-p-text(You are no longer a member of this group.)');
  await seeMessage(bob.page, 'First meeting on Monday');
  assert.equal(await bob.page.$(aria('textbox', 'Message')), null);
  assert.equal(await bob.page.$(aria('button', 'Group info')), null);
  await alice.page.waitForFunction(() => !document.querySelector('ul[aria-label="Members"]')?.textContent.includes('Bob'));

  // Carol leaves by herself; Alice's panel shows her gone.
  await carol.page.locator(aria('listitem', 'Reading club')).click();
  await carol.page.locator(aria('button', 'Group info')).click();
  await carol.page.locator(aria('button', 'Leave group')).click();
  await noChat(carol.page, 'Reading club');
  await alice.page.waitForFunction(() => document.querySelectorAll('ul[aria-label="Members"] > li').length === 1);
  await alice.page.waitForSelector('.chat-head [role=status]::-p-text(1 member)');

  assert.deepEqual([...alice.problems, ...bob.problems, ...carol.problems], []);
});

test('web app: pinning puts a chat on top, archiving moves it to "Archived", both kept across a reload', { timeout: 60_000 }, async (t) => {
  const f = await startFlowd();
  t.after(() => f.cleanup());
  const browser = await launch();
  t.after(() => browser.close());
  const alicePhone = uniquePhone();
  const { page, problems } = await person(browser, 'Alice');
  await signIn(f, page, alicePhone, 'Alice');
  // Two people write to Alice over the API: Bob first, then Carol (newest on top).
  const aliceToken = await page.evaluate(() => localStorage.getItem('flow.token'));
  const me = (await f.request('GET', '/users/me', { token: aliceToken })).json;
  for (const name of ['Bob', 'Carol']) {
    const { token } = await f.signUp(uniquePhone(), { name });
    const chat = (await f.request('POST', '/chats', { body: { type: 'direct', user_id: me.id }, token })).json;
    const sent = await f.request('POST', `/chats/${chat.id}/send_message`, { body: { client_id: `${name}-1`, type: 'text', text: `Hi from ${name}` }, token });
    assert.equal(sent.status, 201, sent.text);
  }
  const names = () => page.$$eval('ul[aria-label="Chats"] > li[aria-label]', (items) => items.map((li) => li.getAttribute('aria-label')));
  const chats = await page.waitForSelector(aria('list', 'Chats'));
  await chats.waitForSelector(aria('listitem', 'Bob'));
  assert.deepEqual(await names(), ['Carol', 'Bob']);

  // Bob's chat pinned: first, with a pin, and still first after a reload.
  await openChat(page, 'Bob');
  await page.locator(aria(null, 'Chat options')).click();
  await page.locator(aria('button', 'Pin chat')).click();
  await page.waitForFunction(() => document.querySelector('ul[aria-label="Chats"] > li')?.getAttribute('aria-label') === 'Bob');
  await (await page.waitForSelector('li[aria-label="Bob"]')).waitForSelector(aria(null, 'Pinned'));
  await page.reload();
  await (await page.waitForSelector(aria('list', 'Chats'))).waitForSelector(aria('listitem', 'Bob'));
  assert.deepEqual(await names(), ['Bob', 'Carol']);

  // Carol's chat archived: it leaves the list for "Archived (1)", and comes back from there.
  await openChat(page, 'Carol');
  await page.locator(aria(null, 'Chat options')).click();
  await page.locator(aria('button', 'Archive chat')).click();
  await page.waitForFunction(() => !document.querySelector('ul[aria-label="Chats"] > li[aria-label="Carol"]'));
  await page.locator(aria('button', 'Archived (1)')).click();
  const archived = await page.waitForSelector(aria('list', 'Archived chats'));
  await archived.waitForSelector(aria('listitem', 'Carol'));
  await page.locator(aria(null, 'Chat options')).click();
  await page.locator(aria('button', 'Unarchive chat')).click();
  await page.locator(aria('button', 'Back to chats')).click();
  await (await page.waitForSelector(aria('list', 'Chats'))).waitForSelector(aria('listitem', 'Carol'));
  assert.deepEqual(problems, []);
});
