import { SessionClient } from '@rs/client';
import WebSocket from 'ws';

/** A SessionClient for Node over the `ws` package. */
export function sessionClient(wsUrl: string, ticket: { sessionId: string; token: string }, opts: { minBackoffMs?: number } = {}) {
  return new SessionClient({
    url: wsUrl,
    sessionId: ticket.sessionId,
    token: ticket.token,
    socket: (url) => new WebSocket(url) as never,
    minBackoffMs: opts.minBackoffMs ?? 50,
    maxBackoffMs: 1000,
  });
}

/** Resolves when `predicate` holds for the client's view; rejects after `timeoutMs` with what it saw. */
export function waitForView(client: SessionClient, predicate: (v: NonNullable<SessionClient['view']>) => boolean, timeoutMs = 10_000) {
  return new Promise<NonNullable<SessionClient['view']>>((resolve, reject) => {
    if (client.view && predicate(client.view)) return resolve(client.view);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`view condition not met in ${timeoutMs} ms; last view: ${JSON.stringify(client.view)?.slice(0, 2000)}`));
    }, timeoutMs);
    const off = client.on('view', (v) => {
      if (predicate(v)) {
        clearTimeout(timer);
        off();
        resolve(v);
      }
    });
  });
}

export function waitForState(client: SessionClient, state: SessionClient['connection']['state'], timeoutMs = 10_000) {
  return new Promise<SessionClient['connection']>((resolve, reject) => {
    if (client.connection.state === state) return resolve(client.connection);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`connection did not reach ${state} in ${timeoutMs} ms (now ${JSON.stringify(client.connection)})`));
    }, timeoutMs);
    const off = client.on('state', (s) => {
      if (s.state === state) {
        clearTimeout(timer);
        off();
        resolve(s);
      }
    });
  });
}
