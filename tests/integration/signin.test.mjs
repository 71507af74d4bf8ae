// Phone + OTP sign-in: POST /auth/enter_number, POST /auth/verify_otp, POST /auth/logout.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startFlowd,
  uniquePhone,
  sleep,
  assertError,
  assertRetryAfter,
  assertUser,
} from './lib/flowd.mjs';

/** A 6-digit code that is certainly not `code`. */
const wrongCode = (code) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/** '+447312345678' -> '0044 7312 345 678' */
const spaced00 = (e164) => `00${e164.slice(1, 3)} ${e164.slice(3, 7)} ${e164.slice(7, 10)} ${e164.slice(10)}`;

describe('sign-in', () => {
  let def; // default limits (30 s resend cool-down)
  let fast; // --otp-resend-seconds 0, for tests that need several codes per phone
  const extra = []; // per-test servers

  before(async () => {
    [def, fast] = await Promise.all([startFlowd(), startFlowd(['--otp-resend-seconds', '0'])]);
  });
  after(async () => {
    await Promise.all([def, fast].filter(Boolean).map((f) => f.shutdown()));
  });
  afterEach(async () => {
    while (extra.length) {
      const f = extra.pop();
      await f.shutdown();
    }
  });
  async function server(args) {
    const f = await startFlowd(args);
    extra.push(f);
    return f;
  }

  it('signs up a new user: E.164 normalisation, 6-digit code by webhook, working token', async () => {
    const phone = uniquePhone();
    const input = spaced00(phone);
    const en = await def.request('POST', '/auth/enter_number', { body: { phone: input } });
    assert.equal(en.status, 200, en.text);
    assert.match(en.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(en.json.phone, phone, `"${input}" normalised`);
    assert.equal(en.json.expires_in, 300);
    assert.equal(en.json.resend_in, 30);

    const msg = await def.sms.nextMessage(phone);
    assert.equal(msg.to, phone);
    assert.match(msg.code, /^\d{6}$/, 'code is 6 digits');
    assert.equal(typeof msg.text, 'string');
    assert.ok(msg.text.includes(msg.code), `SMS text contains the code: ${msg.text}`);
    assert.match(msg.contentType ?? '', /^application\/json/);

    const v = await def.request('POST', '/auth/verify_otp', {
      body: { phone: input, code: msg.code, device: 'integration test' },
    });
    assert.equal(v.status, 200, v.text);
    assert.equal(typeof v.json.token, 'string');
    assert.ok(v.json.token.length >= 16, 'token looks like a real secret');
    assert.equal(v.json.new_user, true);
    assertUser(v.json.user);
    assert.equal(v.json.user.phone, phone);

    const me = await def.request('GET', '/users/me', { token: v.json.token });
    assert.equal(me.status, 200, me.text);
    assertUser(me.json);
    assert.equal(me.json.id, v.json.user.id);
    assert.equal(me.json.phone, phone);
  });

  it('accepts other international notations (dashes, dots, parentheses) for the same number', async () => {
    const phone = uniquePhone(); // +4473XXXXXXXX
    const area = phone.slice(3, 7);
    const notations = [
      `+44 (${area}) ${phone.slice(7, 10)}-${phone.slice(10)}`,
      `+44.${area}.${phone.slice(7, 10)}.${phone.slice(10)}`,
      `0044-${area}-${phone.slice(7)}`,
    ];
    const en = await def.request('POST', '/auth/enter_number', { body: { phone: notations[0] } });
    assert.equal(en.status, 200, en.text);
    assert.equal(en.json.phone, phone);
    const code = await def.sms.nextCode(phone);
    // verify_otp with a different notation of the same number
    const v = await def.request('POST', '/auth/verify_otp', { body: { phone: notations[1], code } });
    assert.equal(v.status, 200, v.text);
    assert.equal(v.json.user.phone, phone);
    // a different notation is the same user for lookup too
    const l = await def.request('POST', '/users/lookup', { token: v.json.token, body: { phones: [notations[2]] } });
    assert.equal(l.status, 200, l.text);
    assert.deepEqual(l.json.items.map((u) => u.id), [v.json.user.id]);
  });

  it('signs in a returning user: new_user false, same id, a new token', async () => {
    const phone = uniquePhone();
    const first = await fast.signIn(phone);
    assert.equal(first.new_user, true);
    const second = await fast.signIn(phone);
    assert.equal(second.new_user, false);
    assert.equal(second.user.id, first.user.id);
    assert.equal(second.user.phone, phone);
    assert.notEqual(second.token, first.token);
    for (const token of [first.token, second.token]) {
      const me = await fast.request('GET', '/users/me', { token });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.json.id, first.user.id);
    }
  });

  it('rejects a wrong code with 401 otp_invalid and still accepts the right one after', async () => {
    const phone = uniquePhone();
    const en = await def.request('POST', '/auth/enter_number', { body: { phone } });
    assert.equal(en.status, 200, en.text);
    const code = await def.sms.nextCode(phone);
    const bad = await def.request('POST', '/auth/verify_otp', { body: { phone, code: wrongCode(code) } });
    assertError(bad, 401, 'otp_invalid', 'wrong code');
    assert.equal(bad.json.token, undefined);
    const good = await def.request('POST', '/auth/verify_otp', { body: { phone, code } });
    assert.equal(good.status, 200, good.text);
    assert.equal(good.json.new_user, true);
  });

  it('answers 401 otp_expired when no code was ever requested', async () => {
    const phone = uniquePhone();
    const v = await def.request('POST', '/auth/verify_otp', { body: { phone, code: '123456' } });
    assertError(v, 401, 'otp_expired', 'verify without enter_number');
  });

  it('answers 401 otp_expired for a code past its lifetime', async () => {
    const f = await server(['--otp-ttl-seconds', '1']);
    const phone = uniquePhone();
    const en = await f.request('POST', '/auth/enter_number', { body: { phone } });
    assert.equal(en.status, 200, en.text);
    assert.equal(en.json.expires_in, 1);
    const code = await f.sms.nextCode(phone);
    await sleep(1250);
    const v = await f.request('POST', '/auth/verify_otp', { body: { phone, code } });
    assertError(v, 401, 'otp_expired', 'verify after ttl');
  });

  it('does not accept a code twice', async () => {
    const phone = uniquePhone();
    const en = await def.request('POST', '/auth/enter_number', { body: { phone } });
    assert.equal(en.status, 200, en.text);
    const code = await def.sms.nextCode(phone);
    const v1 = await def.request('POST', '/auth/verify_otp', { body: { phone, code } });
    assert.equal(v1.status, 200, v1.text);
    const v2 = await def.request('POST', '/auth/verify_otp', { body: { phone, code } });
    assertError(v2, 401, 'otp_expired', 'second use of a code');
  });

  it('locks the code after 5 tries: the 6th, even right, is 429 otp_locked with Retry-After', async () => {
    const phone = uniquePhone();
    const en = await def.request('POST', '/auth/enter_number', { body: { phone } });
    assert.equal(en.status, 200, en.text);
    const code = await def.sms.nextCode(phone);
    for (let i = 1; i <= 5; i++) {
      const bad = await def.request('POST', '/auth/verify_otp', { body: { phone, code: wrongCode(code) } });
      assertError(bad, 401, 'otp_invalid', `wrong try #${i}`);
    }
    const sixth = await def.request('POST', '/auth/verify_otp', { body: { phone, code } });
    assertError(sixth, 429, 'otp_locked', 'right code on the 6th try');
    assertRetryAfter(sixth, 'otp_locked');
    assert.equal(sixth.json.token, undefined);
    const seventh = await def.request('POST', '/auth/verify_otp', { body: { phone, code } });
    assertError(seventh, 429, 'otp_locked', '7th try');
  });

  it('makes the newest code the valid one', async () => {
    const phone = uniquePhone();
    const en1 = await fast.request('POST', '/auth/enter_number', { body: { phone } });
    assert.equal(en1.status, 200, en1.text);
    const code1 = await fast.sms.nextCode(phone);
    const en2 = await fast.request('POST', '/auth/enter_number', { body: { phone } });
    assert.equal(en2.status, 200, en2.text);
    const code2 = await fast.sms.nextCode(phone);
    if (code1 !== code2) {
      const old = await fast.request('POST', '/auth/verify_otp', { body: { phone, code: code1 } });
      assert.equal(old.status, 401, `older code: ${old.text}`);
      assert.ok(['otp_invalid', 'otp_expired'].includes(old.json?.error?.code), old.text);
    }
    const v = await fast.request('POST', '/auth/verify_otp', { body: { phone, code: code2 } });
    assert.equal(v.status, 200, v.text);
  });

  it('enforces the resend cool-down: 429 rate_limited with Retry-After, no second SMS', async () => {
    const phone = uniquePhone();
    const en1 = await def.request('POST', '/auth/enter_number', { body: { phone } });
    assert.equal(en1.status, 200, en1.text);
    assert.equal(en1.json.resend_in, 30);
    const code = await def.sms.nextCode(phone);
    const en2 = await def.request('POST', '/auth/enter_number', { body: { phone } });
    assertError(en2, 429, 'rate_limited', 'second enter_number within 30 s');
    const retry = assertRetryAfter(en2, 'cool-down');
    assert.ok(retry >= 25 && retry <= 30, `Retry-After ${retry} is about 30`);
    await sleep(100);
    assert.equal(def.sms.countTo(phone), 1, 'no second SMS sent');
    // the first code is still good
    const v = await def.request('POST', '/auth/verify_otp', { body: { phone, code } });
    assert.equal(v.status, 200, v.text);
  });

  it('caps codes per phone per hour', async () => {
    const f = await server(['--otp-resend-seconds', '0', '--otp-phone-hourly-cap', '2']);
    const phone = uniquePhone();
    for (let i = 1; i <= 2; i++) {
      const en = await f.request('POST', '/auth/enter_number', { body: { phone } });
      assert.equal(en.status, 200, `send #${i}: ${en.text}`);
      await f.sms.nextCode(phone);
    }
    const third = await f.request('POST', '/auth/enter_number', { body: { phone } });
    assertError(third, 429, 'rate_limited', 'third code within the hour');
    assertRetryAfter(third, 'phone cap');
    // notation does not get around the cap
    const spaced = await f.request('POST', '/auth/enter_number', { body: { phone: spaced00(phone) } });
    assertError(spaced, 429, 'rate_limited', 'third code, other notation');
    await sleep(100);
    assert.equal(f.sms.countTo(phone), 2);
    // another phone is not affected
    const other = uniquePhone();
    const ok = await f.request('POST', '/auth/enter_number', { body: { phone: other } });
    assert.equal(ok.status, 200, ok.text);
  });

  it('caps codes per client address per hour', async () => {
    const f = await server(['--otp-resend-seconds', '0', '--otp-address-hourly-cap', '2']);
    for (let i = 1; i <= 2; i++) {
      const phone = uniquePhone();
      const en = await f.request('POST', '/auth/enter_number', { body: { phone } });
      assert.equal(en.status, 200, `send #${i}: ${en.text}`);
      await f.sms.nextCode(phone);
    }
    const phone = uniquePhone();
    const third = await f.request('POST', '/auth/enter_number', { body: { phone } });
    assertError(third, 429, 'rate_limited', 'third code from one address');
    assertRetryAfter(third, 'address cap');
    await sleep(100);
    assert.equal(f.sms.countTo(phone), 0);
  });

  it('behind a trusted load balancer, caps each client by the address it forwards', async () => {
    const trusting = await server(['--otp-resend-seconds', '0', '--otp-address-hourly-cap', '1', '--trusted-proxies', '127.0.0.1']);
    const send = (f, forwardedFor) =>
      f.request('POST', '/auth/enter_number', { body: { phone: uniquePhone() }, headers: { 'x-forwarded-for': forwardedFor } });
    assert.equal((await send(trusting, '198.51.100.1')).status, 200);
    assertError(await send(trusting, '198.51.100.1'), 429, 'rate_limited', 'second code for one forwarded client');
    assert.equal((await send(trusting, '198.51.100.2')).status, 200, 'another client behind the balancer has its own cap');
    assertError(await send(trusting, '198.51.100.2, 198.51.100.1'), 429, 'rate_limited',
      'the entry the balancer appended counts, not one the client sent');

    const wary = await server(['--otp-resend-seconds', '0', '--otp-address-hourly-cap', '1']);
    assert.equal((await send(wary, '198.51.100.1')).status, 200);
    assertError(await send(wary, '198.51.100.2'), 429, 'rate_limited', 'an untrusted peer cannot choose its address');
  });

  it('rejects invalid phone numbers with 400 invalid_phone', async () => {
    const invalid = [
      'abc',
      '+44 7911 abc def',
      '447911123456', // no + or 00
      '07911 123456', // national notation
      '+44 12', // too short
      '+1 555 0100', // libphonenumber: not a valid number
      '+999 1234567', // no such country code
      '+44 7911 123456 123456', // too long
      '',
      '+',
    ];
    for (const phone of invalid) {
      const en = await def.request('POST', '/auth/enter_number', { body: { phone } });
      assertError(en, 400, 'invalid_phone', `enter_number ${JSON.stringify(phone)}`);
    }
    const v = await def.request('POST', '/auth/verify_otp', { body: { phone: 'abc', code: '123456' } });
    assertError(v, 400, 'invalid_phone', 'verify_otp "abc"');
    const missing = await def.request('POST', '/auth/enter_number', { body: {} });
    assertError(missing, 400, 'missing_field', 'enter_number {}');
    const wrongType = await def.request('POST', '/auth/enter_number', { body: { phone: 447911123456 } });
    assertError(wrongType, 400, 'invalid_field', 'enter_number with a numeric phone');
    const noCode = await def.request('POST', '/auth/verify_otp', { body: { phone: uniquePhone() } });
    assertError(noCode, 400, 'missing_field', 'verify_otp without code');
    const numCode = await def.request('POST', '/auth/verify_otp', { body: { phone: uniquePhone(), code: 123456 } });
    assertError(numCode, 400, 'invalid_field', 'verify_otp with a numeric code');
  });

  it('lets the client try again at once after the provider failed to send the code', async () => {
    const f = await server();
    const phone = uniquePhone();
    f.sms.status = 500;
    // The code is queued, so enter_number cannot know yet that the provider will fail.
    const en = await f.request('POST', '/auth/enter_number', { body: { phone } });
    assert.equal(en.status, 200, `enter_number with a failing provider: ${en.status} ${en.text}`);
    for (let i = 0; i < 250 && f.sms.countTo(phone) === 0; i++) await sleep(20);
    assert.equal(f.sms.countTo(phone), 1, 'the provider was asked');
    f.sms.status = 200;
    // The failed code does not count for the 30 s resend cool-down once the failure is in.
    let retry;
    for (let i = 0; i < 100; i++) {
      retry = await f.request('POST', '/auth/enter_number', { body: { phone } });
      if (retry.status !== 429) break;
      await sleep(20);
    }
    assert.equal(retry.status, 200, `retry after a failed send: ${retry.status} ${retry.text}`);
    const code = await f.sms.nextCode(phone);
    const v = await f.request('POST', '/auth/verify_otp', { body: { phone, code } });
    assert.equal(v.status, 200, v.text);
  });

  it('a slow SMS provider holds up no one: /health answers at once while 12 codes are sent', async () => {
    const f = await server(['--otp-resend-seconds', '0']);
    f.sms.delayMs = 1500;
    const phones = Array.from({ length: 12 }, () => uniquePhone());
    const started = Date.now();
    const entered = Promise.all(phones.map((phone) => f.request('POST', '/auth/enter_number', { body: { phone } })));
    // Once the provider holds some sends, another request must not wait for them.
    for (let i = 0; i < 200 && f.sms.inFlight < 4; i++) await sleep(10);
    assert.ok(f.sms.inFlight >= 4, `the provider holds ${f.sms.inFlight} sends`);
    const t0 = Date.now();
    const health = await f.request('GET', '/health');
    const healthMs = Date.now() - t0;
    assert.equal(health.status, 200, health.text);
    assert.ok(healthMs < 500, `/health took ${healthMs} ms while the SMS provider was slow`);
    for (const en of await entered) assert.equal(en.status, 200, `enter_number -> ${en.status} ${en.text}`);
    const enteredMs = Date.now() - started;
    assert.ok(enteredMs < 1500, `12 enter_number took ${enteredMs} ms: they waited for the provider`);
    // Every code still arrives (four at a time: 4.5 s), and works.
    const codes = await Promise.all(phones.map((phone) => f.sms.nextCode(phone, 10_000)));
    const v = await f.request('POST', '/auth/verify_otp', { body: { phone: phones[11], code: codes[11] } });
    assert.equal(v.status, 200, v.text);
  });

  it('logs out one device: 204, that token is 401 at once, the other device keeps working', async () => {
    const phone = uniquePhone();
    const a = await fast.signIn(phone, { device: 'phone' });
    const b = await fast.signIn(phone, { device: 'laptop' });
    assert.equal(a.user.id, b.user.id);

    const out = await fast.request('POST', '/auth/logout', { token: a.token });
    assert.equal(out.status, 204, out.text);
    assert.equal(out.text, '');

    const me = await fast.request('GET', '/users/me', { token: a.token });
    assertError(me, 401, 'unauthorized', 'logged-out token');
    assert.match(me.headers.get('www-authenticate') ?? '', /^Bearer/);

    const again = await fast.request('POST', '/auth/logout', { token: a.token });
    assertError(again, 401, 'unauthorized', 'logout twice');

    const other = await fast.request('GET', '/users/me', { token: b.token });
    assert.equal(other.status, 200, other.text);
    assert.equal(other.json.id, a.user.id);

    const anon = await fast.request('POST', '/auth/logout');
    assertError(anon, 401, 'unauthorized', 'logout without a token');
  });
});
