/**
 * WebACD benchmark: PEOPLE people waiting across QUEUES queues, AGENTS agents
 * going available at once; how fast are they all assigned (assignments per
 * second), how long until each is offered (p50/p99), and is anybody offered
 * twice or lost? On one node with SQLite and on two nodes sharing PostgreSQL
 * and Redis; everything through the real HTTP API of real server processes.
 *
 *   node --import tsx bench/acd/acd.ts [PEOPLE=10000] [AGENTS=1000] [QUEUES=10] [MODE=sqlite|cluster|both]
 *
 * Options come from argv (KEY=value or --key=value) or the environment; see README.md.
 * Progress goes to stderr, figures to stdout. Exits non-zero when a person was
 * offered twice (or more than once assigned), lost, or could not enter, or an
 * agent went over the limit; a missed performance target is printed, not failed on.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import WebSocket from 'ws';
import type { Queue, SiteSettings } from '@rs/protocol';
import { cpuSeconds, option, textOption } from '../support/proc.js';
import { queueBody } from '../../test/support/acd.js';
import { signIn, type apiFor } from '../../test/support/http.js';
import { freshPgDatabase, type FreshPgDatabase } from '../../test/support/pg.js';
import { startServer, type RunningServer } from '../../test/support/server.js';

// ---------------------------------------------------------------- options

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CI_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const CI_REDIS_URL = 'redis://127.0.0.1:6379';
const pgUrl = process.env.TEST_DATABASE_URL || '';
const redisUrl = process.env.TEST_REDIS_URL || '';

const opts = {
  people: option('PEOPLE', 10_000),
  agents: option('AGENTS', 1000),
  queues: option('QUEUES', 10),
  /** People per second arriving in the steady phase (0: no steady phase). */
  steadyRate: option('STEADY_RATE', 100),
  /** Seconds of arrivals in the steady phase (0: no steady phase). */
  steadySeconds: option('STEADY_SECONDS', 10),
  /** Agents' consoles (/ws/acd) open during the run: 1 = yes (always with ACCEPT=manual). */
  consoles: option('CONSOLES', 0),
  /** HTTP requests in flight while creating and signing in agents (scrypt bound). */
  setupConcurrency: option('SETUP_CONCURRENCY', 8),
  /** HTTP requests in flight while people enter before the drain. */
  enterConcurrency: option('ENTER_CONCURRENCY', 32),
  /** PATCH /api/acd/agent {status:'available'} requests in flight at the start of the drain. */
  availableConcurrency: option('AVAILABLE_CONCURRENCY', 100),
  /** The run stops waiting when no assignment was made for this many seconds. */
  stallSeconds: option('STALL_SECONDS', 30),
};
/** A folder: profile every server process during the drain (bench/acd/cpu-profile.js) and write the profiles there. */
const profileDir = textOption('PROFILE', '');
const mode = textOption('MODE', pgUrl && redisUrl ? 'both' : 'sqlite');
const accept = textOption('ACCEPT', 'auto');
/** How the drain starts: `switch` = agents available with distribution off, then on; `agents` = agents go available during the drain. */
const start = textOption('START', 'switch');
if (!['sqlite', 'cluster', 'both'].includes(mode)) throw new Error(`MODE must be sqlite, cluster or both, got ${mode}`);
if (!['switch', 'agents'].includes(start)) throw new Error(`START must be switch or agents, got ${start}`);
if (!['auto', 'manual'].includes(accept)) throw new Error(`ACCEPT must be auto or manual, got ${accept}`);
for (const [k, v] of Object.entries(opts)) {
  const mayBeZero = k === 'steadyRate' || k === 'steadySeconds' || k === 'consoles';
  if (!Number.isFinite(v) || v < 0 || (!mayBeZero && v === 0)) throw new Error(`option ${k} must be a ${mayBeZero ? 'non-negative' : 'positive'} number, got ${v}`);
}
opts.people = Math.floor(opts.people);
opts.agents = Math.floor(opts.agents);
opts.queues = Math.max(1, Math.min(Math.floor(opts.queues), opts.agents));
const consoles = accept === 'manual' || opts.consoles > 0;
const steadyPeople = opts.steadySeconds > 0 ? Math.round(opts.steadyRate * opts.steadySeconds) : 0;
const TARGET_PER_SECOND = 1000;

const log = (...args: unknown[]) => console.error(...args);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

// ---------------------------------------------------------------- helpers

async function pool<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await work(i);
      }
    }),
  );
  return out;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/** How many people each queue gets and how many agents serve it: person i → queue i mod Q, agent j → queue j mod Q. */
function perQueue(count: number, q: number, queues: number): number {
  return Math.floor(count / queues) + (q < count % queues ? 1 : 0);
}

