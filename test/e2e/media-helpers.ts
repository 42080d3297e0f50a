/**
 * Helpers of the live-media end-to-end tests (not a test file itself):
 * Chromium with fake camera, microphone and screen, people joining a session
 * through the UI, and what a page's WebRTC side decodes and sends, read with
 * page.evaluate (the product exposes its controller as window.__rsMedia).
 */
import assert from 'node:assert/strict';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../support/browser.js';
import { ADMIN, type RunningServer } from '../support/server.js';
import { person, sessionNumber, STEP_MS, until, type Person } from './helpers.js';

/**
 * The project's Chromium flags, with the fake capture device also answering
 * getDisplayMedia (as a browser tab) and the share picker accepted at once.
 */
export const MEDIA_CHROMIUM_ARGS = [
  ...CHROMIUM_ARGS.filter((a) => !a.startsWith('--use-fake-device-for-media-stream')),
  '--use-fake-device-for-media-stream=display-media-type=browser',
  '--auto-accept-this-tab-capture',
  '--autoplay-policy=no-user-gesture-required',
];

export async function launchMediaChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: MEDIA_CHROMIUM_ARGS, headless: true });
}

/** A person whose browser context is signed in as `email` (the cookie is shared with the page). */
async function signedIn(browser: Browser, server: RunningServer, email: string, password: string): Promise<Person> {
  const p = await person(browser);
  const res = await p.context.request.post(`${server.url}/api/auth/sign-in`, { data: { email, password } });
  assert.equal(res.status(), 200, await res.text());
  return p;
}

/** The admin ("Administrator") starts a session from the Start page; resolves with the console and the number. */
export async function repStarts(browser: Browser, server: RunningServer): Promise<{ rep: Person; number: string }> {
  const rep = await signedIn(browser, server, ADMIN.email, ADMIN.password);
  await rep.page.goto(`${server.url}/start`);
  await rep.page.getByRole('button', { name: 'Start', exact: true }).click();
  await rep.page.waitForURL(/\/console\//);
  return { rep, number: await sessionNumber(rep.page) };
}

/** A customer joins by number and the rep admits them; resolves once the customer is in. */
export async function customerJoins(browser: Browser, server: RunningServer, rep: Page, number: string, name: string): Promise<Person> {
  const c = await person(browser);
  await c.page.goto(`${server.url}/join?number=${number}`);
  await c.page.getByLabel('Your name').fill(name);
  await c.page.getByRole('button', { name: 'Join', exact: true }).click();
  const item = rep.getByRole('region', { name: 'Waiting to join' }).getByRole('listitem').filter({ hasText: name });
  await item.getByRole('button', { name: 'Admit', exact: true }).click();
  await c.page.getByRole('heading', { name: `You are in support session ${number}` }).waitFor();
  return c;
}

/** A rep account assists by number from the Assist page. */
export async function assistantJoins(browser: Browser, server: RunningServer, account: { email: string; password: string }, number: string): Promise<Person> {
  const a = await signedIn(browser, server, account.email, account.password);
  await a.page.goto(`${server.url}/assist`);
  await a.page.getByLabel('Session number').fill(number);
  await a.page.getByRole('button', { name: 'Join', exact: true }).click();
  await a.page.waitForURL(/\/console\//);
  await a.page.getByText('You are assisting.', { exact: false }).waitFor();
  return a;
}

/** Every participant shows as connected on `page`. */
export async function allConnected(page: Page, names: string[]): Promise<void> {
  const list = page.getByRole('region', { name: 'Participants' }).getByRole('listitem');
  await until(`${names.join(', ')} connected on ${page.url()}`, async () => {
    const lines = await list.allInnerTexts();
    return names.every((n) => lines.some((l) => l.includes(n) && /connected/.test(l) && !/reconnecting/.test(l)));
  });
}

export function button(page: Page | Locator, name: string) {
  return page.getByRole('button', { name, exact: true });
}

// ---------------------------------------------------------------- what a page receives and sends

/**
 * The page's media controller, as the web app exposes it (apps/web/src/media/useMedia.ts).
 * Typed here by a cast, not a global declaration, so that other test files may declare their own.
 */
interface RsWindow {
  __rsMedia?: { peerConnections(): { activityId: string; remote: string; pc: RTCPeerConnection }[] };
}

const videoSel = (label: string) => `video[aria-label="${label.replace(/"/g, '\\"')}"]`;

export interface VideoInfo {
  width: number;
  height: number;
  frames: number;
  tracks: string[];
}

/** The <video> labelled `label`: its decoded size, frame count and track states; null when absent. */
export function videoInfo(page: Page, label: string): Promise<VideoInfo | null> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel) as HTMLVideoElement | null;
    if (!el) return null;
    const stream = el.srcObject as MediaStream | null;
    return {
      width: el.videoWidth,
      height: el.videoHeight,
      frames: el.getVideoPlaybackQuality().totalVideoFrames,
      tracks: stream ? stream.getTracks().map((t) => t.readyState) : [],
    };
  }, videoSel(label));
}

