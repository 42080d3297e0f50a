import {
  CLOSE_CODES,
  FINAL_CLOSE_CODES,
  PROTOCOL_VERSION,
  RsError,
  ServerMessage,
  applyEvent,
  foldEvents,
  type ClientMessage,
  type IceServer,
  type Intent,
  type SessionEventEnvelope,
  type SignalPayload,
  type SessionView,
} from '@rs/protocol';

/** The part of the WebSocket API the client needs: the browser's and `ws` both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export type ConnectionState =
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'reconnecting'; attempt: number; retryInMs: number }
  | { state: 'closed'; code: number; reason: string };

export interface SessionClientOptions {
  /** ws:// or wss:// address of the gateway, e.g. `ws://127.0.0.1:8080/ws`. */
  url: string;
  sessionId: string;
  token: string;
  socket?: SocketFactory;
  /** Backoff bounds for reconnecting, in ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
}

type IntentInput = Intent extends infer I ? (I extends { rid: string } ? Omit<I, 'rid'> : never) : never;

export interface IncomingSignal {
  activityId: string;
  from: string;
  payload: SignalPayload;
}

type Events = {
  view: SessionView;
  state: ConnectionState;
  event: SessionEventEnvelope;
  error: RsError;
  signal: IncomingSignal;
  /** A (re)connection was accepted: peers re-negotiate what they lost. */
  welcome: { participantId: string; iceServers: IceServer[] };
};

interface Pending {
  resolve(seq: number | undefined): void;
  reject(err: RsError): void;
}

/**
 * One participant's connection to a session. It keeps the folded view,
 * reconnects with backoff and resumes from the last sequence number it saw,
 * so nothing that happened while it was away is missed.
 */
export class SessionClient {
  private ws: SocketLike | null = null;
  private readonly listeners: { [K in keyof Events]: Set<(v: Events[K]) => void> } = {
    view: new Set(),
    state: new Set(),
    event: new Set(),
    error: new Set(),
    signal: new Set(),
    welcome: new Set(),
  };
  private pending = new Map<string, Pending>();
  private ridCounter = 0;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  view: SessionView | null = null;
  participantId: string | null = null;
  connection: ConnectionState = { state: 'connecting' };
  iceServers: IceServer[] = [];

  constructor(private readonly opts: SessionClientOptions) {}

  on<K extends keyof Events>(name: K, fn: (v: Events[K]) => void): () => void {
    this.listeners[name].add(fn);
    return () => this.listeners[name].delete(fn);
  }

  private emit<K extends keyof Events>(name: K, value: Events[K]): void {
    for (const fn of [...this.listeners[name]]) {
      try {
        fn(value);
      } catch {
        // a listener's bug must not break the connection
      }
    }
  }

  private setState(s: ConnectionState): void {
    this.connection = s;
    this.emit('state', s);
  }

  connect(): this {
    this.stopped = false;
    this.open();
    return this;
  }

