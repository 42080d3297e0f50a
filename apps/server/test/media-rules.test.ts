/**
 * Unit tests of the live-media rules (media-rules.ts, through `decide` as the
 * gateway calls it) and of who sees consent and media events
 * (visibility.ts). One describe per rule of MEDIA_RULES, named after it.
 * Views are built by folding event logs with the protocol's `foldEvents`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CONSENT_TTL_MS,
  RsError,
  activeActivities,
  foldEvents,
  senderOf,
  type ActivityKind,
  type ConsentKind,
  type ErrorCode,
  type Intent,
  type ParticipantInfo,
  type SessionEvent,
  type SessionEventEnvelope,
  type SessionView,
} from '@rs/protocol';
import { MEDIA_RULES, canSignal, decideDeviceAttach, dropControl } from '../src/modules/sessions/media-rules.js';
import { decide } from '../src/modules/sessions/rules.js';
import { canSee } from '../src/modules/sessions/visibility.js';

// ---------------------------------------------------------------- fixtures

const P: ParticipantInfo = { id: 'p1', kind: 'rep', role: 'primary', name: 'Pia Primary', userId: 'u1' };
const A: ParticipantInfo = { id: 'a1', kind: 'rep', role: 'assistant', name: 'Arne Assistant', userId: 'u2' };
const A2: ParticipantInfo = { id: 'a2', kind: 'rep', role: 'assistant', name: 'Alma Assistant', userId: 'u3' };
const C: ParticipantInfo = { id: 'c1', kind: 'customer', role: 'customer', name: 'Carla Customer' };
const C2: ParticipantInfo = { id: 'c2', kind: 'customer', role: 'customer', name: 'Conny Customer' };
const W: ParticipantInfo = { id: 'w1', kind: 'customer', role: 'customer', name: 'Wanda Waiting' };
const L: ParticipantInfo = { id: 'l1', kind: 'customer', role: 'customer', name: 'Leo Left' };
const LR: ParticipantInfo = { id: 'lr', kind: 'rep', role: 'assistant', name: 'Lars Left', userId: 'u4' };

const BASE_EVENTS: SessionEvent[] = [
  { type: 'session.started', number: '123456789', primary: P },
  { type: 'participant.connected', participantId: P.id },
  { type: 'participant.joined', participant: A },
  { type: 'participant.joined', participant: A2 },
  { type: 'participant.joined', participant: LR },
  { type: 'participant.left', participantId: LR.id },
  { type: 'participant.waiting', participant: C },
  { type: 'participant.admitted', participant: C, by: P.id },
  { type: 'participant.joined', participant: C2 },
  { type: 'participant.waiting', participant: W },
  { type: 'participant.waiting', participant: L },
  { type: 'participant.admitted', participant: L, by: P.id },
  { type: 'participant.left', participantId: L.id },
];

/** The decisions' clock: well after the fixture's events. */
const NOW = '2025-01-01T12:10:00.000Z';
const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();
/** A request made at NOW expires at this time. */
const EXPIRES = at(CONSENT_TTL_MS);

function envelopes(events: SessionEvent[]): SessionEventEnvelope[] {
  return events.map((event, i) => ({ seq: i + 1, at: new Date(Date.UTC(2025, 0, 1, 12, 0, i)).toISOString(), event }));
}

function viewOf(...more: SessionEvent[]): SessionView {
  const v = foldEvents(envelopes([...BASE_EVENTS, ...more]));
  assert.ok(v, 'the fixture folds into a view');
  return v;
}

// Building blocks of the media state.
const requested = (requestId: string, kind: ConsentKind, to = C.id, from = P.id, expiresAt = EXPIRES): SessionEvent => ({
  type: 'consent.requested',
  requestId,
  kind,
  from,
  to,
  expiresAt,
});
const accepted = (requestId: string): SessionEvent => ({ type: 'consent.answered', requestId, accepted: true });
const started = (activityId: string, kind: ActivityKind, sharer: string, requestId?: string): SessionEvent => ({
  type: 'activity.started',
  activityId,
  kind,
  sharer,
  ...(requestId ? { requestId } : {}),
});
const joined = (activityId: string, participantId: string): SessionEvent => ({ type: 'voice.joined', activityId, participantId });

/** C shares their screen with P's consent (request q1, activity s1). */
const CUSTOMER_SHARES: SessionEvent[] = [requested('q1', 'desktop.view'), accepted('q1'), started('s1', 'desktop.view', C.id, 'q1')];
/** P shows C their screen (request q2, activity s2). */
const REP_SHARES: SessionEvent[] = [requested('q2', 'desktop.share'), accepted('q2'), started('s2', 'desktop.share', P.id, 'q2')];
/** P asks C for folder access through Support Manager (request qf). */
const FOLDER_REQUEST_SM: SessionEvent = { type: 'consent.requested', requestId: 'qf', kind: 'folder.access', from: P.id, to: C.id, expiresAt: EXPIRES, via: 'support-manager' };
/** C shares a folder from their browser with P (request qf, activity f1). */
const FOLDER_BY_BROWSER: SessionEvent[] = [requested('qf', 'folder.access'), accepted('qf'), started('f1', 'folder', C.id, 'qf')];
/** The same through Support Manager, before its device is attached. */
const FOLDER_BY_SM: SessionEvent[] = [FOLDER_REQUEST_SM, accepted('qf'), { ...(started('f1', 'folder', C.id, 'qf') as Extract<SessionEvent, { type: 'activity.started' }>), via: 'support-manager' }];
/** A voice call started by P, with C in it. */
const CALL: SessionEvent[] = [started('call', 'voice', P.id), joined('call', P.id), joined('call', C.id)];

const open = viewOf();
const pending = viewOf(requested('q1', 'desktop.view'));
const customerSharing = viewOf(...CUSTOMER_SHARES);
const repSharing = viewOf(...REP_SHARES);
/** Everything at once: C's screen, C's and P's cameras, a call with P and C. */
const busy = viewOf(...CUSTOMER_SHARES, started('vc', 'video', C.id), started('vp', 'video', P.id), ...CALL);
const transferred = viewOf({ type: 'control.transferred', from: P.id, to: A.id });
const ended = viewOf(...CUSTOMER_SHARES, { type: 'session.ended', by: P.id, reason: 'ended_by_rep' });

type IntentInput = Intent extends infer I ? (I extends { rid: string } ? Omit<I, 'rid'> : never) : never;

function run(view: SessionView, actorId: string, intent: IntentInput, opts: { now?: string; consentTtlMs?: number } = {}): SessionEvent[] {
  let n = 0;
  return decide({
    view,
    actorId,
    intent: { ...intent, rid: 'r1' } as Intent,
    newMessageId: () => `new${++n}`,
    now: opts.now ?? NOW,
    ...(opts.consentTtlMs ? { consentTtlMs: opts.consentTtlMs } : {}),
  });
}

