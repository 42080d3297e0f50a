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
  kysely_migration_placeholder: { id: Generated<number> };
}
