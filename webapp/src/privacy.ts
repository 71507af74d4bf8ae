// Keeping safe from others: the "Privacy" dialog (who sees one's last seen, photo and
// about, read receipts, who may add one to groups, and the blocked users), blocking and
// unblocking (POST/DELETE /users/{id}/block), and the "Report" dialog (POST /users/{id}/report).
import { api, errorText, type Page, type User } from './api';
import { confirmDialog, h, modal, radios } from './dom';
import { displayName } from './people';

type Audience = 'everyone' | 'contacts' | 'nobody';

/** GET and PUT /users/me/privacy. */
interface PrivacySettings {
  last_seen: Audience;
  photo: Audience;
  about: Audience;
  read_receipts: boolean;
  groups_add: 'everyone' | 'contacts';
}

const AUDIENCES: [Audience, string][] = [['everyone', 'Everyone'], ['contacts', 'My contacts'], ['nobody', 'Nobody']];

/** The users this person blocks (GET /users/blocked), kept as blocks and unblocks are made here. */
export class Blocks {
  private readonly ids = new Set<string>();

  /** `changed` runs after every block or unblock made here (and after loading). */
  constructor(private readonly changed: () => void) {}

  /** Loads the blocked users, and answers them (the latest block first). */
  async load(): Promise<User[]> {
    const page = await api<Page<User>>('GET', '/users/blocked');
    this.ids.clear();
    for (const u of page.items) this.ids.add(u.id);
    this.changed();
    return page.items;
  }

  has(userId: string): boolean {
    return this.ids.has(userId);
  }

  async block(userId: string): Promise<void> {
    await api('POST', `/users/${encodeURIComponent(userId)}/block`);
    this.ids.add(userId);
    this.changed();
  }

  async unblock(userId: string): Promise<void> {
    await api('DELETE', `/users/${encodeURIComponent(userId)}/block`);
    this.ids.delete(userId);
    this.changed();
  }

  /** Asks to confirm, then blocks `user`; throws what the server refused. */
  async confirmBlock(user: { id: string; name: string }): Promise<void> {
    const yes = await confirmDialog(`Block ${user.name}?`,
      'They will not be able to call you or send you messages, and will no longer see your last seen, photo changes or stories. They are not told.',
      'Block');
    if (yes) await this.block(user.id);
  }
}

/** Opens the "Privacy" dialog: the five settings (saved with "Save"), and the blocked users to unblock. */
export async function showPrivacy(blocks: Blocks): Promise<void> {
  const lastSeen = radios('Last seen', 'privacy-last-seen', AUDIENCES);
  const photo = radios('Profile photo', 'privacy-photo', AUDIENCES);
  const about = radios('About', 'privacy-about', AUDIENCES);
  const groups = radios('Who can add me to groups', 'privacy-groups', AUDIENCES.slice(0, 2));
  const receipts = h('input', { type: 'checkbox', 'aria-describedby': 'privacy-receipts-hint' });
  const alert = h('p', { class: 'error', role: 'alert' });
  const saved = h('p', { class: 'saved', role: 'status' });
  const save = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Save'); // until the settings are shown
  const blockedList = h('ul', { class: 'blocked', 'aria-label': 'Blocked users' });
  const show = (s: PrivacySettings) => {
    lastSeen.set(s.last_seen);
    photo.set(s.photo);
    about.set(s.about);
    groups.set(s.groups_add);
    receipts.checked = s.read_receipts;
  };
  const form = h('form', {},
    h('p', { class: 'hint' }, 'Who can see your last seen, profile photo and about. Your contacts are the people you have chatted with.'),
    lastSeen.wrap, photo.wrap, about.wrap,
    h('div', { class: 'receipts' }, h('label', { class: 'choice' }, receipts, ' Read receipts'),
      h('small', { id: 'privacy-receipts-hint' }, 'Off: you neither send nor see read ticks in direct chats (groups keep them).')),
    groups.wrap, alert, saved,
    h('div', { class: 'actions' }, save, h('button', { type: 'button', onclick: () => dialog.close() }, 'Close')));
  const dialog = modal('Privacy', 'privacy', form, h('h3', {}, 'Blocked users'), blockedList);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.textContent = saved.textContent = '';
    save.disabled = true;
    try {
      show(await api<PrivacySettings>('PUT', '/users/me/privacy', {
        last_seen: lastSeen.value(), photo: photo.value(), about: about.value(),
        read_receipts: receipts.checked, groups_add: groups.value(),
      }));
      saved.textContent = 'Privacy settings saved.';
    } catch (err) {
      alert.textContent = errorText(err);
    } finally {
      save.disabled = false;
    }
  });
  const renderBlocked = (users: User[]) => {
    blockedList.replaceChildren(...users.map((u) => {
      const name = displayName(u);
      const unblock = h('button', { type: 'button', 'aria-label': `Unblock ${name}` }, 'Unblock');
      const li = h('li', {}, h('span', { class: 'name' }, name), unblock);
      unblock.addEventListener('click', async () => {
        unblock.disabled = true;
        try {
          await blocks.unblock(u.id);
          users = users.filter((x) => x.id !== u.id);
          renderBlocked(users);
          saved.textContent = `${name} is unblocked.`;
        } catch (err) {
          unblock.disabled = false;
          alert.textContent = errorText(err);
        }
      });
      return li;
    }));
    if (!users.length) blockedList.append(h('li', { class: 'hint' }, 'You have not blocked anyone.'));
  };
  try {
    const [settings, blocked] = await Promise.all([api<PrivacySettings>('GET', '/users/me/privacy'), blocks.load()]);
    show(settings);
    save.disabled = false;
    renderBlocked(blocked);
  } catch (err) {
    alert.textContent = errorText(err);
  }
}

