import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RsError, type User } from '@rs/protocol';
import type { Db } from '../../db/database.js';
import type { Kv } from '../../db/kv.js';
import { RateLimiter } from '../../http/rate-limit.js';
import type { Authenticator } from '../../http/route.js';
import { newId, nowIso, sha256 } from '../../ids.js';
import { UserStore, toUser } from '../users/store.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password.js';

export const SESSION_COOKIE = 'rs_session';
const SESSION_DAYS = 7;
const SETUP_KEY = 'setup_token_hash';

export class AuthService implements Authenticator {
  private readonly byAddress: RateLimiter;
  private readonly byAccount: RateLimiter;

  constructor(
    private readonly db: Db,
    private readonly kv: Kv,
    private readonly users: UserStore,
    private readonly opts: { signInPerMinute: number; secureCookies: boolean },
  ) {
    this.byAddress = new RateLimiter(opts.signInPerMinute, 60_000);
    this.byAccount = new RateLimiter(opts.signInPerMinute, 60_000);
  }

  async userOf(req: FastifyRequest): Promise<{ user: User; csrfToken: string } | null> {
    const cookie = req.cookies[SESSION_COOKIE];
    if (!cookie) return null;
    const row = await this.db
      .selectFrom('auth_sessions')
      .innerJoin('users', 'users.id', 'auth_sessions.user_id')
      .selectAll('users')
      .select(['auth_sessions.csrf_token', 'auth_sessions.expires_at'])
      .where('auth_sessions.id_hash', '=', sha256(cookie))
      .executeTakeFirst();
    if (!row || row.disabled === 1 || row.expires_at < nowIso()) return null;
    return { user: toUser(row), csrfToken: row.csrf_token };
  }

  async signIn(email: string, password: string, address: string, reply: FastifyReply): Promise<{ user: User; csrfToken: string }> {
    const wait = Math.max(this.byAddress.hit(address), this.byAccount.hit(email.toLowerCase()));
    if (wait > 0) throw RsError.rateLimited(wait);
    const row = await this.users.byEmail(email);
    if (!row) {
      await burnPasswordCheck(password);
      throw new RsError('RS_ERR_BAD_CREDENTIALS', 'The email or password is wrong.');
    }
    if (!(await verifyPassword(password, row.password_hash)) || row.disabled === 1) {
      throw new RsError('RS_ERR_BAD_CREDENTIALS', row.disabled === 1 ? 'This account is disabled.' : 'The email or password is wrong.');
    }
    this.byAccount.reset(email.toLowerCase());
    return this.startSession(toUser(row), reply);
  }

  async startSession(user: User, reply: FastifyReply): Promise<{ user: User; csrfToken: string }> {
    const cookie = newId(32);
    const csrfToken = newId(24);
    const now = Date.now();
    await this.db
      .insertInto('auth_sessions')
      .values({
        id_hash: sha256(cookie),
        user_id: user.id,
        csrf_token: csrfToken,
        created_at: new Date(now).toISOString(),
        expires_at: new Date(now + SESSION_DAYS * 86_400_000).toISOString(),
      })
      .execute();
    reply.setCookie(SESSION_COOKIE, cookie, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.opts.secureCookies,
      path: '/',
      maxAge: SESSION_DAYS * 86_400,
    });
    return { user, csrfToken };
  }

  async signOut(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const cookie = req.cookies[SESSION_COOKIE];
    if (cookie) await this.db.deleteFrom('auth_sessions').where('id_hash', '=', sha256(cookie)).execute();
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  /** Ends every sign-in of a user (disabled, or password changed). */
  async revokeAll(userId: string): Promise<void> {
    await this.db.deleteFrom('auth_sessions').where('user_id', '=', userId).execute();
  }

  /**
   * First start: with ADMIN_EMAIL/ADMIN_PASSWORD the admin is created;
   * otherwise a one-time setup token is made and returned to be printed.
   */
  async ensureFirstAdmin(env: { adminEmail: string | null; adminPassword: string | null }): Promise<{ setupToken: string } | null> {
    if ((await this.users.count()) > 0) return null;
    if (env.adminEmail && env.adminPassword) {
      await this.createUser({ email: env.adminEmail, name: 'Administrator', password: env.adminPassword, roles: { admin: true, rep: true, agent: false } });
      return null;
    }
    const token = newId(24);
    await this.kv.set(SETUP_KEY, sha256(token));
    return { setupToken: token };
  }

  async setupNeeded(): Promise<boolean> {
    return (await this.users.count()) === 0;
  }

  async completeSetup(token: string, admin: { name: string; email: string; password: string }, reply: FastifyReply) {
    const expected = await this.kv.get(SETUP_KEY);
    const given = sha256(token);
    if (!expected || expected.length !== given.length || !crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(given))) {
      throw RsError.forbidden('This setup link is not valid. Use the link the server printed at its last start.');
    }
    if (!(await this.setupNeeded())) throw RsError.invalidState('The site is already set up. Sign in instead.');
    const user = await this.createUser({ ...admin, roles: { admin: true, rep: true, agent: false } });
    await this.kv.delete(SETUP_KEY);
    return this.startSession(user, reply);
  }

  async createUser(input: { email: string; name: string; password: string; roles: User['roles'] }): Promise<User> {
    if (await this.users.byEmail(input.email)) throw new RsError('RS_ERR_CONFLICT', 'A user with this email exists.');
    const row = {
      id: newId(12),
      email: input.email.toLowerCase(),
      name: input.name,
      password_hash: await hashPassword(input.password),
      is_admin: input.roles.admin ? 1 : 0,
      is_rep: input.roles.rep ? 1 : 0,
      is_agent: input.roles.rep && input.roles.agent ? 1 : 0,
      disabled: 0,
      created_at: nowIso(),
    };
    await this.users.insert(row);
    return toUser(row);
  }
}
