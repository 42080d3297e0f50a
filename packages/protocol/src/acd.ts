import { z } from 'zod';
import { DisplayName, Email, Id } from './common.js';
import { SessionTicket } from './rest.js';
import { ACD_LIMITS } from './acd-limits.js';

export { ACD_LIMITS };

/**
 * WebACD (ACD-1..5, SES-4): queues, the people waiting in them, agents and
 * the offers between them. The server's store is the record; sockets carry
 * snapshots (the whole current state each time), so a reconnect needs no
 * catch-up and a lost snapshot is healed by the next.
 */


export const QueueName = z
  .string()
  .trim()
  .min(1)
  .max(ACD_LIMITS.queueName)
  .regex(/^[^\u0000-\u001f\u007f/]*$/, 'control characters and "/" are not allowed');

/** A queue's address in links (`/help/<slug>`): lowercase letters, digits and dashes. */
export const QueueSlug = z
  .string()
  .min(1)
  .max(ACD_LIMITS.queueName)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase letters, digits and dashes');

export const RoutingRule = z.enum(['longest_idle', 'round_robin']);
export type RoutingRule = z.infer<typeof RoutingRule>;

export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export type Weekday = z.infer<typeof Weekday>;
export const WEEKDAYS = Weekday.options;

const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM');

/** Opening hours of one day; `to` after `from` (a range never spans midnight). */
export const OpeningRange = z
  .object({ from: ClockTime, to: ClockTime })
  .refine((r) => r.from < r.to, { message: 'the end must be after the start' });

export const TimeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'an IANA time zone, e.g. Europe/Stockholm' },
);

/** Business hours; `null` means always open. A day without ranges is closed all day. */
export const BusinessHours = z.object({
  timeZone: TimeZone,
  days: z.partialRecord(Weekday, z.array(OpeningRange).max(4)),
});
export type BusinessHours = z.infer<typeof BusinessHours>;

export const QueueInput = z.object({
  name: QueueName,
  slug: QueueSlug,
  /** User ids of WebACD agents who serve this queue. */
  agentIds: z.array(Id).max(1000),
  routing: RoutingRule,
  hours: BusinessHours.nullable(),
  /** After this long in the queue a person moves to `overflowQueueId`; null: never. */
  overflowAfterSeconds: z.number().int().min(10).max(24 * 3600).nullable(),
  overflowQueueId: Id.nullable(),
  /** Shown above the entry form. */
  formText: z.string().max(ACD_LIMITS.formText),
});
export type QueueInput = z.infer<typeof QueueInput>;

export const Queue = QueueInput.extend({ id: Id, createdAt: z.string() });
export type Queue = z.infer<typeof Queue>;

/** What the entry form and the embed script learn about a queue (public). */
export const QueuePublicInfo = z.object({
  slug: QueueSlug,
  name: z.string(),
  formText: z.string(),
  /** False outside business hours: the form offers to leave a message. */
  open: z.boolean(),
  /** The next opening, when closed and known (ISO time). */
  opensAt: z.string().nullable(),
});
export type QueuePublicInfo = z.infer<typeof QueuePublicInfo>;

/** ACD-1: "Your name", "Email", "Describe your problem". */
export const HelpRequestBody = z.object({
  name: DisplayName,
  email: Email,
  problem: z.string().trim().min(1).max(ACD_LIMITS.problem),
  /** The page the person came from (the embed script sends it). */
  pageUrl: z.string().url().max(2000).optional(),
});
export type HelpRequestBody = z.infer<typeof HelpRequestBody>;

/** A waiting person's handle: the request id and a token only they hold. */
export const WaitingTicket = z.object({ requestId: Id, token: z.string().min(10).max(200) });
export type WaitingTicket = z.infer<typeof WaitingTicket>;

export const LeaveMessageBody = HelpRequestBody;
export const LeftMessage = z.object({
  id: Id,
  queueId: Id,
  queueName: z.string(),
  name: z.string(),
  email: z.string(),
  problem: z.string(),
  createdAt: z.string(),
});
export type LeftMessage = z.infer<typeof LeftMessage>;

/** What the waiting person sees, pushed whenever it changes. */
export const WaitingState = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('waiting'),
    queueName: z.string(),
    /** 1 = next in line. */
    position: z.number().int().min(1),
    /** From the queue's recent history; null when there is none yet. */
    estimatedWaitSeconds: z.number().int().min(0).nullable(),
    waitingSince: z.string(),
  }),
  /** An agent accepted: open the session with this ticket. */
  z.object({ state: z.literal('assigned'), ticket: SessionTicket }),
  z.object({ state: z.literal('left') }),
  /** The request is gone (it ended, or the link is wrong). */
  z.object({ state: z.literal('closed') }),
]);
export type WaitingState = z.infer<typeof WaitingState>;

