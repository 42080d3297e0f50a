/**
 * Signaling benchmark: many sessions (one rep + one customer each) connected
 * to one real server process and chatting at a fixed rate; then the same
 * load against a raw `ws` relay (raw-relay.ts) as the baseline. Prints a
 * table of figures and whether the targets of the issue were met.
 *
 *   node --import tsx bench/signaling/bench.ts [PARTICIPANTS=2000] [RATE=0.5] [DURATION=20]
 *
 * Options come from argv (KEY=value or --key=value) or the environment; see README.md.
 * Exits non-zero when something failed (a participant could not connect, a
 * message was lost or refused, a process died); not when a target was missed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, type ClientMessage } from '@rs/protocol';
import { option, rssBytes } from '../support/proc.js';
import { signIn } from '../../test/support/http.js';
import { freePort } from '../../test/support/ports.js';
import { startServer } from '../../test/support/server.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');

// ---------------------------------------------------------------- options


const opts = {
  participants: Math.max(2, 2 * Math.ceil(option('PARTICIPANTS', 2000) / 2)),
  /** Chat messages per second per session (rep and customer take turns). */
  rate: option('RATE', 0.5),
  /** Seconds of measured chat. */
  duration: option('DURATION', 20),
  /** Seconds of chat before the measuring window (not measured). */
  warmup: option('WARMUP', 2),
  /** Characters of chat text per message (timestamp + padding). */
  messageChars: option('MESSAGE_CHARS', 100),
  /** Sockets opened at once. */
  connectBatch: option('CONNECT_BATCH', 250),
  /** HTTP requests in flight while creating sessions. */
  setupConcurrency: option('SETUP_CONCURRENCY', 16),
};
for (const [k, v] of Object.entries(opts)) {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`option ${k} must be a positive number, got ${v}`);
}
const sessions = opts.participants / 2;
const TARGET = { participants: 10_000, p99Ms: 100, memoryRatio: 2 };

// ---------------------------------------------------------------- /proc

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();


/** CPU time (user + system) a process has used, in seconds. */
function cpuOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLK_TCK;
}

// ---------------------------------------------------------------- helpers

/** Waits until a process is nearly idle (under 25% of a core for two 250 ms samples), at most 15 s. */
async function settle(pid: number): Promise<void> {
  const until = performance.now() + 15_000;
  let quiet = 0;
  while (quiet < 2 && performance.now() < until) {
    const c0 = cpuOf(pid);
    await sleep(250);
    quiet = (cpuOf(pid) - c0) / 0.25 < 0.25 ? quiet + 1 : 0;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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

/** Chat text: the send time (performance.now() of this process) and padding to a fixed size. */
function chatText(sentAt: number): string {
  const head = `${sentAt.toFixed(3)}|`;
  return head + 'x'.repeat(Math.max(0, opts.messageChars - head.length));
}
const sentAtOf = (text: string) => Number(text.slice(0, text.indexOf('|')));

// ---------------------------------------------------------------- participants

interface Stats {
  sent: number;
  delivered: number;
  errors: number;
  errorSamples: string[];
  acks: number;
  latencies: number[];
  windowStart: number;
  /** Set once the run closes its sockets on purpose. */
  closing: boolean;
  /** True during the measuring window; deliveries then are counted in `deliveredInWindow`. */
  windowOpen: boolean;
  deliveredInWindow: number;
}

interface Peer {
  ws: WebSocket;
  /** Resolves when the socket can chat; rejects when it cannot. */
  ready: Promise<void>;
}

/** What differs between the product and the raw relay. */
interface Target {
  name: string;
  pid: number;
  /** Opens the socket of side 0 (rep) or 1 (customer) of session `i`. */
  open(i: number, side: 0 | 1, stats: Stats): Peer;
  /** Whether the server acknowledges each chat message (the product does; the relay does not). */
  acknowledges: boolean;
  /** The frame a participant sends to chat. */
  chatFrame(text: string, rid: string): string;
  stop(): Promise<void>;
}

function recordChat(stats: Stats, text: string): void {
  stats.delivered++;
  if (stats.windowOpen) stats.deliveredInWindow++;
  const sentAt = sentAtOf(text);
  if (sentAt >= stats.windowStart) stats.latencies.push(performance.now() - sentAt);
}

function recordError(stats: Stats, what: string): void {
  stats.errors++;
  if (stats.errorSamples.length < 5) stats.errorSamples.push(what);
}

/** A socket the server closes during the run is an error. */
function watchClose(ws: WebSocket, stats: Stats): void {
  ws.on('close', (code, reason) => {
    if (!stats.closing) recordError(stats, `a socket was closed: ${code} ${String(reason)}`);
  });
}

function readyWithin(ws: WebSocket, ms: number, isReady: (msg: { type?: string }) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('not ready in time'));
    }, ms);
    const onMessage = (data: WebSocket.RawData) => {
      try {
        if (isReady(JSON.parse(String(data)) as { type?: string })) {
          cleanup();
          resolve();
        }
      } catch {
        // not JSON: not the ready message
      }
    };
    const onClose = (code: number) => {
      cleanup();
      reject(new Error(`closed with ${code} before ready`));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      ws.off('error', onError);
    };
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
  });
}

