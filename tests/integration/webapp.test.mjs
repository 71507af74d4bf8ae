// Flow's web app (GET /) and its API docs page (GET /docs) in a real browser
// (lib/browser.mjs), with two browser contexts as two people.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aria, launch, openChat, openMessageActions, person, seeMessage, send, signIn, startChat, writePng } from './lib/browser.mjs';
import { startFlowd, uniquePhone } from './lib/flowd.mjs';

test('web app: two people sign in, start a chat by phone number, talk live, see typing and a photo, delete, make a group, set a photo, share a story', { timeout: 60_000 }, async (t) => {
  const f = await startFlowd();
  t.after(() => f.cleanup());
  const browser = await launch();
  t.after(() => browser.close());

  // The page and its script come from flowd itself.
  const index = await fetch(f.baseUrl + '/');
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  const script = await fetch(f.baseUrl + '/app.js');
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type'), /javascript/);

  const alice = await person(browser, 'Alice');
  const bob = await person(browser, 'Bob');
  const [alicePhone, bobPhone] = [uniquePhone(), uniquePhone()];
  await Promise.all([signIn(f, alice.page, alicePhone, 'Alice'), signIn(f, bob.page, bobPhone, 'Bob')]);

  // Alice starts a direct chat with Bob by his number; it is named after him.
  await startChat(alice.page, bobPhone);
  const aliceChats = await alice.page.waitForSelector(aria('list', 'Chats'));
  await aliceChats.waitForSelector(aria('listitem', 'Bob'));
  await send(alice.page, 'Hi Bob');
  await seeMessage(alice.page, 'Hi Bob');

  // Bob's chat list shows the new chat live, named after Alice, with the message and one unread.
  const bobChats = await bob.page.waitForSelector(aria('list', 'Chats'));
  const item = await bobChats.waitForSelector(aria('listitem', 'Alice'));
  await item.waitForSelector('::-p-text(Hi Bob)');
  await item.waitForSelector(aria(null, '1 unread'));
  await openChat(bob.page, 'Alice');
  await seeMessage(bob.page, 'Hi Bob'); // the history

  // With the chat open, a new message appears live on Bob's side, and his reply on Alice's.
  await send(alice.page, 'Are you there?');
  await seeMessage(bob.page, 'Are you there?');
  await send(bob.page, 'Yes, here!');
  await seeMessage(alice.page, 'Yes, here!');

  // Now that both have written they are contacts: Bob reading Alice's next message shows as read.
  await send(alice.page, 'Great');
  await seeMessage(bob.page, 'Great');
  const great = await seeMessage(alice.page, 'Great');
  const li = await great.evaluateHandle((el) => el.closest('li'));
  await li.asElement().waitForSelector(aria(null, 'Read'));

  // Bob typing shows on Alice's side under his name.
  await bob.page.locator(aria('textbox', 'Message')).fill('I am wri');
  await alice.page.waitForSelector('::-p-text(typing…)');

  // A photo: Alice attaches one; Bob sees it in the chat, its bytes loaded with his token.
  const [chooser] = await Promise.all([alice.page.waitForFileChooser(), alice.page.locator(aria('button', 'Attach')).click()]);
  await chooser.accept([await writePng(t)]);
  const bobMessages = await bob.page.waitForSelector(aria('list', 'Messages'));
  const photo = await bobMessages.waitForSelector(aria(null, 'Photo')); // role img, or image in newer Chromium
  await bob.page.waitForFunction((img) => img.complete && img.naturalWidth === 1, {}, photo);

  // Alice takes "Great" back for everyone; Bob sees it go.
  await openMessageActions(alice.page, 'Great');
  await alice.page.locator(aria('button', 'Delete for everyone')).click();
  await bobMessages.waitForSelector('::-p-text(This message was deleted)');

  // A group: Alice names it and adds Bob by number; it appears in Bob's chat list.
  await alice.page.locator(aria('button', 'New group')).click();
  await alice.page.locator(aria('textbox', 'Group name')).fill('Weekend trip');
  await alice.page.locator(aria('textbox', 'Member phone numbers')).fill(bobPhone);
  await alice.page.locator(aria('button', 'Create group')).click();
  await send(alice.page, 'Who is in?');
  await bobChats.waitForSelector(aria('listitem', 'Weekend trip'));

  // A story: Alice posts one, Bob (a contact now) sees it, and Alice sees that he did.
  await alice.page.locator(aria('button', 'Stories')).click();
  await alice.page.locator(aria('textbox', 'Story text')).fill('Off to the beach');
  await alice.page.locator(aria('button', 'Post story')).click();
  await bob.page.locator(aria('button', 'Stories')).click();
  const bobStories = await bob.page.waitForSelector(aria('list', 'Stories'));
  await bobStories.waitForSelector(aria('listitem', 'Alice'));
  await bob.page.locator(`${aria('list', 'Stories')} ${aria('listitem', 'Alice')}`).click();
  await bob.page.waitForSelector('::-p-text(Off to the beach)');
  await bob.page.waitForSelector('.stories li[aria-label="Alice"]:not(.unseen)'); // the view is recorded
  const aliceStories = await alice.page.waitForSelector(aria('list', 'Stories'));
  await aliceStories.waitForSelector(aria('listitem', 'My stories'));
  await alice.page.locator(`${aria('list', 'Stories')} ${aria('listitem', 'My stories')}`).click();
  await alice.page.waitForSelector('::-p-text(Viewed by Bob)');

  // Alice gives herself a photo in her profile; Bob sees it beside her name after a reload.
  await alice.page.locator(aria('button', 'Alice (profile)')).click();
  // A file input, reached through its label (Chromium's accessibility tree names the inner button).
  const label = await alice.page.waitForSelector('label::-p-text(Profile photo)');
  const photoInput = (await label.evaluateHandle((l) => l.control)).asElement();
  await photoInput.uploadFile(await writePng(t));
  await alice.page.locator(aria('button', 'Save profile')).click();
  await alice.page.waitForSelector('.top .me .avatar img');

  // Reloading keeps Bob signed in (the token is in localStorage) with the history there.
  await bob.page.reload();
  const again = await bob.page.waitForSelector(aria('list', 'Chats'));
  const aliceAgain = await again.waitForSelector(aria('listitem', 'Alice'));
  await aliceAgain.waitForSelector('.avatar img');
  await openChat(bob.page, 'Alice');
  await seeMessage(bob.page, 'Yes, here!');

  assert.deepEqual([...alice.problems, ...bob.problems], []);
});

