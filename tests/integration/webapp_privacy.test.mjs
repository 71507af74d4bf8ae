// Privacy, blocking and reports in the web app (GET /), two people in two browser
// contexts: Alice's privacy settings kept across a reload, blocking Bob from the chat's
// menu (a note, no message box, nothing of his arrives), unblocking him from "Blocked
// users" (his next message arrives live), and reporting a message of his.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aliceAndBob, aria, clickFresh, launch, openChat, openMessageActions, seeMessage, send, startChat } from './lib/browser.mjs';
import { request, startFlowd } from './lib/flowd.mjs';

/** The texts of the messages `page`'s open chat shows. */
const texts = (page) => page.$$eval('ul[aria-label="Messages"] .text', (els) => els.map((e) => e.textContent));

/** Opens Alice's "Privacy" dialog and answers it once it shows her settings. */
async function openPrivacy(page) {
  await page.locator(aria('button', 'Privacy')).click();
  const dialog = await page.waitForSelector(aria('dialog', 'Privacy'));
  await page.waitForFunction(() => document.querySelector('dialog.privacy input[type=radio]:checked'));
  return dialog;
}

/** Whether the radio button `choice` in the group `legend` of `dialog` is checked. */
async function checked(dialog, legend, choice) {
  const group = await dialog.waitForSelector(aria('group', legend));
  return (await group.waitForSelector(aria('radio', choice))).evaluate((r) => r.checked);
}

/** flow_reports_total{reason} summed over the server's nodes. */
async function reports(f, reason) {
  let n = 0;
  for (const node of f.nodes) {
    const { text } = await request(node.url, 'GET', '/metrics');
    const line = text.split('\n').find((l) => l.startsWith(`flow_reports_total{reason="${reason}"} `));
    n += line ? Number(line.split(' ')[1]) : 0;
  }
  return n;
}

