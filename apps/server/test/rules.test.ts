/**
 * Unit tests of the session state machine (rules.ts) and of who sees which
 * event (visibility.ts). Views are built the way the server builds them: by
 * folding an event log with the protocol's `foldEvents`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  RsError,
  foldEvents,
  type ErrorCode,
  type Intent,
  type ParticipantInfo,
  type SessionEvent,
  type SessionEventEnvelope,
  type SessionView,
} from '@rs/protocol';
import { RULES, decide, decideSessionTransfer, decideTransferAccept } from '../src/modules/sessions/rules.js';
import { canSee } from '../src/modules/sessions/visibility.js';

// ---------------------------------------------------------------- fixtures

const P: ParticipantInfo = { id: 'p1', kind: 'rep', role: 'primary', name: 'Pia Primary', email: 'pia@example.test', userId: 'u1' };
const A: ParticipantInfo = { id: 'a1', kind: 'rep', role: 'assistant', name: 'Arne Assistant', userId: 'u2' };
const A2: ParticipantInfo = { id: 'a2', kind: 'rep', role: 'assistant', name: 'Alma Assistant', userId: 'u3' };
const LR: ParticipantInfo = { id: 'lr', kind: 'rep', role: 'assistant', name: 'Lars Left', userId: 'u4' };
const C: ParticipantInfo = { id: 'c1', kind: 'customer', role: 'customer', name: 'Carla Customer', email: 'carla@example.test' };
const C2: ParticipantInfo = { id: 'c2', kind: 'customer', role: 'customer', name: 'Conny Invited' };
const W: ParticipantInfo = { id: 'w1', kind: 'customer', role: 'customer', name: 'Wanda Waiting' };
const W2: ParticipantInfo = { id: 'w2', kind: 'customer', role: 'customer', name: 'Walter Waiting' };
const D: ParticipantInfo = { id: 'd1', kind: 'customer', role: 'customer', name: 'Dora Denied' };
const L: ParticipantInfo = { id: 'l1', kind: 'customer', role: 'customer', name: 'Leo Left' };

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
  { type: 'participant.waiting', participant: W2 },
  { type: 'participant.waiting', participant: D },
  { type: 'participant.denied', participantId: D.id, by: P.id },
  { type: 'participant.waiting', participant: L },
  { type: 'participant.admitted', participant: L, by: P.id },
  { type: 'participant.left', participantId: L.id },
];

function envelopes(events: SessionEvent[]): SessionEventEnvelope[] {
  return events.map((event, i) => ({ seq: i + 1, at: new Date(Date.UTC(2025, 0, 1, 12, 0, i)).toISOString(), event }));
}

function viewOf(...more: SessionEvent[]): SessionView {
  const v = foldEvents(envelopes([...BASE_EVENTS, ...more]));
  assert.ok(v, 'the fixture folds into a view');
  return v;
}

/** An open session: P primary; A, A2 assistants; C, C2 admitted customers; W, W2 waiting; D denied; L and LR left. */
const open = viewOf();
/** The same session after P handed control to A. */
const transferred = viewOf({ type: 'control.transferred', from: P.id, to: A.id });
const ended = viewOf({ type: 'session.ended', by: P.id, reason: 'ended_by_rep' });

type IntentInput = Intent extends infer I ? (I extends { rid: string } ? Omit<I, 'rid'> : never) : never;

function run(view: SessionView, actorId: string, intent: IntentInput): SessionEvent[] {
  return decide({ view, actorId, intent: { ...intent, rid: 'r1' } as Intent, newMessageId: () => 'msg1' });
}

function refuses(view: SessionView, actorId: string, intent: IntentInput, code: ErrorCode): void {
  assert.throws(
    () => run(view, actorId, intent),
    (err: unknown) => {
      assert.ok(err instanceof RsError, `expected an RsError, got ${String(err)}`);
      assert.equal(err.code, code, `${actorId} ${intent.type}: ${err.message}`);
      assert.ok(err.message.length > 0, 'a refusal explains itself');
      return true;
    },
  );
}

/** One intent of each kind, aimed at plausible targets. */
const EVERY_INTENT: IntentInput[] = [
  { type: 'chat.send', text: 'hi' },
  { type: 'chat.send', text: 'hi', to: C.id },
  { type: 'notes.save', text: 'n' },
  { type: 'participant.admit', participantId: W.id },
  { type: 'participant.deny', participantId: W.id },
  { type: 'control.transfer', to: A.id },
  { type: 'session.end' },
  { type: 'session.leave' },
];

