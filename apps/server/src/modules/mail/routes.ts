import { OutboxMessage } from '@rs/protocol';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineRoute } from '../../http/route.js';

export function registerMailRoutes(ctx: AppContext): void {
  defineRoute(ctx.app, ctx, {
    method: 'GET',
    url: '/api/outbox',
    summary: 'Invitations kept because no SMTP server is configured',
    tag: 'mail',
    auth: 'admin',
    response: z.object({ mode: z.enum(['smtp', 'outbox']), messages: z.array(OutboxMessage) }),
    handler: async () => ({ mode: ctx.mailer.mode, messages: await ctx.mailer.outbox() }),
  });
}
