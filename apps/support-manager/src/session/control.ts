/**
 * The Support Manager's side of one control activity (DSK-2, APP-2): once
 * the session view shows this device attached to the activity, it captures
 * the screen (or the focused window) with the platform backend, sends it as
 * a WebRTC video track to each viewer, and injects the input events the
 * primary rep sends on the `input` data channel. It ends — capture stopped,
 * input gate closed, every peer connection closed — the moment the view shows
 * the activity stopped, the session ended or this device no longer admitted.
 *
 * Negotiation follows the web app's MediaController: the sender (this
 * device) offers to each viewer; a viewer asks for an offer with `want`;
 * candidates are relayed both ways; `bye` drops one link.
 */
import type { IncomingSignal, SessionClient } from '@rs/client';
import { DISPLAY_MODES, type SessionView, type SignalPayload } from '@rs/protocol';
import { InputEvent, type CaptureTarget } from '../backend/input.js';
import type { Backend, CaptureSession } from '../backend/types.js';
import { wrtc, type DataChannelLike, type IceCandidateLike, type PeerConnectionLike, type RtpSenderLike, type TrackLike, type VideoSourceLike } from './wrtc.js';

export type ControlKind = 'desktop.control' | 'app.control';

export type ControlEndReason =
  /** The activity was stopped (customer, rep, or the server because someone dropped). */
  | 'stopped'
  | 'session-ended'
  /** This device is no longer admitted (left, removed). */
  | 'removed'
  /** The session socket was closed for good (token revoked, session gone). */
  | 'disconnected'
  /** The shared window was closed or the screen could not be read. */
  | 'capture-ended'
  /** The program was asked to quit (SIGINT/SIGTERM). */
  | 'quit'
  /** Nothing to capture (no monitor, no focused window) or capture failed to start. */
  | 'capture-failed';

export interface ControlOptions {
  client: SessionClient;
  backend: Backend;
  activityId: string;
  kind: ControlKind;
  /** Capture cap (default 30). */
  maxFps?: number;
  log?: (line: string) => void;
}

export interface InputStats {
  /** Events handed to the backend. */
  accepted: number;
  /** Events dropped: malformed, not from the primary rep, or while control is not active. */
  refused: number;
  delivered: number;
}

interface Peer {
  remote: string;
  pc: PeerConnectionLike;
  dc: DataChannelLike;
  sender: RtpSenderLike;
  /** Candidates that came before the answer. */
  early: IceCandidateLike[];
  /** Input waiting for this device's view to reach the seq it was sent at. */
  held: { seq: number; event: InputEvent; at: number }[];
  closed: boolean;
}

/** Encoder hints for screen content (desktop text): the SES-1 "standard" mode. */
const SCREEN_ENCODING = { maxBitrate: DISPLAY_MODES.standard.maxBitrate, maxFramerate: 30 };

export class ControlSession {
  private readonly client: SessionClient;
  private readonly backend: Backend;
  readonly activityId: string;
  readonly kind: ControlKind;
  private readonly log: (line: string) => void;
  private readonly maxFps: number;

  private capture: CaptureSession | null = null;
  private starting = false;
  private source: VideoSourceLike | null = null;
  private track: TrackLike | null = null;
  private readonly peers = new Map<string, Peer>();
  /** Viewers who asked before the capture was running. */
  private readonly wanted = new Set<string>();
  private offs: (() => void)[] = [];
  private ending: ControlEndReason | null = null;
  private resolveEnded!: (r: ControlEndReason) => void;
  private stopping: Promise<void> | null = null;
  /** Resolves with the reason once capture is stopped and every peer connection closed. */
  readonly ended: Promise<ControlEndReason>;
  readonly input: InputStats = { accepted: 0, refused: 0, delivered: 0 };
  frames = 0;

  constructor(opts: ControlOptions) {
    this.client = opts.client;
    this.backend = opts.backend;
    this.activityId = opts.activityId;
    this.kind = opts.kind;
    this.maxFps = opts.maxFps ?? 30;
    this.log = opts.log ?? (() => undefined);
    this.ended = new Promise((r) => (this.resolveEnded = r));
  }

