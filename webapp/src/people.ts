// Who is who: users fetched once by id, found by phone number, and the "Member phone
// numbers" field that the new-group form and a group's info panel share.
import { api, type Page, type User } from './api';
import { field, h } from './dom';

export class People {
  private readonly users = new Map<string, Promise<User | null>>();

  constructor(me: User) {
    this.known(me);
  }

  /** Records a user already fetched (oneself after a profile change, lookup answers). */
  known(u: User): void {
    this.users.set(u.id, Promise.resolve(u));
  }

  /** A user by id (GET /users/{id}, once); null for one that cannot be read. */
  user(id: string): Promise<User | null> {
    let u = this.users.get(id);
    if (!u) {
      u = api<User>('GET', `/users/${encodeURIComponent(id)}`).catch(() => null);
      this.users.set(id, u);
    }
    return u;
  }

  /** How a user is shown (see displayName). */
  async name(id: string): Promise<string> {
    return displayName(await this.user(id));
  }

  /** The Flow users with these phone numbers (POST /users/lookup), and the numbers that have none. */
  async lookup(phones: string[]): Promise<{ users: User[]; missing: string[] }> {
    const found = await api<Page<User>>('POST', '/users/lookup', { phones });
    for (const u of found.items) this.known(u);
    const digits = (p: string) => p.replace(/[^0-9]/g, '').replace(/^00/, '');
    const known = new Set(found.items.map((u) => digits(u.phone)));
    return { users: found.items, missing: phones.filter((p) => !known.has(digits(p))) };
  }

  /**
   * The ids of the users with the numbers typed in a `memberPhonesField`, oneself left out;
   * throws an Error that says what is wrong (a number nobody has, no one else at all).
   */
  async memberIds(typed: string, meId: string): Promise<string[]> {
    const phones = typed.split(/[,;\n]/).map((p) => p.trim()).filter(Boolean);
    const { users, missing } = await this.lookup(phones);
    if (missing.length) throw new Error(`Nobody on Flow has ${missing.join(', ')} yet.`);
    const ids = users.map((u) => u.id).filter((id) => id !== meId);
    if (!ids.length) throw new Error('Add at least one other person.');
    return ids;
  }
}

/** How a user is shown: their name, else their phone number (no user: a deleted account). */
export function displayName(u: User | null): string {
  return u?.name || u?.phone || 'Deleted account';
}

/** The "Member phone numbers" field (several numbers, separated by commas). */
export function memberPhonesField(): ReturnType<typeof field> {
  const phones = field('Member phone numbers', { required: true, autocomplete: 'off', placeholder: '+44 7700 900123, +44 7700 900456' });
  const hint = h('small', { id: phones.input.id + '-hint' }, 'Separate the numbers with commas.');
  phones.input.setAttribute('aria-describedby', hint.id);
  phones.wrap.append(hint);
  return phones;
}