// ---------------------------------------------------------------- the product

interface Ticket {
  sessionId: string;
  participantId: string;
  token: string;
}

async function ours(): Promise<Target & { setupSeconds: number }> {
  // SERVER_NODE_OPTIONS: extra node flags for the server process (as NODE_OPTIONS allows them), e.g. --max-old-space-size=512.
  const extraNodeOptions = process.env.SERVER_NODE_OPTIONS;
  const server = await startServer({ env: { LOG_LEVEL: 'warn', ...(extraNodeOptions ? { NODE_OPTIONS: extraNodeOptions } : {}) } });
  const pid = server.proc.pid!;
  const t0 = performance.now();
  const { api } = await signIn(server.url);
  // A session whose primary rep has not connected within the reconnect grace period ends (S-6);
  // creating thousands of sessions takes longer than the default 60 s, so allow the most.
  const settings = await api.get<Record<string, unknown>>('/api/settings');
  await api.put('/api/settings', { ...settings, reconnectGraceSeconds: 3600 });
  // One rep starts every session and invites its customer, who accepts (admitted at once).
  const tickets = await pool(sessions, opts.setupConcurrency, async () => {
    const started = await api.post<{ sessionId: string; ticket: Ticket }>('/api/sessions', {});
    const inv = await api.post<{ link: string }>(`/api/sessions/${started.sessionId}/invitations`, {
      invitee: 'customer',
      email: 'customer@example.test',
      ownMailProgram: true,
    });
    const token = inv.link.split('/').at(-1)!;
    const res = await fetch(`${server.url}/api/invitations/${token}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench Customer' }),
    });
    if (!res.ok) throw new Error(`accept answered ${res.status}: ${await res.text()}`);
    return [started.ticket, (await res.json()) as Ticket] as const;
  });
  const setupSeconds = (performance.now() - t0) / 1000;
  return {
    name: 'ours',
    pid,
    acknowledges: true,
    setupSeconds,
    open(i, side, stats) {
      const ticket = tickets[i]![side];
      const ws = new WebSocket(server.wsUrl);
      ws.on('error', () => undefined);
      ws.on('open', () => {
        const hello: ClientMessage = { type: 'hello', protocolVersion: PROTOCOL_VERSION, sessionId: ticket.sessionId, token: ticket.token, lastSeq: 0 };
        ws.send(JSON.stringify(hello));
      });
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as {
          type: string;
          code?: string;
          message?: string;
          envelope?: { event: { type: string; from?: string; text?: string } };
        };
        if (msg.type === 'event') {
          const e = msg.envelope!.event;
          if (e.type === 'chat.message' && e.from !== ticket.participantId) recordChat(stats, e.text!);
        } else if (msg.type === 'ack') stats.acks++;
        else if (msg.type === 'error') recordError(stats, `${msg.code}: ${msg.message}`);
      });
      // Ready once the history came: the participant sees the session and may chat.
      watchClose(ws, stats);
      return { ws, ready: readyWithin(ws, 60_000, (m) => m.type === 'history') };
    },
    chatFrame(text, rid) {
      const msg: ClientMessage = { type: 'chat.send', rid, text };
      return JSON.stringify(msg);
    },
    stop: () => server.stop(),
  };
}

// ---------------------------------------------------------------- the baseline

async function rawRelay(): Promise<Target & { setupSeconds: number }> {
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'raw-relay.ts'), String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes('raw relay listening')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`raw relay exited with ${code}`)));
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    name: 'raw ws relay',
    pid: proc.pid!,
    acknowledges: false,
    setupSeconds: 0,
    open(i, _side, stats) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/?pair=${i}`);
      ws.on('error', () => undefined);
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; text?: string };
        // The partner's chat.send frame, forwarded as it was.
        if (msg.type === 'chat.send') recordChat(stats, msg.text!);
      });
      watchClose(ws, stats);
      return { ws, ready: readyWithin(ws, 60_000, (m) => m.type === 'paired') };
    },
    chatFrame(text, rid) {
      const msg: ClientMessage = { type: 'chat.send', rid, text };
      return JSON.stringify(msg);
    },
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------- one run

