import type { Generated } from 'kysely';

/** Table types. Booleans are integers 0/1 so that SQLite and PostgreSQL agree. */
export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  is_admin: number;
  is_rep: number;
  is_agent: number;
  disabled: number;
  created_at: string;
}

export interface AuthSessionsTable {
  /** SHA-256 of the cookie value: a stolen database does not yield live cookies. */
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface KvTable {
  key: string;
  value: string;
}

export interface SessionsTable {
  id: string;
  number: string;
  /** 'open' | 'ended' */
  status: string;
  created_by: string;
  created_at: string;
  ended_at: string | null;
  last_seq: number;
  /** Set while the primary rep has no connection; the sweeper ends the session after the grace period. */
  primary_away_since: string | null;
}

export interface SessionEventsTable {
  session_id: string;
  seq: number;
  type: string;
  data: string;
  at: string;
}

export interface SessionRepsTable {
  session_id: string;
  user_id: string;
}

export interface InvitationsTable {
  token_hash: string;
  session_id: string;
  invitee: string;
  email: string;
  created_by: string;
  created_at: string;
  expires_at: string;
}

export interface OutboxTable {
  id: string;
  to_address: string;
  subject: string;
  text: string;
  created_at: string;
}

export interface FilesTable {
  id: string;
  session_id: string;
  uploader_id: string;
  uploader_kind: string;
  direction: string;
  name: string;
  size: number;
  last_modified: number | null;
  received_bytes: number;
  state: string;
  sha256: string | null;
  message: string | null;
  created_at: string;
  completed_at: string | null;
}

export interface AcdQueuesTable {
  id: string;
  name: string;
  slug: string;
  routing: string;
  /** BusinessHours as JSON; null: always open. */
  hours: string | null;
  overflow_after_seconds: number | null;
  overflow_queue_id: string | null;
  form_text: string;
  /** Round robin: the agent who got the last offer of this queue. */
  rr_last_user_id: string | null;
  created_at: string;
}

export interface AcdQueueAgentsTable {
  queue_id: string;
  user_id: string;
}

export interface AcdAgentsTable {
  user_id: string;
  status: string;
  auto_accept: number;
  /** Longest-idle routing: when the agent became available or last got an offer. */
  idle_since: string;
  missed_offer: number;
}

/**
 * One entry of a person (or a transferred session) into a queue.
 * state: waiting → offered → assigned → done | transferred; or abandoned.
 */
export interface AcdRequestsTable {
  id: string;
  queue_id: string | null;
  name: string;
  email: string;
  problem: string;
  page_url: string | null;
  state: string;
  /** When this entry began (the wait in reports runs from here). */
  entered_at: string;
  /** When it entered its current queue (overflow runs from here). */
  queued_at: string;
  /** Place in line: a transferred session keeps its original waiting time. */
  priority_at: string;
  offer_id: string | null;
  agent_id: string | null;
  offered_at: string | null;
  offer_expires_at: string | null;
  assigned_at: string | null;
  ended_at: string | null;
  session_id: string | null;
  customer_participant_id: string | null;
  /** JSON array of user ids: a transfer to chosen agents. */
  target_agents: string | null;
  transfer_from_name: string | null;
  transfer_message: string | null;
  overflowed_from: string | null;
  /** The waiting page's socket closed at; null while one is open (or never opened). */
  disconnected_at: string | null;
}

export interface AcdMessagesTable {
  id: string;
  queue_id: string;
  name: string;
  email: string;
  problem: string;
  page_url: string | null;
  created_at: string;
}

/** A pairing URL's code is kept only as its SHA-256: a copy of the database redeems nothing. */
export interface DevicePairingsTable {
  code_hash: string;
  session_id: string;
  participant_id: string;
  activity_id: string;
  created_at: string;
  expires_at: string;
  redeemed_at: string | null;
}

export interface Database {
  users: UsersTable;
  auth_sessions: AuthSessionsTable;
  kv: KvTable;
  sessions: SessionsTable;
  session_events: SessionEventsTable;
  session_reps: SessionRepsTable;
  invitations: InvitationsTable;
  outbox: OutboxTable;
  files: FilesTable;
  acd_queues: AcdQueuesTable;
  acd_queue_agents: AcdQueueAgentsTable;
  acd_agents: AcdAgentsTable;
  acd_requests: AcdRequestsTable;
  acd_messages: AcdMessagesTable;
  device_pairings: DevicePairingsTable;
  kysely_migration_placeholder: { id: Generated<number> };
}
