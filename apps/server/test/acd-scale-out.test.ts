/**
 * ACD-3 with several nodes: two server processes share PostgreSQL and Redis
 * and both distribute one queue. People enter on either node, agents listen
 * and accept on either node; nobody is offered to two agents, nobody is lost,
 * nobody exceeds their limit. Runs when TEST_DATABASE_URL and TEST_REDIS_URL are set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AgentState, Queue, SiteSettings, WaitingState } from '@rs/protocol';
import { agentListener, getHelp, queueBody, waitingListener, type AcdListener } from '../../../test/support/acd.js';
import { createRep, signIn } from '../../../test/support/http.js';
import { freshPgDatabase, type FreshPgDatabase } from '../../../test/support/pg.js';
import { startServer, type RunningServer } from '../../../test/support/server.js';

const DB = process.env.TEST_DATABASE_URL;
const REDIS = process.env.TEST_REDIS_URL;
const skip = !DB ? 'TEST_DATABASE_URL not set' : !REDIS ? 'TEST_REDIS_URL not set' : false;

const AGENTS = 16;
const MAX = 3;
const PEOPLE = AGENTS * MAX;

describe('WebACD on two nodes, one PostgreSQL, one Redis', { skip }, () => {
  let db: FreshPgDatabase;
  let nodes: RunningServer[] = [];
  const sockets: AcdListener<unknown>[] = [];

  before(async () => {
    db = await freshPgDatabase(DB!);
    const env = { DATABASE_URL: db.url, REDIS_URL: REDIS! };
    nodes = [await startServer({ env }), await startServer({ env })];
  });
  after(async () => {
    for (const s of sockets) s.close();
    for (const n of nodes) await n.stop();
    await db?.drop();
  });

  test('both nodes distribute one queue: every person offered to exactly one agent, none lost, no agent over the limit', async () => {
    const [a, b] = nodes as [RunningServer, RunningServer];
    const admin = await signIn(a.url);
    const current = await admin.api.get<SiteSettings>('/api/settings');
    await admin.api.put('/api/settings', { ...current, webAcdEnabled: true, maxCustomersPerRep: MAX, acdOfferSeconds: 60 });
    const agents = [];
    for (let i = 0; i < AGENTS; i++) {
      const node = i % 2 === 0 ? a : b;
      const rep = await createRep(a.url, admin.api, `Agent ${i}`, { admin: false, rep: true, agent: true });
      // Signed in again on the node this agent works on.
      const there = await signIn(node.url, rep.email, rep.password);
      agents.push({ ...there, node, id: rep.user.id });
    }
    await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Shared', slug: 'shared', agentIds: agents.map((x) => x.id) }));

    const offersSeen = new Map<string, Set<string>>(); // requestId -> agents it was offered to
    const accepted = new Map<string, string>(); // requestId -> agent
    const acceptFailures: string[] = [];
    let maxLoadSeen = 0;
    const accepting = new Set<string>();
    const pending: Promise<unknown>[] = [];
    for (const agent of agents) {
      const l = agentListener(agent.node.wsUrl, agent.api);
      sockets.push(l as AcdListener<unknown>);
      l.onState((s: AgentState) => {
        maxLoadSeen = Math.max(maxLoadSeen, s.load);
        for (const offer of s.offers) {
          const seen = offersSeen.get(offer.requestId) ?? new Set();
          seen.add(agent.id);
          offersSeen.set(offer.requestId, seen);
          if (accepting.has(offer.offerId)) continue;
          accepting.add(offer.offerId);
          pending.push(
            agent.api
              .post(`/api/acd/offers/${offer.offerId}/accept`, {})
              .then(() => accepted.set(offer.requestId, agent.id))
              .catch((err: Error) => acceptFailures.push(`${agent.id} ${offer.requestId}: ${err.message}`)),
          );
        }
      });
      await l.opened;
    }
    // People arrive on both nodes at once, while agents become available on both nodes.
    const arrivals = Array.from({ length: PEOPLE }, (_, i) =>
      getHelp((i % 2 === 0 ? a : b).url, 'shared', { name: `Person ${i}`, email: `p${i}@example.test`, problem: `problem ${i}` }),
    );
    const goAvailable = agents.map((x) => x.api.patch('/api/acd/agent', { status: 'available' }));
    const tickets = await Promise.all(arrivals);
    await Promise.all(goAvailable);
    assert.ok(tickets.every((t) => t.status === 201));

    // Every person gets a ticket into a session, watched from the node they did not enter on.
    const watchers = tickets.map((t, i) => waitingListener((i % 2 === 0 ? b : a).wsUrl, t.body));
    for (const w of watchers) sockets.push(w as AcdListener<unknown>);
    const finals = await Promise.all(watchers.map((w, i) => w.until((s: WaitingState) => s.state === 'assigned', `person ${i} assigned`, 60_000)));
    await Promise.all(pending);

    const sessions = finals.map((s) => (s.state === 'assigned' ? s.ticket.sessionId : ''));
    assert.equal(new Set(sessions).size, PEOPLE, 'one session per person');
    assert.equal(accepted.size, PEOPLE, 'every person accepted once');
    assert.deepEqual(acceptFailures, [], 'no offer was taken from under an agent (no double offers)');
    const doubles = [...offersSeen].filter(([, who]) => who.size > 1);
    assert.deepEqual(doubles, [], 'no person was offered to two agents');
    assert.ok(maxLoadSeen <= MAX, `no agent over the limit (saw ${maxLoadSeen})`);
    const perAgent = new Map<string, number>();
    for (const agent of accepted.values()) perAgent.set(agent, (perAgent.get(agent) ?? 0) + 1);
    assert.ok([...perAgent.values()].every((n) => n <= MAX), 'no agent accepted more than the limit');
  });
});
