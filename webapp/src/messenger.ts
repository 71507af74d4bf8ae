// The signed-in app: the chat list, a new-chat form, and the open chat with live messages.
import { io, type Socket } from 'socket.io-client';
import { api, ApiError, errorText, mediaUrl, newClientId, token, upload, type Call, type Chat, type Message, type Page, type User } from './api';
import { CallHistory } from './call_history';
import { Calls, type CallSignal } from './calls';
import { chatOptions } from './chat_options';
import { ComposerMode } from './composer_mode';
import { avatar, field, formatTime, h } from './dom';
import { GroupInfo } from './group_info';
import { MessageActions } from './message_actions';
import { editedMark, forwardedTag, KIND_NAMES, previewOf, quote, reactionList, withReaction } from './message_parts';
import { displayName, memberPhonesField, People } from './people';
import { Blocks, showPrivacy, showReport } from './privacy';
import { searchBox, SearchResults } from './search';
import { Stories } from './stories';

interface Status {
  chat_id: string;
  user_id: string;
  seq: number;
  status: 'delivered' | 'read';
}

/** How far another member has received and read a chat (message:status). */
interface Marks {
  delivered: number;
  read: number;
}

const PAGE = 50;
const TYPING_EVERY_MS = 3_000; // how often "typing: true" is repeated while someone types
const TYPING_SHOWN_MS = 6_000; // how long a "typing" is shown without a repeat
const MAX_CALL_PARTICIPANTS = 8; // a group call is a mesh of peer connections (the server's limit too)

export class Messenger {
  private readonly chats = new Map<string, Chat>();
  private readonly people: People;
  private readonly groupInfo: GroupInfo;
  private readonly marks = new Map<string, Map<string, Marks>>(); // chat -> user -> marks
  private readonly acked = new Map<string, { delivered: number; read: number }>(); // what this device told the server
  private socket: Socket | null = null;

  private openId: string | null = null;
  private messages: Message[] = [];
  private nextBefore: number | null = null;

  private readonly chatList = h('ul', { class: 'chats', 'aria-label': 'Chats' });
  private readonly pane = h('section', { class: 'pane', 'aria-label': 'Chat' });
  private readonly status = h('span', { class: 'status', role: 'status' });
  private readonly newChat = h('div', { class: 'new-chat' });
  private messageList: HTMLUListElement | null = null;
  private chatStatus: HTMLElement | null = null; // "typing…", "online" or "last seen …" under the open chat's name
  private readonly typingUntil = new Map<string, number>(); // `${chat}/${user}` -> when to stop showing it
  private readonly online = new Map<string, { online: boolean; last_seen_at: number | null }>();
  private typingSentAt = 0;
  private olderButton: HTMLButtonElement | null = null;
  private readonly calls: Calls;
  private readonly actions: MessageActions;
  private composer: ComposerMode | null = null; // the open chat's reply or edit in progress
  private readonly blocks = new Blocks(() => this.renderBlocked());

