import {
  type Intent,
  type ParticipantInfo,
  RsError,
  type SessionEvent,
  type SessionView,
  type ParticipantView,
  type TransferTarget,
  activeActivities,
  awaitingTransfer,
  presentParticipants,
} from '@rs/protocol';
import { decideMedia, endSharing, isMediaIntent, leaveMedia } from './media-rules.js';

/**
 * Every rule of the session state machine, in one place. `decide` turns an
 * intent of one participant into the events it causes, or throws a typed
 * RsError and nothing happens. Each rule has a test named after it in
 * rules.test.ts (R1…).
 */
export interface DecideInput {
  view: SessionView;
  actorId: string;
  intent: Intent;
  /** Fresh id for a chat message (and any other new record), injected so tests are deterministic. */
  newMessageId: () => string;
  /** The decision's time; expiry of consent requests depends on it. */
  now?: string;
  /** How long a consent request waits for an answer; CONSENT_TTL_MS unless configured. */
  consentTtlMs?: number;
}

export const RULES = {
  R1: 'nothing happens in an ended session',
  R2: 'only admitted participants act; a waiting participant can only leave',
  R3: 'only the primary rep admits or denies, and only someone who waits',
  R4: 'chat goes to everyone or privately to one admitted participant; a customer writes privately only to reps',
  R5: 'only reps save notes',
  R6: 'only the primary rep transfers control, and only to an admitted assistant rep',
  R7: 'only the primary rep ends the session',
  R8: 'the primary rep cannot leave without ending or transferring control first',
  R9: 'only the primary rep, a WebACD agent, transfers the session, while a customer is in it; sharing and the voice call they started end and they leave',
  R10: 'a transferred session is taken once, by the agent whose offer was accepted, who becomes its primary rep',
  R11: 'while a session waits for an agent after a transfer, nobody controls it',
} as const;

function actorOf(view: SessionView, actorId: string): ParticipantView {
  const actor = view.participants[actorId];
  if (!actor) throw RsError.forbidden('You are not a participant of this session.');
  return actor;
}

function requirePrimary(view: SessionView, actorId: string, what: string): void {
  if (view.primaryId !== actorId) throw RsError.forbidden(`Only the rep in control of the session can ${what}.`);
}

/** R9: the events of handing the session to a queue or to agents (SES-4). */
export function decideSessionTransfer(input: {
  view: SessionView;
  actorId: string;
  actorIsAgent: boolean;
  requestId: string;
  to: TransferTarget;
  message: string;
}): SessionEvent[] {
  const { view, actorId } = input;
  if (view.status.state === 'ended') throw RsError.sessionEnded();
  const actor = actorOf(view, actorId);
  if (actor.status !== 'admitted' || actor.kind !== 'rep') throw RsError.forbidden('You are not in this session.');
  if (!input.actorIsAgent) throw RsError.forbidden('Only WebACD agents can transfer a session.');
  requirePrimary(view, actorId, 'transfer the session');
  if (!presentParticipants(view).some((p) => p.kind === 'customer')) {
    throw RsError.invalidState('There is no customer in this session to transfer.');
  }
  const ownVoice = activeActivities(view).filter((a) => a.kind === 'voice' && a.sharer === actorId);
  const afterOwnVoice = ownVoice.reduce<SessionView>(
    (v, a) => ({ ...v, activities: { ...v.activities, [a.activityId]: { ...a, state: 'stopped' } } }),
    view,
  );
  return [
    ...endSharing(view, { reason: 'control_transferred', includeVideo: true, by: actorId }),
    ...ownVoice.map((a): SessionEvent => ({ type: 'activity.stopped', activityId: a.activityId, by: actorId, reason: 'stopped' })),
    // Whatever else they were part of (another's voice call) they leave as anyone leaving would.
    ...leaveMedia(afterOwnVoice, actorId).filter((e) => e.type === 'voice.left'),
    { type: 'session.transferred', by: actorId, requestId: input.requestId, to: input.to, message: input.message },
    { type: 'participant.left', participantId: actorId },
  ];
}

