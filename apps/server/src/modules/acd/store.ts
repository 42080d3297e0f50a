import { BusinessHours, type Queue, type QueueInput, type RoutingRule } from '@rs/protocol';
import { sql, type Transaction } from 'kysely';
import type { Db, Dialect } from '../../db/database.js';
import type { AcdAgentsTable, AcdQueuesTable, AcdRequestsTable, Database } from '../../db/schema.js';

/** A request that counts against its agent's limit (S-5). */
export const LOADED_STATES = ['offered', 'assigned'] as const;
/** A request still in line: waiting, or being offered (its place is kept until the offer is taken). */
export const IN_LINE_STATES = ['waiting', 'offered'] as const;

export function toQueue(row: AcdQueuesTable, agentIds: string[]): Queue {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    agentIds,
    routing: row.routing as RoutingRule,
    hours: row.hours ? BusinessHours.parse(JSON.parse(row.hours)) : null,
    overflowAfterSeconds: row.overflow_after_seconds,
    overflowQueueId: row.overflow_queue_id,
    formText: row.form_text,
    createdAt: row.created_at,
  };
}

/** A person offered by claimBatch, with who got them. */
export interface ClaimedOffer {
  row: AcdRequestsTable;
  agent: { id: string; name: string; email: string; autoAccept: boolean };
}

export type OfferClaim =
  | { ok: true; offerId: string; expiresAt: string }
  | { ok: false; reason: 'request_taken' | 'agent_busy' };

