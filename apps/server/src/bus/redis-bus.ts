import { Redis } from 'ioredis';
import { SessionEventEnvelope } from '@rs/protocol';
import { z } from 'zod';
import type { Bus } from './bus.js';

const Payload = z.array(SessionEventEnvelope);
const channelOf = (sessionId: string) => `rs:session:${sessionId}`;

/**
 * Redis pub/sub bus: one channel per session, so a node receives only the
 * sessions it serves. Redis keeps nothing: the store is the record, the bus
 * only says "look, something new".
 */
export async function createRedisBus(url: string): Promise<Bus> {
  const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const sub = new Redis(url, { lazyConnect: true });
  await Promise.all([pub.connect(), sub.connect()]);
  const listeners = new Map<string, Set<(e: SessionEventEnvelope[]) => void>>();

  sub.on('message', (channel: string, message: string) => {
    const sessionId = channel.slice('rs:session:'.length);
    const set = listeners.get(sessionId);
    if (!set) return;
    let parsed: SessionEventEnvelope[];
    try {
      parsed = Payload.parse(JSON.parse(message));
    } catch {
      return; // Not ours or corrupt: the store is the record, nothing is lost.
    }
    for (const l of set) {
      try {
        l(parsed);
      } catch {
        // isolate subscribers
      }
    }
  });

  return {
    kind: 'redis',
    async publish(sessionId, envelopes) {
      await pub.publish(channelOf(sessionId), JSON.stringify(envelopes));
    },
    async subscribe(sessionId, onEvents) {
      let set = listeners.get(sessionId);
      if (!set) {
        listeners.set(sessionId, (set = new Set()));
        await sub.subscribe(channelOf(sessionId));
      }
      set.add(onEvents);
      return async () => {
        set.delete(onEvents);
        if (set.size === 0 && listeners.get(sessionId) === set) {
          listeners.delete(sessionId);
          await sub.unsubscribe(channelOf(sessionId));
        }
      };
    },
    async close() {
      listeners.clear();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
