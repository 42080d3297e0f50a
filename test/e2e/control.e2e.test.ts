/**
 * Remote control through Support Manager, browser side (DSK-2, CUS-2): the
 * rep asks for control in Chromium, the customer accepts in Chromium and gets
 * the "Open Support Manager" pairing link; the test redeems it and plays the
 * device in Node with @roamhq/wrtc (the same signaling as Support Manager: it
 * offers a video track and the data channel `input`). The rep's console shows
 * the device's screen; clicks, the wheel and typing on it arrive at the device
 * as InputEvents in the frame's pixels; the customer's Stop ends it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import wrtc from '@roamhq/wrtc';
import type { Browser, Page } from 'playwright-core';
import { InputEvent, ScreenSelect, ScreensRequest, parsePairingUrl, type RedeemedPairing, type ScreensMessage, type SessionView } from '@rs/protocol';
import type { SessionClient } from '@rs/client';
import { startServer, type RunningServer } from '../support/server.js';
import { sessionClient, waitForView } from '../support/ws.js';
import { assertNoPageErrors, checkA11y, expectCount, expectText, person, TEST, until, type Person } from './helpers.js';
import { allConnected, button, customerJoins, expectDecoding, expectNoVideo, launchMediaChromium, repStarts } from './media-helpers.js';

/*
 * @roamhq/wrtc crashes (SIGSEGV) in Node's environment teardown when a process
 * that loaded it ends by itself; process.exit() does not (as in
 * apps/support-manager/src/session/wrtc.ts).
 */
process.once('exit', (code) => process.exit(code));

const REP = 'Administrator';
const CARLA = 'Carla Customer';
/** A portrait frame, so the console's landscape video box letterboxes it left and right. */
const FRAME = { width: 480, height: 640 };
const CONTROL_LABEL = `Remote screen of ${CARLA}; click to control`;

let server: RunningServer;
let browser: Browser;
let rep: Person;
let carla: Person;
let device: FakeDevice | null = null;

before(async () => {
  server = await startServer();
  browser = await launchMediaChromium();
});

after(async () => {
  device?.close();
  await browser?.close();
  await server?.stop();
});

const tab = (page: Page, name: 'Desktop' | 'Application') => page.getByRole('tab', { name, exact: true });
const prompt = (page: Page) => page.getByRole('alertdialog');

/**
 * The customer's Support Manager, played in Node: it joins with the redeemed
 * ticket, answers the rep's `want` with an offer of a video track (a moving
 * test picture) and the `input` channel, and records what comes in on it.
 */
interface FakeDevice {
  client: SessionClient;
  received: InputEvent[];
  invalid: unknown[];
  /** Monitor ids the rep picked (`screen.select`). */
  selects: string[];
  /** Tells every open channel the monitors (as Support Manager does when a channel opens and when they change). */
  screens(msg: ScreensMessage): void;
  close(): void;
}

/** Two monitors, as a Support Manager on a two-monitor desktop announces them. */
const SCREENS: ScreensMessage = {
  type: 'screens',
  monitors: [
    { id: 'left', name: 'HDMI-1', width: FRAME.width, height: FRAME.height, primary: true },
    { id: 'right', name: 'DP-1', width: 1920, height: 1080, primary: false },
  ],
  current: 'left',
};