  constructor(
    private readonly root: HTMLElement,
    private readonly me: User,
    private readonly signedOut: () => void,
  ) {
    this.people = new People(me);
    this.groupInfo = new GroupInfo({ me, people: this.people, changed: (c) => this.chatChanged(c) });
    this.calls = new Calls(me, () => this.socket, (id) => this.user(id), () => void this.history?.refresh());
    this.actions = new MessageActions({
      meId: me.id,
      reply: (m) => this.composer?.reply(m),
      edit: (m) => this.composer?.edit(m),
      changed: (m) => this.changeMessage(m.chat_id, m.id, () => m, previewOf(m).text),
      hidden: (m) => {
        this.messages = this.messages.filter((x) => x.id !== m.id);
        this.renderMessages(false);
      },
      forwarded: (items) => items.forEach((m) => void this.received(m, true)),
      report: (m) => void this.people.name(m.sender_id).then((name) => showReport({ id: m.sender_id, name }, [m.id], this.blocks)),
      chats: () => [...this.chats.keys()].filter((id) => this.names.has(id)).map((id) => ({ id, name: this.names.get(id)! }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      fail: (err) => (err instanceof ApiError && err.status === 401 ? this.forget() : this.chatAlert(errorText(err))),
    });
  }

  async mount(): Promise<void> {
    const newChatButton = h('button', { type: 'button', class: 'primary', 'aria-expanded': 'false' }, 'New chat');
    newChatButton.addEventListener('click', () => this.toggleForm(newChatButton, () => this.newChatForm()));
    const newGroupButton = h('button', { type: 'button', 'aria-expanded': 'false' }, 'New group');
    const storiesButton = h('button', { type: 'button', onclick: () => void this.showStories() }, 'Stories');
    const callsButton = h('button', { type: 'button', onclick: () => void this.showCallHistory() }, 'Calls');
    newGroupButton.addEventListener('click', () => this.toggleForm(newGroupButton, () => this.newGroupForm()));
    const profileButton = h('button', { type: 'button', class: 'me', 'aria-expanded': 'false', title: 'Your profile' });
    const showMe = () => profileButton.replaceChildren(avatar(this.me), h('span', {}, this.me.name), h('span', { class: 'visually-hidden' }, ' (profile)'));
    showMe();
    profileButton.addEventListener('click', () => this.toggleForm(profileButton, () => this.profileForm(showMe)));
    this.root.replaceChildren(
      h('div', { class: 'app' },
        h('header', { class: 'top' },
          h('h1', {}, 'Flow'), this.status, profileButton,
          h('button', { type: 'button', onclick: () => void showPrivacy(this.blocks) }, 'Privacy'),
          h('button', { type: 'button', onclick: () => this.signOut() }, 'Sign out')),
        h('nav', { class: 'side', 'aria-label': 'Chat list' },
          searchBox((q) => void this.showSearch(q)),
          h('div', { class: 'actions' }, newChatButton, newGroupButton, storiesButton, callsButton), this.newChat, this.chatList),
        this.pane, this.calls.panel));
    this.showEmptyPane();
    this.connect();
    await Promise.all([this.loadChats(), this.blocks.load().catch((err) => this.fail(err))]);
  }

  // ---- chats ------------------------------------------------------------------------

  private async loadChats(): Promise<void> {
    try {
      // Archived chats too: the list leaves them out, and "Archived" shows them.
      const page = await api<Page<Chat>>('GET', '/chats?archived=true');
      // The server lists pinned chats first, the latest pinned on top: that order is kept.
      page.items.forEach((c, i) => c.pinned && this.pinRank.set(c.id, i));
      for (const c of page.items) this.chats.set(c.id, c);
      await Promise.all(page.items.map((c) => this.chatName(c)));
      this.renderChats();
    } catch (err) {
      this.fail(err);
    }
  }

  private otherId(chat: Chat): string | undefined {
    return chat.participants.find((p) => p.user_id !== this.me.id)?.user_id;
  }

  private user(id: string): Promise<User | null> {
    return this.people.user(id);
  }

  /** A group's name, or for a direct chat the other person's name (their phone if they have none). */
  private async chatName(chat: Chat): Promise<string> {
    if (chat.type === 'group') return chat.name || 'Group';
    const other = this.otherId(chat);
    return displayName(other ? await this.user(other) : null);
  }

  private names = new Map<string, string>(); // chat id -> resolved name, for synchronous rendering
  private readonly pinRank = new Map<string, number>(); // pinned chat id -> place among the pinned (lower is higher)
  private showArchived = false; // whether the list shows the archived chats instead of the others

  private async upsertChat(chat: Chat): Promise<void> {
    this.chats.set(chat.id, chat);
    const name = await this.chatName(chat);
    this.names.set(chat.id, name);
    this.renderChats();
    if (chat.id !== this.openId) return;
    const title = this.pane.querySelector('.chat-head h2');
    if (title) title.textContent = name;
    this.renderChatStatus();
    this.groupInfo.update(chat);
  }

  /** A chat that changed (chat:updated, or the answer to a change made here). */
  private chatChanged(c: Chat): void {
    const old = this.chats.get(c.id);
    if (!c.participants.some((p) => p.user_id === this.me.id)) return this.lostChat(c);
    if (!old) {
      // New here (just added): the full view, with its last message and unread count.
      void api<Chat>('GET', `/chats/${encodeURIComponent(c.id)}`).then((full) => this.upsertChat(full), () => undefined);
      return;
    }
    // chat:updated carries the chat without the reader's own fields: those stay as they were.
    void this.upsertChat({ ...old, ...c, last_message: old.last_message, unread_count: old.unread_count });
  }

  /** This person left the chat or was removed: it leaves the list; when open, it stays readable. */
  private lostChat(c: Chat): void {
    this.chats.delete(c.id);
    this.names.delete(c.id);
    this.renderChats();
    if (c.id !== this.openId) return;
    this.groupInfo.update(c);
    const note = h('p', { class: 'gone', role: 'status', tabindex: '-1' }, 'You are no longer a member of this group.');
    this.pane.querySelector('form.composer')?.replaceWith(note);
    if (this.chatStatus) this.chatStatus.textContent = '';
    this.chatStatus = null;
    this.setNextBefore(null); // older history is no longer this person's to load
    if (!this.pane.contains(document.activeElement)) note.focus();
  }

  private renderChats(): void {
    for (const c of this.chats.values()) if (!this.names.has(c.id)) void this.upsertChat(c);
    const activity = (c: Chat) => c.last_message?.created_at ?? c.created_at;
    const shown = [...this.chats.values()].filter((c) => this.names.has(c.id));
    const archived = shown.filter((c) => c.archived).length;
    const rank = (c: Chat) => (c.pinned ? this.pinRank.get(c.id) ?? 0 : Infinity);
    const sorted = shown.filter((c) => Boolean(c.archived) === this.showArchived)
      .sort((a, b) => rank(a) - rank(b) || activity(b) - activity(a));
    this.chatList.setAttribute('aria-label', this.showArchived ? 'Archived chats' : 'Chats');
    this.chatList.replaceChildren(
      ...sorted.map((c) => {
        const name = this.names.get(c.id)!;
        const open = c.id === this.openId;
        const last = c.last_message;
        return h('li', { 'aria-label': name, class: open ? 'open' : '' },
          h('button', { type: 'button', 'aria-current': open ? 'true' : null, onclick: () => this.openChat(c.id) },
            this.chatAvatar(c, name),
            h('span', { class: 'name' }, name),
            h('span', { class: 'when' }, c.pinned ? h('span', { class: 'pin', title: 'Pinned', 'aria-label': 'Pinned' }, '📌 ') : null,
              last ? formatTime(last.created_at) : ''),
            h('span', { class: 'preview' }, last ? this.preview(last) : c.request ? 'Message request' : 'No messages yet'),
            c.unread_count > 0 ? h('span', { class: 'badge', 'aria-label': `${c.unread_count} unread` }, String(c.unread_count)) : null));
      }));
    if (sorted.length === 0) {
      this.chatList.append(h('li', { class: 'hint' }, this.showArchived ? 'No archived chats.' : 'No chats yet. Start one with “New chat”.'));
    }
    if (archived || this.showArchived) {
      const label = this.showArchived ? 'Back to chats' : `Archived (${archived})`;
      this.chatList.append(h('li', { class: 'archived-toggle' }, h('button', { type: 'button', onclick: () => {
        this.showArchived = !this.showArchived;
        this.renderChats();
      } }, label)));
    }
  }

  /** This person pinned, archived or muted a chat here. */
  private arranged(chat: Chat): void {
    if (chat.pinned && !this.pinRank.has(chat.id)) this.pinRank.set(chat.id, -Date.now()); // the latest pinned on top
    if (!chat.pinned) this.pinRank.delete(chat.id);
    this.renderChats();
  }

  /** The other person's photo (or initials) for a direct chat; a group's photo (or initials). */
  private chatAvatar(chat: Chat, name: string): HTMLElement {
    const other = chat.type === 'direct' ? this.otherId(chat) : undefined;
    const el = avatar({ name, image_id: chat.type === 'group' ? chat.image_id : null });
    if (other) void this.user(other).then((u) => u?.image_id && el.replaceWith(avatar({ name, image_id: u.image_id })));
    return el;
  }

  private preview(m: Message): string {
    const mine = m.sender_id === this.me.id ? 'You: ' : '';
    if (m.deleted) return 'This message was deleted';
    if (m.type === 'text' || m.type === 'system') return mine + (m.text ?? '');
    return mine + KIND_NAMES[m.type] + (m.text ? `: ${m.text}` : '');
  }

  private formButton: HTMLButtonElement | null = null; // the button whose form is open

  /** Opens the form that `button` stands for in the side bar (closing any other), or closes it. */
  private toggleForm(button: HTMLButtonElement, build: () => HTMLFormElement): void {
    const wasOpen = this.formButton === button;
    this.closeForm();
    if (wasOpen) return;
    this.formButton = button;
    button.setAttribute('aria-expanded', 'true');
    const form = build();
    this.newChat.replaceChildren(form);
    form.querySelector('input')?.focus();
  }

  private closeForm(): void {
    const button = this.formButton;
    if (!button) return;
    this.formButton = null;
    this.newChat.replaceChildren();
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  }

  /** A side-bar form: fields, an alert line, a submit button and Cancel; `submit` runs with the button disabled. */
  private sideForm(fields: HTMLElement[], submitLabel: string, submit: (fail: (m: string) => void) => Promise<void>): HTMLFormElement {
    const alert = h('p', { class: 'error', role: 'alert' });
    const go = h('button', { type: 'submit', class: 'primary' }, submitLabel);
    const cancel = h('button', { type: 'button', onclick: () => this.closeForm() }, 'Cancel');
    const form = h('form', {}, ...fields, alert, h('div', { class: 'actions' }, go, cancel));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      alert.textContent = '';
      go.disabled = true;
      try {
        await submit((m) => (alert.textContent = m));
      } catch (err) {
        alert.textContent = errorText(err);
      } finally {
        go.disabled = false;
      }
    });
    return form;
  }