function refuses(view: SessionView, actorId: string, intent: IntentInput, code: ErrorCode, now = NOW): void {
  assert.throws(
    () => run(view, actorId, intent, { now }),
    (err: unknown) => {
      assert.ok(err instanceof RsError, `expected an RsError, got ${String(err)}`);
      assert.equal(err.code, code, `${actorId} ${intent.type}: ${err.message}`);
      assert.ok(err.message.length > 0, 'a refusal explains itself');
      return true;
    },
  );
}

/** The view of the fixture's log, then `before`, then the decided events: what they do when folded. */
function foldAfter(before: SessionEvent[], decided: SessionEvent[]): SessionView {
  return viewOf(...before, ...decided);
}

const types = (events: SessionEvent[]) => events.map((e) => e.type);

// ---------------------------------------------------------------- the fixture itself

test('the fixture folds into the intended media state', () => {
  assert.equal(Object.keys(MEDIA_RULES).length, 15, 'a new media rule needs its test here');
  assert.equal(pending.consents.q1?.state, 'pending');
  assert.deepEqual(
    activeActivities(busy).map((a) => [a.activityId, a.kind, a.sharer]),
    [
      ['s1', 'desktop.view', C.id],
      ['vc', 'video', C.id],
      ['vp', 'video', P.id],
      ['call', 'voice', P.id],
    ],
  );
  assert.deepEqual(Object.keys(busy.activities.call!.members), [P.id, C.id]);
  assert.equal(open.participants[W.id]?.status, 'waiting');
  assert.equal(open.participants[L.id]?.status, 'left');
});

// ---------------------------------------------------------------- M1..M13

describe(`M1 ${MEDIA_RULES.M1}`, () => {
  test('M1: the primary rep asks an admitted customer, for each kind; the request expires CONSENT_TTL_MS later', () => {
    for (const kind of ['desktop.view', 'desktop.share', 'app.view', 'app.share'] as const) {
      assert.deepEqual(run(open, P.id, { type: 'consent.request', kind, to: C.id }), [
        { type: 'consent.requested', requestId: 'new1', kind, from: P.id, to: C.id, expiresAt: EXPIRES },
      ]);
    }
    assert.equal(CONSENT_TTL_MS, 60_000);
    // The second customer may be asked as well.
    assert.equal(run(open, P.id, { type: 'consent.request', kind: 'app.view', to: C2.id })[0]?.type, 'consent.requested');
  });
  test('M1: a configured time to live (CONSENT_TTL_MS of the server) sets expiresAt', () => {
    const [e] = run(open, P.id, { type: 'consent.request', kind: 'desktop.view', to: C.id }, { consentTtlMs: 1500 });
    assert.equal(e?.type === 'consent.requested' && e.expiresAt, at(1500));
  });
  test('M1: assistants, customers and a former primary may not ask (RS_ERR_FORBIDDEN)', () => {
    for (const actor of [A, A2, C, C2]) refuses(open, actor.id, { type: 'consent.request', kind: 'desktop.view', to: C.id }, 'RS_ERR_FORBIDDEN');
    refuses(transferred, P.id, { type: 'consent.request', kind: 'desktop.view', to: C.id }, 'RS_ERR_FORBIDDEN');
    assert.equal(run(transferred, A.id, { type: 'consent.request', kind: 'desktop.view', to: C.id })[0]?.type, 'consent.requested');
  });
  test('M1: a waiting person neither asks nor is asked', () => {
    refuses(open, W.id, { type: 'consent.request', kind: 'desktop.view', to: C.id }, 'RS_ERR_FORBIDDEN');
    refuses(open, P.id, { type: 'consent.request', kind: 'desktop.view', to: W.id }, 'RS_ERR_INVALID_STATE');
  });
  test('M1: only a customer in the session is asked: not a rep, not someone who left, not an unknown id (RS_ERR_INVALID_STATE)', () => {
    for (const to of [A.id, P.id, L.id, LR.id, 'nobody']) refuses(open, P.id, { type: 'consent.request', kind: 'desktop.view', to }, 'RS_ERR_INVALID_STATE');
  });
  test('M1: folder access may be asked through Support Manager (the request says so); nothing else may (RS_ERR_VALIDATION)', () => {
    assert.deepEqual(run(open, P.id, { type: 'consent.request', kind: 'folder.access', to: C.id, via: 'support-manager' }), [
      { type: 'consent.requested', requestId: 'new1', kind: 'folder.access', from: P.id, to: C.id, expiresAt: EXPIRES, via: 'support-manager' },
    ]);
    assert.deepEqual(run(open, P.id, { type: 'consent.request', kind: 'folder.access', to: C.id }), [
      { type: 'consent.requested', requestId: 'new1', kind: 'folder.access', from: P.id, to: C.id, expiresAt: EXPIRES },
    ]);
    for (const kind of ['desktop.view', 'desktop.share', 'app.view', 'app.share', 'desktop.control', 'app.control'] as const) {
      refuses(open, P.id, { type: 'consent.request', kind, to: C.id, via: 'support-manager' }, 'RS_ERR_VALIDATION');
    }
    // Through Support Manager or not, one folder at a time.
    refuses(viewOf(...FOLDER_BY_BROWSER), P.id, { type: 'consent.request', kind: 'folder.access', to: C.id, via: 'support-manager' }, 'RS_ERR_INVALID_STATE');
  });
  test('M1: not while something is shared or another request waits; an expired request no longer blocks', () => {
    refuses(customerSharing, P.id, { type: 'consent.request', kind: 'app.view', to: C.id }, 'RS_ERR_INVALID_STATE');
    refuses(repSharing, P.id, { type: 'consent.request', kind: 'desktop.view', to: C2.id }, 'RS_ERR_INVALID_STATE');
    refuses(pending, P.id, { type: 'consent.request', kind: 'app.view', to: C2.id }, 'RS_ERR_INVALID_STATE');
    assert.equal(run(pending, P.id, { type: 'consent.request', kind: 'app.view', to: C.id }, { now: EXPIRES })[0]?.type, 'consent.requested');
    // Video and voice are not sharing: they do not block a request.
    const withCall = viewOf(...CALL, started('vc', 'video', C.id));
    assert.equal(run(withCall, P.id, { type: 'consent.request', kind: 'desktop.view', to: C.id })[0]?.type, 'consent.requested');
  });
});

