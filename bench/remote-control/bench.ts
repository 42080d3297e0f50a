/**
 * Remote control, click to picture: OUR path (the rep's console in Chromium,
 * the customer's Accept, the real `support-manager` program on an Xvfb
 * screen) against x11vnc (default settings, and tuned with `-defer 1 -wait
 * 1`) read through websockify and noVNC in the same Chromium, on the same
 * screen, with the same X program, in one run.
 *
 *   node --import tsx bench/remote-control/bench.ts      (CLICKS=60, MOTION=10 s per path)
 *
 * Per path: with a counter redrawn at 60 Hz, the distinct pictures shown per
 * second at the rep, the CPU of the capturing program (/proc/<pid>/stat) and
 * the bytes per second the page received; then, on a still screen, the time
 * from a click dispatched in the rep's page to the first picture shown there
 * whose button has changed colour (p50, p95). See README.md. Needs the built
 * web app (apps/web/dist, or WEB_DIST) and Debian's xvfb, x11vnc, websockify
 * and novnc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../test/support/browser.js';
import { freePort } from '../../test/support/ports.js';
import { ADMIN, startServer, type RunningServer } from '../../test/support/server.js';
import { cpuSeconds, option, textOption } from '../support/proc.js';
import { BUTTON, BUTTON_PROBE, MOTION, SCREEN } from './layout.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const PAGE_JS = path.join(HERE, 'page.js');
const TARGET_TS = path.join(HERE, 'target.ts');
const SUPPORT_MANAGER = path.resolve(process.env.SUPPORT_MANAGER || path.join(ROOT, 'apps/support-manager/src/main.ts'));
const WEB_DIST = path.resolve(process.env.WEB_DIST || path.join(ROOT, 'apps/web/dist'));
const NOVNC = process.env.NOVNC_DIR || '/usr/share/novnc';
const XVFB = process.env.XVFB_PATH || '/usr/bin/Xvfb';
const X11VNC = process.env.X11VNC_PATH || '/usr/bin/x11vnc';
const WEBSOCKIFY = process.env.WEBSOCKIFY_PATH || '/usr/bin/websockify';

function positive(name: string, fallback: number, integer = false): number {
  const n = option(name, fallback);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new Error(`${name} is not valid: ${n}`);
  return n;
}
/** Clicks measured per path (and round), after WARM_CLICKS not counted. */
const CLICKS = positive('CLICKS', 60, true);
const WARM_CLICKS = 3;
/** Seconds of continuous motion measured per path (and round). */
const MOTION_S = positive('MOTION', 10);
/** Seconds of motion shown but not counted first (the encoder and the bandwidth estimate settle). */
const WARMUP = option('WARMUP', 2);
/** Rounds of every path, pooled (evens out a machine whose load changes). */
const ROUNDS = positive('ROUNDS', 1, true);
/** How long one step (a page, a connection, a program starting) may take before the run fails. */
const STEP_MS = positive('STEP_MS', 20_000);
const PATHS = textOption('PATHS', 'ours,x11vnc,x11vnc-tuned')
  .split(',')
  .map((p) => p.trim())
  .filter(Boolean);
const KNOWN_PATHS = ['ours', 'x11vnc', 'x11vnc-tuned'] as const;
type PathName = (typeof KNOWN_PATHS)[number];
for (const p of PATHS) if (!(KNOWN_PATHS as readonly string[]).includes(p)) throw new Error(`PATHS: unknown path ${p} (${KNOWN_PATHS.join(', ')})`);
/** x11vnc's options besides display and port: none that change how it updates ("default"), or the tuning the issue names. */
const X11VNC_TUNING: Record<Exclude<PathName, 'ours'>, string[]> = { x11vnc: [], 'x11vnc-tuned': ['-defer', '1', '-wait', '1'] };
/** A path fails (the run exits non-zero) when more of its clicks than this never show a change within CLICK_TIMEOUT_MS. */
const MAX_LOST = 0.1;
const CLICK_TIMEOUT_MS = 3000;
/** VERBOSE=1: every click's latency, in order. */
const VERBOSE = option('VERBOSE', 0) === 1;

