import type { Queue } from '@rs/protocol';
import type { AcdTopic } from '../../bus/bus.js';
import type { AcdRequestsTable } from '../../db/schema.js';
import { newId } from '../../ids.js';
import type { SettingsStore } from '../settings/store.js';
import type { AcdStore, ClaimedOffer } from './store.js';

export interface DispatcherDeps {
  store: AcdStore;
  settings: SettingsStore;
  clock: () => number;
  onOffered(requestId: string, agentId: string, queueId: string | null): Promise<void>;
  /** Offers of one batch (claimBatch): accepts those of agents with auto-accept, tells the others' consoles. */
  onOfferedBatch(queue: Queue, claimed: ClaimedOffer[]): Promise<void>;
  onExpired(row: AcdRequestsTable): void;
  onAbandoned(row: AcdRequestsTable): Promise<void>;
  onChanged(topic: AcdTopic, id: string | null): void;
  /** Mends what a node that died mid-way left behind (see AcdService.repair). */
  repair(): Promise<void>;
}

/** How many agents are tried for one person before the dispatcher reads the shortlist again. */
const SHORTLIST = 8;
/** People offered in one claim of a queue: large enough to amortize the round trips, small enough to keep a transaction short. */
const BATCH = 200;

/**
 * ACD-3: offers the next waiting person to the best available agent of the
 * queue, by the queue's routing rule, within the agent's limit (S-5). Every
 * node runs one; they need no coordination because each offer is a
 * conditional update (store.claimOffer): a person is offered to one agent at
 * a time and an agent never over the limit, whichever node wins.
 *
 * Runs when something changes on this node (kick) and on a timer (tick),
 * which also moves rung-out offers on, overflows long waits and gives up the
 * places of people whose page is gone.
 */
export class Dispatcher {
  private running: Promise<void> | null = null;
  private again = false;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private ticker: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Offers made, for metrics and the benchmark. */
  offersMade = 0;

  constructor(private readonly deps: DispatcherDeps) {}

  private now(): string {
    return new Date(this.deps.clock()).toISOString();
  }

