import type { SessionTicket } from '@rs/protocol';

/**
 * A customer's session ticket lives in this tab's sessionStorage: a reload
 * keeps the person in the session, another tab or person does not get in.
 */
const key = (sessionId: string) => `rs.ticket.${sessionId}`;

export function saveTicket(t: SessionTicket): void {
  sessionStorage.setItem(key(t.sessionId), JSON.stringify(t));
}

export function loadTicket(sessionId: string): SessionTicket | null {
  const raw = sessionStorage.getItem(key(sessionId));
  if (!raw) return null;
  try {
    return JSON.parse(raw) as SessionTicket;
  } catch {
    return null;
  }
}
