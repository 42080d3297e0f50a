import type { Db } from './database.js';

/** Small key/value table for site-wide values (settings, secrets, setup token). */
export class Kv {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('kv')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  /** Stores the value unless the key exists; returns the value that is stored now. Nodes racing agree. */
  async getOrInit(key: string, make: () => string): Promise<string> {
    await this.db.insertInto('kv').values({ key, value: make() }).onConflict((oc) => oc.column('key').doNothing()).execute();
    const v = await this.get(key);
    if (v === undefined) throw new Error(`kv ${key} vanished`);
    return v;
  }

  async delete(key: string): Promise<void> {
    await this.db.deleteFrom('kv').where('key', '=', key).execute();
  }
}
