/**
 * Helpers of durability.test.ts (not a test file itself).
 *
 * NOTE: reconstructed from how durability.test.ts uses them, after this file
 * was overwritten by mistake by a parallel session (the API-test helpers now
 * live in api-helpers.ts). The author of durability.test.ts may replace it.
 */
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { SessionClient } from '@rs/client';
import type { ApiClient } from '@rs/client';
import type { SessionEventEnvelope, SessionTicket, SessionView } from '@rs/protocol';
import { waitForState, waitForView } from '../../../test/support/ws.js';

export interface Started {
  sessionId: string;
  number: string;
  joinUrl: string;
  ticket: SessionTicket;
}

export function startSession(api: ApiClient): Promise<Started> {
  return api.post<Started>('/api/sessions', {});
}

/** What one socket of a client received. */
export interface TappedConnection {
  histories: { reset: boolean; seqs: number[] }[];
  /** Every envelope received on this socket, from histories and live events, in arrival order. */
  envelopes: SessionEventEnvelope[];
}

export interface Tapped {
  client: SessionClient;
  /** One entry per socket the client opened (attempts that never got through included). */
  connections: TappedConnection[];
}

/** A connected SessionClient whose sockets record everything the server sent them. */
export function tappedClient(wsUrl: string, ticket: { sessionId: string; token: string }, opts: { minBackoffMs?: number } = {}): Tapped {
  const connections: TappedConnection[] = [];
  const client = new SessionClient({
    url: wsUrl,
    sessionId: ticket.sessionId,
    token: ticket.token,
    minBackoffMs: opts.minBackoffMs ?? 50,
    maxBackoffMs: 1000,
    socket: (url) => {
      const ws = new WebSocket(url);
      const conn: TappedConnection = { histories: [], envelopes: [] };
      connections.push(conn);
      ws.on('message', (data) => {
        let msg: { type?: string; reset?: boolean; events?: SessionEventEnvelope[]; envelope?: SessionEventEnvelope };
        try {
          msg = JSON.parse(String(data)) as typeof msg;
        } catch {
          return;
        }
        if (msg.type === 'history' && msg.events) {
          conn.histories.push({ reset: msg.reset === true, seqs: msg.events.map((e) => e.seq) });
          conn.envelopes.push(...msg.events);
        } else if (msg.type === 'event' && msg.envelope) {
          conn.envelopes.push(msg.envelope);
        }
      });
      return ws as never;
    },
  });
  client.connect();
  return { client, connections };
}

/** Waits until the client is open and has folded its first history. */
export async function connected(client: SessionClient): Promise<SessionView> {
  await waitForState(client, 'open');
  return waitForView(client, () => true);
}

/** A rep invites a customer by e-mail (recorded only) and the customer accepts with a name. */
export async function inviteCustomer(baseUrl: string, api: ApiClient, sessionId: string, name = 'Ivy Invited'): Promise<SessionTicket> {
  const invite = await api.post<{ link: string }>(`/api/sessions/${sessionId}/invitations`, {
    invitee: 'customer',
    email: `customer${Date.now()}@example.test`,
    ownMailProgram: true,
  });
  const token = invite.link.split('/').at(-1)!;
  const res = await fetch(`${baseUrl}/api/invitations/${token}/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as SessionTicket;
}

export function chatTexts(view: SessionView): string[] {
  return view.chat.map((m) => m.text);
}

/** No sequence number arrived twice on one socket. */
export function assertNoDuplicates(conn: TappedConnection, label: string): void {
  const seqs = conn.envelopes.map((e) => e.seq);
  assert.equal(new Set(seqs).size, seqs.length, `${label}: an event arrived twice on one connection (${seqs.join(',')})`);
}
