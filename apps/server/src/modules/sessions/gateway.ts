import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import {
  CLOSE_CODES,
  ClientMessage,
  Hello,
  LIMITS,
  PROTOCOL_VERSION,
  RsError,
  issuesFrom,
  type Intent,
  type ServerMessage,
  type SignalOut,
  type SessionEventEnvelope,
  type SessionView,
} from '@rs/protocol';
import { newId } from '../../ids.js';
import type { Metrics } from '../health/metrics.js';
import type { SessionEngine } from './engine.js';
import { iceServersFor, type IceConfig } from '../media/ice.js';
import type { Signal } from './engine.js';
import { canSignal, dropControl } from './media-rules.js';
import { decide } from './rules.js';
import type { SessionStore } from './store.js';
import type { ParticipantTokens } from './tokens.js';
import { canSee } from './visibility.js';

const HELLO_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 25_000;
/** A client this far behind is cut off; it resumes from its last seq when it reconnects. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const MESSAGES_PER_SECOND = 50;
/** WebRTC negotiation sends bursts of ICE candidates; they get their own, larger budget. */
const SIGNALS_PER_SECOND = 300;

export interface GatewayDeps {
  engine: SessionEngine;
  store: SessionStore;
  tokens: ParticipantTokens;
  metrics: Metrics;
  ice: IceConfig;
  /** CUS-2: how long a consent request waits for an answer (CONSENT_TTL_MS). */
  consentTtlMs?: number;
}

/** Sockets per participant on this node, so presence changes only on the first open and the last close. */
class Presence {
  private readonly counts = new Map<string, number>();
  open(key: string): boolean {
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n === 1;
  }
  close(key: string): boolean {
    const n = (this.counts.get(key) ?? 1) - 1;
    if (n <= 0) this.counts.delete(key);
    else this.counts.set(key, n);
    return n <= 0;
  }
}

export function registerGateway(app: FastifyInstance, deps: GatewayDeps): { connectionCount(): number } {
  const presence = new Presence();
  const sockets = new Set<WebSocket>();
  app.get('/ws', { websocket: true }, (socket) => {
    sockets.add(socket);
    deps.metrics.wsConnections.set(sockets.size);
    socket.on('close', () => {
      sockets.delete(socket);
      deps.metrics.wsConnections.set(sockets.size);
    });
    new Connection(socket, deps, presence).start();
  });
  return { connectionCount: () => sockets.size };
}

type ConnState =
  | { state: 'awaiting_hello'; timer: NodeJS.Timeout }
  | {
      state: 'open';
      sessionId: string;
      participantId: string;
      unsubscribe: () => Promise<void>;
    }
  | { state: 'closed' };

