import crypto from 'node:crypto';
import {
  LIMITS,
  RsError,
  applyEvent,
  awaitingTransfer,
  type InboundInfo,
  foldEvents,
  type ParticipantInfo,
  type SessionEvent,
  type SessionEventEnvelope,
  type SessionView,
  type SignalPayload,
} from '@rs/protocol';
import type { Bus } from '../../bus/bus.js';
import { isUniqueViolation } from '../../db/database.js';
import { newId } from '../../ids.js';
import { KeyedMutex } from './mutex.js';
import type { SessionsTable } from '../../db/schema.js';
import type { SessionStore } from './store.js';

export type Listener = (env: SessionEventEnvelope, view: SessionView) => void;
export interface Signal {
  activityId: string;
  from: string;
  to: string;
  payload: SignalPayload;
}
export type SignalListener = (signal: Signal) => void;

interface Live {
  view: SessionView;
  listeners: Set<Listener>;
  signalListeners: Set<SignalListener>;
  unsubscribeBus: (() => Promise<void>) | null;
}

const MAX_APPEND_RETRIES = 30;
/**
 * Upper bound of the random pause before retrying a lost append, in ms, by
 * attempt. Without it the node that lost a race tends to lose the next one
 * too (the winner's next append is already on its way), and under steady
 * load from another node it ran out of retries: the intent failed.
 */
const retryPauseMs = (attempt: number) => Math.random() * Math.min(50, 2 ** attempt);

/**
 * Owns the authoritative session state on this node. Every change is
 * `transact`: catch up from the store, decide, append with the next sequence
 * numbers (the store's primary key settles races between nodes), publish.
 * Local listeners receive each event exactly once, in sequence order.
 */
export class SessionEngine {
  private readonly live = new Map<string, Live>();
  private readonly mutex = new KeyedMutex();
  private readonly appendedHooks = new Set<(sessionId: string, envelopes: SessionEventEnvelope[]) => void>();
  appendedTotal = 0;

  constructor(
    private readonly store: SessionStore,
    private readonly bus: Bus,
    private readonly clock: () => number = Date.now,
  ) {}

  private now(): string {
    return new Date(this.clock()).toISOString();
  }

