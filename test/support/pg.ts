import crypto from 'node:crypto';
import pg from 'pg';

export interface FreshPgDatabase {
  /** URL of the new, empty database. */
  url: string;
  name: string;
  /** Drops the database once nobody is connected any more (after 5 s it forces them out). */
  drop(): Promise<void>;
}

/**
 * Creates an empty database `rs_test_<random>` on the server of `adminUrl`
 * (e.g. TEST_DATABASE_URL), so that every test run starts clean.
 */
export async function freshPgDatabase(adminUrl: string): Promise<FreshPgDatabase> {
  const name = `rs_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        // Closed pools finish disconnecting in the background: wait for that
        // (a forced drop would otherwise kill a closing connection, whose
        // error then surfaces in the test process).
        const deadline = Date.now() + 5000;
        for (;;) {
          const r = await c.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [name]);
          if (Number(r.rows[0]?.n ?? 0) === 0 || Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
