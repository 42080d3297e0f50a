import { z } from 'zod';
import { DisplayName, Email, Id, ParticipantKind, ParticipantRole, SessionNumber } from './common.js';
import { LIMITS } from './limits.js';
import { FileDirection, FileRemovedReason, Sha256Hex } from './files.js';
import { ACD_LIMITS } from './acd-limits.js';
import { ActivityKind, ActivityStopReason, ConsentCloseReason, ConsentKind, ConsentVia, DisplayMode } from './media.js';

/**
 * Session events: the persisted, ordered log of what happened in a session.
 * The server is the only writer; clients fold the events they may see into a
 * view with `applyEvent`. Every event carries its sequence number and time in
 * the envelope (`SessionEventEnvelope`).
 */
/** abandoned: the customer left a transferred session before an agent took it. */
export const SessionEndReason = z.enum(['ended_by_rep', 'primary_timeout', 'ended_by_admin', 'abandoned']);
export type SessionEndReason = z.infer<typeof SessionEndReason>;

export const ParticipantInfo = z.object({
  id: Id,
  kind: ParticipantKind,
  role: ParticipantRole,
  name: DisplayName,
  email: Email.optional(),
  userId: Id.optional(),
  /** A device's customer: the person who accepted control and opened Support Manager. */
  pairedWith: Id.optional(),
});
export type ParticipantInfo = z.infer<typeof ParticipantInfo>;

export const InboundInfo = z.object({
  requestId: Id,
  queueId: Id.nullable(),
  queueName: z.string().nullable(),
  customerName: DisplayName,
  email: Email,
  problem: z.string().max(ACD_LIMITS.problem),
  pageUrl: z.string().max(2000).optional(),
});
export type InboundInfo = z.infer<typeof InboundInfo>;

export const TransferTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('queue'), queueId: Id, queueName: z.string() }),
  z.object({ kind: z.literal('agents'), agentIds: z.array(Id).min(1), names: z.array(z.string()) }),
]);
export type TransferTarget = z.infer<typeof TransferTarget>;

export const SessionEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('session.started'),
    number: SessionNumber,
    primary: ParticipantInfo,
    /** S-2: an inbound session from a WebACD queue, with the entry form's answers. */
    inbound: InboundInfo.optional(),
  }),
  /** A customer who joined by number and waits for a rep to admit them. */
  z.object({ type: z.literal('participant.waiting'), participant: ParticipantInfo }),
  /** Carries the participant so that people who never saw them wait learn who it is. */
  z.object({ type: z.literal('participant.admitted'), participant: ParticipantInfo, by: Id }),
  z.object({ type: z.literal('participant.denied'), participantId: Id, by: Id }),
  /** Admitted at once: an invited customer or an assisting rep. */
  z.object({ type: z.literal('participant.joined'), participant: ParticipantInfo }),
  z.object({ type: z.literal('participant.connected'), participantId: Id }),
  z.object({ type: z.literal('participant.disconnected'), participantId: Id }),
  z.object({ type: z.literal('participant.left'), participantId: Id }),
  z.object({
    type: z.literal('chat.message'),
    messageId: Id,
    from: Id,
    /** Absent: to everyone admitted. Present: privately to one participant. */
    to: Id.optional(),
    text: z.string().min(1).max(LIMITS.chatText),
  }),
  z.object({ type: z.literal('notes.saved'), by: Id, text: z.string().max(LIMITS.notesText) }),
  z.object({
    type: z.literal('invitation.sent'),
    by: Id,
    invitee: z.enum(['customer', 'rep']),
    email: Email,
    via: z.enum(['smtp', 'outbox', 'mail_program']),
  }),
  z.object({ type: z.literal('control.transferred'), from: Id, to: Id }),
  z.object({
    type: z.literal('consent.requested'),
    requestId: Id,
    kind: ConsentKind,
    from: Id,
    to: Id,
    expiresAt: z.string(),
    /** Folder access through Support Manager rather than the customer's browser (M1). */
    via: ConsentVia.optional(),
  }),
  z.object({
    type: z.literal('consent.answered'),
    requestId: Id,
    accepted: z.boolean(),
    /** A decline because the customer's browser cannot do it (FT-2 without folder access). */
    reason: z.enum(['unsupported']).optional(),
  }),
  z.object({ type: z.literal('consent.closed'), requestId: Id, reason: ConsentCloseReason }),
  z.object({
    type: z.literal('activity.started'),
    activityId: Id,
    kind: ActivityKind,
    /** Whose media is sent (the customer for "view" kinds, the rep for "share" kinds). */
    sharer: Id,
    requestId: Id.optional(),
    /** Carried by the customer's Support Manager once it is attached (the consent's `via`, M3). */
    via: ConsentVia.optional(),
  }),
  z.object({ type: z.literal('activity.stopped'), activityId: Id, by: Id.optional(), reason: ActivityStopReason }),
  /** Support Manager joined by its pairing URL and sends the screen of this control activity (M14). */
  z.object({ type: z.literal('device.attached'), activityId: Id, deviceId: Id }),
  z.object({ type: z.literal('voice.joined'), activityId: Id, participantId: Id }),
  z.object({ type: z.literal('voice.left'), activityId: Id, participantId: Id }),
  z.object({ type: z.literal('voice.muted'), activityId: Id, participantId: Id, muted: z.boolean() }),
  /** S-3: the customer the rep helps now. */
  z.object({ type: z.literal('customer.selected'), participantId: Id, by: Id }),
  z.object({ type: z.literal('display.mode'), mode: DisplayMode, by: Id }),
  z.object({
    type: z.literal('file.published'),
    fileId: Id,
    name: z.string().max(255),
    size: z.number().int().min(0),
    sha256: Sha256Hex,
    by: Id,
    direction: FileDirection,
  }),
  z.object({ type: z.literal('file.removed'), fileId: Id, reason: FileRemovedReason }),
  /**
   * SES-4: the primary rep handed the session to a queue or to agents and
   * leaves; the session waits without a primary until an agent accepts it.
   * Only reps see it (the message is for the next agent).
   */
  z.object({
    type: z.literal('session.transferred'),
    by: Id,
    requestId: Id,
    to: TransferTarget,
    message: z.string().max(ACD_LIMITS.transferMessage),
  }),
  /** The agent who accepted the transferred session joins as its primary rep. */
  z.object({ type: z.literal('session.transfer.accepted'), requestId: Id, participant: ParticipantInfo }),
  z.object({
    type: z.literal('session.ended'),
    by: Id.optional(),
    reason: SessionEndReason,
  }),
]);
export type SessionEvent = z.infer<typeof SessionEvent>;
export type SessionEventType = SessionEvent['type'];
export type EventOf<T extends SessionEventType> = Extract<SessionEvent, { type: T }>;

export const SessionEventEnvelope = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  event: SessionEvent,
});
export type SessionEventEnvelope = z.infer<typeof SessionEventEnvelope>;