class Connection {
  private st: ConnState = { state: 'closed' };
  private windowStart = 0;
  private windowCount = 0;
  private signalCount = 0;
  private alive = true;
  /** Events that arrived while history was being read (or before it); flushed after it. */
  private pending: SessionEventEnvelope[] | null = [];
  private sentUpTo = 0;
  private latestView: SessionView | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  /** Intents of this connection being decided; a close they cause waits until they are answered. */
  private intentsInFlight = 0;
  private closeAfterAnswer: { code: number; reason: string } | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: GatewayDeps,
    private readonly presence: Presence,
  ) {}

  start(): void {
    this.st = { state: 'awaiting_hello', timer: setTimeout(() => this.close(CLOSE_CODES.BAD_HELLO, 'no hello'), HELLO_TIMEOUT_MS) };
    this.ws.on('message', (data, isBinary) => void this.onMessage(data, isBinary));
    this.ws.on('close', () => void this.onClose());
    this.ws.on('error', () => undefined);
    this.ws.on('pong', () => {
      this.alive = true;
    });
    this.heartbeat = setInterval(() => {
      if (!this.alive) return this.ws.terminate();
      this.alive = false;
      this.ws.ping();
    }, HEARTBEAT_MS);
  }

  private send(msg: ServerMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.ws.close(1013, 'too slow');
      return;
    }
    this.ws.send(JSON.stringify(msg));
  }

  private close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
  }

  private async onMessage(data: unknown, isBinary: boolean): Promise<void> {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowCount = 0;
      this.signalCount = 0;
    }
    if (++this.windowCount > MESSAGES_PER_SECOND + Math.min(this.signalCount, SIGNALS_PER_SECOND)) {
      this.deps.metrics.wsMessages.inc({ result: 'rate_limited' });
      this.send({ type: 'error', code: 'RS_ERR_RATE_LIMITED', message: 'Too many messages; slow down.' });
      return;
    }
    let parsed: unknown;
    try {
      if (isBinary) throw new Error('binary');
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
      if (text.length > LIMITS.frameBytes) throw new Error('too large');
      parsed = JSON.parse(text);
    } catch {
      this.deps.metrics.wsMessages.inc({ result: 'invalid' });
      this.send({ type: 'error', code: 'RS_ERR_VALIDATION', message: 'A message must be one JSON text frame.' });
      return;
    }
    const result = ClientMessage.safeParse(parsed);
    if (!result.success) {
      this.deps.metrics.wsMessages.inc({ result: 'invalid' });
      const rid = typeof parsed === 'object' && parsed !== null && typeof (parsed as { rid?: unknown }).rid === 'string' ? (parsed as { rid: string }).rid : undefined;
      const issues = issuesFrom(result.error.issues);
      this.send({
        type: 'error',
        ...(rid && rid.length <= 64 ? { rid } : {}),
        code: 'RS_ERR_VALIDATION',
        message: `Invalid message: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
      });
      if (this.st.state === 'awaiting_hello') this.close(CLOSE_CODES.BAD_HELLO, 'invalid hello');
      return;
    }
    const msg = result.data;
    if (this.st.state === 'awaiting_hello') {
      if (msg.type !== 'hello') return this.close(CLOSE_CODES.BAD_HELLO, 'hello first');
      clearTimeout(this.st.timer);
      this.st = { state: 'closed' };
      await this.onHello(msg).catch((err) => this.fail(err));
      return;
    }
    if (this.st.state !== 'open') return;
    switch (msg.type) {
      case 'hello':
        this.send({ type: 'error', code: 'RS_ERR_INVALID_STATE', message: 'Already connected.' });
        return;
      case 'ping':
        this.send({ type: 'pong', rid: msg.rid });
        return;
      case 'signal':
        this.signalCount++;
        await this.onSignalOut(msg);
        return;
      default:
        await this.onIntent(msg);
    }
  }

  private fail(err: unknown): void {
    const e = err instanceof RsError ? err : new RsError('RS_ERR_INTERNAL', 'The server could not open the session.');
    this.send({ type: 'error', code: e.code, message: e.message });
    const code =
      e.code === 'RS_ERR_NOT_FOUND' ? CLOSE_CODES.NOT_FOUND : e.code === 'RS_ERR_SESSION_ENDED' ? CLOSE_CODES.SESSION_ENDED : CLOSE_CODES.FORBIDDEN;
    this.close(code, e.code);
  }

  private async onHello(hello: Hello): Promise<void> {
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      this.send({ type: 'error', code: 'RS_ERR_CLIENT_TOO_OLD', message: 'This page is out of date. Reload it.' });
      return this.close(CLOSE_CODES.CLIENT_TOO_OLD, 'protocol version');
    }
    const participantId = this.deps.tokens.verify(hello.sessionId, hello.token);
    if (!participantId) {
      this.send({ type: 'error', code: 'RS_ERR_UNAUTHENTICATED', message: 'This session link is not valid.' });
      return this.close(CLOSE_CODES.UNAUTHENTICATED, 'token');
    }
    const sessionId = hello.sessionId;
    const { view, unsubscribe } = await this.deps.engine.subscribe(
      sessionId,
      (env, v) => this.onEvent(env, v),
      (signal) => this.onSignalIn(signal),
    );
    this.latestView = view;
    if (this.ws.readyState !== this.ws.OPEN) return void unsubscribe();
    const me = view.participants[participantId];
    if (!me || me.status === 'denied' || me.status === 'left') {
      await unsubscribe();
      this.send({ type: 'error', code: 'RS_ERR_FORBIDDEN', message: me?.status === 'denied' ? 'The rep did not admit you.' : 'You are no longer in this session.' });
      return this.close(me?.status === 'left' ? CLOSE_CODES.LEFT : CLOSE_CODES.FORBIDDEN, 'not a participant');
    }
    this.st = { state: 'open', sessionId, participantId, unsubscribe };
    this.send({
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      sessionId,
      participantId,
      serverTime: new Date().toISOString(),
      iceServers: iceServersFor(this.deps.ice, participantId),
    });
    // A waiting participant's view widens when admitted, so it always starts from scratch.
    const fromSeq = me.status === 'admitted' && hello.lastSeq <= view.lastSeq ? hello.lastSeq : 0;
    await this.sendHistory(fromSeq, view);
    if (view.status.state === 'ended') return this.close(CLOSE_CODES.SESSION_ENDED, 'ended');
    if (this.presence.open(`${sessionId}:${participantId}`) && !me.connected) {
      await this.deps.engine
        .transact(sessionId, (v) => (v.status.state === 'open' && v.participants[participantId]?.connected === false ? [{ type: 'participant.connected', participantId }] : []))
        .catch(() => undefined);
    }
  }

  /** Sends what the participant may see after `fromSeq`, then whatever arrived meanwhile. */
  private async sendHistory(fromSeq: number, view: SessionView): Promise<void> {
    if (this.st.state !== 'open') return;
    const st = this.st;
    this.pending ??= [];
    const events = (await this.deps.store.eventsAfter(st.sessionId, fromSeq)).filter((e) => e.seq <= view.lastSeq);
    const visible = events.filter((e) => canSee(view, st.participantId, e));
    this.send({ type: 'history', reset: fromSeq === 0, events: visible });
    this.sentUpTo = view.lastSeq;
    const pending = this.pending;
    this.pending = null;
    for (const env of pending) if (env.seq > this.sentUpTo) this.deliverLive(env, this.latestView ?? view);
  }

  private onEvent(env: SessionEventEnvelope, view: SessionView): void {
    this.latestView = view;
    if (this.pending) {
      this.pending.push(env);
      return;
    }
    this.deliverLive(env, view);
  }

  private deliverLive(env: SessionEventEnvelope, view: SessionView): void {
    if (this.st.state !== 'open') return;
    const me = this.st.participantId;
    const e = env.event;
    this.sentUpTo = env.seq;
    if (e.type === 'participant.admitted' && e.participant.id === me) {
      // What this person may see just widened: resend everything visible now.
      this.pending = [];
      void this.sendHistory(0, view).catch(() => undefined);
      return;
    }
    if (canSee(view, me, env)) this.send({ type: 'event', envelope: env });
    if (e.type === 'session.ended') this.closeSoon(CLOSE_CODES.SESSION_ENDED, 'ended');
    else if (e.type === 'participant.denied' && e.participantId === me) this.closeSoon(CLOSE_CODES.FORBIDDEN, 'denied');
    else if (e.type === 'participant.left' && e.participantId === me) this.closeSoon(CLOSE_CODES.LEFT, 'left');
  }

  /** Closes now, or, while this connection's own intents await their answer, right after it (so "end" and "leave" are acknowledged). */
  private closeSoon(code: number, reason: string): void {
    if (this.intentsInFlight > 0) this.closeAfterAnswer ??= { code, reason };
    else this.close(code, reason);
  }

  /** M12: only between two participants of one active activity; nobody can offer a share nobody consented to. */
  private async onSignalOut(msg: SignalOut): Promise<void> {
    if (this.st.state !== 'open') return;
    const view = this.latestView;
    if (!view || !canSignal(view, this.st.participantId, msg.to, msg.activityId)) {
      this.deps.metrics.wsMessages.inc({ result: 'rejected' });
      this.send({ type: 'error', code: 'RS_ERR_FORBIDDEN', message: 'There is no consented activity between you and that participant.' });
      return;
    }
    this.deps.metrics.wsMessages.inc({ result: 'ok' });
    await this.deps.engine
      .sendSignal(this.st.sessionId, { activityId: msg.activityId, from: this.st.participantId, to: msg.to, payload: msg.payload })
      .catch(() => this.send({ type: 'error', code: 'RS_ERR_INTERNAL', message: 'The signal could not be relayed.' }));
  }

  private onSignalIn(signal: Signal): void {
    if (this.st.state !== 'open' || signal.to !== this.st.participantId) return;
    // Checked again on this side: the activity may have stopped while the signal travelled.
    if (!this.latestView || !canSignal(this.latestView, signal.from, signal.to, signal.activityId)) return;
    this.send({ type: 'signal', activityId: signal.activityId, from: signal.from, payload: signal.payload });
  }

  private async onIntent(intent: Intent): Promise<void> {
    // Closing once the intents in flight are answered: take no new ones.
    if (this.st.state !== 'open' || this.closeAfterAnswer) return;
    const { sessionId, participantId } = this.st;
    this.intentsInFlight++;
    try {
      const { envelopes } = await this.deps.engine.transact(sessionId, (view) =>
        decide({
          view,
          actorId: participantId,
          intent,
          newMessageId: () => newId(9),
          now: new Date().toISOString(),
          ...(this.deps.consentTtlMs ? { consentTtlMs: this.deps.consentTtlMs } : {}),
        }),
      );
      this.deps.metrics.wsMessages.inc({ result: 'ok' });
      const last = envelopes[envelopes.length - 1];
      this.send({ type: 'ack', rid: intent.rid, ...(last ? { seq: last.seq } : {}) });
    } catch (err) {
      const e = err instanceof RsError ? err : new RsError('RS_ERR_INTERNAL', 'The server could not do that. Try again.');
      this.deps.metrics.wsMessages.inc({ result: 'rejected' });
      this.send({ type: 'error', rid: intent.rid, code: e.code, message: e.message });
    } finally {
      this.answered();
    }
  }

  /** One intent answered; performs a close it (or another event) deferred once none is left. */
  private answered(): void {
    this.intentsInFlight--;
    const pending = this.closeAfterAnswer;
    if (this.intentsInFlight === 0 && pending) {
      this.closeAfterAnswer = null;
      this.close(pending.code, pending.reason);
    }
  }

  private async onClose(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    const st = this.st;
    if (st.state === 'awaiting_hello') clearTimeout(st.timer);
    this.st = { state: 'closed' };
    if (st.state !== 'open') return;
    await st.unsubscribe().catch(() => undefined);
    if (this.presence.close(`${st.sessionId}:${st.participantId}`)) {
      await this.deps.engine
        .transact(st.sessionId, (v) => {
          const p = v.participants[st.participantId];
          if (v.status.state !== 'open' || !p?.connected || p.status === 'left') return [];
          return [...dropControl(v, st.participantId), { type: 'participant.disconnected', participantId: st.participantId }];
        })
        .catch(() => undefined);
    }
  }
}
