// The actions on one message, behind its "Message actions" button: reply, edit (one's own),
// react with an emoji, forward into other chats, delete for oneself or (one's own) for
// everyone, report another's; and the API calls behind them.
import { api, errorText, type Message } from './api';
import { h, modal } from './dom';

const EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

export interface MessageActionsHost {
  readonly meId: string;
  /** Quotes the message in the message box (a reply). */
  reply(m: Message): void;
  /** Puts one's own message in the message box to be changed. */
  edit(m: Message): void;
  /** The message as it is now, after a change made here. */
  changed(m: Message): void;
  /** The message was deleted for this person only. */
  hidden(m: Message): void;
  /** New messages that forwarding made in the chosen chats. */
  forwarded(items: Message[]): void;
  /** Opens the dialog to report another's message (and its sender). */
  report(m: Message): void;
  /** The chats a message may be forwarded into, with their names. */
  chats(): { id: string; name: string }[];
  /** A change the server refused, or that did not reach it. */
  fail(err: unknown): void;
}

export class MessageActions {
  constructor(private readonly host: MessageActionsHost) {}

  /** The "Message actions" menu of `m`. */
  menu(m: Message): HTMLElement {
    const mine = m.sender_id === this.host.meId;
    const myEmoji = m.reactions.find((r) => r.user_ids.includes(this.host.meId))?.emoji ?? null;
    const root = h('details', { class: 'actions-menu' });
    const item = (label: string, run: () => void) => h('button', { type: 'button', onclick: () => {
      root.open = false;
      run();
    } }, label);
    const reactions = h('div', { class: 'react', role: 'group', 'aria-label': 'React' }, ...EMOJI.map((e) =>
      h('button', { type: 'button', 'aria-label': `React with ${e}`, title: `React with ${e}`, 'aria-pressed': String(e === myEmoji), onclick: () => {
        root.open = false;
        void this.react(m, e === myEmoji ? null : e);
      } }, e)));
    root.append(
      h('summary', { 'aria-label': 'Message actions', title: 'Message actions' }, '⋯'),
      h('div', { class: 'menu' },
        reactions,
        myEmoji ? item('Remove reaction', () => void this.react(m, null)) : null,
        item('Reply', () => this.host.reply(m)),
        mine ? item('Edit', () => this.host.edit(m)) : null,
        item('Forward…', () => this.forward(m)),
        item('Delete for me', () => void this.remove(m, false)),
        mine ? item('Delete for everyone', () => void this.remove(m, true)) : null,
        mine ? null : item('Report…', () => this.host.report(m))));
    return root;
  }

  /** Sets this person's reaction to `m` (PUT …/reaction), or takes it back (null: DELETE). */
  async react(m: Message, emoji: string | null): Promise<void> {
    const path = `${messagePath(m)}/reaction`;
    await this.run(() => (emoji ? api<Message>('PUT', path, { emoji }) : api<Message>('DELETE', path)));
  }

  /** Changes the text (or caption) of one's own message (PATCH). */
  async edit(m: Message, text: string): Promise<void> {
    await this.run(() => api<Message>('PATCH', messagePath(m), { text }));
  }

  private async run(change: () => Promise<Message>): Promise<void> {
    try {
      this.host.changed(await change());
    } catch (err) {
      this.host.fail(err);
    }
  }

  private async remove(m: Message, forEveryone: boolean): Promise<void> {
    try {
      await api('DELETE', `/chats/${encodeURIComponent(m.chat_id)}/delete_message`, { message_id: m.id, for_everyone: forEveryone });
      if (forEveryone) this.host.changed({ ...m, deleted: true, text: null, media: null, reactions: [] });
      else this.host.hidden(m);
    } catch (err) {
      this.host.fail(err);
    }
  }

  /** A dialog to choose the chats to forward `m` into (POST /chats/{id}/forward). */
  private forward(m: Message): void {
    const boxes = this.host.chats().map((c) => ({ id: c.id, input: h('input', { type: 'checkbox' }), name: c.name }));
    const alert = h('p', { class: 'error', role: 'alert' });
    const go = h('button', { type: 'submit', class: 'primary' }, 'Forward');
    const form = h('form', {},
      h('fieldset', {}, h('legend', {}, 'Forward to'),
        ...boxes.map((b) => h('label', { class: 'choice' }, b.input, ` ${b.name}`))),
      alert,
      h('div', { class: 'actions' }, go, h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const to = boxes.filter((b) => b.input.checked).map((b) => b.id);
      if (!to.length) {
        alert.textContent = 'Choose at least one chat.';
        return;
      }
      go.disabled = true;
      try {
        const sent = await api<{ items: Message[] }>('POST', `/chats/${encodeURIComponent(m.chat_id)}/forward`, { message_ids: [m.id], to_chat_ids: to });
        dialog.close();
        this.host.forwarded(sent.items);
      } catch (err) {
        alert.textContent = errorText(err);
      } finally {
        go.disabled = false;
      }
    });
    const dialog = modal('Forward message', 'forward', form);
  }
}

function messagePath(m: Message): string {
  return `/chats/${encodeURIComponent(m.chat_id)}/messages/${encodeURIComponent(m.id)}`;
}
