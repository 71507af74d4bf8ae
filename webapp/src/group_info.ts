// A group's info panel, opened by the "Group info" button in the open group chat's header:
// its members (admins marked), and for admins rename, group photo, add by phone number and
// remove; anyone may leave. Every change is answered with the chat, and reaches the other
// members as `chat:updated`, which re-renders the panel through `update`.
import { api, errorText, upload, type Chat, type User } from './api';
import { avatar, field, h } from './dom';
import { displayName, memberPhonesField, type People } from './people';

/** What the panel needs from the messenger. */
export interface GroupInfoHost {
  me: User;
  people: People;
  /** A chat as an answer gave it (the messenger updates its list, header and panel). */
  changed: (chat: Chat) => void;
}

export class GroupInfo {
  private chat: Chat | null = null; // the chat whose button is shown
  private button: HTMLButtonElement | null = null;
  private panel: Panel | null = null; // while open

  constructor(private readonly host: GroupInfoHost) {}

  /** The header button of a newly opened group chat (any earlier panel went with the old pane). */
  headerButton(chat: Chat): HTMLButtonElement {
    this.chat = chat;
    this.panel = null;
    const button = h('button', { type: 'button', class: 'group-info-button', 'aria-expanded': 'false', 'aria-controls': 'group-info' }, 'Group info');
    button.addEventListener('click', () => (this.panel ? this.close() : this.open()));
    this.button = button;
    return button;
  }

  /** A chat changed; when it is the one shown, the panel follows (and goes, for one who left it). */
  update(chat: Chat): void {
    if (chat.id !== this.chat?.id || !this.button?.isConnected) return;
    this.chat = chat;
    if (!isMember(chat, this.host.me.id)) {
      this.close(false); // the messenger shows that this person is no longer in it
      this.button.remove();
      return;
    }
    void this.panel?.render(chat);
  }

  private open(): void {
    const button = this.button;
    if (!button || !this.chat) return;
    this.panel = new Panel(this.host, () => this.close());
    button.closest('header')!.after(this.panel.root);
    button.setAttribute('aria-expanded', 'true');
    void this.panel.render(this.chat);
    this.panel.heading.focus();
  }

  private close(refocus = true): void {
    if (!this.panel) return;
    this.panel.root.remove();
    this.panel = null;
    this.button?.setAttribute('aria-expanded', 'false');
    if (refocus) this.button?.focus();
  }
}

function isMember(chat: Chat, userId: string): boolean {
  return chat.participants.some((p) => p.user_id === userId);
}

function isAdmin(chat: Chat, userId: string): boolean {
  return chat.participants.some((p) => p.user_id === userId && p.role === 'admin');
}

/** The panel itself: built once when opened, its member list and admin tools re-rendered per change. */
class Panel {
  readonly heading = h('h3', { id: 'group-info-title', tabindex: '-1' }, 'Group info');
  private readonly members = h('ul', { class: 'members', 'aria-label': 'Members' });
  private readonly count = h('h4', {});
  private readonly alert = h('p', { class: 'error', role: 'alert' });
  private readonly done = h('p', { class: 'done', role: 'status' });
  private readonly name = field('Group name', { required: true, maxlength: '100', autocomplete: 'off' });
  private readonly photo = field('Group photo', { type: 'file', accept: 'image/*' });
  private readonly removePhoto = h('button', { type: 'button' }, 'Remove group photo');
  private readonly adminTools: HTMLElement;
  private chat!: Chat;
  private renders = 0;
  readonly root: HTMLElement;

