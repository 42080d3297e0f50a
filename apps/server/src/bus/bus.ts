import type { SessionEventEnvelope } from '@rs/protocol';

/**
 * Fans committed session events out to every server node. A node subscribes
 * to a session while it holds sockets of that session. Delivery may reorder
 * events from different nodes; subscribers fill gaps from the store.
 */
export interface Bus {
  publish(sessionId: string, envelopes: SessionEventEnvelope[]): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(sessionId: string, onEvents: (envelopes: SessionEventEnvelope[]) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  readonly kind: 'memory' | 'redis';
}
