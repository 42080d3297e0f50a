/**
 * Voice, video and the display mode in Debian's Chromium (AUD-1, VID-1,
 * SES-1, SES-3 with media): the rep, a customer and an assisting rep, with
 * Chromium's fake camera, microphone (a beeping tone) and screen. Media is
 * checked where it arrives, from WebRTC statistics and decoded frames. The
 * tests run in order on one session.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createRep, signIn } from '../support/http.js';
import { startServer, type RunningServer } from '../support/server.js';
import { assertNoPageErrors, expectCount, expectText, TEST, until, type Person } from './helpers.js';
import {
  allConnected,
  assistantJoins,
  button,
  customerJoins,
  expectDecoding,
  expectGrowing,
  expectNoVideo,
  inbound,
  launchMediaChromium,
  outboundVideo,
  repStarts,
} from './media-helpers.js';

const REP = 'Administrator';
const CARLA = 'Carla Customer';
const ASTRID = 'Astrid Assistant';

let server: RunningServer;
let browser: Browser;
let astridAccount: { email: string; password: string };
let rep: Person;
let carla: Person;
let astrid: Person;

before(async () => {
  server = await startServer();
  browser = await launchMediaChromium();
  const { api } = await signIn(server.url);
  astridAccount = await createRep(server.url, api, ASTRID);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const tab = (page: Page, name: 'Desktop' | 'Session' | 'Tools') => page.getByRole('tab', { name, exact: true });
/** The line that lists the call's members, e.g. "Voice call: Administrator, Carla Customer (muted)". */
const callLine = (page: Page) => page.getByText(/^Voice call: /);

/** Waits until the call line lists exactly `members` (ignoring the "(speaking)" marks, which come and go with the sound). */
async function expectCall(page: Page, members: string[]): Promise<void> {
  const want = `Voice call: ${members.join(', ')}`;
  let last = '';
  await until(
    () => `"${want}" on ${page.url()} (last: "${last}")`,
    async () => {
      last = ((await callLine(page).textContent({ timeout: 1000 })) ?? '').replace(/ \(speaking\)/g, '').trim();
      return last === want;
    },
  );
}

test('setup: the rep starts a session, a customer joins by number and is admitted, a second rep assists', TEST, async () => {
  let number: string;
  ({ rep, number } = await repStarts(browser, server));
  carla = await customerJoins(browser, server, rep.page, number, CARLA);
  astrid = await assistantJoins(browser, server, astridAccount, number);
  for (const p of [rep, carla, astrid]) await allConnected(p.page, [REP, CARLA, ASTRID]);
});

test('AUD-1: the rep starts a call with Audio, the customer joins; sound arrives on both sides', TEST, async () => {
  // Only the rep in control can start a call.
  await expectCount(button(carla.page, 'Audio'), 0);
  await expectCount(button(astrid.page, 'Audio'), 0);
  await button(rep.page, 'Audio').click();
  await expectCall(rep.page, [REP]);
  await button(rep.page, 'End call').waitFor();
  await expectCall(carla.page, [REP]);
  await button(carla.page, 'Join call').click();
  await expectCall(rep.page, [REP, CARLA]);
  await expectCall(carla.page, [REP, CARLA]);
  await button(carla.page, 'Leave call').waitFor();
  // Decoded audio samples on each side (the fake microphone beeps).
  for (const [who, p] of [['rep', rep.page], ['customer', carla.page]] as const) {
    const samples = await until(`decoded audio on the ${who}'s side`, async () => {
      const s = await inbound(p, 'audio');
      return s.samples > 0 ? s.samples : undefined;
    });
    assert.ok(samples > 0);
    await expectGrowing(`audio packets received by the ${who}`, async () => (await inbound(p, 'audio')).packets);
  }
  // The assistant is not in the call: nothing arrives there.
  assert.equal((await inbound(astrid.page, 'audio')).packets, 0);
  await button(astrid.page, 'Join call').waitFor();
});

test('AUD-1: Mute shows the member as muted to the others; Unmute undoes it', TEST, async () => {
  await button(carla.page, 'Mute').click();
  await expectCall(rep.page, [REP, `${CARLA} (muted)`]);
  await expectCall(astrid.page, [REP, `${CARLA} (muted)`]);
  assert.equal(await button(carla.page, 'Unmute').getAttribute('aria-pressed'), 'true');
  await button(carla.page, 'Unmute').click();
  await expectCall(rep.page, [REP, CARLA]);
  await expectCall(astrid.page, [REP, CARLA]);
  assert.equal(await button(carla.page, 'Mute').getAttribute('aria-pressed'), 'false');
});

test('VID-1: the rep\u2019s camera is decoded on the customer\u2019s page; the customer sends theirs too', TEST, async () => {
  await button(rep.page, 'Video').click();
  await button(rep.page, 'Stop video').waitFor();
  await expectDecoding(carla.page, `Camera of ${REP}`);
  await expectDecoding(astrid.page, `Camera of ${REP}`);
  await rep.page.getByLabel('Your camera').waitFor();
  await button(carla.page, 'Video').click();
  await expectDecoding(rep.page, `Camera of ${CARLA}`);
  await button(carla.page, 'Stop video').click();
  await expectNoVideo(rep.page, `Camera of ${CARLA}`);
  await button(carla.page, 'Video').waitFor();
  // The rep's camera stays on for the transfer below.
  await expectDecoding(carla.page, `Camera of ${REP}`);
});

