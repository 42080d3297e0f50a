import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyError } from 'fastify';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import websocket from '@fastify/websocket';
import { LIMITS, RsError, type ErrorBody } from '@rs/protocol';
import type { Bus } from './bus/bus.js';
import { createMemoryBus } from './bus/memory-bus.js';
import { createRedisBus } from './bus/redis-bus.js';
import type { Config } from './config.js';
import type { AppContext, RegisteredRoute } from './context.js';
import { openDatabase } from './db/database.js';
import { Kv } from './db/kv.js';
import { OpenApiRegistry } from './http/openapi.js';
import { defineRoute } from './http/route.js';
import { registerAcdGateway } from './modules/acd/gateway.js';
import { registerAcdRoutes } from './modules/acd/routes.js';
import { AcdService } from './modules/acd/service.js';
import { AcdStore } from './modules/acd/store.js';
import { registerAuthRoutes } from './modules/auth/routes.js';
import { registerDeviceRoutes } from './modules/devices/routes.js';
import { registerDownloadRoutes } from './modules/downloads/routes.js';
import { PairingService } from './modules/devices/service.js';
import { AuthService } from './modules/auth/service.js';
import { createMetrics } from './modules/health/metrics.js';
import { registerHealthRoutes } from './modules/health/routes.js';
import { InvitationService } from './modules/invitations/service.js';
import { Mailer } from './modules/mail/mailer.js';
import { registerMailRoutes } from './modules/mail/routes.js';
import { registerFileRoutes } from './modules/files/routes.js';
import { FileService } from './modules/files/service.js';
import { FileStorage } from './modules/files/storage.js';
import { registerReportRoutes } from './modules/reports/routes.js';
import { ReportService } from './modules/reports/service.js';
import { SessionEngine } from './modules/sessions/engine.js';
import { registerGateway } from './modules/sessions/gateway.js';
import { registerSessionRoutes } from './modules/sessions/routes.js';
import { SessionService } from './modules/sessions/service.js';
import { SessionStore } from './modules/sessions/store.js';
import { startSweeper } from './modules/sessions/sweeper.js';
import { armConsentTimers } from './modules/sessions/consent-timers.js';
import { ParticipantTokens } from './modules/sessions/tokens.js';
import { registerSettingsRoutes } from './modules/settings/routes.js';
import { SettingsStore } from './modules/settings/store.js';
import { registerUserRoutes } from './modules/users/routes.js';
import { UserStore } from './modules/users/store.js';

export interface Server {
  ctx: AppContext;
  /** Present on a first start without ADMIN_EMAIL/ADMIN_PASSWORD: the one-time setup link. */
  setupUrl: string | null;
  listen(): Promise<string>;
  close(): Promise<void>;
}

const csp = (frameAncestors: string) =>
  `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; frame-ancestors ${frameAncestors}; base-uri 'none'; form-action 'self'`;
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  // Invitation tokens live in URLs: never leak them to other sites.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': csp("'none'"),
};
/** ACD-1: the hosted help page opens in a frame on the sites the admin allowed, and nowhere else. */
const isHelpPage = (url: string) => url.startsWith('/help/');

function errorBody(e: RsError): ErrorBody {
  return { error: { code: e.code, message: e.message, ...(e.issues ? { issues: e.issues } : {}) } };
}

