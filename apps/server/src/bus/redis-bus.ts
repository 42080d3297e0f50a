import { Redis } from 'ioredis';
import { SessionEventEnvelope, SignalPayload } from '@rs/protocol';
import { z } from 'zod';
import type { Bus, BusMessage } from './bus.js';

const Payload = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('events'), envelopes: z.array(SessionEventEnvelope) }),
  z.object({ kind: z.literal('signal'), activityId: z.string(), from: z.string(), to: z.string(), payload: SignalPayload }),
  z.object({ kind: z.literal('acd'), topic: z.enum(['agent', 'request', 'queue']), id: z.string() }),
]);
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
  const listeners = new Map<string, Set<(m: BusMessage) => void>>();

  sub.on('message', (channel: string, message: string) => {
    const sessionId = channel.slice('rs:session:'.length);
    const set = listeners.get(sessionId);
    if (!set) return;
    let parsed: BusMessage;
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
    async publish(sessionId, message) {
      await pub.publish(channelOf(sessionId), JSON.stringify(message));
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