  /** Starts following the session (call before or after the client connects). */
  start(): this {
    this.offs.push(
      this.client.on('view', (v) => this.onView(v)),
      this.client.on('signal', (s) => this.onSignal(s)),
      this.client.on('state', (s) => {
        if (s.state === 'closed') this.end('disconnected');
      }),
    );
    if (this.client.view) this.onView(this.client.view);
    return this;
  }

  get active(): boolean {
    return this.ending === null && this.capture !== null && this.capture.active;
  }

  private me(): string | null {
    return this.client.participantId;
  }

  /** Whether control is in force now according to the latest view. */
  private controlling(v: SessionView | null): boolean {
    const me = this.me();
    if (!v || !me) return false;
    const a = v.activities[this.activityId];
    return v.status.state === 'open' && v.participants[me]?.status === 'admitted' && a?.state === 'active' && a.deviceId === me;
  }

  private onView(v: SessionView): void {
    if (this.ending) return;
    const me = this.me();
    if (!me) return;
    const a = v.activities[this.activityId];
    if (v.status.state === 'ended') return this.end('session-ended');
    const self = v.participants[me];
    if (self && self.status !== 'admitted') return this.end('removed');
    if (a && a.state === 'stopped') return this.end('stopped');
    if (!a || a.deviceId !== me || !self) return; // not attached (yet)
    if (!this.capture && !this.starting) {
      void this.startCapture();
      return;
    }
    if (!this.capture) return;
    // Links to people who are no longer admitted go.
    for (const [remote, peer] of this.peers) {
      if (v.participants[remote]?.status !== 'admitted') this.closePeer(peer);
    }
    this.offerToPrimary(v);
    for (const peer of this.peers.values()) if (peer.held.length > 0) this.release(peer);
  }

  private async pickTarget(): Promise<CaptureTarget> {
    if (this.kind === 'desktop.control') {
      const monitors = await this.backend.monitors();
      const m = monitors.find((x) => x.primary) ?? monitors[0];
      if (!m) throw new Error('no monitor to share');
      this.log(`Sharing monitor ${m.name} (${m.width}×${m.height})`);
      return { kind: 'monitor', id: m.id };
    }
    // app.control: the window that has the keyboard focus now (a window
    // chooser on the customer's side is not built yet).
    const w = (await this.backend.windows()).find((x) => x.focused);
    if (!w) throw new Error('no focused application window to share');
    this.log(`Sharing window "${w.title}" (${w.app || 'unknown application'}, ${w.width}×${w.height})`);
    return { kind: 'window', id: w.id };
  }

  private async startCapture(): Promise<void> {
    this.starting = true;
    let session: CaptureSession;
    try {
      const target = await this.pickTarget();
      if (this.ending) return;
      const source = new wrtc.nonstandard.RTCVideoSource({ isScreencast: true });
      const track = source.createTrack();
      try {
        track.contentHint = 'detail';
      } catch {
        // not settable on this build; isScreencast is the native hint
      }
      this.source = source;
      this.track = track;
      session = await this.backend.startCapture(
        target,
        (frame) => {
          if (this.ending) return;
          this.frames += 1;
          source.onFrame({ width: frame.width, height: frame.height, data: frame.data });
        },
        {
          maxFps: this.maxFps,
          onEnded: (reason, error) => {
            if (this.ending) return;
            this.log(`Capture ended: ${reason}${error ? ` (${error.message})` : ''}`);
            this.end('capture-ended');
          },
        },
      );
    } catch (e) {
      this.log(`Cannot start capture: ${(e as Error).message}`);
      this.end('capture-failed');
      return;
    } finally {
      this.starting = false;
    }
    if (this.ending) {
      await session.stop();
      return;
    }
    this.capture = session;
    const v = this.client.view;
    if (!v || !this.controlling(v)) {
      if (v) this.onView(v);
      return;
    }
    this.offerToPrimary(v);
    for (const remote of this.wanted) if (!this.peers.has(remote)) void this.offerTo(remote);
    this.wanted.clear();
  }