// ---------------------------------------------------------------- the database, read from the side

/** One acd_requests row, as the bench reads it after (and during) the run. */
interface RequestRow {
  id: string;
  queue_id: string | null;
  state: string;
  entered_at: string;
  offered_at: string | null;
  assigned_at: string | null;
  agent_id: string | null;
  session_id: string | null;
}

/**
 * Reads the server's own records (acd_requests, sessions, session_events):
 * the times the server wrote when it offered and assigned, to the millisecond,
 * without watching 10 000 sockets from this process.
 */
interface DbReader {
  /** Requests that have their session (assigned and made). */
  assignedCount(): Promise<number>;
  requests(): Promise<RequestRow[]>;
  /** Every session started for an inbound request: who started it and for which request. */
  inboundSessions(): Promise<{ sessionId: string; createdBy: string; requestId: string | null }[]>;
  /** PostgreSQL: the server processes (backends) serving this database, to count their CPU. SQLite: none. */
  backendPids(): Promise<number[]>;
  close(): Promise<void>;
}

const REQUEST_COLUMNS = 'id, queue_id, state, entered_at, offered_at, assigned_at, agent_id, session_id';
const SESSIONS_SQL =
  "select s.id as id, s.created_by as created_by, e.data as data from sessions s join session_events e on e.session_id = s.id and e.seq = 1 where e.type = 'session.started'";

function requestIdOf(data: string): string | null {
  try {
    const ev = JSON.parse(data) as { inbound?: { requestId?: string } };
    return ev.inbound?.requestId ?? null;
  } catch {
    return null;
  }
}

function sqliteReader(dataDir: string): DbReader {
  // The server keeps the file in WAL mode: a reader in another process sees committed rows and blocks nobody.
  const db = new SQLite(path.join(dataDir, 'remote-support.sqlite'), { readonly: true, fileMustExist: true });
  const count = db.prepare('select count(*) as n from acd_requests where session_id is not null');
  const rows = db.prepare(`select ${REQUEST_COLUMNS} from acd_requests`);
  const sessions = db.prepare(SESSIONS_SQL);
  return {
    assignedCount: async () => Number((count.get() as { n: number }).n),
    requests: async () => rows.all() as RequestRow[],
    inboundSessions: async () =>
      (sessions.all() as { id: string; created_by: string; data: string }[])
        .map((r) => ({ sessionId: r.id, createdBy: r.created_by, requestId: requestIdOf(r.data) }))
        .filter((r) => r.requestId !== null),
    backendPids: async () => [],
    close: async () => void db.close(),
  };
}

async function pgReader(url: string): Promise<DbReader> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    assignedCount: async () => Number((await client.query<{ n: string }>('select count(*) as n from acd_requests where session_id is not null')).rows[0]?.n ?? 0),
    requests: async () => (await client.query<RequestRow>(`select ${REQUEST_COLUMNS} from acd_requests`)).rows,
    inboundSessions: async () =>
      (await client.query<{ id: string; created_by: string; data: string }>(SESSIONS_SQL)).rows
        .map((r) => ({ sessionId: r.id, createdBy: r.created_by, requestId: requestIdOf(r.data) }))
        .filter((r) => r.requestId !== null),
    backendPids: async () =>
      (await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()')).rows.map((r) => r.pid),
    close: () => client.end(),
  };
}

// ---------------------------------------------------------------- agents and their consoles

type Api = ReturnType<typeof apiFor>;

interface Agent {
  index: number;
  id: string;
  email: string;
  node: RunningServer;
  api: Api;
}

/** What the consoles saw: offers per person (by agent), accepts, refusals. */
interface ConsoleStats {
  offeredTo: Map<string, Set<string>>;
  accepted: number;
  /** Accepts the server refused (409: the offer was no longer this agent's): a double offer. */
  refused: { requestId: string; agent: string; message: string }[];
  /** Other accept failures (network, 5xx). */
  failed: string[];
  snapshots: number;
  closedByServer: number;
}

/**
 * An agent's console: `/ws/acd` with the agent's cookie, like the web page.
 * It records every offer it is shown; with ACCEPT=manual it accepts each
 * offer once, over REST, as soon as its snapshot arrives.
 */
