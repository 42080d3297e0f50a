import {
  CONTROL_KINDS,
  DISPLAY_MODES,
  SHARING_KINDS,
  activeActivities,
  senderOf,
  type ActivityView,
  type DisplayMode,
  type SessionView,
  type SignalPayload,
} from '@rs/protocol';
import type { IncomingSignal, SessionClient } from '../session-client.js';
import { QualityMeter, type LinkQuality } from './quality.js';

/**
 * The WebRTC side of a session in one page. One RTCPeerConnection per
 * (activity, remote participant) link. Who offers is fixed, so offers never
 * collide: the sharer offers to each viewer; in a voice call the member with
 * the smaller id offers. The other side asks with a `want` signal when it
 * first sees the activity, after a reconnect, or after a failure.
 */
export interface RemoteStream {
  activityId: string;
  kind: ActivityView['kind'];
  from: string;
  stream: MediaStream;
}

export type MediaEvent =
  | { type: 'remotes'; remotes: RemoteStream[] }
  | { type: 'quality'; byParticipant: Record<string, LinkQuality> }
  | { type: 'failed'; participantId: string; activityId: string }
  | { type: 'local-ended'; activityId: string }
  /**
   * A data channel of a link opened: FT-2's `folder` channel (either side),
   * or one the remote side created (e.g. `input` of a control activity, made by the device).
   */
  | { type: 'channel'; activityId: string; remote: string; label: string; channel: RTCDataChannel }
  /** FT-2 fallback: a folder-protocol message that came through the server. */
  | { type: 'relay'; activityId: string; from: string; data: string };

interface Link {
  key: string;
  activityId: string;
  remote: string;
  pc: RTCPeerConnection;
  offerer: boolean;
  restarts: number;
  meter: QualityMeter;
  remoteStream: MediaStream | null;
  /** Candidates that arrived before the remote description. */
  early: RTCIceCandidateInit[];
  /** Answering side: the origin line ("o=") of the last offer taken, to know a repeated offer from a new one. */
  remoteOrigin?: string;
  /** Fires when ICE has not even started checking some time after a negotiation (see STUCK_NEW_MS). */
  stuckTimer?: ReturnType<typeof setTimeout>;
}

interface PendingLocal {
  match: (a: ActivityView, me: string) => boolean;
  stream: MediaStream;
  createdAt: number;
}

const MAX_RESTARTS = 3;
/**
 * A link whose ICE is still "new" this long after a completed negotiation has
 * no candidate pair at all (one side gathered nothing, e.g. relay-only ICE with
 * a TURN server that refuses or does not answer): the browser never fails it
 * by itself, so it is recovered like a failed one.
 */
const STUCK_NEW_MS = 6_000;

/** The SDP origin line: session id and version identify one offering RTCPeerConnection's offer. */
function originOf(sdp: string): string {
  return /^o=(.*)$/m.exec(sdp)?.[1]?.trim() ?? '';
}
function sessionOf(origin: string): string {
  return origin.split(' ')[1] ?? '';
}
const STATS_INTERVAL_MS = 1000;
/** An expectation of a local stream older than this is dropped (the intent failed). */
const PENDING_TTL_MS = 30_000;

export class MediaController {
  private readonly links = new Map<string, Link>();
  private readonly local = new Map<string, MediaStream>();
  private pendingLocal: PendingLocal[] = [];
  /** Offerer side: viewers who asked before the local stream existed. */
  private readonly queuedWants = new Map<string, Set<string>>();
  /** Answerer side: links already asked for on this connection. */
  private readonly wanted = new Set<string>();
  private readonly listeners = new Set<(e: MediaEvent) => void>();
  /** Open data channels by "activityId:remote:label", for views that mount after the channel opened. */
  private readonly channels = new Map<string, RTCDataChannel>();
  private readonly offs: (() => void)[] = [];
  private view: SessionView | null = null;
  private displayMode: DisplayMode = 'standard';
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private checkedReload = false;
  private closed = false;

