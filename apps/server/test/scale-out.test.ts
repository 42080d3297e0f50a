/**
 * Two server nodes sharing one PostgreSQL database and Redis: people on
 * either node are in the same session and see the same thing. Runs when
 * TEST_DATABASE_URL and TEST_REDIS_URL are set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SessionView } from '@rs/protocol';
import { createRep, signIn } from '../../../test/support/http.js';
import { freshPgDatabase, type FreshPgDatabase } from '../../../test/support/pg.js';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { waitForView } from '../../../test/support/ws.js';
import { assertNoDuplicates, chatTexts, connected, joinByNumber, startSession, tappedClient, type Tapped, type Ticket } from './live-session-helpers.js';

const DB = process.env.TEST_DATABASE_URL;
const REDIS = process.env.TEST_REDIS_URL;
const skip = !DB ? 'TEST_DATABASE_URL not set' : !REDIS ? 'TEST_REDIS_URL not set' : false;

describe('scale-out: two nodes, one PostgreSQL, one Redis', { skip }, () => {
  let db: FreshPgDatabase;
  let nodeA: RunningServer;
  let nodeB: RunningServer;
  const clients: Tapped[] = [];

  before(async () => {
    db = await freshPgDatabase(DB!);
    const env = { DATABASE_URL: db.url, REDIS_URL: REDIS! };
    // One after the other: the first creates the schema and the admin; the second finds them.
    nodeA = await startServer({ env });
    nodeB = await startServer({ env });
  });
  after(async () => {
    for (const c of clients) c.client.close();
    await nodeA?.stop();
    await nodeB?.stop();
    await db?.drop();
  });

  function client(node: RunningServer, ticket: { sessionId: string; token: string }): Tapped {
    const t = tappedClient(node.wsUrl, ticket);
    clients.push(t);
    return t;
  }

  /** Waits until every client's view has caught up with `lastSeq`. */
  async function allAt(cs: Tapped[], lastSeq: number): Promise<SessionView[]> {
    return Promise.all(cs.map((c) => waitForView(c.client, (v) => v.lastSeq >= lastSeq, 15_000)));
  }

  test('both nodes serve the same site: one database, Redis bus, one admin', async () => {
    for (const node of [nodeA, nodeB]) {
      const health = (await (await fetch(`${node.url}/healthz`)).json()) as { ok: boolean; database: string; bus: string };
      assert.deepEqual(health, { ok: true, database: 'postgres', bus: 'redis' });
    }
    // The admin created by node A signs in on node B; B did not print a setup link or fail on a second admin.
    const { api } = await signIn(nodeB.url);
    const { users } = await api.get<{ users: { email: string }[] }>('/api/users');
    assert.equal(users.filter((u) => u.email === 'admin@example.test').length, 1);
    assert.ok(!nodeB.output().includes('/setup?token='));
  });

  test('a session spans both nodes: join on B, admit on A, chat both ways, assist on B, transfer control; everyone agrees', async () => {
    const { api: adminApi } = await signIn(nodeA.url);
    const started = await startSession(adminApi);
    const rep1 = client(nodeA, started.ticket);
    await connected(rep1.client);

    // The customer joins by number on node B and connects there.
    const custTicket: Ticket = await joinByNumber(nodeB.url, started.number, 'Nora Node-B');
    const customer = client(nodeB, custTicket);
    await connected(customer.client);
    await waitForView(rep1.client, (v) => v.participants[custTicket.participantId]?.status === 'waiting' && v.participants[custTicket.participantId]?.connected === true);
    await rep1.client.admit(custTicket.participantId);
    await waitForView(customer.client, (v) => v.participants[custTicket.participantId]?.status === 'admitted');

    await rep1.client.sendChat('Hello from node A');
    await waitForView(customer.client, (v) => chatTexts(v).includes('Hello from node A'));
    await customer.client.sendChat('Hello from node B');
    await waitForView(rep1.client, (v) => chatTexts(v).includes('Hello from node B'));

    // A second rep, signed in on node B, assists by number; the primary on A hands over control.
    const rep2User = await createRep(nodeB.url, adminApi, 'Bob Node-B');
    const assist = await rep2User.api.post<{ ticket: Ticket }>('/api/sessions/assist', { number: started.number });
    const rep2 = client(nodeB, assist.ticket);
    await connected(rep2.client);
    await waitForView(rep1.client, (v) => v.participants[assist.ticket.participantId]?.connected === true);
    await rep1.client.transferControl(assist.ticket.participantId);
    await rep2.client.sendChat('I have control now');

    const everyone = [rep1, customer, rep2];
    const lastSeq = rep1.client.view!.lastSeq;
    await Promise.all(everyone.map((c) => waitForView(c.client, (v) => chatTexts(v).includes('I have control now') && v.primaryId === assist.ticket.participantId, 15_000)));
    const views = await allAt(everyone, lastSeq);
    for (const v of views) {
      assert.equal(v.lastSeq, views[0]!.lastSeq, 'the same lastSeq everywhere');
      assert.equal(v.primaryId, assist.ticket.participantId, 'the second rep is primary everywhere');
      assert.deepEqual(chatTexts(v), ['Hello from node A', 'Hello from node B', 'I have control now']);
      assert.deepEqual(
        v.chat.map((m) => m.messageId),
        views[0]!.chat.map((m) => m.messageId),
      );
      assert.equal(v.participants[started.ticket.participantId]?.role, 'assistant');
    }
    for (const c of everyone) for (const conn of c.connections) assertNoDuplicates(conn, 'view');

    // Many messages at once from both nodes: two sockets on A (the first rep in two tabs), two on B.
    const { ticket: rep1Tab2Ticket } = await adminApi.get<{ ticket: Ticket }>(`/api/sessions/${started.sessionId}/ticket`);
    const rep1Tab2 = client(nodeA, rep1Tab2Ticket);
    await connected(rep1Tab2.client);
    const PER_SOCKET = 25; // 50 per node; under the per-socket limit of 50 messages a second.
    const senders = [
      { name: 'A1', c: rep1 },
      { name: 'A2', c: rep1Tab2 },
      { name: 'B1', c: customer },
      { name: 'B2', c: rep2 },
    ];
    const sends: Promise<number | undefined>[] = [];
    for (let i = 0; i < PER_SOCKET; i++) for (const s of senders) sends.push(s.c.client.sendChat(`${s.name}-${i}`));
    const acks = await Promise.all(sends);
    const burstLast = Math.max(...acks.map((s) => s ?? 0));
    const all = [...everyone, rep1Tab2];
    const after = await allAt(all, burstLast);
    const expectedBurst = senders.flatMap((s) => Array.from({ length: PER_SOCKET }, (_, i) => `${s.name}-${i}`));
    for (const [i, v] of after.entries()) {
      const burst = chatTexts(v).filter((t) => /^[AB][12]-\d+$/.test(t));
      assert.equal(burst.length, expectedBurst.length, `client ${i}: every message arrived, none twice`);
      assert.deepEqual([...burst].sort(), [...expectedBurst].sort());
      for (const s of senders) {
        assert.deepEqual(
          burst.filter((t) => t.startsWith(`${s.name}-`)),
          Array.from({ length: PER_SOCKET }, (_, k) => `${s.name}-${k}`),
          `client ${i}: ${s.name}'s messages in the order they were sent`,
        );
      }
      assert.deepEqual(
        v.chat.map((m) => m.messageId),
        after[0]!.chat.map((m) => m.messageId),
        `client ${i}: the same order as everyone else`,
      );
      const seqs = v.chat.map((m) => m.seq);
      assert.ok(
        seqs.every((s, k) => k === 0 || s > seqs[k - 1]!),
        'chat seqs increase',
      );
      assert.equal(v.lastSeq, after[0]!.lastSeq);
    }
    assert.deepEqual(
      acks.slice().sort((x, y) => x! - y!),
      after[0]!.chat.slice(-acks.length).map((m) => m.seq),
      'each acknowledgement names the seq its message has',
    );
    for (const c of all) for (const conn of c.connections) assertNoDuplicates(conn, 'burst');
  });
});
