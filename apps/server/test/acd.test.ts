import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AcceptedOffer, AgentState, Queue, QueueReport, SiteSettings, WaitingState } from '@rs/protocol';
import { agentListener, getHelp, queueBody, waitingListener } from '../../../test/support/acd.js';
import { createRep, signIn } from '../../../test/support/http.js';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { sessionClient, waitForState, waitForView } from '../../../test/support/ws.js';

type Signed = Awaited<ReturnType<typeof createRep>>;
const AGENT = { admin: false, rep: true, agent: true };
const person = (n: number) => ({ name: `Person ${n}`, email: `person${n}@example.test`, problem: `Problem number ${n}` });

let server: RunningServer;
let admin: Awaited<ReturnType<typeof signIn>>;

async function settings(patch: Partial<SiteSettings>) {
  const current = await admin.api.get<SiteSettings>('/api/settings');
  await admin.api.put('/api/settings', { ...current, ...patch });
}

async function available(agent: Signed, autoAccept = false) {
  return agent.api.patch<AgentState>('/api/acd/agent', { status: 'available', autoAccept });
}

before(async () => {
  server = await startServer();
  admin = await signIn(server.url);
  await settings({ webAcdEnabled: true, acdOfferSeconds: 5, maxCustomersPerRep: 2, acdAllowedOrigins: ['http://shop.example.test'] });
});
after(async () => {
  await server.stop();
});

