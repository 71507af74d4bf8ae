// Audio and video calls between browsers: the call panel, and one RTCPeerConnection per
// other participant (a mesh, so a group call works like a 1:1 one). Signalling goes through
// call:signal. Whoever joins a call sends an offer to everyone already in it, so each pair
// of participants negotiates exactly once and the caller never offers.
import type { Socket } from 'socket.io-client';
import { api, ApiError, errorText, type Call, type User } from './api';
import { h } from './dom';

export interface CallSignal {
  call_id: string;
  from: string;
  kind: 'offer' | 'answer' | 'ice';
  payload: unknown;
}

const OVER = new Set<Call['status']>(['ended', 'rejected', 'missed', 'busy', 'cancelled']);
const SHOW_OVER_MS = 4_000; // how long "Call ended" and the like stay up

/** The connection to one other participant. ICE candidates that come before its remote description wait. */
class Peer {
  readonly pc: RTCPeerConnection;
  private readonly early: RTCIceCandidateInit[] = [];

  constructor(
    iceServers: RTCIceServer[],
    local: MediaStream,
    private readonly send: (kind: CallSignal['kind'], payload: unknown) => void,
    heard: (stream: MediaStream) => void,
    changed: () => void,
  ) {
    this.pc = new RTCPeerConnection({ iceServers });
    for (const track of local.getTracks()) this.pc.addTrack(track, local);
    this.pc.onicecandidate = (e) => e.candidate && send('ice', e.candidate.toJSON());
    this.pc.ontrack = (e) => heard(e.streams[0] ?? new MediaStream([e.track]));
    this.pc.onconnectionstatechange = changed;
  }

  async offer(): Promise<void> {
    await this.pc.setLocalDescription();
    this.send('offer', this.pc.localDescription!.toJSON());
  }

  async answer(offer: RTCSessionDescriptionInit): Promise<void> {
    await this.remote(offer);
    await this.pc.setLocalDescription();
    this.send('answer', this.pc.localDescription!.toJSON());
  }

  async remote(description: RTCSessionDescriptionInit): Promise<void> {
    await this.pc.setRemoteDescription(description);
    for (const c of this.early.splice(0)) await this.pc.addIceCandidate(c);
  }

  async candidate(c: RTCIceCandidateInit): Promise<void> {
    if (this.pc.remoteDescription) await this.pc.addIceCandidate(c);
    else this.early.push(c);
  }
}

export class Calls {
  /** The panel, shown while a call rings or runs; the messenger places it. */
  readonly panel = h('section', { class: 'call', 'aria-label': 'Call', hidden: true });
  private readonly title = h('h2', {});
  private readonly statusLine = h('span', { role: 'status' });
  private readonly clock = h('span', { class: 'clock' });
  private readonly tiles = h('div', { class: 'tiles' });
  private readonly buttons = h('div', { class: 'actions' });

  private call: Call | null = null; // the call this device is in, or is asked to join
  private name = ''; // who the call is with, as the panel names them
  private joined = false; // whether this device takes part (it started or accepted the call)
  private ready: Promise<void> = Promise.resolve(); // camera, ICE servers and the call, once joining
  private signals: Promise<void> = Promise.resolve(); // call:signal is handled one at a time, in order
  private local: MediaStream | null = null;
  private iceServers: RTCIceServer[] = [];
  private readonly peers = new Map<string, Peer>(); // other participant's user id -> connection
  private connectedAt = 0;
  private ticker = 0;
  private hideTimer = 0;

  constructor(
    private readonly me: User,
    private readonly socket: () => Socket | null,
    private readonly user: (id: string) => Promise<User | null>,
    private readonly over: () => void, // a call this device knew of is over (history may have changed)
  ) {
    this.panel.append(h('header', {}, this.title, h('p', { class: 'sub' }, this.statusLine, this.clock)), this.tiles, this.buttons);
  }