const LAYOUT = { screen: SCREEN, button: BUTTON, probe: BUTTON_PROBE, motion: MOTION };

// ---------------------------------------------------------------- processes

interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  /** The next line of output (stdout or stderr) matching `re`; fails if the process ends first or STEP_MS passes. */
  line(re: RegExp, what: string): Promise<RegExpExecArray>;
  onLine(fn: (line: string) => void): void;
  send(line: string): void;
  running(): boolean;
  /** From now on its end is expected (not counted as a crash). */
  expectEnd(): void;
  /** `p`, or the reason this process ended before `p` settled. */
  whileRunning<T>(p: Promise<T>): Promise<T>;
  /** SIGTERM (or `signal`), SIGKILL if still there after 3 s; resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Processes that ended while nobody stopped them: the run fails on them. */
const crashes: string[] = [];
const procs = new Set<Proc>();

function launch(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let partial = '';
  const listeners: ((line: string) => void)[] = [];
  let stopping = false;
  const onData = (d: Buffer) => {
    const text = String(d);
    out += text;
    if (out.length > 200_000) out = out.slice(-100_000);
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) for (const fn of [...listeners]) fn(l);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (e) => {
      crashes.push(`${name}: cannot run ${cmd}: ${e.message}`);
      resolve({ code: -1, signal: null });
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const proc: Proc = {
    name,
    pid: child.pid ?? -1,
    child,
    output: () => out,
    onLine: (fn) => listeners.push(fn),
    line(re, what) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`${name}: no ${what} after ${STEP_MS} ms:\n${out.slice(-3000)}`)), STEP_MS);
        const fn = (l: string) => {
          const m = re.exec(l);
          if (m) done(null, m);
        };
        const done = (err: Error | null, m?: RegExpExecArray) => {
          clearTimeout(timer);
          const i = listeners.indexOf(fn);
          if (i >= 0) listeners.splice(i, 1);
          if (err) reject(err);
          else resolve(m!);
        };
        listeners.push(fn);
        void exited.then((e) => done(new Error(`${name} exited (${e.code ?? e.signal}) before ${what}:\n${out.slice(-3000)}`)));
      });
    },
    send(line) {
      child.stdin!.write(`${line}\n`);
    },
    running: () => child.exitCode === null && child.signalCode === null,
    expectEnd() {
      stopping = true;
    },
    whileRunning(p) {
      return Promise.race([p, exited.then((e) => Promise.reject(new Error(`${name} ended (${e.code ?? e.signal}):\n${out.slice(-3000)}`)))]);
    },
    async stop(signal = 'SIGTERM') {
      stopping = true;
      if (proc.running()) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      procs.delete(proc);
    },
    exited,
  };
  child.stdin!.on('error', () => undefined); // a program that does not read stdin and exits
  void exited.then((e) => {
    if (!stopping) crashes.push(`${name} ended by itself (${e.code ?? e.signal}):\n${out.slice(-3000)}`);
  });
  procs.add(proc);
  return proc;
}

function failIfCrashed(): void {
  if (crashes.length > 0) throw new Error(crashes.join('\n'));
}

