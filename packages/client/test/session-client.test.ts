import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLOSE_CODES, type ServerMessage, type SessionEventEnvelope } from '@rs/protocol';
import { SessionClient, type SocketLike } from '../src/index.js';

/** An in-memory socket the test drives: it records what the client sent and delivers what the test says. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code = 1000, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  deliver(msg: ServerMessage) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

const started: SessionEventEnvelope = {
  seq: 1,
  at: '2026-01-01T00:00:00.000Z',
  event: { type: 'session.started', number: '123456789', primary: { id: 'p1', kind: 'rep', role: 'primary', name: 'Rita' } },
};
const chat = (seq: number, text: string): SessionEventEnvelope => ({
  seq,
  at: '2026-01-01T00:00:01.000Z',
  event: { type: 'chat.message', messageId: `m${seq}`, from: 'p1', text },
});

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: (() => void)[] = [];
  const client = new SessionClient({
    url: 'ws://test/ws',
    sessionId: 's1',
    token: 'p1.token-token',
    socket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    random: () => 0.5,
  });
  // Timers are captured so the test decides when the backoff elapses.
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((fn: () => void) => {
    timers.push(fn);
    return 0 as unknown as ReturnType<typeof setTimeout>;
  }) as typeof setTimeout;
  return { client, sockets, timers, restore: () => (globalThis.setTimeout = realSetTimeout) };
}

test('after a drop the client reconnects and asks only for what it missed', () => {
  const h = harness();
  try {
    h.client.connect();
    const first = h.sockets[0]!;
    first.open();
    assert.equal(first.sent[0]?.type, 'hello');
    assert.equal(first.sent[0]?.lastSeq, 0);
    first.deliver({ type: 'welcome', protocolVersion: 1, sessionId: 's1', participantId: 'p1', serverTime: 'now', iceServers: [] });
    first.deliver({ type: 'history', reset: true, events: [started, chat(2, 'a')] });
    assert.equal(h.client.view?.lastSeq, 2);

    first.close(1006, 'network');
    assert.equal(h.client.connection.state, 'reconnecting');
    assert.equal(h.timers.length, 1);
    h.timers.shift()!();
    const second = h.sockets[1]!;
    second.open();
    assert.equal(second.sent[0]?.lastSeq, 2, 'resumes from the last folded seq');
    second.deliver({ type: 'welcome', protocolVersion: 1, sessionId: 's1', participantId: 'p1', serverTime: 'now', iceServers: [] });
    second.deliver({ type: 'history', reset: false, events: [chat(2, 'a'), chat(3, 'b')] });
    assert.deepEqual(h.client.view?.chat.map((m) => m.text), ['a', 'b'], 'no duplicate of what it had');
  } finally {
    h.restore();
  }
});

test('an intent pending when the connection drops is rejected, not silently lost', async () => {
  const h = harness();
  try {
    h.client.connect();
    const s = h.sockets[0]!;
    s.open();
    s.deliver({ type: 'welcome', protocolVersion: 1, sessionId: 's1', participantId: 'p1', serverTime: 'now', iceServers: [] });
    const pending = h.client.sendChat('hello');
    s.close(1006, 'network');
    await assert.rejects(pending, (e: { code?: string }) => e.code === 'RS_ERR_DISCONNECTED');
    await assert.rejects(h.client.sendChat('while away'), (e: { code?: string }) => e.code === 'RS_ERR_DISCONNECTED');
  } finally {
    h.restore();
  }
});

test('a final close code (session ended) stops reconnecting', () => {
  const h = harness();
  try {
    h.client.connect();
    h.sockets[0]!.open();
    h.sockets[0]!.close(CLOSE_CODES.SESSION_ENDED, 'ended');
    assert.deepEqual(h.client.connection, { state: 'closed', code: CLOSE_CODES.SESSION_ENDED, reason: 'ended' });
    assert.equal(h.timers.length, 0);
  } finally {
    h.restore();
  }
});

test('an acknowledged intent resolves with the sequence number of its event; a refused one rejects with the code', async () => {
  const h = harness();
  try {
    h.client.connect();
    const s = h.sockets[0]!;
    s.open();
    s.deliver({ type: 'welcome', protocolVersion: 1, sessionId: 's1', participantId: 'p1', serverTime: 'now', iceServers: [] });
    const ok = h.client.sendChat('x');
    const rid = s.sent.at(-1)?.rid as string;
    s.deliver({ type: 'ack', rid, seq: 9 });
    assert.equal(await ok, 9);
    const bad = h.client.endSession();
    s.deliver({ type: 'error', rid: s.sent.at(-1)?.rid as string, code: 'RS_ERR_FORBIDDEN', message: 'no' });
    await assert.rejects(bad, (e: { code?: string }) => e.code === 'RS_ERR_FORBIDDEN');
  } finally {
    h.restore();
  }
});
