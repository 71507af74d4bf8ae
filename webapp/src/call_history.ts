// Call history in the main pane (GET /calls/history): who, which way, how it went, when.
import { api, type Call } from './api';
import { formatTime, h } from './dom';

interface HistoryPage {
  items: Call[];
  next_before: string | null;
}

const PAGE = 30;

export class CallHistory {
  private readonly list = h('ul', { class: 'call-history', 'aria-label': 'Calls' });
  private readonly more = h('button', { type: 'button', class: 'older', hidden: true, onclick: () => void this.load(false) }, 'Load older calls');
  private readonly alert = h('p', { class: 'error', role: 'alert' });
  private nextBefore: string | null = null;

  constructor(
    private readonly pane: HTMLElement,
    /** Who a call was with: the other person of a 1:1 call, the group's name for a group call. */
    private readonly withWhom: (call: Call) => Promise<string>,
  ) {}

  async show(): Promise<void> {
    this.pane.replaceChildren(
      h('header', { class: 'chat-head' }, h('h2', {}, 'Calls')),
      h('div', { class: 'scroll' }, this.alert, this.list, this.more));
    await this.load(true);
  }

  /** Loads the newest page again (a call just ended). */
  refresh(): Promise<void> {
    return this.load(true);
  }

  private async load(fromStart: boolean): Promise<void> {
    const before = fromStart ? '' : `&before=${encodeURIComponent(this.nextBefore ?? '')}`;
    try {
      const page = await api<HistoryPage>('GET', `/calls/history?limit=${PAGE}${before}`);
      const items = await Promise.all(page.items.map((c) => this.item(c)));
      if (fromStart) this.list.replaceChildren(...items);
      else this.list.append(...items);
      if (!this.list.childElementCount) this.list.append(h('li', { class: 'hint' }, 'No calls yet. Start one from a chat.'));
      this.nextBefore = page.next_before;
      this.more.hidden = !page.next_before;
    } catch (err) {
      this.alert.textContent = err instanceof Error ? err.message : String(err);
    }
  }

  private async item(call: Call): Promise<HTMLLIElement> {
    const name = await this.withWhom(call);
    const missed = call.direction === 'incoming' && (call.status === 'missed' || call.status === 'cancelled');
    const how = missed ? 'Missed' : call.direction === 'outgoing' ? 'Outgoing' : 'Incoming';
    const outcome = call.status === 'ended' && call.duration_s !== null
      ? `${Math.floor(call.duration_s / 60)}:${String(call.duration_s % 60).padStart(2, '0')}`
      : { ringing: 'ringing', ongoing: 'in progress', ended: 'ended', rejected: 'declined', missed: 'no answer', busy: 'busy', cancelled: 'cancelled' }[call.status];
    return h('li', { class: missed ? 'missed' : '', 'aria-label': `${how} ${call.type} call, ${name}` },
      h('span', { class: 'name' }, name),
      h('span', { class: 'what' }, `${how} ${call.type} call · ${outcome}`),
      h('time', { datetime: new Date(call.created_at).toISOString() }, formatTime(call.created_at)));
  }
}