interface Xvfb {
  display: string;
  pid: number;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** A private 1280×720 X server with XTEST and DAMAGE, on a display number it picks itself (-displayfd). */
async function startXvfb(): Promise<Xvfb> {
  const child = spawn(XVFB, ['-displayfd', '3', '-screen', '0', `${SCREEN.width}x${SCREEN.height}x24`, '+extension', 'XTEST', '+extension', 'DAMAGE', '-nolisten', 'tcp', '-noreset'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d) => (log += String(d)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const display = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start in ${STEP_MS} ms:\n${log}`)), STEP_MS);
    child.once('error', (e) => reject(new Error(`cannot start ${XVFB}: ${e.message}`)));
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it was ready:\n${log}`)));
    let got = '';
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d) => {
      got += String(d);
      const m = /^(\d+)\n/.exec(got);
      if (m) {
        clearTimeout(timer);
        resolve(`:${m[1]}`);
      }
    });
  });
  const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: display };
  delete env.XAUTHORITY;
  return {
    display,
    pid: child.pid!,
    env,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------- the rep's page (page.js)

interface Click {
  /** Epoch ms of the dispatch (page clock). */
  at: number;
  /** ms from the dispatch to the first picture with the button's new colour handed to the compositor (see page.js). */
  shown: number;
  /** For the video: ms to when that frame's last packet arrived (null for noVNC). */
  received: number | null;
}
interface Received {
  bytes: number;
  at: number;
  framesDecoded?: number;
  jitterBufferDelay?: number;
  jitterBufferEmitted?: number;
}
interface MotionWindow {
  seconds: number;
  changed: number;
  vncUpdates: number;
  bytes: number;
  statsSeconds: number;
  framesDecoded: number;
  jitterBufferDelay: number;
  jitterBufferEmitted: number;
  width: number;
  height: number;
  codec: string;
}
type RcWindow = Window & {
  __rc: {
    attach(selector: string, layout: typeof LAYOUT): Promise<{ kind: string; width: number; height: number; light: boolean }>;
    clicks(n: number, opts: { timeoutMs: number }): Promise<{ clicks: Click[]; lost: number }>;
    startMotion(): Promise<void>;
    stopMotion(): Promise<MotionWindow>;
    connectVnc(url: string): Promise<{ encoding: string; quality: number; compression: number }>;
    received(): Promise<Received>;
  };
};

async function newContext(browser: Browser, withPageJs: boolean): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(STEP_MS);
  if (withPageJs) await context.addInitScript({ path: PAGE_JS });
  return context;
}

// ---------------------------------------------------------------- measuring one path

interface PathTotals {
  label: PathName;
  clicks: Click[];
  /** ms from the click's dispatch to the X program's ButtonPress (page and Node clocks, both epoch-based). */
  toX: number[];
  lost: number;
  motion: MotionWindow[];
  cpu: number;
  xvfbCpu: number;
  cpuSeconds: number;
  drawnTicks: number;
  drawnSeconds: number;
  clickJb: { delay: number; emitted: number };
  notes: Set<string>;
}

const totals = new Map<PathName, PathTotals>();
function totalsOf(label: PathName): PathTotals {
  let t = totals.get(label);
  if (!t) {
    t = { label, clicks: [], toX: [], lost: 0, motion: [], cpu: 0, xvfbCpu: 0, cpuSeconds: 0, drawnTicks: 0, drawnSeconds: 0, clickJb: { delay: 0, emitted: 0 }, notes: new Set() };
    totals.set(label, t);
  }
  return t;
}

/** The measuring window is a duration by design, not a wait for a condition. */
const hold = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

interface Bench {
  xvfb: Xvfb;
  target: Proc;
  presses: number[];
  server: RunningServer;
  browser: Browser;
  errors: string[];
}

async function targetCommand(b: Bench, cmd: string, ack: RegExp): Promise<RegExpExecArray> {
  const answer = b.target.line(ack, `an answer to "${cmd}"`);
  b.target.send(cmd);
  return answer;
}

/**
 * Motion, then clicks, on the remote screen `selector` of `page`; `pid` is
 * the program whose CPU counts. Motion first: both paths then click on a
 * connection that has carried a moving screen for a while (its bandwidth
 * estimate ramped up), as a rep's does by the time they click.
 */
