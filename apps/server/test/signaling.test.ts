/**
 * WebRTC signaling relay and consent over real sockets against the real
 * server (M12, CUS-2): who may signal to whom, that the server sets `from`,
 * that malformed signals are refused, the ICE servers in the welcome
 * (TURN REST credentials), and that an unanswered request expires.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { SessionClient } from '@rs/client';
import { PROTOCOL_VERSION, RsError, type ErrorCode, type SessionEventEnvelope, type SessionTicket, type SignalPayload } from '@rs/protocol';
import WebSocket from 'ws';
import { createRep, signIn } from '../../../test/support/http.js';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { waitForView } from '../../../test/support/ws.js';
import { connect, joinByNumber, startSession } from './api-helpers.js';

const T = { timeout: 30_000 } as const;
const WAIT_MS = 10_000;

/** Polls until `probe` returns something truthy; fails after `timeoutMs` saying what it waited for. */
async function until<V>(what: string, probe: () => V | undefined | null | false, timeoutMs = WAIT_MS): Promise<V> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Received {
  activityId: string;
  from: string;
  payload: SignalPayload;
}

/** A connected participant with every signal and every unsolicited error it received. */
interface Person {
  id: string;
  ticket: SessionTicket;
  client: SessionClient;
  signals: Received[];
  errors: RsError[];
  events: SessionEventEnvelope[];
}

async function personFor(server: RunningServer, ticket: SessionTicket): Promise<Person> {
  const client = await connect(server, ticket);
  const p: Person = { id: ticket.participantId, ticket, client, signals: [], errors: [], events: [] };
  client.on('signal', (s) => p.signals.push(s));
  client.on('error', (e) => p.errors.push(e));
  client.on('event', (e) => p.events.push(e));
  return p;
}

/** Sends a signal and waits for the server's refusal with `code` (signals are not acknowledged; refusals carry no rid). */
async function refusedSignal(sender: Person, activityId: string, to: string, payload: unknown, code: ErrorCode): Promise<RsError> {
  const n = sender.errors.length;
  sender.client.sendSignal(activityId, to, payload as SignalPayload);
  const err = await until(`${code} for a signal to ${to}`, () => sender.errors[n]);
  assert.equal(err.code, code, err.message);
  return err;
}

/**
 * Sends a valid signal and checks that it is the only one the recipient got
 * since `mark`: a refused signal sent before it would have arrived first.
 */
async function onlyThisArrives(sender: Person, recipient: Person, activityId: string, mark: number): Promise<Received> {
  const payload: SignalPayload = { kind: 'candidate', candidate: { candidate: `candidate:1 1 udp 2122260223 192.0.2.1 ${40000 + mark} typ host`, sdpMid: '0', sdpMLineIndex: 0 } };
  sender.client.sendSignal(activityId, recipient.id, payload);
  await until(`the valid signal at ${recipient.id}`, () => recipient.signals.length > mark);
  // Anything refused earlier would have been relayed before this one on the same ordered path.
  assert.deepEqual(recipient.signals.slice(mark), [{ activityId, from: sender.id, payload }]);
  return recipient.signals[mark]!;
}

/** A bare socket, to send frames the SessionClient would never build. */
async function rawSocket(server: RunningServer, ticket: SessionTicket) {
  const ws = new WebSocket(server.wsUrl);
  const messages: { type: string; [k: string]: unknown }[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d))));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, sessionId: ticket.sessionId, token: ticket.token, lastSeq: 0 }));
  await until('welcome on the raw socket', () => messages.some((m) => m.type === 'history'));
  return {
    messages,
    send: (frame: unknown) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    errors: () => messages.filter((m) => m.type === 'error'),
    open: () => ws.readyState === ws.OPEN,
    close: () => ws.close(),
  };
}

interface Fixture {
  sessionId: string;
  P: Person;
  A: Person;
  C: Person;
  C2: Person;
  W: Person;
  all: Person[];
}

