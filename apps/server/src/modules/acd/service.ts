import crypto from 'node:crypto';
import {
  RsError,
  awaitingTransfer,
  presentParticipants,
  type AcceptedOffer,
  type AgentState,
  type HelpRequestBody,
  type LeftMessage,
  type Offer,
  type Queue,
  type QueueInput,
  type QueuePublicInfo,
  type SessionEventEnvelope,
  type TransferSessionBody,
  type TransferTarget,
  type TransferTargets,
  type User,
  type WaitingState,
  type WaitingTicket,
} from '@rs/protocol';
import { acdChannel, type AcdTopic, type Bus } from '../../bus/bus.js';
import { isUniqueViolation } from '../../db/database.js';
import type { AcdRequestsTable } from '../../db/schema.js';
import { newId } from '../../ids.js';
import type { Mailer } from '../mail/mailer.js';
import type { PreparedSession } from '../sessions/engine.js';
import type { SessionService } from '../sessions/service.js';
import { decideSessionTransfer, decideTransferAccept } from '../sessions/rules.js';
import type { SettingsStore } from '../settings/store.js';
import type { UserStore } from '../users/store.js';
import { Dispatcher } from './dispatcher.js';
import { isOpen, nextOpening } from './hours.js';
import { IN_LINE_STATES, type AcdStore, type ClaimedOffer } from './store.js';

export interface AcdDeps {
  store: AcdStore;
  sessions: SessionService;
  settings: SettingsStore;
  users: UserStore;
  bus: Bus;
  mailer: Mailer;
  secret: Buffer;
  publicUrl: string;
  clock?: () => number;
}

/** How far back the estimate of a wait looks, and how many answers it uses. */
const ESTIMATE_WINDOW_MS = 2 * 3600_000;
const ESTIMATE_SAMPLES = 30;
const ESTIMATE_CACHE_MS = 5_000;
const COUNTS_CACHE_MS = 250;

/**
 * WebACD (ACD-1..5, SES-4): people enter queues, agents are offered them,
 * accepted offers become sessions, sessions can go back to a queue or to
 * chosen agents. Distribution itself is the Dispatcher's.
 */
export class AcdService {
  readonly dispatcher: Dispatcher;
  private readonly clock: () => number;
  private readonly estimates = new Map<string, { at: number; secondsPerPlace: number | null }>();
  private counts: { at: number; value: Promise<Map<string, number>> } | null = null;

  constructor(private readonly deps: AcdDeps) {
    this.clock = deps.clock ?? Date.now;
    this.dispatcher = new Dispatcher({
      store: deps.store,
      settings: deps.settings,
      clock: this.clock,
      onOffered: (requestId, agentId, queueId) => this.onOffered(requestId, agentId, queueId),
      onOfferedBatch: (queue, claimed) => this.onOfferedBatch(queue, claimed),
      onExpired: (row) => this.afterExpiry(row),
      onChanged: (topic, id) => this.notify(topic, id),
      onAbandoned: (row) => this.afterAbandon(row),
      repair: () => this.repair(),
    });
  }

  get store(): AcdStore {
    return this.deps.store;
  }

  private now(): string {
    return new Date(this.clock()).toISOString();
  }

  notify(topic: AcdTopic, id: string | null): void {
    if (id === null) return;
    void this.deps.bus.publish(acdChannel(topic, id), { kind: 'acd', topic, id }).catch(() => undefined);
  }

  // ---- waiting people's credential: an HMAC of the request id, checkable on every node

  waitingToken(requestId: string): string {
    return crypto.createHmac('sha256', this.deps.secret).update(`acd:${requestId}`).digest('base64url');
  }