  constructor(
    private readonly host: GroupInfoHost,
    close: () => void,
  ) {
    const phones = memberPhonesField();
    const rename = this.form('rename', [this.name.wrap], 'Rename', async () => {
      await this.put({ name: this.name.input.value.trim() }, 'The group is renamed.');
    });
    const setPhoto = this.form('photo', [this.photo.wrap], 'Set group photo', async () => {
      const file = this.photo.input.files?.[0];
      if (!file) throw new Error('Choose a photo first.');
      const image = await upload(file);
      if (image.kind !== 'image') throw new Error('A group photo must be an image.');
      await this.put({ image_id: image.id }, 'The group photo is set.');
      this.photo.input.value = '';
    });
    this.removePhoto.addEventListener('click', () => void this.act(this.removePhoto, () => this.put({ image_id: null }, 'The group photo is removed.')));
    setPhoto.querySelector('.actions')!.append(this.removePhoto);
    const add = this.form('add', [phones.wrap], 'Add members', async () => {
      const typed = await this.host.people.memberIds(phones.input.value, this.host.me.id);
      const ids = typed.filter((id) => !isMember(this.chat, id));
      if (!ids.length) throw new Error(typed.length === 1 ? 'They are in the group already.' : 'They are all in the group already.');
      const chat = await api<Chat>('POST', `/chats/${encodeURIComponent(this.chat.id)}/participants`, { user_ids: ids });
      phones.input.value = '';
      this.host.changed(chat);
      const names = await Promise.all(ids.map((id) => this.host.people.name(id)));
      this.done.textContent = `Added ${names.join(', ')}.`;
    });
    this.adminTools = h('div', { class: 'admin-tools' }, rename, setPhoto, add);
    const leave = h('button', { type: 'button', class: 'danger' }, 'Leave group');
    leave.addEventListener('click', () => void this.act(leave, () => this.removeMember(this.host.me.id)));
    this.root = h('section', { id: 'group-info', class: 'group-info', 'aria-labelledby': 'group-info-title' },
      h('div', { class: 'group-info-head' }, this.heading,
        h('button', { type: 'button', 'aria-label': 'Close group info', title: 'Close group info', onclick: close }, '✕')),
      this.alert, this.done, this.count, this.members, this.adminTools,
      h('div', { class: 'actions' }, leave));
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        close();
      }
    });
  }

  /** Shows the chat as it is now: members, and the admin tools for an admin only. */
  async render(chat: Chat): Promise<void> {
    this.chat = chat;
    const me = this.host.me.id;
    const admin = isAdmin(chat, me);
    this.adminTools.hidden = !admin;
    this.removePhoto.hidden = !chat.image_id;
    // A name being typed is not overwritten by someone else's change.
    if (document.activeElement !== this.name.input) this.name.input.value = chat.name ?? '';
    const render = ++this.renders;
    const users = await Promise.all(chat.participants.map((p) => this.host.people.user(p.user_id)));
    if (render !== this.renders) return; // a newer change is being shown
    this.count.textContent = `${chat.participants.length} ${chat.participants.length === 1 ? 'member' : 'members'}`;
    this.members.replaceChildren(...chat.participants.map((p, i) => {
      const name = displayName(users[i] ?? null);
      const you = p.user_id === me;
      const remove = admin && !you
        ? h('button', { type: 'button', onclick: (e: Event) => void this.act(e.currentTarget as HTMLButtonElement, () => this.removeMember(p.user_id)) }, `Remove ${name}`)
        : null;
      return h('li', {},
        avatar({ name, image_id: users[i]?.image_id ?? null }),
        h('span', { class: 'name' }, you ? `${name} (you)` : name),
        p.role === 'admin' ? h('span', { class: 'tag' }, 'Admin') : null,
        remove);
    }));
  }

  private async removeMember(userId: string): Promise<void> {
    const name = userId === this.host.me.id ? '' : await this.host.people.name(userId);
    const chat = await api<Chat>('DELETE', `/chats/${encodeURIComponent(this.chat.id)}/participants/${encodeURIComponent(userId)}`);
    this.host.changed(chat);
    if (!name) return; // one who left sees the panel no more
    await this.render(chat);
    this.done.textContent = `Removed ${name}.`;
  }

  private async put(body: { name?: string; image_id?: string | null }, done: string): Promise<void> {
    const chat = await api<Chat>('PUT', `/chats/${encodeURIComponent(this.chat.id)}`, body);
    this.host.changed(chat);
    this.done.textContent = done;
  }

  /** Runs one action with its button disabled; a failure shows in the alert line. */
  private async act(button: HTMLButtonElement, run: () => Promise<void>): Promise<void> {
    this.alert.textContent = '';
    this.done.textContent = '';
    button.disabled = true;
    try {
      await run();
    } catch (err) {
      this.alert.textContent = errorText(err);
    } finally {
      button.disabled = false;
      // The focus was on a button that went (a removed member's): it moves to the panel's top.
      if (!button.isConnected && this.root.isConnected && !this.root.contains(document.activeElement)) this.heading.focus();
    }
  }

  /** A small form of the panel: its fields and a submit button. */
  private form(name: string, fields: HTMLElement[], submitLabel: string, submit: () => Promise<void>): HTMLFormElement {
    const go = h('button', { type: 'submit', class: 'primary' }, submitLabel);
    const form = h('form', { class: `group-${name}` }, ...fields, h('div', { class: 'actions' }, go));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.act(go, submit);
    });
    return form;
  }
}
