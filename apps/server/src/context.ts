import type { FastifyInstance } from 'fastify';
import type { Bus } from './bus/bus.js';
import type { Config } from './config.js';
import type { Db, Dialect } from './db/database.js';
import type { Kv } from './db/kv.js';
import type { OpenApiRegistry } from './http/openapi.js';
import type { AuthService } from './modules/auth/service.js';
import type { InvitationService } from './modules/invitations/service.js';
import type { Mailer } from './modules/mail/mailer.js';
import type { Metrics } from './modules/health/metrics.js';
import type { ReportService } from './modules/reports/service.js';
import type { SessionService } from './modules/sessions/service.js';
import type { SettingsStore } from './modules/settings/store.js';
import type { UserStore } from './modules/users/store.js';

/** A route as Fastify registered it (every method, HEAD and WebSocket routes included). */
export interface RegisteredRoute {
  method: string;
  url: string;
}

/** What feature modules get: the shared services of one server node. */
export interface AppContext {
  app: FastifyInstance;
  /** Every route registered on `app`, in order; filled as routes are added (tests compare it with the OpenAPI document). */
  routes: RegisteredRoute[];
  config: Config;
  db: Db;
  dialect: Dialect;
  kv: Kv;
  bus: Bus;
  auth: AuthService;
  openapi: OpenApiRegistry;
  users: UserStore;
  settings: SettingsStore;
  sessions: SessionService;
  invitations: InvitationService;
  mailer: Mailer;
  reports: ReportService;
  metrics: Metrics;
}