describe(`M2 ${MEDIA_RULES.M2}`, () => {
  test('M2: the customer asked answers a pending request', () => {
    assert.deepEqual(run(pending, C.id, { type: 'consent.answer', requestId: 'q1', accept: false }), [
      { type: 'consent.answered', requestId: 'q1', accepted: false },
    ]);
    assert.equal(run(pending, C.id, { type: 'consent.answer', requestId: 'q1', accept: true })[0]?.type, 'consent.answered');
  });
  test('M2: nobody else answers: not another customer, not the reps (RS_ERR_FORBIDDEN)', () => {
    for (const actor of [C2, P, A]) {
      for (const accept of [true, false]) refuses(pending, actor.id, { type: 'consent.answer', requestId: 'q1', accept }, 'RS_ERR_FORBIDDEN');
    }
    refuses(pending, W.id, { type: 'consent.answer', requestId: 'q1', accept: true }, 'RS_ERR_FORBIDDEN');
  });
  test('M2: an unknown request is RS_ERR_NOT_FOUND', () => {
    refuses(pending, C.id, { type: 'consent.answer', requestId: 'nope', accept: true }, 'RS_ERR_NOT_FOUND');
  });
  test('M2: a request answered, declined, cancelled or closed already is RS_ERR_INVALID_STATE', () => {
    const declined = viewOf(requested('q1', 'desktop.view'), { type: 'consent.answered', requestId: 'q1', accepted: false });
    const cancelled = viewOf(requested('q1', 'desktop.view'), { type: 'consent.closed', requestId: 'q1', reason: 'cancelled' });
    const expired = viewOf(requested('q1', 'desktop.view'), { type: 'consent.closed', requestId: 'q1', reason: 'expired' });
    for (const v of [customerSharing, declined, cancelled, expired]) {
      for (const accept of [true, false]) refuses(v, C.id, { type: 'consent.answer', requestId: 'q1', accept }, 'RS_ERR_INVALID_STATE');
    }
  });
  test('M2: expiry: an answer at or after expiresAt is refused even before the "expired" event exists; just before it is taken', () => {
    assert.equal(pending.consents.q1?.state, 'pending', 'no expired event was written');
    for (const now of [EXPIRES, at(CONSENT_TTL_MS + 1), at(CONSENT_TTL_MS + 3_600_000)]) {
      refuses(pending, C.id, { type: 'consent.answer', requestId: 'q1', accept: true }, 'RS_ERR_INVALID_STATE', now);
      refuses(pending, C.id, { type: 'consent.answer', requestId: 'q1', accept: false }, 'RS_ERR_INVALID_STATE', now);
    }
    assert.equal(run(pending, C.id, { type: 'consent.answer', requestId: 'q1', accept: true }, { now: at(CONSENT_TTL_MS - 1) }).length, 2);
  });
});

describe(`M3 ${MEDIA_RULES.M3}`, () => {
  test('M3: accepting a view request starts the activity with the customer as sharer', () => {
    for (const kind of ['desktop.view', 'app.view'] as const) {
      const v = viewOf(requested('q1', kind));
      assert.deepEqual(run(v, C.id, { type: 'consent.answer', requestId: 'q1', accept: true }), [
        { type: 'consent.answered', requestId: 'q1', accepted: true },
        { type: 'activity.started', activityId: 'new1', kind, sharer: C.id, requestId: 'q1' },
      ]);
    }
  });
  test('M3: accepting a share request starts the activity with the asking rep as sharer', () => {
    for (const kind of ['desktop.share', 'app.share'] as const) {
      const v = viewOf(requested('q1', kind));
      assert.deepEqual(run(v, C.id, { type: 'consent.answer', requestId: 'q1', accept: true }), [
        { type: 'consent.answered', requestId: 'q1', accepted: true },
        { type: 'activity.started', activityId: 'new1', kind, sharer: P.id, requestId: 'q1' },
      ]);
    }
  });
  test('M3: accepting folder access starts it with the customer as sharer; asked through Support Manager, the activity says so and has no device yet', () => {
    assert.deepEqual(run(viewOf(requested('qf', 'folder.access')), C.id, { type: 'consent.answer', requestId: 'qf', accept: true }), [
      { type: 'consent.answered', requestId: 'qf', accepted: true },
      { type: 'activity.started', activityId: 'new1', kind: 'folder', sharer: C.id, requestId: 'qf' },
    ]);
    const events = run(viewOf(FOLDER_REQUEST_SM), C.id, { type: 'consent.answer', requestId: 'qf', accept: true });
    assert.deepEqual(events, [
      { type: 'consent.answered', requestId: 'qf', accepted: true },
      { type: 'activity.started', activityId: 'new1', kind: 'folder', sharer: C.id, requestId: 'qf', via: 'support-manager' },
    ]);
    const v = foldAfter([FOLDER_REQUEST_SM], events);
    assert.deepEqual({ via: v.activities.new1?.via, deviceId: v.activities.new1?.deviceId, consentVia: v.consents.qf?.via }, { via: 'support-manager', deviceId: undefined, consentVia: 'support-manager' });
  });
  test('M3: declining starts nothing', () => {
    const events = run(pending, C.id, { type: 'consent.answer', requestId: 'q1', accept: false });
    assert.deepEqual(types(events), ['consent.answered']);
    const v = foldAfter([requested('q1', 'desktop.view')], events);
    assert.equal(v.consents.q1?.state, 'declined');
    assert.deepEqual(activeActivities(v), []);
  });
});

describe(`M4 ${MEDIA_RULES.M4}`, () => {
  test('M4: every admitted participant, reps and customers, starts their own camera', () => {
    for (const actor of [P, A, A2, C, C2]) {
      assert.deepEqual(run(open, actor.id, { type: 'activity.start', kind: 'video' }), [
        { type: 'activity.started', activityId: 'new1', kind: 'video', sharer: actor.id },
      ]);
    }
  });
  test('M4: one video each: a second one is RS_ERR_INVALID_STATE, someone else\u2019s does not count, a stopped one does not either', () => {
    refuses(busy, C.id, { type: 'activity.start', kind: 'video' }, 'RS_ERR_INVALID_STATE');
    refuses(busy, P.id, { type: 'activity.start', kind: 'video' }, 'RS_ERR_INVALID_STATE');
    assert.equal(run(busy, C2.id, { type: 'activity.start', kind: 'video' })[0]?.type, 'activity.started');
    const stopped = viewOf(started('vc', 'video', C.id), { type: 'activity.stopped', activityId: 'vc', by: C.id, reason: 'stopped' });
    assert.equal(run(stopped, C.id, { type: 'activity.start', kind: 'video' })[0]?.type, 'activity.started');
  });
  test('M4: waiting or departed people send no video', () => {
    refuses(open, W.id, { type: 'activity.start', kind: 'video' }, 'RS_ERR_FORBIDDEN');
    refuses(open, L.id, { type: 'activity.start', kind: 'video' }, 'RS_ERR_FORBIDDEN');
  });
});