  /** Name, about and photo (PUT /auth/modify_user, the photo uploaded first). */
  private profileForm(changed: () => void): HTMLFormElement {
    const name = field('Your name', { required: true, maxlength: '64', value: this.me.name });
    const about = field('About', { maxlength: '256', value: this.me.about ?? '' });
    const photo = field('Profile photo', { type: 'file', accept: 'image/*' });
    return this.sideForm([name.wrap, about.wrap, photo.wrap], 'Save profile', async () => {
      const file = photo.input.files?.[0];
      const image = file ? await upload(file) : null;
      if (image && image.kind !== 'image') throw new Error('A profile photo must be an image.');
      const body: Record<string, string> = { name: name.input.value.trim(), about: about.input.value.trim() };
      if (image) body.image_id = image.id;
      Object.assign(this.me, await api<User>('PUT', '/auth/modify_user', body));
      this.people.known(this.me);
      changed();
      this.closeForm();
    });
  }

  private newChatForm(): HTMLFormElement {
    const phone = field('Contact phone number', { type: 'tel', autocomplete: 'tel', required: true, placeholder: '+44 7700 900123' });
    return this.sideForm([phone.wrap], 'Start chat', async (fail) => {
      const { users } = await this.people.lookup([phone.input.value.trim()]);
      const other = users[0];
      if (!other) return fail('Nobody on Flow has that number yet.');
      if (other.id === this.me.id) return fail('That is your own number.');
      const chat = await api<Chat>('POST', '/chats', { type: 'direct', user_id: other.id });
      await this.upsertChat(chat);
      this.closeForm();
      await this.openChat(chat.id);
    });
  }