async function measure(b: Bench, page: Page, selector: string, pid: number, label: PathName): Promise<void> {
  const t = totalsOf(label);
  const attached = await page.evaluate(([sel, layout]) => (window as unknown as RcWindow).__rc.attach(sel, layout), [selector, LAYOUT] as const);
  if (attached.width !== SCREEN.width) throw new Error(`${label}: the rep sees ${attached.width}×${attached.height}`);
  failIfCrashed();

  // Continuous motion: the counter at 60 Hz.
  await targetCommand(b, 'motion on', /^motion on$/);
  await hold(WARMUP);
  const c0 = cpuSeconds(pid);
  const x0 = cpuSeconds(b.xvfb.pid);
  const w0 = performance.now();
  await page.evaluate(() => (window as unknown as RcWindow).__rc.startMotion());
  await hold(MOTION_S);
  const m = await page.evaluate(() => (window as unknown as RcWindow).__rc.stopMotion());
  const c1 = cpuSeconds(pid);
  const x1 = cpuSeconds(b.xvfb.pid);
  const w1 = performance.now();
  const drawn = await targetCommand(b, 'motion off', /^motion off (\d+) ([\d.]+)$/);
  failIfCrashed();
  t.motion.push(m);
  t.cpu += c1 - c0;
  t.xvfbCpu += x1 - x0;
  t.cpuSeconds += (w1 - w0) / 1000;
  t.drawnTicks += Number(drawn[1]);
  t.drawnSeconds += Number(drawn[2]);
  if (m.changed < Math.max(3, MOTION_S)) throw new Error(`${label}: only ${m.changed} changed pictures in ${m.seconds.toFixed(1)} s of motion`);

  // Clicks on a still screen.
  await page.evaluate(([n, timeoutMs]) => (window as unknown as RcWindow).__rc.clicks(n, { timeoutMs }), [WARM_CLICKS, CLICK_TIMEOUT_MS] as const);
  const rx0 = await page.evaluate(() => (window as unknown as RcWindow).__rc.received());
  const pressFrom = b.presses.length;
  const r = await page.evaluate(([n, timeoutMs]) => (window as unknown as RcWindow).__rc.clicks(n, { timeoutMs }), [CLICKS, CLICK_TIMEOUT_MS] as const);
  const rx1 = await page.evaluate(() => (window as unknown as RcWindow).__rc.received());
  failIfCrashed();
  t.clicks.push(...r.clicks);
  t.lost += r.lost;
  t.clickJb.delay += (rx1.jitterBufferDelay ?? 0) - (rx0.jitterBufferDelay ?? 0);
  t.clickJb.emitted += (rx1.jitterBufferEmitted ?? 0) - (rx0.jitterBufferEmitted ?? 0);
  const presses = b.presses.slice(pressFrom);
  for (const c of r.clicks) {
    // The press this click caused: the first one after the dispatch (the two clocks may differ by a fraction of a ms).
    const p = presses.find((x) => x >= c.at - 2 && x - c.at < CLICK_TIMEOUT_MS);
    if (p !== undefined) t.toX.push(p - c.at);
  }
  if (VERBOSE) {
    const show = (xs: (number | null)[]) => xs.map((x) => (x === null ? '–' : x.toFixed(0))).join(' ');
    console.log(`  ${label}: ms to the changed picture, in click order: ${show(r.clicks.map((c) => c.shown))}`);
    if (label === 'ours') console.log(`  ${label}: ms to its last packet received: ${show(r.clicks.map((c) => c.received))}`);
  }
  if (r.lost > CLICKS * MAX_LOST) throw new Error(`${label}: ${r.lost} of ${CLICKS} clicks showed no change within ${CLICK_TIMEOUT_MS} ms`);
  console.log(
    `  ${label}: motion ${(m.changed / m.seconds).toFixed(1)} fps, CPU ${(((c1 - c0) / ((w1 - w0) / 1000)) * 100).toFixed(0)} %, ${(m.bytes / m.statsSeconds / 1000).toFixed(0)} KB/s; ` +
      `clicks p50 ${pct(
        r.clicks.map((c) => c.shown),
        50,
      ).toFixed(1)} ms (${r.clicks.length} clicks, ${r.lost} lost)`,
  );
}

const CONTROL_LABEL = 'Remote screen of Carla; click to control';

