// Message search (GET /search/messages): the search box of the side bar, and the results in
// the main pane, newest first, "Load more" paging on; choosing a result opens its chat there.
import { api, errorText, type Message } from './api';
import { formatTime, h } from './dom';
import { KIND_NAMES } from './message_parts';

interface Found {
  items: Message[];
  next_before: string | null;
}

const PAGE = 30;

/** The "Search messages" box; `search` runs with the words when it is submitted. */
export function searchBox(search: (q: string) => void): HTMLFormElement {
  const input = h('input', { type: 'search', 'aria-label': 'Search messages', placeholder: 'Search messages', maxlength: '200', required: true });
  const form = h('form', { role: 'search', class: 'search' }, input);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = input.value.trim();
    if (q) search(q);
  });
  return form;
}

export interface SearchHost {
  chatName(chatId: string): string;
  userName(userId: string): Promise<string>;
  open(m: Message): void;
}

export class SearchResults {
  private readonly list = h('ul', { class: 'search-results', 'aria-label': 'Search results' });
  private readonly more = h('button', { type: 'button', class: 'older', hidden: true, onclick: () => void this.load(false) }, 'Load more');
  private readonly alert = h('p', { class: 'error', role: 'alert' });
  private nextBefore: string | null = null;

  constructor(
    private readonly pane: HTMLElement,
    private readonly q: string,
    private readonly host: SearchHost,
  ) {}

  async show(): Promise<void> {
    this.pane.replaceChildren(
      h('header', { class: 'chat-head' }, h('h2', {}, `Messages with “${this.q}”`)),
      h('div', { class: 'scroll' }, this.alert, this.list, this.more));
    await this.load(true);
  }

  private async load(fromStart: boolean): Promise<void> {
    const before = fromStart ? '' : `&before=${encodeURIComponent(this.nextBefore ?? '')}`;
    try {
      const page = await api<Found>('GET', `/search/messages?q=${encodeURIComponent(this.q)}&limit=${PAGE}${before}`);
      this.list.append(...await Promise.all(page.items.map((m) => this.item(m))));
      if (!this.list.childElementCount) this.list.append(h('li', { class: 'hint' }, 'No messages found.'));
      this.nextBefore = page.next_before;
      this.more.hidden = !page.next_before;
    } catch (err) {
      this.alert.textContent = errorText(err);
    }
  }

  private async item(m: Message): Promise<HTMLLIElement> {
    const chat = this.host.chatName(m.chat_id);
    const sender = await this.host.userName(m.sender_id);
    return h('li', {},
      h('button', { type: 'button', onclick: () => this.host.open(m) },
        h('span', { class: 'name' }, chat),
        h('time', { datetime: new Date(m.created_at).toISOString() }, formatTime(m.created_at)),
        h('span', { class: 'what' }, `${sender}: ${m.text || KIND_NAMES[m.type]}`)));
  }
}
