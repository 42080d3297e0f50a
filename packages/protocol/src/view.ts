import type { InboundInfo, ParticipantInfo, SessionEndReason, SessionEvent, SessionEventEnvelope, TransferTarget } from './events.js';
import type { ActivityKind, ActivityStopReason, ConsentCloseReason, ConsentKind, ConsentVia, DisplayMode } from './media.js';

/**
 * The session as a fold of its events. The server keeps the full view; a
 * client folds only the events it may see, so its view can lack rep-only
 * parts (notes, invitations, other waiting people).
 */
export type ParticipantStatus = 'waiting' | 'admitted' | 'denied' | 'left';

export interface ParticipantView extends ParticipantInfo {
  status: ParticipantStatus;
  connected: boolean;
  /** When the participant's last connection dropped; null while connected. */
  disconnectedAt: string | null;
  joinedAt: string;
  /** When the participant was let in; null for someone who only ever waited. */
  admittedAt: string | null;
}

export interface ChatMessageView {
  seq: number;
  at: string;
  messageId: string;
  from: string;
  to?: string;
  text: string;
}

export interface SavedNotesView {
  seq: number;
  at: string;
  by: string;
  text: string;
}

export type SessionStatusView =
  | { state: 'open' }
  | { state: 'ended'; at: string; reason: SessionEndReason; by?: string };

export interface ConsentView {
  requestId: string;
  kind: ConsentKind;
  from: string;
  to: string;
  requestedAt: string;
  expiresAt: string;
  state: 'pending' | 'accepted' | 'declined' | 'closed';
  closeReason?: ConsentCloseReason;
  /** Declined because the customer's browser cannot do it. */
  unsupported?: boolean;
  /** Folder access asked for through Support Manager. */
  via?: ConsentVia;
}

export interface ActivityView {
  activityId: string;
  kind: ActivityKind;
  sharer: string;
  requestId?: string;
  startedAt: string;
  state: 'active' | 'stopped';
  stoppedAt?: string;
  stopReason?: ActivityStopReason;
  /** Folder access carried by the customer's Support Manager (control kinds always are; see throughDevice). */
  via?: ConsentVia;
  /** Activities through Support Manager: the one that sends the screen and takes input, or serves the folder, once paired. */
  deviceId?: string;
  /** Voice calls only: who is in the call and whether they are muted. */
  members: Record<string, { muted: boolean }>;
}

export interface FileView {
  fileId: string;
  name: string;
  size: number;
  sha256: string;
  by: string;
  direction: 'to_customers' | 'to_reps';
  publishedAt: string;
  removed: boolean;
}

export interface SessionView {
  number: string;
  startedAt: string;
  lastSeq: number;
  status: SessionStatusView;
  primaryId: string;
  participants: Record<string, ParticipantView>;
  /** Participant ids in order of arrival, for stable display. */
  order: string[];
  chat: ChatMessageView[];
  notes: SavedNotesView[];
  transfers: { seq: number; at: string; from: string; to: string }[];
  invitations: { at: string; invitee: 'customer' | 'rep'; email: string; via: string }[];
  consents: Record<string, ConsentView>;
  activities: Record<string, ActivityView>;
  /** S-3: the customer the rep is helping; null until chosen (the only customer is implied). */
  selectedCustomerId: string | null;
  displayMode: DisplayMode;
  files: Record<string, FileView>;
  /** S-2: present for an inbound session (the entry form's answers). */
  inbound: InboundInfo | null;
  /** SES-4 session transfers, oldest first; the last one is pending until an agent accepts. Reps only. */
  sessionTransfers: SessionTransferView[];
}

export interface SessionTransferView {
  seq: number;
  at: string;
  by: string;
  requestId: string;
  to: TransferTarget;
  message: string;
  /** The agent who took it; absent while it waits. */
  acceptedBy?: string;
}

function participant(info: ParticipantInfo, status: ParticipantStatus, at: string): ParticipantView {
  return { ...info, status, connected: false, disconnectedAt: null, joinedAt: at, admittedAt: status === 'admitted' ? at : null };
}

/** Starts a view from the first event, which is always `session.started`. */
export function initialView(env: SessionEventEnvelope): SessionView {
  if (env.event.type !== 'session.started') {
    throw new Error(`a session log starts with session.started, not ${env.event.type}`);
  }
  const p = participant(env.event.primary, 'admitted', env.at);
  return {
    number: env.event.number,
    startedAt: env.at,
    lastSeq: env.seq,
    status: { state: 'open' },
    primaryId: p.id,
    participants: { [p.id]: p },
    order: [p.id],
    chat: [],
    notes: [],
    transfers: [],
    invitations: [],
    consents: {},
    activities: {},
    selectedCustomerId: null,
    displayMode: 'standard',
    files: {},
    inbound: env.event.inbound ?? null,
    sessionTransfers: [],
  };
}