  /** The primary rep gets an offer without asking. */
  private offerToPrimary(v: SessionView): void {
    const primary = v.primaryId;
    const p = v.participants[primary];
    if (!primary || primary === this.me() || !p || p.status !== 'admitted' || !p.connected) return;
    if (!this.peers.has(primary)) void this.offerTo(primary);
  }

  private isViewer(v: SessionView | null, remote: string): boolean {
    const p = v?.participants[remote];
    return !!p && remote !== this.me() && p.status === 'admitted' && p.kind !== 'device';
  }

  private onSignal(s: IncomingSignal): void {
    if (s.activityId !== this.activityId || this.ending) return;
    if (!this.isViewer(this.client.view, s.from)) return;
    void this.handleSignal(s.from, s.payload).catch((e: Error) => this.log(`Signal ${s.payload.kind} from ${s.from}: ${e.message}`));
  }

  private async handleSignal(remote: string, p: SignalPayload): Promise<void> {
    const peer = this.peers.get(remote);
    switch (p.kind) {
      case 'want': {
        if (!this.capture) {
          this.wanted.add(remote);
          return;
        }
        // An offer still waiting for its answer is sent again rather than replaced.
        if (peer && !peer.closed && peer.pc.signalingState === 'have-local-offer' && peer.pc.localDescription && !peer.pc.remoteDescription) {
          this.client.sendSignal(this.activityId, remote, { kind: 'offer', sdp: peer.pc.localDescription.sdp });
          return;
        }
        if (peer && !peer.closed && peer.pc.signalingState === 'stable' && !peer.pc.localDescription) return; // its offer is being made
        await this.offerTo(remote);
        return;
      }
      case 'answer': {
        if (!peer || peer.closed || peer.pc.signalingState !== 'have-local-offer') return;
        await peer.pc.setRemoteDescription({ type: 'answer', sdp: p.sdp });
        const early = peer.early.splice(0);
        for (const c of early) await peer.pc.addIceCandidate(c).catch(() => undefined);
        return;
      }
      case 'candidate': {
        if (!peer || peer.closed) return;
        const c: IceCandidateLike = { candidate: p.candidate.candidate, sdpMid: p.candidate.sdpMid ?? null, sdpMLineIndex: p.candidate.sdpMLineIndex ?? null };
        if (!peer.pc.remoteDescription) peer.early.push(c);
        else await peer.pc.addIceCandidate(c);
        return;
      }
      case 'bye':
        if (peer) this.closePeer(peer);
        return;
      case 'offer':
      case 'relay':
        return; // the device is the offering side; no relay for control
    }
  }

  private async offerTo(remote: string): Promise<void> {
    if (this.ending || !this.track) return;
    const old = this.peers.get(remote);
    if (old) this.closePeer(old);
    const pc = new wrtc.RTCPeerConnection({ iceServers: this.client.iceServers });
    const sender = pc.addTrack(this.track);
    const dc = pc.createDataChannel('input', { ordered: true });
    const peer: Peer = { remote, pc, dc, sender, early: [], held: [], closed: false };
    this.peers.set(remote, peer);
    pc.onicecandidate = (ev) => {
      if (!ev.candidate || peer.closed) return;
      const c = ev.candidate;
      this.client.sendSignal(this.activityId, remote, {
        kind: 'candidate',
        candidate: { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null },
      });
    };
    pc.onconnectionstatechange = () => {
      if (peer.closed) return;
      const st = pc.connectionState;
      if (st === 'connected') {
        this.log(`Connected to ${this.nameOf(remote)}`);
        this.capture?.requestFrame();
        void this.applyEncoding(peer);
      } else if (st === 'failed') {
        // The viewer asks again with `want`; a fresh connection is made then.
        this.log(`Connection to ${this.nameOf(remote)} failed`);
        this.closePeer(peer);
      }
    };
    dc.onmessage = (ev) => this.onInput(peer, ev.data);
    const offer = await pc.createOffer();
    if (peer.closed) return;
    await pc.setLocalDescription(offer);
    if (peer.closed) return;
    this.client.sendSignal(this.activityId, remote, { kind: 'offer', sdp: offer.sdp });
  }

