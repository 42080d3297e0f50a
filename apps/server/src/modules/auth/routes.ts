import { Me, SetupBody, SignInBody } from '@rs/protocol';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineRoute } from '../../http/route.js';

export function registerAuthRoutes(ctx: AppContext): void {
  const { app } = ctx;




  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/auth/sign-in',
    summary: 'Sign in with email and password; sets the session cookie',
    tag: 'auth',
    auth: 'none',
    body: SignInBody,
    response: Me,
    handler: async ({ body, req, reply }) => ctx.auth.signIn(body.email, body.password, req.ip, reply),
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/auth/sign-out',
    summary: 'Sign out; clears the session cookie',
    tag: 'auth',
    auth: 'user',
    response: z.object({ ok: z.literal(true) }),
    handler: async ({ req, reply }) => {
      await ctx.auth.signOut(req, reply);
      return { ok: true as const };
    },
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/auth/me',
    summary: 'The signed-in user and the CSRF token to send with writes',
    tag: 'auth',
    auth: 'user',
    response: Me,
    handler: async ({ req }) => {
      const me = await ctx.auth.userOf(req);
      if (!me) throw new Error('unreachable: auth checked');
      return me;
    },
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/auth/session',
    summary: 'The signed-in user, or null: for pages that work signed in or not (no 401 noise)',
    tag: 'auth',
    auth: 'none',
    response: z.object({ user: Me.shape.user.nullable(), csrfToken: z.string().nullable() }),
    handler: async ({ req }) => {
      const me = await ctx.auth.userOf(req);
      return { user: me?.user ?? null, csrfToken: me?.csrfToken ?? null };
    },
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/setup',
    summary: 'Whether the site still needs its first admin',
    tag: 'auth',
    auth: 'none',
    response: z.object({ needed: z.boolean() }),
    handler: async () => ({ needed: await ctx.auth.setupNeeded() }),
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/setup',
    summary: 'Create the first admin with the one-time setup token the server printed',
    tag: 'auth',
    auth: 'none',
    body: SetupBody,
    response: Me,
    handler: async ({ body, reply }) =>
      ctx.auth.completeSetup(body.token, { name: body.name, email: body.email, password: body.password }, reply),
  });
}
