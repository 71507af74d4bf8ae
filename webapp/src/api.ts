// The REST side of Flow's API: typed objects and one fetch wrapper that carries the token.

export interface User {
  id: string;
  phone: string;
  name: string;
  about: string;
  image_id: string | null;
  created_at: number;
  last_seen_at: number | null;
}

export interface Media {
  id: string;
  kind: 'image' | 'audio' | 'video' | 'file';
  mime: string;
  size: number;
  width?: number;
  height?: number;
}

export interface Message {
  id: string;
  chat_id: string;
  seq: number;
  sender_id: string;
  client_id: string | null;
  type: 'text' | 'image' | 'audio' | 'video' | 'file' | 'system';
  text: string | null;
  media: Media | null;
  created_at: number;
  deleted: boolean;
  edited_at: number | null;
  forwarded: boolean;
  reply_to: string | null;
  reply_preview: ReplyPreview | null;
  reactions: Reaction[];
}

/** What a reply shows of the message it quotes, as that message is now (text null once deleted). */
export interface ReplyPreview {
  id: string;
  sender_id: string;
  type: Message['type'];
  text: string | null;
}

/** The users who reacted to a message with one emoji (one reaction per user). */
export interface Reaction {
  emoji: string;
  user_ids: string[];
}

export interface Chat {
  id: string;
  type: 'direct' | 'group';
  name: string | null;
  image_id: string | null;
  participants: { user_id: string; role: string }[];
  created_at: number;
  last_message: Message | null;
  unread_count: number;
  request?: boolean;
  // This person's own arrangement (absent in chat:updated, which is the same for everyone).
  pinned?: boolean;
  archived?: boolean;
  muted_until?: number | null;
}

export interface Call {
  id: string;
  type: 'audio' | 'video';
  chat_id: string;
  caller_id: string;
  callee_id: string | null; // null for a group call
  participants: { user_id: string; state: 'ringing' | 'joined' | 'declined' | 'left' | 'missed' }[];
  status: 'ringing' | 'ongoing' | 'ended' | 'rejected' | 'missed' | 'busy' | 'cancelled';
  created_at: number;
  answered_at: number | null;
  ended_at: number | null;
  duration_s: number | null;
  direction?: 'outgoing' | 'incoming'; // in GET /calls/history
}

export interface Page<T> {
  items: T[];
  next_before?: number | null;
}

/** An error answer of the API, `{error: {code, message}}`, with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What to tell the person about a failed request: the API's own words, or plainer ones for common codes. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'invalid_phone') return 'That is not a valid phone number; include the country code, like +44.';
    if (err.code === 'not_admin') return 'Only a group admin can do that.';
    if (err.code === 'too_many_pinned') return 'You can pin up to 5 chats.';
    if (err.code === 'not_allowed') return 'Someone there does not let you add them to groups.';
    if (err.code === 'window_passed') return 'It is too late to change this message.';
    if (err.code === 'blocked') return 'You blocked this contact. Unblock them to send a message or call.';
    if (err.code === 'rate_limited') return 'Too many at once; try again later.';
  }
  return err instanceof Error ? err.message : String(err);
}

const TOKEN_KEY = 'flow.token';

export const token = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (t: string) => localStorage.setItem(TOKEN_KEY, t),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

/** One request to the API; resolves with the parsed JSON answer (undefined for 204), or throws ApiError. */
async function call<T>(method: string, path: string, body?: BodyInit, contentType?: string): Promise<T> {
  const headers: Record<string, string> = {};
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  if (contentType) headers['content-type'] = contentType;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body });
  } catch {
    throw new ApiError(0, 'network', 'Flow cannot be reached; check the connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = data?.error;
    throw new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? `The server answered ${res.status}.`);
  }
  return data as T;
}

/** Calls the API with a JSON body (or none). */
export function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return body === undefined ? call<T>(method, path) : call<T>(method, path, JSON.stringify(body), 'application/json');
}

/** Uploads a file as it is (POST /media); the server sniffs its type. */
export function upload(file: Blob): Promise<Media> {
  return call<Media>('POST', '/media', file, file.type || 'application/octet-stream');
}

const mediaUrls = new Map<string, Promise<string>>();

/** An object URL for a media object's bytes (fetched once with the token; <img> cannot send it). */
export function mediaUrl(id: string): Promise<string> {
  let url = mediaUrls.get(id);
  if (!url) {
    url = fetch(`/media/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token.get()}` } }).then(async (res) => {
      if (!res.ok) throw new ApiError(res.status, 'http_' + res.status, `The file could not be loaded (${res.status}).`);
      return URL.createObjectURL(await res.blob());
    });
    url.catch(() => mediaUrls.delete(id));
    mediaUrls.set(id, url);
  }
  return url;
}

/** A client_id for message:send: unique per message, so a retry is stored once. */
export function newClientId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