function fakeDevice(ticket: RedeemedPairing['ticket']): FakeDevice {
  const client = sessionClient(server.wsUrl, ticket);
  const received: InputEvent[] = [];
  const invalid: unknown[] = [];
  const selects: string[] = [];
  const channels = new Set<RTCDataChannel>();
  let lastScreens = SCREENS;
  const pcs = new Map<string, RTCPeerConnection>();
  const source = new wrtc.nonstandard.RTCVideoSource();
  const track = source.createTrack();
  const { width, height } = FRAME;
  let n = 0;
  const frameTimer = setInterval(() => {
    // I420: a luma gradient that moves, flat chroma.
    const data = new Uint8Array((width * height * 3) / 2);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (x + y + n * 4) & 0xff;
    data.fill(128, width * height);
    n += 1;
    source.onFrame({ width, height, data });
  }, 66);
  const offerTo = async (activityId: string, rep: string) => {
    pcs.get(`${activityId}:${rep}`)?.close();
    const pc = new wrtc.RTCPeerConnection({ iceServers: client.iceServers as RTCIceServer[] });
    pcs.set(`${activityId}:${rep}`, pc);
    pc.onicecandidate = (ev) => {
      if (ev.candidate) client.sendSignal(activityId, rep, { kind: 'candidate', candidate: ev.candidate.toJSON() as never });
    };
    pc.addTrack(track, new wrtc.MediaStream([track]));
    const dc = pc.createDataChannel('input', { ordered: true });
    channels.add(dc);
    dc.addEventListener('open', () => dc.send(JSON.stringify(lastScreens)));
    dc.onmessage = (ev) => {
      const raw: unknown = JSON.parse(String(ev.data));
      const select = ScreenSelect.safeParse(raw);
      if (select.success) {
        selects.push(select.data.monitorId);
        return;
      }
      if (ScreensRequest.safeParse(raw).success) {
        dc.send(JSON.stringify(lastScreens));
        return;
      }
      const parsed = InputEvent.safeParse(raw);
      // Every input carries the rep's view position, so that the device can hold input sent after a Stop it has not seen yet.
      const seq = (raw as { seq?: unknown }).seq;
      if (parsed.success && typeof seq === 'number' && Number.isInteger(seq) && seq > 0) received.push(parsed.data);
      else invalid.push(ev.data);
    };
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    client.sendSignal(activityId, rep, { kind: 'offer', sdp: offer.sdp ?? '' });
  };
  client.on('signal', (s) => {
    const key = `${s.activityId}:${s.from}`;
    const p = s.payload;
    if (p.kind === 'want') void offerTo(s.activityId, s.from);
    else if (p.kind === 'answer') void pcs.get(key)?.setRemoteDescription({ type: 'answer', sdp: p.sdp });
    else if (p.kind === 'candidate') void pcs.get(key)?.addIceCandidate(p.candidate as RTCIceCandidateInit).catch(() => undefined);
  });
  // Like Support Manager: a stopped activity ends the connections at once.
  client.on('view', (v: SessionView) => {
    for (const [key, pc] of [...pcs]) {
      if (v.activities[key.split(':')[0]!]?.state === 'stopped') {
        pc.close();
        pcs.delete(key);
      }
    }
  });
  client.connect();
  return {
    client,
    received,
    invalid,
    selects,
    screens(msg) {
      lastScreens = msg;
      for (const dc of channels) if (dc.readyState === 'open') dc.send(JSON.stringify(msg));
    },
    close() {
      clearInterval(frameTimer);
      track.stop();
      for (const pc of pcs.values()) pc.close();
      client.close();
    },
  };
}

/** The page point over frame pixel (x, y) of the control video, with object-fit: contain letterboxing. */
async function pointOf(page: Page, x: number, y: number): Promise<{ x: number; y: number; box: { x: number; y: number; width: number; height: number }; offX: number }> {
  const box = (await page.locator(`video[aria-label="${CONTROL_LABEL}"]`).boundingBox())!;
  const scale = Math.min(box.width / FRAME.width, box.height / FRAME.height);
  const offX = (box.width - FRAME.width * scale) / 2;
  const offY = (box.height - FRAME.height * scale) / 2;
  return { x: box.x + offX + (x + 0.5) * scale, y: box.y + offY + (y + 0.5) * scale, box, offX };
}

test('setup: the rep starts a session and Carla joins', TEST, async () => {
  ({ rep } = await repStarts(browser, server));
  const number = (await rep.page.getByText(/^\d{3} \d{3} \d{3}$/).textContent())!.replace(/\s/g, '');
  carla = await customerJoins(browser, server, rep.page, number, CARLA);
  for (const p of [rep, carla]) await allConnected(p.page, [REP, CARLA]);
});

