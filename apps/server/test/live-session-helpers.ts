/**
 * Helpers of the live-session tests (durability, grace period, scale-out):
 * starting a session with customers, and SessionClients whose raw frames are
 * recorded so that tests can check what the server really sent (the client
 * itself drops duplicates, which would hide a server bug). Not a test file.
 */
import assert from 'node:assert/strict';
import { SessionClient } from '@rs/client';
import type { ApiClient } from '@rs/client';
import { ServerMessage, type SessionEventEnvelope, type SessionView } from '@rs/protocol';
import WebSocket from 'ws';
import { waitForState, waitForView } from '../../../test/support/ws.js';

export interface Ticket {
  sessionId: string;
  number: string;
  participantId: string;
  token: string;
}

export interface Started {
  sessionId: string;
  number: string;
  ticket: Ticket;
}

/** One socket's worth of what the server sent. */
export interface Connection {
  /** Envelopes from history frames and live event frames, in arrival order. */
  envelopes: SessionEventEnvelope[];
  /** Indexes into `envelopes` where a history frame with reset: true began. */
  resetsAt: Set<number>;
  /** `reset` and seqs of each history frame. */
  histories: { reset: boolean; seqs: number[] }[];
}

export interface Tapped {
  client: SessionClient;
  /** One per socket the client opened (attempts that never got through included). */
  connections: Connection[];
}

/** A SessionClient over `ws` (not yet connected) that records every frame per socket. */
export function tappedClient(wsUrl: string, ticket: { sessionId: string; token: string }, opts: { minBackoffMs?: number; maxBackoffMs?: number } = {}): Tapped {
  const connections: Connection[] = [];
  const client = new SessionClient({
    url: wsUrl,
    sessionId: ticket.sessionId,
    token: ticket.token,
    minBackoffMs: opts.minBackoffMs ?? 50,
    maxBackoffMs: opts.maxBackoffMs ?? 1000,
    socket: (url) => {
      const conn: Connection = { envelopes: [], resetsAt: new Set(), histories: [] };
      connections.push(conn);
      const ws = new WebSocket(url);
      // Added before the client sets onmessage, so it records first.
      ws.addEventListener('message', (ev) => {
        const parsed = ServerMessage.safeParse(JSON.parse(String(ev.data)));
        if (!parsed.success) return;
        const msg = parsed.data;
        if (msg.type === 'history') {
          if (msg.reset) conn.resetsAt.add(conn.envelopes.length);
          conn.histories.push({ reset: msg.reset, seqs: msg.events.map((e) => e.seq) });
          conn.envelopes.push(...msg.events);
        } else if (msg.type === 'event') conn.envelopes.push(msg.envelope);
      });
      return ws as never;
    },
  });
  return { client, connections };
}

/**
 * Every envelope the server sent on one socket has a larger seq than the one
 * before (a reset history starts over): nothing twice, nothing out of order.
 */
export function assertNoDuplicates(conn: Connection, label: string): void {
  let last = 0;
  conn.envelopes.forEach((env, i) => {
    if (conn.resetsAt.has(i)) last = 0;
    assert.ok(env.seq > last, `${label}: seq ${env.seq} arrived after ${last} (duplicate or out of order)`);
    last = env.seq;
  });
}

export async function startSession(api: ApiClient): Promise<Started> {
  return api.post<Started>('/api/sessions', {});
}

/** A customer invited by e-mail (the rep's own mail program) who accepts: admitted at once. */
export async function inviteCustomer(baseUrl: string, api: ApiClient, sessionId: string, name = 'Carla Customer'): Promise<Ticket> {
  const inv = await api.post<{ link: string }>(`/api/sessions/${sessionId}/invitations`, {
    invitee: 'customer',
    email: 'carla@example.test',
    ownMailProgram: true,
  });
  const token = inv.link.split('/').at(-1)!;
  const res = await fetch(`${baseUrl}/api/invitations/${token}/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `accepting the invitation answered ${res.status}: ${text}`);
  return JSON.parse(text) as Ticket;
}

/** A customer who joins by number (on `baseUrl`, maybe another node) and waits to be admitted. */
export async function joinByNumber(baseUrl: string, number: string, name = 'Carla Customer'): Promise<Ticket> {
  const res = await fetch(`${baseUrl}/api/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ number, name }),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `joining answered ${res.status}: ${text}`);
  return JSON.parse(text) as Ticket;
}

/** Connects the client and waits until it is open and has folded its first history. */
export async function connected(client: SessionClient): Promise<SessionClient> {
  client.connect();
  await waitForState(client, 'open');
  await waitForView(client, () => true);
  return client;
}

export const chatTexts = (v: SessionView) => v.chat.map((m) => m.text);