  private newGroupForm(): HTMLFormElement {
    const name = field('Group name', { required: true, maxlength: '100' });
    const phones = memberPhonesField();
    return this.sideForm([name.wrap, phones.wrap], 'Create group', async () => {
      const ids = await this.people.memberIds(phones.input.value, this.me.id);
      const chat = await api<Chat>('POST', '/chats', { type: 'group', name: name.input.value.trim(), user_ids: ids });
      await this.upsertChat(chat);
      this.closeForm();
      await this.openChat(chat.id);
    });
  }

  // ---- the open chat --------------------------------------------------------------------

  private stories: Stories | null = null; // while the pane shows stories
  private history: CallHistory | null = null; // while the pane shows call history

  /** Leaves the open chat (or other view) for another view of the pane. */
  private leavePane(): void {
    this.openId = null;
    this.messageList = null;
    this.chatStatus = null;
    this.composer = null;
    this.stories = null;
    this.history = null;
    this.renderChats();
  }

  private async showSearch(q: string): Promise<void> {
    this.leavePane();
    await new SearchResults(this.pane, q, {
      chatName: (id) => this.names.get(id) ?? 'Chat',
      userName: (id) => this.people.name(id),
      open: (m) => void this.openChat(m.chat_id, m.id),
    }).show();
  }

  private async showStories(): Promise<void> {
    this.leavePane();
    this.stories = new Stories(this.pane, this.me, (id) => this.user(id), (err) => this.fail(err));
    await this.stories.show();
  }

  private async showCallHistory(): Promise<void> {
    this.leavePane();
    this.history = new CallHistory(this.pane, (call) => this.callPartner(call));
    await this.history.show();
  }

  /** Who a call was with: the other person of a 1:1 call, or the group. */
  private async callPartner(call: Call): Promise<string> {
    if (!call.callee_id) return this.names.get(call.chat_id) ?? 'Group call';
    return displayName(await this.user(call.caller_id === this.me.id ? call.callee_id : call.caller_id));
  }

  /** The "Audio call" and "Video call" buttons of an open chat (none for a group too large to call). */
  private callButtons(chat: Chat, name: string): HTMLElement | null {
    if (chat.type === 'group' && chat.participants.length > MAX_CALL_PARTICIPANTS) return null;
    const other = this.otherId(chat);
    const who = chat.type === 'direct' && other ? { callee_id: other } : { chat_id: chat.id };
    const button = (type: Call['type'], label: string) =>
      h('button', { type: 'button', onclick: () => void this.calls.start(who, name, type) }, label);
    return h('div', { class: 'actions call-buttons' }, button('audio', 'Audio call'), button('video', 'Video call'));
  }

  private showEmptyPane(): void {
    this.messageList = null;
    this.pane.replaceChildren(h('p', { class: 'empty' }, 'Choose a chat, or start a new one.'));
  }