// ---------------------------------------------------------------- the fixture itself

test('the fixture folds into the intended statuses', () => {
  const status = Object.fromEntries(Object.values(open.participants).map((p) => [p.id, p.status]));
  assert.deepEqual(status, {
    p1: 'admitted',
    a1: 'admitted',
    a2: 'admitted',
    lr: 'left',
    c1: 'admitted',
    c2: 'admitted',
    w1: 'waiting',
    w2: 'waiting',
    d1: 'denied',
    l1: 'left',
  });
  assert.equal(open.primaryId, P.id);
  assert.equal(transferred.primaryId, A.id);
  assert.equal(transferred.participants[P.id]?.role, 'assistant');
  assert.equal(ended.status.state, 'ended');
  assert.equal(Object.keys(RULES).length, 11, 'a new rule needs its test here');
});

// ---------------------------------------------------------------- R1..R8

describe(`R1 ${RULES.R1}`, () => {
  test('every intent of every participant is refused with RS_ERR_SESSION_ENDED once the session ended', () => {
    for (const actor of [P, A, C, W, D, L]) {
      for (const intent of EVERY_INTENT) refuses(ended, actor.id, intent, 'RS_ERR_SESSION_ENDED');
    }
  });
  test('the same intents are decided normally while the session is open', () => {
    assert.equal(run(open, P.id, { type: 'chat.send', text: 'hi' })[0]?.type, 'chat.message');
    assert.equal(run(open, P.id, { type: 'session.end' })[0]?.type, 'session.ended');
    assert.equal(run(open, W.id, { type: 'session.leave' })[0]?.type, 'participant.left');
  });
});

describe(`R2 ${RULES.R2}`, () => {
  test('a waiting participant can leave', () => {
    assert.deepEqual(run(open, W.id, { type: 'session.leave' }), [{ type: 'participant.left', participantId: W.id }]);
  });
  test('a waiting participant can do nothing else', () => {
    for (const intent of EVERY_INTENT.filter((i) => i.type !== 'session.leave')) refuses(open, W.id, intent, 'RS_ERR_FORBIDDEN');
    refuses(open, W.id, { type: 'participant.admit', participantId: W.id }, 'RS_ERR_FORBIDDEN');
    refuses(open, W.id, { type: 'chat.send', text: 'let me in', to: P.id }, 'RS_ERR_FORBIDDEN');
  });
  test('denied and departed participants cannot act at all, not even leave again', () => {
    for (const actor of [D, L, LR]) {
      for (const intent of EVERY_INTENT) refuses(open, actor.id, intent, 'RS_ERR_FORBIDDEN');
    }
  });
  test('someone who is not a participant is refused', () => {
    refuses(open, 'stranger', { type: 'chat.send', text: 'hi' }, 'RS_ERR_FORBIDDEN');
    refuses(open, 'stranger', { type: 'session.leave' }, 'RS_ERR_FORBIDDEN');
  });
  test('admitted participants, customers included, act', () => {
    assert.equal(run(open, C.id, { type: 'chat.send', text: 'hello' })[0]?.type, 'chat.message');
    assert.equal(run(open, C2.id, { type: 'session.leave' })[0]?.type, 'participant.left');
  });
});

describe(`R3 ${RULES.R3}`, () => {
  test('the primary rep admits a waiting person, with who they are and who admitted them', () => {
    assert.deepEqual(run(open, P.id, { type: 'participant.admit', participantId: W.id }), [
      { type: 'participant.admitted', participant: W, by: P.id },
    ]);
  });
  test('the primary rep denies a waiting person', () => {
    assert.deepEqual(run(open, P.id, { type: 'participant.deny', participantId: W2.id }), [
      { type: 'participant.denied', participantId: W2.id, by: P.id },
    ]);
  });
  test('after a transfer the new primary admits and the former primary may not', () => {
    assert.equal(run(transferred, A.id, { type: 'participant.admit', participantId: W.id })[0]?.type, 'participant.admitted');
    refuses(transferred, P.id, { type: 'participant.admit', participantId: W.id }, 'RS_ERR_FORBIDDEN');
  });
  test('assistants and customers may not admit or deny', () => {
    for (const actor of [A, A2, C, C2]) {
      refuses(open, actor.id, { type: 'participant.admit', participantId: W.id }, 'RS_ERR_FORBIDDEN');
      refuses(open, actor.id, { type: 'participant.deny', participantId: W.id }, 'RS_ERR_FORBIDDEN');
    }
  });
  test('only someone who waits: admitted, denied, departed or unknown people are refused', () => {
    for (const target of [C.id, A.id, P.id, D.id, L.id, 'nobody']) {
      refuses(open, P.id, { type: 'participant.admit', participantId: target }, 'RS_ERR_INVALID_STATE');
      refuses(open, P.id, { type: 'participant.deny', participantId: target }, 'RS_ERR_INVALID_STATE');
    }
  });
});