/** A session with primary rep P, assistant A, admitted customers C and C2, and W waiting; all connected. */
async function fixture(server: RunningServer, repApi: Awaited<ReturnType<typeof signIn>>['api'], assistantApi: Awaited<ReturnType<typeof signIn>>['api']): Promise<Fixture> {
  const started = await startSession(repApi);
  const P = await personFor(server, started.ticket);
  const cTicket = await joinByNumber(server.url, started.number, 'Carla Customer');
  const c2Ticket = await joinByNumber(server.url, started.number, 'Conny Customer');
  const wTicket = await joinByNumber(server.url, started.number, 'Wanda Waiting');
  await waitForView(P.client, (v) => v.participants[c2Ticket.participantId]?.status === 'waiting');
  await P.client.admit(cTicket.participantId);
  await P.client.admit(c2Ticket.participantId);
  const C = await personFor(server, cTicket);
  const C2 = await personFor(server, c2Ticket);
  const W = await personFor(server, wTicket);
  const aTicket = (await assistantApi.post<{ ticket: SessionTicket }>('/api/sessions/assist', { number: started.number })).ticket;
  const A = await personFor(server, aTicket);
  const all = [P, A, C, C2, W];
  // Everybody admitted is connected, as the rules require of signaling partners.
  await waitForView(P.client, (v) => [P, A, C, C2].every((p) => v.participants[p.id]?.connected));
  return { sessionId: started.sessionId, P, A, C, C2, W, all };
}

/** P asks C to see their screen and C accepts; resolves with the activity id once everyone saw it start. */
async function consentedShare(f: Fixture): Promise<string> {
  await f.P.client.request({ type: 'consent.request', kind: 'desktop.view', to: f.C.id });
  const cv = await waitForView(f.C.client, (v) => Object.values(v.consents).some((c) => c.state === 'pending' && c.to === f.C.id));
  const request = Object.values(cv.consents).find((c) => c.state === 'pending')!;
  await f.C.client.request({ type: 'consent.answer', requestId: request.requestId, accept: true });
  const activityId = await until('the share to start at C', () => Object.values(f.C.client.view!.activities).find((a) => a.requestId === request.requestId)?.activityId);
  for (const p of [f.P, f.A, f.C2]) await waitForView(p.client, (v) => v.activities[activityId]?.state === 'active');
  return activityId;
}

// ---------------------------------------------------------------- a server without TURN, default consent time