function withConsent(view: SessionView, id: string, patch: Partial<ConsentView>): SessionView {
  const c = view.consents[id];
  return c ? { ...view, consents: { ...view.consents, [id]: { ...c, ...patch } } } : view;
}

function withActivity(view: SessionView, id: string, patch: (a: ActivityView) => Partial<ActivityView>): SessionView {
  const a = view.activities[id];
  return a ? { ...view, activities: { ...view.activities, [id]: { ...a, ...patch(a) } } } : view;
}

function withParticipant(view: SessionView, id: string, patch: Partial<ParticipantView>): SessionView {
  const current = view.participants[id];
  if (!current) return view;
  return { ...view, participants: { ...view.participants, [id]: { ...current, ...patch } } };
}

function addParticipant(view: SessionView, p: ParticipantView): SessionView {
  return {
    ...view,
    participants: { ...view.participants, [p.id]: p },
    order: view.order.includes(p.id) ? view.order : [...view.order, p.id],
  };
}

/**
 * Pure fold step. It trusts its input: the server decides which events are
 * valid (see apps/server/src/modules/sessions/rules.ts) before they exist.
 */
export function applyEvent(view: SessionView, env: SessionEventEnvelope): SessionView {
  const e: SessionEvent = env.event;
  const next = { ...view, lastSeq: Math.max(view.lastSeq, env.seq) };
  switch (e.type) {
    case 'session.started':
      return next;
    case 'participant.waiting':
      return addParticipant(next, participant(e.participant, 'waiting', env.at));
    case 'participant.joined':
      return addParticipant(next, participant(e.participant, 'admitted', env.at));
    case 'participant.admitted':
      return next.participants[e.participant.id]
        ? withParticipant(next, e.participant.id, { status: 'admitted', admittedAt: env.at })
        : // A customer never sees another person wait, nor their presence while waiting: someone
          // is admitted from the waiting list while there, so they start out connected (later
          // presence events are visible and correct it). Without this, customers show each
          // other as reconnecting and media is never offered between them (S-3).
          addParticipant(next, { ...participant(e.participant, 'admitted', env.at), connected: true });
    case 'participant.denied':
      return withParticipant(next, e.participantId, { status: 'denied', connected: false });
    case 'participant.left':
      return withParticipant(next, e.participantId, { status: 'left', connected: false });
    case 'participant.connected':
      return withParticipant(next, e.participantId, { connected: true, disconnectedAt: null });
    case 'participant.disconnected':
      return withParticipant(next, e.participantId, { connected: false, disconnectedAt: env.at });
    case 'chat.message':
      return {
        ...next,
        chat: [
          ...next.chat,
          { seq: env.seq, at: env.at, messageId: e.messageId, from: e.from, text: e.text, ...(e.to ? { to: e.to } : {}) },
        ],
      };
    case 'notes.saved':
      return { ...next, notes: [...next.notes, { seq: env.seq, at: env.at, by: e.by, text: e.text }] };
    case 'invitation.sent':
      return { ...next, invitations: [...next.invitations, { at: env.at, invitee: e.invitee, email: e.email, via: e.via }] };
    case 'control.transferred': {
      const swapped = withParticipant(withParticipant(next, e.from, { role: 'assistant' }), e.to, { role: 'primary' });
      return {
        ...swapped,
        primaryId: e.to,
        transfers: [...next.transfers, { seq: env.seq, at: env.at, from: e.from, to: e.to }],
      };
    }
    case 'consent.requested':
      return {
        ...next,
        consents: {
          ...next.consents,
          [e.requestId]: {
            requestId: e.requestId,
            kind: e.kind,
            from: e.from,
            to: e.to,
            requestedAt: env.at,
            expiresAt: e.expiresAt,
            state: 'pending',
            ...(e.via ? { via: e.via } : {}),
          },
        },
      };
    case 'consent.answered':
      return withConsent(next, e.requestId, { state: e.accepted ? 'accepted' : 'declined', ...(e.reason === 'unsupported' ? { unsupported: true } : {}) });
    case 'consent.closed':
      return withConsent(next, e.requestId, { state: 'closed', closeReason: e.reason });
    case 'activity.started':
      return {
        ...next,
        activities: {
          ...next.activities,
          [e.activityId]: {
            activityId: e.activityId,
            kind: e.kind,
            sharer: e.sharer,
            startedAt: env.at,
            state: 'active',
            members: {},
            ...(e.requestId ? { requestId: e.requestId } : {}),
            ...(e.via ? { via: e.via } : {}),
          },
        },
      };
    case 'activity.stopped':
      return withActivity(next, e.activityId, () => ({ state: 'stopped', stoppedAt: env.at, stopReason: e.reason }));
    case 'device.attached':
      return withActivity(next, e.activityId, () => ({ deviceId: e.deviceId }));
    case 'voice.joined':
      return withActivity(next, e.activityId, (a) => ({ members: { ...a.members, [e.participantId]: { muted: false } } }));
    case 'voice.left':
      return withActivity(next, e.activityId, (a) => {
        const { [e.participantId]: _gone, ...members } = a.members;
        return { members };
      });
    case 'voice.muted':
      return withActivity(next, e.activityId, (a) =>
        a.members[e.participantId] ? { members: { ...a.members, [e.participantId]: { muted: e.muted } } } : {},
      );
    case 'customer.selected':
      return { ...next, selectedCustomerId: e.participantId };
    case 'display.mode':
      return { ...next, displayMode: e.mode };
    case 'file.published':
      return {
        ...next,
        files: {
          ...next.files,
          [e.fileId]: { fileId: e.fileId, name: e.name, size: e.size, sha256: e.sha256, by: e.by, direction: e.direction, publishedAt: env.at, removed: false },
        },
      };
    case 'file.removed': {
      const f = next.files[e.fileId];
      return f ? { ...next, files: { ...next.files, [e.fileId]: { ...f, removed: true } } } : next;
    }
    case 'session.transferred':
      return {
        ...next,
        sessionTransfers: [
          ...next.sessionTransfers,
          { seq: env.seq, at: env.at, by: e.by, requestId: e.requestId, to: e.to, message: e.message },
        ],
      };
    case 'session.transfer.accepted': {
      const joined = addParticipant(next, participant(e.participant, 'admitted', env.at));
      const former = next.participants[next.primaryId];
      const demoted = former ? withParticipant(joined, former.id, { role: 'assistant' }) : joined;
      return {
        ...demoted,
        primaryId: e.participant.id,
        sessionTransfers: next.sessionTransfers.map((t) => (t.requestId === e.requestId ? { ...t, acceptedBy: e.participant.id } : t)),
      };
    }
    case 'session.ended':
      return {
        ...next,
        status: { state: 'ended', at: env.at, reason: e.reason, ...(e.by ? { by: e.by } : {}) },
      };
    default: {
      const unreachable: never = e;
      return unreachable;
    }
  }
}