/** The role of the element `css` selects, and the name its aria-labelledby gives it. */
function panelName(page, css) {
  return page.$eval(css, (el) => [el.getAttribute('role'), document.getElementById(el.getAttribute('aria-labelledby'))?.textContent]);
}

test('API docs: /docs renders the REST API (Swagger UI) and the real-time API (AsyncAPI) in tabs used by keyboard, and shows only its own documents whatever ?url= says', { timeout: 60_000 }, async (t) => {
  const RENDER_MS = 20_000; // a 4 MB script parsed and two documents rendered, on a busy machine
  const f = await startFlowd();
  t.after(() => f.cleanup());
  const browser = await launch();
  t.after(() => browser.close());
  const { page, problems } = await person(browser, 'Reader');
  const base = f.baseUrl;
  const elsewhere = []; // every request the page makes that is not to this server
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('data:') && new URL(url).origin !== new URL(base).origin) elsewhere.push(url);
  });

  // A link that names another document, as old Swagger UI's ?url= took it: Flow's own shows.
  await page.goto(`${base}/docs?url=https://evil.example/x.json&configUrl=https://evil.example/c.json`, { timeout: RENDER_MS });
  // The panels by CSS: an ARIA query walks the accessibility tree of Swagger UI's large
  // page, which took over 30 s on a loaded machine. Their roles and names are checked apart.
  const rest = await page.waitForSelector('#panel-rest:not([hidden])');
  assert.deepEqual(await panelName(page, '#panel-rest'), ['tabpanel', 'REST']);
  await rest.waitForSelector('::-p-text(/chats/{chat_id}/send_message)', { timeout: RENDER_MS });
  const title = await rest.$eval('.info .title', (el) => el.textContent);
  assert.match(title, /^Flow API/, `Swagger UI shows ${title}`);

  // The tabs by keyboard: from the focused REST tab, the right arrow opens Real time.
  await page.focus('#tab-rest');
  await page.keyboard.press('ArrowRight');
  const focused = await page.evaluate(() => [document.activeElement.textContent, document.activeElement.getAttribute('aria-selected')]);
  assert.deepEqual(focused, ['Real time', 'true']);
  const realtime = await page.waitForSelector('#panel-realtime:not([hidden])');
  assert.deepEqual(await panelName(page, '#panel-realtime'), ['tabpanel', 'Real time']);
  await realtime.waitForSelector('::-p-text(message:new)', { timeout: RENDER_MS }); // an event the server sends
  await realtime.waitForSelector('::-p-text(message:send)'); // and one a client sends
  assert.equal(await page.$eval('#panel-rest', (el) => el.hidden), true, 'the REST panel is hidden');

  assert.deepEqual(elsewhere, [], 'requests to anywhere but this server');
  assert.deepEqual(problems, []);
});