interface Result {
  name: string;
  requested: number;
  connected: number;
  setupSeconds: number;
  connectSeconds: number;
  rssBefore: number;
  rssConnected: number;
  rssEnd: number;
  bytesPerParticipant: number;
  cpuPercent: number;
  /** Server CPU time per chat message delivered during the window, in microseconds. */
  cpuMicrosPerMessage: number;
  loadGenCpuPercent: number;
  sent: number;
  delivered: number;
  errors: number;
  errorSamples: string[];
  acks: number;
  measured: number;
  p50: number;
  p99: number;
  max: number;
  achievedRate: number;
}

async function run(make: () => Promise<Target & { setupSeconds: number }>): Promise<Result> {
  const target = await make();
  const stats: Stats = { sent: 0, delivered: 0, errors: 0, errorSamples: [], acks: 0, latencies: [], windowStart: Infinity, closing: false, windowOpen: false, deliveredInWindow: 0 };
  try {
    await settle(target.pid);
    const rssBefore = rssBytes(target.pid);

    // Connect in batches, so that the OS (listen backlog, SYN queue) is not overwhelmed.
    const peers: (readonly [Peer, Peer])[] = [];
    const tConnect = performance.now();
    let failed = 0;
    for (let start = 0; start < sessions; start += Math.max(1, Math.floor(opts.connectBatch / 2))) {
      const end = Math.min(sessions, start + Math.max(1, Math.floor(opts.connectBatch / 2)));
      const batch: (readonly [Peer, Peer])[] = [];
      for (let i = start; i < end; i++) batch.push([target.open(i, 0, stats), target.open(i, 1, stats)] as const);
      const settled = await Promise.allSettled(batch.flatMap(([a, b]) => [a.ready, b.ready]));
      for (const s of settled) {
        if (s.status === 'rejected') {
          failed++;
          recordError(stats, `connect: ${String(s.reason)}`);
        }
      }
      peers.push(...batch);
    }
    const connectSeconds = (performance.now() - tConnect) / 1000;
    const connected = opts.participants - failed;
    // Let connect-time work (presence events, history) finish before measuring memory and chatting.
    await settle(target.pid);
    const rssConnected = rssBytes(target.pid);

    // Chat: message m goes out at t0 + m * gap, from session m % S; rep and customer take turns.
    const total = Math.round((opts.warmup + opts.duration) * opts.rate * sessions);
    const gapMs = 1000 / (opts.rate * sessions);
    const t0 = performance.now();
    stats.windowStart = t0 + opts.warmup * 1000;
    let windowCpu0 = NaN;
    let loadGenCpu0: NodeJS.CpuUsage | null = null;
    let windowCpu1 = NaN;
    let loadGenCpu1: NodeJS.CpuUsage | null = null;
    let windowEnd = NaN;
    let m = 0;
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const now = performance.now();
        if (loadGenCpu0 === null && now >= stats.windowStart) {
          windowCpu0 = cpuOf(target.pid);
          loadGenCpu0 = process.cpuUsage();
          stats.windowOpen = true;
        }
        while (m < total && t0 + m * gapMs <= now) {
          const session = m % sessions;
          const turn = Math.floor(m / sessions);
          const peer = peers[session]![turn % 2]!;
          if (peer.ws.readyState === WebSocket.OPEN) {
            peer.ws.send(target.chatFrame(chatText(performance.now()), `r${m}`));
            stats.sent++;
          } else recordError(stats, `session ${session}: a socket was no longer open when it was its turn to chat`);
          m++;
        }
        if (m >= total) {
          clearInterval(tick);
          stats.windowOpen = false;
          windowCpu1 = cpuOf(target.pid);
          loadGenCpu1 = process.cpuUsage(loadGenCpu0 ?? undefined);
          windowEnd = performance.now();
          resolve();
        }
      }, 2);
    });
    // What is still on its way arrives now: an overloaded server delivers late (that shows in the
    // latency); a message counts as lost only when nothing more arrives for 10 s (at most 5 min).
    const drained = () => stats.delivered >= stats.sent && (!target.acknowledges || stats.acks >= stats.sent);
    const drainLimit = performance.now() + 300_000;
    let progressAt = performance.now();
    let seen = stats.delivered + stats.acks;
    while (!drained() && performance.now() < drainLimit && performance.now() - progressAt < 10_000) {
      await sleep(20);
      if (stats.delivered + stats.acks !== seen) {
        seen = stats.delivered + stats.acks;
        progressAt = performance.now();
      }
    }
    const rssEnd = rssBytes(target.pid);

    const windowSeconds = (windowEnd - stats.windowStart) / 1000;
    const lat = Float64Array.from(stats.latencies).sort();
    const lg = loadGenCpu1 as NodeJS.CpuUsage | null;
    const result: Result = {
      name: target.name,
      requested: opts.participants,
      connected,
      setupSeconds: target.setupSeconds,
      connectSeconds,
      rssBefore,
      rssConnected,
      rssEnd,
      bytesPerParticipant: (rssConnected - rssBefore) / Math.max(1, connected),
      cpuPercent: ((windowCpu1 - windowCpu0) / windowSeconds) * 100,
      cpuMicrosPerMessage: ((windowCpu1 - windowCpu0) / Math.max(1, stats.deliveredInWindow)) * 1e6,
      loadGenCpuPercent: lg ? ((lg.user + lg.system) / 1e6 / windowSeconds) * 100 : NaN,
      sent: stats.sent,
      delivered: stats.delivered,
      errors: stats.errors,
      errorSamples: stats.errorSamples,
      acks: stats.acks,
      measured: lat.length,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      max: lat.length ? lat[lat.length - 1]! : NaN,
      achievedRate: stats.deliveredInWindow / windowSeconds,
    };
    stats.closing = true;
    for (const [a, b] of peers) {
      a.ws.terminate();
      b.ws.terminate();
    }
    return result;
  } finally {
    await target.stop();
  }
}