describe('signaling on a server without TURN', () => {
  let server: RunningServer;
  let repApi: Awaited<ReturnType<typeof signIn>>['api'];
  let assistantApi: Awaited<ReturnType<typeof signIn>>['api'];
  const fixtures: Fixture[] = [];
  const make = async () => {
    const f = await fixture(server, repApi, assistantApi);
    fixtures.push(f);
    return f;
  };

  before(async () => {
    server = await startServer();
    const admin = await signIn(server.url);
    repApi = (await createRep(server.url, admin.api, 'Pia Primary')).api;
    assistantApi = (await createRep(server.url, admin.api, 'Arne Assistant')).api;
  });
  after(async () => {
    for (const f of fixtures) for (const p of f.all) p.client.close();
    await server?.stop();
  });

  test('the welcome carries no ICE servers when neither STUN nor TURN is configured', T, async () => {
    const f = await make();
    for (const p of f.all) assert.deepEqual(p.client.iceServers, [], p.id);
  });

  test('M12: nobody can send offers for a share nobody consented to; the recipient receives nothing', T, async () => {
    const f = await make();
    const { P, C, C2, A } = f;
    const offer: SignalPayload = { kind: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };
    // No activity at all: a made-up id, in both directions, and between customers.
    await refusedSignal(C, 'made-up-activity', P.id, offer, 'RS_ERR_FORBIDDEN');
    await refusedSignal(P, 'made-up-activity', C.id, offer, 'RS_ERR_FORBIDDEN');
    await refusedSignal(C, 'made-up-activity', C2.id, { kind: 'want' }, 'RS_ERR_FORBIDDEN');
    // A request waiting for an answer is not an activity either.
    await P.client.request({ type: 'consent.request', kind: 'desktop.view', to: C.id });
    const cv = await waitForView(C.client, (v) => Object.values(v.consents).some((c) => c.state === 'pending'));
    const requestId = Object.keys(cv.consents)[0]!;
    await refusedSignal(C, requestId, P.id, offer, 'RS_ERR_FORBIDDEN');
    await refusedSignal(P, requestId, C.id, offer, 'RS_ERR_FORBIDDEN');
    // Declined: still nothing to signal for.
    await C.client.request({ type: 'consent.answer', requestId, accept: false });
    await waitForView(P.client, (v) => v.consents[requestId]?.state === 'declined');
    await refusedSignal(C, requestId, P.id, offer, 'RS_ERR_FORBIDDEN');
    // Nothing reached anybody.
    for (const p of [P, C, C2, A]) assert.deepEqual(p.signals, [], `${p.id} got no signal`);
  });

  test('M12: signals to a waiting person, someone who left or an unknown id are refused even within a consented share', T, async () => {
    const f = await make();
    const { P, C, C2, W } = f;
    const share = await consentedShare(f);
    await refusedSignal(C, share, W.id, { kind: 'offer', sdp: 'v=0' }, 'RS_ERR_FORBIDDEN');
    await refusedSignal(C, share, 'not-a-participant', { kind: 'offer', sdp: 'v=0' }, 'RS_ERR_FORBIDDEN');
    await refusedSignal(C, share, C.id, { kind: 'offer', sdp: 'v=0' }, 'RS_ERR_FORBIDDEN');
    // Between two viewers of someone else's share: neither is its sharer.
    await refusedSignal(P, share, C2.id, { kind: 'offer', sdp: 'v=0' }, 'RS_ERR_FORBIDDEN');
    await C2.client.leave();
    await waitForView(C.client, (v) => v.participants[C2.id]?.status === 'left');
    await refusedSignal(C, share, C2.id, { kind: 'offer', sdp: 'v=0' }, 'RS_ERR_FORBIDDEN');
    assert.deepEqual(W.signals, []);
    assert.deepEqual(C2.signals, []);
    // The share's signaling itself works: the one valid signal is the only one P ever got.
    assert.equal(P.signals.length, 0);
    await onlyThisArrives(C, P, share, 0);
  });

  test('M12: after consent the sharer\u2019s signals reach every viewer, with `from` set by the server; a forged `from` is ignored', T, async () => {
    const f = await make();
    const { P, A, C, C2 } = f;
    const share = await consentedShare(f);
    // Sharer to each viewer (S-3), and each viewer back to the sharer.
    for (const viewer of [P, A, C2]) {
      const got = await onlyThisArrives(C, viewer, share, viewer.signals.length);
      assert.equal(got.from, C.id);
      const back = await onlyThisArrives(viewer, C, share, C.signals.length);
      assert.equal(back.from, viewer.id);
    }
    // A frame claiming to come from the assistant arrives as from the customer who sent it.
    const raw = await rawSocket(server, C.ticket);
    try {
      const mark = P.signals.length;
      raw.send({ type: 'signal', activityId: share, to: P.id, from: A.id, payload: { kind: 'want' } });
      await until('the forged signal at P', () => P.signals.length > mark);
      assert.deepEqual(P.signals.slice(mark), [{ activityId: share, from: C.id, payload: { kind: 'want' } }]);
      assert.deepEqual(raw.errors(), []);
    } finally {
      raw.close();
    }
  });

  test('M12: invalid signal frames get RS_ERR_VALIDATION and are not relayed; the connection stays open', T, async () => {
    const f = await make();
    const { P, C } = f;
    const share = await consentedShare(f);
    const candidate = (c: unknown) => ({ kind: 'candidate', candidate: c });
    const invalid: [string, unknown][] = [
      ['an offer whose sdp is over 60 000 characters', { kind: 'offer', sdp: 'a'.repeat(60_001) }],
      ['an answer whose sdp is over 60 000 characters', { kind: 'answer', sdp: 'a'.repeat(60_001) }],
      ['an offer without sdp', { kind: 'offer' }],
      ['a candidate that is a string', candidate('candidate:1 1 udp 1 192.0.2.1 1 typ host')],
      ['a candidate without its candidate line', candidate({ sdpMid: '0' })],
      ['a candidate line that is a number', candidate({ candidate: 42 })],
      ['a candidate line over 2000 characters', candidate({ candidate: 'c'.repeat(2001) })],
      ['a negative m-line index', candidate({ candidate: 'candidate:1', sdpMLineIndex: -1 })],
      ['a fractional m-line index', candidate({ candidate: 'candidate:1', sdpMLineIndex: 0.5 })],
      ['an unknown payload kind', { kind: 'renegotiate', sdp: 'v=0' }],
      ['no payload', undefined],
    ];
    for (const [what, payload] of invalid) {
      const err = await refusedSignal(C, share, P.id, payload, 'RS_ERR_VALIDATION');
      assert.match(err.message, /payload/, what);
    }
    // Frames without a recipient or an activity.
    const raw = await rawSocket(server, C.ticket);
    try {
      raw.send({ type: 'signal', activityId: share, payload: { kind: 'want' } });
      raw.send({ type: 'signal', to: P.id, payload: { kind: 'want' } });
      await until('two validation errors on the raw socket', () => raw.errors().length >= 2);
      assert.deepEqual(
        raw.errors().map((e) => e.code),
        ['RS_ERR_VALIDATION', 'RS_ERR_VALIDATION'],
      );
      assert.ok(raw.open(), 'a refused frame does not close the socket');
    } finally {
      raw.close();
    }
    assert.equal(C.client.connection.state, 'open');
    assert.deepEqual(P.signals, [], 'nothing invalid was relayed');
    await onlyThisArrives(C, P, share, 0);
  });

  test('M12: after activity.stop signals for it are refused both ways', T, async () => {
    const f = await make();
    const { P, C } = f;
    const share = await consentedShare(f);
    await onlyThisArrives(C, P, share, 0);
    await onlyThisArrives(P, C, share, 0);
    await C.client.request({ type: 'activity.stop', activityId: share });
    await waitForView(P.client, (v) => v.activities[share]?.state === 'stopped');
    await waitForView(C.client, (v) => v.activities[share]?.state === 'stopped');
    await refusedSignal(C, share, P.id, { kind: 'offer', sdp: 'v=0' }, 'RS_ERR_FORBIDDEN');
    await refusedSignal(P, share, C.id, { kind: 'answer', sdp: 'v=0' }, 'RS_ERR_FORBIDDEN');
    // A new share is signaled normally, and nothing of the old one arrived in between.
    const next = await consentedShare(f);
    await onlyThisArrives(C, P, next, 1);
    await onlyThisArrives(P, C, next, 1);
  });

  test('M12: in a voice call only members signal with each other', T, async () => {
    const f = await make();
    const { P, A, C, C2 } = f;
    await P.client.request({ type: 'activity.start', kind: 'voice' });
    const call = await until('the call', () => Object.values(C.client.view!.activities).find((a) => a.kind === 'voice')?.activityId);
    await refusedSignal(C, call, P.id, { kind: 'want' }, 'RS_ERR_FORBIDDEN');
    await C.client.request({ type: 'voice.join', activityId: call });
    await waitForView(P.client, (v) => v.activities[call]?.members[C.id] !== undefined);
    await onlyThisArrives(P, C, call, 0);
    await onlyThisArrives(C, P, call, 0);
    await refusedSignal(C, call, C2.id, { kind: 'want' }, 'RS_ERR_FORBIDDEN');
    await refusedSignal(A, call, P.id, { kind: 'want' }, 'RS_ERR_FORBIDDEN');
    await C.client.request({ type: 'voice.leave', activityId: call });
    await waitForView(P.client, (v) => v.activities[call]?.members[C.id] === undefined);
    await refusedSignal(P, call, C.id, { kind: 'want' }, 'RS_ERR_FORBIDDEN');
    assert.deepEqual(C2.signals, []);
  });

  test('a consent request reaches the customer asked and the reps, never the other customer', T, async () => {
    const f = await make();
    const { P, A, C, C2 } = f;
    await P.client.request({ type: 'consent.request', kind: 'app.view', to: C.id });
    const requestId = await until('the request at C', () => Object.keys(C.client.view!.consents)[0]);
    await waitForView(A.client, (v) => v.consents[requestId]?.state === 'pending');
    await C.client.request({ type: 'consent.answer', requestId, accept: true });
    // C2 learns of the share (S-3) but never of the request.
    const c2 = await waitForView(C2.client, (v) => Object.values(v.activities).some((a) => a.requestId === requestId));
    assert.deepEqual(c2.consents, {});
    assert.ok(!C2.events.some((e) => e.event.type.startsWith('consent.')), 'no consent event reached C2');
    // A fresh connection folds the same: the history holds no request either.
    const fresh = await connect(server, C2.ticket);
    try {
      assert.deepEqual(fresh.view!.consents, {});
    } finally {
      fresh.close();
    }
  });
});

