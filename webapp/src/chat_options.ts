// A chat's own options for this person, in a menu in its header: pin, archive and mute
// (PUT /chats/{id}/settings and /mute), which nobody else sees, and whatever more the
// messenger adds (block and report, in a direct chat).
import { api, errorText, type Chat } from './api';
import { h } from './dom';

const MUTED_FOR_EVER = -1;

/** An item that the messenger adds to the menu (asked for each time the menu opens). */
export interface MoreOption {
  label: string;
  run: () => void;
}

/** The "Chat options" menu for `chat`; `changed` runs with the chat as it is after a change. */
export function chatOptions(chat: Chat, changed: (chat: Chat) => void, fail: (message: string) => void,
  more: () => MoreOption[] = () => []): HTMLElement {
  const menu = h('div', { class: 'menu' });
  const root = h('details', { class: 'actions-menu chat-options' },
    h('summary', { 'aria-label': 'Chat options', title: 'Chat options' }, '⋯'), menu);
  const apply = async (change: () => Promise<unknown>, after: Partial<Chat>) => {
    try {
      await change();
      Object.assign(chat, after);
      changed(chat);
      render();
      root.open = false;
    } catch (err) {
      fail(errorText(err));
    }
  };
  const path = `/chats/${encodeURIComponent(chat.id)}`;
  const settings = (body: { pinned?: boolean; archived?: boolean }) => apply(() => api('PUT', `${path}/settings`, body), body);
  const mute = (until: number | null) => apply(() => api('PUT', `${path}/mute`, { until }), { muted_until: until });
  const item = (label: string, run: () => Promise<void>) => h('button', { type: 'button', onclick: () => void run() }, label);
  let shown = ''; // the labels shown, so that opening the menu replaces its items only when they change
  const render = () => {
    const muted = chat.muted_until === MUTED_FOR_EVER || (chat.muted_until ?? 0) > Date.now();
    const items = [
      chat.pinned ? item('Unpin chat', () => settings({ pinned: false })) : item('Pin chat', () => settings({ pinned: true })),
      chat.archived ? item('Unarchive chat', () => settings({ archived: false })) : item('Archive chat', () => settings({ archived: true })),
      muted ? item('Unmute notifications', () => mute(null)) : item('Mute notifications', () => mute(MUTED_FOR_EVER)),
      ...more().map((o) => h('button', { type: 'button', onclick: () => {
        root.open = false;
        o.run();
      } }, o.label)),
    ];
    const labels = items.map((i) => i.textContent).join('\n');
    if (labels === shown) return;
    shown = labels;
    menu.replaceChildren(...items);
  };
  root.addEventListener('toggle', () => root.open && render());
  render();
  return root;
}