function openConsole(agent: Agent, stats: ConsoleStats, acceptOffers: boolean, closing: { now: boolean }): Promise<WebSocket> {
  const cookie = [...agent.api.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const ws = new WebSocket(agent.node.wsUrl.replace(/\/ws$/, '/ws/acd'), { headers: { cookie } });
  const accepting = new Set<string>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { type: string; state?: { offers: { offerId: string; requestId: string }[] }; message?: string };
    if (msg.type !== 'acd.agent' || !msg.state) {
      if (msg.type === 'acd.error') stats.failed.push(`console ${agent.index}: ${msg.message}`);
      return;
    }
    stats.snapshots++;
    for (const offer of msg.state.offers) {
      const seen = stats.offeredTo.get(offer.requestId) ?? new Set<string>();
      seen.add(agent.id);
      stats.offeredTo.set(offer.requestId, seen);
      if (!acceptOffers || accepting.has(offer.offerId)) continue;
      accepting.add(offer.offerId);
      agent.api
        .post(`/api/acd/offers/${offer.offerId}/accept`, {})
        .then(() => void stats.accepted++)
        .catch((err: Error & { code?: string }) => {
          if (err.code === 'RS_ERR_INVALID_STATE' || err.code === 'RS_ERR_CONFLICT') stats.refused.push({ requestId: offer.requestId, agent: agent.id, message: err.message });
          else stats.failed.push(`accept ${offer.offerId}: ${err.code ?? ''} ${err.message}`);
        });
    }
  });
  ws.on('close', () => {
    if (!closing.now) stats.closedByServer++;
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'acd.hello', as: 'agent' }));
      resolve(ws);
    });
    ws.once('error', reject);
  });
}

// ---------------------------------------------------------------- one mode

interface PhaseResult {
  mode: string;
  phase: 'drain' | 'steady';
  people: number;
  agents: number;
  assigned: number;
  /** Seconds from the phase's start (drain: distribution on, or the first agent going available; steady: the first arrival sent) to the last assignment. */
  seconds: number;
  perSecond: number;
  /** Between the 10th and the 90th percentile of assignment times (drain: without the ramp-up and the tail). */
  perSecondMiddle: number;
  offerP50: number;
  offerP99: number;
  offerMax: number;
  /** offered_at → assigned_at (the accept). */
  acceptP50: number;
  acceptP99: number;
  doubles: number;
  lost: number;
  abandoned: number;
  overLimit: number;
  notes: string[];
}

interface ModeResult {
  mode: string;
  phases: PhaseResult[];
  setup: { usersSeconds: number; signInSeconds: number; enterSeconds: number; enterPerSecond: number; availableSeconds: number };
  /** During the drain: each server's CPU as % of one core, the whole machine's % busy, this process's %, server CPU per assignment, PostgreSQL's backends (% of one core). */
  cpu: { nodes: number[]; machineBusy: number; bench: number; msPerAssignment: number; database: number };
  maxLoad: number;
  problems: string[];
}

