import client from 'prom-client';
import { z } from 'zod';
import { sql } from 'kysely';
import type { AppContext } from '../../context.js';
import { defineRoute } from '../../http/route.js';

export function registerHealthRoutes(ctx: AppContext, extra: { liveSessions(): number; eventsAppended(): number }): void {
  const { app, metrics } = ctx;
  defineRoute(app, ctx, {
    method: 'GET',
    url: '/healthz',
    summary: 'Liveness and readiness: the database answers',
    tag: 'health',
    auth: 'none',
    response: z.object({ ok: z.boolean(), database: z.string(), bus: z.string() }),
    handler: async ({ reply }) => {
      try {
        await sql`select 1`.execute(ctx.db);
        return { ok: true, database: ctx.dialect, bus: ctx.bus.kind };
      } catch {
        reply.code(503);
        return { ok: false, database: ctx.dialect, bus: ctx.bus.kind };
      }
    },
  });

  new client.Gauge({
    name: 'rs_live_sessions',
    help: 'Sessions with sockets on this node',
    registers: [metrics.registry],
    collect() {
      this.set(extra.liveSessions());
    },
  });
  new client.Gauge({
    name: 'rs_session_events_appended',
    help: 'Session events this node has appended since it started',
    registers: [metrics.registry],
    collect() {
      this.set(extra.eventsAppended());
    },
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/metrics',
    summary: 'Prometheus metrics (text format)',
    tag: 'health',
    auth: 'none',
    response: null,
    handler: async ({ reply }) => {
      reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  });
}