  /** Opens a chat, showing its newest messages, or `found` (a message id) when it is among them. */
  private async openChat(id: string, found?: string): Promise<void> {
    const chat = this.chats.get(id);
    if (!chat) return;
    this.leavePane();
    this.openId = id;
    this.messages = [];
    this.nextBefore = null;
    const name = this.names.get(id) ?? (await this.chatName(chat));
    const list = h('ul', { class: 'messages', 'aria-label': 'Messages', 'aria-live': 'polite' });
    this.messageList = list;
    this.olderButton = h('button', { type: 'button', class: 'older', hidden: true, onclick: () => this.loadOlder() }, 'Load older messages');
    const input = field('Message', { autocomplete: 'off', maxlength: '65536', placeholder: 'Write a message' });
    input.wrap.classList.add('grow');
    input.wrap.querySelector('label')!.classList.add('visually-hidden');
    const alert = h('p', { class: 'error', role: 'alert' });
    const file = h('input', { type: 'file', hidden: true, tabindex: '-1', 'aria-hidden': 'true' });
    const attach = h('button', { type: 'button', title: 'Attach a photo, video, audio or file', onclick: () => file.click() }, 'Attach');
    const form = h('form', { class: 'composer' }, attach, file, input.wrap, h('button', { type: 'submit', class: 'primary' }, 'Send'));
    const composer = new ComposerMode(input.input, (userId) => this.people.name(userId));
    this.composer = composer;
    const sendNow = (text: string, media?: File) => {
      alert.textContent = '';
      this.typing(id, false);
      const replyTo = composer.replyTo?.id;
      composer.clear();
      this.send(id, text, media, replyTo).catch((err) => {
        alert.textContent = `Not sent: ${errorText(err)}`;
        // Blocked on another device: the note and the disabled box follow.
        if (err instanceof ApiError && err.code === 'blocked') void this.blocks.load().catch(() => undefined);
      });
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.input.value.trim();
      if (!text) return;
      const edited = composer.edited;
      input.input.value = '';
      if (!edited) return sendNow(text);
      alert.textContent = '';
      composer.clear();
      void this.actions.edit(edited, text);
    });
    file.addEventListener('change', () => {
      const chosen = file.files?.[0];
      file.value = '';
      if (!chosen) return;
      const caption = input.input.value.trim(); // what is in the box goes with it as its caption
      input.input.value = '';
      sendNow(caption, chosen);
    });
    input.input.addEventListener('input', () => this.typing(id, input.input.value.length > 0));
    this.chatStatus = h('span', { class: 'sub', role: 'status' });
    this.pane.replaceChildren(
      h('header', { class: 'chat-head' }, h('div', {}, h('h2', {}, name), this.chatStatus),
        chat.request ? this.requestBar(chat) : this.callButtons(chat, name),
        chatOptions(chat, (c) => this.arranged(c), (m) => (alert.textContent = m), () => this.directOptions(chat, name)),
        chat.type === 'group' ? this.groupInfo.headerButton(chat) : null),
      h('div', { class: 'scroll' }, this.olderButton, list),
      alert, this.blockedNote(), composer.bar, form);
    this.renderBlocked();
    this.renderChats();
    this.renderChatStatus();
    input.input.focus();
    try {
      const page = await api<Page<Message>>('GET', `/chats/${encodeURIComponent(id)}/messages?limit=${PAGE}`);
      if (this.openId !== id) return;
      this.mergeMessages(page.items);
      this.setNextBefore(page.next_before ?? null);
      this.renderMessages(true);
      if (found) list.querySelector<HTMLElement>(`li[data-id="${CSS.escape(found)}"]`)?.scrollIntoView({ block: 'center' });
      this.acknowledge(id, true);
    } catch (err) {
      alert.textContent = err instanceof Error ? err.message : String(err);
    }
  }

  /** The chat menu's "Block"/"Unblock" and "Report…" for the other person of a direct chat. */
  private directOptions(chat: Chat, name: string): { label: string; run: () => void }[] {
    const other = chat.type === 'direct' ? this.otherId(chat) : undefined;
    if (!other) return [];
    const who = { id: other, name };
    const fail = (err: unknown) => (err instanceof ApiError && err.status === 401 ? this.forget() : this.chatAlert(errorText(err)));
    return [
      this.blocks.has(other)
        ? { label: `Unblock ${name}`, run: () => void this.blocks.unblock(other).catch(fail) }
        : { label: `Block ${name}`, run: () => void this.blocks.confirmBlock(who).catch(fail) },
      { label: 'Report…', run: () => showReport(who, [], this.blocks) },
    ];
  }

  /** The note shown instead of a usable message box while the open direct chat's other person is blocked. */
  private blockedNote(): HTMLElement {
    const unblock = h('button', { type: 'button', onclick: () => {
      const other = this.openId && this.otherId(this.chats.get(this.openId)!);
      if (other) void this.blocks.unblock(other).catch((err) => this.chatAlert(errorText(err)));
    } }, 'Unblock');
    return h('p', { class: 'blocked-note', role: 'status', hidden: true }, 'You blocked this contact. Unblock to send a message. ', unblock);
  }

  /** Disables the message box and calls of the open direct chat while its other person is blocked, with a note saying so. */
  private renderBlocked(): void {
    const chat = this.openId ? this.chats.get(this.openId) : undefined;
    const note = this.pane.querySelector<HTMLElement>('.blocked-note');
    if (!chat || !note) return;
    const other = chat.type === 'direct' ? this.otherId(chat) : undefined;
    const blocked = Boolean(other && this.blocks.has(other));
    if (note.hidden !== blocked) return; // as it was
    note.hidden = !blocked;
    for (const el of this.pane.querySelectorAll<HTMLInputElement | HTMLButtonElement>('form.composer input, form.composer button, .call-buttons button')) {
      el.disabled = blocked;
    }
    if (!blocked) this.pane.querySelector<HTMLInputElement>('form.composer input:not([type=file])')?.focus();
  }

  /** A message request: says so, and lets this person accept it (POST /chats/{id}/accept). */
  private requestBar(chat: Chat): HTMLElement {
    const bar = h('div', { class: 'request' }, h('span', { class: 'tag' }, 'Message request'));
    const accept = h('button', { type: 'button', class: 'primary' }, 'Accept message request');
    accept.addEventListener('click', async () => {
      accept.disabled = true;
      try {
        await api('POST', `/chats/${encodeURIComponent(chat.id)}/accept`);
        chat.request = false;
        bar.remove();
        this.renderChats();
      } catch (err) {
        accept.disabled = false;
        this.fail(err);
      }
    });
    bar.append(accept);
    return bar;
  }

  /**
   * Changes one message of a chat wherever it shows: the open chat, the chat list's last
   * message, and (when `quoted` is given, its text as replies quote it now) its quotes.
   */
  private changeMessage(chatId: string, id: string, change: (m: Message) => Message, quoted?: string | null): void {
    const chat = this.chats.get(chatId);
    if (chat?.last_message?.id === id) {
      chat.last_message = change(chat.last_message);
      this.renderChats();
    }
    if (this.openId !== chatId) return;
    this.messages = this.messages.map((m) => {
      if (m.id === id) return change(m);
      if (quoted !== undefined && m.reply_preview?.id === id) return { ...m, reply_preview: { ...m.reply_preview, text: quoted } };
      return m;
    });
    this.renderMessages(false);
  }

  /** Shows what went wrong with the open chat (above its message box). */
  private chatAlert(text: string): void {
    const alert = this.pane.querySelector(':scope > [role=alert]');
    if (alert) alert.textContent = text;
    else this.status.textContent = text;
  }

  private setNextBefore(n: number | null): void {
    // Seq numbers start at 1: with the first message here there is nothing older to load.
    if (this.messages.some((m) => m.seq <= 1)) n = null;
    this.nextBefore = n;
    if (this.olderButton) this.olderButton.hidden = n === null;
  }

  private async loadOlder(): Promise<void> {
    const id = this.openId;
    if (!id || this.nextBefore === null) return;
    const page = await api<Page<Message>>('GET', `/chats/${encodeURIComponent(id)}/messages?limit=${PAGE}&before=${this.nextBefore}`);
    if (this.openId !== id) return;
    this.mergeMessages(page.items);
    this.setNextBefore(page.next_before ?? null);
    this.renderMessages(false);
  }

  /** Adds messages (any order, repeats ignored) to the open chat's, kept in seq order. */
  private mergeMessages(items: Message[]): void {
    const byId = new Map(this.messages.map((m) => [m.id, m]));
    for (const m of items) byId.set(m.id, m);
    this.messages = [...byId.values()].sort((a, b) => a.seq - b.seq);
  }

  private renderMessages(scrollToEnd: boolean): void {
    const list = this.messageList;
    const id = this.openId;
    if (!list || !id) return;
    const scroller = list.parentElement!;
    const atEnd = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
    const group = this.chats.get(id)?.type === 'group';
    // Items whose message did not change are kept (an open menu stays open, a photo stays
    // loaded); only their tick follows.
    const kept = new Map<string, HTMLLIElement>();
    for (const li of list.querySelectorAll<HTMLLIElement>('li[data-id]')) kept.set(li.dataset.id!, li);
    list.replaceChildren(...this.messages.map((m) => {
      const signature = JSON.stringify([m.deleted, m.text, m.media?.id, m.edited_at, m.reactions, m.reply_preview?.text]);
      const old = kept.get(m.id);
      if (old && old.dataset.signature === signature) {
        const tick = old.querySelector('.tick');
        if (tick && tick.getAttribute('aria-label') !== this.tickState(m)) tick.replaceWith(this.tick(m));
        return old;
      }
      const li = this.messageItem(m, group);
      li.dataset.id = m.id;
      li.dataset.signature = signature;
      return li;
    }));
    list.append(...this.pending.values()); // messages still being sent stay last
    if (scrollToEnd || atEnd) scroller.scrollTop = scroller.scrollHeight;
  }

  private pending = new Map<string, HTMLLIElement>(); // client_id -> the item shown while sending

  private messageItem(m: Message, group: boolean): HTMLLIElement {
    const mine = m.sender_id === this.me.id;
    const sender = group && !mine ? h('span', { class: 'sender' }, '…') : null;
    if (sender) void this.user(m.sender_id).then((u) => (sender.textContent = displayName(u)));
    const body = m.deleted
      ? h('span', { class: 'text deleted' }, 'This message was deleted')
      : m.text ? h('span', { class: 'text' }, m.text) : null;
    const nameOf = (userId: string) => this.people.name(userId);
    const live = !m.deleted && m.type !== 'system';
    return h('li', { class: `msg ${mine ? 'mine' : 'theirs'} ${m.type === 'system' ? 'system' : ''}`, 'data-seq': m.seq },
      sender, m.forwarded && !m.deleted ? forwardedTag() : null,
      m.reply_preview && !m.deleted ? quote(m.reply_preview, nameOf) : null,
      m.deleted || !m.media ? null : this.mediaView(m), body,
      live ? this.actions.menu(m) : null,
      h('span', { class: 'meta' }, m.edited_at && !m.deleted ? editedMark(m.edited_at) : null,
        h('time', { datetime: new Date(m.created_at).toISOString() }, formatTime(m.created_at)),
        mine ? this.tick(m) : null),
      live ? reactionList(m, this.me.id, nameOf, (emoji) => void this.actions.react(m, emoji)) : null);
  }

  /** A photo, player or download link for a message's media, its bytes fetched with the token. */
  private mediaView(m: Message): HTMLElement {
    const media = m.media!;
    const load = (apply: (url: string) => void) =>
      void mediaUrl(media.id).then(apply, () => (box.textContent = 'The file could not be loaded.'));
    const box = h('div', { class: 'media' });
    if (media.kind === 'image') {
      const img = h('img', { alt: m.text || 'Photo', width: media.width, height: media.height });
      load((url) => (img.src = url));
      box.append(img);
    } else if (media.kind === 'video' || media.kind === 'audio') {
      const player = h(media.kind, { controls: true, preload: 'metadata', 'aria-label': media.kind === 'video' ? 'Video' : 'Audio' });
      load((url) => (player.src = url));
      box.append(player);
    } else {
      const link = h('a', { download: `flow-file-${media.id}`, class: 'file' }, `File (${formatSize(media.size)})`);
      load((url) => (link.href = url));
      box.append(link);
    }
    return box;
  }

  private tick(m: Message): HTMLElement {
    const state = this.tickState(m);
    return h('span', { class: `tick ${state.toLowerCase()}`, title: state, 'aria-label': state }, state === 'Sent' ? '✓' : '✓✓');
  }

  /** How far one's own message got: Sent, Delivered (to every other member) or Read (by all). */
  private tickState(m: Message): 'Sent' | 'Delivered' | 'Read' {
    const chat = this.chats.get(m.chat_id);
    const marks = this.marks.get(m.chat_id);
    const others = chat?.participants.filter((p) => p.user_id !== this.me.id) ?? [];
    const least = (k: keyof Marks) => (others.length ? Math.min(...others.map((p) => marks?.get(p.user_id)?.[k] ?? 0)) : 0);
    return m.seq <= least('read') ? 'Read' : m.seq <= least('delivered') ? 'Delivered' : 'Sent';
  }

  private async send(chatId: string, text: string, file?: File, replyTo?: string): Promise<void> {
    const clientId = newClientId();
    const shown = h('li', { class: 'msg mine pending', 'data-pending': clientId },
      h('span', { class: 'text' }, file ? `${file.name}${text ? ` — ${text}` : ''}` : text),
      h('span', { class: 'meta' }, h('span', { class: 'tick', 'aria-label': 'Sending' }, '…')));
    this.pending.set(clientId, shown);
    if (this.openId === chatId && this.messageList) {
      this.messageList.append(shown);
      this.messageList.parentElement!.scrollTop = this.messageList.parentElement!.scrollHeight;
    }
    try {
      const media = file ? await upload(file) : null;
      const body = {
        ...(media ? { chat_id: chatId, client_id: clientId, type: media.kind, media_id: media.id, ...(text ? { text } : {}) }
          : { chat_id: chatId, client_id: clientId, type: 'text', text }),
        ...(replyTo ? { reply_to: replyTo } : {}),
      };
      let m: Message;
      if (this.socket?.connected) {
        const ack = await this.socket.timeout(10_000).emitWithAck('message:send', body);
        if (ack?.error) throw new ApiError(0, ack.error.code, ack.error.message);
        m = ack as Message;
      } else {
        const { chat_id: _, ...rest } = body;
        m = await api<Message>('POST', `/chats/${encodeURIComponent(chatId)}/send_message`, rest);
      }
      this.received(m, true);
    } finally {
      shown.remove();
      this.pending.delete(clientId);
    }
  }

  // ---- real time -------------------------------------------------------------------------

  private connect(): void {
    const socket = io({ auth: { token: token.get() }, transports: ['websocket'] });
    this.socket = socket;
    socket.on('connect', () => (this.status.textContent = ''));
    socket.on('disconnect', () => (this.status.textContent = 'Reconnecting…'));
    socket.on('connect_error', () => {
      this.status.textContent = 'Reconnecting…';
      // A token that stopped working (signed out elsewhere) ends the session here too.
      api<User>('GET', '/users/me').catch((err) => {
        if (err instanceof ApiError && err.status === 401) this.forget();
      });
    });
    socket.on('message:new', (m: Message) => this.received(m, false));
    socket.on('message:status', (s: Status) => this.statusChanged(s));
    socket.on('message:deleted', (d: { chat_id: string; message_id: string }) =>
      this.changeMessage(d.chat_id, d.message_id, (m) => ({ ...m, deleted: true, text: null, media: null, reactions: [] }), null));
    socket.on('message:edited', (m: Message) => this.changeMessage(m.chat_id, m.id, () => m, previewOf(m).text));
    socket.on('message:reaction', (r: { chat_id: string; message_id: string; user_id: string; emoji: string | null }) =>
      this.changeMessage(r.chat_id, r.message_id, (m) => ({ ...m, reactions: withReaction(m.reactions, r.user_id, r.emoji) })));
    socket.on('chat:new', (c: Chat) => void this.upsertChat(c));
    socket.on('story:new', () => void this.stories?.refresh());
    socket.on('call:incoming', (c: Call) =>
      void this.calls.incoming(c, c.callee_id ? undefined : this.names.get(c.chat_id) ?? 'a group'));
    socket.on('call:updated', (c: Call) => this.calls.updated(c));
    socket.on('call:signal', (s: CallSignal) => this.calls.signal(s));
    socket.on('typing', (t: { chat_id: string; user_id: string; typing: boolean }) => {
      const key = `${t.chat_id}/${t.user_id}`;
      if (t.typing) {
        this.typingUntil.set(key, Date.now() + TYPING_SHOWN_MS);
        setTimeout(() => this.renderChatStatus(), TYPING_SHOWN_MS + 50);
      } else this.typingUntil.delete(key);
      this.renderChatStatus();
    });
    socket.on('presence', (p: { user_id: string; online: boolean; last_seen_at: number | null }) => {
      this.online.set(p.user_id, { online: p.online, last_seen_at: p.last_seen_at });
      this.renderChatStatus();
    });
    socket.on('chat:updated', (c: Chat) => this.chatChanged(c));
  }

  /** Tells the chat's members whether this person is typing (repeated every few seconds while so). */
  private typing(chatId: string, typing: boolean): void {
    const now = Date.now();
    if (typing && now - this.typingSentAt < TYPING_EVERY_MS) return;
    if (!typing && this.typingSentAt === 0) return;
    this.typingSentAt = typing ? now : 0;
    if (this.socket?.connected) this.socket.emit('typing', { chat_id: chatId, typing });
  }

  /** The line under the open chat's name: who is typing, else the other person's presence. */
  private renderChatStatus(): void {
    const id = this.openId;
    const line = this.chatStatus;
    const chat = id ? this.chats.get(id) : undefined;
    if (!id || !line || !chat) return;
    const now = Date.now();
    const typists = chat.participants.filter((p) => p.user_id !== this.me.id && (this.typingUntil.get(`${id}/${p.user_id}`) ?? 0) > now);
    if (typists.length) {
      if (chat.type === 'direct') line.textContent = 'typing…';
      else void Promise.all(typists.map((p) => this.user(p.user_id))).then((us) => {
        line.textContent = `${us.map((u) => u?.name || 'Someone').join(', ')} typing…`;
      });
      return;
    }
    const other = chat.type === 'direct' ? this.otherId(chat) : undefined;
    if (!other) {
      line.textContent = chat.participants.length === 1 ? '1 member' : `${chat.participants.length} members`;
      return;
    }
    const live = this.online.get(other);
    if (live?.online) {
      line.textContent = 'online';
      return;
    }
    line.textContent = '';
    void this.user(other).then((u) => {
      const seen = live ? live.last_seen_at : u?.last_seen_at;
      if (this.openId === id && !this.online.get(other)?.online) line.textContent = seen ? `last seen ${formatTime(seen)}` : '';
    });
  }

  /** A message that arrived live, or the ack of one this device sent. */
  private async received(m: Message, ownSend: boolean): Promise<void> {
    let chat = this.chats.get(m.chat_id);
    if (!chat) {
      try {
        chat = await api<Chat>('GET', `/chats/${encodeURIComponent(m.chat_id)}`);
      } catch {
        return;
      }
      await this.upsertChat(chat); // its unread_count and last_message already count m
    } else if (!chat.last_message || m.seq > chat.last_message.seq) {
      // Messages replayed on connect that the chat list already counted are not counted again.
      chat.last_message = m;
      if (!ownSend && m.sender_id !== this.me.id && this.openId !== m.chat_id) chat.unread_count += 1;
      this.renderChats();
    }
    if (this.openId === m.chat_id) {
      this.mergeMessages([m]);
      this.renderMessages(false);
    }
    if (this.typingUntil.delete(`${m.chat_id}/${m.sender_id}`)) this.renderChatStatus();
    if (!ownSend) this.acknowledge(m.chat_id, this.openId === m.chat_id && document.visibilityState === 'visible', m.seq);
  }

  /** Tells the server this device has received (and, when the chat is in view, read) up to a seq. */
  private acknowledge(chatId: string, read: boolean, upTo?: number): void {
    const chat = this.chats.get(chatId);
    let seq = upTo ?? 0;
    if (this.openId === chatId) for (const m of this.messages) seq = Math.max(seq, m.seq);
    if (chat?.last_message) seq = Math.max(seq, chat.last_message.seq);
    if (!seq || !this.socket?.connected) return;
    const done = this.acked.get(chatId) ?? { delivered: 0, read: 0 };
    if (seq > done.delivered) {
      done.delivered = seq;
      this.socket.emit('message:delivered', { chat_id: chatId, seq });
    }
    if (read && seq > done.read) {
      done.read = seq;
      this.socket.emit('message:read', { chat_id: chatId, seq });
    }
    this.acked.set(chatId, done);
    if (read && chat && chat.unread_count) {
      chat.unread_count = 0;
      this.renderChats();
    }
  }

  private statusChanged(s: Status): void {
    if (s.user_id === this.me.id) {
      // Another device of mine read the chat: it is read here too.
      const chat = this.chats.get(s.chat_id);
      if (s.status === 'read' && chat && chat.unread_count) {
        chat.unread_count = 0;
        this.renderChats();
      }
      return;
    }
    let perUser = this.marks.get(s.chat_id);
    if (!perUser) this.marks.set(s.chat_id, (perUser = new Map()));
    const marks = perUser.get(s.user_id) ?? { delivered: 0, read: 0 };
    marks.delivered = Math.max(marks.delivered, s.seq);
    if (s.status === 'read') marks.read = Math.max(marks.read, s.seq);
    perUser.set(s.user_id, marks);
    if (this.openId === s.chat_id) this.renderMessages(false);
  }

  // ---- leaving ---------------------------------------------------------------------------

  private async signOut(): Promise<void> {
    await api('POST', '/auth/logout').catch(() => undefined);
    this.forget();
  }

  private forget(): void {
    this.socket?.disconnect();
    this.socket = null;
    token.clear();
    this.signedOut();
  }

  private fail(err: unknown): void {
    if (err instanceof ApiError && err.status === 401) return this.forget();
    this.status.textContent = err instanceof Error ? err.message : String(err);
  }
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
