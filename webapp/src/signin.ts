// The sign-in screens: phone number, then the code sent by SMS, then a name when new.
import { api, ApiError, token, type User } from './api';
import { field, h } from './dom';

export type SignedIn = (me: User) => void;

/** A form with one field, a submit button and an alert line; `submit` runs with the button disabled. */
function singleFieldForm(
  title: string,
  intro: string,
  label: string,
  input: Record<string, string | boolean>,
  button: string,
  submit: (value: string, fail: (message: string) => void) => Promise<void>,
  extra?: HTMLElement,
): HTMLElement {
  const f = field(label, { required: true, ...input });
  const alert = h('p', { class: 'error', role: 'alert' });
  const send = h('button', { type: 'submit', class: 'primary' }, button);
  const form = h('form', { class: 'card' }, h('h1', {}, title), h('p', {}, intro), f.wrap, alert,
    h('div', { class: 'actions' }, send, extra));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.textContent = '';
    send.disabled = true;
    try {
      await submit(f.input.value.trim(), (m) => (alert.textContent = m));
    } catch (err) {
      alert.textContent = err instanceof Error ? err.message : String(err);
    } finally {
      send.disabled = false;
    }
  });
  queueMicrotask(() => f.input.focus());
  return h('main', { class: 'signin' }, form);
}

export function phoneScreen(root: HTMLElement, done: SignedIn): void {
  root.replaceChildren(
    singleFieldForm('Flow', 'Sign in with your phone number. We will text you a code.', 'Phone number',
      { type: 'tel', autocomplete: 'tel', placeholder: '+44 7700 900123' }, 'Send code', async (phone) => {
        const r = await api<{ phone: string }>('POST', '/auth/enter_number', { phone });
        codeScreen(root, r.phone, done);
      }),
  );
}

function codeScreen(root: HTMLElement, phone: string, done: SignedIn): void {
  const back = h('button', { type: 'button', onclick: () => phoneScreen(root, done) }, 'Use another number');
  root.replaceChildren(
    singleFieldForm('Enter the code', `We sent a 6-digit code to ${phone}.`, 'Code',
      { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', pattern: '[0-9]{6}' }, 'Verify',
      async (code, fail) => {
        try {
          const r = await api<{ token: string; user: User; new_user: boolean }>('POST', '/auth/verify_otp', {
            phone, code, device: { name: deviceName(), platform: 'web' },
          });
          token.set(r.token);
          if (r.new_user || !r.user.name) nameScreen(root, done);
          else done(r.user);
        } catch (err) {
          if (err instanceof ApiError && err.code === 'otp_invalid') fail('That code is not right; check it and try again.');
          else throw err;
        }
      }, back),
  );
}

export function nameScreen(root: HTMLElement, done: SignedIn): void {
  root.replaceChildren(
    singleFieldForm('Welcome to Flow', 'What should people see as your name?', 'Your name',
      { autocomplete: 'name', maxlength: '64' }, 'Save', async (name) => {
        done(await api<User>('POST', '/auth/register_user', { name }));
      }),
  );
}

function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrom/.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  return `${browser} (web)`;
}