// ---------------------------------------------------------------- TURN credentials and a short consent time

describe('a server with TURN and CONSENT_TTL_MS=1500', () => {
  const SECRET = 'turn-shared-secret-for-tests';
  const TTL_SECONDS = 600;
  const TURN_URLS = ['turn:turn.example.test:3478?transport=udp', 'turns:turn.example.test:5349?transport=tcp'];
  let server: RunningServer;
  let repApi: Awaited<ReturnType<typeof signIn>>['api'];
  let assistantApi: Awaited<ReturnType<typeof signIn>>['api'];
  const fixtures: Fixture[] = [];

  before(async () => {
    server = await startServer({
      env: { TURN_URLS: TURN_URLS.join(','), TURN_SECRET: SECRET, TURN_TTL_SECONDS: String(TTL_SECONDS), CONSENT_TTL_MS: '1500' },
    });
    const admin = await signIn(server.url);
    repApi = (await createRep(server.url, admin.api, 'Pia Primary')).api;
    assistantApi = (await createRep(server.url, admin.api, 'Arne Assistant')).api;
  });
  after(async () => {
    for (const f of fixtures) for (const p of f.all) p.client.close();
    await server?.stop();
  });

  test('the welcome carries a TURN entry with "<expiry>:<participantId>" and base64(HMAC-SHA1(secret, username))', T, async () => {
    const before = Math.floor(Date.now() / 1000);
    const f = await fixture(server, repApi, assistantApi);
    fixtures.push(f);
    const afterS = Math.ceil(Date.now() / 1000);
    const usernames = new Set<string>();
    for (const p of f.all) {
      const turn = p.client.iceServers.filter((s) => s.username !== undefined);
      assert.equal(turn.length, 1, `${p.id}: one TURN entry in ${JSON.stringify(p.client.iceServers)}`);
      const entry = turn[0]!;
      assert.deepEqual([entry.urls].flat(), TURN_URLS);
      const m = /^(\d+):(.+)$/.exec(entry.username!);
      assert.ok(m, `username "${entry.username}" is "<expiry>:<participantId>"`);
      assert.equal(m[2], p.id, 'the username names the participant');
      const expiry = Number(m[1]);
      assert.ok(expiry >= before + TTL_SECONDS && expiry <= afterS + TTL_SECONDS, `expiry ${expiry} is now + ${TTL_SECONDS} s (${before}…${afterS})`);
      assert.equal(entry.credential, crypto.createHmac('sha1', SECRET).update(entry.username!).digest('base64'));
      usernames.add(entry.username!);
    }
    assert.equal(usernames.size, f.all.length, 'every participant gets their own credentials');
  });

  test('CUS-2: an unanswered request closes with reason "expired" after CONSENT_TTL_MS; a late answer is refused', T, async () => {
    const f = await fixture(server, repApi, assistantApi);
    fixtures.push(f);
    const { P, C } = f;
    const t0 = Date.now();
    await P.client.request({ type: 'consent.request', kind: 'desktop.view', to: C.id });
    const request = await until('the request at C', () => Object.values(C.client.view!.consents)[0]);
    const ttl = Date.parse(request.expiresAt) - Date.parse(request.requestedAt);
    assert.ok(ttl >= 1400 && ttl <= 1600, `expiresAt is about 1500 ms after the request (${ttl} ms)`);
    const closed = (p: Person) =>
      p.events.find((e) => e.event.type === 'consent.closed' && e.event.requestId === request.requestId)?.event;
    const [atP, atC] = await Promise.all([until('expired at P', () => closed(P), 8000), until('expired at C', () => closed(C), 8000)]);
    const elapsed = Date.now() - t0;
    assert.deepEqual(atP, { type: 'consent.closed', requestId: request.requestId, reason: 'expired' });
    assert.deepEqual(atC, atP);
    assert.ok(elapsed >= 1400, `it expired after ${elapsed} ms, not before the time to live`);
    assert.equal(C.client.view!.consents[request.requestId]?.state, 'closed');
    await assert.rejects(C.client.request({ type: 'consent.answer', requestId: request.requestId, accept: true }), (e: RsError) => e.code === 'RS_ERR_INVALID_STATE');
    // Nothing started; a new request may be made at once.
    assert.equal(Object.keys(P.client.view!.activities).length, 0);
    await P.client.request({ type: 'consent.request', kind: 'desktop.view', to: C.id });
    const second = await until('the second request at C', () => Object.values(C.client.view!.consents).find((c) => c.state === 'pending'));
    await C.client.request({ type: 'consent.answer', requestId: second.requestId, accept: true });
    await waitForView(P.client, (v) => Object.values(v.activities).some((a) => a.requestId === second.requestId && a.state === 'active'));
    assert.equal(P.client.view!.consents[second.requestId]?.state, 'accepted', 'an answered request does not expire');
  });
});