test('DSK-2 Request control: Carla accepts and is offered Support Manager with a working one-time link', TEST, async () => {
  await tab(rep.page, 'Desktop').click();
  const request = button(rep.page, 'Request control');
  await request.waitFor();
  assert.equal(await request.isEnabled(), true);
  await request.click();
  await expectText(rep.page.getByRole('status').filter({ hasText: 'Waiting for' }), `Waiting for ${CARLA} to accept…`);
  assert.equal(await request.isEnabled(), false, 'no second request while one waits');
  await expectText(prompt(carla.page), `${REP} wants to control your computer with Support Manager.`);
  await button(carla.page, 'Accept').click();
  await prompt(carla.page).waitFor({ state: 'hidden' });

  // The rep waits for the device; nothing else can be asked meanwhile.
  await expectText(rep.page.locator('.sharing-bar'), 'Waiting for Support Manager on the customer’s computer…');
  assert.equal(await button(rep.page, 'Request view').isEnabled(), false);
  assert.equal(await request.isEnabled(), false);
  await checkA11y(rep.page, 'console waiting for Support Manager');

  // The customer gets the Support Manager panel with the pairing link and the download.
  const panel = carla.page.getByRole('region', { name: 'Support Manager' });
  const open = panel.getByRole('link', { name: 'Open Support Manager' });
  await open.waitFor();
  const download = panel.getByRole('link', { name: 'Download Support Manager' });
  assert.equal(await download.getAttribute('href'), '/downloads/support-manager-linux-x64.tar.gz');
  assert.equal(await panel.getByRole('link', { name: 'Installation steps' }).getAttribute('href'), '/downloads');
  await expectText(carla.page.locator('.sharing-bar'), 'Control starts when Support Manager runs on this computer.');
  await button(carla.page, 'Stop control').waitFor();
  await checkA11y(carla.page, 'customer page offering Support Manager');

  const href = (await open.getAttribute('href'))!;
  const parsed = parsePairingUrl(href);
  assert.ok(parsed, `a pairing URL: ${href}`);
  assert.equal(parsed.server, server.url);
  const res = await fetch(`${server.url}/api/pairings/redeem`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-device-name': 'carla-laptop' },
    body: JSON.stringify({ code: parsed.code }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const redeemed = (await res.json()) as RedeemedPairing;
  assert.equal(redeemed.kind, 'desktop.control');
  device = fakeDevice(redeemed.ticket);
  await waitForView(device.client, (v) => v.activities[redeemed.activityId]?.deviceId === redeemed.ticket.participantId);

  // Attached: the panel goes, the customer is told plainly, Stop stays.
  await expectCount(panel, 0);
  await expectText(carla.page.locator('.sharing-bar'), `Your computer is being controlled by ${REP}.`);
  await button(carla.page, 'Stop control').waitFor();
  await expectText(rep.page.locator('.sharing-bar'), `You are controlling ${CARLA}’s computer.`);
});

test('DSK-2 the rep sees the device’s screen and controls it: pointer in frame pixels, wheel, text and keys', TEST, async () => {
  assert.ok(device);
  const info = await expectDecoding(rep.page, CONTROL_LABEL);
  assert.deepEqual({ width: info.width, height: info.height }, FRAME);
  const video = rep.page.locator(`video[aria-label="${CONTROL_LABEL}"]`);
  assert.equal(await video.getAttribute('tabindex'), '0');
  await rep.page.locator('video[data-control-ready="true"]').waitFor();
  await checkA11y(rep.page, 'console controlling the customer’s screen');

  await video.scrollIntoViewIfNeeded();
  // A click on frame pixel (100, 200): mapped through the letterboxing to the frame's own pixels.
  const p = await pointOf(rep.page, 100, 200);
  assert.ok(p.offX > 10, `the portrait frame is letterboxed (bars of ${p.offX} px)`);
  await rep.page.mouse.move(p.x, p.y);
  await rep.page.mouse.down();
  await rep.page.mouse.up();
  await until('pointer.down and pointer.up at the device', async () => device!.received.some((e) => e.type === 'pointer.up'));
  const down = device.received.find((e) => e.type === 'pointer.down');
  const up = device.received.find((e) => e.type === 'pointer.up');
  assert.deepEqual(down, { type: 'pointer.down', button: 'left', x: 100, y: 200 });
  assert.deepEqual(up, { type: 'pointer.up', button: 'left', x: 100, y: 200 });
  assert.ok(device.received.some((e) => e.type === 'pointer.move' && e.x === 100 && e.y === 200), 'the move before the click');
  assert.equal(await rep.page.evaluate(() => document.activeElement?.tagName), 'VIDEO', 'a click focuses the video for the keyboard');

  // A right click on (479, 639), the frame's last pixel; the rep's own context menu stays shut (prevented).
  const corner = await pointOf(rep.page, 479, 639);
  await rep.page.mouse.click(corner.x, corner.y, { button: 'right' });
  await until('the right click', async () => device!.received.some((e) => e.type === 'pointer.up' && e.button === 'right'));
  assert.deepEqual(
    device.received.find((e) => e.type === 'pointer.down' && e.button === 'right'),
    { type: 'pointer.down', button: 'right', x: 479, y: 639 },
  );

  // A click on the letterbox bar is not on the remote screen: nothing is pressed.
  const before = device.received.filter((e) => e.type === 'pointer.down').length;
  await rep.page.mouse.click(p.box.x + p.offX / 2, p.y);
  // The wheel: 300 px down is three notches, at the pointer's place.
  await rep.page.mouse.move(p.x, p.y);
  await rep.page.mouse.wheel(0, 300);
  await until('the wheel', async () => device!.received.some((e) => e.type === 'pointer.wheel'));
  assert.equal(device.received.filter((e) => e.type === 'pointer.down').length, before, 'no press from the letterbox');
  const wheel = device.received.filter((e) => e.type === 'pointer.wheel');
  assert.deepEqual({ dx: wheel.reduce((s, w) => s + w.dx, 0), dy: wheel.reduce((s, w) => s + w.dy, 0) }, { dx: 0, dy: 3 });
  // Wheel events carry whole CSS pixels (pointer events carry fractions): within one frame pixel.
  assert.ok(Math.abs(wheel[0]!.x - 100) <= 1 && Math.abs(wheel[0]!.y - 200) <= 1, `the wheel at the pointer: ${JSON.stringify(wheel[0])}`);

  // Typing: characters as text ("é" from a key of a French keyboard, as a real key event), Enter and Tab as keys.
  await video.focus();
  const mark = device.received.length;
  await rep.page.keyboard.type('h');
  const cdp = await rep.context.newCDPSession(rep.page);
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'é', code: 'Digit2', text: 'é', unmodifiedText: 'é', windowsVirtualKeyCode: 50 });
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'é', code: 'Digit2', windowsVirtualKeyCode: 50 });
  await rep.page.keyboard.type('llo');
  await rep.page.keyboard.press('Enter');
  await rep.page.keyboard.press('Tab');
  await until('Tab at the device', async () => device!.received.some((e) => e.type === 'key.up' && e.code === 'Tab'));
  const typed = device.received.slice(mark);
  assert.deepEqual(typed, [
    { type: 'text', text: 'h' },
    { type: 'text', text: 'é' },
    { type: 'text', text: 'l' },
    { type: 'text', text: 'l' },
    { type: 'text', text: 'o' },
    { type: 'key.down', code: 'Enter' },
    { type: 'key.up', code: 'Enter' },
    { type: 'key.down', code: 'Tab' },
    { type: 'key.up', code: 'Tab' },
  ]);
  assert.equal(await rep.page.evaluate(() => document.activeElement?.tagName), 'VIDEO', 'Tab goes to the remote side, focus stays');
  // Ctrl+A is a shortcut: keys by code, not text.
  await rep.page.keyboard.press('Control+KeyA');
  await until('Ctrl+A', async () => device!.received.some((e) => e.type === 'key.up' && e.code === 'ControlLeft'));
  assert.deepEqual(
    device.received.slice(mark + typed.length).map((e) => (e.type === 'key.down' || e.type === 'key.up' ? `${e.type} ${e.code}` : e.type)),
    ['key.down ControlLeft', 'key.down KeyA', 'key.up KeyA', 'key.up ControlLeft'],
  );
  // Escape releases the keyboard and is not sent.
  const count = device.received.length;
  await rep.page.keyboard.press('Escape');
  assert.notEqual(await rep.page.evaluate(() => document.activeElement?.tagName), 'VIDEO');
  await rep.page.keyboard.type('x');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(device.received.length, count, 'nothing sent after Escape released the keyboard');
  assert.deepEqual(device.invalid, [], 'every message is a valid InputEvent');
});