  checkWaitingToken(requestId: string, token: string): void {
    const a = Buffer.from(token);
    const b = Buffer.from(this.waitingToken(requestId));
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) throw RsError.forbidden('This link to a place in the queue is not valid.');
  }

  // ---- public: the entry form (ACD-1)

  private async enabledQueue(slug: string): Promise<Queue> {
    const settings = await this.deps.settings.get();
    const queue = await this.deps.store.queueBySlug(slug);
    if (!settings.webAcdEnabled || !queue) throw RsError.notFound('There is no help queue at this address.');
    return queue;
  }

  async publicInfo(slug: string): Promise<QueuePublicInfo> {
    const queue = await this.enabledQueue(slug);
    const at = new Date(this.clock());
    const open = isOpen(queue.hours, at);
    return {
      slug: queue.slug,
      name: queue.name,
      formText: queue.formText,
      open,
      opensAt: open ? null : (nextOpening(queue.hours, at)?.toISOString() ?? null),
    };
  }

  async enqueue(slug: string, body: HelpRequestBody): Promise<WaitingTicket> {
    const queue = await this.enabledQueue(slug);
    if (!isOpen(queue.hours, new Date(this.clock()))) {
      throw RsError.invalidState('This help queue is closed now. Leave a message and we will get back to you.');
    }
    const id = newId(12);
    const now = this.now();
    await this.deps.store.insertRequest({
      ...blankRequest(),
      id,
      queue_id: queue.id,
      name: body.name,
      email: body.email,
      problem: body.problem,
      page_url: body.pageUrl ?? null,
      state: 'waiting',
      entered_at: now,
      queued_at: now,
      priority_at: now,
    });
    this.notify('queue', queue.id);
    this.dispatcher.kick();
    return { requestId: id, token: this.waitingToken(id) };
  }

  async leaveMessage(slug: string, body: HelpRequestBody): Promise<{ id: string }> {
    const queue = await this.enabledQueue(slug);
    const id = newId(12);
    await this.deps.store.insertMessage({
      id,
      queue_id: queue.id,
      name: body.name,
      email: body.email,
      problem: body.problem,
      page_url: body.pageUrl ?? null,
      created_at: this.now(),
    });
    for (const agentId of queue.agentIds) this.notify('agent', agentId);
    // Mailed to the queue's agents when SMTP is configured; without it the message is on the agents' page already.
    if (this.deps.mailer.mode === 'smtp') {
      const text = [
        `${body.name} <${body.email}> left a message in the queue "${queue.name}":`,
        '',
        body.problem,
        ...(body.pageUrl ? ['', `Page: ${body.pageUrl}`] : []),
        '',
        `${this.deps.publicUrl}/inbound`,
      ].join('\n');
      for (const agentId of queue.agentIds) {
        const user = await this.deps.users.byId(agentId);
        if (!user || user.disabled) continue;
        await this.deps.mailer.send({ to: user.email, subject: `Message from ${body.name} (${queue.name})`, text }).catch(() => undefined);
      }
    }
    return { id };
  }

  async leave(requestId: string, token: string): Promise<WaitingState> {
    this.checkWaitingToken(requestId, token);
    const row = await this.deps.store.request(requestId);
    if (!row) throw RsError.notFound('There is no such place in the queue.');
    if (await this.deps.store.updateRequest(requestId, { state: 'abandoned', ended_at: this.now() }, IN_LINE_STATES)) {
      await this.afterAbandon(row);
    }
    return this.waitingState(requestId);
  }

  /** The waiting page's socket opened or closed (an unwatched place is given up after the grace period). */
  async setWatched(requestId: string, watched: boolean): Promise<void> {
    await this.deps.store.updateRequest(requestId, { disconnected_at: watched ? null : this.now() }, IN_LINE_STATES);
  }

  private async afterAbandon(row: AcdRequestsTable): Promise<void> {
    this.notify('request', row.id);
    this.notify('queue', row.queue_id);
    if (row.state === 'offered' && row.agent_id) this.notify('agent', row.agent_id);
    this.dispatcher.kick();
  }

  private async secondsPerPlace(queueId: string): Promise<number | null> {
    const cached = this.estimates.get(queueId);
    if (cached && this.clock() - cached.at < ESTIMATE_CACHE_MS) return cached.secondsPerPlace;
    const answered = await this.deps.store.recentAnswered(queueId, new Date(this.clock() - ESTIMATE_WINDOW_MS).toISOString(), ESTIMATE_SAMPLES);
    let secondsPerPlace: number | null = null;
    const newest = answered[0];
    const oldest = answered.at(-1);
    if (newest && oldest && answered.length >= 2) {
      // How often the queue answers someone lately: the time between answers.
      secondsPerPlace = (Date.parse(newest.assigned_at) - Date.parse(oldest.assigned_at)) / 1000 / (answered.length - 1);
    } else if (newest) {
      secondsPerPlace = (Date.parse(newest.assigned_at) - Date.parse(newest.entered_at)) / 1000;
    }
    this.estimates.set(queueId, { at: this.clock(), secondsPerPlace });
    return secondsPerPlace;
  }

  /** ACD-5: what the person in line sees. `line` can be passed in when many people of one queue are updated at once. */
  async waitingState(requestId: string, line?: string[]): Promise<WaitingState> {
    const row = await this.deps.store.request(requestId);
    if (!row) return { state: 'closed' };
    if (row.state === 'abandoned') return { state: 'left' };
    if (row.state === 'assigned' && row.session_id && row.customer_participant_id) {
      const session = await this.deps.sessions.store.row(row.session_id);
      if (!session) return { state: 'closed' };
      return { state: 'assigned', ticket: this.deps.sessions.ticket(row.session_id, session.number, row.customer_participant_id) };
    }
    if (row.state === 'done' || row.state === 'transferred') return { state: 'closed' };
    // waiting, offered, or assigned with the session still being made
    const queue = row.queue_id ? await this.deps.store.queue(row.queue_id) : null;
    const ids = row.queue_id ? (line ?? (await this.deps.store.lineOf(row.queue_id))) : [row.id];
    const index = ids.indexOf(row.id);
    const position = index >= 0 ? index + 1 : 1;
    const perPlace = row.queue_id ? await this.secondsPerPlace(row.queue_id) : null;
    return {
      state: 'waiting',
      queueName: queue?.name ?? '',
      position,
      estimatedWaitSeconds: perPlace === null ? null : Math.round(perPlace * position),
      waitingSince: row.priority_at,
    };
  }

  // ---- agents (ACD-2, ACD-3)

  /**
   * People in line per queue, read once per node for all the consoles that
   * refresh after one change (within COUNTS_CACHE_MS, until the next change):
   * every open console shows these counts and a busy queue changes them many
   * times a second.
   */
  /** A queue's line changed (the gateway hears it from the bus, whichever node changed it): the next count is read fresh. */
  lineChanged(): void {
    this.counts = null;
  }

  private inLineCounts(): Promise<Map<string, number>> {
    if (this.counts && this.clock() - this.counts.at < COUNTS_CACHE_MS) return this.counts.value;
    const value = this.deps.store.inLineCounts();
    this.counts = { at: this.clock(), value };
    value.catch(() => (this.counts = null));
    return value;
  }

  async agentState(userId: string): Promise<AgentState> {
    const [agent, settings, loaded, queues, counts, open] = await Promise.all([
      this.deps.store.agent(userId, this.now()),
      this.deps.settings.get(),
      // Offers and assigned people in one read: two reads could see one person in both (offered, then assigned) and show the agent over their limit.
      this.deps.store.loadOf(userId),
      this.deps.store.queuesOfAgent(userId),
      this.inLineCounts(),
      this.deps.store.openSessionsOfAgent(userId),
    ]);
    const offers = loaded.filter((r) => r.state === 'offered');
    const names = new Map(queues.map((q) => [q.id, q.name]));
    if (offers.some((r) => r.queue_id && !names.has(r.queue_id))) for (const q of await this.deps.store.queues()) names.set(q.id, q.name);
    const sessions: AgentState['sessions'] = open.map((r) => ({ sessionId: r.session_id, number: r.number, customerName: r.name }));
    return {
      status: agent.status === 'available' ? 'available' : 'away',
      autoAccept: agent.auto_accept === 1,
      load: loaded.length,
      maxCustomers: settings.maxCustomersPerRep,
      offers: offers.map((r): Offer => ({
        offerId: r.offer_id ?? '',
        requestId: r.id,
        queueName: r.queue_id ? (names.get(r.queue_id) ?? null) : null,
        name: r.name,
        email: r.email,
        problem: r.problem,
        transfer: r.transfer_from_name !== null ? { fromName: r.transfer_from_name, message: r.transfer_message ?? '' } : null,
        offeredAt: r.offered_at ?? '',
        expiresAt: r.offer_expires_at ?? '',
      })),
      sessions,
      missedOffer: agent.missed_offer === 1,
      queues: queues.map((q) => ({ id: q.id, name: q.name, waiting: counts.get(q.id) ?? 0 })),
    };
  }

  requireAgent(user: User): void {
    if (!user.roles.agent || !user.roles.rep) throw RsError.forbidden('Only WebACD agents can do this.');
  }

  async setAgent(user: User, patch: { status?: 'available' | 'away' | undefined; autoAccept?: boolean | undefined }): Promise<AgentState> {
    this.requireAgent(user);
    const now = this.now();
    await this.deps.store.agent(user.id, now);
    if (patch.autoAccept !== undefined) await this.deps.store.updateAgent(user.id, { auto_accept: patch.autoAccept ? 1 : 0 });
    if (patch.status === 'available') {
      await this.deps.store.updateAgent(user.id, { status: 'available', idle_since: now, missed_offer: 0 });
    } else if (patch.status === 'away') {
      await this.deps.store.updateAgent(user.id, { status: 'away' });
      // Going away hands back what was offered but not yet taken.
      for (const offer of await this.deps.store.offersOf(user.id)) await this.dispatcher.returnOffer(offer, { setAway: false });
    }
    this.notify('agent', user.id);
    this.dispatcher.kick();
    return this.agentState(user.id);
  }

  private async onOffered(requestId: string, agentId: string, queueId: string | null): Promise<void> {
    this.notify('agent', agentId);
    this.notify('request', requestId);
    this.notify('queue', queueId);
    const agent = await this.deps.store.agent(agentId, this.now());
    if (agent.auto_accept !== 1) return;
    const row = await this.deps.store.request(requestId);
    const user = await this.deps.users.byId(agentId);
    if (!row?.offer_id || !user) return;
    await this.acceptAs({ id: user.id, name: user.name, email: user.email }, row.offer_id).catch(() => undefined);
  }

  /**
   * A batch of offers (Dispatcher.distributeQueue). Offers to agents with
   * auto-accept become sessions at once, all in one transaction with their
   * requests (assignBatch + SessionStore.insertMany); a transferred session
   * is joined one by one as before. Every console and waiting page concerned
   * is told once.
   */
  private async onOfferedBatch(queue: Queue, claimed: ClaimedOffer[]): Promise<void> {
    const fresh = claimed.filter((c) => c.agent.autoAccept && !c.row.session_id);
    const single = claimed.filter((c) => c.agent.autoAccept && c.row.session_id);
    if (fresh.length > 0) await this.startSessions(fresh, queue).catch(() => undefined);
    for (const c of single) {
      if (c.row.offer_id) await this.acceptAs(c.agent, c.row.offer_id).catch(() => undefined);
    }
    for (const c of claimed) {
      this.notify('agent', c.agent.id);
      this.notify('request', c.row.id);
    }
    this.notify('queue', queue.id);
  }

  /**
   * Accepted offers become sessions (S-2): each request goes offered →
   * assigned (only for its agent, before it rang out) in one transaction
   * with its new session, already holding the customer (assignBatch +
   * SessionStore.insertMany). Returns the sessions made, by request id; an
   * offer no longer there is left out. On failure the people go back in
   * line at their places and the error is thrown.
   */
  private async startSessions(claimed: ClaimedOffer[], queue: { id: string; name: string } | null): Promise<Map<string, PreparedSession>> {
    const engine = this.deps.sessions.engine;
    let prepared = claimed.map((c) =>
      engine.prepareInbound(
        { name: c.agent.name, email: c.agent.email, userId: c.agent.id },
        {
          requestId: c.row.id,
          queueId: queue?.id ?? null,
          queueName: queue?.name ?? null,
          customerName: c.row.name,
          email: c.row.email,
          problem: c.row.problem,
          ...(c.row.page_url ? { pageUrl: c.row.page_url } : {}),
        },
        { name: c.row.name, email: c.row.email },
      ),
    );
    for (let attempt = 0; ; attempt++) {
      const items = claimed.map((c, i) => ({
        requestId: c.row.id,
        offerId: c.row.offer_id ?? '',
        agentId: c.agent.id,
        sessionId: prepared[i]!.sessionId,
        customerParticipantId: prepared[i]!.customerId,
      }));
      try {
        const made = new Map<string, PreparedSession>();
        await this.deps.store.assignBatch(items, this.now(), async (trx, taken) => {
          made.clear();
          claimed.forEach((c, i) => taken.has(c.row.id) && made.set(c.row.id, prepared[i]!));
          await this.deps.sessions.store.insertMany(trx, [...made.values()]);
        });
        engine.created([...made.values()]);
        // The agents can take the next person at once (within their limit).
        if (made.size > 0) this.dispatcher.kick();
        return made;
      } catch (err) {
        // A session number already taken by an open session: draw again (rare: 9 digits).
        if (isUniqueViolation(err) && attempt < 5) {
          prepared = prepared.map((p) => engine.renumber(p));
          continue;
        }
        for (const c of claimed) if (c.row.offer_id) await this.deps.store.returnOffer(c.row.offer_id);
        this.dispatcher.kick();
        throw err;
      }
    }
  }

  private afterExpiry(row: AcdRequestsTable): void {
    if (row.agent_id) this.notify('agent', row.agent_id);
    this.notify('request', row.id);
    this.notify('queue', row.queue_id);
  }

  async accept(user: User, offerId: string): Promise<AcceptedOffer> {
    this.requireAgent(user);
    return this.acceptAs({ id: user.id, name: user.name, email: user.email }, offerId);
  }

  /** An accepted offer becomes a session (S-2), or the agent joins the transferred one as its primary. */
  private async acceptAs(user: { id: string; name: string; email: string }, offerId: string): Promise<AcceptedOffer> {
    const row = await this.deps.store.requestByOffer(offerId);
    // A rung-out or withdrawn offer loses its id when the person goes back in line.
    if (!row || row.agent_id !== user.id) throw RsError.invalidState('This offer has expired or was withdrawn.');
    const sessions = this.deps.sessions;
    let result: AcceptedOffer;
    if (!row.session_id) {
      const queue = row.queue_id ? await this.deps.store.queue(row.queue_id) : null;
      const made = (await this.startSessions([{ row, agent: { ...user, autoAccept: false } }], queue)).get(row.id);
      if (!made) throw RsError.invalidState('This offer has expired or was withdrawn.');
      result = { sessionId: made.sessionId, number: made.number, ticket: sessions.ticket(made.sessionId, made.number, made.primaryId) };
    } else {
      const taken = await this.deps.store.acceptOffer(offerId, user.id, this.now());
      if (!taken) throw RsError.invalidState('This offer has expired or was withdrawn.');
      const sessionId = row.session_id;
      const participantId = newId(9);
      try {
        const { view } = await sessions.engine.transact(sessionId, (v) =>
          decideTransferAccept(v, row.id, { id: participantId, kind: 'rep', role: 'primary', name: user.name, email: user.email, userId: user.id }),
        );
        result = { sessionId, number: view.number, ticket: sessions.ticket(sessionId, view.number, view.primaryId) };
      } catch (err) {
        // Nothing was made: the person goes back in line at their place.
        await this.deps.store.updateRequest(row.id, { state: 'waiting', agent_id: null, offer_id: null, offered_at: null, offer_expires_at: null, assigned_at: null });
        this.dispatcher.kick();
        throw err;
      }
    }
    this.notify('agent', user.id);
    this.notify('request', row.id);
    this.notify('queue', row.queue_id);
    return result;
  }

  async messagesFor(user: User): Promise<LeftMessage[]> {
    this.requireAgent(user);
    const queues = await this.deps.store.queues();
    const mine = user.roles.admin ? null : queues.filter((q) => q.agentIds.includes(user.id)).map((q) => q.id);
    const names = new Map(queues.map((q) => [q.id, q.name]));
    return (await this.deps.store.messages(mine, 200)).map((m) => ({
      id: m.id,
      queueId: m.queue_id,
      queueName: names.get(m.queue_id) ?? '',
      name: m.name,
      email: m.email,
      problem: m.problem,
      createdAt: m.created_at,
    }));
  }

  // ---- transfer (SES-4)

  async transferTargets(user: User): Promise<TransferTargets> {
    this.requireAgent(user);
    const [queues, counts, users] = await Promise.all([this.deps.store.queues(), this.inLineCounts(), this.deps.users.list()]);
    const agents = users.filter((u) => u.roles.agent && u.roles.rep && !u.disabled && u.id !== user.id);
    const statuses = await this.deps.store.agentStatuses(agents.map((a) => a.id));
    return {
      queues: queues.map((q) => ({ id: q.id, name: q.name, waiting: counts.get(q.id) ?? 0 })),
      agents: agents.map((a) => ({ userId: a.id, name: a.name, status: statuses.get(a.id) === 'available' ? 'available' : 'away' })),
    };
  }

  async transfer(user: User, sessionId: string, body: TransferSessionBody): Promise<void> {
    const engine = this.deps.sessions.engine;
    const view = await engine.view(sessionId);
    if (!view) throw RsError.notFound('There is no such session.');
    const me = Object.values(view.participants).find((p) => p.userId === user.id && p.status === 'admitted');
    if (!me) throw RsError.forbidden('You are not in this session.');
    let to: TransferTarget;
    if (body.to.kind === 'queue') {
      const queue = await this.deps.store.queue(body.to.queueId);
      if (!queue) throw RsError.notFound('There is no such queue.');
      to = { kind: 'queue', queueId: queue.id, queueName: queue.name };
    } else {
      const ids = [...new Set(body.to.agentIds)];
      const names: string[] = [];
      for (const id of ids) {
        const u = await this.deps.users.byId(id);
        if (!u || u.is_agent !== 1 || u.is_rep !== 1 || u.disabled === 1) throw RsError.validation('Choose WebACD agents only.');
        if (u.id === user.id) throw RsError.validation('You cannot transfer the session to yourself.');
        names.push(u.name);
      }
      to = { kind: 'agents', agentIds: ids, names };
    }
    const previous = await this.deps.store.requestsOfSession(sessionId);
    const mine = previous.find((r) => r.state === 'assigned' && r.agent_id === user.id);
    const customer = presentParticipants(view).find((p) => p.kind === 'customer');
    const now = this.now();
    const requestId = newId(12);
    // Held until the session has recorded the transfer, so the dispatcher cannot offer a session
    // whose transfer then fails.
    await this.deps.store.insertRequest({
      ...blankRequest(),
      id: requestId,
      queue_id: to.kind === 'queue' ? to.queueId : null,
      name: view.inbound?.customerName ?? customer?.name ?? '',
      email: view.inbound?.email ?? customer?.email ?? '',
      problem: view.inbound?.problem ?? '',
      page_url: view.inbound?.pageUrl ?? null,
      state: 'held',
      entered_at: now,
      queued_at: now,
      // Back in line at the original waiting time (SES-4).
      priority_at: mine?.priority_at ?? previous.map((r) => r.priority_at).sort()[0] ?? now,
      session_id: sessionId,
      customer_participant_id: customer?.id ?? null,
      target_agents: to.kind === 'agents' ? JSON.stringify(to.agentIds) : null,
      transfer_from_name: user.name,
      transfer_message: body.message,
    });
    try {
      await engine.transact(sessionId, (v) => {
        const actor = Object.values(v.participants).find((p) => p.userId === user.id && p.status === 'admitted');
        if (!actor) throw RsError.forbidden('You are not in this session.');
        return decideSessionTransfer({ view: v, actorId: actor.id, actorIsAgent: user.roles.agent, requestId, to, message: body.message });
      });
    } catch (err) {
      await this.deps.store.deleteRequest(requestId);
      throw err;
    }
    await this.deps.store.updateRequest(requestId, { state: 'waiting' }, ['held']);
    if (mine) await this.deps.store.updateRequest(mine.id, { state: 'transferred', ended_at: now }, ['assigned']);
    this.notify('agent', user.id);
    this.notify('queue', to.kind === 'queue' ? to.queueId : null);
    if (to.kind === 'agents') for (const id of to.agentIds) this.notify('agent', id);
    this.dispatcher.kick();
  }

  /** Keeps requests in step with their sessions; called after every committed session transaction on this node. */
  async onSessionEvents(sessionId: string, envelopes: SessionEventEnvelope[]): Promise<void> {
    const ended = envelopes.some((e) => e.event.type === 'session.ended');
    const someoneLeft = envelopes.some((e) => e.event.type === 'participant.left' || e.event.type === 'participant.denied');
    if (!ended && !someoneLeft) return;
    const rows = await this.deps.store.requestsOfSession(sessionId);
    if (rows.length === 0) return;
    if (!ended) {
      // A customer who leaves a session waiting for an agent abandons it: nobody is left to help.
      const view = await this.deps.sessions.engine.view(sessionId);
      if (view && awaitingTransfer(view) && !presentParticipants(view).some((p) => p.kind === 'customer')) {
        await this.deps.sessions.engine
          .transact(sessionId, (v) => (v.status.state === 'open' ? [{ type: 'session.ended', reason: 'abandoned' }] : []))
          .catch(() => undefined);
      }
      return;
    }
    const now = this.now();
    for (const r of rows) {
      if (r.state === 'assigned') await this.deps.store.updateRequest(r.id, { state: 'done', ended_at: now }, ['assigned']);
      else if (r.state === 'waiting' || r.state === 'offered' || r.state === 'held') {
        if (await this.deps.store.updateRequest(r.id, { state: 'abandoned', ended_at: now }, ['waiting', 'offered', 'held'])) await this.afterAbandon(r);
      }
      if (r.agent_id) this.notify('agent', r.agent_id);
    }
    this.dispatcher.kick();
  }

  /**
   * Requests are kept in step with sessions by hooks on the node that
   * committed; a node that died between the two leaves them behind. Assigned
   * requests of ended sessions are closed (else the agent's load stays up);
   * a transfer held longer than a minute is released if the session recorded
   * it, else dropped (the transfer failed).
   */
  async repair(): Promise<void> {
    const now = this.now();
    for (const r of await this.deps.store.assignedWithEndedSession()) {
      await this.deps.store.updateRequest(r.id, { state: 'done', ended_at: now }, ['assigned']);
      if (r.agent_id) this.notify('agent', r.agent_id);
    }
    for (const r of await this.deps.store.heldBefore(new Date(this.clock() - 60_000).toISOString())) {
      const view = r.session_id ? await this.deps.sessions.engine.view(r.session_id) : null;
      const recorded = view !== null && awaitingTransfer(view) && view.sessionTransfers.at(-1)?.requestId === r.id;
      if (recorded) await this.deps.store.updateRequest(r.id, { state: 'waiting' }, ['held']);
      else await this.deps.store.deleteRequest(r.id);
    }
  }

  // ---- admin: queues (ACD-2)

  async saveQueue(id: string | null, input: QueueInput): Promise<Queue> {
    if (input.overflowQueueId !== null && input.overflowQueueId === id) throw RsError.validation('A queue cannot overflow into itself.', [{ path: 'overflowQueueId', message: 'choose another queue' }]);
    if ((input.overflowAfterSeconds === null) !== (input.overflowQueueId === null)) {
      throw RsError.validation('Overflow needs both a time and a queue.', [{ path: 'overflowQueueId', message: 'set both or neither' }]);
    }
    if (input.overflowQueueId !== null && !(await this.deps.store.queue(input.overflowQueueId))) throw RsError.validation('The overflow queue does not exist.', [{ path: 'overflowQueueId', message: 'no such queue' }]);
    for (const agentId of new Set(input.agentIds)) {
      const u = await this.deps.users.byId(agentId);
      if (!u || u.is_agent !== 1) throw RsError.validation('Only WebACD agents can serve a queue.', [{ path: 'agentIds', message: `${agentId} is not a WebACD agent` }]);
    }
    const existing = id ? await this.deps.store.queue(id) : null;
    if (id && !existing) throw RsError.notFound('There is no such queue.');
    const queueId = id ?? newId(12);
    try {
      await this.deps.store.saveQueue(queueId, input, existing?.createdAt ?? this.now(), !existing);
    } catch (err) {
      if (isUniqueViolation(err)) throw new RsError('RS_ERR_CONFLICT', 'Another queue has this address.', { issues: [{ path: 'slug', message: 'taken' }] });
      throw err;
    }
    for (const agentId of new Set([...input.agentIds, ...(existing?.agentIds ?? [])])) this.notify('agent', agentId);
    this.dispatcher.kick();
    const saved = await this.deps.store.queue(queueId);
    if (!saved) throw new RsError('RS_ERR_INTERNAL', 'The queue was not saved.');
    return saved;
  }

  async deleteQueue(id: string): Promise<void> {
    const queue = await this.deps.store.queue(id);
    if (!queue) throw RsError.notFound('There is no such queue.');
    if ((await this.deps.store.inLineCount(id)) > 0) throw RsError.invalidState('People are waiting in this queue. Move them or wait until it is empty.');
    await this.deps.store.deleteQueue(id);
    for (const agentId of queue.agentIds) this.notify('agent', agentId);
  }
}

export function blankRequest(): AcdRequestsTable {
  return {
    id: '',
    queue_id: null,
    name: '',
    email: '',
    problem: '',
    page_url: null,
    state: 'waiting',
    entered_at: '',
    queued_at: '',
    priority_at: '',
    offer_id: null,
    agent_id: null,
    offered_at: null,
    offer_expires_at: null,
    assigned_at: null,
    ended_at: null,
    session_id: null,
    customer_participant_id: null,
    target_agents: null,
    transfer_from_name: null,
    transfer_message: null,
    overflowed_from: null,
    disconnected_at: null,
  };
}
