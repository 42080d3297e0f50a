import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RsError, issuesFrom, type User } from '@rs/protocol';
import { z } from 'zod';
import type { OpenApiRegistry } from './openapi.js';

export type Auth = 'none' | 'user' | 'rep' | 'admin';
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  /** The signed-in user; present when auth is not 'none' (and maybe then). */
  user: User | null;
  req: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteDef<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, R extends z.ZodType> {
  method: Method;
  url: string;
  summary: string;
  tag: string;
  auth: Auth;
  body?: B;
  query?: Q;
  params?: P;
  /** Documented response; `null` for routes that answer with other content (CSV, redirects). */
  response: R | null;
  /** A raw (application/octet-stream) body instead of JSON: the handler reads `req.body` as a stream. */
  rawBody?: boolean;
  bodyLimit?: number;
  handler(ctx: RouteContext<z.infer<B>, z.infer<Q>, z.infer<P>>): Promise<z.infer<R> | void>;
}

/** Looks up the user of a request's auth cookie; provided by the auth module. */
export interface Authenticator {
  userOf(req: FastifyRequest): Promise<{ user: User; csrfToken: string } | null>;
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  const r = schema.safeParse(value ?? (where === 'body' ? {} : value));
  if (!r.success) {
    const issues = issuesFrom(r.error.issues);
    throw RsError.validation(`Invalid ${where}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`, issues);
  }
  return r.data;
}

const WRITE_METHODS = new Set<Method>(['POST', 'PATCH', 'PUT', 'DELETE']);

/**
 * Registers one REST route: validation by the protocol's zod schemas, the
 * auth level, CSRF on cookie-authenticated writes, and the OpenAPI entry.
 */
export function defineRoute<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, R extends z.ZodType>(
  app: FastifyInstance,
  deps: { auth: Authenticator; openapi: OpenApiRegistry },
  def: RouteDef<B, Q, P, R>,
): void {
  deps.openapi.add(def);
  app.route({
    method: def.method,
    url: def.url,
    ...(def.bodyLimit ? { bodyLimit: def.bodyLimit } : {}),
    handler: async (req, reply) => {
      const session = await deps.auth.userOf(req);
      if (def.auth !== 'none') {
        if (!session) throw RsError.unauthenticated();
        if (def.auth === 'admin' && !session.user.roles.admin) throw RsError.forbidden('Only an admin can do this.');
        if (def.auth === 'rep' && !session.user.roles.rep) throw RsError.forbidden('Only a support representative can do this.');
      }
      // Double-submit check: a cross-site form can carry the cookie but cannot read the token.
      if (session && WRITE_METHODS.has(def.method) && req.headers['x-csrf-token'] !== session.csrfToken) {
        throw new RsError('RS_ERR_CSRF', 'The request lacks a valid CSRF token. Reload the page and try again.');
      }
      const ctx: RouteContext<z.infer<B>, z.infer<Q>, z.infer<P>> = {
        body: def.rawBody ? (undefined as z.infer<B>) : parse(def.body, req.body, 'body'),
        query: parse(def.query, req.query, 'query'),
        params: parse(def.params, req.params, 'params'),
        user: session?.user ?? null,
        req,
        reply,
      };
      const result = await def.handler(ctx);
      // Routes without a JSON response (CSV, file streams) send for themselves; a stream is not "sent" yet here.
      if (reply.sent || (result === undefined && def.response === null)) return reply;
      return result ?? { ok: true };
    },
  });
}
