/**
 * Glass-to-glass latency of a shared screen: OUR share path (a real session:
 * the customer page shares, the rep console views, signaling through the
 * server, display mode 'standard' then 'sampling') against a bare
 * page-to-page RTCPeerConnection pair, in one Chromium (one clock), one run.
 *
 *   node --import tsx bench/screen-latency/bench.ts     (DURATION=10 s per path)
 *
 * The "screen" is a canvas the bench paints (page.js): every animation frame
 * writes the absolute time as black/white blocks; the viewer decodes each
 * shown frame (requestVideoFrameCallback) and keeps display time − painted
 * time. See README.md. Needs the built web app (npm run build).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DISPLAY_MODES, type DisplayMode } from '@rs/protocol';
import { CHROMIUM_ARGS } from '../../test/support/browser.js';
import { ADMIN, startServer, type RunningServer } from '../../test/support/server.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const PAGE_JS = path.join(HERE, 'page.js');

function numberEnv(name: string, fallback: number, ok: (n: number) => boolean): number {
  const n = Number(process.env[name] ?? fallback);
  if (!ok(n)) throw new Error(`${name} is not valid: ${process.env[name]}`);
  return n;
}
/** Seconds measured per path (and per round). */
const DURATION = numberEnv('DURATION', 10, (n) => n > 0);
/** Seconds shown but not counted before each measuring window (encoder and bandwidth estimate settle after a start or a mode change). */
const WARMUP = numberEnv('WARMUP', 2, (n) => n >= 0);
/** Rounds of ours-standard, ours-sampling, bare; samples of a path are pooled over the rounds (evens out a machine whose load changes). */
const ROUNDS = numberEnv('ROUNDS', 1, (n) => Number.isInteger(n) && n >= 1);
/** CONTROLS=1 adds rows: the bare pair with each mode's encoder settings (separates the settings' cost from the path's). */
const CONTROLS = process.env.CONTROLS === '1';
/** How long any one step (page load, connection, mode change) may take before the bench fails. */
const STEP_MS = numberEnv('STEP_MS', 20_000, (n) => n > 0);
/** STRICT=1: exit non-zero when a p50 of ours is not within TARGET × the bare p50 (off by default: short runs are noisy). */
const STRICT = process.env.STRICT === '1';
const TARGET = 1.2;

if (!fs.existsSync(path.join(ROOT, 'apps/web/dist/index.html'))) throw new Error('the web app is not built: npm run build');

/** What page.js's stopMeasure() returns for one measuring window. */
interface Window1 {
  seconds: number;
  latencies: number[];
  shown: number;
  undecodable: number;
  repeated: number;
  statsSeconds: number;
  bytes: number;
  framesDecoded: number;
  jitterBufferDelay: number;
  jitterBufferEmitted: number;
  width: number;
  height: number;
  codec: string;
}

interface PathTotals {
  label: string;
  windows: Window1[];
  painted: number;
  paintSeconds: number;
}

type BenchWindow = Window & {
  __bench: {
    captureStream(): MediaStream;
    startMeasure(selector: string): Promise<boolean>;
    stopMeasure(): Promise<Window1>;
    painted(): number;
    bareOffer(): Promise<string>;
    bareAnswer(sdp: string): Promise<string>;
    bareAccept(sdp: string): Promise<boolean>;
    bareApply(mode: (typeof DISPLAY_MODES)[DisplayMode]): Promise<boolean>;
  };
  __rsSession?: { request(intent: unknown): Promise<unknown>; view: { displayMode: DisplayMode } | null };
  __rsMedia?: { peerConnections(): { pc: RTCPeerConnection }[] };
};

function percentile(sorted: number[], p: number): number {
  // Nearest rank, as the other benchmarks of this project.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** The measuring window (and the warm-up before it) is a duration by design, not a wait for a condition. */
const hold = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

const totals = new Map<string, PathTotals>();

async function newContext(browser: Browser, sharer: boolean): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(STEP_MS);
  await context.addInitScript({ path: PAGE_JS });
  if (sharer) {
    // The product's capture (apps/web/src/media/capture.ts) gets the bench's canvas instead of a screen.
    await context.addInitScript(() => {
      navigator.mediaDevices.getDisplayMedia = async () => (window as unknown as BenchWindow).__bench.captureStream();
    });
  }
  return context;
}

