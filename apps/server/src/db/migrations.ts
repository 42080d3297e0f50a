import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';

/**
 * One set of migrations for SQLite and PostgreSQL: only types and statements
 * that both accept (text, integer, bigint-free sequence numbers).
 */
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_rep', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_agent', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('auth_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('kv')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('last_seq', 'integer', (c) => c.notNull())
        .addColumn('primary_away_since', 'text')
        .execute();
      // A number is unique among open sessions only, so numbers can be reused later.
      await sql`create unique index sessions_open_number on sessions (number) where status = 'open'`.execute(db);
      await db.schema.createIndex('sessions_created_at').on('sessions').column('created_at').execute();
      await db.schema
        .createTable('session_events')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        // The primary key is what makes concurrent writers from two nodes safe.
        .addPrimaryKeyConstraint('session_events_pk', ['session_id', 'seq'])
        .execute();
      await db.schema
        .createTable('session_reps')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addPrimaryKeyConstraint('session_reps_pk', ['session_id', 'user_id'])
        .execute();
      await db.schema.createIndex('session_reps_user').on('session_reps').column('user_id').execute();
      await db.schema
        .createTable('invitations')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id'))
        .addColumn('invitee', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0002_files': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('files')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id'))
        .addColumn('uploader_id', 'text', (c) => c.notNull())
        .addColumn('uploader_kind', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('last_modified', 'bigint')
        .addColumn('received_bytes', 'bigint', (c) => c.notNull())
        // uploading | ready | refused | cancelled | deleted
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text')
        .addColumn('message', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('completed_at', 'text')
        .execute();
      await db.schema.createIndex('files_session').on('files').column('session_id').execute();
    },
  },
  /** WebACD (ACD-1..5, SES-4): queues, agents, the people waiting, messages left outside business hours. */
  '0003_acd': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('acd_queues')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('routing', 'text', (c) => c.notNull())
        .addColumn('hours', 'text')
        .addColumn('overflow_after_seconds', 'integer')
        .addColumn('overflow_queue_id', 'text')
        .addColumn('form_text', 'text', (c) => c.notNull())
        .addColumn('rr_last_user_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('acd_queue_agents')
        .addColumn('queue_id', 'text', (c) => c.notNull().references('acd_queues.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addPrimaryKeyConstraint('acd_queue_agents_pk', ['queue_id', 'user_id'])
        .execute();
      await db.schema.createIndex('acd_queue_agents_user').on('acd_queue_agents').column('user_id').execute();
      await db.schema
        .createTable('acd_agents')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('auto_accept', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('idle_since', 'text', (c) => c.notNull())
        .addColumn('missed_offer', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('acd_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // Null for a session transferred to chosen agents rather than a queue.
        .addColumn('queue_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('problem', 'text', (c) => c.notNull())
        .addColumn('page_url', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('entered_at', 'text', (c) => c.notNull())
        .addColumn('queued_at', 'text', (c) => c.notNull())
        .addColumn('priority_at', 'text', (c) => c.notNull())
        .addColumn('offer_id', 'text')
        .addColumn('agent_id', 'text')
        .addColumn('offered_at', 'text')
        .addColumn('offer_expires_at', 'text')
        .addColumn('assigned_at', 'text')
        .addColumn('ended_at', 'text')
        .addColumn('session_id', 'text')
        .addColumn('customer_participant_id', 'text')
        .addColumn('target_agents', 'text')
        .addColumn('transfer_from_name', 'text')
        .addColumn('transfer_message', 'text')
        .addColumn('overflowed_from', 'text')
        .addColumn('disconnected_at', 'text')
        .execute();
      await db.schema.createIndex('acd_requests_queue').on('acd_requests').columns(['state', 'queue_id', 'priority_at']).execute();
      await db.schema.createIndex('acd_requests_agent').on('acd_requests').columns(['agent_id', 'state']).execute();
      await db.schema.createIndex('acd_requests_offer').on('acd_requests').column('offer_id').execute();
      await db.schema.createIndex('acd_requests_session').on('acd_requests').column('session_id').execute();
      await db.schema.createIndex('acd_requests_entered').on('acd_requests').column('entered_at').execute();
      await db.schema
        .createTable('acd_messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('queue_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('problem', 'text', (c) => c.notNull())
        .addColumn('page_url', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('acd_messages_created').on('acd_messages').column('created_at').execute();
    },
  },
  /** Support Manager pairing URLs (DSK-2, APP-2): one-time, short-lived, bound to a session, a customer and an activity. */
  '0004_device_pairings': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('device_pairings')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull())
        .addColumn('participant_id', 'text', (c) => c.notNull())
        .addColumn('activity_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('redeemed_at', 'text')
        .execute();
    },
  },
};

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

export async function migrate(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}`, { cause: error });
  }
}