async function runMode(which: 'sqlite' | 'cluster'): Promise<ModeResult> {
  const problems: string[] = [];
  const label = which === 'sqlite' ? 'sqlite, 1 node' : 'postgres + redis, 2 nodes';
  log(`== ${label}: starting`);
  const env: Record<string, string> = {
    LOG_LEVEL: 'warn',
    // Every person enters from this one address: the per-address limits must not apply.
    JOIN_PER_MINUTE: '100000000',
    SIGNIN_PER_MINUTE: '100000000',
    // The production default (the test harness shortens it to 200 ms); the dispatcher ticks every min(1 s, this).
    SWEEP_INTERVAL_MS: '2000',
  };
  const nodeOptions = [process.env.SERVER_NODE_OPTIONS ?? ''];
  if (profileDir) {
    nodeOptions.push(`--import ${pathToFileURL(path.join(HERE, 'cpu-profile.js')).href}`);
    env.ACD_PROFILE_DIR = path.resolve(profileDir);
  }
  if (nodeOptions.join('').trim()) env.NODE_OPTIONS = nodeOptions.join(' ').trim();
  let db: FreshPgDatabase | null = null;
  const nodes: RunningServer[] = [];
  let reader: DbReader | null = null;
  const sockets: WebSocket[] = [];
  const closing = { now: false };
  try {
    if (which === 'cluster') {
      if (!pgUrl || !redisUrl) log(`   TEST_DATABASE_URL / TEST_REDIS_URL not set: using ${CI_DATABASE_URL} and ${CI_REDIS_URL}`);
      const adminUrl = pgUrl || CI_DATABASE_URL;
      db = await freshPgDatabase(adminUrl);
      const nodeEnv = { ...env, DATABASE_URL: db.url, REDIS_URL: redisUrl || CI_REDIS_URL };
      // One after the other: the first migrates the fresh database.
      nodes.push(await startServer({ env: nodeEnv }));
      nodes.push(await startServer({ env: nodeEnv }));
      reader = await pgReader(db.url);
    } else {
      nodes.push(await startServer({ env }));
    }
    const first = nodes[0]!;
    const nodeOf = (i: number) => nodes[i % nodes.length]!;

    // ---- setup through the API, not timed
    const admin = await signIn(first.url);
    const total = opts.people + steadyPeople;
    let maxLoad = 1;
    for (let q = 0; q < opts.queues; q++) {
      maxLoad = Math.max(maxLoad, Math.ceil(perQueue(total, q, opts.queues) / Math.max(1, perQueue(opts.agents, q, opts.queues))) + 1);
    }
    if (maxLoad > 50) throw new Error(`${total} people need ${maxLoad} customers per agent; the site allows at most 50: use more AGENTS`);
    const current = await admin.api.get<SiteSettings>('/api/settings');
    await admin.api.put('/api/settings', {
      ...current,
      webAcdEnabled: true,
      maxCustomersPerRep: maxLoad,
      // Offers are accepted at once; the longest ring keeps a slow accept under load from ringing out (which sets the agent away).
      acdOfferSeconds: 300,
      // Sessions nobody connects to are ended after this long (S-6): not during the run.
      reconnectGraceSeconds: 3600,
    } satisfies SiteSettings);

    let t = performance.now();
    const stamp = Date.now().toString(36);
    const created = await pool(opts.agents, opts.setupConcurrency, async (i) => {
      const email = `agent${i}-${stamp}@example.test`;
      const user = await admin.api.post<{ id: string }>('/api/users', { email, name: `Agent ${i}`, password: 'agent-password-1', roles: { admin: false, rep: true, agent: true } });
      if (i > 0 && i % 100 === 0) log(`   ${i} agents created`);
      return { id: user.id, email };
    });
    const usersSeconds = (performance.now() - t) / 1000;
    log(`   ${opts.agents} agents created in ${usersSeconds.toFixed(1)} s`);

    const queues: Queue[] = [];
    for (let q = 0; q < opts.queues; q++) {
      const agentIds = created.filter((_, i) => i % opts.queues === q).map((a) => a.id);
      queues.push(
        await admin.api.post<Queue>(
          '/api/acd/queues',
          // Both routing rules, alternately.
          queueBody({ name: `Queue ${q}`, slug: `queue-${q}`, agentIds, routing: q % 2 === 0 ? 'longest_idle' : 'round_robin' }),
        ),
      );
    }

    t = performance.now();
    const agents: Agent[] = await pool(opts.agents, opts.setupConcurrency, async (i) => {
      const node = nodeOf(i);
      const { api } = await signIn(node.url, created[i]!.email, 'agent-password-1');
      // Away until the drain starts; auto-accept: an offer becomes a session at once, on the server.
      await api.patch('/api/acd/agent', { status: 'away', autoAccept: accept === 'auto' });
      if (i > 0 && i % 100 === 0) log(`   ${i} agents signed in`);
      return { index: i, id: created[i]!.id, email: created[i]!.email, node, api };
    });
    const signInSeconds = (performance.now() - t) / 1000;
    log(`   ${opts.agents} agents signed in (on ${nodes.length} node${nodes.length > 1 ? 's' : ''}) in ${signInSeconds.toFixed(1)} s`);

    const consoleStats: ConsoleStats = { offeredTo: new Map(), accepted: 0, refused: [], failed: [], snapshots: 0, closedByServer: 0 };
    if (consoles) {
      t = performance.now();
      for (let i = 0; i < agents.length; i += 100) {
        sockets.push(...(await Promise.all(agents.slice(i, i + 100).map((a) => openConsole(a, consoleStats, accept === 'manual', closing)))));
      }
      log(`   ${sockets.length} agent consoles open in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    if (!reader) reader = sqliteReader(first.dataDir);

    // ---- people enter, nobody available
    const enterErrors = { count: 0, samples: [] as string[] };
    const enterFailed = (what: string) => {
      enterErrors.count++;
      if (enterErrors.samples.length < 5) enterErrors.samples.push(what);
    };
    /** When the bench sent each person's POST (Date.now(): the same clock as the server's timestamps on this machine). */
    const sentAt = new Map<string, number>();
    const enter = async (i: number): Promise<string | null> => {
      const q = i % opts.queues;
      const sent = Date.now();
      try {
        const res = await fetch(`${nodeOf(i).url}/api/acd/queues/${queues[q]!.slug}/requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Person ${i}`, email: `p${i}@example.test`, problem: `Problem number ${i}` }),
        });
        const body = (await res.json()) as { requestId?: string; error?: { code: string; message: string } };
        if (res.status !== 201 || !body.requestId) {
          enterFailed(`person ${i}: ${res.status} ${body.error?.code ?? ''} ${body.error?.message ?? ''}`);
          return null;
        }
        sentAt.set(body.requestId, sent);
        return body.requestId;
      } catch (err) {
        enterFailed(`person ${i}: ${String(err)}`);
        return null;
      }
    };
    t = performance.now();
    const drainIds = (await pool(opts.people, opts.enterConcurrency, enter)).filter((x): x is string => x !== null);
    const enterSeconds = (performance.now() - t) / 1000;
    log(`   ${drainIds.length} people entered ${opts.queues} queues in ${enterSeconds.toFixed(1)} s (${(drainIds.length / enterSeconds).toFixed(0)}/s); ${enterErrors.count} failed`);

    // Nothing may have been offered yet: all agents are away.
    const before = await reader.requests();
    const early = before.filter((r) => r.state !== 'waiting').length;
    if (early > 0) problems.push(`${label}: ${early} people were offered before any agent was available`);

    // ---- drain: every agent available at once onto the waiting line
    const availableFailures: string[] = [];
    const goAvailable = (i: number) =>
      agents[i]!.api.patch('/api/acd/agent', { status: 'available' }).then(
        () => undefined,
        (err: Error) => void availableFailures.push(`agent ${i}: ${err.message}`),
      );
    const settings = await admin.api.get<SiteSettings>('/api/settings');
    let availableAt = 0;
    if (start === 'switch') {
      // Distribution off (the dispatcher does nothing while WebACD is disabled), every agent available, distribution on.
      await admin.api.put('/api/settings', { ...settings, webAcdEnabled: false } satisfies SiteSettings);
      t = performance.now();
      await pool(agents.length, opts.availableConcurrency, goAvailable);
      availableAt = (performance.now() - t) / 1000;
      log(`   ${agents.length} agents available (distribution off) in ${availableAt.toFixed(1)} s`);
      await sleep(500);
    }
    const cpu0 = nodes.map((n) => cpuSeconds(n.proc.pid!, CLK_TCK));
    const backendCpu0 = new Map((await reader.backendPids()).map((pid) => [pid, cpuOrZero(pid)]));
    const m0 = machineCpu();
    const bench0 = process.cpuUsage();
    if (profileDir) for (const n of nodes) process.kill(n.proc.pid!, 'SIGUSR2');
    const t0 = Date.now();
    let goingAvailable: Promise<unknown> = Promise.resolve();
    if (start === 'switch') {
      log(`-- ${label}: distribution on: ${agents.length} agents available, ${drainIds.length} people waiting`);
      await admin.api.put('/api/settings', { ...settings, webAcdEnabled: true } satisfies SiteSettings);
      // Each node's dispatcher runs on its next tick (within 1 s) or when something changes on the node:
      // one agent per node saying "available" again starts it at once.
      await Promise.all(nodes.map((_, n) => goAvailable(n)));
    } else {
      log(`-- ${label}: ${agents.length} agents go available; ${drainIds.length} people waiting`);
      goingAvailable = pool(agents.length, opts.availableConcurrency, goAvailable).then(() => void (availableAt = (Date.now() - t0) / 1000));
    }
    await waitFor(reader, drainIds.length, label);
    await goingAvailable;
    if (profileDir) await stopProfiles(nodes);
    const drainWall = (Date.now() - t0) / 1000;
    const cpu1 = nodes.map((n) => cpuSeconds(n.proc.pid!, CLK_TCK));
    // Backends that served the drain: those still connected now (a backend that came and went during the drain is missed).
    const backendSeconds = (await reader.backendPids()).reduce((sum, pid) => sum + cpuOrZero(pid) - (backendCpu0.get(pid) ?? 0), 0);
    const m1 = machineCpu();
    const bench1 = process.cpuUsage(bench0);
    if (availableFailures.length > 0) problems.push(`${label}: ${availableFailures.length} agents could not go available, e.g. ${availableFailures[0]}`);
    const availableSeconds = availableAt;
    if (availableFailures.length > 0) problems.push(`${label}: ${availableFailures.length} agents could not go available, e.g. ${availableFailures[0]}`);

    // ---- steady: people keep arriving while the agents are available
    let steadyIds: string[] = [];
    let steadyStart = 0;
    let steadyAchieved = NaN;
    if (steadyPeople > 0) {
      log(`-- ${label}: steady arrivals, ${opts.steadyRate}/s for ${opts.steadySeconds} s`);
      const base = opts.people;
      const pending: Promise<string | null>[] = [];
      let inFlight = 0;
      let sent = 0;
      const startPerf = performance.now();
      steadyStart = Date.now();
      await new Promise<void>((resolve) => {
        const tick = setInterval(() => {
          const due = Math.min(steadyPeople, Math.floor(((performance.now() - startPerf) / 1000) * opts.steadyRate) + 1);
          while (sent < due && inFlight < 512) {
            inFlight++;
            pending.push(enter(base + sent++).finally(() => inFlight--));
          }
          if (sent >= steadyPeople) {
            clearInterval(tick);
            resolve();
          }
        }, 2);
      });
      steadyAchieved = steadyPeople / ((performance.now() - startPerf) / 1000);
      steadyIds = (await Promise.all(pending)).filter((x): x is string => x !== null);
      log(`   ${steadyIds.length} people arrived at ${steadyAchieved.toFixed(0)}/s`);
      await waitFor(reader, drainIds.length + steadyIds.length, label);
    }
    // Let accepts still on their way (manual mode) land before counting.
    await sleep(accept === 'manual' ? 2000 : 500);

    // ---- count, from the server's own records
    const rows = await reader.requests();
    const sessions = await reader.inboundSessions();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const sessionsOf = new Map<string, { sessionId: string; createdBy: string }[]>();
    for (const s of sessions) {
      const list = sessionsOf.get(s.requestId!) ?? [];
      list.push(s);
      sessionsOf.set(s.requestId!, list);
    }
    // Load per agent at the end: everyone assigned stays assigned (nobody ends a session).
    const loadOf = new Map<string, number>();
    for (const r of rows) if (r.agent_id && (r.state === 'assigned' || r.state === 'offered')) loadOf.set(r.agent_id, (loadOf.get(r.agent_id) ?? 0) + 1);
    const overLimit = [...loadOf.values()].filter((n) => n > maxLoad).length;
    if (overLimit > 0) problems.push(`${label}: ${overLimit} agents over the limit of ${maxLoad}`);
    const unknownSessions = sessions.filter((s) => !byId.has(s.requestId!)).length;
    if (unknownSessions > 0) problems.push(`${label}: ${unknownSessions} sessions for requests that do not exist`);
    if (enterErrors.count > 0) problems.push(`${label}: ${enterErrors.count} people could not enter, e.g. ${enterErrors.samples.join(' / ')}`);
    if (consoleStats.failed.length > 0) problems.push(`${label}: ${consoleStats.failed.length} console errors, e.g. ${consoleStats.failed.slice(0, 3).join(' / ')}`);
    if (consoleStats.closedByServer > 0) problems.push(`${label}: ${consoleStats.closedByServer} agent consoles were closed by the server`);

    const phase = (name: 'drain' | 'steady', ids: string[], startMs: number): PhaseResult => {
      const notes: string[] = [];
      const doubles = new Set<string>();
      let lost = 0;
      let abandoned = 0;
      const offer: number[] = [];
      const acceptLat: number[] = [];
      const assignedAt: number[] = [];
      const entryLag: number[] = [];
      for (const id of ids) {
        const r = byId.get(id);
        if (!r) {
          lost++;
          continue;
        }
        const made = sessionsOf.get(id) ?? [];
        // More than one session for one person: two agents were given the same person.
        if (made.length > 1) doubles.add(id);
        // The session was made by someone other than the agent the person was offered to.
        if (made.length === 1 && r.agent_id !== null && made[0]!.createdBy !== r.agent_id) doubles.add(id);
        if (consoles && (consoleStats.offeredTo.get(id)?.size ?? 0) > 1) doubles.add(id);
        if (r.state === 'abandoned') {
          abandoned++;
          continue;
        }
        if (r.state !== 'assigned' || !r.session_id || made.length === 0 || !r.offered_at || !r.assigned_at) {
          lost++;
          continue;
        }
        // Steady: from the moment the bench sent the person's POST, so that a server slow to take
        // requests in shows in the latency (entered_at is only written once the request is handled).
        const from = name === 'drain' ? startMs : (sentAt.get(id) ?? Date.parse(r.entered_at));
        offer.push(Date.parse(r.offered_at) - from);
        if (name === 'steady') entryLag.push(Date.parse(r.entered_at) - from);
        acceptLat.push(Date.parse(r.assigned_at) - Date.parse(r.offered_at));
        assignedAt.push(Date.parse(r.assigned_at));
      }
      const idSet = new Set(ids);
      for (const x of consoleStats.refused) if (idSet.has(x.requestId)) doubles.add(x.requestId);
      const offerSorted = Float64Array.from(offer).sort();
      const acceptSorted = Float64Array.from(acceptLat).sort();
      const at = Float64Array.from(assignedAt).sort();
      const last = at.length ? at[at.length - 1]! : startMs;
      const seconds = (last - startMs) / 1000;
      const i10 = Math.floor(at.length * 0.1);
      const i90 = Math.max(i10, Math.ceil(at.length * 0.9) - 1);
      const middle = at.length >= 10 ? (i90 - i10) / (((at[i90] ?? 0) - (at[i10] ?? 0)) / 1000) : NaN;
      if (name === 'steady') {
        const lag = Float64Array.from(entryLag).sort();
        notes.push(`arrivals sent at ${steadyAchieved.toFixed(0)}/s of ${opts.steadyRate}/s asked; POST sent → entered_at p50 ${fmt(percentile(lag, 50))} ms p99 ${fmt(percentile(lag, 99))} ms`);
      }
      return {
        mode: label,
        phase: name,
        people: ids.length,
        agents: opts.agents,
        assigned: at.length,
        seconds,
        perSecond: at.length / Math.max(1e-3, seconds),
        perSecondMiddle: middle,
        offerP50: percentile(offerSorted, 50),
        offerP99: percentile(offerSorted, 99),
        offerMax: offerSorted.length ? offerSorted[offerSorted.length - 1]! : NaN,
        acceptP50: percentile(acceptSorted, 50),
        acceptP99: percentile(acceptSorted, 99),
        doubles: doubles.size,
        lost,
        abandoned,
        overLimit,
        notes,
      };
    };
    const phases = [phase('drain', drainIds, t0)];
    if (steadyPeople > 0) phases.push(phase('steady', steadyIds, steadyStart));
    for (const p of phases) {
      if (p.doubles > 0) problems.push(`${label}, ${p.phase}: ${p.doubles} people offered twice`);
      if (p.lost > 0) problems.push(`${label}, ${p.phase}: ${p.lost} people lost (entered, neither assigned nor abandoned)`);
      if (p.abandoned > 0) problems.push(`${label}, ${p.phase}: ${p.abandoned} people abandoned, though nobody leaves in this bench`);
    }
    if (consoles) {
      log(`   consoles: ${consoleStats.snapshots} snapshots, ${consoleStats.offeredTo.size} people seen offered, ${consoleStats.accepted} accepted by the bench, ${consoleStats.refused.length} accepts refused`);
    }
    log(`   drain took ${drainWall.toFixed(1)} s${start === 'agents' ? `; all agents were available after ${availableSeconds.toFixed(1)} s` : ''}`);
    return {
      mode: label,
      phases,
      setup: { usersSeconds, signInSeconds, enterSeconds, enterPerSecond: drainIds.length / enterSeconds, availableSeconds },
      cpu: {
        nodes: cpu0.map((c, i) => ((cpu1[i]! - c) / drainWall) * 100),
        machineBusy: ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * 100,
        bench: ((bench1.user + bench1.system) / 1e6 / drainWall) * 100,
        database: which === 'cluster' ? (backendSeconds / drainWall) * 100 : NaN,
        msPerAssignment: (cpu1.reduce((a, c) => a + c, 0) - cpu0.reduce((a, c) => a + c, 0)) * 1000 / Math.max(1, phases[0]!.assigned),
      },
      maxLoad,
      problems,
    };
  } finally {
    closing.now = true;
    for (const s of sockets) s.terminate();
    await reader?.close().catch(() => undefined);
    for (const n of nodes) {
      await n.stop();
      // The data folder startServer made for this run (SQLite: tens of MB for 10 000 sessions); PostgreSQL's database is dropped below.
      fs.rmSync(n.dataDir, { recursive: true, force: true });
    }
    await db?.drop().catch((err: unknown) => log(`could not drop ${db?.name}: ${String(err)}`));
  }
}

function cpuOrZero(pid: number): number {
  try {
    return cpuSeconds(pid, CLK_TCK);
  } catch {
    return 0;
  }
}

/** Asks each server to write its CPU profile (second SIGUSR2) and waits until it did. */
async function stopProfiles(nodes: RunningServer[]): Promise<void> {
  for (const n of nodes) {
    const written = (n.output().match(/cpu profile written/g) ?? []).length;
    process.kill(n.proc.pid!, 'SIGUSR2');
    const until = performance.now() + 30_000;
    while ((n.output().match(/cpu profile written/g) ?? []).length === written && performance.now() < until) await sleep(50);
    log(`   ${n.output().trim().split('\n').filter((l) => l.includes('cpu profile written')).at(-1) ?? 'no cpu profile written'}`);
  }
}

/** Waits until `expected` people have their session, or nothing moved for STALL_SECONDS. Prints progress every 2 s. */
async function waitFor(reader: DbReader, expected: number, label: string): Promise<void> {
  let last = -1;
  let movedAt = performance.now();
  let printedAt = performance.now();
  for (;;) {
    const n = await reader.assignedCount();
    if (n !== last) {
      last = n;
      movedAt = performance.now();
    }
    if (n >= expected) return;
    if (performance.now() - movedAt > opts.stallSeconds * 1000) {
      log(`   ${label}: no assignment for ${opts.stallSeconds} s, ${n} of ${expected} have a session; counting`);
      return;
    }
    if (performance.now() - printedAt > 2000) {
      printedAt = performance.now();
      log(`   ${n} of ${expected} assigned`);
    }
    await sleep(100);
  }
}

// ---------------------------------------------------------------- report

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function table(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i < 2 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const cpus = os.cpus().length;
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const modes: ('sqlite' | 'cluster')[] = mode === 'both' ? ['sqlite', 'cluster'] : [mode as 'sqlite' | 'cluster'];
  console.log(
    `acd bench: ${opts.people} people waiting in ${opts.queues} queues, ${opts.agents} agents, ` +
      `accept ${accept}${accept === 'auto' ? ' (agents have auto-accept)' : ' (the bench accepts from the consoles)'}, consoles ${consoles ? 'open' : 'closed'}; ` +
      (steadyPeople > 0 ? `then ${opts.steadyRate} arrivals/s for ${opts.steadySeconds} s; ` : '') +
      `modes: ${modes.join(', ')}`,
  );
  console.log(`date: ${new Date().toISOString()}  node ${process.version}  cpus: ${cpus}  load average at start: ${load()}`);
  if (os.loadavg()[0]! > cpus * 0.5) console.log('warning: the machine is busy with other work; figures will be noisy');
  const results: ModeResult[] = [];
  for (const m of modes) results.push(await runMode(m));

  console.log(`load average at the end: ${load()}`);
  console.log('');
  const head = ['mode', 'phase', 'people', 'agents', 'assignments/s', 'offer p50 (ms)', 'offer p99 (ms)', 'double offers', 'lost', `≥ ${TARGET_PER_SECOND}/s`];
  const body = results.flatMap((r) =>
    r.phases.map((p) => [
      p.mode,
      p.phase,
      String(p.people),
      String(p.agents),
      fmt(p.perSecond),
      fmt(p.offerP50),
      fmt(p.offerP99),
      String(p.doubles),
      String(p.lost),
      p.phase === 'drain' ? (p.perSecond >= TARGET_PER_SECOND ? 'met' : 'NOT met') : '–',
    ]),
  );
  console.log(table(head, body));
  console.log('');
  console.log(
    `offer latency: drain = from ${start === 'switch' ? 'the moment distribution was switched on (every agent already available)' : 'the moment the agents started going available'} ` +
      "to the offer; steady = from the bench sending the person's POST to the offer (offered_at, written by the server).",
  );
  for (const r of results) {
    console.log(`${r.mode}: customers per agent at most ${r.maxLoad}`);
    console.log(
      `  setup (not timed): ${opts.agents} users created in ${fmt(r.setup.usersSeconds, 1)} s, signed in in ${fmt(r.setup.signInSeconds, 1)} s; ` +
        `people entered at ${fmt(r.setup.enterPerSecond)}/s; ` +
        (start === 'switch' ? `${opts.agents} agents went available (distribution off) in ${fmt(r.setup.availableSeconds, 1)} s` : `all agents were available ${fmt(r.setup.availableSeconds, 1)} s after the drain started`),
    );
    console.log(
      `  drain CPU: server ${r.cpu.nodes.map((c) => `${fmt(c)}%`).join(' + ')} of one core = ${fmt(r.cpu.msPerAssignment, 2)} ms of server CPU per assignment; ` +
        (Number.isFinite(r.cpu.database) ? `PostgreSQL backends ${fmt(r.cpu.database)}% of one core; ` : '') +
        `machine ${fmt(r.cpu.machineBusy)}% busy of ${cpus} cores, bench ${fmt(r.cpu.bench)}%`,
    );
    for (const p of r.phases) {
      console.log(
        `  ${p.phase}: ${p.assigned} of ${p.people} assigned in ${fmt(p.seconds, 2)} s (${fmt(p.perSecond)}/s overall, ${fmt(p.perSecondMiddle)}/s between 10% and 90%); ` +
          `offer max ${fmt(p.offerMax)} ms; offer → accepted p50 ${fmt(p.acceptP50)} ms p99 ${fmt(p.acceptP99)} ms; abandoned ${p.abandoned}; agents over the limit ${p.overLimit}` +
          (p.notes.length ? `; ${p.notes.join('; ')}` : ''),
      );
    }
  }
  console.log(`RESULT_JSON ${JSON.stringify({ opts, mode, accept, consoles, results })}`);
  const problems = results.flatMap((r) => r.problems);
  if (problems.length > 0) {
    console.error(`FAILED:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error('FAILED:', err);
  process.exit(1);
});
