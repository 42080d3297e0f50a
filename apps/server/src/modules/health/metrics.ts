import client from 'prom-client';

/** Prometheus metrics of one node; default process metrics included. */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'rs_' });
  return {
    registry,
    wsConnections: new client.Gauge({ name: 'rs_ws_connections', help: 'Open session sockets on this node', registers: [registry] }),
    wsMessages: new client.Counter({
      name: 'rs_ws_messages_total',
      help: 'Session socket messages by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    httpRequests: new client.Counter({
      name: 'rs_http_requests_total',
      help: 'HTTP requests by status class',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
