import type { SessionEngine } from './engine.js';

/**
 * CUS-2: a consent request expires 60 s after it was made. The node that
 * appended the request arms a timer; if that node goes away the request is
 * still refused after expiry (rules check the time), only the "expired"
 * event is then not written.
 */
export function armConsentTimers(engine: SessionEngine, clock: () => number = Date.now): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const off = engine.onAppended((sessionId, envelopes) => {
    for (const env of envelopes) {
      if (env.event.type !== 'consent.requested') continue;
      const { requestId, expiresAt } = env.event;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void engine
          .transact(sessionId, (view) => {
            const c = view.consents[requestId];
            return c?.state === 'pending' ? [{ type: 'consent.closed', requestId, reason: 'expired' }] : [];
          })
          .catch(() => undefined);
      }, Math.max(0, Date.parse(expiresAt) - clock()));
      timer.unref();
      timers.add(timer);
    }
  });
  return () => {
    off();
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
}
