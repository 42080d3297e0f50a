import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrate } from './migrations.js';

export type Db = Kysely<Database>;
export type Dialect = 'sqlite' | 'postgres';

export interface OpenedDb {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
}

/**
 * PostgreSQL when a URL is given, otherwise an embedded SQLite file in the
 * data folder. Both are migrated before use.
 */
export async function openDatabase(opts: { databaseUrl: string | null; dataDir: string }): Promise<OpenedDb> {
  let db: Db;
  let dialect: Dialect;
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    dialect = 'postgres';
  } else {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    const file = new SQLite(path.join(opts.dataDir, 'remote-support.sqlite'));
    // WAL + NORMAL survives a killed process (kill -9) without losing committed rows.
    file.pragma('journal_mode = WAL');
    file.pragma('synchronous = NORMAL');
    file.pragma('foreign_keys = ON');
    file.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) });
    dialect = 'sqlite';
  }
  await migrate(db);
  return { db, dialect, close: () => db.destroy() };
}

/** True when an insert failed on a primary key or unique constraint, in either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