/**
 * Frames of the <video> labelled `label` are decoded on `page`: it has a size,
 * its frame count advances between two reads, and a frame drawn on a canvas
 * is not one flat value (not a black or blank picture).
 */
export async function expectDecoding(page: Page, label: string, timeoutMs = STEP_MS): Promise<VideoInfo> {
  const sel = videoSel(label);
  await page.waitForFunction((s) => {
    const el = document.querySelector(s) as HTMLVideoElement | null;
    return !!el && el.videoWidth > 0 && el.getVideoPlaybackQuality().totalVideoFrames > 0;
  }, sel, { timeout: timeoutMs });
  const first = (await videoInfo(page, label))!;
  await page.waitForFunction(
    ([s, n]) => {
      const el = document.querySelector(s as string) as HTMLVideoElement | null;
      return !!el && el.getVideoPlaybackQuality().totalVideoFrames > (n as number);
    },
    [sel, first.frames] as const,
    { timeout: timeoutMs },
  );
  const pixels = await page.evaluate((s) => {
    const el = document.querySelector(s) as HTMLVideoElement;
    const canvas = document.createElement('canvas');
    canvas.width = el.videoWidth;
    canvas.height = el.videoHeight;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(el, 0, 0);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const values = new Set<number>();
    for (let i = 0; i < data.length && values.size < 16; i += 4 * 97) values.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return { distinct: values.size, length: data.length };
  }, sel);
  assert.ok(pixels.length > 0, `${label}: a frame has pixels`);
  assert.ok(pixels.distinct > 1, `${label}: the frame is not one flat colour (${pixels.distinct} distinct values)`);
  const later = (await videoInfo(page, label))!;
  assert.ok(later.frames > first.frames, `${label}: frames advance (${first.frames} → ${later.frames})`);
  return later;
}

/** Waits until no <video> labelled `label` plays on `page` (gone, or its tracks ended). */
export async function expectNoVideo(page: Page, label: string, timeoutMs = STEP_MS): Promise<void> {
  await page.waitForFunction(
    (s) => {
      const el = document.querySelector(s) as HTMLVideoElement | null;
      if (!el) return true;
      const stream = el.srcObject as MediaStream | null;
      return !stream || stream.getTracks().every((t) => t.readyState === 'ended');
    },
    videoSel(label),
    { timeout: timeoutMs },
  );
}

/**
 * Arms a watcher on `page` that notes the time (Date.now) at which the
 * <video> labelled `label` is gone or its tracks ended; `ended()` waits for
 * that moment and returns it.
 */
