/**
 * Small helpers shared by the server API tests (rules, intent matrix,
 * validation, auth, reports); not a test file itself.
 */
import assert from 'node:assert/strict';
import type { ApiClient, SessionClient } from '@rs/client';
import type { ErrorBody, ErrorCode, SessionTicket, SessionView } from '@rs/protocol';
import type { RunningServer } from '../../../test/support/server.js';
import { sessionClient, waitForState, waitForView } from '../../../test/support/ws.js';

export interface Started {
  sessionId: string;
  number: string;
  joinUrl: string;
  ticket: SessionTicket;
}

/** A rep starts a session over REST. */
export function startSession(api: ApiClient): Promise<Started> {
  return api.post<Started>('/api/sessions', {});
}

export interface Raw {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** A plain HTTP request, without the ApiClient's conveniences, to see exactly what the server answers. */
export async function raw(
  baseUrl: string,
  method: string,
  path: string,
  opts: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Raw> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Asserts a REST error answer: its status, its code, and (when asked) the fields its issues name. */
export function assertError(res: Raw, status: number, code: ErrorCode, issuePaths?: string[]): ErrorBody['error'] {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  const body = res.json as ErrorBody;
  assert.equal(body?.error?.code, code, res.text);
  assert.ok(body.error.message.length > 0, 'an error has a message for the user');
  if (issuePaths) {
    assert.ok(Array.isArray(body.error.issues), `expected issues in ${res.text}`);
    const paths = body.error.issues.map((i) => i.path);
    for (const p of issuePaths) assert.ok(paths.includes(p), `expected an issue at "${p}", got ${JSON.stringify(body.error.issues)}`);
  }
  return body.error;
}

/** A customer joins by number over REST (CUS-1) and gets a ticket to wait with. */
export async function joinByNumber(baseUrl: string, number: string, name: string): Promise<SessionTicket> {
  const res = await raw(baseUrl, 'POST', '/api/join', { body: { number, name } });
  assert.equal(res.status, 200, res.text);
  return res.json as SessionTicket;
}

/** Opens a participant's session socket and waits until it is welcomed and has its first view. */
export async function connect(server: RunningServer, ticket: { sessionId: string; token: string }): Promise<SessionClient> {
  const client = sessionClient(server.wsUrl, ticket).connect();
  await waitForState(client, 'open');
  await waitForView(client, () => true);
  return client;
}

/** The view a brand-new connection of this participant folds from the server's history. */
export async function freshView(server: RunningServer, ticket: { sessionId: string; token: string }): Promise<SessionView> {
  const client = sessionClient(server.wsUrl, ticket).connect();
  try {
    return await waitForView(client, () => true);
  } finally {
    client.close();
  }
}

/** The local date (UTC, as the report takes it) of an ISO time, shifted by whole days. */
export function isoDate(iso: string, shiftDays = 0): string {
  return new Date(Date.parse(iso) + shiftDays * 86_400_000).toISOString().slice(0, 10);
}

/** A plain request carrying a signed-in client's cookie and (for writes) its CSRF token. */
export function rawAs(
  baseUrl: string,
  api: ApiClient & { cookies: Map<string, string> },
  method: string,
  path: string,
  opts: { body?: unknown; rawBody?: string; headers?: Record<string, string>; csrf?: boolean } = {},
): Promise<Raw> {
  const headers: Record<string, string> = { cookie: [...api.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...opts.headers };
  if ((opts.csrf ?? method !== 'GET') && api.csrfToken) headers['x-csrf-token'] = api.csrfToken;
  return raw(baseUrl, method, path, { ...opts, headers });
}
