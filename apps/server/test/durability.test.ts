/**
 * Acknowledged chat and notes survive a crash (kill -9) of the server, the
 * clients reconnect by themselves and resume; and a client that drops its
 * connection receives exactly what it missed.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { RsError, type SessionView } from '@rs/protocol';
import { signIn } from '../../../test/support/http.js';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { waitForState, waitForView } from '../../../test/support/ws.js';
import { assertNoDuplicates, chatTexts, connected, inviteCustomer, startSession, tappedClient, type Tapped } from './live-session-helpers.js';

const running = new Set<RunningServer>();
const clients = new Set<Tapped>();
after(async () => {
  for (const t of clients) t.client.close();
  for (const s of running) await s.stop();
});

function track<T extends Tapped>(t: T): T {
  clients.add(t);
  return t;
}

test('acknowledged chat and notes survive kill -9; clients reconnect, resume, and nothing unacknowledged is sent', async () => {
  let server = await startServer();
  running.add(server);
  const { api } = await signIn(server.url);
  const started = await startSession(api);
  const rep = track(tappedClient(server.wsUrl, started.ticket));
  await connected(rep.client);
  const ticket = await inviteCustomer(server.url, api, started.sessionId);
  const customer = track(tappedClient(server.wsUrl, ticket));
  await connected(customer.client);
  await waitForView(rep.client, (v) => v.participants[ticket.participantId]?.connected === true);

  const N = 20;
  const acked: { text: string; seq: number }[] = [];
  for (let i = 0; i < N; i++) {
    const sender = i % 2 === 0 ? rep : customer;
    const text = `message ${i} from ${i % 2 === 0 ? 'rep' : 'customer'}`;
    const seq = await sender.client.sendChat(text);
    assert.equal(typeof seq, 'number', 'a chat acknowledgement carries the seq of the stored event');
    acked.push({ text, seq: seq! });
  }
  const notes = ['Customer cannot print.', 'Customer cannot print. Driver reinstalled.'];
  const notesSeqs: number[] = [];
  for (const n of notes) notesSeqs.push((await rep.client.saveNotes(n))!);
  const lastAcked = Math.max(...acked.map((a) => a.seq), ...notesSeqs);

  // Crash: no shutdown code runs on the server.
  const repAway = waitForState(rep.client, 'reconnecting');
  const customerAway = waitForState(customer.client, 'reconnecting');
  await server.kill9();
  running.delete(server);
  await Promise.all([repAway, customerAway]);

  // Sent while the server is down: rejected, never silently "sent".
  await assert.rejects(customer.client.sendChat('sent while the server is down'), (err: unknown) => {
    assert.ok(err instanceof RsError);
    assert.equal(err.code, 'RS_ERR_DISCONNECTED');
    return true;
  });
  await assert.rejects(rep.client.saveNotes('notes while the server is down'), (err: unknown) => err instanceof RsError && err.code === 'RS_ERR_DISCONNECTED');

  server = await server.restart();
  running.add(server);
  // The clients come back by themselves (SessionClient backoff), resuming from their last seq.
  await Promise.all([waitForState(rep.client, 'open', 15_000), waitForState(customer.client, 'open', 15_000)]);
  // Resumed: each folded what happened after the restart (the server marked both away at start,
  // then both connected again), not just its view from before the crash.
  const bothBack = (v: SessionView) =>
    v.lastSeq > lastAcked && v.participants[ticket.participantId]?.connected === true && v.participants[v.primaryId]?.connected === true;
  await waitForView(rep.client, bothBack);
  await waitForView(customer.client, bothBack);

  const expected = acked.map((a) => a.text);
  for (const [label, t] of [['rep', rep], ['customer', customer]] as const) {
    const v = t.client.view!;
    assert.ok(v.lastSeq >= lastAcked, `${label} view is behind the last acknowledged seq`);
    assert.deepEqual(chatTexts(v), expected, `${label} sees every acknowledged message once, in order`);
    assert.deepEqual(
      v.chat.map((m) => m.seq),
      acked.map((a) => a.seq),
      `${label}: each message has the seq it was acknowledged with`,
    );
    assert.equal(new Set(v.chat.map((m) => m.messageId)).size, v.chat.length, `${label}: no message twice`);
    assert.equal(v.status.state, 'open');
    // Two connections: before the crash and after; the second resumed (no reset) after what the first saw.
    // (Attempts while the server was down opened no connection and got nothing.)
    const served = t.connections.filter((c) => c.histories.length > 0);
    assert.equal(served.length, 2, `${label} was served twice: before the crash and after`);
    const [first, second] = served;
    assert.equal(second!.histories[0]?.reset, false, `${label} resumed instead of starting over`);
    const lastBefore = first!.envelopes.at(-1)!.seq;
    // Before the crash each had everything acknowledged that it may see (customers do not see notes).
    assert.ok(lastBefore >= (label === 'rep' ? lastAcked : acked.at(-1)!.seq), `${label} had all acknowledged events before the crash`);
    assert.ok((second!.histories[0]?.seqs[0] ?? Infinity) > lastBefore, `${label} got nothing again that it had`);
    for (const c of t.connections) assertNoDuplicates(c, label);
  }
  assert.deepEqual(
    rep.client.view!.notes.map((n) => n.text),
    notes,
    'the rep still has the saved notes',
  );
  assert.deepEqual(customer.client.view!.notes, [], 'notes stay rep-only after the restart');

  // A fresh rep connection folds from the store alone: the record itself has everything.
  const { ticket: fresh } = await api.get<{ ticket: { sessionId: string; token: string } }>(`/api/sessions/${started.sessionId}/ticket`);
  const second = track(tappedClient(server.wsUrl, fresh));
  await connected(second.client);
  assert.deepEqual(chatTexts(second.client.view!), expected);
  assert.deepEqual(second.client.view!.notes.map((n) => n.text), notes);
  for (const v of [rep.client.view!, customer.client.view!, second.client.view!]) {
    assert.ok(!chatTexts(v).includes('sent while the server is down'));
    assert.ok(!v.notes.some((n) => n.text === 'notes while the server is down'));
  }

  // And the session works on: chat after the restart reaches the other side.
  await customer.client.sendChat('after the restart');
  await waitForView(rep.client, (v) => chatTexts(v).at(-1) === 'after the restart');
});

test('a client that drops its connection while others chat receives exactly what it missed', async () => {
  const server = await startServer();
  running.add(server);
  const { api } = await signIn(server.url);
  const started = await startSession(api);
  const rep = track(tappedClient(server.wsUrl, started.ticket));
  await connected(rep.client);
  const t1 = await inviteCustomer(server.url, api, started.sessionId, 'Dana Dropper');
  const t2 = await inviteCustomer(server.url, api, started.sessionId, 'Cid Chatter');
  // The dropper waits a little before reconnecting, so that it really misses something.
  const dropper = track(tappedClient(server.wsUrl, t1, { minBackoffMs: 400 }));
  const other = track(tappedClient(server.wsUrl, t2));
  await connected(dropper.client);
  await connected(other.client);
  await rep.client.sendChat('before the drop');
  await waitForView(dropper.client, (v) => chatTexts(v).includes('before the drop') && v.participants[t2.participantId]?.connected === true);
  const seenBefore = dropper.client.view!.lastSeq;

  const away = waitForState(dropper.client, 'reconnecting');
  dropper.client.dropConnection();
  await away;
  const missed: string[] = [];
  for (let i = 0; i < 10; i++) {
    const text = `while away ${i}`;
    await (i % 2 === 0 ? rep : other).client.sendChat(text);
    missed.push(text);
  }
  const finalSeq = rep.client.view!.lastSeq;

  await waitForState(dropper.client, 'open');
  const v = await waitForView(dropper.client, (w) => w.lastSeq >= finalSeq && w.participants[t1.participantId]?.connected === true);
  assert.deepEqual(chatTexts(v), ['before the drop', ...missed]);
  assert.deepEqual(
    v.chat.map((m) => m.messageId),
    rep.client.view!.chat.map((m) => m.messageId),
    'the same messages in the same order as the rep',
  );

  assert.equal(dropper.connections.length, 2);
  const [first, second] = dropper.connections;
  assert.equal(first!.envelopes.at(-1)!.seq, seenBefore);
  assert.equal(second!.histories[0]?.reset, false, 'it resumed from its last seq');
  // Everything after what it had, each seq exactly once, none skipped (all of it is visible to a customer).
  const seqs = second!.envelopes.map((e) => e.seq);
  const last = seqs.at(-1)!;
  assert.deepEqual(
    seqs,
    Array.from({ length: last - seenBefore }, (_, i) => seenBefore + 1 + i),
    'contiguous sequence numbers after the drop, no duplicates',
  );
  const missedReceived = second!.envelopes.flatMap((e) => (e.event.type === 'chat.message' ? [e.event.text] : []));
  assert.deepEqual(missedReceived, missed, 'exactly the missed messages, once each');
  for (const c of dropper.connections) assertNoDuplicates(c, 'dropper');
});