describe(`R4 ${RULES.R4}`, () => {
  test('a message to everyone carries no recipient and the injected message id', () => {
    assert.deepEqual(run(open, C.id, { type: 'chat.send', text: 'my printer is broken' }), [
      { type: 'chat.message', messageId: 'msg1', from: C.id, text: 'my printer is broken' },
    ]);
  });
  test('a private message goes to one admitted participant', () => {
    assert.deepEqual(run(open, P.id, { type: 'chat.send', text: 'just you', to: C.id }), [
      { type: 'chat.message', messageId: 'msg1', from: P.id, to: C.id, text: 'just you' },
    ]);
    assert.equal(run(open, A.id, { type: 'chat.send', text: 'rep to rep', to: P.id })[0]?.type, 'chat.message');
  });
  test('a customer writes privately to a rep, primary or assistant', () => {
    assert.deepEqual(run(open, C.id, { type: 'chat.send', text: 'psst', to: A.id }), [
      { type: 'chat.message', messageId: 'msg1', from: C.id, to: A.id, text: 'psst' },
    ]);
    assert.equal(run(open, C.id, { type: 'chat.send', text: 'psst', to: P.id })[0]?.type, 'chat.message');
  });
  test('a customer may not write privately to another customer', () => {
    refuses(open, C.id, { type: 'chat.send', text: 'psst', to: C2.id }, 'RS_ERR_FORBIDDEN');
  });
  test('a private message to someone not in the session is refused', () => {
    for (const to of [W.id, D.id, L.id, LR.id, 'nobody']) refuses(open, P.id, { type: 'chat.send', text: 'hi', to }, 'RS_ERR_INVALID_STATE');
  });
  test('a private message to oneself is a validation error', () => {
    refuses(open, P.id, { type: 'chat.send', text: 'note to self', to: P.id }, 'RS_ERR_VALIDATION');
    refuses(open, C.id, { type: 'chat.send', text: 'note to self', to: C.id }, 'RS_ERR_VALIDATION');
  });
});

describe(`R5 ${RULES.R5}`, () => {
  test('the primary and assisting reps save notes', () => {
    assert.deepEqual(run(open, P.id, { type: 'notes.save', text: 'Printer driver reinstalled.' }), [
      { type: 'notes.saved', by: P.id, text: 'Printer driver reinstalled.' },
    ]);
    assert.deepEqual(run(open, A.id, { type: 'notes.save', text: '' }), [{ type: 'notes.saved', by: A.id, text: '' }]);
  });
  test('customers may not save notes', () => {
    refuses(open, C.id, { type: 'notes.save', text: 'x' }, 'RS_ERR_FORBIDDEN');
    refuses(open, C2.id, { type: 'notes.save', text: 'x' }, 'RS_ERR_FORBIDDEN');
  });
});

describe(`R6 ${RULES.R6}`, () => {
  test('the primary rep hands control to an admitted assistant rep', () => {
    assert.deepEqual(run(open, P.id, { type: 'control.transfer', to: A.id }), [{ type: 'control.transferred', from: P.id, to: A.id }]);
  });
  test('after a transfer the new primary may hand control back, the former primary may not take it', () => {
    assert.deepEqual(run(transferred, A.id, { type: 'control.transfer', to: P.id }), [{ type: 'control.transferred', from: A.id, to: P.id }]);
    refuses(transferred, P.id, { type: 'control.transfer', to: P.id }, 'RS_ERR_FORBIDDEN');
    refuses(transferred, P.id, { type: 'control.transfer', to: A2.id }, 'RS_ERR_FORBIDDEN');
  });
  test('assistants and customers may not transfer control', () => {
    refuses(open, A.id, { type: 'control.transfer', to: A.id }, 'RS_ERR_FORBIDDEN');
    refuses(open, A.id, { type: 'control.transfer', to: A2.id }, 'RS_ERR_FORBIDDEN');
    refuses(open, C.id, { type: 'control.transfer', to: A.id }, 'RS_ERR_FORBIDDEN');
  });
  test('control goes only to an admitted rep other than oneself', () => {
    for (const to of [C.id, W.id, LR.id, P.id, 'nobody']) refuses(open, P.id, { type: 'control.transfer', to }, 'RS_ERR_INVALID_STATE');
  });
});

