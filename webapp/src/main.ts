// Flow's web app: signs in, then runs the messenger. flowd serves this bundle at /app.js.
import { api, ApiError, token, type User } from './api';
import { h } from './dom';
import { Messenger } from './messenger';
import { nameScreen, phoneScreen } from './signin';

const root = document.getElementById('app')!;

function signedIn(me: User): void {
  void new Messenger(root, me, signIn).mount();
}

function signIn(): void {
  phoneScreen(root, signedIn);
}

async function start(): Promise<void> {
  if (!token.get()) return signIn();
  try {
    const me = await api<User>('GET', '/users/me');
    if (!me.name) nameScreen(root, signedIn);
    else signedIn(me);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      token.clear();
      return signIn();
    }
    root.replaceChildren(h('main', { class: 'signin' }, h('div', { class: 'card' },
      h('p', { role: 'alert', class: 'error' }, err instanceof Error ? err.message : String(err)),
      h('button', { type: 'button', class: 'primary', onclick: () => void start() }, 'Try again'))));
  }
}

void start();
