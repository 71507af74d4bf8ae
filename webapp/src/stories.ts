// Stories in the main pane: post a text or photo story, see contacts' live stories (each
// marked viewed when shown), and who viewed one's own.
import { api, mediaUrl, upload, type Media, type User } from './api';
import { field, formatTime, h } from './dom';

interface Story {
  id: string;
  user_id: string;
  type: 'text' | 'image' | 'video';
  text: string | null;
  media: Media | null;
  background: string | null;
  created_at: number;
  expires_at: number;
  viewed?: boolean;
}

interface Feed {
  items: { user: User; stories: Story[] }[];
}

export class Stories {
  private readonly list = h('ul', { class: 'stories', 'aria-label': 'Stories' });
  private readonly detail = h('div', { class: 'story-detail' });
  private feed: Feed = { items: [] };

  constructor(
    private readonly pane: HTMLElement,
    private readonly me: User,
    private readonly user: (id: string) => Promise<User | null>,
    private readonly fail: (err: unknown) => void,
  ) {}

  /** Shows the stories view in the pane. */
  async show(): Promise<void> {
    const text = field('Story text', { maxlength: '700', placeholder: 'What is happening?' });
    const photo = field('Story photo', { type: 'file', accept: 'image/*' });
    const alert = h('p', { class: 'error', role: 'alert' });
    const post = h('button', { type: 'submit', class: 'primary' }, 'Post story');
    const form = h('form', { class: 'story-form' }, text.wrap, photo.wrap, alert, h('div', { class: 'actions' }, post));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      alert.textContent = '';
      const file = photo.input.files?.[0];
      const caption = text.input.value.trim();
      if (!file && !caption) return void (alert.textContent = 'Write something or choose a photo.');
      post.disabled = true;
      try {
        const media = file ? await upload(file) : null;
        if (media && media.kind !== 'image' && media.kind !== 'video') throw new Error('A story can be text, a photo or a video.');
        await api('POST', '/stories', media
          ? { type: media.kind, media_id: media.id, ...(caption ? { text: caption } : {}) }
          : { type: 'text', text: caption, background: '#0b7a5c' });
        form.reset();
        await this.refresh();
      } catch (err) {
        alert.textContent = err instanceof Error ? err.message : String(err);
      } finally {
        post.disabled = false;
      }
    });
    this.pane.replaceChildren(
      h('header', { class: 'chat-head' }, h('h2', {}, 'Stories')),
      h('div', { class: 'scroll' }, form, this.list, this.detail));
    this.detail.replaceChildren();
    await this.refresh();
  }

  /** Reloads the feed (GET /stories) and the list of people with live stories. */
  async refresh(): Promise<void> {
    try {
      this.feed = await api<Feed>('GET', '/stories');
    } catch (err) {
      return this.fail(err);
    }
    const items = [...this.feed.items].sort((a, b) => (a.user.id === this.me.id ? -1 : b.user.id === this.me.id ? 1 : 0));
    this.list.replaceChildren(...items.map(({ user, stories }) => {
      const mine = user.id === this.me.id;
      const name = mine ? 'My stories' : user.name || user.phone;
      const unseen = mine ? 0 : stories.filter((s) => !s.viewed).length;
      return h('li', { 'aria-label': name, class: unseen ? 'unseen' : '' },
        h('button', { type: 'button', onclick: () => void this.open(user.id) },
          h('span', { class: 'name' }, name),
          h('span', { class: 'preview' }, `${stories.length} ${stories.length === 1 ? 'story' : 'stories'}${unseen ? `, ${unseen} new` : ''}`)));
    }));
    if (!items.length) this.list.append(h('li', { class: 'hint' }, 'No stories yet. Your contacts’ stories appear here for 24 hours.'));
  }

  /** Shows one person's stories; others' are marked viewed, one's own list who viewed them. */
  private async open(userId: string): Promise<void> {
    const entry = this.feed.items.find((i) => i.user.id === userId);
    if (!entry) return;
    const mine = userId === this.me.id;
    this.detail.replaceChildren(
      h('h3', {}, mine ? 'My stories' : entry.user.name || entry.user.phone),
      ...entry.stories.map((s) => this.storyView(s, mine)));
    if (!mine) {
      for (const s of entry.stories.filter((x) => !x.viewed)) {
        await api('POST', `/stories/${encodeURIComponent(s.id)}/view`).catch(() => undefined);
        s.viewed = true;
      }
      await this.refresh(); // no longer "new"
    }
  }

  private storyView(s: Story, mine: boolean): HTMLElement {
    const body = h('div', { class: 'story-body', style: s.type === 'text' && s.background ? `background:${cssColor(s.background)}` : null });
    if (s.media) {
      const el = s.type === 'video' ? h('video', { controls: true, 'aria-label': 'Story video' }) : h('img', { alt: s.text || 'Story photo' });
      void mediaUrl(s.media.id).then((url) => (el.src = url), () => undefined);
      body.append(el);
    }
    if (s.text) body.append(h('p', {}, s.text));
    const card = h('article', { class: 'story' }, body, h('p', { class: 'meta' }, formatTime(s.created_at)));
    if (mine) {
      const views = h('p', { class: 'views' }, 'Loading who viewed it…');
      void this.viewers(s.id).then((t) => (views.textContent = t), this.fail);
      const remove = h('button', { type: 'button' }, 'Delete story');
      remove.addEventListener('click', async () => {
        await api('DELETE', `/stories/${encodeURIComponent(s.id)}`).catch(this.fail);
        card.remove();
        await this.refresh();
      });
      card.append(views, remove);
    }
    return card;
  }

  private async viewers(storyId: string): Promise<string> {
    const r = await api<{ items: { user_id: string; viewed_at: number }[] }>('GET', `/stories/${encodeURIComponent(storyId)}/views`);
    if (!r.items.length) return 'No views yet';
    const names = await Promise.all(r.items.map(async (v) => (await this.user(v.user_id))?.name || 'Someone'));
    return `Viewed by ${names.join(', ')}`;
  }
}

/** A background colour from a story, used only when it is a plain #rgb or #rrggbb. */
function cssColor(c: string): string {
  return /^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(c) ? c : '#0b7a5c';
}
