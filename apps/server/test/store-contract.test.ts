/**
 * The store contract: what the server relies on from its database, run
 * against SQLite and PostgreSQL alike. PostgreSQL runs when TEST_DATABASE_URL
 * is set (a fresh database per run, dropped afterwards).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ParticipantInfo, SessionEvent, SessionEventEnvelope } from '@rs/protocol';
import { sql } from 'kysely';
import { createMemoryBus } from '../src/bus/memory-bus.js';
import { isUniqueViolation, openDatabase, type OpenedDb } from '../src/db/database.js';
import { Kv } from '../src/db/kv.js';
import { migrate } from '../src/db/migrations.js';
import type { SessionsTable } from '../src/db/schema.js';
import { SessionEngine } from '../src/modules/sessions/engine.js';
import { SessionStore } from '../src/modules/sessions/store.js';
import { UserStore } from '../src/modules/users/store.js';
import { freshPgDatabase } from '../../../test/support/pg.js';

/** A database for one run of the contract; `open` may be called more than once (as more nodes would). */
interface TestDb {
  open(): Promise<OpenedDb>;
  drop(): Promise<void>;
}

async function sqliteDb(): Promise<TestDb> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-store-'));
  return {
    open: () => openDatabase({ databaseUrl: null, dataDir }),
    drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function postgresDb(): Promise<TestDb> {
  const fresh = await freshPgDatabase(process.env.TEST_DATABASE_URL!);
  return { open: () => openDatabase({ databaseUrl: fresh.url, dataDir: '' }), drop: () => fresh.drop() };
}

const uid = () => crypto.randomBytes(8).toString('base64url');

/** Counts the appends that lost a race; optionally holds the first append of each store until all have arrived. */
class RacingStore extends SessionStore {
  conflicts = 0;
  gate: { arrive(): Promise<void> } | null = null;

  override async append(...args: Parameters<SessionStore['append']>): Promise<void> {
    const gate = this.gate;
    this.gate = null;
    if (gate) await gate.arrive();
    try {
      await super.append(...args);
    } catch (err) {
      if (isUniqueViolation(err)) this.conflicts++;
      throw err;
    }
  }
}

/** Resolves everyone's arrive() once `count` have arrived. */
function barrier(count: number) {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((r) => (release = r));
  return {
    arrive() {
      if (++arrived === count) release();
      return all;
    },
  };
}

function contract(name: string, makeDb: () => Promise<TestDb>, skip: string | false = false) {
  describe(`store contract: ${name}`, { skip }, () => {
    let tdb: TestDb;
    let opened: OpenedDb;
    const extra: OpenedDb[] = [];
    let repUserId: string;

    before(async () => {
      tdb = await makeDb();
      opened = await tdb.open();
      repUserId = await newUser('Rep.Contract@Example.TEST');
    });
    after(async () => {
      for (const o of extra) await o.close();
      await opened?.close();
      await tdb?.drop();
    });

    async function newUser(email: string): Promise<string> {
      const id = uid();
      await new UserStore(opened.db).insert({
        id,
        email,
        name: 'Contract User',
        password_hash: 'x',
        is_admin: 0,
        is_rep: 1,
        is_agent: 0,
        disabled: 0,
        created_at: new Date().toISOString(),
      });
      return id;
    }

    function sessionRow(id: string, number: string): SessionsTable {
      const at = new Date().toISOString();
      return { id, number, status: 'open', created_by: repUserId, created_at: at, ended_at: null, last_seq: 1, primary_away_since: at };
    }

    const primary = (id: string): ParticipantInfo => ({ id, kind: 'rep', role: 'primary', name: 'Rita Rep', userId: repUserId });

    function started(number: string, primaryId = uid()): SessionEventEnvelope {
      return { seq: 1, at: new Date().toISOString(), event: { type: 'session.started', number, primary: primary(primaryId) } };
    }

    const chat = (seq: number, text: string, from = 'p1'): SessionEventEnvelope => ({
      seq,
      at: new Date().toISOString(),
      event: { type: 'chat.message', messageId: uid(), from, text },
    });

    const openProjection = (lastSeq: number) => ({ status: 'open', ended_at: null, primary_away_since: null, last_seq: lastSeq });

    /** A 9-digit number no other test of this run uses. */
    const number = () => String(crypto.randomInt(0, 1e9)).padStart(9, '0');

    test('migrations run twice (and by a second node) without error or change', async () => {
      const recorded = async () => (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(opened.db)).rows.map((r) => r.name);
      const first = await recorded();
      assert.ok(first.includes('0001_initial'));
      await new Kv(opened.db).set('survives-migration', 'yes');
      await migrate(opened.db);
      const second = await tdb.open();
      extra.push(second);
      await migrate(second.db);
      const again = await recorded();
      assert.deepEqual(again, first, 'migrating again applies and records nothing new');
      assert.equal(new Set(again).size, again.length, 'each migration is recorded once');
      assert.equal(await new Kv(second.db).get('survives-migration'), 'yes', 'migrating again keeps the data');
    });

    test('SessionStore: create, append in batches, eventsAfter in seq order; a failed append changes nothing', async () => {
      const store = new SessionStore(opened.db);
      const id = uid();
      const other = uid();
      const n = number();
      await store.create(sessionRow(id, n), started(n), repUserId);
      const n2 = number();
      await store.create(sessionRow(other, n2), started(n2), repUserId);
      await store.append(id, [chat(2, 'two'), chat(3, 'three')], openProjection(3), []);
      await store.append(other, [chat(2, 'other session')], openProjection(2), []);
      await store.append(id, [chat(4, 'four')], openProjection(4), []);

      const all = await store.eventsAfter(id, 0);
      assert.deepEqual(
        all.map((e) => e.seq),
        [1, 2, 3, 4],
      );
      assert.equal(all[0]!.event.type, 'session.started');
      assert.deepEqual(
        all.slice(1).map((e) => (e.event.type === 'chat.message' ? e.event.text : e.event.type)),
        ['two', 'three', 'four'],
      );
      assert.deepEqual(
        (await store.eventsAfter(id, 2)).map((e) => e.seq),
        [3, 4],
      );
      assert.deepEqual(await store.eventsAfter(id, 4), []);
      assert.equal((await store.row(id))?.last_seq, 4);

      // A batch that collides on one seq is refused as a whole: no half-written batch, projection untouched.
      await assert.rejects(store.append(id, [chat(5, 'five'), chat(4, 'four again')], openProjection(5), []), isUniqueViolation);
      assert.deepEqual(
        (await store.eventsAfter(id, 0)).map((e) => e.seq),
        [1, 2, 3, 4],
      );
      assert.equal((await store.row(id))?.last_seq, 4);
      assert.deepEqual(
        (await store.eventsAfter(other, 0)).map((e) => e.seq),
        [1, 2],
      );
    });

    test('two engines (two nodes) appending the same seq: one wins, the other retries; nothing lost, seqs contiguous', async () => {
      const storeA = new RacingStore(opened.db);
      const storeB = new RacingStore(opened.db);
      // Separate buses, as on two nodes without Redis: each learns of the other's events from the store only.
      const nodeA = new SessionEngine(storeA, createMemoryBus());
      const nodeB = new SessionEngine(storeB, createMemoryBus());
      const { sessionId, primaryId } = await nodeA.create({ kind: 'rep', name: 'Rita Rep', userId: repUserId });
      const say = (text: string) => (): SessionEvent[] => [{ type: 'chat.message', messageId: uid(), from: primaryId, text }];

      // Both decide on the same view (lastSeq 1) and reach the store together.
      const gate = barrier(2);
      storeA.gate = gate;
      storeB.gate = gate;
      const [a, b] = await Promise.all([nodeA.transact(sessionId, say('first from A')), nodeB.transact(sessionId, say('first from B'))]);
      assert.equal(storeA.conflicts + storeB.conflicts, 1, 'exactly one of them lost the race');
      assert.deepEqual(
        [...a.envelopes, ...b.envelopes].map((e) => e.seq).sort(),
        [2, 3],
        'the loser retried with the next seq',
      );

      // Then many at once from both, each node also serving the session (listeners).
      const heard = { A: [] as number[], B: [] as number[] };
      const subA = await nodeA.subscribe(sessionId, (env) => heard.A.push(env.seq));
      const subB = await nodeB.subscribe(sessionId, (env) => heard.B.push(env.seq));
      const PER_NODE = 25;
      const texts: string[] = [];
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < PER_NODE; i++) {
        texts.push(`A${i}`, `B${i}`);
        work.push(nodeA.transact(sessionId, say(`A${i}`)), nodeB.transact(sessionId, say(`B${i}`)));
      }
      const results = await Promise.allSettled(work);
      const failed = results.filter((r) => r.status === 'rejected');
      assert.equal(failed.length, 0, `every append succeeded eventually: ${failed.map((f) => String((f as PromiseRejectedResult).reason)).join('; ')}`);

      const log = await storeA.eventsAfter(sessionId, 0);
      const last = 3 + 2 * PER_NODE;
      assert.deepEqual(
        log.map((e) => e.seq),
        Array.from({ length: last }, (_, i) => i + 1),
        'contiguous seqs',
      );
      const logged = log.flatMap((e) => (e.event.type === 'chat.message' ? [e.event.text] : []));
      assert.equal(logged.length, 2 + 2 * PER_NODE, 'no event lost, none twice');
      assert.deepEqual([...logged.slice(2)].sort(), [...texts].sort());
      // Per node, its own messages keep the order they were sent in.
      for (const node of ['A', 'B']) {
        const mine = logged.filter((t) => t.startsWith(node) && !t.startsWith('first'));
        assert.deepEqual(
          mine,
          texts.filter((t) => t.startsWith(node)),
        );
      }
      // Both nodes end with the same view, and their listeners heard every event once, in order.
      const [viewA, viewB] = [await nodeA.view(sessionId), await nodeB.view(sessionId)];
      assert.equal(viewA!.lastSeq, last);
      assert.deepEqual(viewA, viewB);
      const expectedHeard = Array.from({ length: last - 3 }, (_, i) => i + 4);
      assert.deepEqual(heard.A, expectedHeard);
      assert.deepEqual(heard.B, expectedHeard);
      assert.equal((await storeA.row(sessionId))?.last_seq, last);
      await subA.unsubscribe();
      await subB.unsubscribe();
    });

    test('a session number is unique among open sessions and free again once the session ended', async () => {
      const store = new SessionStore(opened.db);
      const engine = new SessionEngine(store, createMemoryBus());
      const n = number();
      const first = uid();
      await store.create(sessionRow(first, n), started(n), repUserId);
      const second = uid();
      await assert.rejects(store.create(sessionRow(second, n), started(n), repUserId), isUniqueViolation, 'two open sessions cannot share a number');
      assert.equal(await store.row(second), undefined, 'the refused session left nothing behind');
      assert.deepEqual(await store.eventsAfter(second, 0), []);
      assert.equal((await store.openByNumber(n))?.id, first);

      await engine.transact(first, () => [{ type: 'session.ended', reason: 'ended_by_admin' }]);
      assert.equal((await store.row(first))?.status, 'ended');
      assert.equal(await store.openByNumber(n), undefined);
      await store.create(sessionRow(second, n), started(n), repUserId);
      assert.equal((await store.openByNumber(n))?.id, second, 'the number was reused');
      assert.equal((await store.lastByNumber(n))?.id, second);
      await assert.rejects(store.create(sessionRow(uid(), n), started(n), repUserId), isUniqueViolation);
    });

    test('Kv.getOrInit: racing callers (two nodes) all get the same stored value', async () => {
      const other = await tdb.open();
      extra.push(other);
      const kvs = [new Kv(opened.db), new Kv(other.db)];
      const made: string[] = [];
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          kvs[i % 2]!.getOrInit('race-secret', () => {
            const v = `value-${i}-${uid()}`;
            made.push(v);
            return v;
          }),
        ),
      );
      const stored = await kvs[0]!.get('race-secret');
      assert.ok(stored !== undefined && made.includes(stored), 'one of the made values is stored');
      assert.deepEqual(new Set(results), new Set([stored]), 'everyone agrees on it');
      assert.equal(await kvs[1]!.getOrInit('race-secret', () => 'later'), stored, 'an existing value is never replaced');
    });

    test('UserStore: e-mail addresses are case-insensitive', async () => {
      const users = new UserStore(opened.db);
      const id = await newUser('Mixed.Case@Example.TEST');
      assert.equal((await users.byEmail('mixed.case@example.test'))?.id, id);
      assert.equal((await users.byEmail('MIXED.CASE@EXAMPLE.TEST'))?.id, id);
      assert.equal((await users.byId(id))?.email, 'mixed.case@example.test', 'stored in lower case');
      await assert.rejects(newUser('mixed.case@EXAMPLE.test'), isUniqueViolation, 'the same address in other case is taken');
      await users.update(id, { email: 'New.Address@Example.TEST' });
      assert.equal((await users.byEmail('new.address@example.test'))?.id, id);
      assert.equal(await users.byEmail('mixed.case@example.test'), undefined);
    });
  });
}

contract('SQLite', sqliteDb);
contract('PostgreSQL', postgresDb, process.env.TEST_DATABASE_URL ? false : 'TEST_DATABASE_URL not set');