describe(`M5 ${MEDIA_RULES.M5}`, () => {
  test('M5: the primary rep starts a call and is its first member', () => {
    const events = run(open, P.id, { type: 'activity.start', kind: 'voice' });
    assert.deepEqual(events, [
      { type: 'activity.started', activityId: 'new1', kind: 'voice', sharer: P.id },
      { type: 'voice.joined', activityId: 'new1', participantId: P.id },
    ]);
    assert.deepEqual(foldAfter([], events).activities.new1?.members, { [P.id]: { muted: false } });
  });
  test('M5: assistants, customers and a former primary may not start one (RS_ERR_FORBIDDEN)', () => {
    for (const actor of [A, C, C2]) refuses(open, actor.id, { type: 'activity.start', kind: 'voice' }, 'RS_ERR_FORBIDDEN');
    refuses(transferred, P.id, { type: 'activity.start', kind: 'voice' }, 'RS_ERR_FORBIDDEN');
    assert.equal(run(transferred, A.id, { type: 'activity.start', kind: 'voice' })[0]?.type, 'activity.started');
  });
  test('M5: one call per session; after it ended a new one may start', () => {
    refuses(busy, P.id, { type: 'activity.start', kind: 'voice' }, 'RS_ERR_INVALID_STATE');
    const over = viewOf(...CALL, { type: 'activity.stopped', activityId: 'call', by: P.id, reason: 'stopped' });
    assert.equal(run(over, P.id, { type: 'activity.start', kind: 'voice' })[0]?.type, 'activity.started');
  });
});

describe(`M6 ${MEDIA_RULES.M6}`, () => {
  const stop = (activityId: string, reason?: 'stopped' | 'sharer_reloaded'): IntentInput => ({ type: 'activity.stop', activityId, ...(reason ? { reason } : {}) });
  test('M6: a customer\u2019s share is stopped by the customer (sharer) or the primary rep (asker), with who and why', () => {
    for (const actor of [C, P]) {
      assert.deepEqual(run(customerSharing, actor.id, stop('s1')), [{ type: 'activity.stopped', activityId: 's1', by: actor.id, reason: 'stopped' }]);
    }
    assert.deepEqual(run(customerSharing, C.id, stop('s1', 'sharer_reloaded')), [
      { type: 'activity.stopped', activityId: 's1', by: C.id, reason: 'sharer_reloaded' },
    ]);
  });
  test('M6: a rep\u2019s share is stopped by the rep (sharer) or the customer who accepted it', () => {
    for (const actor of [P, C]) assert.equal(run(repSharing, actor.id, stop('s2'))[0]?.type, 'activity.stopped');
  });
  test('M6: uninvolved people may not stop a share: another customer, an assistant (RS_ERR_FORBIDDEN)', () => {
    for (const actor of [C2, A, A2]) {
      refuses(customerSharing, actor.id, stop('s1'), 'RS_ERR_FORBIDDEN');
      refuses(repSharing, actor.id, stop('s2'), 'RS_ERR_FORBIDDEN');
    }
  });
  test('M6: a camera is stopped by its owner or the primary rep, by nobody else', () => {
    assert.equal(run(busy, C.id, stop('vc'))[0]?.type, 'activity.stopped');
    assert.equal(run(busy, P.id, stop('vc'))[0]?.type, 'activity.stopped');
    for (const actor of [C2, A]) refuses(busy, actor.id, stop('vc'), 'RS_ERR_FORBIDDEN');
    refuses(busy, C.id, stop('vp'), 'RS_ERR_FORBIDDEN');
  });
  test('M6: the call is ended by the primary rep who started it, not by a member', () => {
    assert.equal(run(busy, P.id, stop('call'))[0]?.type, 'activity.stopped');
    refuses(busy, C.id, stop('call'), 'RS_ERR_FORBIDDEN');
    refuses(busy, A.id, stop('call'), 'RS_ERR_FORBIDDEN');
  });
  test('M6: what is not running cannot be stopped (RS_ERR_INVALID_STATE)', () => {
    const stopped = viewOf(...CUSTOMER_SHARES, { type: 'activity.stopped', activityId: 's1', by: C.id, reason: 'stopped' });
    refuses(stopped, C.id, stop('s1'), 'RS_ERR_INVALID_STATE');
    refuses(open, P.id, stop('nothing'), 'RS_ERR_INVALID_STATE');
  });
});

describe(`M7 ${MEDIA_RULES.M7}`, () => {
  const join: IntentInput = { type: 'voice.join', activityId: 'call' };
  const leave: IntentInput = { type: 'voice.leave', activityId: 'call' };
  const mute = (muted: boolean): IntentInput => ({ type: 'voice.mute', activityId: 'call', muted });
  test('M7: any admitted participant joins the call; joining twice changes nothing', () => {
    for (const actor of [A, C2]) assert.deepEqual(run(busy, actor.id, join), [{ type: 'voice.joined', activityId: 'call', participantId: actor.id }]);
    assert.deepEqual(run(busy, C.id, join), []);
  });
  test('M7: a member leaves; a non-member cannot leave (RS_ERR_INVALID_STATE)', () => {
    assert.deepEqual(run(busy, C.id, leave), [{ type: 'voice.left', activityId: 'call', participantId: C.id }]);
    refuses(busy, C2.id, leave, 'RS_ERR_INVALID_STATE');
  });
  test('M7: a member mutes and unmutes only themselves; the same state again is no event; a non-member cannot mute', () => {
    const events = run(busy, C.id, mute(true));
    assert.deepEqual(events, [{ type: 'voice.muted', activityId: 'call', participantId: C.id, muted: true }]);
    const muted = viewOf(...CUSTOMER_SHARES, started('vc', 'video', C.id), started('vp', 'video', P.id), ...CALL, ...events);
    assert.deepEqual(muted.activities.call?.members, { [P.id]: { muted: false }, [C.id]: { muted: true } }, 'P stays unmuted');
    assert.deepEqual(run(muted, C.id, mute(true)), []);
    assert.deepEqual(run(muted, C.id, mute(false)), [{ type: 'voice.muted', activityId: 'call', participantId: C.id, muted: false }]);
    // The intent carries no participant: a member can only ever mute themselves.
    assert.deepEqual(run(muted, P.id, mute(true)), [{ type: 'voice.muted', activityId: 'call', participantId: P.id, muted: true }]);
    refuses(busy, C2.id, mute(true), 'RS_ERR_INVALID_STATE');
  });
  test('M7: no call, a stopped call or a non-voice activity: RS_ERR_INVALID_STATE', () => {
    refuses(open, C.id, join, 'RS_ERR_INVALID_STATE');
    const over = viewOf(...CALL, { type: 'activity.stopped', activityId: 'call', by: P.id, reason: 'stopped' });
    for (const i of [join, leave, mute(true)]) refuses(over, C.id, i, 'RS_ERR_INVALID_STATE');
    refuses(busy, C2.id, { type: 'voice.join', activityId: 's1' }, 'RS_ERR_INVALID_STATE');
    refuses(busy, C2.id, { type: 'voice.join', activityId: 'vc' }, 'RS_ERR_INVALID_STATE');
  });
  test('M7: a waiting person does not join', () => {
    refuses(busy, W.id, join, 'RS_ERR_FORBIDDEN');
  });
});

