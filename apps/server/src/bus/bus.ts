import type { SessionEventEnvelope, SignalPayload } from '@rs/protocol';

/**
 * What travels between server nodes about one session: "these events were
 * committed" (a hint; subscribers read the store to fill gaps) and WebRTC
 * signaling for one participant (ephemeral; never stored).
 */
export type BusMessage =
  | { kind: 'events'; envelopes: SessionEventEnvelope[] }
  | { kind: 'signal'; activityId: string; from: string; to: string; payload: SignalPayload }
  /** WebACD: "this agent / request / queue changed"; receivers read the store for what. Channel `acd:<topic>:<id>`. */
  | { kind: 'acd'; topic: AcdTopic; id: string };

export type AcdTopic = 'agent' | 'request' | 'queue';
export const acdChannel = (topic: AcdTopic, id: string) => `acd:${topic}:${id}`;

/**
 * Fans session messages out to every server node. A node subscribes to a
 * session while it holds sockets of that session. Delivery may reorder
 * events from different nodes; subscribers fill gaps from the store.
 */
export interface Bus {
  publish(sessionId: string, message: BusMessage): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(sessionId: string, onMessage: (message: BusMessage) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  readonly kind: 'memory' | 'redis';
}