export const AgentStatus = z.enum(['available', 'away']);
export type AgentStatus = z.infer<typeof AgentStatus>;

export const Offer = z.object({
  offerId: Id,
  requestId: Id,
  /** Null for a transfer to chosen agents. */
  queueName: z.string().nullable(),
  name: z.string(),
  email: z.string(),
  problem: z.string(),
  /** SES-4: a transferred session's personal message and who sent it. */
  transfer: z.object({ fromName: z.string(), message: z.string() }).nullable(),
  offeredAt: z.string(),
  expiresAt: z.string(),
});
export type Offer = z.infer<typeof Offer>;

/** The agent's console state, pushed whenever it changes. */
export const AgentState = z.object({
  status: AgentStatus,
  autoAccept: z.boolean(),
  /** Offered plus accepted customers, against the site's maximum per rep (S-5). */
  load: z.number().int().min(0),
  maxCustomers: z.number().int().min(1),
  offers: z.array(Offer),
  /** Sessions this agent accepted that are still open, newest first. */
  sessions: z.array(z.object({ sessionId: Id, number: z.string(), customerName: z.string() })),
  /** Set when the last offer rang out and the agent was set away. */
  missedOffer: z.boolean(),
  queues: z.array(z.object({ id: Id, name: z.string(), waiting: z.number().int().min(0) })),
});
export type AgentState = z.infer<typeof AgentState>;

export const SetAgentBody = z.object({ status: AgentStatus.optional(), autoAccept: z.boolean().optional() }).strict();

/** The result of accepting an offer: the agent's ticket into the session. */
export const AcceptedOffer = z.object({ sessionId: Id, number: z.string(), ticket: SessionTicket });
export type AcceptedOffer = z.infer<typeof AcceptedOffer>;

/** SES-4: to exactly one queue, or to one or more agents. */
export const TransferSessionBody = z.object({
  to: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('queue'), queueId: Id }),
    z.object({ kind: z.literal('agents'), agentIds: z.array(Id).min(1).max(100) }),
  ]),
  message: z
    .string()
    .max(ACD_LIMITS.transferMessage, `the message can have at most ${ACD_LIMITS.transferMessage} characters`)
    .default(''),
});
export type TransferSessionBody = z.infer<typeof TransferSessionBody>;

/** Who can be chosen in the Transfer session dialog. */
export const TransferTargets = z.object({
  queues: z.array(z.object({ id: Id, name: z.string(), waiting: z.number().int() })),
  agents: z.array(z.object({ userId: Id, name: z.string(), status: AgentStatus })),
});
export type TransferTargets = z.infer<typeof TransferTargets>;

/** WebSocket `/ws/acd`: the first message says who is listening. */
export const AcdHello = z.discriminatedUnion('as', [
  /** A signed-in WebACD agent (session cookie). */
  z.object({ type: z.literal('acd.hello'), as: z.literal('agent') }),
  z.object({ type: z.literal('acd.hello'), as: z.literal('waiting'), requestId: Id, token: z.string().min(10).max(200) }),
]);
export type AcdHello = z.infer<typeof AcdHello>;

export const AcdServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('acd.agent'), state: AgentState }),
  z.object({ type: z.literal('acd.waiting'), state: WaitingState }),
  z.object({ type: z.literal('acd.error'), code: z.string(), message: z.string() }),
]);
export type AcdServerMessage = z.infer<typeof AcdServerMessage>;

/** Queue report (per queue and day). */
export const QueueReportQuery = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  format: z.enum(['json', 'csv']).optional(),
});
export const QueueReportRow = z.object({
  date: z.string(),
  queueId: Id,
  queueName: z.string(),
  requests: z.number().int(),
  answered: z.number().int(),
  abandoned: z.number().int(),
  averageWaitSeconds: z.number().nullable(),
  p90WaitSeconds: z.number().nullable(),
  averageHandlingSeconds: z.number().nullable(),
  /** Share of answered requests answered within the site's target time, 0..1; null when none were answered. */
  answeredWithinTarget: z.number().min(0).max(1).nullable(),
});
export type QueueReportRow = z.infer<typeof QueueReportRow>;
export const QueueReport = z.object({
  from: z.string(),
  to: z.string(),
  targetSeconds: z.number().int(),
  rows: z.array(QueueReportRow),
});
export type QueueReport = z.infer<typeof QueueReport>;