  /** Starts a session with a fresh 9-digit number, unique among open sessions. */
  async create(
    primary: Omit<ParticipantInfo, 'role' | 'id'> & { userId: string },
    inbound?: InboundInfo,
  ): Promise<{ sessionId: string; number: string; primaryId: string }> {
    const sessionId = newId(12);
    const primaryId = newId(9);
    for (let attempt = 0; attempt < 20; attempt++) {
      const at = this.now();
      const number = drawNumber();
      const first: SessionEventEnvelope = { seq: 1, at, event: startedEvent(number, { ...primary, id: primaryId }, inbound) };
      try {
        await this.store.create(
          {
            id: sessionId,
            number,
            status: 'open',
            created_by: primary.userId,
            created_at: at,
            ended_at: null,
            last_seq: 1,
            primary_away_since: at,
          },
          first,
          primary.userId,
        );
        return { sessionId, number, primaryId };
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    throw new RsError('RS_ERR_INTERNAL', 'Could not find a free session number.');
  }

  /**
   * An inbound session (S-2) with its customer already admitted, built but
   * not written: WebACD starts many at once in its own transaction
   * (SessionStore.insertMany) and then calls `created`. `renumber` draws a
   * new number after a collision.
   */
  prepareInbound(
    primary: Omit<ParticipantInfo, 'role' | 'id' | 'kind'> & { userId: string },
    inbound: InboundInfo,
    customer: { name: string; email?: string | undefined },
  ): PreparedSession {
    const at = this.now();
    const sessionId = newId(12);
    const primaryId = newId(9);
    const customerId = newId(9);
    const envelopes: SessionEventEnvelope[] = [
      { seq: 1, at, event: startedEvent(drawNumber(), { ...primary, kind: 'rep', id: primaryId }, inbound) },
      {
        seq: 2,
        at,
        event: {
          type: 'participant.joined',
          participant: { id: customerId, kind: 'customer', role: 'customer', name: customer.name, ...(customer.email ? { email: customer.email } : {}) },
        },
      },
    ];
    const view = foldEvents(envelopes);
    if (!view) throw new RsError('RS_ERR_INTERNAL', 'The new session could not be built.');
    return {
      sessionId,
      number: view.number,
      primaryId,
      customerId,
      repUserId: primary.userId,
      envelopes,
      row: { id: sessionId, number: view.number, created_by: primary.userId, created_at: at, ...projectionOf(view) },
    };
  }

  renumber(p: PreparedSession): PreparedSession {
    const [first, ...rest] = p.envelopes;
    if (!first || first.event.type !== 'session.started') return p;
    const number = drawNumber();
    return { ...p, number, row: { ...p.row, number }, envelopes: [{ ...first, event: { ...first.event, number } }, ...rest] };
  }

  /** After prepared sessions were committed: what follows any transaction of this node. */
  created(batch: PreparedSession[]): void {
    for (const p of batch) {
      this.appendedTotal += p.envelopes.length;
      for (const hook of this.appendedHooks) {
        try {
          hook(p.sessionId, p.envelopes);
        } catch {
          // hooks must not fail a committed transaction
        }
      }
    }
  }

  /** The current view, from memory when this node serves the session, else from the store. */
  async view(sessionId: string): Promise<SessionView | null> {
    return this.mutex.run(sessionId, async () => {
      const live = this.live.get(sessionId);
      if (live) {
        await this.catchUp(sessionId, live);
        return live.view;
      }
      return foldEvents(await this.store.eventsAfter(sessionId, 0));
    });
  }

  /**
   * Applies a decision atomically. `decide` sees the latest view and returns
   * the events to append (maybe none) or throws an RsError.
   */
  async transact(
    sessionId: string,
    decide: (view: SessionView) => SessionEvent[],
  ): Promise<{ envelopes: SessionEventEnvelope[]; view: SessionView }> {
    return this.mutex.run(sessionId, async () => {
      const live = this.live.get(sessionId);
      for (let attempt = 0; ; attempt++) {
        let view: SessionView | null;
        if (live) {
          await this.catchUp(sessionId, live);
          view = live.view;
        } else {
          view = foldEvents(await this.store.eventsAfter(sessionId, 0));
        }
        if (!view) throw RsError.notFound('There is no session with this id.');
        const events = decide(view);
        if (events.length === 0) return { envelopes: [], view };
        const at = this.now();
        const base = view.lastSeq;
        const envelopes: SessionEventEnvelope[] = events.map((event, i) => ({ seq: base + 1 + i, at, event }));
        const after = envelopes.reduce(applyEvent, view);
        try {
          await this.store.append(sessionId, envelopes, projectionOf(after), repUsersOf(events));
        } catch (err) {
          // Another node appended first: fold what it wrote and decide again.
          if (!isUniqueViolation(err) || attempt >= MAX_APPEND_RETRIES) throw err;
          await new Promise((r) => setTimeout(r, retryPauseMs(attempt)));
          continue;
        }
        this.appendedTotal += envelopes.length;
        if (live) this.deliver(live, envelopes);
        for (const hook of this.appendedHooks) {
          try {
            hook(sessionId, envelopes);
          } catch {
            // hooks must not fail a committed transaction
          }
        }
        // Publishing is a hint to other nodes; they also catch up from the store.
        void this.bus.publish(sessionId, { kind: 'events', envelopes }).catch(() => undefined);
        return { envelopes, view: after };
      }
    });
  }

  /**
   * Listens to a session's events on this node. The listener is called for
   * every event after the returned view, in order.
   */
  async subscribe(
    sessionId: string,
    listener: Listener,
    onSignal?: SignalListener,
  ): Promise<{ view: SessionView; unsubscribe: () => Promise<void> }> {
    return this.mutex.run(sessionId, async () => {
      let live = this.live.get(sessionId);
      if (!live) {
        const view = foldEvents(await this.store.eventsAfter(sessionId, 0));
        if (!view) throw RsError.notFound('There is no session with this id.');
        live = { view, listeners: new Set(), signalListeners: new Set(), unsubscribeBus: null };
        this.live.set(sessionId, live);
        const entry = live;
        try {
          entry.unsubscribeBus = await this.bus.subscribe(sessionId, (message) => {
            if (message.kind === 'signal') {
              for (const l of [...entry.signalListeners]) {
                try {
                  l(message);
                } catch {
                  // isolate sockets
                }
              }
              return;
            }
            if (message.kind !== 'events') return;
            // Content comes from the store so that gaps and reordering cannot happen.
            void this.mutex.run(sessionId, () => this.catchUp(sessionId, entry)).catch(() => undefined);
          });
        } catch (err) {
          // Not kept without a bus subscription: the next subscriber tries again.
          this.live.delete(sessionId);
          throw err;
        }
        // Events may have landed between the fold and the subscription.
        await this.catchUp(sessionId, entry);
      } else {
        await this.catchUp(sessionId, live);
      }
      live.listeners.add(listener);
      if (onSignal) live.signalListeners.add(onSignal);
      const entry = live;
      return {
        view: entry.view,
        // Under the mutex: a subscriber catching up on this entry must not find it dropped under its feet
        // (it would be left listening to an entry that nothing delivers to any more).
        unsubscribe: () =>
          this.mutex.run(sessionId, async () => {
            entry.listeners.delete(listener);
            if (onSignal) entry.signalListeners.delete(onSignal);
            if (entry.listeners.size === 0 && this.live.get(sessionId) === entry) {
              this.live.delete(sessionId);
              await entry.unsubscribeBus?.();
            }
          }),
      };
    });
  }

  /** Relays signaling to the recipient's sockets on whichever node holds them. The caller checks M12. */
  async sendSignal(sessionId: string, signal: Signal): Promise<void> {
    await this.bus.publish(sessionId, { kind: 'signal', ...signal });
  }

  /** Called after every transaction this node commits (e.g. to arm expiry timers). */
  onAppended(hook: (sessionId: string, envelopes: SessionEventEnvelope[]) => void): () => void {
    this.appendedHooks.add(hook);
    return () => this.appendedHooks.delete(hook);
  }

  liveSessionCount(): number {
    return this.live.size;
  }

  private async catchUp(sessionId: string, live: Live): Promise<void> {
    const missed = await this.store.eventsAfter(sessionId, live.view.lastSeq);
    if (missed.length > 0) this.deliver(live, missed);
  }

  private deliver(live: Live, envelopes: SessionEventEnvelope[]): void {
    for (const env of envelopes) {
      if (env.seq !== live.view.lastSeq + 1) continue;
      live.view = applyEvent(live.view, env);
      for (const l of [...live.listeners]) {
        try {
          l(env, live.view);
        } catch {
          // A broken socket handler must not corrupt the session state.
        }
      }
    }
  }
}

export interface PreparedSession {
  sessionId: string;
  number: string;
  primaryId: string;
  customerId: string;
  repUserId: string;
  row: SessionsTable;
  envelopes: SessionEventEnvelope[];
}

const drawNumber = () => String(crypto.randomInt(0, 10 ** LIMITS.sessionNumberDigits)).padStart(LIMITS.sessionNumberDigits, '0');

function startedEvent(number: string, primary: Omit<ParticipantInfo, 'role'>, inbound: InboundInfo | undefined): SessionEvent {
  return { type: 'session.started', number, primary: { ...primary, kind: 'rep', role: 'primary' }, ...(inbound ? { inbound } : {}) };
}

/** The columns of `sessions` that queries need without folding the log. */
function projectionOf(view: SessionView) {
  const primary = view.participants[view.primaryId];
  const ended = view.status.state === 'ended';
  return {
    status: ended ? 'ended' : 'open',
    ended_at: view.status.state === 'ended' ? view.status.at : null,
    last_seq: view.lastSeq,
    // A session waiting for an agent after a transfer (SES-4) has no primary to time out.
    primary_away_since: ended || !primary || primary.connected || awaitingTransfer(view) ? null : (primary.disconnectedAt ?? view.startedAt),
  };
}

function repUsersOf(events: SessionEvent[]): string[] {
  const ids: string[] = [];
  for (const e of events) {
    if ((e.type === 'participant.joined' || e.type === 'session.transfer.accepted') && e.participant.kind === 'rep' && e.participant.userId) {
      ids.push(e.participant.userId);
    }
  }
  return ids;
}
