// What the message box is writing besides a new message: a reply (the quoted message above
// the box, "Cancel reply") or a change to one's own message ("Editing message", "Cancel edit");
// Escape in the box cancels either.
import type { Message } from './api';
import { h } from './dom';
import { previewOf, quote } from './message_parts';

export class ComposerMode {
  readonly bar = h('div', { class: 'composer-mode', hidden: true });
  private replyingTo: Message | null = null;
  private editing: Message | null = null;

  constructor(
    private readonly input: HTMLInputElement,
    private readonly nameOf: (userId: string) => Promise<string>,
  ) {
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !this.bar.hidden) this.clear();
    });
  }

  /** The message the next one replies to, if any. */
  get replyTo(): Message | null {
    return this.replyingTo;
  }

  /** One's own message whose new text the box holds, if any. */
  get edited(): Message | null {
    return this.editing;
  }

  reply(m: Message): void {
    this.clear();
    this.replyingTo = m;
    this.show(h('span', { class: 'what' }, 'Replying to'), quote(previewOf(m), this.nameOf), 'Cancel reply');
  }

  edit(m: Message): void {
    this.clear();
    this.editing = m;
    this.input.value = m.text ?? '';
    this.show(h('span', { class: 'what' }, 'Editing message'), null, 'Cancel edit');
  }

  /** Back to writing a new message (an unsent edit's text goes). */
  clear(): void {
    if (this.editing) this.input.value = '';
    this.replyingTo = this.editing = null;
    this.bar.hidden = true;
    this.bar.replaceChildren();
  }

  private show(what: HTMLElement, quoted: HTMLElement | null, cancel: string): void {
    this.bar.replaceChildren(what, ...(quoted ? [quoted] : []), h('button', { type: 'button', onclick: () => {
      this.clear();
      this.input.focus();
    } }, cancel));
    this.bar.hidden = false;
    this.input.focus();
  }
}