export function foldEvents(envs: readonly SessionEventEnvelope[]): SessionView | null {
  const [first, ...rest] = envs;
  if (!first) return null;
  return rest.reduce(applyEvent, initialView(first));
}

/** Admitted participants who have not left: the people in the session now. */
export function presentParticipants(view: SessionView): ParticipantView[] {
  return view.order
    .map((id) => view.participants[id])
    .filter((p): p is ParticipantView => p !== undefined && p.status === 'admitted');
}

/**
 * Whether the customer's Support Manager, not a browser, carries the
 * activity: remote control (DSK-2, APP-2) always, folder access (FT-2) when
 * the rep asked for it through Support Manager.
 */
export function throughDevice(a: Pick<ActivityView, 'kind' | 'via'>): boolean {
  return a.kind === 'desktop.control' || a.kind === 'app.control' || (a.kind === 'folder' && a.via === 'support-manager');
}

/**
 * Who sends an activity's media (or serves its folder): the sharer, except
 * through Support Manager, where the customer's device does (undefined until
 * it is attached). The one place this is decided (M12, M14): the server's
 * signaling rule and every client's offers follow it.
 */
export function senderOf(a: ActivityView): string | undefined {
  return throughDevice(a) ? a.deviceId : a.sharer;
}

export function activeActivities(view: SessionView): ActivityView[] {
  return Object.values(view.activities).filter((a) => a.state === 'active');
}

export function pendingConsents(view: SessionView, now: string): ConsentView[] {
  return Object.values(view.consents).filter((c) => c.state === 'pending' && c.expiresAt > now);
}

/**
 * SES-4: the session waits for an agent after a transfer. Derived from the
 * primary having left (only a transfer lets the primary leave an open
 * session), so customers, who do not see the transfer itself, know it too.
 */
export function awaitingTransfer(view: SessionView): boolean {
  return view.status.state === 'open' && view.participants[view.primaryId]?.status === 'left';
}

/** The customer the rep helps: the selected one, else the only (first) admitted customer. */
export function currentCustomerId(view: SessionView): string | null {
  const present = presentParticipants(view).filter((p) => p.kind === 'customer');
  if (view.selectedCustomerId && present.some((p) => p.id === view.selectedCustomerId)) return view.selectedCustomerId;
  return present[0]?.id ?? null;
}
