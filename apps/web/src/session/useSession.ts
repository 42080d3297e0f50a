import { useEffect, useState } from 'react';
import { SessionClient, type ConnectionState } from '@rs/client';
import type { SessionTicket, SessionView } from '@rs/protocol';
import { wsUrl } from '../app/api.js';

export interface LiveSession {
  client: SessionClient | null;
  view: SessionView | null;
  connection: ConnectionState;
  me: string | null;
}

/** Connects to a session with a ticket and re-renders on every view or connection change. */
export function useSession(ticket: SessionTicket | null): LiveSession {
  const [client, setClient] = useState<SessionClient | null>(null);
  const [view, setView] = useState<SessionView | null>(null);
  const [connection, setConnection] = useState<ConnectionState>({ state: 'connecting' });
  useEffect(() => {
    if (!ticket) return;
    const c = new SessionClient({ url: wsUrl(), sessionId: ticket.sessionId, token: ticket.token });
    const offs = [c.on('view', setView), c.on('state', setConnection)];
    setClient(c);
    c.connect();
    // Expose the client to end-to-end tests and to people debugging from the console.
    (window as unknown as { __rsSession?: SessionClient }).__rsSession = c;
    return () => {
      offs.forEach((off) => off());
      c.close();
    };
  }, [ticket?.sessionId, ticket?.token]);
  return { client, view, connection, me: ticket?.participantId ?? null };
}