test('web app: privacy settings, blocking and unblocking from the chat, and reporting a message', { timeout: 90_000 }, async (t) => {
  const f = await startFlowd();
  t.after(() => f.cleanup());
  const browser = await launch();
  t.after(() => browser.close());

  const { alice, bob, bobPhone } = await aliceAndBob(f, browser);
  await startChat(alice.page, bobPhone);
  await send(alice.page, 'Hello Bob');
  const bobChats = await bob.page.waitForSelector(aria('list', 'Chats'));
  await openChat(bob.page, 'Alice');
  await seeMessage(bob.page, 'Hello Bob');
  await send(bob.page, 'Buy cheap watches now');
  await seeMessage(alice.page, 'Buy cheap watches now');

  // Privacy: Alice hides her last seen from everyone and her about from all but contacts;
  // the dialog shows the defaults first, and what she saved after a reload.
  let dialog = await openPrivacy(alice.page);
  assert.ok(await checked(dialog, 'Last seen', 'My contacts'), 'the default last_seen');
  assert.ok(await checked(dialog, 'About', 'Everyone'), 'the default about');
  await clickFresh(async () => (await dialog.waitForSelector(aria('group', 'Last seen'))).waitForSelector(aria('radio', 'Nobody')));
  await clickFresh(async () => (await dialog.waitForSelector(aria('group', 'About'))).waitForSelector(aria('radio', 'My contacts')));
  await clickFresh(async () => dialog.waitForSelector(aria('button', 'Save')));
  await dialog.waitForSelector('::-p-text(Privacy settings saved.)');
  const token = await alice.page.evaluate(() => localStorage.getItem('flow.token'));
  const held = await f.request('GET', '/users/me/privacy', { token });
  assert.equal(held.status, 200);
  assert.deepEqual(held.json, { last_seen: 'nobody', photo: 'everyone', about: 'contacts', read_receipts: true, groups_add: 'everyone' });
  await alice.page.reload();
  dialog = await openPrivacy(alice.page);
  assert.ok(await checked(dialog, 'Last seen', 'Nobody'), 'last_seen kept');
  assert.ok(await checked(dialog, 'About', 'My contacts'), 'about kept');
  assert.ok(await checked(dialog, 'Profile photo', 'Everyone'), 'photo as it was');
  assert.ok(await checked(dialog, 'Who can add me to groups', 'Everyone'), 'groups_add as it was');
  await dialog.waitForSelector('::-p-text(You have not blocked anyone.)');
  await clickFresh(async () => dialog.waitForSelector(aria('button', 'Close')));
  await alice.page.waitForFunction(() => !document.querySelector('dialog'));

  // Blocking from the chat's menu, confirmed: a note, and no message box or calls.
  const aliceChats = await alice.page.waitForSelector(aria('list', 'Chats'));
  await openChat(alice.page, 'Bob');
  await seeMessage(alice.page, 'Buy cheap watches now');
  await alice.page.locator(aria(null, 'Chat options')).click();
  await alice.page.locator(aria('button', 'Block Bob')).click();
  const confirm = await alice.page.waitForSelector(aria('dialog', 'Block Bob?'));
  await clickFresh(async () => confirm.waitForSelector(aria('button', 'Block')));
  await alice.page.waitForSelector('::-p-text(You blocked this contact. Unblock to send a message.)');
  await alice.page.waitForFunction(() => document.querySelector('form.composer input:not([type=file])')?.disabled);
  for (const name of ['Send', 'Attach', 'Audio call', 'Video call']) {
    assert.ok(await alice.page.$eval(aria('button', name), (b) => b.disabled), `${name} is disabled`);
  }

  // Bob's message looks sent to him, and never reaches Alice.
  await send(bob.page, 'Are you there?');
  await seeMessage(bob.page, 'Are you there?');
  await bob.page.waitForSelector('ul[aria-label="Messages"] li.mine:last-child .tick[aria-label=Sent]');

  // Alice unblocks Bob from "Blocked users": the note goes, the box comes back, and Bob's
  // next message arrives live (the one sent while blocked never does).
  dialog = await openPrivacy(alice.page);
  const blocked = await dialog.waitForSelector(aria('list', 'Blocked users'));
  await blocked.waitForSelector('::-p-text(Bob)');
  await clickFresh(async () => blocked.waitForSelector(aria('button', 'Unblock Bob')));
  await dialog.waitForSelector('::-p-text(You have not blocked anyone.)');
  await clickFresh(async () => dialog.waitForSelector(aria('button', 'Close')));
  await alice.page.waitForFunction(() => document.querySelector('.blocked-note')?.hidden &&
    document.querySelector('form.composer input:not([type=file])')?.disabled === false);
  await send(bob.page, 'Sorry, wrong number');
  await seeMessage(alice.page, 'Sorry, wrong number');
  assert.ok(!(await texts(alice.page)).includes('Are you there?'), 'the message sent during the block never arrives');
  const unblocked = await f.request('GET', '/users/blocked', { token });
  assert.deepEqual(unblocked.json.items, []);

  // Alice reports Bob's first message as spam, from its actions menu.
  const before = await reports(f, 'spam');
  await openMessageActions(alice.page, 'Buy cheap watches now');
  await alice.page.locator(aria('button', 'Report…')).click();
  const report = await alice.page.waitForSelector(aria('dialog', 'Report Bob'));
  await clickFresh(async () => report.waitForSelector(aria('radio', 'Spam')));
  await (await report.waitForSelector(aria('textbox', 'Note (optional)'))).type('Sells watches');
  await clickFresh(async () => report.waitForSelector(aria('button', 'Send report')));
  await report.waitForSelector('::-p-text(Report sent)');
  assert.equal(await reports(f, 'spam'), before + 1, 'the server counted the report');
  await clickFresh(async () => report.waitForSelector(aria('button', 'Close')));
  await alice.page.waitForFunction(() => !document.querySelector('dialog'));

  // Report and block, from the chat's menu: Bob is blocked at once.
  const abuse = await reports(f, 'abuse');
  await alice.page.locator(aria(null, 'Chat options')).click();
  await alice.page.locator(aria('button', 'Report…')).click();
  const again = await alice.page.waitForSelector(aria('dialog', 'Report Bob'));
  await clickFresh(async () => again.waitForSelector(aria('radio', 'Abuse')));
  await clickFresh(async () => again.waitForSelector(aria('checkbox', 'Block Bob too')));
  await clickFresh(async () => again.waitForSelector(aria('button', 'Send report')));
  await again.waitForSelector('::-p-text(Report sent. Bob is blocked.)');
  assert.equal(await reports(f, 'abuse'), abuse + 1);
  await clickFresh(async () => again.waitForSelector(aria('button', 'Close')));
  await alice.page.waitForSelector('::-p-text(You blocked this contact. Unblock to send a message.)');
  assert.equal((await f.request('GET', '/users/blocked', { token })).json.items.length, 1);

  // "Unblock" in the note; then a block made elsewhere (another device) is found out when
  // a message is refused: the app says why, and shows the note again.
  await alice.page.locator(aria('button', 'Unblock')).click();
  await alice.page.waitForFunction(() => document.querySelector('.blocked-note')?.hidden &&
    document.querySelector('form.composer input:not([type=file])')?.disabled === false);
  const bobId = (await f.request('POST', '/users/lookup', { token, body: { phones: [bobPhone] } })).json.items[0].id;
  assert.equal((await f.request('POST', `/users/${bobId}/block`, { token })).status, 204);
  await send(alice.page, 'Still there?');
  await alice.page.waitForSelector('[role=alert]::-p-text(Not sent: You blocked this contact. Unblock them to send a message or call.)');
  await alice.page.waitForSelector('::-p-text(You blocked this contact. Unblock to send a message.)');

  assert.deepEqual([...alice.problems, ...bob.problems], []);
});
