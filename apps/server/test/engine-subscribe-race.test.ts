/**
 * Regression: a socket that subscribes to a session while the last other
 * socket of that session on this node unsubscribes (a reload, a second tab
 * closing) must still hear the session's events. It used to be left attached
 * to a dropped entry and heard nothing more.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createMemoryBus } from '../src/bus/memory-bus.js';
import { openDatabase } from '../src/db/database.js';
import { SessionEngine } from '../src/modules/sessions/engine.js';
import { SessionStore } from '../src/modules/sessions/store.js';

test('subscribing while the last listener unsubscribes: the new listener still hears every event', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-engine-'));
  const opened = await openDatabase({ databaseUrl: null, dataDir });
  await opened.db
    .insertInto('users')
    .values({ id: 'u1', email: 'rep@example.test', name: 'Rep', password_hash: 'x', is_admin: 0, is_rep: 1, is_agent: 0, disabled: 0, created_at: new Date().toISOString() })
    .execute();
  // A store whose reads can be held, to widen the window a database round trip leaves.
  let hold: Promise<void> | null = null;
  class HeldStore extends SessionStore {
    override async eventsAfter(sessionId: string, afterSeq: number) {
      if (hold) await hold;
      return super.eventsAfter(sessionId, afterSeq);
    }
  }
  const engine = new SessionEngine(new HeldStore(opened.db), createMemoryBus());
  try {
    const { sessionId, primaryId } = await engine.create({ kind: 'rep', name: 'Rep', userId: 'u1' });
    const oldSocket = await engine.subscribe(sessionId, () => undefined);

    let release!: () => void;
    hold = new Promise((r) => (release = r));
    const heard: number[] = [];
    const newSocket = engine.subscribe(sessionId, (env) => heard.push(env.seq)); // catching up, held
    await new Promise((r) => setImmediate(r));
    const closing = oldSocket.unsubscribe(); // the old socket closes meanwhile
    hold = null;
    release();
    await Promise.all([newSocket, closing]);

    await engine.transact(sessionId, () => [{ type: 'chat.message', messageId: 'm1', from: primaryId, text: 'still there?' }]);
    assert.deepEqual(heard, [2], 'the new listener heard the chat message');
    assert.equal(engine.liveSessionCount(), 1);
    await (await newSocket).unsubscribe();
    assert.equal(engine.liveSessionCount(), 0, 'the last unsubscribe still frees the session');
  } finally {
    await opened.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
