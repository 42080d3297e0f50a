/**
 * Sign-in, the session cookie, CSRF, rate limiting, admin-only routes, user
 * management, site settings, and the first-start setup link.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_SITE_SETTINGS, type Me, type SiteSettings, type User } from '@rs/protocol';
import { createRep, signIn } from '../../../test/support/http.js';
import { ADMIN, startServer, type RunningServer } from '../../../test/support/server.js';
import { assertError, raw, rawAs } from './api-helpers.js';

const COOKIE = 'rs_session';

function sessionCookieOf(res: { headers: Headers }): { value: string; attributes: string } | null {
  const line = res.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`));
  if (!line) return null;
  const [pair = '', ...attrs] = line.split(';');
  return { value: pair.slice(COOKIE.length + 1), attributes: attrs.join(';') };
}

const withCookie = (value: string, extra: Record<string, string> = {}) => ({ cookie: `${COOKIE}=${value}`, ...extra });

const REP_ROLES = { admin: false, rep: true, agent: false };
let seq = 0;
const uniqueEmail = (name: string) => `${name}.${Date.now()}.${++seq}@example.test`;

describe('with the admin from the environment', () => {
  let server: RunningServer;
  let admin: Awaited<ReturnType<typeof signIn>>;
  before(async () => {
    server = await startServer();
    admin = await signIn(server.url);
  });
  after(async () => {
    await server?.stop();
  });

  test('sign-in sets an HttpOnly, SameSite=Lax session cookie; sign-out ends the session on the server', async () => {
    const res = await raw(server.url, 'POST', '/api/auth/sign-in', { body: { email: ADMIN.email, password: ADMIN.password } });
    assert.equal(res.status, 200, res.text);
    const me = res.json as Me;
    assert.equal(me.user.email, ADMIN.email);
    assert.deepEqual(me.user.roles, { admin: true, rep: true, agent: false });
    assert.ok(me.csrfToken.length >= 16, 'a CSRF token comes with the sign-in');
    const cookie = sessionCookieOf(res);
    assert.ok(cookie, `a session cookie is set: ${res.headers.getSetCookie().join(' | ')}`);
    assert.match(cookie.attributes, /;\s*HttpOnly/i);
    assert.match(cookie.attributes, /;\s*SameSite=Lax/i);
    assert.match(cookie.attributes, /;\s*Path=\//i);

    const meNow = await raw(server.url, 'GET', '/api/auth/me', { headers: withCookie(cookie.value) });
    assert.equal(meNow.status, 200);
    assert.deepEqual(meNow.json, me, 'the cookie identifies the user, with the same CSRF token');

    const out = await raw(server.url, 'POST', '/api/auth/sign-out', { headers: withCookie(cookie.value, { 'x-csrf-token': me.csrfToken }) });
    assert.equal(out.status, 200, out.text);
    const cleared = sessionCookieOf(out);
    assert.ok(cleared && (cleared.value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(cleared.attributes)), 'sign-out clears the cookie');
    // The old cookie is dead on the server too, not only forgotten by the browser.
    assertError(await raw(server.url, 'GET', '/api/auth/me', { headers: withCookie(cookie.value) }), 401, 'RS_ERR_UNAUTHENTICATED');
  });

  test('a wrong password or unknown e-mail gets 401 RS_ERR_BAD_CREDENTIALS, the same for both, and no cookie', async () => {
    const wrong = await raw(server.url, 'POST', '/api/auth/sign-in', { body: { email: ADMIN.email, password: 'not-the-password' } });
    const e1 = assertError(wrong, 401, 'RS_ERR_BAD_CREDENTIALS');
    assert.equal(sessionCookieOf(wrong), null);
    const unknown = await raw(server.url, 'POST', '/api/auth/sign-in', { body: { email: 'nobody@example.test', password: 'whatever-123' } });
    const e2 = assertError(unknown, 401, 'RS_ERR_BAD_CREDENTIALS');
    assert.equal(e1.message, e2.message, 'the answer does not reveal which e-mails exist');
    assert.equal(sessionCookieOf(unknown), null);
  });

  test('a cookie-authenticated write without the x-csrf-token header gets 403 RS_ERR_CSRF and changes nothing', async () => {
    const usersBefore = await admin.api.get<{ users: User[] }>('/api/users');
    const settingsBefore = await admin.api.get<SiteSettings>('/api/settings');
    const body = { email: uniqueEmail('csrf'), name: 'Cross Site', password: 'cross-site-123', roles: REP_ROLES };
    assertError(await rawAs(server.url, admin.api, 'POST', '/api/users', { body, csrf: false }), 403, 'RS_ERR_CSRF');
    assertError(
      await rawAs(server.url, admin.api, 'POST', '/api/users', { body, csrf: false, headers: { 'x-csrf-token': 'forged-token-value' } }),
      403,
      'RS_ERR_CSRF',
    );
    assertError(
      await rawAs(server.url, admin.api, 'PUT', '/api/settings', { body: { ...settingsBefore, maxCustomersPerRep: 9 }, csrf: false }),
      403,
      'RS_ERR_CSRF',
    );
    assertError(await rawAs(server.url, admin.api, 'POST', '/api/sessions', { body: {}, csrf: false }), 403, 'RS_ERR_CSRF');
    assertError(await rawAs(server.url, admin.api, 'POST', '/api/auth/sign-out', { csrf: false }), 403, 'RS_ERR_CSRF');
    assert.deepEqual(await admin.api.get('/api/users'), usersBefore);
    assert.deepEqual(await admin.api.get('/api/settings'), settingsBefore);
    assert.deepEqual(await admin.api.get('/api/sessions'), { sessions: [] });
    // Still signed in: the refused sign-out did nothing either.
    assert.equal((await admin.api.get<Me>('/api/auth/me')).user.email, ADMIN.email);
  });

  test('admin-only routes refuse a rep with 403 RS_ERR_FORBIDDEN and strangers with 401', async () => {
    const rep = await createRep(server.url, admin.api, 'Rita Rep');
    const target = (await admin.api.get<{ users: User[] }>('/api/users')).users.find((u) => u.email === rep.email)!;
    const usersBefore = await admin.api.get('/api/users');
    const settingsBefore = await admin.api.get<SiteSettings>('/api/settings');
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/users'],
      ['POST', '/api/users', { email: uniqueEmail('sneaky'), name: 'Sneaky', password: 'sneaky-pass-1', roles: { admin: true, rep: true, agent: false } }],
      ['PATCH', `/api/users/${target.id}`, { roles: { admin: true, rep: true, agent: false } }],
      ['PUT', '/api/settings', { ...settingsBefore, webAcdEnabled: !settingsBefore.webAcdEnabled }],
      ['GET', '/api/outbox'],
    ];
    for (const [method, path, body] of calls) {
      assertError(await rawAs(server.url, rep.api, method, path, body === undefined ? {} : { body }), 403, 'RS_ERR_FORBIDDEN');
      assertError(await raw(server.url, method, path, body === undefined ? {} : { body }), 401, 'RS_ERR_UNAUTHENTICATED');
    }
    assert.deepEqual(await admin.api.get('/api/users'), usersBefore);
    assert.deepEqual(await admin.api.get('/api/settings'), settingsBefore);
    // What a rep may do: read the settings the console depends on.
    assert.deepEqual(await rep.api.get('/api/settings'), settingsBefore);

    // A user who is not a rep cannot start a session.
    const viewer = await createRep(server.url, admin.api, 'Vera Viewer', { admin: false, rep: false, agent: false });
    assertError(await rawAs(server.url, viewer.api, 'POST', '/api/sessions', { body: {} }), 403, 'RS_ERR_FORBIDDEN');
  });

  test('users are added, edited and disabled; a disabled user cannot sign in and their cookie stops working', async () => {
    const email = uniqueEmail('Nina.New').replace('nina', 'Nina');
    const created = await rawAs(server.url, admin.api, 'POST', '/api/users', {
      body: { email, name: 'Nina New', password: 'nina-password-1', roles: REP_ROLES },
    });
    assert.equal(created.status, 201, created.text);
    const user = created.json as User;
    assert.equal(user.email, email.toLowerCase(), 'e-mails are stored in lower case');
    assert.deepEqual(user.roles, REP_ROLES);
    assert.equal(user.disabled, false);
    assert.ok(
      (await admin.api.get<{ users: User[] }>('/api/users')).users.some((u) => u.id === user.id),
      'the new user is listed',
    );

    const nina = await signIn(server.url, email, 'nina-password-1');
    assert.equal(nina.user.id, user.id);

    const edited = await admin.api.patch<User>(`/api/users/${user.id}`, { name: 'Nina Edited', roles: { admin: false, rep: true, agent: true } });
    assert.equal(edited.name, 'Nina Edited');
    assert.deepEqual(edited.roles, { admin: false, rep: true, agent: true });
    assert.equal((await nina.api.get<Me>('/api/auth/me')).user.name, 'Nina Edited', 'an edit does not sign the user out');
    // The agent flag means nothing without the rep role.
    assert.deepEqual((await admin.api.patch<User>(`/api/users/${user.id}`, { roles: { admin: false, rep: false, agent: true } })).roles, {
      admin: false,
      rep: false,
      agent: false,
    });
    await admin.api.patch(`/api/users/${user.id}`, { roles: REP_ROLES });

    const disabled = await admin.api.patch<User>(`/api/users/${user.id}`, { disabled: true });
    assert.equal(disabled.disabled, true);
    assertError(await rawAs(server.url, nina.api, 'GET', '/api/auth/me'), 401, 'RS_ERR_UNAUTHENTICATED');
    assertError(await rawAs(server.url, nina.api, 'POST', '/api/sessions', { body: {} }), 401, 'RS_ERR_UNAUTHENTICATED');
    assertError(
      await raw(server.url, 'POST', '/api/auth/sign-in', { body: { email, password: 'nina-password-1' } }),
      401,
      'RS_ERR_BAD_CREDENTIALS',
    );

    await admin.api.patch(`/api/users/${user.id}`, { disabled: false });
    const again = await signIn(server.url, email, 'nina-password-1');
    assert.equal(again.user.id, user.id, 'enabled again, the user signs in');

    // A new password set by an admin ends the user's sign-ins; the old password stops working.
    await admin.api.patch(`/api/users/${user.id}`, { password: 'nina-password-2' });
    assertError(await rawAs(server.url, again.api, 'GET', '/api/auth/me'), 401, 'RS_ERR_UNAUTHENTICATED');
    assertError(await raw(server.url, 'POST', '/api/auth/sign-in', { body: { email, password: 'nina-password-1' } }), 401, 'RS_ERR_BAD_CREDENTIALS');
    assert.equal((await signIn(server.url, email, 'nina-password-2')).user.id, user.id);
  });

  test('the last active admin can be neither disabled nor demoted', async () => {
    const me = (await admin.api.get<Me>('/api/auth/me')).user;
    const second = await createRep(server.url, admin.api, 'Second Admin', { admin: true, rep: false, agent: false });
    const secondId = (await admin.api.get<{ users: User[] }>('/api/users')).users.find((u) => u.email === second.email)!.id;
    // With two active admins one may go...
    assert.equal((await admin.api.patch<User>(`/api/users/${secondId}`, { disabled: true })).disabled, true);
    // ...but not the last one.
    const before = await admin.api.get('/api/users');
    assertError(await rawAs(server.url, admin.api, 'PATCH', `/api/users/${me.id}`, { body: { disabled: true } }), 409, 'RS_ERR_INVALID_STATE');
    assertError(
      await rawAs(server.url, admin.api, 'PATCH', `/api/users/${me.id}`, { body: { roles: { admin: false, rep: true, agent: false } } }),
      409,
      'RS_ERR_INVALID_STATE',
    );
    assert.deepEqual(await admin.api.get('/api/users'), before);
    assert.equal((await admin.api.get<Me>('/api/auth/me')).user.roles.admin, true);
  });

  test('a duplicate e-mail gets 409 RS_ERR_CONFLICT, in any letter case', async () => {
    const other = await createRep(server.url, admin.api, 'Otto Other');
    const otherId = (await admin.api.get<{ users: User[] }>('/api/users')).users.find((u) => u.email === other.email)!.id;
    const before = await admin.api.get('/api/users');
    assertError(
      await rawAs(server.url, admin.api, 'POST', '/api/users', {
        body: { email: ADMIN.email.toUpperCase(), name: 'Copy Cat', password: 'copy-cat-123', roles: REP_ROLES },
      }),
      409,
      'RS_ERR_CONFLICT',
    );
    assertError(await rawAs(server.url, admin.api, 'PATCH', `/api/users/${otherId}`, { body: { email: ADMIN.email } }), 409, 'RS_ERR_CONFLICT');
    assert.deepEqual(await admin.api.get('/api/users'), before);
  });

  test('site settings round-trip through GET and PUT; invalid settings are refused and change nothing', async () => {
    assert.deepEqual(await admin.api.get('/api/settings'), DEFAULT_SITE_SETTINGS, 'a new site has the default settings');
    const next: SiteSettings = {
      sessionMode: 'multi',
      console: 'multi_session_window',
      maxCustomersPerRep: 7,
      automaticRecording: true,
      webAcdEnabled: true,
      reconnectGraceSeconds: 120,
      maxFileMegabytes: 10,
      maxSessionMegabytes: 50,
      customerUploads: false,
      fileRetentionHours: 2,
      acdOfferSeconds: 15,
      acdAllowedOrigins: ['https://shop.example.com', 'http://127.0.0.1:8080'],
      acdServiceLevelSeconds: 30,
    };
    const put = await rawAs(server.url, admin.api, 'PUT', '/api/settings', { body: next });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json, next);
    assert.deepEqual(await admin.api.get('/api/settings'), next);

    const invalid: [unknown, string[]][] = [
      [{ ...next, maxCustomersPerRep: 0 }, ['maxCustomersPerRep']],
      [{ ...next, maxCustomersPerRep: 2.5 }, ['maxCustomersPerRep']],
      [{ ...next, sessionMode: 'many' }, ['sessionMode']],
      [{ ...next, reconnectGraceSeconds: 1 }, ['reconnectGraceSeconds']],
      [{ ...next, colour: 'blue' }, []],
      [{ ...next, acdAllowedOrigins: ['https://shop.example.com/path'] }, ['acdAllowedOrigins.0']],
      [{ ...next, acdOfferSeconds: 0 }, ['acdOfferSeconds']],
      [{ sessionMode: 'single' }, ['console', 'maxCustomersPerRep']],
    ];
    for (const [body, paths] of invalid) {
      assertError(await rawAs(server.url, admin.api, 'PUT', '/api/settings', { body }), 400, 'RS_ERR_VALIDATION', paths);
    }
    assert.deepEqual(await admin.api.get('/api/settings'), next);
  });
});

describe('with sign-in limited to 3 attempts a minute', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ env: { SIGNIN_PER_MINUTE: '3' } });
  });
  after(async () => {
    await server?.stop();
  });

  test('the 4th attempt gets 429 RS_ERR_RATE_LIMITED with a clear message, even with the right password', async () => {
    for (let i = 1; i <= 3; i++) {
      assertError(
        await raw(server.url, 'POST', '/api/auth/sign-in', { body: { email: ADMIN.email, password: `guess-${i}-wrong` } }),
        401,
        'RS_ERR_BAD_CREDENTIALS',
      );
    }
    const fourth = await raw(server.url, 'POST', '/api/auth/sign-in', { body: { email: ADMIN.email, password: ADMIN.password } });
    const err = assertError(fourth, 429, 'RS_ERR_RATE_LIMITED');
    assert.match(err.message, /^Too many attempts\. Try again in \d+ seconds\.$/);
    const wait = Number(/in (\d+) seconds/.exec(err.message)?.[1]);
    assert.ok(wait >= 1 && wait <= 60, `a wait within the minute, got ${wait}`);
    assert.equal(fourth.headers.get('retry-after'), '60');
    assert.equal(sessionCookieOf(fourth), null, 'no session for a limited attempt');
  });
});

describe('on a first start without ADMIN_EMAIL and ADMIN_PASSWORD', () => {
  let server: RunningServer;
  let setupToken: string;
  before(async () => {
    server = await startServer({ env: { ADMIN_EMAIL: '', ADMIN_PASSWORD: '' } });
    // The link is printed right after the "listening" line; wait for it on stdout.
    const pattern = /one-time link to create the first admin:\s+(\S+)/;
    const printed = await new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(server.output());
        if (m) {
          server.proc.stdout!.off('data', check);
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      const timer = setTimeout(() => {
        server.proc.stdout!.off('data', check);
        reject(new Error(`no setup link printed:\n${server.output()}`));
      }, 10_000);
      server.proc.stdout!.on('data', check);
      check();
    });
    const url = new URL(printed);
    assert.equal(url.origin, server.url, 'the link points at the public URL');
    assert.equal(url.pathname, '/setup');
    setupToken = url.searchParams.get('token')!;
    assert.ok(setupToken && setupToken.length >= 10, `the link carries a token: ${printed}`);
  });
  after(async () => {
    await server?.stop();
  });

  const newAdmin = { name: 'Site Owner', email: 'owner@example.test', password: 'owner-password-1' };

  test('the setup link creates the first admin; a wrong token and a second setup are refused', async () => {
    assert.deepEqual((await raw(server.url, 'GET', '/api/setup')).json, { needed: true });
    assertError(
      await raw(server.url, 'POST', '/api/auth/sign-in', { body: { email: ADMIN.email, password: ADMIN.password } }),
      401,
      'RS_ERR_BAD_CREDENTIALS',
    );

    const wrongToken = `${setupToken.slice(0, -1)}${setupToken.endsWith('A') ? 'B' : 'A'}`;
    assertError(await raw(server.url, 'POST', '/api/setup', { body: { ...newAdmin, token: wrongToken } }), 403, 'RS_ERR_FORBIDDEN');
    assertError(
      await raw(server.url, 'POST', '/api/setup', { body: { ...newAdmin, password: 'short', token: setupToken } }),
      400,
      'RS_ERR_VALIDATION',
      ['password'],
    );
    assert.deepEqual((await raw(server.url, 'GET', '/api/setup')).json, { needed: true }, 'refused attempts created nobody');

    const done = await raw(server.url, 'POST', '/api/setup', { body: { ...newAdmin, token: setupToken } });
    assert.equal(done.status, 200, done.text);
    const me = done.json as Me;
    assert.equal(me.user.email, newAdmin.email);
    assert.deepEqual(me.user.roles, { admin: true, rep: true, agent: false });
    const cookie = sessionCookieOf(done);
    assert.ok(cookie, 'the new admin is signed in at once');
    assert.match(cookie.attributes, /HttpOnly/i);
    assert.equal(
      ((await raw(server.url, 'GET', '/api/auth/me', { headers: withCookie(cookie.value) })).json as Me).user.email,
      newAdmin.email,
    );
    assert.deepEqual((await raw(server.url, 'GET', '/api/setup')).json, { needed: false });

    // The link works once.
    const again = { ...newAdmin, email: 'intruder@example.test', token: setupToken };
    assertError(await raw(server.url, 'POST', '/api/setup', { body: again }), 403, 'RS_ERR_FORBIDDEN');
    const owner = await signIn(server.url, newAdmin.email, newAdmin.password);
    const users = await owner.api.get<{ users: User[] }>('/api/users');
    assert.deepEqual(
      users.users.map((u) => u.email),
      [newAdmin.email],
      'exactly one user: the admin made by the setup link',
    );
    assertError(
      await raw(server.url, 'POST', '/api/auth/sign-in', { body: { email: 'intruder@example.test', password: newAdmin.password } }),
      401,
      'RS_ERR_BAD_CREDENTIALS',
    );
  });
});
