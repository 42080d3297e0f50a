/**
 * S-6: when the primary rep's connection goes away, the session stays open
 * for the reconnect grace period (site setting reconnectGraceSeconds); a rep
 * who comes back within it keeps the session; after it the session ends with
 * reason primary_timeout and the customers' sockets close with 4410.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SessionClient } from '@rs/client';
import { CLOSE_CODES, RsError, type SiteSettings } from '@rs/protocol';
import { signIn } from '../../../test/support/http.js';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { sessionClient, waitForState, waitForView } from '../../../test/support/ws.js';
import { chatTexts, connected, inviteCustomer, startSession, type Ticket } from './live-session-helpers.js';

const GRACE_SECONDS = 5;
let server: RunningServer;
const clients: SessionClient[] = [];
before(async () => {
  server = await startServer();
});
after(async () => {
  for (const c of clients) c.close();
  await server.stop();
});

function client(ticket: { sessionId: string; token: string }): SessionClient {
  const c = sessionClient(server.wsUrl, ticket);
  clients.push(c);
  return c;
}

test('the primary rep who comes back within the grace period keeps the session; one who stays away ends it (primary_timeout, 4410)', async () => {
  const { api } = await signIn(server.url);
  const settings = await api.get<SiteSettings>('/api/settings');
  // 5 is the smallest grace period the setting accepts.
  await assert.rejects(api.put('/api/settings', { ...settings, reconnectGraceSeconds: 4 }), (e: unknown) => e instanceof RsError && e.code === 'RS_ERR_VALIDATION');
  await api.put('/api/settings', { ...settings, reconnectGraceSeconds: GRACE_SECONDS });
  assert.equal((await api.get<SiteSettings>('/api/settings')).reconnectGraceSeconds, GRACE_SECONDS);

  // Two sessions of the same rep: A, where the rep comes back, and B, where the rep stays away.
  const a = await startSession(api);
  const b = await startSession(api);
  const repA = await connected(client(a.ticket));
  const repB = await connected(client(b.ticket));
  const custTicketA: Ticket = await inviteCustomer(server.url, api, a.sessionId, 'Alma');
  const custTicketB: Ticket = await inviteCustomer(server.url, api, b.sessionId, 'Bert');
  const custA = await connected(client(custTicketA));
  const custB = await connected(client(custTicketB));
  const primaryA = a.ticket.participantId;
  const primaryB = b.ticket.participantId;
  await waitForView(custA, (v) => v.participants[primaryA]?.connected === true);
  await waitForView(custB, (v) => v.participants[primaryB]?.connected === true);

  // A: the rep's page closes; the customer sees the rep as not connected.
  repA.close();
  const awayA = await waitForView(custA, (v) => v.participants[primaryA]?.connected === false);
  const awayASince = Date.parse(awayA.participants[primaryA]!.disconnectedAt!);
  assert.equal(awayA.status.state, 'open', 'the session stays open while the rep is away');

  // Within the grace period the rep comes back (a reloaded console: a new ticket, a new socket).
  const { ticket: again } = await api.get<{ ticket: { sessionId: string; token: string; participantId: string } }>(`/api/sessions/${a.sessionId}/ticket`);
  assert.equal(again.participantId, primaryA, 'the rep comes back as the same participant, still in control');
  const repA2 = await connected(client(again));
  const backA = await waitForView(custA, (v) => v.participants[primaryA]?.connected === true);
  assert.ok(Date.now() - awayASince < GRACE_SECONDS * 1000, 'the rep came back within the grace period');
  assert.equal(backA.status.state, 'open');
  assert.equal(repA2.view!.primaryId, primaryA);

  // B: the rep leaves after A's rep did, and does not come back.
  repB.close();
  const awayB = await waitForView(custB, (v) => v.participants[primaryB]?.connected === false);
  const awayBSince = Date.parse(awayB.participants[primaryB]!.disconnectedAt!);
  assert.ok(awayBSince >= awayASince);
  const endedB = await waitForView(custB, (v) => v.status.state === 'ended', (GRACE_SECONDS + 10) * 1000);
  assert.equal(endedB.status.state === 'ended' && endedB.status.reason, 'primary_timeout');
  const endedAt = Date.parse(endedB.status.state === 'ended' ? endedB.status.at : '');
  assert.ok(endedAt - awayBSince >= GRACE_SECONDS * 1000, `ended ${endedAt - awayBSince} ms after the rep left: not before the grace period`);
  const closed = await waitForState(custB, 'closed');
  assert.equal(closed.state === 'closed' && closed.code, CLOSE_CODES.SESSION_ENDED, "the customer's client is closed with 4410");
  await assert.rejects(api.get(`/api/sessions/${b.sessionId}/ticket`), (e: unknown) => e instanceof RsError && e.code === 'RS_ERR_SESSION_ENDED');

  // A's grace period ran out before B's did, yet A is open: the rep's return kept it.
  assert.ok(endedAt - awayASince >= GRACE_SECONDS * 1000);
  assert.equal(custA.connection.state, 'open');
  assert.equal(custA.view!.status.state, 'open');
  await custA.sendChat('are you still there?');
  await waitForView(repA2, (v) => chatTexts(v).includes('are you still there?'));
  const sessions = await api.get<{ sessions: { sessionId: string }[] }>('/api/sessions');
  assert.ok(sessions.sessions.some((s) => s.sessionId === a.sessionId), 'A is among the open sessions');
  assert.ok(!sessions.sessions.some((s) => s.sessionId === b.sessionId), 'B is not');

  // The grace period starts again at each absence: A ends only after the rep's second absence lasts long enough.
  repA2.close();
  const awayA2 = await waitForView(custA, (v) => v.participants[primaryA]?.connected === false);
  const awayA2Since = Date.parse(awayA2.participants[primaryA]!.disconnectedAt!);
  const endedA = await waitForView(custA, (v) => v.status.state === 'ended', (GRACE_SECONDS + 10) * 1000);
  assert.equal(endedA.status.state === 'ended' && endedA.status.reason, 'primary_timeout');
  assert.ok(Date.parse(endedA.status.state === 'ended' ? endedA.status.at : '') - awayA2Since >= GRACE_SECONDS * 1000);
  const closedA = await waitForState(custA, 'closed');
  assert.equal(closedA.state === 'closed' && closedA.code, CLOSE_CODES.SESSION_ENDED);
});
