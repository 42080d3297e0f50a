/**
 * The OpenAPI document against the routes the server really registers,
 * /metrics and /healthz, and the CSR activity report (REP-1) in JSON and CSV.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SessionClient } from '@rs/client';
import type { ActivityRow, SessionTicket } from '@rs/protocol';
import { buildServer } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { RegisteredRoute } from '../src/context.js';
import { createRep, signIn } from '../../../test/support/http.js';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { waitForState, waitForView } from '../../../test/support/ws.js';
import { assertError, connect, isoDate, joinByNumber, raw, rawAs, startSession } from './api-helpers.js';

let server: RunningServer;
let admin: Awaited<ReturnType<typeof signIn>>;
const clients = new Set<SessionClient>();

before(async () => {
  server = await startServer();
  admin = await signIn(server.url);
});
after(async () => {
  for (const c of clients) c.close();
  await server?.stop();
});

async function open(ticket: { sessionId: string; token: string }): Promise<SessionClient> {
  const c = await connect(server, ticket);
  clients.add(c);
  return c;
}

/** The routes an instance of the server registers, from Fastify's onRoute hook (ctx.routes). */
async function registeredRoutes(): Promise<RegisteredRoute[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-routes-'));
  const built = await buildServer(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0' }));
  try {
    await built.ctx.app.ready();
    return [...built.ctx.routes];
  } finally {
    await built.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { summary?: string; 'x-required-role'?: string; requestBody?: unknown; security?: unknown[] }>>;
}

function metricValue(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\d+(?:\\.\\d+)?)$`, 'm').exec(text);
  assert.ok(m, `${name} is in the metrics:\n${text.slice(0, 500)}`);
  return Number(m[1]);
}

describe('health and metrics', () => {
  test('/metrics is Prometheus text and rs_ws_connections counts open session sockets', async () => {
    const first = await raw(server.url, 'GET', '/metrics');
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(first.text, /^# HELP rs_ws_connections /m);
    assert.match(first.text, /^# TYPE rs_ws_connections gauge$/m);
    assert.match(first.text, /^# TYPE rs_http_requests_total counter$/m);
    assert.equal(metricValue(first.text, 'rs_ws_connections'), 0, 'no sockets yet');

    const started = await startSession(admin.api);
    const rep = await open(started.ticket);
    assert.equal(metricValue((await raw(server.url, 'GET', '/metrics')).text, 'rs_ws_connections'), 1);
    assert.equal(metricValue((await raw(server.url, 'GET', '/metrics')).text, 'rs_live_sessions'), 1);
    await rep.endSession();
    await waitForState(rep, 'closed');
  });

  test('/healthz answers ok with the database and bus in use', async () => {
    const res = await raw(server.url, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { ok: true, database: 'sqlite', bus: 'memory' });
  });
});

describe('OpenAPI document', () => {
  let doc: OpenApiDoc;
  let routes: RegisteredRoute[];
  before(async () => {
    const res = await raw(server.url, 'GET', '/api/openapi.json');
    assert.equal(res.status, 200);
    doc = res.json as OpenApiDoc;
    routes = await registeredRoutes();
  });

  const asOpenApi = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

  test('documents every /api route, /healthz and /metrics the server registers, and nothing else', () => {
    assert.equal(doc.openapi, '3.1.0');
    const rest = routes
      .filter((r) => r.method !== 'HEAD' && (r.url.startsWith('/api/') || r.url === '/healthz' || r.url === '/metrics'))
      .map((r) => `${r.method} ${asOpenApi(r.url)}`);
    // The route list itself is real: it holds routes of every module.
    for (const known of ['POST /api/auth/sign-in', 'POST /api/join', 'GET /api/reports/activity', 'PATCH /api/users/{id}', 'GET /healthz', 'GET /metrics', 'GET /api/openapi.json']) {
      assert.ok(rest.includes(known), `${known} is registered`);
    }
    assert.ok(routes.some((r) => r.url === '/ws'), 'the WebSocket route is seen too (and is not REST)');
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    assert.deepEqual(rest.filter((r) => !documented.includes(r)), [], 'registered but not documented');
    assert.deepEqual(documented.filter((d) => !rest.includes(d)), [], 'documented but not registered');
    assert.equal(new Set(rest).size, rest.length, 'no route twice');
  });

  test('every operation has a summary and its required role; writes with a body document it', () => {
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        assert.ok(op.summary && op.summary.length > 5, `${method} ${p} has a summary`);
        assert.ok(['none', 'user', 'rep', 'admin'].includes(op['x-required-role'] ?? ''), `${method} ${p} says who may call it`);
      }
    }
    assert.ok(doc.paths['/api/users']?.post?.requestBody, 'POST /api/users documents its body');
    assert.ok(doc.paths['/api/join']?.post?.requestBody, 'POST /api/join documents its body');
  });

  test('the documented role is what the server enforces: without a cookie, exactly the non-public routes answer 401', async () => {
    for (const [p, ops] of Object.entries(doc.paths)) {
      const url = p.replace(/\{[A-Za-z]+\}/g, 'abcdefghijklmnopqrstuvwx');
      for (const [method, op] of Object.entries(ops)) {
        const res = await raw(server.url, method.toUpperCase(), url, method === 'get' ? {} : { body: {} });
        if (op['x-required-role'] === 'none') assert.notEqual(res.status, 401, `${method} ${p} is public: ${res.text}`);
        else assertError(res, 401, 'RS_ERR_UNAUTHENTICATED');
      }
    }
  });
});

describe('CSR activity report', () => {
  const NOTES = 'Printer fixed, driver "PX-10" reinstalled';
  let rep1: Awaited<ReturnType<typeof createRep>>;
  let rep2: Awaited<ReturnType<typeof createRep>>;
  let sessionId: string;
  let number: string;
  let day: string;

  before(async () => {
    rep1 = await createRep(server.url, admin.api, 'Rhea Primary');
    rep2 = await createRep(server.url, admin.api, 'Sam Second');
    const started = await startSession(rep1.api);
    sessionId = started.sessionId;
    number = started.number;
    const p = await open(started.ticket);
    day = isoDate(p.view!.startedAt);

    // One customer admitted, one denied (a denied person is not a customer served).
    const carla = await joinByNumber(server.url, number, 'Carla Customer');
    await open(carla);
    const dennis = await joinByNumber(server.url, number, 'Dennis Denied');
    await waitForView(p, (v) => v.participants[carla.participantId]?.status === 'waiting' && v.participants[dennis.participantId]?.status === 'waiting');
    await p.admit(carla.participantId);
    await p.deny(dennis.participantId);

    const assist = await rep2.api.post<{ ticket: SessionTicket }>('/api/sessions/assist', { number });
    const a = await open(assist.ticket);
    await p.saveNotes(NOTES);
    await p.transferControl(assist.ticket.participantId);
    await waitForView(a, (v) => v.primaryId === assist.ticket.participantId);
    await a.endSession();
    await Promise.all([waitForState(p, 'closed'), waitForState(a, 'closed')]);
  });

  function report(api: typeof admin.api, query: string) {
    return api.get<{ rows: ActivityRow[] }>(`/api/reports/activity?${query}`);
  }

  function checkRow(row: ActivityRow | undefined, rep: { name: string; email: string }) {
    assert.ok(row, `a row for ${rep.name}`);
    assert.equal(row.repName, rep.name);
    assert.equal(row.repEmail, rep.email);
    assert.equal(row.sessionNumber, number);
    assert.equal(row.customers, 1, 'one customer served; the denied one does not count');
    assert.equal(row.transfers, 1);
    assert.equal(row.notes, NOTES);
    assert.ok(row.end, 'the session ended');
    assert.ok(row.end >= row.start, 'it ended after it started');
    assert.equal(row.durationSeconds, Math.round((Date.parse(row.end) - Date.parse(row.start)) / 1000));
    assert.equal(row.role, 'primary', 'both reps were in control at some point');
  }

  test('a rep sees only their own rows; an admin sees every rep', async () => {
    const q = `from=${day}&to=${day}`;
    const mine1 = (await report(rep1.api, q)).rows;
    assert.deepEqual(
      mine1.map((r) => r.repEmail),
      [rep1.email],
      'rep 1 sees one row, their own, although rep 2 was in the same session',
    );
    checkRow(mine1[0], rep1);
    const mine2 = (await report(rep2.api, q)).rows;
    assert.deepEqual(mine2.map((r) => r.repEmail), [rep2.email]);
    checkRow(mine2[0], rep2);

    const all = (await report(admin.api, q)).rows.filter((r) => r.sessionId === sessionId);
    assert.deepEqual(all.map((r) => r.repEmail).sort(), [rep1.email, rep2.email].sort());
    checkRow(all.find((r) => r.repEmail === rep1.email), rep1);
    checkRow(all.find((r) => r.repEmail === rep2.email), rep2);
  });

  test('format=csv answers text/csv with a header line and the same values', async () => {
    const res = await rawAs(server.url, admin.api, 'GET', `/api/reports/activity?from=${day}&to=${day}&format=csv`);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`attachment; filename="csr-activity-${day}-${day}\\.csv"`));
    const [header, ...lines] = res.text.trimEnd().split('\r\n');
    assert.equal(header, 'Rep,Rep email,Role,Session number,Start,End,Duration (s),Customers,Transfers,Notes,Inbound queue');
    const json = (await report(admin.api, `from=${day}&to=${day}`)).rows;
    const rows = lines.map(parseCsvLine);
    assert.equal(rows.length, json.length, 'one line per row');
    const ours = rows.filter((r) => r[3] === number);
    assert.equal(ours.length, 2);
    for (const rep of [rep1, rep2]) {
      const cells = ours.find((r) => r[1] === rep.email);
      const row = json.find((r) => r.sessionId === sessionId && r.repEmail === rep.email)!;
      assert.deepEqual(cells, [
        rep.name,
        rep.email,
        'primary',
        number,
        row.start,
        row.end,
        String(row.durationSeconds),
        '1',
        '1',
        NOTES,
        '',
      ]);
    }
  });

  test('a date range that excludes the day of the session returns no rows', async () => {
    for (const q of [`from=${isoDate(day, -1)}&to=${isoDate(day, -1)}`, `from=${isoDate(day, 1)}`, `to=${isoDate(day, -3)}`]) {
      assert.deepEqual((await report(admin.api, q)).rows, [], q);
      assert.deepEqual((await report(rep1.api, q)).rows, [], q);
    }
    const csv = await rawAs(server.url, admin.api, 'GET', `/api/reports/activity?from=${isoDate(day, 1)}&format=csv`);
    assert.equal(csv.text.trimEnd().split('\r\n').length, 1, 'only the header line');
  });

  test('an invalid date is refused with 400 RS_ERR_VALIDATION; without a sign-in with 401', async () => {
    assertError(await rawAs(server.url, admin.api, 'GET', '/api/reports/activity?from=yesterday'), 400, 'RS_ERR_VALIDATION', ['from']);
    assertError(await rawAs(server.url, admin.api, 'GET', `/api/reports/activity?to=${day}&format=xlsx`), 400, 'RS_ERR_VALIDATION', ['format']);
    assertError(await raw(server.url, 'GET', `/api/reports/activity?from=${day}`), 401, 'RS_ERR_UNAUTHENTICATED');
  });
});

/** One CSV line of the report (RFC 4180 quoting; no line breaks inside cells here). */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let cell = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else cell += line[i++];
      }
      cells.push(cell);
      i++; // the comma
    } else {
      const end = line.indexOf(',', i);
      const stop = end === -1 ? line.length : end;
      cells.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return cells;
}