/** R10: the agent who accepted the offer of a transferred session joins as primary. */
export function decideTransferAccept(view: SessionView, requestId: string, agent: ParticipantInfo): SessionEvent[] {
  if (view.status.state === 'ended') throw RsError.sessionEnded();
  const last = view.sessionTransfers.at(-1);
  if (!last || last.requestId !== requestId || last.acceptedBy !== undefined || !awaitingTransfer(view)) {
    throw RsError.invalidState('This session is not waiting for an agent any more.');
  }
  return [{ type: 'session.transfer.accepted', requestId, participant: { ...agent, kind: 'rep', role: 'primary' } }];
}

export function decide({ view, actorId, intent, newMessageId, now = new Date().toISOString(), consentTtlMs }: DecideInput): SessionEvent[] {
  // R1
  if (view.status.state === 'ended') throw RsError.sessionEnded();
  const actor = actorOf(view, actorId);
  // R2
  if (actor.status !== 'admitted') {
    if (actor.status === 'waiting' && intent.type === 'session.leave') return [...leaveMedia(view, actorId), { type: 'participant.left', participantId: actorId }];
    throw RsError.forbidden(actor.status === 'waiting' ? 'Wait until the rep admits you.' : 'You are no longer in this session.');
  }

  // M15: Support Manager only stops what it takes part in, or leaves.
  if (actor.kind === 'device' && intent.type !== 'activity.stop' && intent.type !== 'session.leave') {
    throw RsError.forbidden('Support Manager cannot do this.');
  }
  if (isMediaIntent(intent)) return decideMedia(intent, { view, actor, now, newId: newMessageId, ...(consentTtlMs ? { consentTtlMs } : {}) });

  switch (intent.type) {
    case 'participant.admit':
    case 'participant.deny': {
      // R3
      requirePrimary(view, actorId, intent.type === 'participant.admit' ? 'admit people' : 'deny people');
      const target = view.participants[intent.participantId];
      if (!target || target.status !== 'waiting') throw RsError.invalidState('That person is not waiting to join.');
      if (intent.type === 'participant.deny') return [{ type: 'participant.denied', participantId: target.id, by: actorId }];
      const { status: _s, connected: _c, disconnectedAt: _d, joinedAt: _j, admittedAt: _a, ...info } = target;
      return [{ type: 'participant.admitted', participant: info, by: actorId }];
    }
    case 'chat.send': {
      // R4
      if (intent.to !== undefined) {
        const to = view.participants[intent.to];
        if (!to || to.status !== 'admitted') throw RsError.invalidState('That participant is not in the session.');
        if (to.id === actorId) throw RsError.validation('You cannot send a private message to yourself.');
        if (actor.kind === 'customer' && to.kind !== 'rep') throw RsError.forbidden('Customers can write privately only to reps.');
      }
      return [
        {
          type: 'chat.message',
          messageId: newMessageId(),
          from: actorId,
          text: intent.text,
          ...(intent.to !== undefined ? { to: intent.to } : {}),
        },
      ];
    }
    case 'notes.save':
      // R5
      if (actor.kind !== 'rep') throw RsError.forbidden('Only reps can save notes.');
      return [{ type: 'notes.saved', by: actorId, text: intent.text }];
    case 'control.transfer': {
      // R6
      requirePrimary(view, actorId, 'transfer control');
      const to = view.participants[intent.to];
      if (!to || to.status !== 'admitted' || to.kind !== 'rep' || to.id === actorId) {
        throw RsError.invalidState('Control can only go to an assisting rep who is in the session.');
      }
      // M9: sharing and video end at the transfer; a voice call goes on.
      return [...endSharing(view, { reason: 'control_transferred', includeVideo: true, by: actorId }), { type: 'control.transferred', from: actorId, to: to.id }];
    }
    case 'session.end':
      // R7
      requirePrimary(view, actorId, 'end the session');
      return [{ type: 'session.ended', by: actorId, reason: 'ended_by_rep' }];
    case 'session.leave':
      // R8
      if (view.primaryId === actorId) {
        throw RsError.invalidState('You control this session: transfer control or end the session instead.');
      }
      return [...leaveMedia(view, actorId), { type: 'participant.left', participantId: actorId }];
    default: {
      const unreachable: never = intent;
      return unreachable;
    }
  }
}