  private open(): void {
    const factory = this.opts.socket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    const ws = factory(this.opts.url);
    this.ws = ws;
    ws.onopen = () => {
      this.sendRaw({
        type: 'hello',
        protocolVersion: PROTOCOL_VERSION,
        sessionId: this.opts.sessionId,
        token: this.opts.token,
        lastSeq: this.view?.lastSeq ?? 0,
      });
    };
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onerror = () => undefined;
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.failPending();
      if (this.stopped || FINAL_CLOSE_CODES.has(ev.code) || ev.code === CLOSE_CODES.BAD_HELLO) {
        this.setState({ state: 'closed', code: ev.code, reason: ev.reason });
        return;
      }
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    this.attempt += 1;
    const min = this.opts.minBackoffMs ?? 250;
    const max = this.opts.maxBackoffMs ?? 10_000;
    const base = Math.min(max, min * 2 ** Math.min(this.attempt - 1, 10));
    // Jitter spreads the reconnects of many clients after a server restart.
    const retryInMs = Math.round(base / 2 + (this.opts.random ?? Math.random)() * (base / 2));
    this.setState({ state: 'reconnecting', attempt: this.attempt, retryInMs });
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.open();
    }, retryInMs);
  }

  private failPending(): void {
    const err = new RsError('RS_ERR_DISCONNECTED', 'The connection dropped before the server confirmed. Try again.');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private onMessage(data: unknown): void {
    let msg: ServerMessage;
    try {
      msg = ServerMessage.parse(JSON.parse(String(data)));
    } catch {
      return; // A newer server may send messages this client does not know.
    }
    switch (msg.type) {
      case 'welcome':
        this.participantId = msg.participantId;
        this.iceServers = msg.iceServers;
        this.attempt = 0;
        this.setState({ state: 'open' });
        this.emit('welcome', { participantId: msg.participantId, iceServers: msg.iceServers });
        return;
      case 'signal':
        this.emit('signal', { activityId: msg.activityId, from: msg.from, payload: msg.payload });
        return;
      case 'history': {
        const base = msg.reset ? null : this.view;
        const fresh = base ? msg.events.filter((e) => e.seq > base.lastSeq).reduce(applyEvent, base) : foldEvents(msg.events);
        if (fresh) {
          this.view = fresh;
          this.emit('view', fresh);
        }
        return;
      }
      case 'event':
        if (!this.view || msg.envelope.seq <= this.view.lastSeq) return;
        this.view = applyEvent(this.view, msg.envelope);
        this.emit('event', msg.envelope);
        this.emit('view', this.view);
        return;
      case 'ack': {
        const p = this.pending.get(msg.rid);
        this.pending.delete(msg.rid);
        p?.resolve(msg.seq);
        return;
      }
      case 'pong': {
        const p = this.pending.get(msg.rid);
        this.pending.delete(msg.rid);
        p?.resolve(undefined);
        return;
      }
      case 'error': {
        const err = new RsError(msg.code, msg.message);
        const p = msg.rid ? this.pending.get(msg.rid) : undefined;
        if (p && msg.rid) {
          this.pending.delete(msg.rid);
          p.reject(err);
        } else this.emit('error', err);
        return;
      }
      default: {
        const unreachable: never = msg;
        return unreachable;
      }
    }
  }

  private sendRaw(msg: ClientMessage): void {
    this.ws?.send(JSON.stringify(msg));
  }

  /** Sends an intent; resolves with the sequence number of its event once stored. */
  request(intent: IntentInput | { type: 'ping' }): Promise<number | undefined> {
    if (!this.ws || this.connection.state !== 'open') {
      return Promise.reject(new RsError('RS_ERR_DISCONNECTED', 'Not connected. Wait until the connection is back.'));
    }
    const rid = `r${++this.ridCounter}`;
    return new Promise((resolve, reject) => {
      this.pending.set(rid, { resolve, reject });
      this.sendRaw({ ...intent, rid } as ClientMessage);
    });
  }

  sendChat(text: string, to?: string) {
    return this.request({ type: 'chat.send', text, ...(to ? { to } : {}) });
  }
  saveNotes(text: string) {
    return this.request({ type: 'notes.save', text });
  }
  admit(participantId: string) {
    return this.request({ type: 'participant.admit', participantId });
  }
  deny(participantId: string) {
    return this.request({ type: 'participant.deny', participantId });
  }
  transferControl(to: string) {
    return this.request({ type: 'control.transfer', to });
  }
  endSession() {
    return this.request({ type: 'session.end' });
  }
  leave() {
    return this.request({ type: 'session.leave' });
  }

  /** WebRTC signaling to one participant; fire-and-forget (refusals arrive as 'error'). */
  sendSignal(activityId: string, to: string, payload: SignalPayload): void {
    if (this.connection.state === 'open') this.sendRaw({ type: 'signal', activityId, to, payload });
  }

  /** Closes for good; no reconnect. */
  close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.failPending();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'client closed');
    this.setState({ state: 'closed', code: 1000, reason: 'client closed' });
  }

  /** Drops the socket as a network fault would; the client reconnects (tests, "reconnect now"). */
  dropConnection(): void {
    this.ws?.close(4999, 'dropped');
  }
}