test('SES-1: Screen sampling changes what the sharer sends at once, and Standard changes it back', TEST, async () => {
  await tab(rep.page, 'Desktop').click();
  await button(rep.page, 'Request view').click();
  await button(carla.page, 'Accept').click();
  await expectDecoding(rep.page, `Screen of ${CARLA}`);
  const standard = await until('the customer\u2019s outbound video at full size', async () => {
    const o = await outboundVideo(carla.page);
    return o && o.frameWidth > 0 && o.scaleResolutionDownBy === 1 ? o : undefined;
  });

  const choose = async (mode: 'Screen sampling' | 'Standard') => {
    await tab(rep.page, 'Session').click();
    await button(rep.page, 'Session options').click();
    const dialog = rep.page.getByRole('dialog', { name: 'Session options' });
    await dialog.getByRole('radio', { name: mode }).check();
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  };

  await choose('Screen sampling');
  let seen: unknown;
  const sampling = await until(
    () => `the sender to halve its frame width from ${standard.frameWidth} (last ${JSON.stringify(seen)})`,
    async () => {
      const o = (seen = await outboundVideo(carla.page));
      return o && o.frameWidth > 0 && o.frameWidth <= Math.ceil(standard.frameWidth / 2) ? o : undefined;
    },
  );
  console.error(`display mode: standard ${standard.frameWidth}x${standard.frameHeight}, screen sampling ${sampling.frameWidth}x${sampling.frameHeight}`);
  assert.equal(sampling.scaleResolutionDownBy, 2);
  assert.equal(sampling.maxBitrate, 800_000);
  assert.equal(sampling.maxFramerate, 30);
  // The viewer keeps decoding, at the smaller size.
  await until('the rep\u2019s picture at half width', async () => {
    const w = await rep.page.evaluate(() => (document.querySelector('video[aria-label="Screen of Carla Customer"]') as HTMLVideoElement | null)?.videoWidth ?? 0);
    return w > 0 && w <= Math.ceil(standard.frameWidth / 2);
  });

  await choose('Standard');
  const back = await until(
    () => `the sender back at width ${standard.frameWidth} (last ${JSON.stringify(seen)})`,
    async () => {
      const o = (seen = await outboundVideo(carla.page));
      return o && o.frameWidth === standard.frameWidth ? o : undefined;
    },
  );
  assert.equal(back.scaleResolutionDownBy, 1);
  assert.equal(back.maxBitrate, 2_500_000);
  assert.equal(back.maxFramerate, 15);
});

test('SES-3 with media: transferring control ends the share and the cameras but not the call; sound keeps flowing', TEST, async () => {
  // Running now: Carla's screen, the rep's camera, the call of the rep and Carla.
  await expectDecoding(astrid.page, `Screen of ${CARLA}`);
  await expectDecoding(carla.page, `Camera of ${REP}`);
  await tab(rep.page, 'Session').click();
  await button(rep.page, 'Transfer control').click();
  const dialog = rep.page.getByRole('dialog', { name: 'Transfer control' });
  await dialog.getByRole('radio', { name: ASTRID }).check();
  await dialog.getByRole('button', { name: 'Transfer control' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const samplesAtTransfer = (await inbound(carla.page, 'audio')).samples;

  await expectNoVideo(rep.page, `Screen of ${CARLA}`);
  await expectNoVideo(astrid.page, `Screen of ${CARLA}`);
  await expectNoVideo(carla.page, `Camera of ${REP}`);
  await expectNoVideo(astrid.page, `Camera of ${REP}`);
  await expectCount(carla.page.locator('.sharing-bar'), 0);
  await expectCount(rep.page.getByLabel('Your camera'), 0);
  await expectText(carla.page.getByRole('status').filter({ hasText: 'Sharing ended' }), 'Sharing ended: control of the session was transferred.');

  // The call goes on with the same members; sound keeps arriving at the customer and at the former primary.
  await expectCall(carla.page, [REP, CARLA]);
  await expectCall(astrid.page, [REP, CARLA]);
  await expectGrowing('audio samples decoded by the customer after the transfer', async () => (await inbound(carla.page, 'audio')).samples);
  await expectGrowing('audio packets received by the former primary after the transfer', async () => (await inbound(rep.page, 'audio')).packets);
  assert.ok((await inbound(carla.page, 'audio')).samples > samplesAtTransfer);
  // Ending the call is now the new primary's.
  await expectCount(button(rep.page, 'End call'), 0);
  await button(astrid.page, 'End call').click();
  for (const p of [rep, carla, astrid]) await expectCount(callLine(p.page), 0);
  await expectNoVideo(carla.page, `Camera of ${REP}`);
  for (const p of [rep, carla, astrid]) {
    await p.page.waitForFunction(() => ((window as unknown as { __rsMedia?: { peerConnections(): unknown[] } }).__rsMedia?.peerConnections().length ?? 1) === 0);
  }
  assertNoPageErrors(rep, carla, astrid);
});
