/**
 * Support Manager pairing (DSK-2, M14, M15) against a real server: the
 * customer who accepted control gets a one-time link; redeeming it makes a
 * device participant; a reused or expired link is refused; control stops
 * when the customer stops it or drops.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parsePairingUrl, type Pairing, type RedeemedPairing, type SessionView } from '@rs/protocol';
import { signIn } from '../../../test/support/http.js';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { sessionClient, waitForView } from '../../../test/support/ws.js';
import { connected, inviteCustomer, startSession } from './live-session-helpers.js';

const TTL_MS = 1500;
let server: RunningServer;
before(async () => {
  server = await startServer({ env: { PAIRING_TTL_MS: String(TTL_MS) } });
});
after(async () => {
  await server.stop();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

async function controlRunning() {
  const { api } = await signIn(server.url);
  const started = await startSession(api);
  const rep = await connected(sessionClient(server.wsUrl, started.ticket));
  const ticket = await inviteCustomer(server.url, api, started.sessionId);
  const customer = await connected(sessionClient(server.wsUrl, ticket));
  await rep.request({ type: 'consent.request', kind: 'desktop.control', to: ticket.participantId });
  const asked = await waitForView(customer, (v) => Object.values(v.consents).some((c) => c.state === 'pending'));
  const requestId = Object.values(asked.consents).find((c) => c.state === 'pending')!.requestId;
  await customer.request({ type: 'consent.answer', requestId, accept: true });
  const v = await waitForView(rep, (x) => Object.values(x.activities).some((a) => a.kind === 'desktop.control' && a.state === 'active'));
  const activityId = Object.values(v.activities).find((a) => a.kind === 'desktop.control')!.activityId;
  return { started, rep, customer, ticket, activityId };
}

const control = (v: SessionView, id: string) => v.activities[id];

test('the customer who accepted control gets a one-time link; Support Manager redeems it and joins as their device', async () => {
  const { rep, customer, ticket, activityId } = await controlRunning();
  const made = await post(`/api/sessions/${ticket.sessionId}/pairings`, { activityId }, { 'x-participant-token': ticket.token });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const pairing = made.json as unknown as Pairing;
  const parsed = parsePairingUrl(pairing.url);
  assert.ok(parsed, pairing.url);
  assert.equal(parsed.server, server.url);
  assert.ok(parsed.code.length >= 40, 'a long random code');

  const redeemed = await post('/api/pairings/redeem', { code: parsed.code }, { 'x-device-name': 'carla-laptop' });
  assert.equal(redeemed.status, 200, JSON.stringify(redeemed.json));
  const r = redeemed.json as unknown as RedeemedPairing;
  assert.equal(r.activityId, activityId);
  assert.equal(r.kind, 'desktop.control');
  const device = await connected(sessionClient(server.wsUrl, r.ticket));
  const seen = await waitForView(rep, (v) => control(v, activityId)?.deviceId === r.ticket.participantId);
  const d = seen.participants[r.ticket.participantId]!;
  assert.deepEqual({ kind: d.kind, pairedWith: d.pairedWith, name: d.name }, { kind: 'device', pairedWith: ticket.participantId, name: 'Support Manager (carla-laptop) – Carla Customer' });

  // Signaling: the device and the rep, yes; the customer's browser, no (M14).
  const got = new Promise<string>((resolve) => rep.on('signal', (s) => resolve(s.from)));
  device.sendSignal(activityId, seen.primaryId, { kind: 'want' });
  assert.equal(await got, r.ticket.participantId);
  const refused = new Promise<string>((resolve) => customer.on('error', (e) => resolve(e.code)));
  customer.sendSignal(activityId, seen.primaryId, { kind: 'want' });
  assert.equal(await refused, 'RS_ERR_FORBIDDEN');

  // The same link again: refused, and no second device.
  const again = await post('/api/pairings/redeem', { code: parsed.code });
  assert.equal(again.status, 409);
  assert.match(again.json.error!.message, /used already/);

  // The customer stops: the device learns it at once from its session socket.
  await customer.request({ type: 'activity.stop', activityId });
  await waitForView(device, (v) => control(v, activityId)?.state === 'stopped');
  for (const c of [rep, customer, device]) c.close();
});

test('an expired link, a made-up link, and a link asked by someone other than the customer are refused', async () => {
  const { rep, customer, ticket, activityId, started } = await controlRunning();
  const made = await post(`/api/sessions/${ticket.sessionId}/pairings`, { activityId }, { 'x-participant-token': ticket.token });
  const { code } = parsePairingUrl((made.json as unknown as Pairing).url)!;
  const expiresAt = Date.parse((made.json as unknown as Pairing).expiresAt);
  assert.ok(expiresAt - Date.now() <= TTL_MS);
  // Wait for the clock to pass the expiry (the server decides by the same clock).
  while (Date.now() <= expiresAt + 5) await new Promise((r) => setTimeout(r, expiresAt + 10 - Date.now()));
  const late = await post('/api/pairings/redeem', { code });
  assert.equal(late.status, 409);
  assert.match(late.json.error!.message, /expired/);
  const madeUp = await post('/api/pairings/redeem', { code: 'A'.repeat(43) });
  assert.equal(madeUp.status, 404);
  const invalid = await post('/api/pairings/redeem', { code: 'short' });
  assert.equal(invalid.status, 400);
  // The rep's own participant token is not the customer who accepted.
  const byRep = await post(`/api/sessions/${ticket.sessionId}/pairings`, { activityId }, { 'x-participant-token': started.ticket.token });
  assert.equal(byRep.status, 403);
  // The customer closing the page stops control (M15).
  customer.close();
  await waitForView(rep, (v) => control(v, activityId)?.state === 'stopped');
  rep.close();
});

test('folder access asked through Support Manager gets a link and its device; a folder shared from the browser gets none', async () => {
  const { api } = await signIn(server.url);
  const started = await startSession(api);
  const rep = await connected(sessionClient(server.wsUrl, started.ticket));
  const ticket = await inviteCustomer(server.url, api, started.sessionId);
  const customer = await connected(sessionClient(server.wsUrl, ticket));
  const accept = async (via?: 'support-manager') => {
    await rep.request({ type: 'consent.request', kind: 'folder.access', to: ticket.participantId, ...(via ? { via } : {}) });
    const asked = await waitForView(customer, (v) => Object.values(v.consents).some((c) => c.state === 'pending'));
    const requestId = Object.values(asked.consents).find((c) => c.state === 'pending')!.requestId;
    await customer.request({ type: 'consent.answer', requestId, accept: true });
    const v = await waitForView(rep, (x) => Object.values(x.activities).some((a) => a.kind === 'folder' && a.state === 'active'));
    return Object.values(v.activities).find((a) => a.kind === 'folder' && a.state === 'active')!.activityId;
  };
  const byBrowser = await accept();
  const refused = await post(`/api/sessions/${ticket.sessionId}/pairings`, { activityId: byBrowser }, { 'x-participant-token': ticket.token });
  assert.equal(refused.status, 409, JSON.stringify(refused.json));
  await rep.request({ type: 'activity.stop', activityId: byBrowser });

  const bySm = await accept('support-manager');
  const made = await post(`/api/sessions/${ticket.sessionId}/pairings`, { activityId: bySm }, { 'x-participant-token': ticket.token });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const redeemed = await post('/api/pairings/redeem', { code: parsePairingUrl((made.json as unknown as Pairing).url)!.code }, { 'x-device-name': 'carla-laptop' });
  assert.equal(redeemed.status, 200, JSON.stringify(redeemed.json));
  const r = redeemed.json as unknown as RedeemedPairing;
  assert.equal(r.kind, 'folder');
  const device = await connected(sessionClient(server.wsUrl, r.ticket));
  // The device learns from the consent whom it serves (it is the customer's), and is the folder's sender.
  const seen = await waitForView(device, (v) => v.activities[bySm]?.deviceId === r.ticket.participantId);
  const a = seen.activities[bySm]!;
  assert.equal(seen.consents[a.requestId!]?.from, started.ticket.participantId);
  // Signaling: the device with the rep and with its customer; the customer's browser no longer with the rep.
  const got = new Promise<string>((resolve) => rep.on('signal', (s) => resolve(s.from)));
  device.sendSignal(bySm, started.ticket.participantId, { kind: 'want' });
  assert.equal(await got, r.ticket.participantId);
  const toCustomer = new Promise<string>((resolve) => customer.on('signal', (s) => resolve(s.from)));
  device.sendSignal(bySm, ticket.participantId, { kind: 'relay', data: '{}' });
  assert.equal(await toCustomer, r.ticket.participantId);
  const forbidden = new Promise<string>((resolve) => customer.on('error', (e) => resolve(e.code)));
  customer.sendSignal(bySm, started.ticket.participantId, { kind: 'want' });
  assert.equal(await forbidden, 'RS_ERR_FORBIDDEN');
  // The device leaving ends the folder access (M15).
  await device.leave();
  await waitForView(rep, (v) => v.activities[bySm]?.state === 'stopped');
  for (const c of [rep, customer, device]) c.close();
});