  /** Calls `who` (a 1:1 call to `callee_id`, or a group call in `chat_id`), named `name` on the panel. */
  async start(who: { callee_id: string } | { chat_id: string }, name: string, type: Call['type']): Promise<void> {
    if (this.call || this.joined) return this.flash('You are already in a call.');
    this.joined = true;
    this.name = name;
    this.open(`Calling ${name}…`, 'Starting…', [this.endButton()]);
    this.ready = (async () => {
      await this.prepare(type);
      this.call = this.stillWanted(await api<Call>('POST', '/calls/make_call', { ...who, type }));
    })();
    try {
      await this.ready;
    } catch (err) {
      return this.joined ? this.finish(describe(err)) : undefined; // not joined: hung up meanwhile
    }
    if (OVER.has(this.call!.status)) return this.finish(this.ending(this.call!));
    this.render();
  }

  /** call:incoming: someone calls this person (in the group named `group`, for a group call). */
  async incoming(call: Call, group?: string): Promise<void> {
    if (this.call || this.joined) return; // busy here; another device may answer, else it is missed
    this.call = call;
    const caller = await this.user(call.caller_id);
    if (this.call?.id !== call.id) return;
    const name = caller?.name || caller?.phone || 'Someone';
    this.name = group ?? name;
    const accept = h('button', { type: 'button', class: 'primary', onclick: () => void this.accept() }, 'Accept');
    const decline = h('button', { type: 'button', class: 'danger', onclick: () => void this.decline() }, 'Decline');
    this.open(`${name} is calling`, `Incoming ${call.type} call${group ? ` in ${group}` : ''}`, [accept, decline]);
    accept.focus();
  }

  /** call:updated: someone else answered, declined, left or ended the call. */
  updated(call: Call): void {
    if (this.call?.id !== call.id) return;
    this.call = call;
    const mine = call.participants.find((p) => p.user_id === this.me.id);
    if (OVER.has(call.status)) return this.finish(this.ending(call));
    if (!this.joined && mine?.state !== 'ringing') return this.finish(mine?.state === 'joined' ? 'Answered on another device' : '');
    for (const p of call.participants) if (p.state !== 'joined') this.drop(p.user_id);
    this.render();
  }

  /** call:signal: an offer, answer or ICE candidate from another participant. */
  signal(s: CallSignal): void {
    this.signals = this.signals
      .then(async () => {
        await this.ready.catch(() => undefined);
        if (!this.joined || this.call?.id !== s.call_id) return;
        const peer = this.peers.get(s.from) ?? (s.kind === 'offer' ? this.peer(s.from) : undefined);
        if (!peer) return;
        if (s.kind === 'offer') await peer.answer(s.payload as RTCSessionDescriptionInit);
        else if (s.kind === 'answer') await peer.remote(s.payload as RTCSessionDescriptionInit);
        else await peer.candidate(s.payload as RTCIceCandidateInit);
      })
      .catch((err) => this.trouble(err));
  }

  // ---- this device's actions --------------------------------------------------------------

  private async accept(): Promise<void> {
    const ringing = this.call;
    if (!ringing || this.joined) return;
    this.joined = true;
    this.open(this.name, 'Joining…', [this.endButton()]);
    this.ready = (async () => {
      await this.prepare(ringing.type);
      this.call = this.stillWanted(await api<Call>('POST', `/calls/${encodeURIComponent(ringing.id)}/accept`));
    })();
    try {
      await this.ready;
    } catch (err) {
      return this.joined ? this.finish(describe(err)) : undefined;
    }
    const call = this.call!;
    this.render();
    for (const p of call.participants) {
      if (p.user_id === this.me.id || p.state !== 'joined') continue;
      const peer = this.peer(p.user_id);
      this.signals = this.signals.then(() => peer.offer()).catch((err) => this.trouble(err));
    }
  }

  /** The call just made or accepted, unless this person hung up while it was on its way (then it ends). */
  private stillWanted(call: Call): Call {
    if (this.joined) return call;
    void api('POST', `/calls/${encodeURIComponent(call.id)}/end`).catch(() => undefined);
    throw new Error('The call is over.');
  }