describe(`M8 ${MEDIA_RULES.M8}`, () => {
  test('M8: customer.select ends the sharing activities (customer_switched, by the rep), keeps video and voice, then selects', () => {
    const events = run(busy, P.id, { type: 'customer.select', participantId: C2.id });
    assert.deepEqual(events, [
      { type: 'activity.stopped', activityId: 's1', reason: 'customer_switched', by: P.id },
      { type: 'customer.selected', participantId: C2.id, by: P.id },
    ]);
    const v = foldAfter([...CUSTOMER_SHARES, started('vc', 'video', C.id), started('vp', 'video', P.id), ...CALL], events);
    assert.deepEqual(activeActivities(v).map((a) => a.activityId), ['vc', 'vp', 'call']);
    assert.deepEqual(Object.keys(v.activities.call!.members), [P.id, C.id], 'the call keeps its members');
    assert.equal(v.selectedCustomerId, C2.id);
  });
  test('M8: a rep\u2019s share to the first customer ends as well', () => {
    assert.deepEqual(run(repSharing, P.id, { type: 'customer.select', participantId: C2.id }), [
      { type: 'activity.stopped', activityId: 's2', reason: 'customer_switched', by: P.id },
      { type: 'customer.selected', participantId: C2.id, by: P.id },
    ]);
  });
  test('M8: customer.select closes a pending request (customer_switched)', () => {
    const events = run(pending, P.id, { type: 'customer.select', participantId: C2.id });
    assert.deepEqual(events, [
      { type: 'consent.closed', requestId: 'q1', reason: 'customer_switched' },
      { type: 'customer.selected', participantId: C2.id, by: P.id },
    ]);
    const v = foldAfter([requested('q1', 'desktop.view')], events);
    assert.equal(v.consents.q1?.state, 'closed');
    assert.equal(v.consents.q1?.closeReason, 'customer_switched');
  });
  test('M8: selecting the customer who is helped already ends nothing', () => {
    const selected = viewOf(...CUSTOMER_SHARES, { type: 'customer.selected', participantId: C.id, by: P.id });
    assert.deepEqual(run(selected, P.id, { type: 'customer.select', participantId: C.id }), []);
    // C is helped implicitly (the first customer); naming them does not end their share either.
    assert.deepEqual(run(customerSharing, P.id, { type: 'customer.select', participantId: C.id }), [
      { type: 'customer.selected', participantId: C.id, by: P.id },
    ]);
  });
  test('M8: only the primary rep selects (RS_ERR_FORBIDDEN), and only an admitted customer (RS_ERR_INVALID_STATE)', () => {
    for (const actor of [A, C, C2]) refuses(customerSharing, actor.id, { type: 'customer.select', participantId: C2.id }, 'RS_ERR_FORBIDDEN');
    for (const target of [W.id, L.id, A.id, P.id, 'nobody']) refuses(customerSharing, P.id, { type: 'customer.select', participantId: target }, 'RS_ERR_INVALID_STATE');
  });
});

describe(`M9 ${MEDIA_RULES.M9}`, () => {
  test('M9: control.transfer ends sharing and every camera (control_transferred), keeps the call and its members', () => {
    const events = run(busy, P.id, { type: 'control.transfer', to: A.id });
    assert.deepEqual(events, [
      { type: 'activity.stopped', activityId: 's1', reason: 'control_transferred', by: P.id },
      { type: 'activity.stopped', activityId: 'vc', reason: 'control_transferred', by: P.id },
      { type: 'activity.stopped', activityId: 'vp', reason: 'control_transferred', by: P.id },
      { type: 'control.transferred', from: P.id, to: A.id },
    ]);
    const v = foldAfter([...CUSTOMER_SHARES, started('vc', 'video', C.id), started('vp', 'video', P.id), ...CALL], events);
    assert.deepEqual(activeActivities(v).map((a) => a.activityId), ['call']);
    assert.deepEqual(v.activities.call?.members, { [P.id]: { muted: false }, [C.id]: { muted: false } });
    assert.equal(v.primaryId, A.id);
  });
  test('M9: control.transfer closes a pending request', () => {
    assert.deepEqual(run(pending, P.id, { type: 'control.transfer', to: A.id }), [
      { type: 'consent.closed', requestId: 'q1', reason: 'control_transferred' },
      { type: 'control.transferred', from: P.id, to: A.id },
    ]);
  });
  test('M9: with nothing running a transfer is only the transfer', () => {
    assert.deepEqual(run(viewOf(...CALL), P.id, { type: 'control.transfer', to: A.id }), [{ type: 'control.transferred', from: P.id, to: A.id }]);
  });
});

describe(`M10 ${MEDIA_RULES.M10}`, () => {
  test('M10: the primary rep sets the display mode; the same mode again is no event', () => {
    const events = run(open, P.id, { type: 'display.set', mode: 'sampling' });
    assert.deepEqual(events, [{ type: 'display.mode', mode: 'sampling', by: P.id }]);
    const sampling = foldAfter([], events);
    assert.equal(sampling.displayMode, 'sampling');
    assert.deepEqual(run(sampling, P.id, { type: 'display.set', mode: 'sampling' }), []);
    assert.deepEqual(run(sampling, P.id, { type: 'display.set', mode: 'standard' }), [{ type: 'display.mode', mode: 'standard', by: P.id }]);
    assert.deepEqual(run(open, P.id, { type: 'display.set', mode: 'standard' }), []);
  });
  test('M10: assistants, customers and a former primary may not (RS_ERR_FORBIDDEN)', () => {
    for (const actor of [A, C, C2]) refuses(open, actor.id, { type: 'display.set', mode: 'sampling' }, 'RS_ERR_FORBIDDEN');
    refuses(transferred, P.id, { type: 'display.set', mode: 'sampling' }, 'RS_ERR_FORBIDDEN');
    assert.equal(run(transferred, A.id, { type: 'display.set', mode: 'sampling' })[0]?.type, 'display.mode');
  });
});

