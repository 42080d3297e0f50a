import { SessionEvent, type SessionEventEnvelope } from '@rs/protocol';
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database, SessionsTable } from '../../db/schema.js';

/** The session event log and the `sessions` projection row, in one place. */
export class SessionStore {
  constructor(private readonly db: Db) {}

  async eventsAfter(sessionId: string, afterSeq: number): Promise<SessionEventEnvelope[]> {
    const rows = await this.db
      .selectFrom('session_events')
      .select(['seq', 'data', 'at'])
      .where('session_id', '=', sessionId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .execute();
    // Rows are only ever written from validated events; parsing again guards against a hand-edited store.
    return rows.map((r) => ({ seq: Number(r.seq), at: r.at, event: SessionEvent.parse(JSON.parse(r.data)) }));
  }

  async row(sessionId: string): Promise<SessionsTable | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
  }

  async openByNumber(number: string): Promise<SessionsTable | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('number', '=', number).where('status', '=', 'open').executeTakeFirst();
  }

  async lastByNumber(number: string): Promise<SessionsTable | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('number', '=', number).orderBy('created_at', 'desc').executeTakeFirst();
  }

  /**
   * Creates the session row and its first event. Throws a unique violation
   * when the number is taken by an open session (the caller draws again).
   */
  async create(row: SessionsTable, first: SessionEventEnvelope, repUserId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('sessions').values(row).execute();
      await trx
        .insertInto('session_events')
        .values({ session_id: row.id, seq: first.seq, type: first.event.type, data: JSON.stringify(first.event), at: first.at })
        .execute();
      await trx.insertInto('session_reps').values({ session_id: row.id, user_id: repUserId }).execute();
    });
  }

  /**
   * Writes many new sessions (rows, first events, reps) with `exec`, usually
   * a transaction of the caller's (WebACD assigns people and starts their
   * sessions in one). A number taken by an open session fails the whole
   * batch with a unique violation.
   */
  async insertMany(exec: Kysely<Database>, batch: { row: SessionsTable; envelopes: SessionEventEnvelope[]; repUserId: string }[]): Promise<void> {
    if (batch.length === 0) return;
    await exec.insertInto('sessions').values(batch.map((b) => b.row)).execute();
    await exec
      .insertInto('session_events')
      .values(batch.flatMap((b) => b.envelopes.map((e) => ({ session_id: b.row.id, seq: e.seq, type: e.event.type, data: JSON.stringify(e.event), at: e.at }))))
      .execute();
    await exec
      .insertInto('session_reps')
      .values(batch.map((b) => ({ session_id: b.row.id, user_id: b.repUserId })))
      .execute();
  }

  /**
   * Appends events after `expectedLastSeq`. Two writers racing for the same
   * seq collide on the primary key; the loser gets a unique violation and retries.
   */
  async append(
    sessionId: string,
    envelopes: SessionEventEnvelope[],
    projection: Pick<SessionsTable, 'status' | 'ended_at' | 'primary_away_since' | 'last_seq'>,
    repUserIds: string[],
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('session_events')
        .values(envelopes.map((e) => ({ session_id: sessionId, seq: e.seq, type: e.event.type, data: JSON.stringify(e.event), at: e.at })))
        .execute();
      await trx.updateTable('sessions').set(projection).where('id', '=', sessionId).execute();
      for (const userId of repUserIds) {
        await trx
          .insertInto('session_reps')
          .values({ session_id: sessionId, user_id: userId })
          .onConflict((oc) => oc.columns(['session_id', 'user_id']).doNothing())
          .execute();
      }
    });
  }

  /** Open sessions whose primary rep has been away since before `cutoff`. */
  async primaryAwaySince(cutoffIso: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .select('id')
      .where('status', '=', 'open')
      .where('primary_away_since', 'is not', null)
      .where('primary_away_since', '<', cutoffIso)
      .execute();
    return rows.map((r) => r.id);
  }

  async openSessionIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('sessions').select('id').where('status', '=', 'open').execute();
    return rows.map((r) => r.id);
  }

  async openSessionsOfUser(userId: string): Promise<SessionsTable[]> {
    return this.db
      .selectFrom('sessions')
      .innerJoin('session_reps', 'session_reps.session_id', 'sessions.id')
      .selectAll('sessions')
      .where('session_reps.user_id', '=', userId)
      .where('sessions.status', '=', 'open')
      .orderBy('sessions.created_at', 'desc')
      .execute();
  }

  async sessionsBetween(fromIso: string, toIso: string, userId: string | null): Promise<(SessionsTable & { rep_user_id: string })[]> {
    let q = this.db
      .selectFrom('sessions')
      .innerJoin('session_reps', 'session_reps.session_id', 'sessions.id')
      .selectAll('sessions')
      .select(sql<string>`session_reps.user_id`.as('rep_user_id'))
      .where('sessions.created_at', '>=', fromIso)
      .where('sessions.created_at', '<', toIso);
    if (userId) q = q.where('session_reps.user_id', '=', userId);
    return q.orderBy('sessions.created_at').execute();
  }
}
