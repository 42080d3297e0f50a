import { z } from 'zod';
import { DisplayName, Email, Id, Language, SessionNumber } from './common.js';
import { ERROR_CODES, type ErrorCode } from './errors.js';
import { LIMITS } from './limits.js';

/** Every REST error body has this shape, with the HTTP status of its code. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    /** Field-level problems of a validation error. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

const Password = z.string().min(LIMITS.password.min, `a password has at least ${LIMITS.password.min} characters`).max(LIMITS.password.max);

export const Roles = z.object({
  admin: z.boolean(),
  rep: z.boolean(),
  /** WebACD agent: a rep who may take inbound sessions from queues. */
  agent: z.boolean(),
});
export type Roles = z.infer<typeof Roles>;

export const User = z.object({
  id: Id,
  email: Email,
  name: DisplayName,
  roles: Roles,
  disabled: z.boolean(),
  createdAt: z.string(),
});
export type User = z.infer<typeof User>;

export const SignInBody = z.object({ email: Email, password: z.string().min(1).max(LIMITS.password.max) });
export const SetupBody = z.object({ token: z.string().min(10).max(200), name: DisplayName, email: Email, password: Password });
export const Me = z.object({ user: User, csrfToken: z.string() });
export type Me = z.infer<typeof Me>;

export const CreateUserBody = z.object({
  email: Email,
  name: DisplayName,
  password: Password,
  roles: Roles,
});
export const UpdateUserBody = z
  .object({
    email: Email,
    name: DisplayName,
    password: Password,
    roles: Roles,
    disabled: z.boolean(),
  })
  .partial()
  .strict();

export const SiteSettings = z
  .object({
    sessionMode: z.enum(['single', 'multi']),
    console: z.enum(['dashboard', 'icon_tray', 'multi_session_window']),
    maxCustomersPerRep: z.number().int().min(1).max(50),
    automaticRecording: z.boolean(),
    webAcdEnabled: z.boolean(),
    reconnectGraceSeconds: z.number().int().min(5).max(3600),
    /** FT-1 limits, checked before any byte is stored. */
    maxFileMegabytes: z.number().int().min(1).max(1024 * 1024),
    maxSessionMegabytes: z.number().int().min(1).max(1024 * 1024),
    /** Whether customers may send files to the reps of their session. */
    customerUploads: z.boolean(),
    /** Files are removed this long after their session ended. */
    fileRetentionHours: z.number().int().min(0).max(24 * 365),
    /** ACD-3: how long an offer rings before it moves to the next agent. */
    acdOfferSeconds: z.number().int().min(5).max(300),
    /** ACD-1: origins (scheme://host[:port]) allowed to embed the "Get help" script. */
    acdAllowedOrigins: z.array(z.url().max(200).regex(/^https?:\/\/[^/]+$/, 'an origin: scheme://host[:port], no path')).max(100),
    /** Queue report: the target time to answer within (service level). */
    acdServiceLevelSeconds: z.number().int().min(1).max(3600),
  })
  .strict();
export type SiteSettings = z.infer<typeof SiteSettings>;
export const DEFAULT_SITE_SETTINGS: SiteSettings = {
  sessionMode: 'single',
  console: 'dashboard',
  maxCustomersPerRep: 5,
  automaticRecording: false,
  webAcdEnabled: false,
  reconnectGraceSeconds: 60,
  maxFileMegabytes: 2048,
  maxSessionMegabytes: 8192,
  customerUploads: true,
  fileRetentionHours: 24,
  acdOfferSeconds: 20,
  acdAllowedOrigins: [],
  acdServiceLevelSeconds: 60,
};

export const StartSessionBody = z.object({}).strict();
/** What a participant needs to open the session socket. */
export const SessionTicket = z.object({
  sessionId: Id,
  number: SessionNumber,
  participantId: Id,
  token: z.string(),
});
export type SessionTicket = z.infer<typeof SessionTicket>;

export const SessionSummary = z.object({
  sessionId: Id,
  number: SessionNumber,
  joinUrl: z.string(),
  siteUrl: z.string(),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

export const JoinByNumberBody = z.object({ number: SessionNumber, name: DisplayName, email: Email.optional() });
export const AssistBody = z.object({ number: SessionNumber });
export const AcceptInvitationBody = z.object({ name: DisplayName, email: Email.optional() });

export const InviteBody = z.object({
  invitee: z.enum(['customer', 'rep']),
  email: Email,
  /** true: the rep's own mail program sends it (mailto:); the server only records it. */
  ownMailProgram: z.boolean(),
  language: Language.optional(),
});
export const InviteResult = z.object({
  via: z.enum(['smtp', 'outbox', 'mail_program']),
  link: z.string(),
  subject: z.string(),
  body: z.string(),
  mailto: z.string().optional(),
});
export type InviteResult = z.infer<typeof InviteResult>;

export const InvitationInfo = z.object({
  invitee: z.enum(['customer', 'rep']),
  sessionId: Id,
  number: SessionNumber,
  invitedBy: z.string(),
  open: z.boolean(),
});
export type InvitationInfo = z.infer<typeof InvitationInfo>;

export const OutboxMessage = z.object({
  id: Id,
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  createdAt: z.string(),
});
export type OutboxMessage = z.infer<typeof OutboxMessage>;

export const ReportQuery = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  format: z.enum(['json', 'csv']).optional(),
});
export const ActivityRow = z.object({
  repName: z.string(),
  repEmail: z.string(),
  role: z.enum(['primary', 'assistant']),
  sessionNumber: SessionNumber,
  sessionId: Id,
  start: z.string(),
  end: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  customers: z.number().int(),
  transfers: z.number().int(),
  notes: z.string(),
  /** S-2: the WebACD queue an inbound session came from; null for outbound sessions. */
  inboundQueue: z.string().nullable(),
});
export type ActivityRow = z.infer<typeof ActivityRow>;