describe(`M11 ${MEDIA_RULES.M11}`, () => {
  test('M11: a customer who leaves stops their share and camera (sharer_left) and leaves the call', () => {
    assert.deepEqual(run(busy, C.id, { type: 'session.leave' }), [
      { type: 'activity.stopped', activityId: 's1', reason: 'sharer_left' },
      { type: 'activity.stopped', activityId: 'vc', reason: 'sharer_left' },
      { type: 'voice.left', activityId: 'call', participantId: C.id },
      { type: 'participant.left', participantId: C.id },
    ]);
  });
  test('M11: the customer who watches a rep\u2019s share ends it by leaving', () => {
    assert.deepEqual(run(repSharing, C.id, { type: 'session.leave' }), [
      { type: 'activity.stopped', activityId: 's2', reason: 'sharer_left' },
      { type: 'participant.left', participantId: C.id },
    ]);
  });
  test('M11: a pending request to the leaver is closed (participant_left)', () => {
    assert.deepEqual(run(pending, C.id, { type: 'session.leave' }), [
      { type: 'consent.closed', requestId: 'q1', reason: 'participant_left' },
      { type: 'participant.left', participantId: C.id },
    ]);
  });
  test('M11: an uninvolved viewer leaving ends nothing of others', () => {
    assert.deepEqual(run(busy, C2.id, { type: 'session.leave' }), [{ type: 'participant.left', participantId: C2.id }]);
    const withA = viewOf(...CUSTOMER_SHARES, started('va', 'video', A.id), ...CALL, joined('call', A.id));
    assert.deepEqual(run(withA, A.id, { type: 'session.leave' }), [
      { type: 'activity.stopped', activityId: 'va', reason: 'sharer_left' },
      { type: 'voice.left', activityId: 'call', participantId: A.id },
      { type: 'participant.left', participantId: A.id },
    ]);
  });
  test('M11: the rep who started the call leaves it after a transfer; the call goes on', () => {
    const v = viewOf(...CALL, { type: 'control.transferred', from: P.id, to: A.id });
    const events = run(v, P.id, { type: 'session.leave' });
    assert.deepEqual(events, [
      { type: 'voice.left', activityId: 'call', participantId: P.id },
      { type: 'participant.left', participantId: P.id },
    ]);
    const after = foldAfter([...CALL, { type: 'control.transferred', from: P.id, to: A.id }], events);
    assert.equal(after.activities.call?.state, 'active');
    assert.deepEqual(Object.keys(after.activities.call!.members), [C.id]);
  });
});

describe(`M12 ${MEDIA_RULES.M12}`, () => {
  const people = [P, A, C, C2, W, L];
  const signalView = viewOf(...CUSTOMER_SHARES, started('vc2', 'video', C2.id), ...CALL);
  /** Expected canSignal per activity, as "from>to" pairs that are allowed; every other pair is refused. */
  const ALLOWED: Record<string, string[]> = {
    // One sender to every admitted viewer (S-3): the sharer and each admitted participant, both ways.
    s1: ['c1>p1', 'c1>a1', 'c1>c2', 'p1>c1', 'a1>c1', 'c2>c1'],
    vc2: ['c2>p1', 'c2>a1', 'c2>c1', 'p1>c2', 'a1>c2', 'c1>c2'],
    // Only between members of the call.
    call: ['p1>c1', 'c1>p1'],
  };
  test('M12: the canSignal matrix of a share, a camera and a call over every pair of participants', () => {
    for (const [activityId, allowed] of Object.entries(ALLOWED)) {
      const got: string[] = [];
      for (const from of people) for (const to of people) if (canSignal(signalView, from.id, to.id, activityId)) got.push(`${from.id}>${to.id}`);
      assert.deepEqual(got.sort(), [...allowed].sort(), `activity ${activityId}`);
    }
  });
  test('M12: a folder shared by the browser: only between the customer and the rep who asked', () => {
    const v = viewOf(...FOLDER_BY_BROWSER);
    const got: string[] = [];
    for (const from of people) for (const to of people) if (canSignal(v, from.id, to.id, 'f1')) got.push(`${from.id}>${to.id}`);
    assert.deepEqual(got.sort(), ['c1>p1', 'p1>c1']);
  });
  test('M12: a call member who joins may signal with the other members', () => {
    const v = viewOf(...CALL, joined('call', A.id));
    assert.equal(canSignal(v, A.id, P.id, 'call'), true);
    assert.equal(canSignal(v, C.id, A.id, 'call'), true);
    assert.equal(canSignal(v, C2.id, A.id, 'call'), false);
  });
  test('M12: nothing for an unknown or stopped activity, a pending or declined request, or an ended session', () => {
    assert.equal(canSignal(signalView, C.id, P.id, 'nope'), false);
    const stopped = viewOf(...CUSTOMER_SHARES, { type: 'activity.stopped', activityId: 's1', by: C.id, reason: 'stopped' });
    assert.equal(canSignal(stopped, C.id, P.id, 's1'), false);
    assert.equal(canSignal(stopped, P.id, C.id, 's1'), false);
    // A request is not an activity: nobody can offer a share nobody consented to.
    assert.equal(canSignal(pending, C.id, P.id, 'q1'), false);
    assert.equal(canSignal(pending, P.id, C.id, 'q1'), false);
    assert.equal(canSignal(ended, C.id, P.id, 's1'), false);
  });
  test('M12: nobody signals to themselves, to a waiting or departed person or an unknown id', () => {
    assert.equal(canSignal(signalView, C.id, C.id, 's1'), false);
    for (const to of [W.id, L.id, LR.id, 'nobody']) assert.equal(canSignal(signalView, C.id, to, 's1'), false, to);
    const departed = viewOf(...CUSTOMER_SHARES, { type: 'participant.left', participantId: C2.id });
    assert.equal(canSignal(departed, C.id, C2.id, 's1'), false);
  });
});

describe(`M13 ${MEDIA_RULES.M13}`, () => {
  test('M13: the asking rep cancels a pending request (cancelled)', () => {
    const events = run(pending, P.id, { type: 'consent.cancel', requestId: 'q1' });
    assert.deepEqual(events, [{ type: 'consent.closed', requestId: 'q1', reason: 'cancelled' }]);
    assert.equal(foldAfter([requested('q1', 'desktop.view')], events).consents.q1?.closeReason, 'cancelled');
  });
  test('M13: the customer asked, another customer or an assistant may not cancel (RS_ERR_FORBIDDEN)', () => {
    for (const actor of [C, C2, A]) refuses(pending, actor.id, { type: 'consent.cancel', requestId: 'q1' }, 'RS_ERR_FORBIDDEN');
  });
  test('M13: an unknown request is RS_ERR_NOT_FOUND; an answered or closed one RS_ERR_INVALID_STATE', () => {
    refuses(pending, P.id, { type: 'consent.cancel', requestId: 'nope' }, 'RS_ERR_NOT_FOUND');
    refuses(customerSharing, P.id, { type: 'consent.cancel', requestId: 'q1' }, 'RS_ERR_INVALID_STATE');
    const closed = viewOf(requested('q1', 'desktop.view'), { type: 'consent.closed', requestId: 'q1', reason: 'expired' });
    refuses(closed, P.id, { type: 'consent.cancel', requestId: 'q1' }, 'RS_ERR_INVALID_STATE');
  });
});