/** The WebACD tables: queues, agents, requests, messages. Every write that races between nodes is a conditional update. */
export class AcdStore {
  constructor(
    readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  // ---- queues

  async queues(): Promise<Queue[]> {
    const [rows, links] = await Promise.all([
      this.db.selectFrom('acd_queues').selectAll().orderBy('name').execute(),
      this.db.selectFrom('acd_queue_agents').selectAll().execute(),
    ]);
    return rows.map((r) => toQueue(r, links.filter((l) => l.queue_id === r.id).map((l) => l.user_id)));
  }

  async queue(id: string): Promise<Queue | null> {
    const row = await this.db.selectFrom('acd_queues').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toQueue(row, await this.agentIdsOf(id)) : null;
  }

  async queueBySlug(slug: string): Promise<Queue | null> {
    const row = await this.db.selectFrom('acd_queues').selectAll().where('slug', '=', slug).executeTakeFirst();
    return row ? toQueue(row, await this.agentIdsOf(row.id)) : null;
  }

  async agentIdsOf(queueId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('acd_queue_agents').select('user_id').where('queue_id', '=', queueId).execute();
    return rows.map((r) => r.user_id);
  }

  async saveQueue(id: string, input: QueueInput, createdAt: string, isNew: boolean): Promise<void> {
    const row = {
      name: input.name,
      slug: input.slug,
      routing: input.routing,
      hours: input.hours ? JSON.stringify(input.hours) : null,
      overflow_after_seconds: input.overflowAfterSeconds,
      overflow_queue_id: input.overflowQueueId,
      form_text: input.formText,
    };
    await this.db.transaction().execute(async (trx) => {
      if (isNew) await trx.insertInto('acd_queues').values({ id, ...row, rr_last_user_id: null, created_at: createdAt }).execute();
      else await trx.updateTable('acd_queues').set(row).where('id', '=', id).execute();
      await trx.deleteFrom('acd_queue_agents').where('queue_id', '=', id).execute();
      if (input.agentIds.length > 0) {
        await trx
          .insertInto('acd_queue_agents')
          .values([...new Set(input.agentIds)].map((user_id) => ({ queue_id: id, user_id })))
          .execute();
      }
    });
  }

  async deleteQueue(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('acd_queue_agents').where('queue_id', '=', id).execute();
      await trx.updateTable('acd_queues').set({ overflow_queue_id: null }).where('overflow_queue_id', '=', id).execute();
      await trx.deleteFrom('acd_queues').where('id', '=', id).execute();
    });
  }

  async inLineCount(queueId: string): Promise<number> {
    const r = await this.db
      .selectFrom('acd_requests')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('queue_id', '=', queueId)
      .where('state', 'in', IN_LINE_STATES)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async inLineCounts(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('acd_requests')
      .select(['queue_id', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('state', 'in', IN_LINE_STATES)
      .groupBy('queue_id')
      .execute();
    return new Map(rows.filter((r) => r.queue_id !== null).map((r) => [r.queue_id as string, Number(r.n)]));
  }

  // ---- agents

  /** The agent's row, created "away" on first use. */
  async agent(userId: string, now: string): Promise<AcdAgentsTable> {
    const row = await this.db.selectFrom('acd_agents').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (row) return row;
    const fresh: AcdAgentsTable = { user_id: userId, status: 'away', auto_accept: 0, idle_since: now, missed_offer: 0 };
    await this.db
      .insertInto('acd_agents')
      .values(fresh)
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute();
    return (await this.db.selectFrom('acd_agents').selectAll().where('user_id', '=', userId).executeTakeFirst()) ?? fresh;
  }

  async updateAgent(userId: string, patch: Partial<Omit<AcdAgentsTable, 'user_id'>>): Promise<void> {
    await this.db.updateTable('acd_agents').set(patch).where('user_id', '=', userId).execute();
  }

  async agentStatuses(userIds: string[]): Promise<Map<string, string>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('acd_agents').select(['user_id', 'status']).where('user_id', 'in', userIds).execute();
    return new Map(rows.map((r) => [r.user_id, r.status]));
  }

  async load(userId: string): Promise<number> {
    const r = await this.db
      .selectFrom('acd_requests')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('agent_id', '=', userId)
      .where('state', 'in', LOADED_STATES)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async queuesOfAgent(userId: string): Promise<{ id: string; name: string }[]> {
    return this.db
      .selectFrom('acd_queues')
      .innerJoin('acd_queue_agents', 'acd_queue_agents.queue_id', 'acd_queues.id')
      .select(['acd_queues.id as id', 'acd_queues.name as name'])
      .where('acd_queue_agents.user_id', '=', userId)
      .orderBy('acd_queues.name')
      .execute();
  }

  /**
   * A transfer's chosen agents who are available, under their limit and
   * without a ringing offer, longest idle first. Checked again under lock when
   * claiming: this is only the shortlist. (Queues are served by claimBatch.)
   */
  async candidatesAmong(agentIds: string[], maxLoad: number, limit: number): Promise<string[]> {
    if (agentIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('acd_agents')
      .select(['acd_agents.user_id as user_id'])
      .where('acd_agents.user_id', 'in', agentIds)
      .where('acd_agents.status', '=', 'available')
      .where(
        (eb) =>
          eb
            .selectFrom('acd_requests')
            .select((e2) => e2.fn.countAll().as('n'))
            .whereRef('acd_requests.agent_id', '=', 'acd_agents.user_id')
            .where('acd_requests.state', 'in', LOADED_STATES),
        '<',
        maxLoad,
      )
      // One offer rings at a time for an agent.
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('acd_requests')
              .select('acd_requests.id')
              .whereRef('acd_requests.agent_id', '=', 'acd_agents.user_id')
              .where('acd_requests.state', '=', 'offered'),
          ),
        ),
      )
      .orderBy('acd_agents.idle_since')
      .orderBy('acd_agents.user_id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.user_id);
  }

  // ---- requests

  async insertRequest(row: AcdRequestsTable): Promise<void> {
    await this.db.insertInto('acd_requests').values(row).execute();
  }

  async request(id: string): Promise<AcdRequestsTable | undefined> {
    return this.db.selectFrom('acd_requests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async requestByOffer(offerId: string): Promise<AcdRequestsTable | undefined> {
    return this.db.selectFrom('acd_requests').selectAll().where('offer_id', '=', offerId).executeTakeFirst();
  }

  async updateRequest(id: string, patch: Partial<AcdRequestsTable>, onlyIfState?: readonly string[]): Promise<boolean> {
    let q = this.db.updateTable('acd_requests').set(patch).where('id', '=', id);
    if (onlyIfState) q = q.where('state', 'in', onlyIfState);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async deleteRequest(id: string): Promise<void> {
    await this.db.deleteFrom('acd_requests').where('id', '=', id).execute();
  }

  /** Offered → assigned, only by the agent it was offered to and only before it rang out. */
  async acceptOffer(offerId: string, agentId: string, nowIso: string): Promise<boolean> {
    const r = await this.db
      .updateTable('acd_requests')
      .set({ state: 'assigned', assigned_at: nowIso })
      .where('offer_id', '=', offerId)
      .where('agent_id', '=', agentId)
      .where('state', '=', 'offered')
      .where('offer_expires_at', '>=', nowIso)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** An offer goes back in line (rang out, or the agent went away); false when it was taken meanwhile. */
  async returnOffer(offerId: string): Promise<boolean> {
    const r = await this.db
      .updateTable('acd_requests')
      .set({ state: 'waiting', agent_id: null, offer_id: null, offered_at: null, offer_expires_at: null })
      .where('offer_id', '=', offerId)
      .where('state', '=', 'offered')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The next person to offer from a queue (or the transfers to chosen agents when queueId is null). */
  async nextWaiting(queueId: string | null, limit: number): Promise<AcdRequestsTable[]> {
    let q = this.db.selectFrom('acd_requests').selectAll().where('state', '=', 'waiting');
    q = queueId === null ? q.where('queue_id', 'is', null) : q.where('queue_id', '=', queueId);
    return q.orderBy('priority_at').orderBy('id').limit(limit).execute();
  }

  /** Queues that have someone waiting (null: transfers to chosen agents). */
  async queuesWithWaiting(): Promise<(string | null)[]> {
    const rows = await this.db.selectFrom('acd_requests').select('queue_id').distinct().where('state', '=', 'waiting').execute();
    return rows.map((r) => r.queue_id);
  }

  /** Ids in line in a queue, first first. */
  async lineOf(queueId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('acd_requests')
      .select('id')
      .where('queue_id', '=', queueId)
      .where('state', 'in', IN_LINE_STATES)
      .orderBy('priority_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async offersOf(userId: string): Promise<AcdRequestsTable[]> {
    return this.db.selectFrom('acd_requests').selectAll().where('agent_id', '=', userId).where('state', '=', 'offered').orderBy('offered_at').execute();
  }

  /** What counts against an agent's limit (S-5): their ringing offers and assigned people, oldest offer first. */
  async loadOf(userId: string): Promise<AcdRequestsTable[]> {
    return this.db.selectFrom('acd_requests').selectAll().where('agent_id', '=', userId).where('state', 'in', LOADED_STATES).orderBy('offered_at').execute();
  }

  /** The open sessions an agent was assigned, newest first, with the customer's name from the entry form. */
  async openSessionsOfAgent(userId: string): Promise<{ session_id: string; number: string; name: string }[]> {
    const rows = await this.db
      .selectFrom('acd_requests')
      .innerJoin('sessions', 'sessions.id', 'acd_requests.session_id')
      .select(['sessions.id as session_id', 'sessions.number as number', 'acd_requests.name as name'])
      .where('acd_requests.agent_id', '=', userId)
      .where('acd_requests.state', '=', 'assigned')
      .where('sessions.status', '=', 'open')
      .orderBy('acd_requests.assigned_at', 'desc')
      .execute();
    return rows;
  }

  async expiredOffers(nowIso: string): Promise<AcdRequestsTable[]> {
    return this.db.selectFrom('acd_requests').selectAll().where('state', '=', 'offered').where('offer_expires_at', '<', nowIso).execute();
  }

  async overdueForOverflow(queueId: string, cutoffIso: string): Promise<AcdRequestsTable[]> {
    return this.db
      .selectFrom('acd_requests')
      .selectAll()
      .where('queue_id', '=', queueId)
      .where('state', '=', 'waiting')
      .where('queued_at', '<', cutoffIso)
      .execute();
  }

  async disconnectedSince(cutoffIso: string): Promise<AcdRequestsTable[]> {
    return this.db
      .selectFrom('acd_requests')
      .selectAll()
      .where('state', 'in', IN_LINE_STATES)
      .where('session_id', 'is', null)
      .where('disconnected_at', 'is not', null)
      .where('disconnected_at', '<', cutoffIso)
      .execute();
  }

  /** Assigned requests whose session ended without the request learning it (a node died in between). */
  async assignedWithEndedSession(): Promise<AcdRequestsTable[]> {
    return this.db
      .selectFrom('acd_requests')
      .innerJoin('sessions', 'sessions.id', 'acd_requests.session_id')
      .selectAll('acd_requests')
      .where('acd_requests.state', '=', 'assigned')
      .where('sessions.status', '=', 'ended')
      .execute();
  }

  async heldBefore(cutoffIso: string): Promise<AcdRequestsTable[]> {
    return this.db.selectFrom('acd_requests').selectAll().where('state', '=', 'held').where('entered_at', '<', cutoffIso).execute();
  }

  async requestsOfSession(sessionId: string): Promise<AcdRequestsTable[]> {
    return this.db.selectFrom('acd_requests').selectAll().where('session_id', '=', sessionId).execute();
  }

  /**
   * Offers one person to one agent (a transfer to chosen agents; queues go
   * through claimBatch), atomically: the agent is still available
   * and under their limit, and the person is still waiting. Two nodes (or two
   * loops) racing for the same person or the same agent's last slot: one wins,
   * the other learns why and moves on.
   */
  async claimOffer(input: {
    requestId: string;
    agentId: string;
    maxLoad: number;
    offerId: string;
    now: string;
    expiresAt: string;
  }): Promise<OfferClaim> {
    return this.db.transaction().execute(async (trx) => {
      // Locks the agent's row (PostgreSQL) so that the load count below stays true until commit;
      // SQLite runs one write transaction at a time anyway.
      const locked = await this.lockAgent(trx, input.agentId);
      if (!locked || locked.status !== 'available') return { ok: false, reason: 'agent_busy' } as const;
      const loaded = await trx.selectFrom('acd_requests').select('state').where('agent_id', '=', input.agentId).where('state', 'in', LOADED_STATES).execute();
      if (loaded.length >= input.maxLoad || loaded.some((r) => r.state === 'offered')) return { ok: false, reason: 'agent_busy' } as const;
      const taken = await trx
        .updateTable('acd_requests')
        .set({ state: 'offered', offer_id: input.offerId, agent_id: input.agentId, offered_at: input.now, offer_expires_at: input.expiresAt })
        .where('id', '=', input.requestId)
        .where('state', '=', 'waiting')
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) return { ok: false, reason: 'request_taken' } as const;
      await trx.updateTable('acd_agents').set({ idle_since: input.now }).where('user_id', '=', input.agentId).execute();
      return { ok: true, offerId: input.offerId, expiresAt: input.expiresAt } as const;
    });
  }

  /**
   * Offers the next people of one queue to its best free agents, as many
   * pairs as there are both, in one transaction (ACD-3 at volume). The free
   * agents are locked first (`FOR UPDATE SKIP LOCKED` on PostgreSQL: another
   * node's dispatcher skips them and serves other agents or queues instead of
   * waiting), their load is counted again in a new statement (a fresh
   * snapshot, so a claim another node committed meanwhile is seen), then the
   * head of the line is taken the same way and each person is given to one
   * agent, in routing order, with one conditional update for the batch. A
   * person is offered to one agent at a time, an agent has one ringing offer
   * and stays within `maxLoad`, whichever node wins.
   */
  async claimBatch(input: {
    queueId: string;
    routing: RoutingRule;
    maxLoad: number;
    limit: number;
    now: string;
    expiresAt: string;
    newOfferId: () => string;
  }): Promise<ClaimedOffer[]> {
    return this.db.transaction().execute(async (trx) => {
      const pg = this.dialect === 'postgres';
      // No more agents are locked than there are people to offer: another node's pass then finds the rest free.
      const waiting = await trx
        .selectFrom((eb) => eb.selectFrom('acd_requests').select('id').where('state', '=', 'waiting').where('queue_id', '=', input.queueId).limit(input.limit).as('w'))
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .executeTakeFirst();
      const want = Number(waiting?.n ?? 0);
      if (want === 0) return [];
      let agents = trx
        .selectFrom('acd_agents as a')
        .innerJoin('acd_queue_agents as qa', (j) => j.onRef('qa.user_id', '=', 'a.user_id').on('qa.queue_id', '=', input.queueId))
        .innerJoin('users as u', 'u.id', 'a.user_id')
        .select(['a.user_id as user_id', 'a.auto_accept as auto_accept', 'u.name as name', 'u.email as email'])
        .where('a.status', '=', 'available')
        .where('u.disabled', '=', 0)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('acd_requests as r').select('r.id').whereRef('r.agent_id', '=', 'a.user_id').where('r.state', '=', 'offered'))))
        .where((eb) => eb.selectFrom('acd_requests as r').select((e2) => e2.fn.countAll().as('n')).whereRef('r.agent_id', '=', 'a.user_id').where('r.state', 'in', LOADED_STATES), '<', input.maxLoad);
      if (input.routing === 'round_robin') {
        // The agents in a fixed circle (by id), starting after the one who got the last offer.
        const last = trx.selectFrom('acd_queues').select((eb) => eb.fn.coalesce('rr_last_user_id', sql.lit('')).as('l')).where('id', '=', input.queueId);
        agents = agents.orderBy(sql`case when a.user_id > (${last}) then 0 else 1 end`).orderBy('a.user_id');
      } else {
        agents = agents.orderBy('a.idle_since').orderBy('a.user_id');
      }
      agents = agents.limit(want);
      const free = await (pg ? agents.forUpdate('a').skipLocked() : agents).execute();
      if (free.length === 0) return [];
      // Counted again now that the rows are ours: the filter above may have read a snapshot from before another node's commit.
      const loads = await trx
        .selectFrom('acd_requests')
        .select(['agent_id', 'state'])
        .where('agent_id', 'in', free.map((a) => a.user_id))
        .where('state', 'in', LOADED_STATES)
        .execute();
      const ringing = new Set(loads.filter((r) => r.state === 'offered').map((r) => r.agent_id));
      const load = new Map<string, number>();
      for (const r of loads) if (r.agent_id) load.set(r.agent_id, (load.get(r.agent_id) ?? 0) + 1);
      const ready = free.filter((a) => !ringing.has(a.user_id) && (load.get(a.user_id) ?? 0) < input.maxLoad);
      if (ready.length === 0) return [];
      let heads = trx
        .selectFrom('acd_requests')
        .selectAll()
        .where('state', '=', 'waiting')
        .where('queue_id', '=', input.queueId)
        .orderBy('priority_at')
        .orderBy('id')
        .limit(ready.length);
      if (pg) heads = heads.forUpdate().skipLocked();
      const people = await heads.execute();
      const pairs = people.map((row, i) => ({ row, agent: ready[i]!, offerId: input.newOfferId() }));
      if (pairs.length === 0) return [];
      const values = sql.join(pairs.map((p) => sql`(${p.row.id}, ${p.agent.user_id}, ${p.offerId})`));
      const taken = await sql<{ id: string }>`
        with v(id, agent_id, offer_id) as (values ${values})
        update acd_requests
           set state = 'offered', agent_id = v.agent_id, offer_id = v.offer_id, offered_at = ${input.now}, offer_expires_at = ${input.expiresAt}
          from v
         where acd_requests.id = v.id and acd_requests.state = 'waiting'
        returning acd_requests.id as id`.execute(trx);
      const won = new Set(taken.rows.map((r) => r.id));
      const claimed = pairs.filter((p) => won.has(p.row.id));
      if (claimed.length === 0) return [];
      await trx.updateTable('acd_agents').set({ idle_since: input.now }).where('user_id', 'in', claimed.map((p) => p.agent.user_id)).execute();
      if (input.routing === 'round_robin') {
        await trx.updateTable('acd_queues').set({ rr_last_user_id: claimed.at(-1)!.agent.user_id }).where('id', '=', input.queueId).execute();
      }
      return claimed.map((p) => ({
        row: { ...p.row, state: 'offered', agent_id: p.agent.user_id, offer_id: p.offerId, offered_at: input.now, offer_expires_at: input.expiresAt },
        agent: { id: p.agent.user_id, name: p.agent.name, email: p.agent.email, autoAccept: p.agent.auto_accept === 1 },
      }));
    });
  }

  /**
   * Offered → assigned for many offers at once, each only for the agent it was
   * offered to and before it rang out, with the session each one starts
   * (`sessionId`, the customer's participant id). `within` runs in the same
   * transaction with the ids that were taken (the sessions are written
   * there), so a request is never assigned without its session or the reverse.
   */
  async assignBatch(
    items: { requestId: string; offerId: string; agentId: string; sessionId: string; customerParticipantId: string }[],
    nowIso: string,
    within: (trx: Transaction<Database>, taken: Set<string>) => Promise<void>,
  ): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    return this.db.transaction().execute(async (trx) => {
      const values = sql.join(items.map((i) => sql`(${i.requestId}, ${i.offerId}, ${i.agentId}, ${i.sessionId}, ${i.customerParticipantId})`));
      const r = await sql<{ id: string }>`
        with v(id, offer_id, agent_id, session_id, customer_participant_id) as (values ${values})
        update acd_requests
           set state = 'assigned', assigned_at = ${nowIso}, session_id = v.session_id, customer_participant_id = v.customer_participant_id
          from v
         where acd_requests.id = v.id and acd_requests.offer_id = v.offer_id and acd_requests.agent_id = v.agent_id
           and acd_requests.state = 'offered' and acd_requests.offer_expires_at >= ${nowIso}
        returning acd_requests.id as id`.execute(trx);
      const taken = new Set(r.rows.map((x) => x.id));
      await within(trx, taken);
      return taken;
    });
  }

  private async lockAgent(trx: Transaction<Database>, userId: string): Promise<AcdAgentsTable | undefined> {
    const q = trx.selectFrom('acd_agents').selectAll().where('user_id', '=', userId);
    return this.dialect === 'postgres' ? q.forUpdate().skipLocked().executeTakeFirst() : q.executeTakeFirst();
  }

  // ---- messages

  async insertMessage(row: Database['acd_messages']): Promise<void> {
    await this.db.insertInto('acd_messages').values(row).execute();
  }

  async messages(queueIds: string[] | null, limit: number): Promise<Database['acd_messages'][]> {
    let q = this.db.selectFrom('acd_messages').selectAll();
    if (queueIds !== null) {
      if (queueIds.length === 0) return [];
      q = q.where('queue_id', 'in', queueIds);
    }
    return q.orderBy('created_at', 'desc').limit(limit).execute();
  }

  // ---- history (estimates and reports)

  /** Recently answered entries of a queue, newest first. */
  async recentAnswered(queueId: string, sinceIso: string, limit: number): Promise<{ entered_at: string; assigned_at: string }[]> {
    const rows = await this.db
      .selectFrom('acd_requests')
      .select(['entered_at', 'assigned_at'])
      .where('queue_id', '=', queueId)
      .where('assigned_at', 'is not', null)
      .where('assigned_at', '>=', sinceIso)
      .orderBy('assigned_at', 'desc')
      .limit(limit)
      .execute();
    return rows.filter((r): r is { entered_at: string; assigned_at: string } => r.assigned_at !== null);
  }

  async enteredBetween(fromIso: string, toIso: string): Promise<AcdRequestsTable[]> {
    return this.db
      .selectFrom('acd_requests')
      .selectAll()
      .where('entered_at', '>=', fromIso)
      .where('entered_at', '<', toIso)
      .where('queue_id', 'is not', null)
      .orderBy('entered_at')
      .execute();
  }
}
