// What a message shows beyond its text and media: the quote of the message it replies to,
// "Forwarded", "edited" and its reactions (which emoji, how many, who); and how a
// message:reaction event changes a message's reactions.
import type { Message, Reaction, ReplyPreview } from './api';
import { formatTime, h } from './dom';

type NameOf = (userId: string) => Promise<string>;

/** How a media message is called where its media is not shown (previews, quotes). */
export const KIND_NAMES: Record<Message['type'], string> = { text: 'Message', system: 'Message', image: 'Photo', audio: 'Audio', video: 'Video', file: 'File' };

/** The quoted original of a reply: who sent it and its text (or "deleted", once it is). */
export function quote(p: ReplyPreview, nameOf: NameOf): HTMLElement {
  const who = h('span', { class: 'sender' }, '…');
  void nameOf(p.sender_id).then((n) => (who.textContent = n));
  const text = p.text === null
    ? h('span', { class: 'deleted' }, 'This message was deleted')
    : h('span', {}, p.text || KIND_NAMES[p.type]);
  return h('blockquote', { class: 'quote' }, who, text);
}

/** The quote a reply to `m` shows, as the server would give it (text cut to 100 code points). */
export function previewOf(m: Message): ReplyPreview {
  return { id: m.id, sender_id: m.sender_id, type: m.type, text: m.deleted ? null : [...(m.text ?? '')].slice(0, 100).join('') };
}

export function forwardedTag(): HTMLElement {
  return h('span', { class: 'forwarded' }, 'Forwarded');
}

export function editedMark(editedAt: number): HTMLElement {
  return h('span', { class: 'edited', title: `Edited ${formatTime(editedAt)}` }, 'edited');
}

/**
 * A message's reactions, one button per emoji with its count, named after who reacted;
 * pressed when one of them is this person's own: pressing it takes theirs back, pressing
 * another makes it theirs.
 */
export function reactionList(m: Message, meId: string, nameOf: NameOf, react: (emoji: string | null) => void): HTMLElement | null {
  if (!m.reactions.length) return null;
  return h('ul', { class: 'reactions', 'aria-label': 'Reactions' }, ...m.reactions.map((r) => {
    const mine = r.user_ids.includes(meId);
    const button = h('button', { type: 'button', 'aria-pressed': String(mine), onclick: () => react(mine ? null : r.emoji) },
      `${r.emoji} ${r.user_ids.length}`);
    void Promise.all(r.user_ids.map((id) => (id === meId ? 'you' : nameOf(id)))).then((names) => {
      const who = `${r.emoji} ${r.user_ids.length}: ${names.join(', ')}`;
      button.title = who;
      button.setAttribute('aria-label', who);
    });
    return h('li', {}, button);
  }));
}

/** `reactions` after `userId` reacted with `emoji` (null: took theirs back); one reaction per user. */
export function withReaction(reactions: Reaction[], userId: string, emoji: string | null): Reaction[] {
  const rest = reactions.map((r) => ({ emoji: r.emoji, user_ids: r.user_ids.filter((u) => u !== userId) }))
    .filter((r) => r.user_ids.length);
  if (!emoji) return rest;
  const same = rest.find((r) => r.emoji === emoji);
  if (same) same.user_ids.push(userId);
  else rest.push({ emoji, user_ids: [userId] });
  return rest;
}
