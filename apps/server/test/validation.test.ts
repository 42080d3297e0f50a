/**
 * Bad input gets a typed error and changes nothing: malformed WebSocket
 * frames, bad hellos, and invalid REST bodies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { SessionClient } from '@rs/client';
import { CLOSE_CODES, LIMITS, PROTOCOL_VERSION, type ServerMessage, type SessionTicket, type SessionView } from '@rs/protocol';
import { signIn } from '../../../test/support/http.js';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { waitForState, waitForView } from '../../../test/support/ws.js';
import { assertError, connect, freshView, joinByNumber, raw, rawAs, startSession, type Started } from './api-helpers.js';

/** A bare socket that records what the server sends, to send it frames no real client would. */
class RawSocket {
  readonly ws: WebSocket;
  readonly messages: ServerMessage[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { pred: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  private taken = 0;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as ServerMessage;
      this.messages.push(msg);
      for (const w of [...this.waiters]) {
        if (w.pred(msg)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(msg);
        }
      }
    });
  }

  send(data: unknown): void {
    this.ws.send(typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data));
  }

  hello(ticket: { sessionId: string; token: string }, overrides: Record<string, unknown> = {}): void {
    this.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, sessionId: ticket.sessionId, token: ticket.token, lastSeq: 0, ...overrides });
  }

  /** The next message (after those already taken) that satisfies `pred`. */
  next<T extends ServerMessage['type']>(type: T, pred: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true, timeoutMs = 5000) {
    type M = Extract<ServerMessage, { type: T }>;
    const match = (m: ServerMessage): m is M => m.type === type && pred(m as M);
    const have = this.messages.slice(this.taken).find(match);
    if (have) {
      this.taken = this.messages.indexOf(have) + 1;
      return Promise.resolve(have);
    }
    return new Promise<M>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} message in ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`)), timeoutMs);
      this.waiters.push({
        pred: match,
        resolve: (m) => {
          clearTimeout(timer);
          this.taken = this.messages.indexOf(m) + 1;
          resolve(m as M);
        },
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

let server: RunningServer;
let admin: Awaited<ReturnType<typeof signIn>>;
let started: Started;
let rep: SessionClient;
let customerTicket: SessionTicket;
let customer: SessionClient;
const sockets: RawSocket[] = [];

function rawSocket(): RawSocket {
  const s = new RawSocket(server.wsUrl);
  sockets.push(s);
  return s;
}

/** What the rep may see of the session now, from a brand-new connection. */
function repFreshView(): Promise<SessionView> {
  return freshView(server, started.ticket);
}

before(async () => {
  server = await startServer();
  admin = await signIn(server.url);
  started = await startSession(admin.api);
  rep = await connect(server, started.ticket);
  customerTicket = await joinByNumber(server.url, started.number, 'Carla Customer');
  customer = await connect(server, customerTicket);
  await waitForView(rep, (v) => v.participants[customerTicket.participantId]?.status === 'waiting');
  await rep.admit(customerTicket.participantId);
  await waitForView(rep, (v) => v.participants[customerTicket.participantId]?.connected === true && v.participants[customerTicket.participantId]?.status === 'admitted');
});
after(async () => {
  for (const s of sockets) s.close();
  rep?.close();
  customer?.close();
  await server?.stop();
});

describe('WebSocket frames', () => {
  test('frames that are not JSON, binary, of unknown type, missing fields or with over-long chat get RS_ERR_VALIDATION and change nothing', async () => {
    const sock = rawSocket();
    await sock.opened;
    sock.hello(customerTicket);
    await sock.next('welcome');
    await sock.next('history');
    // A second socket of a connected customer adds no presence event: the session is settled.
    const before = await repFreshView();

    sock.send('this is not JSON');
    const notJson = await sock.next('error');
    assert.equal(notJson.code, 'RS_ERR_VALIDATION');
    assert.match(notJson.message, /JSON/);

    sock.send(Buffer.from(JSON.stringify({ type: 'chat.send', rid: 'bin', text: 'binary' })));
    const binary = await sock.next('error');
    assert.equal(binary.code, 'RS_ERR_VALIDATION');
    assert.equal(binary.rid, undefined);

    const cases: { frame: Record<string, unknown>; mentions: RegExp }[] = [
      { frame: { type: 'chat.shout', rid: 'v1', text: 'hi' }, mentions: /type/ },
      { frame: { type: 'chat.send', rid: 'v2' }, mentions: /text/ },
      { frame: { type: 'participant.admit', rid: 'v3' }, mentions: /participantId/ },
      { frame: { type: 'control.transfer', rid: 'v4', to: 'bad id!' }, mentions: /to/ },
      { frame: { type: 'chat.send', rid: 'v5', text: 'x'.repeat(LIMITS.chatText + 1) }, mentions: new RegExp(`at most ${LIMITS.chatText}`) },
      { frame: { type: 'chat.send', rid: 'v6', text: '   ' }, mentions: /empty/ },
      { frame: { type: 'notes.save', rid: 'v7', text: 'n'.repeat(LIMITS.notesText + 1) }, mentions: /text/ },
    ];
    for (const { frame, mentions } of cases) {
      sock.send(frame);
      const err = await sock.next('error', (m) => m.rid === frame.rid);
      assert.equal(err.code, 'RS_ERR_VALIDATION', JSON.stringify(err));
      assert.match(err.message, mentions);
    }
    // A frame without a rid gets an error without one.
    sock.send({ type: 'session.leave' });
    const noRid = await sock.next('error');
    assert.equal(noRid.rid, undefined);
    assert.equal(noRid.code, 'RS_ERR_VALIDATION');

    // Still connected and working afterwards.
    sock.send({ type: 'ping', rid: 'p1' });
    await sock.next('pong', (m) => m.rid === 'p1');
    assert.ok(!sock.messages.some((m) => m.type === 'ack'), 'nothing was acknowledged');
    assert.ok(!sock.messages.some((m) => m.type === 'event'), 'nothing happened');

    // Nothing was stored: the rep's fresh view is unchanged, and the next event gets the next seq.
    assert.deepEqual(await repFreshView(), before);
    sock.send({ type: 'chat.send', rid: 'ok1', text: 'y'.repeat(LIMITS.chatText) });
    const ack = await sock.next('ack', (m) => m.rid === 'ok1');
    assert.equal(ack.seq, before.lastSeq + 1, `a message of exactly ${LIMITS.chatText} characters is accepted`);
    await waitForView(rep, (v) => v.lastSeq === ack.seq);
  });

  test('a hello with a wrong token is refused with RS_ERR_UNAUTHENTICATED and close code 4401', async () => {
    const before = await repFreshView();
    const wrongMac = rawSocket();
    await wrongMac.opened;
    wrongMac.hello(customerTicket, { token: `${customerTicket.participantId}.${'A'.repeat(43)}` });
    assert.equal((await wrongMac.next('error')).code, 'RS_ERR_UNAUTHENTICATED');
    assert.equal((await wrongMac.closed).code, CLOSE_CODES.UNAUTHENTICATED);
    assert.equal(CLOSE_CODES.UNAUTHENTICATED, 4401);

    // A real token of one session does not open another.
    const other = await startSession(admin.api);
    const wrongSession = rawSocket();
    await wrongSession.opened;
    wrongSession.hello({ sessionId: other.sessionId, token: customerTicket.token });
    assert.equal((await wrongSession.next('error')).code, 'RS_ERR_UNAUTHENTICATED');
    assert.equal((await wrongSession.closed).code, 4401);
    assert.ok(!wrongSession.messages.some((m) => m.type === 'welcome' || m.type === 'history'), 'it learned nothing of the session');

    assert.deepEqual(await repFreshView(), before);
  });

  test('a hello of another protocol version is refused with RS_ERR_CLIENT_TOO_OLD and close code 4426', async () => {
    const before = await repFreshView();
    const sock = rawSocket();
    await sock.opened;
    sock.hello(customerTicket, { protocolVersion: PROTOCOL_VERSION + 1 });
    assert.equal((await sock.next('error')).code, 'RS_ERR_CLIENT_TOO_OLD');
    assert.equal((await sock.closed).code, 4426);
    assert.ok(!sock.messages.some((m) => m.type === 'welcome'), 'an outdated client is not welcomed');
    assert.deepEqual(await repFreshView(), before);
  });

  test('an intent before hello, or an invalid hello, closes the socket with 4400 and changes nothing', async () => {
    const before = await repFreshView();
    const early = rawSocket();
    await early.opened;
    early.send({ type: 'chat.send', rid: 'e1', text: 'who needs a hello?' });
    assert.equal((await early.closed).code, CLOSE_CODES.BAD_HELLO);
    assert.equal(CLOSE_CODES.BAD_HELLO, 4400);
    assert.ok(!early.messages.some((m) => m.type === 'ack'), 'an intent before hello is not acknowledged');

    const badHello = rawSocket();
    await badHello.opened;
    badHello.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, sessionId: started.sessionId, lastSeq: 0 });
    const err = await badHello.next('error');
    assert.equal(err.code, 'RS_ERR_VALIDATION');
    assert.match(err.message, /token/);
    assert.equal((await badHello.closed).code, 4400);

    assert.deepEqual(await repFreshView(), before);
    assert.ok(!(await repFreshView()).chat.some((m) => m.text === 'who needs a hello?'), 'the early chat was not stored');
  });
});

describe('REST bodies', () => {
  test('invalid /api/join bodies get 400 RS_ERR_VALIDATION with issues, and nobody starts waiting', async () => {
    const before = await repFreshView();
    const n = started.number;
    const cases: [unknown, string[]][] = [
      [{}, ['number', 'name']],
      [{ number: '12345', name: 'Ann' }, ['number']],
      [{ number: Number(n), name: 'Ann' }, ['number']],
      [{ number: `${n}0`, name: 'Ann' }, ['number']],
      [{ number: n, name: '' }, ['name']],
      [{ number: n, name: '    ' }, ['name']],
      [{ number: n, name: 'Bell\u0007Ringer' }, ['name']],
      [{ number: n, name: 'N'.repeat(LIMITS.name + 1) }, ['name']],
      [{ number: n, name: 'Ann', email: 'not-an-email' }, ['email']],
    ];
    for (const [body, paths] of cases) {
      assertError(await raw(server.url, 'POST', '/api/join', { body }), 400, 'RS_ERR_VALIDATION', paths);
    }
    // Not JSON at all, or not declared as JSON.
    assertError(await raw(server.url, 'POST', '/api/join', { rawBody: '{"number": ' }), 400, 'RS_ERR_VALIDATION');
    assertError(
      await raw(server.url, 'POST', '/api/join', { rawBody: `number=${n}&name=Ann`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      400,
      'RS_ERR_VALIDATION',
    );
    const after = await repFreshView();
    assert.deepEqual(after, before);
    assert.equal(Object.values(after.participants).filter((p) => p.status === 'waiting').length, 0);
  });

  test('invalid /api/sessions/assist and /api/sessions bodies get 400 with issues, and nothing is stored', async () => {
    const before = await repFreshView();
    const sessionsBefore = await admin.api.get<{ sessions: unknown[] }>('/api/sessions');
    assertError(await rawAs(server.url, admin.api, 'POST', '/api/sessions/assist', { body: {} }), 400, 'RS_ERR_VALIDATION', ['number']);
    assertError(await rawAs(server.url, admin.api, 'POST', '/api/sessions/assist', { body: { number: 'abcdefghi' } }), 400, 'RS_ERR_VALIDATION', ['number']);
    // Starting a session takes no options: unknown keys are refused.
    assertError(await rawAs(server.url, admin.api, 'POST', '/api/sessions', { body: { number: '123456789' } }), 400, 'RS_ERR_VALIDATION');
    assert.deepEqual(await admin.api.get('/api/sessions'), sessionsBefore);
    assert.deepEqual(await repFreshView(), before);
  });

  test('a session number nobody uses gets 404 RS_ERR_NOT_FOUND', async () => {
    const open = (await admin.api.get<{ sessions: { number: string }[] }>('/api/sessions')).sessions.map((s) => s.number);
    const unused = ['000000001', '999999998', '555555555'].find((x) => !open.includes(x))!;
    assertError(await raw(server.url, 'POST', '/api/join', { body: { number: unused, name: 'Ann' } }), 404, 'RS_ERR_NOT_FOUND');
    assertError(await rawAs(server.url, admin.api, 'POST', '/api/sessions/assist', { body: { number: unused } }), 404, 'RS_ERR_NOT_FOUND');
  });

  test('the number of an ended session gets 410 RS_ERR_SESSION_ENDED, and the ended session stays as it was', async () => {
    const ended = await startSession(admin.api);
    const client = await connect(server, ended.ticket);
    await client.endSession();
    await waitForState(client, 'closed');
    assert.equal(client.connection.state === 'closed' && client.connection.code, CLOSE_CODES.SESSION_ENDED);
    const before = await freshView(server, ended.ticket);
    assert.equal(before.status.state, 'ended');

    assertError(await raw(server.url, 'POST', '/api/join', { body: { number: ended.number, name: 'Late Larry' } }), 410, 'RS_ERR_SESSION_ENDED');
    assertError(await rawAs(server.url, admin.api, 'POST', '/api/sessions/assist', { body: { number: ended.number } }), 410, 'RS_ERR_SESSION_ENDED');
    assert.deepEqual(await freshView(server, ended.ticket), before);
  });

  test('invalid /api/users bodies get 400 RS_ERR_VALIDATION with issues, and no user is added', async () => {
    const usersBefore = await admin.api.get<{ users: unknown[] }>('/api/users');
    const good = { email: 'new.rep@example.test', name: 'New Rep', password: 'long-enough-1', roles: { admin: false, rep: true, agent: false } };
    const cases: [unknown, string[]][] = [
      [{}, ['email', 'name', 'password', 'roles']],
      [{ ...good, email: 'no-at-sign' }, ['email']],
      [{ ...good, name: '' }, ['name']],
      [{ ...good, name: 'Tab\tName' }, ['name']],
      [{ ...good, password: 'short' }, ['password']],
      [{ ...good, roles: { admin: false, rep: true } }, ['roles.agent']],
      [{ ...good, roles: 'admin' }, ['roles']],
    ];
    for (const [body, paths] of cases) {
      const err = assertError(await rawAs(server.url, admin.api, 'POST', '/api/users', { body }), 400, 'RS_ERR_VALIDATION', paths);
      if (body !== null && typeof body === 'object' && 'password' in body && body.password === 'short') {
        assert.ok(err.issues?.some((i) => i.path === 'password' && /at least 8/.test(i.message)), `the password issue says why: ${JSON.stringify(err.issues)}`);
      }
    }
    assert.deepEqual(await admin.api.get('/api/users'), usersBefore);

    // Editing with a field that does not exist is refused too, and changes nothing.
    const me = (await admin.api.get<{ user: { id: string } }>('/api/auth/me')).user;
    assertError(
      await rawAs(server.url, admin.api, 'PATCH', `/api/users/${me.id}`, { body: { name: 'Renamed', isAdmin: false } }),
      400,
      'RS_ERR_VALIDATION',
    );
    assertError(await rawAs(server.url, admin.api, 'PATCH', '/api/users/no-such-user', { body: { name: 'Ghost' } }), 404, 'RS_ERR_NOT_FOUND');
    assert.deepEqual(await admin.api.get('/api/users'), usersBefore);
  });
});