test('DSK-2 several monitors: the rep sees which one is shown and picks another', TEST, async () => {
  assert.ok(device);
  const group = rep.page.getByRole('group', { name: 'Monitor' });
  const first = group.getByRole('button', { name: 'Monitor 1 (primary)' });
  const second = group.getByRole('button', { name: 'Monitor 2', exact: true });
  await until('the shown monitor marked', async () => (await first.getAttribute('aria-pressed')) === 'true');
  assert.equal(await second.getAttribute('aria-pressed'), 'false');
  await second.click();
  await until('screen.select at the device', async () => device!.selects.includes('right'));
  assert.deepEqual(device.selects, ['right']);
  // The device switches and says so: the console follows its word (not the click).
  device.screens({ ...SCREENS, current: 'right' });
  await until('the second monitor marked', async () => (await second.getAttribute('aria-pressed')) === 'true');
  assert.equal(await first.getAttribute('aria-pressed'), 'false');
  // One monitor: no selector.
  device.screens({ type: 'screens', monitors: [SCREENS.monitors[0]!], current: 'left' });
  await expectCount(group, 0);
  assert.deepEqual(device.invalid, []);
});

test('DSK-2 Stop on the customer’s page ends control: the rep’s screen goes, the device learns it', TEST, async () => {
  assert.ok(device);
  await button(carla.page, 'Stop control').click();
  await expectNoVideo(rep.page, CONTROL_LABEL);
  await expectCount(rep.page.locator(`video[aria-label="${CONTROL_LABEL}"]`), 0);
  await waitForView(device.client, (v) => Object.values(v.activities).some((a) => a.kind === 'desktop.control' && a.state === 'stopped'));
  await expectCount(carla.page.locator('.sharing-bar'), 0);
  await expectCount(button(rep.page, 'Stop control'), 0);
  // Asking again is possible.
  await tab(rep.page, 'Desktop').click();
  await until('Request control enabled again', async () => button(rep.page, 'Request control').isEnabled());
  assertNoPageErrors(rep, carla);
});

test('APP-2 Request control on the Application tab asks for one application; a decline ends it', TEST, async () => {
  await tab(rep.page, 'Application').click();
  await button(rep.page, 'Request control').click();
  await expectText(prompt(carla.page), `${REP} wants to control one application on your computer with Support Manager.`);
  await button(carla.page, 'Decline').click();
  await expectText(rep.page.getByRole('status').filter({ hasText: 'declined' }), CARLA);
  await expectCount(carla.page.getByRole('region', { name: 'Support Manager' }), 0);
  assertNoPageErrors(rep, carla);
});

test('the Downloads page lists Support Manager for Linux', TEST, async () => {
  const visitor = await person(browser);
  await visitor.page.goto(`${server.url}/downloads`);
  await visitor.page.getByRole('heading', { name: 'Downloads', level: 1 }).waitFor();
  await visitor.page.getByRole('heading', { name: 'Support Manager for Linux (x64)' }).waitFor();
  await expectText(visitor.page.locator('main'), 'Lets a support representative see and control your computer');
  await checkA11y(visitor.page, 'Downloads page');
  await visitor.context.close();
  assertNoPageErrors(visitor);
});