// ---------------------------------------------------------------- nothing in an ended session

test('R1 applies to media: every media intent in an ended session is RS_ERR_SESSION_ENDED', () => {
  const intents: IntentInput[] = [
    { type: 'consent.request', kind: 'desktop.view', to: C.id },
    { type: 'consent.answer', requestId: 'q1', accept: true },
    { type: 'consent.cancel', requestId: 'q1' },
    { type: 'activity.start', kind: 'video' },
    { type: 'activity.start', kind: 'voice' },
    { type: 'activity.stop', activityId: 's1' },
    { type: 'voice.join', activityId: 'call' },
    { type: 'customer.select', participantId: C2.id },
    { type: 'display.set', mode: 'sampling' },
  ];
  for (const actor of [P, C]) for (const i of intents) refuses(ended, actor.id, i, 'RS_ERR_SESSION_ENDED');
});

// ---------------------------------------------------------------- visibility

/** Who of everyone sees `event`, appended after `before`, judged with the view after it (as the gateway does). */
function whoSees(before: SessionEvent[], event: SessionEvent): string[] {
  const log = envelopes([...BASE_EVENTS, ...before, event]);
  const after = foldEvents(log)!;
  const env = log[log.length - 1]!;
  return [P, A, A2, C, C2, W].filter((p) => canSee(after, p.id, env)).map((p) => p.id);
}

describe('visibility of media events', () => {
  const reps = [P.id, A.id, A2.id];
  test('a consent request reaches the reps and the customer asked, not other customers or waiting people', () => {
    assert.deepEqual(whoSees([], requested('q1', 'desktop.view')), [...reps, C.id]);
    assert.deepEqual(whoSees([], requested('q9', 'app.share', C2.id)), [...reps, C2.id]);
  });
  test('a consent request, its answer and its closing also reach the Support Manager paired with the customer asked, no other device', () => {
    const devices: SessionEvent[] = [
      { type: 'participant.joined', participant: { id: 'd1', kind: 'device', role: 'device', name: 'SM – Carla', pairedWith: C.id } },
      { type: 'participant.joined', participant: { id: 'd2', kind: 'device', role: 'device', name: 'SM – Conny', pairedWith: C2.id } },
    ];
    const sees = (before: SessionEvent[], event: SessionEvent) => {
      const log = envelopes([...BASE_EVENTS, ...devices, ...before, event]);
      const after = foldEvents(log)!;
      return ['d1', 'd2'].filter((id) => canSee(after, id, log[log.length - 1]!));
    };
    assert.deepEqual(sees([], FOLDER_REQUEST_SM), ['d1']);
    assert.deepEqual(sees([FOLDER_REQUEST_SM], accepted('qf')), ['d1']);
    assert.deepEqual(sees([FOLDER_REQUEST_SM], { type: 'consent.closed', requestId: 'qf', reason: 'cancelled' }), ['d1']);
    assert.deepEqual(sees([], requested('q9', 'desktop.view', C2.id)), ['d2']);
  });
  test('its answer and its closing reach the same people', () => {
    assert.deepEqual(whoSees([requested('q1', 'desktop.view')], accepted('q1')), [...reps, C.id]);
    assert.deepEqual(whoSees([requested('q1', 'desktop.view')], { type: 'consent.answered', requestId: 'q1', accepted: false }), [...reps, C.id]);
    for (const reason of ['expired', 'cancelled', 'control_transferred', 'customer_switched', 'participant_left'] as const) {
      assert.deepEqual(whoSees([requested('q1', 'desktop.view')], { type: 'consent.closed', requestId: 'q1', reason }), [...reps, C.id], reason);
    }
  });
  test('the share itself, its end, calls, the selected customer and the display mode reach every admitted participant (S-3)', () => {
    const everyone = [...reps, C.id, C2.id];
    assert.deepEqual(whoSees([requested('q1', 'desktop.view'), accepted('q1')], started('s1', 'desktop.view', C.id, 'q1')), everyone);
    assert.deepEqual(whoSees(CUSTOMER_SHARES, { type: 'activity.stopped', activityId: 's1', by: C.id, reason: 'stopped' }), everyone);
    assert.deepEqual(whoSees([], started('call', 'voice', P.id)), everyone);
    assert.deepEqual(whoSees([started('call', 'voice', P.id)], joined('call', C.id)), everyone);
    assert.deepEqual(whoSees(CALL, { type: 'voice.muted', activityId: 'call', participantId: C.id, muted: true }), everyone);
    assert.deepEqual(whoSees(CALL, { type: 'voice.left', activityId: 'call', participantId: C.id }), everyone);
    assert.deepEqual(whoSees([], { type: 'customer.selected', participantId: C2.id, by: P.id }), everyone);
    assert.deepEqual(whoSees([], { type: 'display.mode', mode: 'sampling', by: P.id }), everyone);
  });
});

// ---------------------------------------------------------------- remote control through Support Manager

const DEVICE = { id: 'd1', name: 'Support Manager – Carla Customer' };
const CONTROL: SessionEvent[] = [requested('qc', 'desktop.control'), accepted('qc'), started('ctl', 'desktop.control', C.id, 'qc')];
const controlled = viewOf(...CONTROL);
const attach = (v: SessionView) => decideDeviceAttach(v, { activityId: 'ctl', customerId: C.id, device: DEVICE });
const withDevice = viewOf(...CONTROL, ...attach(controlled));