  start(intervalMs: number, graceSeconds: () => Promise<number>): void {
    this.ticker = setInterval(() => void this.tick(graceSeconds).catch(() => undefined), intervalMs);
    this.ticker.unref();
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Runs a distribution pass now, or once more right after the running one. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.distribute();
        } while (this.again && !this.stopped);
      } catch {
        // A failed pass (database busy, node shutting down) is retried by the next kick or tick.
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Resolves when no pass is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async tick(graceSeconds: () => Promise<number>): Promise<void> {
    if (this.stopped) return;
    const now = this.now();
    await this.deps.repair();
    for (const row of await this.deps.store.expiredOffers(now)) await this.returnOffer(row, { setAway: true });
    for (const queue of await this.deps.store.queues()) {
      if (queue.overflowAfterSeconds === null || queue.overflowQueueId === null) continue;
      const cutoff = new Date(this.deps.clock() - queue.overflowAfterSeconds * 1000).toISOString();
      for (const row of await this.deps.store.overdueForOverflow(queue.id, cutoff)) {
        const moved = await this.deps.store.updateRequest(
          row.id,
          { queue_id: queue.overflowQueueId, queued_at: now, overflowed_from: queue.id },
          ['waiting'],
        );
        if (moved) {
          this.deps.onChanged('request', row.id);
          this.deps.onChanged('queue', queue.id);
          this.deps.onChanged('queue', queue.overflowQueueId);
        }
      }
    }
    const cutoff = new Date(this.deps.clock() - (await graceSeconds()) * 1000).toISOString();
    for (const row of await this.deps.store.disconnectedSince(cutoff)) {
      if (await this.deps.store.updateRequest(row.id, { state: 'abandoned', ended_at: now }, ['waiting', 'offered'])) await this.deps.onAbandoned(row);
    }
    await this.kick();
  }

  /**
   * An offer goes back in line. Rung out (ACD-3): the agent is set away so
   * the next one gets it and nobody is offered people they do not answer.
   */
  async returnOffer(row: AcdRequestsTable, opts: { setAway: boolean }): Promise<void> {
    if (!row.offer_id) return;
    this.clearTimer(row.offer_id);
    if (!(await this.deps.store.returnOffer(row.offer_id))) return;
    if (opts.setAway && row.agent_id) await this.deps.store.updateAgent(row.agent_id, { status: 'away', missed_offer: 1 });
    this.deps.onExpired(row);
    void this.kick();
  }

  private clearTimer(offerId: string): void {
    const t = this.timers.get(offerId);
    if (t) clearTimeout(t);
    this.timers.delete(offerId);
  }

  private async distribute(): Promise<void> {
    const settings = await this.deps.settings.get();
    if (!settings.webAcdEnabled) return;
    const maxLoad = settings.maxCustomersPerRep;
    const offerMs = settings.acdOfferSeconds * 1000;
    const queues = new Map((await this.deps.store.queues()).map((q) => [q.id, q]));
    for (const queueId of await this.deps.store.queuesWithWaiting()) {
      if (this.stopped) return;
      if (queueId === null) await this.distributeDirect(maxLoad, offerMs);
      else {
        const queue = queues.get(queueId);
        if (queue) await this.distributeQueue(queue, maxLoad, offerMs);
      }
    }
  }

  /**
   * First come, first served: the head of the line waits until one of its
   * agents is free. Claimed in batches (the next people × the best free
   * agents, one transaction each) until the line or the free agents run out.
   */
  private async distributeQueue(queue: Queue, maxLoad: number, offerMs: number): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const now = this.deps.clock();
      const claimed = await this.deps.store.claimBatch({
        queueId: queue.id,
        routing: queue.routing,
        maxLoad,
        limit: BATCH,
        now: new Date(now).toISOString(),
        expiresAt: new Date(now + offerMs).toISOString(),
        newOfferId: () => newId(12),
      });
      if (claimed.length === 0) return;
      this.offersMade += claimed.length;
      // Offers an agent accepts by themself ring until answered or rung out.
      for (const c of claimed) if (!c.agent.autoAccept && c.row.offer_id) this.armTimer(c.row.offer_id, now + offerMs);
      await this.deps.onOfferedBatch(queue, claimed).catch(() => undefined);
    }
  }

  /** Sessions transferred to chosen agents: each waits for one of its own agents. */
  private async distributeDirect(maxLoad: number, offerMs: number): Promise<void> {
    for (const row of await this.deps.store.nextWaiting(null, 500)) {
      const agentIds = parseIds(row.target_agents);
      const candidates = await this.deps.store.candidatesAmong(agentIds, maxLoad, SHORTLIST);
      if (candidates.length > 0) await this.offerToFirst(row, candidates, maxLoad, offerMs);
    }
  }

  private async offerToFirst(
    row: AcdRequestsTable,
    candidates: string[],
    maxLoad: number,
    offerMs: number,
  ): Promise<{ agentId: string } | 'taken' | 'none'> {
    for (const agentId of candidates) {
      const now = this.deps.clock();
      const offerId = newId(12);
      const expiresAt = new Date(now + offerMs).toISOString();
      const claim = await this.deps.store.claimOffer({
        requestId: row.id,
        agentId,
        maxLoad,
        offerId,
        now: new Date(now).toISOString(),
        expiresAt,
      });
      if (claim.ok) {
        this.offersMade++;
        this.armTimer(offerId, now + offerMs);
        await this.deps.onOffered(row.id, agentId, row.queue_id).catch(() => undefined);
        return { agentId };
      }
      // Another node (or pass) offered this person meanwhile: go on with the next in line.
      if (claim.reason === 'request_taken') return 'taken';
    }
    return 'none';
  }

  private armTimer(offerId: string, atMs: number): void {
    const t = setTimeout(
      () => {
        this.timers.delete(offerId);
        void this.deps.store
          .requestByOffer(offerId)
          .then((row) => (row && row.state === 'offered' ? this.returnOffer(row, { setAway: true }) : undefined))
          .catch(() => undefined);
      },
      Math.max(0, atMs - this.deps.clock()) + 20,
    );
    t.unref();
    this.timers.set(offerId, t);
  }
}

function parseIds(json: string | null): string[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
