// A real browser for the web app's tests: Debian's chromium driven by puppeteer-core, one
// browser context per person. Everything is found the way the contract fixes it for
// assistive tools and scripts: by role and accessible name.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { uniquePhone } from './flowd.mjs';

const CHROMIUM = process.env.FLOW_TEST_CHROMIUM || '/usr/bin/chromium';
const FIREFOX = process.env.FLOW_TEST_FIREFOX || '/usr/bin/firefox-esr';
const STEP_MS = 8_000; // the longest any one step may take

/** The element with this accessible name (and role, when given). */
export const aria = (role, name) =>
  `::-p-aria([name=${JSON.stringify(name)}]${role ? `[role=${JSON.stringify(role)}]` : ''})`;

/** Launches the browser, failing (not skipping) when it is not installed; `args` are extra flags. */
export async function launch(args = []) {
  assert.ok(
    existsSync(CHROMIUM),
    `no browser at ${CHROMIUM}: the web app tests need Debian's chromium ` +
      '(scripts/install-deps.sh installs it; FLOW_TEST_CHROMIUM names another binary)',
  );
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', ...args],
  });
}

/** Launches Debian's Firefox ESR (over WebDriver BiDi) with a fake camera and microphone it may use unasked. */
export async function launchFirefox() {
  assert.ok(
    existsSync(FIREFOX),
    `no browser at ${FIREFOX}: the web app tests need Debian's firefox-esr ` +
      '(scripts/install-deps.sh installs it; FLOW_TEST_FIREFOX names another binary)',
  );
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    extraPrefsFirefox: { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true },
  });
}

/** A page in a browser context of its own (its own localStorage: another person). */
export async function person(browser, label) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`${label}: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`${label} console: ${m.text()} ${m.location()?.url ?? ''}`));
  return { page, problems };
}

/** Alice and Bob, each in a browser context of their own, signed in (at once) with new numbers. */
export async function aliceAndBob(f, browser) {
  const alice = await person(browser, 'Alice');
  const bob = await person(browser, 'Bob');
  const [alicePhone, bobPhone] = [uniquePhone(), uniquePhone()];
  await Promise.all([signIn(f, alice.page, alicePhone, 'Alice'), signIn(f, bob.page, bobPhone, 'Bob')]);
  return { alice, bob, alicePhone, bobPhone };
}

/** Signs in through the UI: phone number, the code from the SMS webhook, then a name. */
export async function signIn(f, page, phone, name) {
  await page.goto(f.baseUrl + '/');
  await page.locator(aria('textbox', 'Phone number')).fill(phone);
  await page.locator(aria('button', 'Send code')).click();
  const code = await f.sms.nextCode(phone);
  await page.locator(aria('textbox', 'Code')).fill(code);
  await page.keyboard.press('Enter'); // the form submits by keyboard, as "Verify" would
  await page.locator(aria('textbox', 'Your name')).fill(name);
  await page.locator(aria('button', 'Save')).click();
  await page.waitForSelector(aria('button', 'New chat'));
}

/** Starts a direct chat with the person who has `phone`, through "New chat". */
export async function startChat(page, phone) {
  await page.locator(aria('button', 'New chat')).click();
  await page.locator(aria('textbox', 'Contact phone number')).fill(phone);
  await page.locator(aria('button', 'Start chat')).click();
}

/**
 * Opens the chat named `name` from the list of chats. A locator, which finds the item again
 * if the list is redrawn (a chat's next message redraws it) between finding and clicking.
 */
export async function openChat(page, name) {
  await page.locator(`${aria('list', 'Chats')} ${aria('listitem', name)}`).click();
}

/**
 * Clicks the element `find` resolves to, finding it again when the page redrew it (a
 * detached node) between finding and clicking: lists and menus are redrawn as messages,
 * receipts and presence arrive.
 */
export async function clickFresh(find, tries = 5) {
  for (let i = 1; ; i++) {
    try {
      return await (await find()).click();
    } catch (e) {
      if (i >= tries || !/detached|not attached/i.test(e.message)) throw e;
    }
  }
}

/** Waits until the list named "Messages" shows an item with `text`. */
export async function seeMessage(page, text) {
  const list = await page.waitForSelector(aria('list', 'Messages'));
  return list.waitForSelector(`::-p-text(${text})`);
}

/** Types into the "Message" box and sends with the "Send" button. */
export async function send(page, text) {
  await page.locator(aria('textbox', 'Message')).fill(text);
  await page.locator(aria('button', 'Send')).click();
}

// A 1x1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

/** Writes a 1x1 PNG to a file for a file chooser or input; removed when the test ends. */
export async function writePng(t) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flow-webapp-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'red.png');
  await writeFile(file, PNG);
  return file;
}

/** Opens the "Message actions" menu of the message showing `text`. */
export async function openMessageActions(page, text) {
  await clickFresh(async () => {
    const shown = await seeMessage(page, text);
    const item = (await shown.evaluateHandle((e) => e.closest('li'))).asElement();
    return item.waitForSelector(aria(null, 'Message actions'));
  });
}