describe('entry point (ACD-1)', () => {
  let queue: Queue;
  before(async () => {
    const a = await createRep(server.url, admin.api, 'Entry Agent', AGENT);
    queue = await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Entry', slug: 'entry', agentIds: [a.user.id] }));
  });

  test('the public info is given to our own pages and to allowed origins only', async () => {
    const own = await fetch(`${server.url}/api/acd/queues/entry/public`);
    assert.equal(own.status, 200);
    assert.deepEqual(await own.json(), { slug: 'entry', name: 'Entry', formText: queue.formText, open: true, opensAt: null });
    const allowed = await fetch(`${server.url}/api/acd/queues/entry/public`, { headers: { origin: 'http://shop.example.test' } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://shop.example.test');
    const other = await fetch(`${server.url}/api/acd/queues/entry/public`, { headers: { origin: 'http://evil.example.test' } });
    assert.equal(other.status, 403);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    assert.match(((await other.json()) as { error: { message: string } }).error.message, /not allowed/);
  });

  test('the help page may be framed by allowed origins; other pages by nobody', async () => {
    const help = await fetch(`${server.url}/help/entry`);
    assert.match(help.headers.get('content-security-policy') ?? '', /frame-ancestors 'self' http:\/\/shop\.example\.test;/);
    assert.equal(help.headers.get('x-frame-options'), null);
    const home = await fetch(`${server.url}/`);
    assert.match(home.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(home.headers.get('x-frame-options'), 'DENY');
  });

  test('an invalid entry form is refused and nobody is queued', async () => {
    const bad = await getHelp(server.url, 'entry', { name: '', email: 'not-an-email', problem: '' });
    assert.equal(bad.status, 400);
    const counted = await admin.api.get<{ queues: Queue[] }>('/api/acd/queues');
    assert.ok(counted.queues.some((q) => q.slug === 'entry'));
    const report = await admin.api.get<QueueReport>('/api/reports/queues');
    assert.equal(report.rows.filter((r) => r.queueName === 'Entry').length, 0);
    const missing = await getHelp(server.url, 'no-such-queue', person(1));
    assert.equal(missing.status, 404);
  });

  test('outside business hours the queue says so, refuses to queue, and takes a message', async () => {
    const a = await createRep(server.url, admin.api, 'Hours Agent', AGENT);
    // Open one minute a week, at a time that is not now.
    const now = new Date();
    const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][(now.getUTCDay() + 3) % 7]!;
    await admin.api.post<Queue>(
      '/api/acd/queues',
      queueBody({ name: 'Office hours', slug: 'office-hours', agentIds: [a.user.id], hours: { timeZone: 'UTC', days: { [day]: [{ from: '10:00', to: '10:01' }] } } }),
    );
    const info = (await (await fetch(`${server.url}/api/acd/queues/office-hours/public`)).json()) as { open: boolean; opensAt: string };
    assert.equal(info.open, false);
    assert.equal(new Date(info.opensAt).getUTCHours(), 10);
    const refused = await getHelp(server.url, 'office-hours', person(2));
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error?.code, 'RS_ERR_INVALID_STATE');
    const left = await fetch(`${server.url}/api/acd/queues/office-hours/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(person(3)),
    });
    assert.equal(left.status, 201);
    const { messages } = await a.api.get<{ messages: { name: string; problem: string; queueName: string }[] }>('/api/acd/messages');
    assert.deepEqual(
      messages.map((m) => [m.name, m.problem, m.queueName]),
      [['Person 3', 'Problem number 3', 'Office hours']],
    );
  });
});

describe('distribution (ACD-3)', () => {
  test('a waiting person sees their place, is offered to an available agent, and the accepted offer is a session with the form answers', async () => {
    const agent = await createRep(server.url, admin.api, 'Ada Agent', AGENT);
    await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Billing', slug: 'billing', agentIds: [agent.user.id] }));
    const first = await getHelp(server.url, 'billing', person(10));
    const second = await getHelp(server.url, 'billing', person(11));
    assert.equal(first.status, 201);
    const w1 = waitingListener(server.wsUrl, first.body);
    const w2 = waitingListener(server.wsUrl, second.body);
    await w1.until((s) => s.state === 'waiting' && s.position === 1, 'first is first');
    await w2.until((s) => s.state === 'waiting' && s.position === 2 && s.queueName === 'Billing', 'second is second');

    const console = agentListener(server.wsUrl, agent.api);
    await console.until((s) => s.status === 'away' && s.queues.some((q) => q.name === 'Billing' && q.waiting === 2), 'away, two waiting');
    await available(agent);
    const offered = await console.until((s) => s.offers.length === 1, 'an offer');
    const offer = offered.offers[0]!;
    assert.equal(offer.name, 'Person 10');
    assert.equal(offer.problem, 'Problem number 10');
    assert.equal(offer.queueName, 'Billing');
    const accepted = await agent.api.post<AcceptedOffer>(`/api/acd/offers/${offer.offerId}/accept`, {});
    const assigned = (await w1.until((s) => s.state === 'assigned', 'the person gets a ticket')) as Extract<WaitingState, { state: 'assigned' }>;
    assert.equal(assigned.ticket.sessionId, accepted.sessionId);

    const rep = sessionClient(server.wsUrl, accepted.ticket).connect();
    const customer = sessionClient(server.wsUrl, assigned.ticket).connect();
    await waitForState(rep, 'open');
    const rv = await waitForView(rep, (v) => v.participants[assigned.ticket.participantId]?.status === 'admitted');
    assert.deepEqual(
      { name: rv.inbound?.customerName, email: rv.inbound?.email, problem: rv.inbound?.problem, queue: rv.inbound?.queueName },
      { name: 'Person 10', email: 'person10@example.test', problem: 'Problem number 10', queue: 'Billing' },
    );
    await waitForState(customer, 'open');
    await customer.sendChat('hello agent');
    await waitForView(rep, (v) => v.chat.some((m) => m.text === 'hello agent'));

    // The second person moves up; the agent (limit 2) is offered them too.
    await w2.until((s) => s.state === 'waiting' && s.position === 1, 'second moves up');
    const next = await console.until((s) => s.offers.length === 1 && s.offers[0]!.name === 'Person 11', 'second offer');
    assert.equal(next.load, 2);
    // The CSR activity report shows the inbound session with its queue.
    const activity = await agent.api.get<{ rows: { sessionId: string; inboundQueue: string | null }[] }>('/api/reports/activity');
    assert.equal(activity.rows.find((r) => r.sessionId === accepted.sessionId)?.inboundQueue, 'Billing');
    for (const c of [w1, w2, console]) c.close();
    rep.close();
    customer.close();
    await agent.api.patch('/api/acd/agent', { status: 'away' });
  });

  test('an offer not accepted in time goes to the next agent and the first is set away (ring-no-answer)', async () => {
    const slow = await createRep(server.url, admin.api, 'Slow Agent', AGENT);
    const quick = await createRep(server.url, admin.api, 'Quick Agent', AGENT);
    await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Ringing', slug: 'ringing', agentIds: [slow.user.id, quick.user.id] }));
    await available(slow);
    // Quick becomes available later: slow has been idle longest and gets the first offer.
    const slowConsole = agentListener(server.wsUrl, slow.api);
    const quickConsole = agentListener(server.wsUrl, quick.api);
    await available(quick);
    const asked = await getHelp(server.url, 'ringing', person(20));
    const firstOffer = await slowConsole.until((s) => s.offers.length === 1, 'slow agent is offered first');
    const startedAt = Date.now();
    const moved = await quickConsole.until((s) => s.offers.length === 1, 'the offer moves on', 15_000);
    assert.ok(Date.now() - startedAt >= 3000, 'not before the offer time');
    assert.equal(moved.offers[0]!.requestId, asked.body.requestId);
    const slowNow = await slowConsole.until((s) => s.status === 'away' && s.missedOffer && s.offers.length === 0, 'slow is set away');
    assert.equal(slowNow.load, 0);
    // The rung-out offer can no longer be accepted.
    const late = await fetch(`${server.url}/api/acd/offers/${firstOffer.offers[0]!.offerId}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: [...slow.api.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': slow.api.csrfToken ?? '' },
      body: '{}',
    });
    assert.equal(late.status, 409);
    slowConsole.close();
    quickConsole.close();
    await quick.api.patch('/api/acd/agent', { status: 'away' });
  });

  test('an agent is never offered more people than the maximum customers per rep (S-5)', async () => {
    const agent = await createRep(server.url, admin.api, 'Busy Agent', AGENT);
    await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Limits', slug: 'limits', agentIds: [agent.user.id] }));
    const console = agentListener(server.wsUrl, agent.api);
    await available(agent, true);
    const tickets = [];
    for (let i = 0; i < 4; i++) tickets.push((await getHelp(server.url, 'limits', person(30 + i))).body);
    const busy = await console.until((s) => s.sessions.length === 2, 'two auto-accepted sessions');
    assert.equal(busy.load, 2);
    assert.deepEqual(busy.offers, []);
    const third = waitingListener(server.wsUrl, tickets[2]!);
    await third.until((s) => s.state === 'waiting' && s.position === 1, 'third waits first in line');
    // One session ends: the next person is taken.
    const [done] = busy.sessions;
    const ticket = await agent.api.get<{ ticket: { sessionId: string; token: string } }>(`/api/sessions/${done!.sessionId}/ticket`);
    const rep = sessionClient(server.wsUrl, ticket.ticket).connect();
    await waitForState(rep, 'open');
    await rep.endSession();
    await third.until((s) => s.state === 'assigned', 'third gets in after a session ended');
    rep.close();
    third.close();
    console.close();
    await agent.api.patch('/api/acd/agent', { status: 'away' });
  });

  test('leaving the queue is recorded as abandoned and the people behind move up', async () => {
    const agent = await createRep(server.url, admin.api, 'Absent Agent', AGENT);
    await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Leaving', slug: 'leaving', agentIds: [agent.user.id] }));
    const a = (await getHelp(server.url, 'leaving', person(40))).body;
    const b = (await getHelp(server.url, 'leaving', person(41))).body;
    const wb = waitingListener(server.wsUrl, b);
    await wb.until((s) => s.state === 'waiting' && s.position === 2, 'b second');
    const bad = await fetch(`${server.url}/api/acd/requests/${a.requestId}/leave`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: b.token }),
    });
    assert.equal(bad.status, 403, "someone else's token does not work");
    const res = await fetch(`${server.url}/api/acd/requests/${a.requestId}/leave`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: a.token }),
    });
    assert.deepEqual(await res.json(), { state: 'left' });
    await wb.until((s) => s.state === 'waiting' && s.position === 1, 'b moves up');
    const report = await admin.api.get<QueueReport>('/api/reports/queues');
    const row = report.rows.find((r) => r.queueName === 'Leaving');
    assert.deepEqual({ requests: row?.requests, abandoned: row?.abandoned, answered: row?.answered }, { requests: 2, abandoned: 1, answered: 0 });
    const csv = await fetch(`${server.url}/api/reports/queues?format=csv`, { headers: { cookie: [...admin.api.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    assert.match(await csv.text(), /Leaving,2,0,1/);
    wb.close();
  });

  test('people waiting together are offered in line order to the longest-idle agents, one ringing offer each', async () => {
    const agents: Signed[] = [];
    for (const n of ['L1', 'L2', 'L3']) agents.push(await createRep(server.url, admin.api, `Idle ${n}`, AGENT));
    await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Together', slug: 'together', agentIds: agents.map((a) => a.user.id) }));
    const tickets = [];
    for (let i = 0; i < 4; i++) tickets.push((await getHelp(server.url, 'together', person(70 + i))).body);
    // Distribution paused while the agents become available one after another (L1 has been idle longest),
    // then resumed: one pass finds four people and three free agents at once.
    await settings({ webAcdEnabled: false });
    for (const a of agents) await available(a);
    await settings({ webAcdEnabled: true });
    const offered = await Promise.all(
      agents.map(async (a) => {
        const l = agentListener(server.wsUrl, a.api);
        const st = await l.until((x) => x.offers.length > 0, `${a.user.name} is offered someone`);
        l.close();
        return st.offers.map((o) => o.requestId);
      }),
    );
    assert.deepEqual(offered, tickets.slice(0, 3).map((t) => [t.requestId]), 'first in line to the longest idle, one each');
    const fourth = waitingListener(server.wsUrl, tickets[3]!);
    const s = await fourth.until((x) => x.state === 'waiting', 'the fourth still waits');
    assert.equal(s.state === 'waiting' && s.position, 4, 'the three offered keep their places until they are taken');
    fourth.close();
    for (const a of agents) await a.api.patch('/api/acd/agent', { status: 'away' });
  });

  test("an agent's open console follows the queues an admin adds them to: the new queue's waiting count is live", async () => {
    const agent = await createRep(server.url, admin.api, 'Later Agent', AGENT);
    const l = agentListener(server.wsUrl, agent.api);
    await l.until((x) => x.queues.length === 0, 'no queue yet');
    await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Added later', slug: 'added-later', agentIds: [agent.user.id] }));
    await l.until((x) => x.queues.some((q) => q.name === 'Added later' && q.waiting === 0), 'the new queue, empty');
    await getHelp(server.url, 'added-later', person(80));
    await l.until((x) => x.queues.some((q) => q.name === 'Added later' && q.waiting === 1), 'someone waiting in it');
    l.close();
  });

  test('round robin takes the agents in turn', async () => {
    const agents = [];
    for (const n of ['R1', 'R2', 'R3']) agents.push(await createRep(server.url, admin.api, `Round ${n}`, AGENT));
    await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Round', slug: 'round', routing: 'round_robin', agentIds: agents.map((a) => a.user.id) }));
    for (const a of agents) await available(a, true);
    const listeners = agents.map((a) => agentListener(server.wsUrl, a.api));
    const who: string[] = [];
    for (let i = 0; i < 6; i++) {
      const t = (await getHelp(server.url, 'round', person(50 + i))).body;
      const w = waitingListener(server.wsUrl, t);
      const s = (await w.until((x) => x.state === 'assigned', `person ${i} assigned`)) as Extract<WaitingState, { state: 'assigned' }>;
      w.close();
      const got = agents.findIndex((_, k) => listeners[k]!.latest?.sessions.some((x) => x.sessionId === s.ticket.sessionId));
      if (got >= 0) who.push(agents[got]!.user.id);
      else {
        // The snapshot may lag the ticket: ask each agent.
        for (const a of agents) {
          const st = await a.api.get<AgentState>('/api/acd/agent');
          if (st.sessions.some((x) => x.sessionId === s.ticket.sessionId)) who.push(a.user.id);
        }
      }
    }
    assert.equal(who.length, 6);
    // Every agent twice, in a repeating order.
    assert.deepEqual(who.slice(3), who.slice(0, 3));
    assert.equal(new Set(who.slice(0, 3)).size, 3);
    for (const l of listeners) l.close();
    for (const a of agents) await a.api.patch('/api/acd/agent', { status: 'away' });
  });
});