// ---------------------------------------------------------------- report

const MB = 1024 * 1024;
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function table(a: Result, b: Result): string {
  const rows: [string, number, number, number][] = [
    ['participants connected', a.connected, b.connected, 0],
    ['connect time (s)', a.connectSeconds, b.connectSeconds, 2],
    ['chat messages sent', a.sent, b.sent, 0],
    ['chat messages delivered', a.delivered, b.delivered, 0],
    ['delivered per second in the window', a.achievedRate, b.achievedRate, 0],
    ['chat latency p50 (ms)', a.p50, b.p50, 2],
    ['chat latency p99 (ms)', a.p99, b.p99, 2],
    ['chat latency max (ms)', a.max, b.max, 2],
    ['server RSS before connecting (MB)', a.rssBefore / MB, b.rssBefore / MB, 1],
    ['server RSS connected (MB)', a.rssConnected / MB, b.rssConnected / MB, 1],
    ['server RSS at the end (MB)', a.rssEnd / MB, b.rssEnd / MB, 1],
    ['server memory per participant (KB)', a.bytesPerParticipant / 1024, b.bytesPerParticipant / 1024, 1],
    ['server CPU (% of one core)', a.cpuPercent, b.cpuPercent, 1],
    ['server CPU per chat message (µs)', a.cpuMicrosPerMessage, b.cpuMicrosPerMessage, 0],
    ['load generator CPU (% of one core)', a.loadGenCpuPercent, b.loadGenCpuPercent, 1],
  ];
  const head = ['figure', 'ours', 'raw ws relay', 'ratio'];
  const body = rows.map(([label, x, y, d]) => [label, fmt(x, d), fmt(y, d), y !== 0 && Number.isFinite(x / y) ? `${(x / y).toFixed(2)}x` : 'n/a']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  let nofile = 'unknown';
  try {
    nofile = execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  } catch {
    // informational only
  }
  console.log(
    `signaling bench: ${opts.participants} participants (${sessions} sessions), ${opts.rate} msg/s per session, ` +
      `${opts.messageChars}-character messages, ${opts.warmup} s warm-up + ${opts.duration} s measured; ulimit -n ${nofile}`,
  );
  if (nofile !== 'unlimited' && Number(nofile) < opts.participants + 1000) {
    console.log(`warning: ulimit -n (${nofile}) is close to or below the number of sockets this process opens`);
  }
  const os = await import('node:os');
  const cpus = os.cpus().length;
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`load average at start: ${load()} (${cpus} cpus)`);
  if (os.loadavg()[0]! > cpus * 0.5) console.log('warning: the machine is busy with other work; figures will be noisy');
  console.log('-- ours: starting the server and creating sessions');
  const a = await run(ours);
  console.log(`   set up ${sessions} sessions in ${a.setupSeconds.toFixed(1)} s, connected ${a.connected} in ${a.connectSeconds.toFixed(1)} s`);
  console.log('-- raw ws relay');
  const b = await run(rawRelay);
  console.log(`   connected ${b.connected} in ${b.connectSeconds.toFixed(1)} s`);
  console.log('');
  console.log(`date: ${new Date().toISOString()}  node ${process.version}  cpus: ${cpus}  load average at the end: ${load()}`);
  console.log(table(a, b));
  console.log('');
  const memRatio = a.rssConnected / b.rssConnected;
  const targets = [
    [
      `${TARGET.participants} participants on one node`,
      a.connected >= TARGET.participants,
      a.connected >= TARGET.participants ? `${a.connected} connected` : `ran ${a.connected}; run PARTICIPANTS=${TARGET.participants} to check`,
    ],
    [`chat p99 < ${TARGET.p99Ms} ms`, a.p99 < TARGET.p99Ms, `p99 ${fmt(a.p99, 2)} ms`],
    [
      `memory at most ${TARGET.memoryRatio}x the raw relay's`,
      memRatio <= TARGET.memoryRatio,
      `RSS connected ${fmt(a.rssConnected / MB)} MB vs ${fmt(b.rssConnected / MB)} MB = ${memRatio.toFixed(2)}x; per participant ${fmt(a.bytesPerParticipant / 1024)} KB vs ${fmt(b.bytesPerParticipant / 1024)} KB`,
    ],
  ] as const;
  for (const [what, met, detail] of targets) console.log(`target ${met ? 'MET    ' : 'NOT MET'}  ${what}: ${detail}`);
  console.log(`RESULT_JSON ${JSON.stringify({ opts, ours: a, raw: b })}`);

  // Failures (not missed targets): these make the run exit non-zero.
  const problems: string[] = [];
  for (const r of [a, b]) {
    if (r.connected < r.requested) problems.push(`${r.name}: ${r.requested - r.connected} participants did not connect`);
    if (r.delivered < r.sent) problems.push(`${r.name}: ${r.sent - r.delivered} of ${r.sent} chat messages were not delivered`);
    if (r.delivered > r.sent) problems.push(`${r.name}: ${r.delivered - r.sent} chat messages were delivered twice`);
    if (r.errors > 0) problems.push(`${r.name}: ${r.errors} errors, e.g. ${r.errorSamples.join(' / ')}`);
    if (r.measured === 0) problems.push(`${r.name}: no message was measured`);
  }
  // The product acknowledges every chat.send once its event is stored.
  if (a.acks < a.sent) problems.push(`ours: ${a.sent - a.acks} chat messages were not acknowledged`);
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