  /** maxBitrate/maxFramerate for screen content, when this wrtc build lets the sender be tuned. */
  private async applyEncoding(peer: Peer): Promise<void> {
    try {
      const params = peer.sender.getParameters();
      const enc = params.encodings[0];
      if (!enc) return;
      enc.maxBitrate = SCREEN_ENCODING.maxBitrate;
      enc.maxFramerate = SCREEN_ENCODING.maxFramerate;
      await peer.sender.setParameters(params);
    } catch {
      // @roamhq/wrtc 0.10 rejects setParameters (InvalidStateError): the defaults stay.
    }
  }

  private nameOf(id: string): string {
    return this.client.view?.participants[id]?.name ?? id;
  }

  /**
   * One message from a viewer's `input` channel: a JSON InputEvent, which may
   * carry `seq`, the last event sequence number of the sender's session view
   * when it sent it. Injected only when it is a valid InputEvent, comes from
   * the primary rep's connection, and control is active in this device's view
   * — and, when `seq` is given, only once this device's view has reached that
   * seq: input the rep sent after seeing Stop can never overtake the stop on
   * its way here. Everything else is dropped.
   */
  private onInput(peer: Peer, data: unknown): void {
    if (peer.closed || this.ending || typeof data !== 'string' || data.length > 10_000) {
      this.input.refused += 1;
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      this.input.refused += 1;
      return;
    }
    const ev = InputEvent.safeParse(parsed);
    if (!ev.success) {
      this.input.refused += 1;
      return;
    }
    const raw = (parsed as { seq?: unknown }).seq;
    const seq = typeof raw === 'number' && Number.isSafeInteger(raw) ? raw : 0;
    if (peer.held.length >= 1000) {
      this.input.refused += 1;
      return;
    }
    peer.held.push({ seq, event: ev.data, at: Date.now() });
    this.release(peer);
  }

  /** Injects the peer's held events whose seq this device's view has reached, in order. */
  private release(peer: Peer): void {
    const v = this.client.view;
    while (peer.held.length > 0) {
      const next = peer.held[0]!;
      if (v && next.seq > v.lastSeq && Date.now() - next.at < 2000) return; // the view is behind: wait for it
      peer.held.shift();
      const capture = this.capture;
      if (next.seq > (v?.lastSeq ?? 0) || peer.closed || this.ending || !capture || !capture.active || !this.controlling(v) || v!.primaryId !== peer.remote) {
        this.input.refused += 1;
        continue;
      }
      this.input.accepted += 1;
      capture.input(next.event).then(
        (outcome) => {
          if (outcome === 'delivered') this.input.delivered += 1;
        },
        () => undefined, // stopped meanwhile: nothing was injected
      );
    }
  }

  private closePeer(peer: Peer): void {
    if (peer.closed) return;
    peer.closed = true;
    if (this.peers.get(peer.remote) === peer) this.peers.delete(peer.remote);
    peer.dc.onmessage = null;
    this.input.refused += peer.held.length;
    peer.held = [];
    try {
      peer.dc.close();
    } catch {
      // already closed
    }
    try {
      peer.pc.close();
    } catch {
      // already closed
    }
  }

  /**
   * Ends control: the capture's input gate closes synchronously here (before
   * any further event can be handled), then peers are closed. Idempotent.
   */
  end(reason: ControlEndReason): void {
    if (this.ending) return;
    this.ending = reason;
    const capture = this.capture;
    const stopped = capture ? capture.stop() : Promise.resolve();
    for (const off of this.offs.splice(0)) off();
    for (const peer of [...this.peers.values()]) {
      if (reason !== 'stopped' && reason !== 'session-ended') this.client.sendSignal(this.activityId, peer.remote, { kind: 'bye' });
      this.closePeer(peer);
    }
    this.track?.stop();
    this.stopping = stopped.catch(() => undefined).then(() => this.resolveEnded(reason));
  }

  /** Ends control and waits until nothing more is captured or injected. */
  async stop(reason: ControlEndReason = 'quit'): Promise<ControlEndReason> {
    this.end(reason);
    await this.stopping;
    return this.ended;
  }
}