describe('transfer session (SES-4)', () => {
  test('a 346-character message is refused and nothing is transferred; a transfer to a queue reaches the next agent with the message and history', async () => {
    const first = await createRep(server.url, admin.api, 'First Agent', AGENT);
    const second = await createRep(server.url, admin.api, 'Second Agent', AGENT);
    const q1 = await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Front', slug: 'front', agentIds: [first.user.id] }));
    const q2 = await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Escalation', slug: 'escalation', agentIds: [second.user.id] }));
    assert.ok(q1.id);
    await available(first, true);
    const t = (await getHelp(server.url, 'front', person(60))).body;
    const w = waitingListener(server.wsUrl, t);
    const assigned = (await w.until((s) => s.state === 'assigned', 'assigned to first')) as Extract<WaitingState, { state: 'assigned' }>;
    const sessionId = assigned.ticket.sessionId;
    const firstTicket = await first.api.get<{ ticket: { sessionId: string; token: string } }>(`/api/sessions/${sessionId}/ticket`);
    const rep = sessionClient(server.wsUrl, firstTicket.ticket).connect();
    const customer = sessionClient(server.wsUrl, assigned.ticket).connect();
    await waitForState(customer, 'open');
    await waitForState(rep, 'open');
    await customer.sendChat('my printer is on fire');
    await rep.sendChat('let me find a specialist');
    await rep.saveNotes('customer printer fire');
    await waitForView(rep, (v) => v.notes.length === 1 && v.chat.length === 2);
    await first.api.patch('/api/acd/agent', { status: 'away' });

    const tooLong = await fetch(`${server.url}/api/sessions/${sessionId}/transfer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: [...first.api.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': first.api.csrfToken ?? '' },
      body: JSON.stringify({ to: { kind: 'queue', queueId: q2.id }, message: 'x'.repeat(346) }),
    });
    assert.equal(tooLong.status, 400);
    const tooLongBody = (await tooLong.json()) as { error: { code: string; issues: { path: string }[] } };
    assert.equal(tooLongBody.error.code, 'RS_ERR_VALIDATION');
    assert.deepEqual(tooLongBody.error.issues.map((i) => i.path), ['message']);
    const unchanged = await waitForView(rep, (v) => v.status.state === 'open');
    assert.equal(unchanged.sessionTransfers.length, 0);
    assert.equal(unchanged.participants[unchanged.primaryId]?.userId, first.user.id);

    const secondConsole = agentListener(server.wsUrl, second.api);
    await available(second);
    const message = 'Printer on fire; customer already tried turning it off and on. '.padEnd(345, '.');
    await first.api.post(`/api/sessions/${sessionId}/transfer`, { to: { kind: 'queue', queueId: q2.id }, message });
    // The first agent has left; the customer waits for the next agent.
    const cv = await waitForView(customer, (v) => v.participants[v.primaryId]?.status === 'left');
    assert.equal(cv.status.state, 'open');
    assert.equal(cv.sessionTransfers.length, 0, 'the message is for the agents only');
    const offered = await secondConsole.until((s) => s.offers.length === 1, 'second agent is offered the session');
    assert.deepEqual(offered.offers[0]!.transfer, { fromName: 'First Agent', message });
    const accepted = await second.api.post<AcceptedOffer>(`/api/acd/offers/${offered.offers[0]!.offerId}/accept`, {});
    assert.equal(accepted.sessionId, sessionId);
    const rep2 = sessionClient(server.wsUrl, accepted.ticket).connect();
    const v2 = await waitForView(rep2, (v) => v.primaryId === accepted.ticket.participantId && v.chat.length === 2);
    assert.deepEqual(v2.chat.map((m) => m.text), ['my printer is on fire', 'let me find a specialist']);
    assert.equal(v2.notes.at(-1)?.text, 'customer printer fire');
    assert.equal(v2.sessionTransfers.at(-1)?.message, message);
    assert.equal(v2.sessionTransfers.at(-1)?.acceptedBy, accepted.ticket.participantId);
    // The customer sees the new agent in control and can go on chatting.
    await waitForView(customer, (v) => v.primaryId === accepted.ticket.participantId);
    await customer.sendChat('thanks');
    await waitForView(rep2, (v) => v.chat.some((m) => m.text === 'thanks'));
    for (const c of [rep, rep2, customer]) c.close();
    w.close();
    secondConsole.close();
    await second.api.patch('/api/acd/agent', { status: 'away' });
  });

  test('a transfer to chosen agents is offered only to them: an away one is skipped, the available one gets it with the message', async () => {
    const from = await createRep(server.url, admin.api, 'Handing Agent', AGENT);
    const away = await createRep(server.url, admin.api, 'Away Chosen', AGENT);
    const chosen = await createRep(server.url, admin.api, 'Chosen Agent', AGENT);
    const bystander = await createRep(server.url, admin.api, 'Bystander Agent', AGENT);
    await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Direct', slug: 'direct', agentIds: [from.user.id, bystander.user.id] }));
    await available(from, true);
    const t = (await getHelp(server.url, 'direct', person(90))).body;
    const w = waitingListener(server.wsUrl, t);
    const assigned = (await w.until((x) => x.state === 'assigned', 'assigned to the handing agent')) as Extract<WaitingState, { state: 'assigned' }>;
    const sessionId = assigned.ticket.sessionId;
    await from.api.patch('/api/acd/agent', { status: 'away' });
    const bystanderConsole = agentListener(server.wsUrl, bystander.api);
    await available(bystander);
    const chosenConsole = agentListener(server.wsUrl, chosen.api);
    await chosenConsole.until((x) => x.status === 'away', 'chosen agent connected, away');
    await from.api.post(`/api/sessions/${sessionId}/transfer`, { to: { kind: 'agents', agentIds: [away.user.id, chosen.user.id] }, message: 'Needs a refund.' });
    // Nobody chosen is available yet: the session waits; the queue's available agent is not offered it.
    await available(chosen);
    const offered = await chosenConsole.until((x) => x.offers.length === 1, 'the chosen agent is offered the session');
    assert.deepEqual(offered.offers[0]!.transfer, { fromName: 'Handing Agent', message: 'Needs a refund.' });
    assert.equal((await away.api.get<AgentState>('/api/acd/agent')).offers.length, 0, 'the away agent is not offered it');
    assert.equal(bystanderConsole.latest?.offers.length ?? 0, 0, 'an agent who was not chosen is not offered it');
    const accepted = await chosen.api.post<AcceptedOffer>(`/api/acd/offers/${offered.offers[0]!.offerId}/accept`, {});
    assert.equal(accepted.sessionId, sessionId);
    for (const l of [w, bystanderConsole, chosenConsole]) l.close();
    for (const a of [chosen, bystander]) await a.api.patch('/api/acd/agent', { status: 'away' });
  });

  test('only WebACD agents transfer sessions', async () => {
    const plain = await createRep(server.url, admin.api, 'Plain Rep', { admin: false, rep: true, agent: false });
    const started = await plain.api.post<{ sessionId: string }>('/api/sessions', {});
    const res = await fetch(`${server.url}/api/acd/transfer-targets`, { headers: { cookie: [...plain.api.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    assert.equal(res.status, 403);
    const q = await admin.api.get<{ queues: Queue[] }>('/api/acd/queues');
    const tr = await fetch(`${server.url}/api/sessions/${started.sessionId}/transfer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: [...plain.api.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': plain.api.csrfToken ?? '' },
      body: JSON.stringify({ to: { kind: 'queue', queueId: q.queues[0]!.id }, message: '' }),
    });
    assert.equal(tr.status, 403);
  });
});