/**
 * Opens the dialog to report `user`, with `messageIds` (the message reported, if any) and,
 * when `blocks` is given and they are not blocked yet, a choice to block them too.
 */
export function showReport(user: { id: string; name: string }, messageIds: string[], blocks: Blocks | null): void {
  const reason = radios('Reason', 'report-reason', [['spam', 'Spam'], ['abuse', 'Abuse'], ['other', 'Other']]);
  const noteId = 'report-note';
  const note = h('textarea', { id: noteId, maxlength: '1000', rows: '3' });
  const alsoBlock = blocks && !blocks.has(user.id) ? h('input', { type: 'checkbox' }) : null;
  const alert = h('p', { class: 'error', role: 'alert' });
  const send = h('button', { type: 'submit', class: 'primary' }, 'Send report');
  const form = h('form', {},
    h('p', { class: 'hint' }, messageIds.length
      ? 'The message is sent with your report for Flow to review. They are not told.'
      : 'Flow reviews the report. They are not told.'),
    reason.wrap,
    h('div', { class: 'field' }, h('label', { for: noteId }, 'Note (optional)'), note),
    alsoBlock ? h('label', { class: 'choice' }, alsoBlock, ` Block ${user.name} too`) : null,
    alert,
    h('div', { class: 'actions' }, send, h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel')));
  const dialog = modal(`Report ${user.name}`, 'report', form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const why = reason.value();
    if (!why) {
      alert.textContent = 'Choose a reason.';
      return;
    }
    alert.textContent = '';
    send.disabled = true;
    try {
      const text = note.value.trim();
      await api('POST', `/users/${encodeURIComponent(user.id)}/report`, {
        reason: why, ...(messageIds.length ? { message_ids: messageIds } : {}), ...(text ? { note: text } : {}),
      });
    } catch (err) {
      alert.textContent = errorText(err);
      send.disabled = false;
      return;
    }
    let said = 'Report sent. Thank you.';
    if (alsoBlock?.checked) {
      // The report is filed whatever happens here: sending it again would file it twice.
      said = await blocks!.block(user.id).then(() => `Report sent. ${user.name} is blocked.`,
        (err) => `Report sent, but ${user.name} could not be blocked: ${errorText(err)}`);
    }
    const done = h('button', { type: 'button', class: 'primary', onclick: () => dialog.close() }, 'Close');
    form.replaceWith(h('div', {}, h('p', { role: 'status' }, said), h('div', { class: 'actions' }, done)));
    done.focus();
  });
}