/** A real session: the rep requests control in the console, Carla accepts, Support Manager runs with her pairing link. */
async function ours(b: Bench): Promise<void> {
  const repContext = await newContext(b.browser, true);
  const customerContext = await newContext(b.browser, false);
  let device: Proc | null = null;
  try {
    const rep = await repContext.newPage();
    const customer = await customerContext.newPage();
    rep.on('pageerror', (e) => b.errors.push(`rep: ${e.message}`));
    customer.on('pageerror', (e) => b.errors.push(`customer: ${e.message}`));
    const res = await repContext.request.post(`${b.server.url}/api/auth/sign-in`, { data: { email: ADMIN.email, password: ADMIN.password } });
    if (res.status() !== 200) throw new Error(`sign-in: ${res.status()} ${await res.text()}`);
    await rep.goto(`${b.server.url}/start`);
    await rep.getByRole('button', { name: 'Start', exact: true }).click();
    await rep.waitForURL(/\/console\//);
    const shown = rep.getByText(/^\d{3} \d{3} \d{3}$/);
    await shown.waitFor();
    const number = ((await shown.textContent()) ?? '').replace(/\s/g, '');
    await customer.goto(`${b.server.url}/join?number=${number}`);
    await customer.getByLabel('Your name').fill('Carla');
    await customer.getByRole('button', { name: 'Join', exact: true }).click();
    await rep.getByRole('button', { name: 'Admit', exact: true }).click();
    await customer.getByRole('heading', { name: `You are in support session ${number}` }).waitFor();

    await rep.getByRole('tab', { name: 'Desktop', exact: true }).click();
    await rep.getByRole('button', { name: 'Request control', exact: true }).click();
    await customer.getByRole('button', { name: 'Accept', exact: true }).click();
    const link = customer.getByRole('region', { name: 'Support Manager' }).getByRole('link', { name: 'Open Support Manager', exact: true });
    const href = await link.getAttribute('href');
    if (!href) throw new Error('no pairing link on the customer’s page');

    device = launch('support-manager', process.execPath, ['--import', 'tsx', SUPPORT_MANAGER, href], b.xvfb.env);
    const selector = `video[aria-label="${CONTROL_LABEL}"]`;
    await device.whileRunning(rep.locator(`${selector}[data-control-ready="true"]`).waitFor());
    await device.whileRunning(rep.waitForFunction((sel) => (document.querySelector(sel) as HTMLVideoElement | null)?.videoWidth === 1280, selector, { timeout: STEP_MS }));
    await measure(b, rep, selector, device.pid, 'ours');
    const m = totalsOf('ours').motion.at(-1)!;
    totalsOf('ours').notes.add(`${m.codec} ${m.width}×${m.height}`);

    // The customer stops; Support Manager says so and exits by itself.
    const ended = device.line(/^Control ended$/, '"Control ended"');
    device.expectEnd();
    await customer.getByRole('button', { name: 'Stop control', exact: true }).click();
    await ended;
    const exit = await device.exited;
    await device.stop();
    if (exit.code !== 0) throw new Error(`support-manager exited with ${exit.code ?? exit.signal}:\n${device.output().slice(-3000)}`);
  } finally {
    await device?.stop();
    await repContext.close();
    await customerContext.close();
  }
}

/** x11vnc on the display, websockify in front of it, noVNC's RFB in the rep's page. */
async function vnc(b: Bench, label: Exclude<PathName, 'ours'>): Promise<void> {
  const rfbPort = await freePort();
  const wsPort = await freePort();
  // websockify serves the page too, from a folder of ours holding it and links to noVNC's modules: the page
  // must come from 127.0.0.1 itself (Chromium refuses a socket to a local address from a page of unknown address).
  const web = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-rc-novnc-'));
  let server: Proc | null = null;
  let proxy: Proc | null = null;
  let context: BrowserContext | null = null;
  try {
    for (const dir of ['core', 'vendor']) fs.symlinkSync(path.join(NOVNC, dir), path.join(web, dir));
    fs.writeFileSync(path.join(web, 'rc-bench.html'), '<!doctype html><meta charset="utf-8"><title>noVNC (bench)</title><body></body>\n');
    const vncServer = (server = launch(label, X11VNC, ['-display', b.xvfb.display, '-rfbport', String(rfbPort), '-localhost', '-nopw', '-forever', '-shared', ...X11VNC_TUNING[label]], b.xvfb.env));
    await vncServer.line(/^PORT=\d+/, 'PORT= (listening)');
    const wsProxy = (proxy = launch('websockify', WEBSOCKIFY, ['--web', web, `127.0.0.1:${wsPort}`, `127.0.0.1:${rfbPort}`]));
    await wsProxy.line(/proxying from/, 'its listening line');
    context = await newContext(b.browser, true);
    const page = await context.newPage();
    page.on('pageerror', (e) => b.errors.push(`${label} page: ${e.message}`));
    await page.goto(`http://127.0.0.1:${wsPort}/rc-bench.html`);
    const info = await page
      .evaluate((url) => (window as unknown as RcWindow).__rc.connectVnc(url), `ws://127.0.0.1:${wsPort}/websockify`)
      .catch((e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}\nwebsockify: ${wsProxy.output().slice(-1000)}\nx11vnc: ${vncServer.output().slice(-1000)}`);
      });
    totalsOf(label).notes.add(`${info.encoding} q${info.quality} c${info.compression}`);
    await measure(b, page, '#screen canvas', vncServer.pid, label);
  } finally {
    await context?.close();
    await proxy?.stop();
    await server?.stop();
    fs.rmSync(web, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- figures

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank, as the other benchmarks of this project.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}
const mean = (v: number[]) => v.reduce((a, x) => a + x, 0) / v.length;

interface Row {
  label: PathName;
  p50: number;
  p95: number;
  mean: number;
  max: number;
  toXP50: number;
  receivedP50: number;
  clicks: number;
  lost: number;
  fps: number;
  updates: number;
  cpu: number;
  xvfbCpu: number;
  kBps: number;
  drawnFps: number;
  jbClick: number | null;
  notes: string;
}

function row(t: PathTotals): Row {
  const lat = t.clicks.map((c) => c.shown);
  const sum = (f: (m: MotionWindow) => number) => t.motion.reduce((a, m) => a + f(m), 0);
  const seconds = sum((m) => m.seconds);
  const updates = t.label === 'ours' ? sum((m) => m.framesDecoded) : sum((m) => m.vncUpdates);
  return {
    label: t.label,
    p50: pct(lat, 50),
    p95: pct(lat, 95),
    mean: mean(lat),
    max: Math.max(...lat),
    toXP50: pct(t.toX, 50),
    receivedP50: pct(
      t.clicks.flatMap((c) => (c.received === null ? [] : [c.received])),
      50,
    ),
    clicks: lat.length,
    lost: t.lost,
    fps: sum((m) => m.changed) / seconds,
    updates: updates / seconds,
    cpu: (t.cpu / t.cpuSeconds) * 100,
    xvfbCpu: (t.xvfbCpu / t.cpuSeconds) * 100,
    kBps: sum((m) => m.bytes) / sum((m) => m.statsSeconds) / 1000,
    drawnFps: t.drawnTicks / t.drawnSeconds,
    jbClick: t.clickJb.emitted > 0 ? (t.clickJb.delay / t.clickJb.emitted) * 1000 : null,
    notes: [...t.notes].join(', '),
  };
}

function report(browser: Browser): void {
  const rows = KNOWN_PATHS.map((p) => totals.get(p)).filter((t): t is PathTotals => !!t).map(row);
  console.log(
    `\nremote-control benchmark: Xvfb ${SCREEN.width}×${SCREEN.height}, ${CLICKS} clicks + ${MOTION_S} s of motion per path × ${ROUNDS} round(s), ` +
      `Chromium ${browser.version()}, Node ${process.versions.node}, ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, ${new Date().toISOString()}\n`,
  );
  const head = ['path', 'p50 ms', 'p95 ms', 'mean', 'max', 'to X', 'recv', 'clicks', 'lost', 'fps', 'upd/s', 'CPU %', 'Xvfb %', 'KB/s', 'drawn', 'jb ms', 'notes'];
  const widths = [13, 7, 7, 6, 6, 5, 5, 6, 4, 5, 6, 6, 6, 6, 5, 5, 0];
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' ');
  console.log(line(head));
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');
  for (const r of rows) {
    console.log(
      line([
        r.label,
        f(r.p50),
        f(r.p95),
        f(r.mean),
        f(r.max, 0),
        f(r.toXP50),
        f(r.receivedP50),
        String(r.clicks),
        String(r.lost),
        f(r.fps),
        f(r.updates),
        f(r.cpu, 0),
        f(r.xvfbCpu, 0),
        f(r.kBps, 0),
        f(r.drawnFps, 0),
        r.jbClick === null ? '–' : f(r.jbClick),
        ` ${r.notes}`,
      ]),
    );
  }
  const ours = rows.find((r) => r.label === 'ours');
  const def = rows.find((r) => r.label === 'x11vnc');
  const tuned = rows.find((r) => r.label === 'x11vnc-tuned');
  console.log('');
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  for (const base of [def, tuned]) {
    if (!ours || !base) continue;
    console.log(
      `ours / ${base.label}: p50 ${ratio(ours.p50, base.p50)}, p95 ${ratio(ours.p95, base.p95)}, fps ${ratio(ours.fps, base.fps)}, ` +
        `CPU ${ratio(ours.cpu, base.cpu)}, bytes/s ${ratio(ours.kBps, base.kBps)}`,
    );
  }
  if (!ours) return;
  console.log('\ntargets (issue 6):');
  const target = (ok: boolean | null, text: string) => console.log(`  ${ok === null ? 'n/a    ' : ok ? 'met    ' : 'NOT met'}  ${text}`);
  target(def ? ours.p50 < def.p50 : null, `p50 below x11vnc default: ${f(ours.p50)} vs ${def ? f(def.p50) : '–'} ms`);
  target(tuned ? ours.p50 <= 1.5 * tuned.p50 : null, `p50 within 1.5× of tuned x11vnc: ${f(ours.p50)} vs 1.5 × ${tuned ? f(tuned.p50) : '–'} ms${tuned && ours.p50 <= tuned.p50 ? ' (stretch, equal or better: met)' : ''}`);
  target(ours.p95 <= 60, `p95 ≤ 60 ms: ${f(ours.p95)} ms`);
  // As printed: one decimal (a capture capped at 30 fps measures 29.9–30.0 when it keeps up).
  target(Number(ours.fps.toFixed(1)) >= 30 && ours.cpu <= 50, `≥ 30 fps at ≤ 50 % of one core: ${f(ours.fps)} fps at ${f(ours.cpu, 0)} %${ours.fps >= 60 ? ' (stretch 60: met)' : ''}`);
  target(def ? ours.kBps <= def.kBps : null, `no more bytes/s than x11vnc's Tight (default): ${f(ours.kBps, 0)} vs ${def ? f(def.kBps, 0) : '–'} KB/s`);
}

// ---------------------------------------------------------------- main

function requireFiles(): void {
  const missing = [XVFB, X11VNC, WEBSOCKIFY, path.join(NOVNC, 'core/rfb.js')].filter((p) => !fs.existsSync(p));
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: bash scripts/ensure-system-deps.sh x11vnc websockify novnc xvfb`);
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error(`the web app is not built in ${WEB_DIST}: npm run build (or WEB_DIST=<a build>)`);
}

async function main(): Promise<void> {
  requireFiles();
  const xvfb = await startXvfb();
  let server: RunningServer | null = null;
  let browser: Browser | null = null;
  try {
    const target = launch('target', process.execPath, ['--import', 'tsx', TARGET_TS], xvfb.env);
    const presses: number[] = [];
    target.onLine((l) => {
      const m = /^press ([\d.]+) /.exec(l);
      if (m) presses.push(Number(m[1]));
    });
    await target.line(/^ready$/, 'ready');
    // WEB_DIST reaches the server through the environment it inherits.
    server = await startServer();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      // Plain host candidates (no mDNS names, which a container may not resolve).
      args: [...CHROMIUM_ARGS, '--disable-features=WebRtcHideLocalIpsWithMdns'],
    });
    const b: Bench = { xvfb, target, presses, server, browser, errors: [] };
    console.log(`remote-control benchmark on ${xvfb.display}: ${PATHS.join(', ')}; ${CLICKS} clicks and ${MOTION_S} s of motion per path, ${ROUNDS} round(s)`);
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of PATHS as PathName[]) {
        if (p === 'ours') await ours(b);
        else await vnc(b, p);
        failIfCrashed();
        if (b.errors.length) throw new Error(`errors in the pages:\n${b.errors.join('\n')}`);
      }
    }
    report(browser);
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    for (const p of [...procs]) await p.stop('SIGKILL');
    await xvfb.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`remote-control bench FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
