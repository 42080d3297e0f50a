/**
 * Time from opening an invitation link to chat ready, in Debian's Chromium.
 *
 *   node --import tsx bench/join/join.ts          (RUNS=20 by default, WARMUP=1)
 *
 * One server (test harness, temp SQLite), one rep connected over a Node
 * SessionClient. Each run: the rep's invitation link (ownMailProgram, so the
 * API returns it), a fresh browser context, then the clock: goto(link), type
 * "Your name", click "Join", until the "Message" field is enabled AND the rep
 * has seen the customer admitted and connected. Baseline in the same run: a
 * bare goto of /join (the built index.html) in a fresh context.
 * Needs the built web app (npm run build).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { InviteResult, SessionTicket } from '@rs/protocol';
import { launchChromium } from '../../test/support/browser.js';
import { signIn } from '../../test/support/http.js';
import { startServer } from '../../test/support/server.js';
import { sessionClient, waitForState, waitForView } from '../../test/support/ws.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = Number(process.env.RUNS ?? 20);
const WARMUP = Number(process.env.WARMUP ?? 1);
/** One run that takes longer than this is a failure, not a slow sample. */
const RUN_TIMEOUT_MS = Number(process.env.RUN_TIMEOUT_MS ?? 20_000);

if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`RUNS must be a positive integer, not ${process.env.RUNS}`);
if (!fs.existsSync(path.join(ROOT, 'apps/web/dist/index.html'))) throw new Error('the web app is not built: npm run build');

interface Sample {
  /** page.goto(link) resolved (the load event). */
  loaded: number;
  /** The invitation was fetched and the "Your name" field shows. */
  formReady: number;
  /** "Message" enabled on the customer's page and the rep saw the customer: the total. */
  chatReady: number;
  /** When the rep's client saw the customer admitted and connected. */
  repSaw: number;
}

function percentile(sorted: number[], p: number): number {
  // Nearest rank: with few runs p95 is the slowest or next to slowest sample, never an interpolation.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

function stats(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), min: s[0]!, max: s.at(-1)! };
}

function withTimeout<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

const server = await startServer();
const browser = await launchChromium();
let failed = false;
try {
  const { api } = await signIn(server.url);
  const started = await api.post<{ sessionId: string; number: string; ticket: SessionTicket }>('/api/sessions', {});
  const rep = sessionClient(server.wsUrl, started.ticket).connect();
  await waitForState(rep, 'open');

  const join: Sample[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const warm = i < WARMUP;
    const name = `Bench Customer ${i}`;
    const invite = await api.post<InviteResult>(`/api/sessions/${started.sessionId}/invitations`, {
      invitee: 'customer',
      email: `bench${i}@example.test`,
      ownMailProgram: true,
    });

    // The invitation link to chat ready.
    {
      const context = await browser.newContext();
      const page = await context.newPage();
      const repSees = waitForView(rep, (v) => Object.values(v.participants).some((p) => p.name === name && p.status === 'admitted' && p.connected), RUN_TIMEOUT_MS);
      const t0 = performance.now();
      const repSaw = repSees.then(() => performance.now() - t0);
      // Awaited inside the run; a run that fails before that must not leave it unhandled.
      repSaw.catch(() => undefined);
      await withTimeout(`run ${i}`, (async () => {
        await page.goto(invite.link);
        const loaded = performance.now() - t0;
        const nameField = page.getByLabel('Your name');
        await nameField.waitFor({ timeout: RUN_TIMEOUT_MS });
        const formReady = performance.now() - t0;
        await nameField.fill(name);
        await page.getByRole('button', { name: 'Join', exact: true }).click();
        const message = page.getByRole('region', { name: 'Chat' }).getByRole('textbox', { name: 'Message', exact: true });
        // Role and name as a person finds it, and enabled (the socket is open).
        await message.and(page.locator(':enabled')).waitFor({ timeout: RUN_TIMEOUT_MS });
        const pageReady = performance.now() - t0;
        const sawAt = await repSaw;
        if (!warm) join.push({ loaded, formReady, chatReady: Math.max(pageReady, sawAt), repSaw: sawAt });
      })());
      // Not timed: the customer leaves so the session does not fill with idle people.
      await page.getByRole('button', { name: 'Leave session', exact: true }).click();
      await page.waitForURL(`${server.url}/`);
      await context.close();
    }

    // Baseline: the same server's static page in a fresh context.
    {
      const context = await browser.newContext();
      const page = await context.newPage();
      const t0 = performance.now();
      await withTimeout(`baseline ${i}`, page.goto(`${server.url}/join`));
      if (!warm) baseline.push(performance.now() - t0);
      await context.close();
    }
  }
  rep.close();

  const rows: [string, ReturnType<typeof stats>][] = [
    ['invitation link → chat ready', stats(join.map((s) => s.chatReady))],
    ['  of which: page loaded', stats(join.map((s) => s.loaded))],
    ['  of which: name form ready', stats(join.map((s) => s.formReady))],
    ['  rep saw the customer', stats(join.map((s) => s.repSaw))],
    ['baseline: bare goto /join', stats(baseline)],
  ];
  const ms = (n: number) => n.toFixed(0).padStart(7);
  console.log(`\njoin benchmark: ${RUNS} runs (+${WARMUP} warm-up), Chromium ${browser.version()}, ${new Date().toISOString()}\n`);
  console.log(`${'measure'.padEnd(32)}${'p50 ms'.padStart(7)}${'p95 ms'.padStart(8)}${'min ms'.padStart(8)}${'max ms'.padStart(8)}`);
  for (const [label, s] of rows) console.log(`${label.padEnd(32)}${ms(s.p50)} ${ms(s.p95)} ${ms(s.min)} ${ms(s.max)}`);
  const j = rows[0]![1];
  const b = rows[4]![1];
  console.log(`\nratio join / baseline: p50 ${(j.p50 / b.p50).toFixed(1)}×, p95 ${(j.p95 / b.p95).toFixed(1)}×`);
} catch (err) {
  failed = true;
  console.error(err);
  console.error(server.output().slice(-4000));
} finally {
  await browser.close();
  await server.stop();
}
if (failed) process.exit(1);