  constructor(
    private readonly client: SessionClient,
    private readonly opts: { iceTransportPolicy?: RTCIceTransportPolicy } = {},
  ) {
    this.offs.push(
      client.on('view', (v) => this.onView(v)),
      client.on('signal', (s) => void this.onSignal(s)),
      client.on('welcome', () => {
        // A new connection: ask again for what this side receives.
        this.wanted.clear();
        if (this.view) this.onView(this.view);
      }),
    );
    if (client.view) this.onView(client.view);
    this.statsTimer = setInterval(() => void this.collectStats(), STATS_INTERVAL_MS);
    const onOnline = () => this.restartAll();
    globalThis.addEventListener('online', onOnline);
    this.offs.push(() => globalThis.removeEventListener('online', onOnline));
  }

  on(fn: (e: MediaEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: MediaEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // UI listener errors must not break media
      }
    }
  }

  private get me(): string | null {
    return this.client.participantId;
  }

  /**
   * Binds `stream` to the first activity matching `match` in which this
   * participant sends (registered before the intent that starts it, so the
   * stream is there when the activity appears).
   */
  expectLocal(match: (a: ActivityView, me: string) => boolean, stream: MediaStream): () => void {
    const entry = { match, stream, createdAt: Date.now() };
    this.pendingLocal.push(entry);
    if (this.view) this.onView(this.view);
    return () => {
      this.pendingLocal = this.pendingLocal.filter((p) => p !== entry);
    };
  }

  /** The open data channel `label` of the link with `remote` in an activity (FT-2's `folder`; a control activity's `input`). */
  channelFor(activityId: string, remote: string, label = 'folder'): RTCDataChannel | undefined {
    return this.channels.get(`${activityId}:${remote}:${label}`);
  }

  localStream(activityId: string): MediaStream | undefined {
    return this.local.get(activityId);
  }

  remotes(): RemoteStream[] {
    const out: RemoteStream[] = [];
    for (const l of this.links.values()) {
      const a = this.view?.activities[l.activityId];
      if (l.remoteStream && a && a.state === 'active' && l.remoteStream.getTracks().length > 0) {
        out.push({ activityId: l.activityId, kind: a.kind, from: l.remote, stream: l.remoteStream });
      }
    }
    return out;
  }

  /** Replaces the track of a local stream (camera or microphone choice) without renegotiating. */
  async replaceTrack(activityId: string, track: MediaStreamTrack): Promise<void> {
    const stream = this.local.get(activityId);
    if (!stream) return;
    const old = stream.getTracks().find((t) => t.kind === track.kind);
    if (old) {
      stream.removeTrack(old);
      old.stop();
    }
    stream.addTrack(track);
    this.watchEnded(activityId, track);
    for (const l of this.links.values()) {
      if (l.activityId !== activityId) continue;
      const sender = l.pc.getSenders().find((s) => s.track?.kind === track.kind || (s.track === null && old?.kind === track.kind));
      await sender?.replaceTrack(track);
    }
  }

  private isOfferer(a: ActivityView, remote: string): boolean {
    const me = this.me;
    if (!me) return false;
    return a.kind === 'voice' ? me < remote : senderOf(a) === me;
  }

  /** The offering side can offer once it has what it sends; a folder sends no media, only its data channel. */
  private canOffer(a: ActivityView): boolean {
    return a.kind === 'folder' || this.local.has(a.activityId);
  }

  /** Whether this participant sends media in the activity. */
  private sends(a: ActivityView): boolean {
    const me = this.me;
    if (!me) return false;
    return a.kind === 'voice' ? a.members[me] !== undefined : senderOf(a) === me;
  }

  /** The remote participants this page should have a link with for activity `a`. */
  private peersOf(a: ActivityView, view: SessionView): string[] {
    const me = this.me;
    if (!me) return [];
    const present = (id: string) => view.participants[id]?.status === 'admitted' && view.participants[id]?.connected === true;
    if (a.kind === 'voice') {
      if (!a.members[me]) return [];
      return Object.keys(a.members).filter((id) => id !== me && present(id));
    }
    if (a.kind === 'folder') {
      // Between the folder's host (the customer's page, or their Support Manager once attached) and the rep who asked for it.
      const asker = a.requestId ? view.consents[a.requestId]?.from : undefined;
      const host = senderOf(a);
      if (!asker || !host) return [];
      if (host === me) return present(asker) ? [asker] : [];
      return asker === me && present(host) ? [host] : [];
    }
    const sender = senderOf(a);
    if (sender === me) {
      return Object.values(view.participants)
        .filter((p) => p.id !== me && p.status === 'admitted' && p.connected)
        .map((p) => p.id);
    }
    // The customer whose computer is controlled does not watch it through the rep's eyes.
    if (sender === undefined || (sender !== a.sharer && a.sharer === me)) return [];
    return present(sender) ? [sender] : [];
  }

  private onView(view: SessionView): void {
    if (this.closed) return;
    this.view = view;
    const me = this.me;
    if (!me) return;
    if (view.displayMode !== this.displayMode) {
      this.displayMode = view.displayMode;
      void this.applyDisplayMode();
    }
    const active = activeActivities(view);
    const activeIds = new Set(active.map((a) => a.activityId));

    // Bind expected local streams.
    const now = Date.now();
    this.pendingLocal = this.pendingLocal.filter((p) => now - p.createdAt < PENDING_TTL_MS);
    for (const a of active) {
      if (!this.sends(a) || this.local.has(a.activityId)) continue;
      const idx = this.pendingLocal.findIndex((p) => p.match(a, me));
      if (idx < 0) continue;
      const [p] = this.pendingLocal.splice(idx, 1);
      this.bindLocal(a.activityId, p!.stream);
    }
    // A page that reloaded lost its capture: what it was sending cannot go on.
    if (!this.checkedReload) {
      this.checkedReload = true;
      for (const a of active) {
        if (a.kind !== 'voice' && a.kind !== 'folder' && senderOf(a) === me && !this.local.has(a.activityId)) {
          void this.client.request({ type: 'activity.stop', activityId: a.activityId, reason: 'sharer_reloaded' }).catch(() => undefined);
        } else if (a.kind === 'voice' && a.members[me] && !this.local.has(a.activityId)) {
          void this.client.request({ type: 'voice.leave', activityId: a.activityId }).catch(() => undefined);
        }
      }
    }

    // Close links whose activity stopped or whose peer is gone.
    for (const l of [...this.links.values()]) {
      const a = view.activities[l.activityId];
      if (!a || !activeIds.has(l.activityId) || !this.peersOf(a, view).includes(l.remote)) this.closeLink(l);
    }
    for (const [id, stream] of [...this.local]) {
      if (!activeIds.has(id)) {
        this.local.delete(id);
        stream.getTracks().forEach((t) => t.stop());
      }
    }

    // Ask for what this side receives; serve queued asks.
    for (const a of active) {
      for (const remote of this.peersOf(a, view)) {
        const key = `${a.activityId}:${remote}`;
        if (this.isOfferer(a, remote)) {
          if (this.canOffer(a) && this.queuedWants.get(a.activityId)?.delete(remote)) this.serveWant(a, remote);
        } else if (!this.links.has(key) && !this.wanted.has(key)) {
          this.wanted.add(key);
          this.client.sendSignal(a.activityId, remote, { kind: 'want' });
        }
      }
    }
    this.emit({ type: 'remotes', remotes: this.remotes() });
  }

  private bindLocal(activityId: string, stream: MediaStream): void {
    this.local.set(activityId, stream);
    for (const t of stream.getTracks()) this.watchEnded(activityId, t);
    const a = this.view?.activities[activityId];
    if (a && SHARING_KINDS.has(a.kind)) {
      for (const t of stream.getVideoTracks()) t.contentHint = DISPLAY_MODES[this.displayMode].contentHint;
    }
    // Offer to everyone already present; late viewers ask with `want`.
    if (a && this.view) for (const remote of this.peersOf(a, this.view)) if (this.isOfferer(a, remote)) void this.offer(a, remote).catch(() => undefined);
  }

  private watchEnded(activityId: string, track: MediaStreamTrack): void {
    // The browser's own "Stop sharing" bar ends the track: stop the activity for everyone.
    track.addEventListener('ended', () => {
      if (this.local.get(activityId)?.getTracks().includes(track)) {
        this.emit({ type: 'local-ended', activityId });
        void this.client.request({ type: 'activity.stop', activityId }).catch(() => undefined);
      }
    });
  }

  private newPc(a: ActivityView, remote: string, offerer: boolean): Link {
    const key = `${a.activityId}:${remote}`;
    const old = this.links.get(key);
    if (old) this.closeLink(old, false);
    const pc = new RTCPeerConnection({
      iceServers: this.client.iceServers as RTCIceServer[],
      ...(this.opts.iceTransportPolicy ? { iceTransportPolicy: this.opts.iceTransportPolicy } : {}),
    });
    const link: Link = { key, activityId: a.activityId, remote, pc, offerer, restarts: old?.restarts ?? 0, meter: new QualityMeter(), remoteStream: null, early: [] };
    this.links.set(key, link);
    let gathered = 0;
    pc.onicecandidate = (ev) => {
      if (!ev.candidate) return;
      gathered += 1;
      this.client.sendSignal(a.activityId, remote, { kind: 'candidate', candidate: ev.candidate.toJSON() as never });
    };
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === 'gathering') gathered = 0;
      // No candidate at all (e.g. relay-only ICE and TURN refused us): the
      // connection would stay "new" forever instead of failing, so recover now.
      else if (pc.iceGatheringState === 'complete' && gathered === 0 && this.links.get(key) === link) void this.recover(link);
    };
    pc.onsignalingstatechange = () => {
      if (pc.signalingState !== 'stable' || !pc.remoteDescription) return;
      clearTimeout(link.stuckTimer);
      link.stuckTimer = setTimeout(() => {
        if (this.links.get(key) === link && pc.iceConnectionState === 'new') void this.recover(link);
      }, STUCK_NEW_MS);
    };
    pc.ontrack = (ev) => {
      link.remoteStream ??= new MediaStream();
      if (!link.remoteStream.getTracks().includes(ev.track)) link.remoteStream.addTrack(ev.track);
      ev.track.addEventListener('ended', () => this.emit({ type: 'remotes', remotes: this.remotes() }));
      this.emit({ type: 'remotes', remotes: this.remotes() });
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') void this.recover(link);
      if (pc.connectionState === 'connected') link.restarts = 0;
    };
    const announce = (channel: RTCDataChannel) => {
      channel.binaryType = 'arraybuffer';
      const ck = `${key}:${channel.label}`;
      const ready = () => {
        if (this.links.get(key) !== link) return;
        this.channels.set(ck, channel);
        channel.addEventListener('close', () => {
          if (this.channels.get(ck) === channel) this.channels.delete(ck);
        });
        this.emit({ type: 'channel', activityId: a.activityId, remote, label: channel.label, channel });
      };
      if (channel.readyState === 'open') ready();
      else channel.addEventListener('open', ready, { once: true });
    };
    if (a.kind === 'folder') {
      // FT-2: no media, one ordered reliable channel; the offering side (the customer) creates it.
      if (offerer) announce(pc.createDataChannel('folder', { ordered: true }));
      else pc.ondatachannel = (ev) => announce(ev.channel);
      return link;
    }
    // Remote control (DSK-2, APP-2): the device creates the `input` channel on its offer.
    if (!offerer && CONTROL_KINDS.has(a.kind)) pc.ondatachannel = (ev) => announce(ev.channel);
    const local = this.local.get(a.activityId);
    if (local) {
      for (const track of local.getTracks()) {
        const sender = pc.addTrack(track, local);
        if (SHARING_KINDS.has(a.kind) && track.kind === 'video') void this.applyModeTo(sender);
      }
    }
    if (!local || a.kind === 'voice') {
      // Receive-only where nothing is sent, so the offer still asks for media.
      const kinds: ('audio' | 'video')[] = a.kind === 'voice' ? ['audio'] : ['video'];
      for (const k of kinds) if (!local?.getTracks().some((t) => t.kind === k)) pc.addTransceiver(k, { direction: 'recvonly' });
    }
    return link;
  }

  /**
   * A viewer asks for an offer. A link's first offer that is still
   * unanswered is sent again (with the candidates gathered so far) instead of
   * starting over: its answer may be on the way, and an answer fits only the
   * offer it answers. A link that was answered before and is asked again has
   * failed on the other side: it starts over on a new connection.
   */
  private serveWant(a: ActivityView, remote: string): void {
    const link = this.links.get(`${a.activityId}:${remote}`);
    if (link?.offerer && link.pc.signalingState === 'have-local-offer' && link.pc.localDescription && !link.pc.remoteDescription) {
      this.client.sendSignal(a.activityId, remote, { kind: 'offer', sdp: link.pc.localDescription.sdp });
      return;
    }
    // Its first offer is being made right now: it will be sent.
    if (link?.offerer && !link.pc.localDescription && link.pc.signalingState === 'stable') return;
    void this.offer(a, remote).catch(() => undefined);
  }

  private async offer(a: ActivityView, remote: string, iceRestart = false): Promise<void> {
    const existing = this.links.get(`${a.activityId}:${remote}`);
    const link = iceRestart && existing ? existing : this.newPc(a, remote, true);
    const offer = await link.pc.createOffer(iceRestart ? { iceRestart: true } : undefined);
    await link.pc.setLocalDescription(offer);
    this.client.sendSignal(a.activityId, remote, { kind: 'offer', sdp: offer.sdp ?? '' });
  }

  private async onSignal(s: IncomingSignal): Promise<void> {
    const view = this.view;
    const a = view?.activities[s.activityId];
    if (!view || !a || a.state !== 'active' || this.closed) return;
    const key = `${s.activityId}:${s.from}`;
    const p: SignalPayload = s.payload;
    try {
      switch (p.kind) {
        case 'want':
          if (!this.isOfferer(a, s.from)) return;
          if (this.canOffer(a)) this.serveWant(a, s.from);
          else {
            let set = this.queuedWants.get(a.activityId);
            if (!set) this.queuedWants.set(a.activityId, (set = new Set()));
            set.add(s.from);
          }
          return;
        case 'offer': {
          if (this.isOfferer(a, s.from)) return;
          const existing = this.links.get(key);
          const origin = originOf(p.sdp);
          // The same offer once more (the sender repeats an unanswered offer when asked): already taken.
          if (existing?.remoteOrigin === origin) return;
          // An ICE restart (same sending connection, next version) keeps the connection; an offer of a new sending connection starts a fresh one.
          const restart =
            existing !== undefined &&
            existing.pc.signalingState === 'stable' &&
            existing.pc.remoteDescription !== null &&
            existing.remoteOrigin !== undefined &&
            sessionOf(existing.remoteOrigin) === sessionOf(origin);
          const link = restart ? existing : this.newPc(a, s.from, false);
          link.remoteOrigin = origin;
          await link.pc.setRemoteDescription({ type: 'offer', sdp: p.sdp });
          for (const c of link.early.splice(0)) await link.pc.addIceCandidate(c).catch(() => undefined);
          const answer = await link.pc.createAnswer();
          await link.pc.setLocalDescription(answer);
          this.client.sendSignal(a.activityId, s.from, { kind: 'answer', sdp: answer.sdp ?? '' });
          this.wanted.add(key);
          return;
        }
        case 'answer': {
          const link = this.links.get(key);
          if (!link || link.pc.signalingState !== 'have-local-offer') return;
          await link.pc.setRemoteDescription({ type: 'answer', sdp: p.sdp });
          for (const c of link.early.splice(0)) await link.pc.addIceCandidate(c).catch(() => undefined);
          return;
        }
        case 'candidate': {
          const link = this.links.get(key);
          if (!link) return;
          const init = p.candidate as RTCIceCandidateInit;
          if (!link.pc.remoteDescription) link.early.push(init);
          else await link.pc.addIceCandidate(init).catch(() => undefined);
          return;
        }
        case 'relay':
          if (a.kind === 'folder') this.emit({ type: 'relay', activityId: a.activityId, from: s.from, data: p.data });
          return;
        case 'bye': {
          const link = this.links.get(key);
          if (link) this.closeLink(link);
          return;
        }
        default: {
          const unreachable: never = p;
          return unreachable;
        }
      }
    } catch {
      // A broken negotiation is recovered like a failed connection.
      const link = this.links.get(key);
      if (!link) return;
      // The offer was not taken after all: the same offer sent again must not be dropped as a repeat.
      if (p.kind === 'offer') link.remoteOrigin = undefined;
      await this.recover(link);
    }
  }

  /** ICE restart on the offering side; a fresh ask on the answering side; give up after a few tries. */
  private async recover(link: Link): Promise<void> {
    const a = this.view?.activities[link.activityId];
    if (!a || a.state !== 'active' || this.closed) return;
    link.restarts += 1;
    if (link.restarts > MAX_RESTARTS) {
      this.emit({ type: 'failed', participantId: link.remote, activityId: link.activityId });
      return;
    }
    if (link.offerer) await this.offer(a, link.remote, true).catch(() => undefined);
    else this.client.sendSignal(link.activityId, link.remote, { kind: 'want' });
  }

  /** After a network change (the browser's "online"), the offering side restarts ICE on every link. */
  restartAll(): void {
    for (const l of this.links.values()) {
      const a = this.view?.activities[l.activityId];
      if (a && l.offerer) void this.offer(a, l.remote, true).catch(() => undefined);
    }
  }

  private closeLink(link: Link, emit = true): void {
    this.links.delete(link.key);
    this.wanted.delete(link.key);
    link.pc.onconnectionstatechange = null;
    link.pc.ontrack = null;
    link.pc.onicecandidate = null;
    link.pc.onicegatheringstatechange = null;
    link.pc.onsignalingstatechange = null;
    link.pc.ondatachannel = null;
    for (const [ck, ch] of [...this.channels]) {
      if (ck.startsWith(`${link.key}:`)) {
        this.channels.delete(ck);
        ch.close();
      }
    }
    clearTimeout(link.stuckTimer);
    link.pc.close();
    link.remoteStream?.getTracks().forEach((t) => t.stop());
    if (emit) this.emit({ type: 'remotes', remotes: this.remotes() });
  }

  private async applyModeTo(sender: RTCRtpSender): Promise<void> {
    const mode = DISPLAY_MODES[this.displayMode];
    if (sender.track) sender.track.contentHint = mode.contentHint;
    const params = sender.getParameters();
    if (!params.encodings || params.encodings.length === 0) params.encodings = [{}];
    for (const enc of params.encodings) {
      enc.maxBitrate = mode.maxBitrate;
      enc.maxFramerate = mode.maxFramerate;
      enc.scaleResolutionDownBy = mode.scaleResolutionDownBy;
    }
    (params as RTCRtpSendParameters & { degradationPreference?: string }).degradationPreference = mode.degradationPreference;
    await sender.setParameters(params).catch(() => undefined);
  }

  /** SES-1: applies the session's display mode to every running share without renegotiation. */
  private async applyDisplayMode(): Promise<void> {
    for (const l of this.links.values()) {
      const a = this.view?.activities[l.activityId];
      if (!a || !SHARING_KINDS.has(a.kind)) continue;
      for (const sender of l.pc.getSenders()) if (sender.track?.kind === 'video') await this.applyModeTo(sender);
    }
  }

  private async collectStats(): Promise<void> {
    if (this.links.size === 0) return;
    const byParticipant: Record<string, LinkQuality> = {};
    const now = Date.now();
    for (const l of [...this.links.values()]) {
      try {
        const q = l.meter.update(await l.pc.getStats(), now);
        const prev = byParticipant[l.remote];
        byParticipant[l.remote] = prev
          ? { ...q, bitrate: prev.bitrate + q.bitrate, loss: Math.max(prev.loss, q.loss), audioLevel: Math.max(prev.audioLevel, q.audioLevel) }
          : q;
      } catch {
        // a closed connection has no stats
      }
    }
    this.emit({ type: 'quality', byParticipant });
  }

  /** The RTCPeerConnections of this page, for statistics in tests and benchmarks. */
  peerConnections(): { activityId: string; remote: string; pc: RTCPeerConnection }[] {
    return [...this.links.values()].map((l) => ({ activityId: l.activityId, remote: l.remote, pc: l.pc }));
  }

  close(): void {
    this.closed = true;
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.offs.forEach((off) => off());
    for (const l of [...this.links.values()]) this.closeLink(l, false);
    for (const s of this.local.values()) s.getTracks().forEach((t) => t.stop());
    this.local.clear();
    for (const p of this.pendingLocal) p.stream.getTracks().forEach((t) => t.stop());
    this.pendingLocal = [];
  }
}