describe(`R7 ${RULES.R7}`, () => {
  test('the primary rep ends the session', () => {
    assert.deepEqual(run(open, P.id, { type: 'session.end' }), [{ type: 'session.ended', by: P.id, reason: 'ended_by_rep' }]);
    assert.deepEqual(run(transferred, A.id, { type: 'session.end' }), [{ type: 'session.ended', by: A.id, reason: 'ended_by_rep' }]);
  });
  test('assistants, customers and a former primary may not end it', () => {
    for (const actor of [A, A2, C, C2]) refuses(open, actor.id, { type: 'session.end' }, 'RS_ERR_FORBIDDEN');
    refuses(transferred, P.id, { type: 'session.end' }, 'RS_ERR_FORBIDDEN');
  });
});

describe(`R8 ${RULES.R8}`, () => {
  test('the primary rep cannot leave', () => {
    refuses(open, P.id, { type: 'session.leave' }, 'RS_ERR_INVALID_STATE');
    refuses(transferred, A.id, { type: 'session.leave' }, 'RS_ERR_INVALID_STATE');
  });
  test('everybody else leaves, the former primary included', () => {
    for (const actor of [A, C, C2]) assert.deepEqual(run(open, actor.id, { type: 'session.leave' }), [{ type: 'participant.left', participantId: actor.id }]);
    assert.deepEqual(run(transferred, P.id, { type: 'session.leave' }), [{ type: 'participant.left', participantId: P.id }]);
  });
});

const TO_QUEUE = { kind: 'queue', queueId: 'q1', queueName: 'Escalation' } as const;
function transferAs(view: SessionView, actorId: string, actorIsAgent = true): SessionEvent[] {
  return decideSessionTransfer({ view, actorId, actorIsAgent, requestId: 'rq1', to: TO_QUEUE, message: 'over to you' });
}
function refusesTransfer(view: SessionView, actorId: string, code: ErrorCode, actorIsAgent = true): void {
  assert.throws(
    () => transferAs(view, actorId, actorIsAgent),
    (err: unknown) => err instanceof RsError && err.code === code && err.message.length > 0,
  );
}
/** P transferred the session to a queue and left; nobody has taken it yet. */
const awaiting = viewOf(...transferAs(open, P.id));
const NEW_AGENT: ParticipantInfo = { id: 'n1', kind: 'rep', role: 'primary', name: 'Nina New', userId: 'u9' };

describe(`R9 ${RULES.R9}`, () => {
  test('the primary agent transfers: the transfer is recorded with its message, then they leave', () => {
    assert.deepEqual(transferAs(open, P.id), [
      { type: 'session.transferred', by: P.id, requestId: 'rq1', to: TO_QUEUE, message: 'over to you' },
      { type: 'participant.left', participantId: P.id },
    ]);
  });
  test('a voice call the transferring agent started ends; sharing and video end; a call someone else started goes on without them', () => {
    const withMedia = viewOf(
      { type: 'activity.started', activityId: 'v1', kind: 'voice', sharer: P.id },
      { type: 'voice.joined', activityId: 'v1', participantId: P.id },
      { type: 'activity.started', activityId: 'cam', kind: 'video', sharer: C.id },
    );
    const events = transferAs(withMedia, P.id);
    assert.deepEqual(
      events.filter((e) => e.type === 'activity.stopped').map((e) => (e.type === 'activity.stopped' ? e.activityId : '')).sort(),
      ['cam', 'v1'],
    );
    const othersCall = viewOf(
      { type: 'activity.started', activityId: 'v2', kind: 'voice', sharer: C.id },
      { type: 'voice.joined', activityId: 'v2', participantId: C.id },
      { type: 'voice.joined', activityId: 'v2', participantId: P.id },
    );
    const e2 = transferAs(othersCall, P.id);
    assert.ok(e2.some((e) => e.type === 'voice.left' && e.participantId === P.id));
    assert.ok(!e2.some((e) => e.type === 'activity.stopped' && e.activityId === 'v2'));
  });
  test('reps who are not WebACD agents, assistants, customers and a former primary cannot transfer the session', () => {
    refusesTransfer(open, P.id, 'RS_ERR_FORBIDDEN', false);
    for (const actor of [A, C]) refusesTransfer(open, actor.id, 'RS_ERR_FORBIDDEN');
    refusesTransfer(transferred, P.id, 'RS_ERR_FORBIDDEN');
    refusesTransfer(ended, P.id, 'RS_ERR_SESSION_ENDED');
  });
  test('a session without a customer is not transferred', () => {
    const alone = foldEvents(envelopes([{ type: 'session.started', number: '123456789', primary: P }]))!;
    refusesTransfer(alone, P.id, 'RS_ERR_INVALID_STATE');
  });
});