  private async decline(): Promise<void> {
    const call = this.call;
    this.finish('');
    if (call) await api('POST', `/calls/${encodeURIComponent(call.id)}/reject`).catch(() => undefined);
  }

  private async hangUp(): Promise<void> {
    const call = this.call;
    this.finish(`Call ended${this.connectedAt ? ` (${minutes(Date.now() - this.connectedAt)})` : ''}`);
    // A call that is already over answers 409 call_over: nothing is left to end.
    if (call) await api('POST', `/calls/${encodeURIComponent(call.id)}/end`).catch(() => undefined);
  }

  // ---- media and connections -----------------------------------------------------------

  /** The microphone (and camera) and the ICE servers; the camera shows as a preview. */
  private async prepare(type: Call['type']): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('Calls need a secure page: open Flow over https, or at localhost.');
    }
    const [stream, ice] = await Promise.all([
      navigator.mediaDevices.getUserMedia({ audio: true, video: type === 'video' }),
      api<{ ice_servers: RTCIceServer[] }>('GET', '/calls/ice_servers'),
    ]);
    if (!this.joined) { // the call ended while the browser asked for the camera
      for (const t of stream.getTracks()) t.stop();
      throw new Error('The call is over.');
    }
    this.local = stream;
    this.iceServers = ice.ice_servers;
    if (type === 'video') {
      const preview = h('video', { autoplay: true, playsinline: true, 'aria-label': 'Your camera', class: 'self' });
      preview.muted = true;
      preview.srcObject = stream;
      this.tiles.append(preview);
    }
  }

  /** The connection to `userId`, made on first use, with a tile that plays what they send. */
  private peer(userId: string): Peer {
    let peer = this.peers.get(userId);
    if (peer) return peer;
    const video = this.call?.type === 'video';
    const player = h(video ? 'video' : 'audio', { autoplay: true, playsinline: true, 'data-user': userId });
    const label = h('figcaption', {}, '…');
    const tile = h('figure', { class: 'tile', 'data-user': userId }, player, label);
    void this.user(userId).then((u) => {
      const name = u?.name || u?.phone || 'Someone';
      label.textContent = name;
      player.setAttribute('aria-label', `${name}'s ${video ? 'video' : 'audio'}`);
    });
    this.tiles.prepend(tile);
    peer = new Peer(this.iceServers, this.local!, (kind, payload) => this.send(userId, kind, payload),
      (stream) => (player.srcObject = stream), () => this.render());
    this.peers.set(userId, peer);
    return peer;
  }

  private drop(userId: string): void {
    this.peers.get(userId)?.pc.close();
    this.peers.delete(userId);
    this.tiles.querySelector(`figure[data-user="${CSS.escape(userId)}"]`)?.remove();
  }

  private send(to: string, kind: CallSignal['kind'], payload: unknown): void {
    const call = this.call;
    if (!call) return;
    const socket = this.socket();
    const sent = socket?.connected
      ? socket.timeout(10_000).emitWithAck('call:signal', { call_id: call.id, kind, payload, to }).then((ack) => {
          if (ack?.error) throw new ApiError(0, ack.error.code, ack.error.message);
        })
      : api('POST', `/calls/${encodeURIComponent(call.id)}/signal`, { kind, payload, to });
    sent.catch((err) => this.trouble(err));
  }

  private trouble(err: unknown): void {
    this.statusLine.textContent = `Connection problem: ${describe(err)}`;
  }

  // ---- the panel --------------------------------------------------------------------------

  private open(title: string, status: string, buttons: HTMLElement[]): void {
    clearTimeout(this.hideTimer);
    this.title.textContent = title;
    this.statusLine.textContent = status;
    this.clock.textContent = '';
    this.buttons.replaceChildren(...buttons);
    this.panel.hidden = false;
  }

  private endButton(): HTMLButtonElement {
    return h('button', { type: 'button', class: 'danger', onclick: () => void this.hangUp() }, 'End call');
  }

  /** The in-call controls and status: ringing, connecting, connected (with a clock), or failed. */
  private render(): void {
    const call = this.call;
    if (!call || !this.joined) return;
    if (this.buttons.childElementCount < 2) {
      const mute = toggle('Mute', (on) => this.local?.getAudioTracks().forEach((t) => (t.enabled = !on)));
      const camera = call.type === 'video' ? toggle('Camera off', (on) => this.local?.getVideoTracks().forEach((t) => (t.enabled = !on))) : null;
      this.buttons.replaceChildren(...[mute, camera, this.endButton()].filter((b): b is HTMLButtonElement => b !== null));
    }
    const states = [...this.peers.values()].map((p) => p.pc.connectionState);
    let status: string;
    if (call.status === 'ringing' && !states.length) status = 'Ringing…';
    else if (states.includes('connected')) status = 'Connected';
    else if (states.length && states.every((s) => s === 'failed')) status = 'The connection failed';
    else status = 'Connecting…';
    if (this.statusLine.textContent !== status) this.statusLine.textContent = status;
    this.title.textContent = call.status === 'ringing' && call.caller_id === this.me.id ? `Calling ${this.name}…` : this.name;
    if (status === 'Connected' && !this.connectedAt) {
      this.connectedAt = Date.now();
      const tick = () => (this.clock.textContent = ` · ${minutes(Date.now() - this.connectedAt)}`);
      tick();
      this.ticker = window.setInterval(tick, 1_000);
    }
  }

  /** Ends this device's part in the call and says why for a moment ('' hides the panel at once). */
  private finish(reason: string): void {
    const knew = this.call !== null;
    for (const id of [...this.peers.keys()]) this.drop(id);
    for (const t of this.local?.getTracks() ?? []) t.stop();
    this.local = null;
    this.call = null;
    this.joined = false;
    this.ready = Promise.resolve();
    this.connectedAt = 0;
    clearInterval(this.ticker);
    this.tiles.replaceChildren();
    if (knew) this.over();
    if (!reason) {
      this.panel.hidden = true;
      return;
    }
    this.open(this.name, reason, [h('button', { type: 'button', onclick: () => (this.panel.hidden = true) }, 'Close')]);
    this.hideTimer = window.setTimeout(() => (this.panel.hidden = true), SHOW_OVER_MS);
  }

  /** Why a call is over, as this person sees it. */
  private ending(call: Call): string {
    const outgoing = call.caller_id === this.me.id;
    switch (call.status) {
      case 'ended': return `Call ended${call.duration_s ? ` (${minutes(call.duration_s * 1000)})` : ''}`;
      case 'rejected': return outgoing ? 'Call declined' : 'Call ended';
      case 'missed': return outgoing ? 'No answer' : 'Missed call';
      case 'busy': return 'Busy: on another call';
      case 'cancelled': return outgoing ? 'Call cancelled' : 'Missed call';
      default: return '';
    }
  }

  /** A short message on the panel when no call is shown there. */
  private flash(text: string): void {
    if (!this.panel.hidden) return;
    this.open('', text, [h('button', { type: 'button', onclick: () => (this.panel.hidden = true) }, 'Close')]);
    this.hideTimer = window.setTimeout(() => (this.panel.hidden = true), SHOW_OVER_MS);
  }
}

/** A button that is pressed or not (aria-pressed), calling `set` with the new state. */
function toggle(label: string, set: (on: boolean) => void): HTMLButtonElement {
  const b = h('button', { type: 'button', 'aria-pressed': 'false' }, label);
  b.addEventListener('click', () => {
    const on = b.getAttribute('aria-pressed') !== 'true';
    b.setAttribute('aria-pressed', String(on));
    set(on);
  });
  return b;
}

function minutes(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** What went wrong, in words a person can act on. */
function describe(err: unknown): string {
  if (err instanceof DOMException && err.name === 'NotAllowedError') return 'Flow may not use the microphone or camera: allow it in the browser.';
  if (err instanceof DOMException && err.name === 'NotFoundError') return 'No microphone or camera was found.';
  return errorText(err);
}