export async function buildServer(config: Config): Promise<Server> {
  const opened = await openDatabase(config);
  const { db } = opened;
  const bus: Bus = config.redisUrl ? await createRedisBus(config.redisUrl) : createMemoryBus();
  const kv = new Kv(db);
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    bodyLimit: 256 * 1024,
    trustProxy: process.env.TRUST_PROXY === '1',
  });
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });
  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: LIMITS.frameBytes } });

  const metrics = createMetrics();
  const users = new UserStore(db);
  const openapi = new OpenApiRegistry();
  const auth = new AuthService(db, kv, users, {
    signInPerMinute: config.signInPerMinute,
    secureCookies: config.publicUrl.startsWith('https://'),
  });
  const secret = Buffer.from(await kv.getOrInit('participant_secret', () => crypto.randomBytes(32).toString('base64')), 'base64');
  const store = new SessionStore(db);
  const engine = new SessionEngine(store, bus);
  const sessions = new SessionService(engine, store, new ParticipantTokens(secret), config.publicUrl, config.joinPerMinute);
  const mailer = new Mailer(db, config.smtpUrl, config.mailFrom);
  const ctx: AppContext = {
    app,
    routes,
    config,
    db,
    dialect: opened.dialect,
    kv,
    bus,
    auth,
    openapi,
    users,
    settings: new SettingsStore(kv),
    sessions,
    invitations: new InvitationService(db, sessions, mailer, config.publicUrl),
    mailer,
    reports: new ReportService(db, store),
    metrics,
  };

  app.setErrorHandler((err: FastifyError | RsError, req, reply) => {
    let e: RsError;
    if (err instanceof RsError) e = err;
    else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = new RsError('RS_ERR_TOO_LARGE', 'The request body is too large.');
    else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') e = RsError.validation('Send JSON (content-type: application/json).');
    else if (err.statusCode === 400) e = RsError.validation(`The request is not valid: ${err.message}`);
    else {
      req.log.error(err);
      e = new RsError('RS_ERR_INTERNAL', 'Something went wrong on the server.');
    }
    if (e.code === 'RS_ERR_RATE_LIMITED') reply.header('retry-after', '60');
    reply.code(e.status).send(errorBody(e));
  });
  app.addHook('onSend', async (req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    if (req.method === 'GET' && isHelpPage(req.url)) {
      const { acdAllowedOrigins } = await ctx.settings.get();
      reply.removeHeader('x-frame-options');
      reply.header('content-security-policy', csp(["'self'", ...acdAllowedOrigins].join(' ')));
    }
    return payload;
  });
  app.addHook('onResponse', async (_req, reply) => {
    metrics.httpRequests.inc({ status: `${Math.floor(reply.statusCode / 100)}xx` });
  });

  registerHealthRoutes(ctx, { liveSessions: () => engine.liveSessionCount(), eventsAppended: () => engine.appendedTotal });
  registerAuthRoutes(ctx);
  registerUserRoutes(ctx);
  registerSettingsRoutes(ctx);
  registerSessionRoutes(ctx);
  registerMailRoutes(ctx);
  registerReportRoutes(ctx);
  const files = new FileService(db, new FileStorage(config.dataDir), engine, ctx.settings, secret, {
    publicUrl: config.publicUrl,
    scanCommand: config.fileScanCommand,
    linkTtlMs: config.fileLinkTtlMs,
  });
  registerFileRoutes(ctx, files);
  engine.onAppended((sessionId, envelopes) => {
    if (envelopes.some((e) => e.event.type === 'control.transferred')) void files.cancelRepUploads(sessionId).catch(() => undefined);
  });
  registerGateway(app, { engine, store, tokens: sessions.tokens, metrics, ice: config.ice, consentTtlMs: config.consentTtlMs });
  const acd = new AcdService({
    store: new AcdStore(db, opened.dialect),
    sessions,
    settings: ctx.settings,
    users,
    bus,
    mailer,
    secret,
    publicUrl: config.publicUrl,
  });
  registerAcdRoutes(ctx, acd);
  registerDeviceRoutes(ctx, new PairingService(db, sessions, { publicUrl: config.publicUrl, ttlMs: config.pairingTtlMs }));
  registerDownloadRoutes(ctx);
  registerAcdGateway(app, { acd, bus, auth });
  engine.onAppended((sessionId, envelopes) => void acd.onSessionEvents(sessionId, envelopes).catch(() => undefined));
  const disarmConsentTimers = armConsentTimers(engine);

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/openapi.json',
    summary: 'This API description (OpenAPI 3.1, JSON)',
    tag: 'meta',
    auth: 'none',
    response: null,
    handler: async () => openapi.document({ title: 'Remote Support API', version: '0.1.0', serverUrl: config.publicUrl }),
  });

  const indexHtml = path.join(config.webDist, 'index.html');
  if (fs.existsSync(indexHtml)) {
    await app.register(fastifyStatic, { root: config.webDist, prefix: '/', wildcard: false, index: false });
    const html = fs.readFileSync(indexHtml);
    // The web app routes on the client: every other GET that is not API gets the shell.
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/ws')) {
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
      }
      reply.code(404).send(errorBody(RsError.notFound('No such route.')));
    });
  } else {
    app.setNotFoundHandler((_req, reply) => {
      reply.code(404).send(errorBody(RsError.notFound('No such route (the web app is not built: npm run build).')));
    });
  }

  const first = await auth.ensureFirstAdmin(config);
  const setupUrl = first ? `${config.publicUrl}/setup?token=${first.setupToken}` : null;

  // One node alone: nobody can still be connected after a restart.
  if (bus.kind === 'memory') {
    for (const id of await store.openSessionIds()) {
      await engine.transact(id, (v) =>
        Object.values(v.participants)
          .filter((p) => p.connected)
          .map((p) => ({ type: 'participant.disconnected' as const, participantId: p.id })),
      );
    }
  }

  const sweeper = startSweeper({
    engine,
    store,
    graceSeconds: async () => (await ctx.settings.get()).reconnectGraceSeconds,
    intervalMs: config.sweepIntervalMs,
  });
  acd.dispatcher.start(Math.min(1000, config.sweepIntervalMs), async () => (await ctx.settings.get()).reconnectGraceSeconds);
  const retention = setInterval(() => void files.sweepRetention().catch(() => undefined), 60_000);
  retention.unref();

  return {
    ctx,
    setupUrl,
    async listen() {
      return app.listen({ port: config.port, host: config.host });
    },
    async close() {
      sweeper.stop();
      acd.dispatcher.stop();
      await acd.dispatcher.idle();
      clearInterval(retention);
      disarmConsentTimers();
      await app.close();
      await bus.close();
      mailer.close();
      await opened.close();
    },
  };
}
