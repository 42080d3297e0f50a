import type { Bus, BusMessage } from './bus.js';

type Listener = (message: BusMessage) => void;

/** The single-node bus: delivery is a function call. */
export function createMemoryBus(): Bus {
  const listeners = new Map<string, Set<Listener>>();
  return {
    kind: 'memory',
    async publish(sessionId, message) {
      for (const l of listeners.get(sessionId) ?? []) {
        try {
          l(message);
        } catch {
          // A faulty subscriber must not stop delivery to the others.
        }
      }
    },
    async subscribe(sessionId, onEvents) {
      let set = listeners.get(sessionId);
      if (!set) listeners.set(sessionId, (set = new Set()));
      set.add(onEvents);
      return async () => {
        set.delete(onEvents);
        if (set.size === 0) listeners.delete(sessionId);
      };
    },
    async close() {
      listeners.clear();
    },
  };
}