export async function watchVideoEnd(page: Page, label: string): Promise<{ ended(timeoutMs?: number): Promise<number> }> {
  const key = `__rsEnd_${Math.random().toString(36).slice(2)}`;
  // A string, not a function: named helpers inside an evaluated function get the
  // compiler's __name() wrapper, which does not exist in the page.
  await page.evaluate(`(() => {
    const sel = ${JSON.stringify(videoSel(label))};
    const key = ${JSON.stringify(key)};
    window[key] = null;
    const gone = () => {
      const el = document.querySelector(sel);
      if (!el) return true;
      const stream = el.srcObject;
      return !stream || stream.getTracks().every((t) => t.readyState === 'ended');
    };
    let timer = 0;
    const observer = new MutationObserver(() => check());
    const check = () => {
      if (window[key] === null && gone()) {
        window[key] = Date.now();
        observer.disconnect();
        clearInterval(timer);
      }
    };
    observer.observe(document.body, { childList: true, subtree: true });
    // Track states change without DOM mutations: look often as well.
    timer = setInterval(check, 5);
  })()`);
  return {
    async ended(timeoutMs = STEP_MS) {
      const handle = await page.waitForFunction((k) => (window as unknown as Record<string, number | null>)[k], key, { timeout: timeoutMs });
      return (await handle.jsonValue()) as number;
    },
  };
}

/** How many RTCPeerConnections the page's media controller holds. */
export function peerConnectionCount(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as RsWindow).__rsMedia?.peerConnections().length ?? 0);
}

export interface RtpTotals {
  packets: number;
  samples: number;
  frames: number;
  bytes: number;
}

/** Sums inbound-rtp counters of one kind over every peer connection of the page. */
export function inbound(page: Page, kind: 'audio' | 'video'): Promise<RtpTotals> {
  return page.evaluate(async (k) => {
    const totals = { packets: 0, samples: 0, frames: 0, bytes: 0 };
    for (const { pc } of (window as unknown as RsWindow).__rsMedia?.peerConnections() ?? []) {
      const report = await pc.getStats();
      report.forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp' || s.kind !== k) return;
        totals.packets += Number(s.packetsReceived ?? 0);
        totals.samples += Number(s.totalSamplesReceived ?? 0);
        totals.frames += Number(s.framesDecoded ?? 0);
        totals.bytes += Number(s.bytesReceived ?? 0);
      });
    }
    return totals;
  }, kind);
}

export interface OutboundVideo {
  frameWidth: number;
  frameHeight: number;
  framesPerSecond: number;
  targetBitrate: number;
  /** The sender's encoding parameters, as set by the display mode. */
  maxBitrate: number | null;
  maxFramerate: number | null;
  scaleResolutionDownBy: number | null;
}

/** The outbound video of the page's first link that sends video (what a sharer sends). */
export function outboundVideo(page: Page): Promise<OutboundVideo | null> {
  return page.evaluate(async () => {
    for (const { pc } of (window as unknown as RsWindow).__rsMedia?.peerConnections() ?? []) {
      const sender = pc.getSenders().find((s) => s.track?.kind === 'video');
      if (!sender) continue;
      const report = await sender.getStats();
      let out: Record<string, unknown> | null = null;
      report.forEach((s: Record<string, unknown>) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') out = s;
      });
      if (!out) continue;
      const o = out as Record<string, unknown>;
      const enc = sender.getParameters().encodings[0];
      return {
        frameWidth: Number(o.frameWidth ?? 0),
        frameHeight: Number(o.frameHeight ?? 0),
        framesPerSecond: Number(o.framesPerSecond ?? 0),
        targetBitrate: Number(o.targetBitrate ?? 0),
        maxBitrate: enc?.maxBitrate ?? null,
        maxFramerate: enc?.maxFramerate ?? null,
        scaleResolutionDownBy: enc?.scaleResolutionDownBy ?? null,
      };
    }
    return null;
  });
}

/** Waits until `probe` of the inbound counters grows past `base` (media keeps flowing). */
export async function expectGrowing(what: string, probe: () => Promise<number>, timeoutMs = STEP_MS): Promise<number> {
  const base = await probe();
  return until(`${what} to grow past ${base}`, async () => {
    const now = await probe();
    return now > base ? now : undefined;
  }, timeoutMs);
}
