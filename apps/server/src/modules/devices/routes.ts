import { CreatePairingBody, Id, Pairing, RedeemPairingBody, RedeemedPairing, RsError } from '@rs/protocol';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineRoute } from '../../http/route.js';
import { RateLimiter } from '../../http/rate-limit.js';
import { participantOf } from '../files/participant-auth.js';
import type { PairingService } from './service.js';

export function registerDeviceRoutes(ctx: AppContext, pairings: PairingService): void {
  const limiter = new RateLimiter(ctx.config.joinPerMinute, 60_000);

  defineRoute(ctx.app, ctx, {
    method: 'POST',
    url: '/api/sessions/:id/pairings',
    summary: 'The customer who accepted control (or folder access through Support Manager) gets a one-time Support Manager link for it (x-participant-token)',
    tag: 'devices',
    auth: 'none',
    params: z.object({ id: Id }),
    body: CreatePairingBody,
    response: Pairing,
    handler: async ({ params, body, req, reply }) => {
      const me = await participantOf(ctx.sessions.engine, ctx.sessions.tokens, params.id, req, null);
      reply.code(201);
      return pairings.create(params.id, me.participantId, body.activityId);
    },
  });

  defineRoute(ctx.app, ctx, {
    method: 'POST',
    url: '/api/pairings/redeem',
    summary: 'Support Manager redeems its pairing link (once, before it expires) and gets its ticket into the session',
    tag: 'devices',
    auth: 'none',
    body: RedeemPairingBody,
    response: RedeemedPairing,
    handler: async ({ body, req }) => {
      const wait = limiter.hit(req.ip);
      if (wait > 0) throw RsError.rateLimited(wait);
      const host = typeof req.headers['x-device-name'] === 'string' ? req.headers['x-device-name'].replace(/[^\w .-]/g, '').slice(0, 40) : '';
      return pairings.redeem(body.code, host);
    },
  });
}
