import {
  AcceptInvitationBody,
  AssistBody,
  Id,
  InvitationInfo,
  InviteBody,
  InviteResult,
  JoinByNumberBody,
  RsError,
  SessionSummary,
  SessionTicket,
  StartSessionBody,
} from '@rs/protocol';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineRoute } from '../../http/route.js';

const StartResult = SessionSummary.extend({ ticket: SessionTicket });
const RepTicket = StartResult.extend({ role: z.string() });

export function registerSessionRoutes(ctx: AppContext): void {
  const { app, sessions, invitations } = ctx;

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/sessions',
    summary: 'Start an outbound session (S-1); the caller becomes its primary rep',
    tag: 'sessions',
    auth: 'rep',
    body: StartSessionBody,
    response: StartResult,
    handler: async ({ user, reply }) => {
      reply.code(201);
      return sessions.start(user!);
    },
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/sessions',
    summary: "The caller's open sessions",
    tag: 'sessions',
    auth: 'rep',
    response: z.object({ sessions: z.array(SessionSummary) }),
    handler: async ({ user }) => ({
      sessions: (await sessions.store.openSessionsOfUser(user!.id)).map((s) => sessions.summary(s.id, s.number)),
    }),
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/sessions/:id/ticket',
    summary: "A rep's ticket for the session socket (after a reload)",
    tag: 'sessions',
    auth: 'rep',
    params: z.object({ id: Id }),
    response: RepTicket,
    handler: async ({ params, user }) => sessions.repTicket(params.id, user!),
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/sessions/assist',
    summary: 'Join a session by number as an assistant rep (AST-1)',
    tag: 'sessions',
    auth: 'rep',
    body: AssistBody,
    response: StartResult,
    handler: async ({ body, user }) => sessions.assist(body.number, user!),
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/join',
    summary: 'A customer joins by session number and waits to be admitted (CUS-1); rate limited per address',
    tag: 'sessions',
    auth: 'none',
    body: JoinByNumberBody,
    response: SessionTicket,
    handler: async ({ body, req }) => sessions.joinByNumber(body, req.ip),
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/sessions/:id/invitations',
    summary: 'Invite a customer or a rep by e-mail (INV-1, INV-2, INV-5)',
    tag: 'invitations',
    auth: 'rep',
    params: z.object({ id: Id }),
    body: InviteBody,
    response: InviteResult,
    handler: async ({ params, body, user }) => invitations.invite(params.id, user!, body),
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/invitations/:token',
    summary: 'What an invitation link leads to',
    tag: 'invitations',
    auth: 'none',
    params: z.object({ token: z.string().min(10).max(100) }),
    response: InvitationInfo,
    handler: async ({ params }) => invitations.info(params.token),
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/invitations/:token/accept',
    summary: 'Join through an invitation: customers are admitted at once, reps must be signed in',
    tag: 'invitations',
    auth: 'none',
    params: z.object({ token: z.string().min(10).max(100) }),
    body: AcceptInvitationBody.partial({ name: true }),
    response: SessionTicket,
    handler: async ({ params, body, user }) => {
      const info = await invitations.info(params.token);
      if (info.invitee === 'customer' && !body.name) throw RsError.validation('Type your name.', [{ path: 'name', message: 'Required' }]);
      return invitations.accept(params.token, { name: body.name ?? user?.name ?? '', email: body.email }, user);
    },
  });
}
