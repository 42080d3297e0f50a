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
import { DISPLAY_MODES, MAX_SCREENS, ScreenSelect, type DisplayMode, type ScreensMessage, type SessionView, type SignalPayload } from '@rs/protocol';
import { downscaleI420Half } from '../backend/i420.js';
import { InputEvent, type CaptureTarget } from '../backend/input.js';
import type { Backend, CaptureSession, Monitor } from '../backend/types.js';
import { wrtc, type RtpSenderLike, type TrackLike, type VideoSourceLike } from './wrtc.js';
import { closeLink, forwardCandidates, onRemoteSignal, sendOffer, type OfferedLink } from './offerer.js';

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
  /** Capture cap; by default the display mode's (CONTROL_DISPLAY_MODES). */
  maxFps?: number;
  /** How often the monitor list is read again to notice monitors added or removed (default 2000 ms). */
  monitorPollMs?: number;
  log?: (line: string) => void;
}

export interface InputStats {
  /** Events handed to the backend. */
  accepted: number;
  /** Events dropped: malformed, not from the primary rep, or while control is not active. */
  refused: number;
  delivered: number;
}

interface Peer extends OfferedLink {
  sender: RtpSenderLike;
  /** Input waiting for this device's view to reach the seq it was sent at. */
  held: { seq: number; event: InputEvent; at: number }[];
}

/** Encoder hints for screen content (desktop text): the SES-1 "standard" mode. */
const SCREEN_ENCODING = { maxBitrate: DISPLAY_MODES.standard.maxBitrate, maxFramerate: 30 };

/**
 * The session's display mode (SES-1) applied to the control stream at its
 * source, since @roamhq/wrtc 0.10 rejects sender.setParameters: the capture's
 * frame cap, and a 2×2 downscale before the encoder for "Screen sampling".
 * Remote control is interactive, so Standard keeps every pixel and allows 60
 * fps (a capture driven by X DAMAGE only sends frames when something
 * changed; bench/remote-control measured 55 fps at 28 % of a core with this
 * cap); Screen sampling halves width and height (a quarter of the pixels to
 * encode and send) and caps at 30 fps. Documented in docs/support-manager.md.
 */
export const CONTROL_DISPLAY_MODES: Record<DisplayMode, { maxFps: number; scale: 1 | 2 }> = {
  standard: { maxFps: 60, scale: 1 },
  sampling: { maxFps: 30, scale: 2 },
};

/** What the rep is told of a monitor: no desktop position, the rep only addresses the one shown. */
const screenInfo = (m: Monitor) => ({ id: m.id, name: m.name, width: m.width, height: m.height, primary: m.primary });
const sameMonitors = (a: Monitor[], b: Monitor[]) => JSON.stringify(a) === JSON.stringify(b);

export class ControlSession {
  private readonly client: SessionClient;
  private readonly backend: Backend;
  readonly activityId: string;
  readonly kind: ControlKind;
  private readonly log: (line: string) => void;
  private readonly maxFps: number | undefined;
  private readonly monitorPollMs: number;