describe(`M14 ${MEDIA_RULES.M14}`, () => {
  test('accepting control starts the activity with the customer as its sharer and no device yet', () => {
    const events = run(viewOf(requested('qc', 'desktop.control')), C.id, { type: 'consent.answer', requestId: 'qc', accept: true });
    assert.deepEqual(types(events), ['consent.answered', 'activity.started']);
    const started = events[1];
    assert.ok(started?.type === 'activity.started' && started.kind === 'desktop.control' && started.sharer === C.id);
  });
  test('the paired device joins as a device participant of the customer and is attached', () => {
    assert.deepEqual(attach(controlled), [
      { type: 'participant.joined', participant: { id: 'd1', kind: 'device', role: 'device', name: DEVICE.name, pairedWith: C.id } },
      { type: 'device.attached', activityId: 'ctl', deviceId: 'd1' },
    ]);
    assert.equal(withDevice.activities.ctl?.deviceId, 'd1');
    assert.equal(withDevice.participants.d1?.status, 'admitted');
  });
  test('once only, only for a running control activity of that customer', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof RsError ? e.code : 'other';
      }
      return 'none';
    };
    assert.equal(code(() => attach(withDevice)), 'RS_ERR_INVALID_STATE');
    assert.equal(code(() => decideDeviceAttach(controlled, { activityId: 'ctl', customerId: C2.id, device: DEVICE })), 'RS_ERR_FORBIDDEN');
    assert.equal(code(() => decideDeviceAttach(customerSharing, { activityId: 's1', customerId: C.id, device: DEVICE })), 'RS_ERR_INVALID_STATE');
    const stopped = viewOf(...CONTROL, { type: 'activity.stopped', activityId: 'ctl', by: C.id, reason: 'stopped' });
    assert.equal(code(() => attach(stopped)), 'RS_ERR_INVALID_STATE');
  });
  test("the screen comes from the device, not from the customer's browser: signaling is between the device and the viewers only", () => {
    assert.equal(canSignal(controlled, C.id, P.id, 'ctl'), false, 'nothing flows before a device is attached');
    assert.equal(canSignal(withDevice, 'd1', P.id, 'ctl'), true);
    assert.equal(canSignal(withDevice, P.id, 'd1', 'ctl'), true);
    assert.equal(canSignal(withDevice, C.id, P.id, 'ctl'), false);
    assert.equal(canSignal(withDevice, P.id, C.id, 'ctl'), false);
  });
  test('folder access through Support Manager: the paired device is attached once and serves the folder; a folder shared by the browser takes no device', () => {
    const waiting = viewOf(...FOLDER_BY_SM);
    const events = decideDeviceAttach(waiting, { activityId: 'f1', customerId: C.id, device: DEVICE });
    assert.deepEqual(types(events), ['participant.joined', 'device.attached']);
    const served = viewOf(...FOLDER_BY_SM, ...events);
    assert.equal(served.activities.f1?.deviceId, 'd1');
    assert.equal(senderOf(served.activities.f1!), 'd1', 'the device is the folder’s sender');
    assert.equal(senderOf(waiting.activities.f1!), undefined, 'nobody serves it before the device is attached');
    assert.equal(senderOf(viewOf(...FOLDER_BY_BROWSER).activities.f1!), C.id, 'the browser serves a folder shared from it');
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof RsError ? e.code : 'other';
      }
      return 'none';
    };
    assert.equal(code(() => decideDeviceAttach(served, { activityId: 'f1', customerId: C.id, device: { id: 'd2', name: 'x' } })), 'RS_ERR_INVALID_STATE', 'once only');
    assert.equal(code(() => decideDeviceAttach(viewOf(...FOLDER_BY_BROWSER), { activityId: 'f1', customerId: C.id, device: DEVICE })), 'RS_ERR_INVALID_STATE');
    assert.equal(code(() => decideDeviceAttach(waiting, { activityId: 'f1', customerId: C2.id, device: DEVICE })), 'RS_ERR_FORBIDDEN');
  });
  test('folder access through Support Manager: signaling between the device and the rep who asked, and the device and its customer’s page; never the customer’s browser and the rep', () => {
    const people = [P.id, A.id, C.id, C2.id, 'd1'];
    const pairs = (v: SessionView) => {
      const got: string[] = [];
      for (const from of people) for (const to of people) if (canSignal(v, from, to, 'f1')) got.push(`${from}>${to}`);
      return got.sort();
    };
    assert.deepEqual(pairs(viewOf(...FOLDER_BY_SM)), [], 'nothing before the device is attached');
    const served = viewOf(...FOLDER_BY_SM, ...decideDeviceAttach(viewOf(...FOLDER_BY_SM), { activityId: 'f1', customerId: C.id, device: DEVICE }));
    assert.deepEqual(pairs(served), ['c1>d1', 'd1>c1', 'd1>p1', 'p1>d1'].sort());
  });
  test('while control runs nothing else is shared, and control is not asked while something is', () => {
    refuses(controlled, P.id, { type: 'consent.request', kind: 'desktop.view', to: C.id }, 'RS_ERR_INVALID_STATE');
    refuses(customerSharing, P.id, { type: 'consent.request', kind: 'desktop.control', to: C.id }, 'RS_ERR_INVALID_STATE');
  });
});

describe(`M15 ${MEDIA_RULES.M15}`, () => {
  test('the customer, the rep and the device each stop control', () => {
    for (const who of [C.id, P.id, 'd1']) {
      assert.deepEqual(types(run(withDevice, who, { type: 'activity.stop', activityId: 'ctl' })), ['activity.stopped']);
    }
  });
  test('the customer or the device dropping stops control; others dropping do not', () => {
    assert.deepEqual(dropControl(withDevice, C.id), [{ type: 'activity.stopped', activityId: 'ctl', reason: 'sharer_left' }]);
    assert.deepEqual(dropControl(withDevice, 'd1'), [{ type: 'activity.stopped', activityId: 'ctl', reason: 'sharer_left' }]);
    assert.deepEqual(dropControl(withDevice, C2.id), []);
    assert.deepEqual(dropControl(withDevice, P.id), []);
  });
  test('the customer or the device leaving stops control', () => {
    assert.ok(run(withDevice, C.id, { type: 'session.leave' }).some((e) => e.type === 'activity.stopped' && e.activityId === 'ctl'));
    assert.ok(run(withDevice, 'd1', { type: 'session.leave' }).some((e) => e.type === 'activity.stopped' && e.activityId === 'ctl'));
  });
  test('folder access through Support Manager stops when its customer or its device drops or leaves; a folder shared by the browser does not stop on a drop', () => {
    const served = viewOf(...FOLDER_BY_SM, ...decideDeviceAttach(viewOf(...FOLDER_BY_SM), { activityId: 'f1', customerId: C.id, device: DEVICE }));
    for (const who of [C.id, 'd1']) {
      assert.deepEqual(dropControl(served, who), [{ type: 'activity.stopped', activityId: 'f1', reason: 'sharer_left' }], who);
      assert.ok(run(served, who, { type: 'session.leave' }).some((e) => e.type === 'activity.stopped' && e.activityId === 'f1'), who);
    }
    assert.deepEqual(dropControl(served, P.id), []);
    assert.deepEqual(dropControl(viewOf(...FOLDER_BY_BROWSER), C.id), []);
    assert.deepEqual(types(run(served, 'd1', { type: 'activity.stop', activityId: 'f1' })), ['activity.stopped']);
  });
  test('a device may not chat, ask, answer or start anything', () => {
    refuses(withDevice, 'd1', { type: 'chat.send', text: 'hi' }, 'RS_ERR_FORBIDDEN');
    refuses(withDevice, 'd1', { type: 'activity.start', kind: 'video' }, 'RS_ERR_FORBIDDEN');
    refuses(withDevice, 'd1', { type: 'notes.save', text: 'x' }, 'RS_ERR_FORBIDDEN');
  });
});