describe(`R10 ${RULES.R10}`, () => {
  test('the accepting agent joins as the primary rep and the transfer is marked taken', () => {
    const events = decideTransferAccept(awaiting, 'rq1', NEW_AGENT);
    assert.deepEqual(events, [{ type: 'session.transfer.accepted', requestId: 'rq1', participant: NEW_AGENT }]);
    const after = viewOf(...transferAs(open, P.id), ...events);
    assert.equal(after.primaryId, NEW_AGENT.id);
    assert.equal(after.participants[NEW_AGENT.id]?.status, 'admitted');
    assert.equal(after.sessionTransfers.at(-1)?.acceptedBy, NEW_AGENT.id);
  });
  test('it is taken once, and only for the pending transfer', () => {
    const taken = viewOf(...transferAs(open, P.id), ...decideTransferAccept(awaiting, 'rq1', NEW_AGENT));
    assert.throws(() => decideTransferAccept(taken, 'rq1', { ...NEW_AGENT, id: 'n2' }), (e: unknown) => e instanceof RsError && e.code === 'RS_ERR_INVALID_STATE');
    assert.throws(() => decideTransferAccept(awaiting, 'other', NEW_AGENT), (e: unknown) => e instanceof RsError && e.code === 'RS_ERR_INVALID_STATE');
    assert.throws(() => decideTransferAccept(open, 'rq1', NEW_AGENT), (e: unknown) => e instanceof RsError && e.code === 'RS_ERR_INVALID_STATE');
  });
});

describe(`R11 ${RULES.R11}`, () => {
  test('while the session waits for an agent nobody admits, ends, or transfers control; people still chat', () => {
    refuses(awaiting, P.id, { type: 'session.end' }, 'RS_ERR_FORBIDDEN');
    refuses(awaiting, A.id, { type: 'participant.admit', participantId: W.id }, 'RS_ERR_FORBIDDEN');
    refuses(awaiting, A.id, { type: 'session.end' }, 'RS_ERR_FORBIDDEN');
    refuses(awaiting, A.id, { type: 'control.transfer', to: A2.id }, 'RS_ERR_FORBIDDEN');
    assert.equal(run(awaiting, C.id, { type: 'chat.send', text: 'still there?' })[0]?.type, 'chat.message');
  });
  test('the customers learn that the session waits, without the message meant for the agents', () => {
    assert.deepEqual(whoSees({ type: 'session.transferred', by: P.id, requestId: 'rq1', to: TO_QUEUE, message: 'm' }), [P.id, A.id, A2.id]);
  });
});

// ---------------------------------------------------------------- visibility

/** Whether `recipient` sees `event`, judged with the view after the event (as the gateway does). */
function sees(before: SessionView, recipient: string, event: SessionEvent): boolean {
  const env: SessionEventEnvelope = { seq: before.lastSeq + 1, at: '2025-01-01T13:00:00.000Z', event };
  const after = foldEvents([...envelopes(BASE_EVENTS), env]);
  assert.ok(after, 'the log folds into a view');
  return canSee(after, recipient, env);
}

function whoSees(event: SessionEvent, view: SessionView = open): string[] {
  return [P, A, A2, C, C2, W, W2, D].filter((p) => sees(view, p.id, event)).map((p) => p.id);
}