function watch(page: Page, who: string, errors: string[]): void {
  page.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
}

/** Warm-up, then one measuring window on the viewing page; pooled into the path's totals. */
async function measure(sender: Page, viewer: Page, selector: string, label: string): Promise<void> {
  await hold(WARMUP);
  const painted = () => sender.evaluate(() => [(window as unknown as BenchWindow).__bench.painted(), performance.now()] as const);
  const [p0, t0] = await painted();
  await viewer.evaluate((sel) => (window as unknown as BenchWindow).__bench.startMeasure(sel), selector);
  await hold(DURATION);
  const w = await viewer.evaluate(() => (window as unknown as BenchWindow).__bench.stopMeasure());
  const [p1, t1] = await painted();
  if (w.latencies.length < Math.max(3, DURATION * 2)) {
    throw new Error(`${label}: only ${w.latencies.length} decodable frames in ${w.seconds.toFixed(1)} s (shown ${w.shown}, undecodable ${w.undecodable})`);
  }
  if (w.undecodable > w.shown * 0.2) throw new Error(`${label}: ${w.undecodable} of ${w.shown} shown frames did not decode`);
  let t = totals.get(label);
  if (!t) totals.set(label, (t = { label, windows: [], painted: 0, paintSeconds: 0 }));
  t.windows.push(w);
  t.painted += p1 - p0;
  t.paintSeconds += (t1 - t0) / 1000;
}

/**
 * Waits until the <video> shows frames at most `width` wide: after a mode
 * change, the mode's scaling reached the viewer (the encoder may scale down
 * further on its own when the CPU is short).
 */
async function waitForWidth(page: Page, selector: string, width: number): Promise<void> {
  await page.waitForFunction(
    ([sel, w]) => {
      const v = document.querySelector(sel as string) as HTMLVideoElement | null;
      return !!v && v.videoWidth > 0 && v.videoWidth <= (w as number);
    },
    [selector, width] as const,
    { timeout: STEP_MS },
  );
}

/** The product's peer connections of a page, for a failure message. */
async function links(page: Page): Promise<string> {
  return page
    .evaluate(() =>
      JSON.stringify(
        ((window as unknown as BenchWindow).__rsMedia?.peerConnections() ?? []).map(({ pc }) => ({
          connection: pc.connectionState,
          ice: pc.iceConnectionState,
          gathering: pc.iceGatheringState,
          signaling: pc.signalingState,
        })),
      ),
    )
    .catch((e: unknown) => String(e));
}

