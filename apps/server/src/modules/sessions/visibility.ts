import type { SessionEventEnvelope, SessionView } from '@rs/protocol';

/**
 * Who may see an event, judged with the view as it is after the event.
 * Waiting people see only what concerns them; customers never see notes,
 * invitations, other people's waiting or denial, or private messages that
 * are not theirs.
 */
export function canSee(view: SessionView, recipientId: string, env: SessionEventEnvelope): boolean {
  const me = view.participants[recipientId];
  if (!me) return false;
  const e = env.event;
  if (e.type === 'session.started' || e.type === 'session.ended') return true;
  if (me.status === 'waiting' || me.status === 'denied') {
    switch (e.type) {
      case 'participant.waiting':
        return e.participant.id === recipientId;
      case 'participant.denied':
        return e.participantId === recipientId;
      case 'participant.admitted':
        return e.participant.id === recipientId;
      default:
        return false;
    }
  }
  const isRep = me.kind === 'rep';
  switch (e.type) {
    case 'chat.message':
      return e.to === undefined || e.to === recipientId || e.from === recipientId;
    case 'participant.waiting':
      // Their own waiting stays in an admitted customer's history: without it the replay after
      // admission drops the "connected" that came while they waited, and they show as reconnecting.
      return isRep || e.participant.id === recipientId;
    case 'notes.saved':
    case 'invitation.sent':
    case 'session.transferred':
    case 'participant.denied':
      return isRep;
    case 'participant.connected':
    case 'participant.disconnected':
    case 'participant.left': {
      // Someone who waited and never got in stays unknown to customers.
      const subject = view.participants[e.participantId];
      return isRep || e.participantId === recipientId || (subject !== undefined && subject.admittedAt !== null);
    }
    case 'participant.admitted':
    case 'participant.joined':
    case 'session.transfer.accepted':
    case 'control.transferred':
    case 'activity.started':
    case 'activity.stopped':
    case 'voice.joined':
    case 'voice.left':
    case 'voice.muted':
    case 'customer.selected':
    case 'display.mode':
    case 'device.attached':
      return true;
    case 'file.published':
      // Files for the reps stay with the reps and the sender (FT-1, "Send a file").
      return e.direction === 'to_customers' || isRep || e.by === recipientId;
    case 'file.removed': {
      const f = view.files[e.fileId];
      return f === undefined || f.direction === 'to_customers' || isRep || f.by === recipientId;
    }
    case 'consent.requested':
      // A request concerns the rep who asks and the customer asked (and the Support Manager acting for
      // that customer, which learns from it whom it serves); other customers learn only of the share.
      return isRep || e.to === recipientId || (me.kind === 'device' && me.pairedWith === e.to);
    case 'consent.answered':
    case 'consent.closed': {
      const to = view.consents[e.requestId]?.to;
      return isRep || to === recipientId || (me.kind === 'device' && to !== undefined && me.pairedWith === to);
    }
    default: {
      const unreachable: never = e;
      return unreachable;
    }
  }
}
