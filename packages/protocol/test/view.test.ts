import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientMessage, LIMITS, foldEvents, presentParticipants, type SessionEvent, type SessionEventEnvelope } from '../src/index.js';

let seq = 0;
const env = (event: SessionEvent): SessionEventEnvelope => ({ seq: ++seq, at: new Date(1_700_000_000_000 + seq * 1000).toISOString(), event });
const rep = { id: 'rep1', kind: 'rep' as const, role: 'primary' as const, name: 'Rita Rep', userId: 'u1' };
const asst = { id: 'rep2', kind: 'rep' as const, role: 'assistant' as const, name: 'Arne Assist', userId: 'u2' };
const cust = { id: 'c1', kind: 'customer' as const, role: 'customer' as const, name: 'Carla' };

test('the fold follows a whole session: waiting, admission, chat, transfer, end', () => {
  seq = 0;
  const view = foldEvents([
    env({ type: 'session.started', number: '123456789', primary: rep }),
    env({ type: 'participant.waiting', participant: cust }),
    env({ type: 'participant.admitted', participant: cust, by: 'rep1' }),
    env({ type: 'participant.joined', participant: asst }),
    env({ type: 'participant.connected', participantId: 'c1' }),
    env({ type: 'chat.message', messageId: 'm1', from: 'c1', text: 'hi' }),
    env({ type: 'notes.saved', by: 'rep1', text: 'printer' }),
    env({ type: 'control.transferred', from: 'rep1', to: 'rep2' }),
    env({ type: 'participant.disconnected', participantId: 'c1' }),
    env({ type: 'session.ended', by: 'rep2', reason: 'ended_by_rep' }),
  ]);
  assert.ok(view);
  assert.equal(view.lastSeq, 10);
  assert.equal(view.primaryId, 'rep2');
  assert.equal(view.participants.rep1?.role, 'assistant');
  assert.equal(view.participants.rep2?.role, 'primary');
  assert.equal(view.participants.c1?.status, 'admitted');
  assert.equal(view.participants.c1?.connected, false);
  assert.equal(view.participants.c1?.disconnectedAt, new Date(1_700_000_000_000 + 9000).toISOString());
  assert.deepEqual(view.chat.map((m) => m.text), ['hi']);
  assert.equal(view.notes.at(-1)?.text, 'printer');
  assert.equal(view.transfers.length, 1);
  assert.equal(view.status.state, 'ended');
  assert.deepEqual(presentParticipants(view).map((p) => p.id), ['rep1', 'c1', 'rep2']);
});

test('a client that never saw someone wait still learns who was admitted', () => {
  seq = 0;
  const view = foldEvents([
    env({ type: 'session.started', number: '123456789', primary: rep }),
    env({ type: 'participant.admitted', participant: cust, by: 'rep1' }),
  ]);
  assert.equal(view?.participants.c1?.name, 'Carla');
  assert.equal(view?.participants.c1?.status, 'admitted');
  // Admitted from the waiting list while there: connected, though this client never saw them connect.
  assert.equal(view?.participants.c1?.connected, true);
});

test('a log must start with session.started', () => {
  seq = 0;
  assert.throws(() => foldEvents([env({ type: 'participant.connected', participantId: 'x' })]), /session\.started/);
  assert.equal(foldEvents([]), null);
});

test('client messages are validated: limits, unknown types, missing fields', () => {
  const ok = ClientMessage.safeParse({ type: 'chat.send', rid: 'r1', text: 'hello' });
  assert.ok(ok.success);
  assert.equal(ClientMessage.safeParse({ type: 'chat.send', rid: 'r1', text: 'x'.repeat(LIMITS.chatText + 1) }).success, false);
  assert.equal(ClientMessage.safeParse({ type: 'chat.send', rid: 'r1', text: '   ' }).success, false);
  assert.equal(ClientMessage.safeParse({ type: 'session.explode', rid: 'r1' }).success, false);
  assert.equal(ClientMessage.safeParse({ type: 'participant.admit', rid: 'r1' }).success, false);
  assert.equal(ClientMessage.safeParse({ type: 'hello', protocolVersion: 1, sessionId: 'a b', token: 'x'.repeat(20), lastSeq: 0 }).success, false);
});