  private capture: CaptureSession | null = null;
  /** What the running capture shows, and what it should show (they differ while a switch is queued). */
  private shown: CaptureTarget | null = null;
  private wantTarget: CaptureTarget | null = null;
  /** The display mode wanted (the view's); the running capture's once a restart has applied it. */
  private mode: DisplayMode = 'standard';
  /** Frames and the end of a replaced capture are ignored: only this generation's count. */
  private generation = 0;
  /** Restarts of the capture run one after the other; input is held while one runs. */
  private restarts: Promise<void> = Promise.resolve();
  private restarting = false;
  /** Pointer coordinates from the rep are pixels of the frames sent; this many screen pixels each (2 when downscaled). */
  private inputScale = 1;
  /** The monitors last read (desktop.control), as told to the rep. */
  private monitors: Monitor[] = [];
  private monitorTimer: ReturnType<typeof setInterval> | null = null;
  readonly screens = { selected: 0, refused: 0 };
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
    this.maxFps = opts.maxFps;
    this.monitorPollMs = opts.monitorPollMs ?? 2000;
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
    if (!this.capture && !this.starting && !this.restarting) {
      void this.startCapture();
      return;
    }
    // The rep changed the display mode (SES-1): the capture restarts with its settings (startCapture checks once it runs).
    if (!this.starting && v.displayMode !== this.mode) {
      this.mode = v.displayMode;
      void this.restart();
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
      this.monitors = monitors;
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
    let target: CaptureTarget;
    try {
      target = await this.pickTarget();
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
      this.mode = this.client.view?.displayMode ?? 'standard';
      session = await this.openCapture(target, this.mode);
      this.runningMode = this.mode;
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
    this.shown = target;
    this.wantTarget = target;
    if (this.kind === 'desktop.control') this.watchMonitors();
    this.capture = session;
    // The mode may have changed while capture was starting.
    if (this.client.view && this.client.view.displayMode !== this.mode) {
      this.mode = this.client.view.displayMode;
      void this.restart();
    }
    const v = this.client.view;
    if (!v || !this.controlling(v)) {
      if (v) this.onView(v);
      return;
    }
    this.offerToPrimary(v);
    for (const remote of this.wanted) if (!this.peers.has(remote)) void this.offerTo(remote);
    this.wanted.clear();
  }

  /**
   * Captures `target` in `mode`: frames go to the video source (halved for
   * "Screen sampling"), the capture's end is handled only while it is the
   * current one.
   */
  private async openCapture(target: CaptureTarget, mode: DisplayMode): Promise<CaptureSession> {
    const gen = ++this.generation;
    const settings = CONTROL_DISPLAY_MODES[mode];
    const source = this.source;
    if (!source) throw new Error('no video source');
    return this.backend.startCapture(
      target,
      (frame) => {
        if (this.ending || gen !== this.generation) return;
        this.frames += 1;
        const out = settings.scale === 2 ? downscaleI420Half(frame) : null;
        // Set per frame sent, so the rep's coordinates (pixels of what it sees) map back to the screen.
        this.inputScale = out ? 2 : 1;
        const f = out ?? frame;
        source.onFrame({ width: f.width, height: f.height, data: f.data });
      },
      {
        maxFps: this.maxFps ?? settings.maxFps,
        onEnded: (reason, error) => {
          if (this.ending || gen !== this.generation) return;
          this.log(`Capture ended: ${reason}${error ? ` (${error.message})` : ''}`);
          // A monitor unplugged: show the primary (or any) one left rather than ending control.
          if (reason === 'target-gone' && target.kind === 'monitor') {
            void this.followMonitors(true);
            return;
          }
          this.end('capture-ended');
        },
      },
    );
  }

  /**
   * Replaces the running capture with one of `wantTarget` in `mode` (another
   * monitor, another display mode). Queued, so a burst of changes ends with
   * the last one applied; input waits meanwhile (release() holds it) and is
   * then applied to the new picture.
   */
  private restart(): Promise<void> {
    const run = async () => {
      const old = this.capture;
      const target = this.wantTarget;
      if (this.ending || !old || !target) return;
      if (this.shown && target.kind === this.shown.kind && target.id === this.shown.id && this.mode === this.runningMode) return;
      this.restarting = true;
      this.capture = null;
      this.generation += 1; // the old capture's last frames and its end are ignored from here
      try {
        await old.stop();
        if (this.ending) return;
        let session: CaptureSession;
        let shown = target;
        try {
          session = await this.openCapture(target, this.mode);
        } catch (e) {
          // The chosen monitor went away meanwhile: keep showing the previous one.
          if (!this.shown || this.ending) throw e;
          this.log(`Cannot capture ${target.kind} ${target.id}: ${(e as Error).message}`);
          shown = this.shown;
          session = await this.openCapture(shown, this.mode);
        }
        if (this.ending) {
          await session.stop();
          return;
        }
        this.capture = session;
        this.shown = shown;
        this.wantTarget = shown;
        this.runningMode = this.mode;
        this.log(`Showing ${shown.kind} ${shown.id} (${this.mode})`);
        session.requestFrame();
        this.sendScreens();
      } catch (e) {
        this.log(`Cannot restart capture: ${(e as Error).message}`);
        this.end('capture-failed');
      } finally {
        this.restarting = false;
        for (const peer of this.peers.values()) if (peer.held.length > 0) this.release(peer);
      }
    };
    this.restarts = this.restarts.then(run, run);
    return this.restarts;
  }

  /** The display mode the running capture applies. */
  private runningMode: DisplayMode = 'standard';

  /** Reads the monitors now and then, so the rep's list follows monitors plugged in or out. */
  private watchMonitors(): void {
    if (this.monitorTimer || this.ending) return;
    this.monitorTimer = setInterval(() => void this.followMonitors(false), this.monitorPollMs);
  }

  /**
   * Reads the monitor list again; when it changed (or `gone`: the shown one
   * ended), tells the rep, and moves to the primary monitor if the shown one
   * is no longer there. Ends control when there is no monitor left.
   */
  private async followMonitors(gone: boolean): Promise<void> {
    if (this.ending || this.kind !== 'desktop.control') return;
    let list: Monitor[];
    try {
      list = await this.backend.monitors();
    } catch (e) {
      if (!gone) return; // a passing failure: try again at the next tick
      this.log(`Cannot list monitors: ${(e as Error).message}`);
      this.end('capture-ended');
      return;
    }
    if (this.ending) return;
    const changed = !sameMonitors(list, this.monitors);
    this.monitors = list;
    const want = this.wantTarget;
    const still = want && list.some((m) => m.id === want.id);
    if (!still || gone) {
      const m = list.find((x) => x.primary) ?? list[0];
      if (!m) {
        this.log('No monitor left to share');
        this.end('capture-ended');
        return;
      }
      this.wantTarget = { kind: 'monitor', id: m.id };
      if (gone) this.shown = null; // nothing to fall back to: the shown monitor is gone
      await this.restart();
      return;
    }
    if (changed) this.sendScreens();
  }

  /** The `screens` message: to one peer (its channel just opened) or to every peer. */
  private sendScreens(only?: Peer): void {
    if (this.kind !== 'desktop.control' || this.ending) return;
    const current = this.shown?.kind === 'monitor' ? this.shown.id : null;
    const msg: ScreensMessage = { type: 'screens', monitors: this.monitors.slice(0, MAX_SCREENS).map(screenInfo), current };
    const data = JSON.stringify(msg);
    for (const peer of only ? [only] : this.peers.values()) {
      if (peer.closed || peer.dc.readyState !== 'open') continue;
      try {
        peer.dc.send(data);
      } catch {
        // closing meanwhile: the peer goes with its connection
      }
    }
  }

  /**
   * `screen.select` from a viewer: taken only from the primary rep while
   * control is active, for desktop control, and for a monitor of the list the
   * rep was sent; everything else is counted as refused and changes nothing.
   */
  private onSelect(peer: Peer, monitorId: string): void {
    const v = this.client.view;
    const ok =
      this.kind === 'desktop.control' &&
      !peer.closed &&
      !this.ending &&
      this.controlling(v) &&
      v?.primaryId === peer.remote &&
      this.monitors.some((m) => m.id === monitorId);
    if (!ok) {
      this.screens.refused += 1;
      this.log(`Monitor selection refused (${JSON.stringify(monitorId)} from ${this.nameOf(peer.remote)})`);
      return;
    }
    this.screens.selected += 1;
    this.wantTarget = { kind: 'monitor', id: monitorId };
    void this.restart();
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
    if (p.kind === 'want' && !this.capture) {
      this.wanted.add(remote);
      return;
    }
    await onRemoteSignal(this.peers.get(remote), p, {
      send: (payload) => this.client.sendSignal(this.activityId, remote, payload),
      offer: () => this.offerTo(remote),
      close: (peer) => this.closePeer(peer),
    });
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
    const send = (payload: SignalPayload) => this.client.sendSignal(this.activityId, remote, payload);
    forwardCandidates(peer, send);
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
    // The rep learns the monitors as soon as it can hear (wrtc's EventTarget: listeners run in order).
    dc.addEventListener('open', () => this.sendScreens(peer));
    await sendOffer(peer, send);
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
    if ((parsed as { type?: unknown } | null)?.type === 'screens.get') {
      this.sendScreens(peer);
      return;
    }
    if ((parsed as { type?: unknown } | null)?.type === 'screen.select') {
      const sel = ScreenSelect.safeParse(parsed);
      if (sel.success) this.onSelect(peer, sel.data.monitorId);
      else this.screens.refused += 1;
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
    // A capture switch is under way: the input is for the picture that follows, so it waits (restart() releases it).
    if (this.restarting) return;
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
      capture.input(this.toScreen(next.event)).then(
        (outcome) => {
          if (outcome === 'delivered') this.input.delivered += 1;
        },
        () => undefined, // stopped meanwhile: nothing was injected
      );
    }
  }

  /** Pointer coordinates from pixels of the (maybe downscaled) frames the rep sees to pixels of the captured screen. */
  private toScreen(ev: InputEvent): InputEvent {
    const k = this.inputScale;
    if (k === 1 || ev.type === 'key.down' || ev.type === 'key.up' || ev.type === 'text') return ev;
    // The centre of the 2×2 block a downscaled pixel stands for is at +0.5; the top-left pixel of it is as good and stays inside the screen.
    return { ...ev, x: ev.x * k, y: ev.y * k };
  }

  private closePeer(peer: Peer): void {
    if (peer.closed) return;
    peer.closed = true;
    if (this.peers.get(peer.remote) === peer) this.peers.delete(peer.remote);
    peer.dc.onmessage = null;
    this.input.refused += peer.held.length;
    peer.held = [];
    closeLink(peer);
  }

  /**
   * Ends control: the capture's input gate closes synchronously here (before
   * any further event can be handled), then peers are closed. Idempotent.
   */
  end(reason: ControlEndReason): void {
    if (this.ending) return;
    this.ending = reason;
    const capture = this.capture;
    // A restart under way stops what it opened once it sees `ending`; waiting for it too means nothing is captured after `ended`.
    const stopped = Promise.all([capture ? capture.stop() : undefined, this.restarts]);
    if (this.monitorTimer) clearInterval(this.monitorTimer);
    this.monitorTimer = null;
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
