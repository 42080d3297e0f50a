import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  AcceptedOffer,
  AgentState,
  HelpRequestBody,
  Id,
  LeftMessage,
  Queue,
  QueueInput,
  QueuePublicInfo,
  QueueReport,
  QueueReportQuery,
  QueueSlug,
  RsError,
  SetAgentBody,
  TransferSessionBody,
  TransferTargets,
  WaitingState,
  WaitingTicket,
} from '@rs/protocol';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineRoute } from '../../http/route.js';
import { RateLimiter } from '../../http/rate-limit.js';
import { queueReport, queueReportCsv } from './report.js';
import type { AcdService } from './service.js';

const Ok = z.object({ ok: z.literal(true) });
const TokenBody = z.object({ token: z.string().min(10).max(200) });

/**
 * ACD-1: pages of other sites may read a queue's public info (the embed
 * script does) only when the site admin listed their origin. Our own pages
 * send no Origin on GET or the same one.
 */
export async function checkEmbedOrigin(ctx: AppContext, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const origin = req.headers.origin;
  if (!origin || origin === new URL(ctx.config.publicUrl).origin || sameHost(origin, req.headers.host)) return;
  const { acdAllowedOrigins } = await ctx.settings.get();
  if (!acdAllowedOrigins.includes(origin)) {
    throw RsError.forbidden(`The site ${origin} is not allowed to offer this help queue. An admin can add it in Site settings.`);
  }
  reply.header('access-control-allow-origin', origin).header('vary', 'origin');
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function registerAcdRoutes(ctx: AppContext, acd: AcdService): void {
  const { app } = ctx;
  const requestLimiter = new RateLimiter(ctx.config.joinPerMinute, 60_000);

  // ---- public: entry form, waiting (ACD-1, ACD-5)

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/acd/queues/:slug/public',
    summary: "A help queue's entry form text and whether it is open now (ACD-1); other sites need an allowed origin",
    tag: 'acd',
    auth: 'none',
    params: z.object({ slug: QueueSlug }),
    response: QueuePublicInfo,
    handler: async ({ params, req, reply }) => {
      await checkEmbedOrigin(ctx, req, reply);
      return acd.publicInfo(params.slug);
    },
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/acd/queues/:slug/requests',
    summary: 'Get help: enter the queue (ACD-1); answers the waiting ticket',
    tag: 'acd',
    auth: 'none',
    params: z.object({ slug: QueueSlug }),
    body: HelpRequestBody,
    response: WaitingTicket,
    handler: async ({ params, body, req, reply }) => {
      const wait = requestLimiter.hit(req.ip);
      if (wait > 0) throw RsError.rateLimited(wait);
      reply.code(201);
      return acd.enqueue(params.slug, body);
    },
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/acd/queues/:slug/messages',
    summary: 'Leave a message (outside business hours, ACD-5); mailed to the queue agents when SMTP is configured',
    tag: 'acd',
    auth: 'none',
    params: z.object({ slug: QueueSlug }),
    body: HelpRequestBody,
    response: z.object({ id: Id }),
    handler: async ({ params, body, req, reply }) => {
      const wait = requestLimiter.hit(req.ip);
      if (wait > 0) throw RsError.rateLimited(wait);
      reply.code(201);
      return acd.leaveMessage(params.slug, body);
    },
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/acd/requests/:requestId',
    summary: "A waiting person's place in the queue (also pushed on /ws/acd)",
    tag: 'acd',
    auth: 'none',
    params: z.object({ requestId: Id }),
    query: TokenBody,
    response: WaitingState,
    handler: async ({ params, query }) => {
      acd.checkWaitingToken(params.requestId, query.token);
      return acd.waitingState(params.requestId);
    },
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/acd/requests/:requestId/leave',
    summary: 'Leave queue (recorded as abandoned)',
    tag: 'acd',
    auth: 'none',
    params: z.object({ requestId: Id }),
    body: TokenBody,
    response: WaitingState,
    handler: async ({ params, body }) => acd.leave(params.requestId, body.token),
  });

  // ---- agents (ACD-2, ACD-3)

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/acd/agent',
    summary: "The signed-in agent's status, offers, load and queues",
    tag: 'acd',
    auth: 'rep',
    response: AgentState,
    handler: async ({ user }) => {
      acd.requireAgent(user!);
      return acd.agentState(user!.id);
    },
  });

  defineRoute(app, ctx, {
    method: 'PATCH',
    url: '/api/acd/agent',
    summary: 'Set Available / Away and auto-accept',
    tag: 'acd',
    auth: 'rep',
    body: SetAgentBody,
    response: AgentState,
    handler: async ({ user, body }) => acd.setAgent(user!, body),
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/acd/offers/:offerId/accept',
    summary: 'Accept an offer: starts the inbound session (or joins the transferred one) as its primary rep',
    tag: 'acd',
    auth: 'rep',
    params: z.object({ offerId: Id }),
    response: AcceptedOffer,
    handler: async ({ user, params }) => acd.accept(user!, params.offerId),
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/acd/messages',
    summary: "Messages left outside business hours in the agent's queues (all queues for admins)",
    tag: 'acd',
    auth: 'rep',
    response: z.object({ messages: z.array(LeftMessage) }),
    handler: async ({ user }) => ({ messages: await acd.messagesFor(user!) }),
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/acd/transfer-targets',
    summary: 'Queues and agents a session can be transferred to (SES-4)',
    tag: 'acd',
    auth: 'rep',
    response: TransferTargets,
    handler: async ({ user }) => acd.transferTargets(user!),
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/sessions/:id/transfer',
    summary: 'Transfer session to a queue or to agents, with a message of at most 345 characters; the caller leaves (SES-4)',
    tag: 'acd',
    auth: 'rep',
    params: z.object({ id: Id }),
    body: TransferSessionBody,
    response: Ok,
    handler: async ({ user, params, body }) => {
      await acd.transfer(user!, params.id, body);
      return { ok: true as const };
    },
  });

  // ---- admin: queues and the queue report

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/acd/queues',
    summary: 'All queues',
    tag: 'acd',
    auth: 'admin',
    response: z.object({ queues: z.array(Queue) }),
    handler: async () => ({ queues: await acd.store.queues() }),
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/acd/queues',
    summary: 'Add a queue',
    tag: 'acd',
    auth: 'admin',
    body: QueueInput,
    response: Queue,
    handler: async ({ body, reply }) => {
      reply.code(201);
      return acd.saveQueue(null, body);
    },
  });

  defineRoute(app, ctx, {
    method: 'PUT',
    url: '/api/acd/queues/:id',
    summary: 'Change a queue',
    tag: 'acd',
    auth: 'admin',
    params: z.object({ id: Id }),
    body: QueueInput,
    response: Queue,
    handler: async ({ params, body }) => acd.saveQueue(params.id, body),
  });

  defineRoute(app, ctx, {
    method: 'DELETE',
    url: '/api/acd/queues/:id',
    summary: 'Delete a queue nobody waits in',
    tag: 'acd',
    auth: 'admin',
    params: z.object({ id: Id }),
    response: Ok,
    handler: async ({ params }) => {
      await acd.deleteQueue(params.id);
      return { ok: true as const };
    },
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/reports/queues',
    summary: 'Queue report per queue and day (requests, answered, abandoned, waits, handling time, service level); format=csv answers text/csv',
    tag: 'reports',
    auth: 'admin',
    query: QueueReportQuery,
    response: QueueReport,
    handler: async ({ query, reply }) => {
      const settings = await ctx.settings.get();
      const report = await queueReport(acd.store, query, settings.acdServiceLevelSeconds, new Date());
      if (query.format === 'csv') {
        reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="queue-report-${report.from}-${report.to}.csv"`)
          .send(queueReportCsv(report));
        return;
      }
      return report;
    },
  });
}