/** A real session: the rep asks to view the customer's desktop, the customer accepts; then each display mode in turn. */
async function ours(browser: Browser, server: RunningServer, errors: string[]): Promise<void> {
  const repContext = await newContext(browser, false);
  const customerContext = await newContext(browser, true);
  try {
    const rep = await repContext.newPage();
    const customer = await customerContext.newPage();
    watch(rep, 'rep', errors);
    watch(customer, 'customer', errors);
    await rep.goto(`${server.url}/sign-in`);
    await rep.getByLabel('Email').fill(ADMIN.email);
    await rep.getByLabel('Password').fill(ADMIN.password);
    await rep.getByRole('button', { name: 'Sign in', exact: true }).click();
    await rep.waitForURL(`${server.url}/`);
    await rep.goto(`${server.url}/start`);
    await rep.getByRole('button', { name: 'Start', exact: true }).click();
    await rep.waitForURL(/\/console\//);
    const number = (await rep.getByText(/^\d{3} \d{3} \d{3}$/).textContent())!.replace(/\s/g, '');
    await customer.goto(`${server.url}/join?number=${number}`);
    await customer.getByLabel('Your name').fill('Carla');
    await customer.getByRole('button', { name: 'Join', exact: true }).click();
    await rep.getByRole('button', { name: 'Admit', exact: true }).click();
    await customer.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
    await rep.getByRole('tab', { name: 'Desktop', exact: true }).click();
    await rep.getByRole('button', { name: 'Request view', exact: true }).click();
    await customer.getByRole('button', { name: 'Accept', exact: true }).click();
    const selector = 'video[aria-label="Screen of Carla"]';
    await rep
      .locator(selector)
      .waitFor()
      .catch(async (e: unknown) => {
        const text = (p: Page) => p.evaluate(() => document.body.innerText.replace(/\s+/g, ' ').slice(0, 1500)).catch(() => '?');
        throw new Error(
          `${e instanceof Error ? e.message : String(e)}\nrep: ${await links(rep)}\n${await text(rep)}\ncustomer: ${await links(customer)}\n${await text(customer)}`,
        );
      });

    for (const mode of ['standard', 'sampling'] as const) {
      const want = DISPLAY_MODES[mode];
      // SES-1 through the session's own intent, as the Session options dialog sends it.
      const current = await rep.evaluate(() => (window as unknown as BenchWindow).__rsSession?.view?.displayMode);
      if (current !== mode) await rep.evaluate((m) => (window as unknown as BenchWindow).__rsSession!.request({ type: 'display.set', mode: m }), mode);
      // The sharer applied the mode's encoder settings to its running sender…
      await customer.waitForFunction(
        ([maxBitrate, maxFramerate, scale]) =>
          ((window as unknown as BenchWindow).__rsMedia?.peerConnections() ?? []).some(({ pc }) =>
            pc.getSenders().some((s) => {
              const e = s.track?.kind === 'video' ? s.getParameters().encodings?.[0] : undefined;
              return !!e && e.maxBitrate === maxBitrate && e.maxFramerate === maxFramerate && e.scaleResolutionDownBy === scale;
            }),
          ),
        [want.maxBitrate, want.maxFramerate, want.scaleResolutionDownBy] as const,
        { timeout: STEP_MS },
      );
      // …and frames of the mode's resolution reach the rep.
      await waitForWidth(rep, selector, Math.round(1280 / want.scaleResolutionDownBy));
      await measure(customer, rep, selector, `ours-${mode}`);
    }
  } finally {
    await repContext.close();
    await customerContext.close();
  }
}

/** The baseline: two plain pages of the server, a bare RTCPeerConnection pair, SDP passed by the bench (no server involved). */
async function bare(browser: Browser, server: RunningServer, errors: string[]): Promise<void> {
  const senderContext = await newContext(browser, false);
  const viewerContext = await newContext(browser, false);
  try {
    const sender = await senderContext.newPage();
    const viewer = await viewerContext.newPage();
    watch(sender, 'bare sender', errors);
    watch(viewer, 'bare viewer', errors);
    await sender.goto(`${server.url}/join`);
    await viewer.goto(`${server.url}/join`);
    const offer = await sender.evaluate(() => (window as unknown as BenchWindow).__bench.bareOffer());
    const answer = await viewer.evaluate((sdp) => (window as unknown as BenchWindow).__bench.bareAnswer(sdp), offer);
    await sender.evaluate((sdp) => (window as unknown as BenchWindow).__bench.bareAccept(sdp), answer);
    await waitForWidth(viewer, '#bench-video', 1280);
    await measure(sender, viewer, '#bench-video', 'bare');
    if (CONTROLS) {
      for (const mode of ['standard', 'sampling'] as const) {
        const want = DISPLAY_MODES[mode];
        await sender.evaluate((m) => (window as unknown as BenchWindow).__bench.bareApply(m), want);
        await waitForWidth(viewer, '#bench-video', Math.round(1280 / want.scaleResolutionDownBy));
        await measure(sender, viewer, '#bench-video', `bare+${mode} set.`);
      }
    }
  } finally {
    await senderContext.close();
    await viewerContext.close();
  }
}

interface Row {
  label: string;
  p50: number;
  p95: number;
  mean: number;
  fps: number;
  kbps: number;
  sizes: string;
  codec: string;
  jitterMs: number | null;
  frames: number;
  undecodable: number;
  paintedFps: number;
}

function row(t: PathTotals): Row {
  const lat = t.windows.flatMap((w) => w.latencies).sort((a, b) => a - b);
  const sum = (f: (w: Window1) => number) => t.windows.reduce((a, w) => a + f(w), 0);
  const jbEmitted = sum((w) => w.jitterBufferEmitted);
  return {
    label: t.label,
    p50: percentile(lat, 50),
    p95: percentile(lat, 95),
    mean: lat.reduce((a, x) => a + x, 0) / lat.length,
    fps: lat.length / sum((w) => w.seconds),
    kbps: (sum((w) => w.bytes) * 8) / sum((w) => w.statsSeconds) / 1000,
    sizes: [...new Set(t.windows.map((w) => `${w.width}x${w.height}`))].join(','),
    codec: [...new Set(t.windows.map((w) => w.codec))].join(','),
    jitterMs: jbEmitted > 0 ? (sum((w) => w.jitterBufferDelay) / jbEmitted) * 1000 : null,
    frames: lat.length,
    undecodable: sum((w) => w.undecodable),
    paintedFps: t.painted / t.paintSeconds,
  };
}

async function main(): Promise<void> {
  const server = await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    // Real host candidates in both paths (no mDNS names, which a container may not resolve).
    args: [...CHROMIUM_ARGS, '--disable-features=WebRtcHideLocalIpsWithMdns'],
  });
  const errors: string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await ours(browser, server, errors);
      await bare(browser, server, errors);
    }
    if (errors.length) throw new Error(`errors in the pages:\n${errors.join('\n')}`);
    const rows = [...totals.values()].map(row);
    const b = rows.find((r) => r.label === 'bare')!;
    console.log(
      `\nscreen latency benchmark: ${DURATION} s per path × ${ROUNDS} round(s), +${WARMUP} s warm-up each, Chromium ${browser.version()}, ${new Date().toISOString()}\n`,
    );
    const head = ['path', 'p50 ms', 'p95 ms', 'mean ms', 'fps', 'kbit/s', 'size', 'codec', 'jb ms', 'frames', 'bad', 'painted fps'];
    const widths = [18, 7, 7, 8, 6, 7, 15, 6, 6, 7, 4, 12];
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' ');
    console.log(line(head));
    for (const r of rows) {
      console.log(
        line([
          r.label,
          r.p50.toFixed(1),
          r.p95.toFixed(1),
          r.mean.toFixed(1),
          r.fps.toFixed(1),
          String(Math.round(r.kbps)),
          r.sizes,
          r.codec,
          r.jitterMs === null ? '–' : r.jitterMs.toFixed(1),
          String(r.frames),
          String(r.undecodable),
          r.paintedFps.toFixed(1),
        ]),
      );
    }
    console.log('');
    let met = true;
    for (const r of rows.filter((x) => x.label.startsWith('ours-'))) {
      const ratio = r.p50 / b.p50;
      const ok = ratio <= TARGET;
      met &&= ok;
      console.log(
        `ratio ${r.label} / bare, p50: ${ratio.toFixed(2)}× — target ≤ ${TARGET}×: ${ok ? 'met' : 'NOT met'} (mean: ${(r.mean / b.mean).toFixed(2)}×)`,
      );
    }
    if (CONTROLS) {
      for (const mode of ['standard', 'sampling'] as const) {
        const o = rows.find((r) => r.label === `ours-${mode}`)!;
        const c = rows.find((r) => r.label === `bare+${mode} set.`)!;
        console.log(`ratio ours-${mode} / bare with the same encoder settings, p50: ${(o.p50 / c.p50).toFixed(2)}× (mean: ${(o.mean / c.mean).toFixed(2)}×)`);
      }
    }
    if (STRICT && !met) process.exitCode = 1;
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
