import { z } from 'zod';
import { Id } from './common.js';
import { SessionEventEnvelope } from './events.js';
import { ERROR_CODES, type ErrorCode } from './errors.js';
import { LIMITS } from './limits.js';
import { ActivityKind, ConsentKind, ConsentVia, DisplayMode, IceServer, SignalPayload } from './media.js';

/** Bumped on any incompatible change of the messages below. */
export const PROTOCOL_VERSION = 1;

/** A client-chosen request id; the server acknowledges or rejects by it. */
const Rid = z.string().min(1).max(64);

const ChatText = z
  .string()
  .max(LIMITS.chatText, `a chat message has at most ${LIMITS.chatText} characters`)
  .refine((s) => s.trim().length > 0, 'a chat message cannot be empty');

/**
 * Intents: what a participant asks the server to do. The server checks each
 * against the sender's role and the session state (rules.ts) before anything
 * happens.
 */
export const Intent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('chat.send'), rid: Rid, text: ChatText, to: Id.optional() }),
  z.object({ type: z.literal('notes.save'), rid: Rid, text: z.string().max(LIMITS.notesText) }),
  z.object({ type: z.literal('participant.admit'), rid: Rid, participantId: Id }),
  z.object({ type: z.literal('participant.deny'), rid: Rid, participantId: Id }),
  z.object({ type: z.literal('control.transfer'), rid: Rid, to: Id }),
  z.object({ type: z.literal('session.end'), rid: Rid }),
  z.object({ type: z.literal('session.leave'), rid: Rid }),
  z.object({ type: z.literal('consent.request'), rid: Rid, kind: ConsentKind, to: Id, via: ConsentVia.optional() }),
  z.object({ type: z.literal('consent.answer'), rid: Rid, requestId: Id, accept: z.boolean(), unsupported: z.boolean().optional() }),
  z.object({ type: z.literal('consent.cancel'), rid: Rid, requestId: Id }),
  /** Video and voice need no consent: each person decides about their own camera and microphone. */
  z.object({ type: z.literal('activity.start'), rid: Rid, kind: ActivityKind.extract(['video', 'voice']) }),
  z.object({
    type: z.literal('activity.stop'),
    rid: Rid,
    activityId: Id,
    reason: z.enum(['stopped', 'sharer_reloaded']).optional(),
  }),
  z.object({ type: z.literal('voice.join'), rid: Rid, activityId: Id }),
  z.object({ type: z.literal('voice.leave'), rid: Rid, activityId: Id }),
  z.object({ type: z.literal('voice.mute'), rid: Rid, activityId: Id, muted: z.boolean() }),
  z.object({ type: z.literal('customer.select'), rid: Rid, participantId: Id }),
  z.object({ type: z.literal('display.set'), rid: Rid, mode: DisplayMode }),
]);
export type Intent = z.infer<typeof Intent>;
export type IntentType = Intent['type'];
export const intentTypes = Intent.options.map((o) => o.shape.type.value);

export const Hello = z.object({
  type: z.literal('hello'),
  protocolVersion: z.number().int(),
  sessionId: Id,
  token: z.string().min(10).max(200),
  /** Last sequence number this client has folded; 0 for a fresh client. */
  lastSeq: z.number().int().min(0),
});
export type Hello = z.infer<typeof Hello>;

export const Ping = z.object({ type: z.literal('ping'), rid: Rid });

/**
 * WebRTC signaling to one other participant of an active activity. Relayed,
 * never stored; the server checks that both ends belong to the activity.
 */
export const SignalOut = z.object({ type: z.literal('signal'), activityId: Id, to: Id, payload: SignalPayload });
export type SignalOut = z.infer<typeof SignalOut>;

export const ClientMessage = z.discriminatedUnion('type', [Hello, Ping, SignalOut, ...Intent.options]);
export type ClientMessage = z.infer<typeof ClientMessage>;

const ErrorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

export const ServerMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    protocolVersion: z.number().int(),
    sessionId: Id,
    participantId: Id,
    serverTime: z.string(),
    /** STUN/TURN servers for WebRTC, with short-lived TURN credentials. */
    iceServers: z.array(IceServer),
  }),
  z.object({ type: z.literal('signal'), activityId: Id, from: Id, payload: SignalPayload }),
  /**
   * Events the client missed. `reset` means: drop your view and fold these
   * from scratch (first connect, or what you may see changed, e.g. admitted).
   */
  z.object({ type: z.literal('history'), reset: z.boolean(), events: z.array(SessionEventEnvelope) }),
  z.object({ type: z.literal('event'), envelope: SessionEventEnvelope }),
  z.object({ type: z.literal('ack'), rid: Rid, seq: z.number().int().optional() }),
  z.object({ type: z.literal('pong'), rid: Rid }),
  z.object({
    type: z.literal('error'),
    rid: Rid.optional(),
    code: ErrorCodeSchema,
    message: z.string(),
  }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
