import type { SessionEngine } from './engine.js';
import type { SessionStore } from './store.js';

/**
 * S-6: ends sessions whose primary rep has been gone longer than the grace
 * period. It works from the `sessions` table, so any node can do it, after a
 * restart too; the decision is re-checked inside the transaction, so two
 * nodes sweeping at once end a session once.
 */
export function startSweeper(opts: {
  engine: SessionEngine;
  store: SessionStore;
  graceSeconds: () => Promise<number>;
  intervalMs: number;
  clock?: () => number;
}): { stop(): void; sweepOnce(): Promise<number> } {
  const clock = opts.clock ?? Date.now;
  async function sweepOnce(): Promise<number> {
    const graceMs = (await opts.graceSeconds()) * 1000;
    const cutoff = new Date(clock() - graceMs).toISOString();
    let ended = 0;
    for (const id of await opts.store.primaryAwaySince(cutoff)) {
      const { envelopes } = await opts.engine.transact(id, (view) => {
        const primary = view.participants[view.primaryId];
        if (view.status.state === 'ended' || !primary || primary.connected) return [];
        const awaySince = primary.disconnectedAt ?? view.startedAt;
        if (awaySince >= cutoff) return [];
        return [{ type: 'session.ended', reason: 'primary_timeout' }];
      });
      ended += envelopes.length;
    }
    return ended;
  }
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepOnce()
      .catch(() => undefined)
      .finally(() => {
        running = false;
      });
  }, opts.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), sweepOnce };
}