describe('visibility: canSee', () => {
  test('customers never see notes or invitations; every admitted rep does', () => {
    assert.deepEqual(whoSees({ type: 'notes.saved', by: P.id, text: 'secret notes' }), [P.id, A.id, A2.id]);
    assert.deepEqual(whoSees({ type: 'invitation.sent', by: P.id, invitee: 'customer', email: 'x@example.test', via: 'outbox' }), [
      P.id,
      A.id,
      A2.id,
    ]);
  });

  test('a private rep-to-rep message reaches only its sender and recipient', () => {
    assert.deepEqual(whoSees({ type: 'chat.message', messageId: 'm', from: A.id, to: P.id, text: 'between us' }), [P.id, A.id]);
  });

  test('a private message to a customer reaches only that customer and the sender', () => {
    assert.deepEqual(whoSees({ type: 'chat.message', messageId: 'm', from: P.id, to: C.id, text: 'your code is 42' }), [P.id, C.id]);
    assert.deepEqual(whoSees({ type: 'chat.message', messageId: 'm', from: C.id, to: A.id, text: 'psst' }), [A.id, C.id]);
  });

  test('a public message reaches every admitted participant but not waiting or denied people', () => {
    assert.deepEqual(whoSees({ type: 'chat.message', messageId: 'm', from: C.id, text: 'hello all' }), [P.id, A.id, A2.id, C.id, C2.id]);
  });

  test('waiting people see only their own waiting, admission or denial', () => {
    const newcomer: ParticipantInfo = { id: 'w3', kind: 'customer', role: 'customer', name: 'New Comer' };
    // Someone else starting to wait: only reps see it, the newcomer sees their own.
    assert.deepEqual(whoSees({ type: 'participant.waiting', participant: newcomer }), [P.id, A.id, A2.id]);
    assert.equal(sees(open, 'w3', { type: 'participant.waiting', participant: newcomer }), true);
    // W2 denied: W2 and reps see it; W (also waiting) and customers do not.
    assert.deepEqual(whoSees({ type: 'participant.denied', participantId: W2.id, by: P.id }), [P.id, A.id, A2.id, W2.id]);
    // W2 admitted: everybody but W sees it.
    assert.deepEqual(whoSees({ type: 'participant.admitted', participant: W2, by: P.id }), [P.id, A.id, A2.id, C.id, C2.id, W2.id]);
    for (const event of [
      { type: 'notes.saved', by: P.id, text: 'x' },
      { type: 'participant.joined', participant: { id: 'a9', kind: 'rep', role: 'assistant', name: 'Late Rep' } },
      { type: 'control.transferred', from: P.id, to: A.id },
      { type: 'participant.connected', participantId: C.id },
      { type: 'participant.left', participantId: C2.id },
    ] satisfies SessionEvent[]) {
      assert.equal(sees(open, W.id, event), false, `a waiting person must not see ${event.type}`);
    }
  });

  test('the start and the end of the session reach everybody who is or was in it', () => {
    assert.deepEqual(whoSees({ type: 'session.ended', by: P.id, reason: 'ended_by_rep' }), [P.id, A.id, A2.id, C.id, C2.id, W.id, W2.id, D.id]);
  });

  test('customers never learn of a waiting person who leaves without being admitted; reps do', () => {
    assert.deepEqual(whoSees({ type: 'participant.left', participantId: W.id }), [P.id, A.id, A2.id, W.id]);
    assert.deepEqual(whoSees({ type: 'participant.left', participantId: C2.id }), [P.id, A.id, A2.id, C.id, C2.id]);
  });

  test("an admitted customer keeps their own waiting in history (their presence folds right), not other people's", () => {
    assert.equal(sees(open, C.id, { type: 'participant.waiting', participant: { id: C.id, kind: 'customer', role: 'customer', name: C.name } }), true);
    assert.equal(sees(open, C.id, { type: 'participant.waiting', participant: { id: 'w9', kind: 'customer', role: 'customer', name: 'Other' } }), false);
  });

  test('customers do not see waiting people connect or drop; reps do', () => {
    assert.deepEqual(whoSees({ type: 'participant.connected', participantId: W.id }), [P.id, A.id, A2.id]);
    assert.deepEqual(whoSees({ type: 'participant.disconnected', participantId: W.id }), [P.id, A.id, A2.id]);
    assert.deepEqual(whoSees({ type: 'participant.disconnected', participantId: C.id }), [P.id, A.id, A2.id, C.id, C2.id]);
  });

  test('someone who is not a participant sees nothing', () => {
    assert.equal(sees(open, 'stranger', { type: 'session.started', number: '123456789', primary: P }), false);
    assert.equal(sees(open, 'stranger', { type: 'chat.message', messageId: 'm', from: P.id, text: 'hi' }), false);
  });
});
