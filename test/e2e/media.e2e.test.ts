/**
 * Screen sharing in Debian's Chromium (DSK-1/3, APP-1/3, CUS-2, S-3): the
 * rep, two customers and an assisting rep each in their own browser context,
 * with Chromium's fake screen capture. What is shared is checked where it
 * arrives: frames decode, pictures are not blank, and a stopped share is gone
 * everywhere within a second. The tests run in order on one session.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createRep, signIn } from '../support/http.js';
import { startServer, type RunningServer } from '../support/server.js';
import { assertNoPageErrors, checkA11y, expectCount, expectText, TEST, type Person } from './helpers.js';
import {
  allConnected,
  assistantJoins,
  button,
  customerJoins,
  expectDecoding,
  expectNoVideo,
  launchMediaChromium,
  peerConnectionCount,
  repStarts,
  videoInfo,
  watchVideoEnd,
} from './media-helpers.js';

const REP = 'Administrator';
const CARLA = 'Carla Customer';
const CONNY = 'Conny Customer';
const ASTRID = 'Astrid Assistant';

let server: RunningServer;
let browser: Browser;
let astridAccount: { email: string; password: string };
let rep: Person;
let carla: Person;
let conny: Person;
let astrid: Person;
let number = '';

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

const tab = (page: Page, name: 'Desktop' | 'Application' | 'Session' | 'Tools') => page.getByRole('tab', { name, exact: true });
const prompt = (page: Page) => page.getByRole('alertdialog');
const screenOf = (name: string) => `Screen of ${name}`;

/** The rep asks for `kind` on the Desktop or Application tab; the customer sees the prompt and accepts. */
async function shareAccepted(area: 'Desktop' | 'Application', action: 'Request view' | 'Share view', customer: Person, question: string): Promise<void> {
  await tab(rep.page, area).click();
  await button(rep.page, action).click();
  await expectText(prompt(customer.page), question);
  await button(customer.page, 'Accept').click();
  await prompt(customer.page).waitFor({ state: 'hidden' });
}

/** Clicks Stop sharing on `clicker` and checks the screen is gone on every viewer within one second of the click. */
async function stopWithin1s(clicker: Page, viewers: { page: Page; label: string; who: string }[]): Promise<number[]> {
  const watches = await Promise.all(viewers.map((v) => watchVideoEnd(v.page, v.label)));
  // The moment of the click is taken in the page, when the click event fires (not when the test asks for it).
  await clicker.evaluate(`window.__rsStopClickAt = undefined; document.addEventListener('click', (e) => {
    if (e.target instanceof Element && e.target.closest('button')?.textContent === 'Stop sharing') window.__rsStopClickAt = Date.now();
  }, { capture: true, once: true })`);
  await button(clicker, 'Stop sharing').click();
  const t0 = (await clicker.waitForFunction(() => (window as unknown as { __rsStopClickAt?: number }).__rsStopClickAt).then((h) => h.jsonValue())) as number;
  const ms: number[] = [];
  for (const [i, w] of watches.entries()) {
    const elapsed = (await w.ended(5000)) - t0;
    assert.ok(elapsed < 1000, `${viewers[i]!.who}: the stream ended ${elapsed} ms after the click (limit 1000 ms)`);
    ms.push(elapsed);
  }
  for (const v of viewers) await expectCount(v.page.locator(`video[aria-label="${v.label}"]`), 0);
  for (const p of [rep, carla, conny, astrid]) await expectCount(button(p.page, 'Stop sharing'), 0);
  return ms;
}

test('setup: the rep starts a session, two customers join by number and are admitted, a second rep assists', TEST, async () => {
  ({ rep, number } = await repStarts(browser, server));
  carla = await customerJoins(browser, server, rep.page, number, CARLA);
  conny = await customerJoins(browser, server, rep.page, number, CONNY);
  astrid = await assistantJoins(browser, server, astridAccount, number);
  for (const p of [rep, carla, conny, astrid]) await allConnected(p.page, [REP, CARLA, CONNY, ASTRID]);
  // Only the rep in control has the Desktop and Application tabs.
  await tab(rep.page, 'Desktop').waitFor();
  await tab(rep.page, 'Application').waitFor();
  await expectCount(tab(astrid.page, 'Desktop'), 0);
});

test('DSK-1 Request view: the customer is asked first; after Accept the rep decodes frames of the customer\u2019s screen', TEST, async () => {
  await tab(rep.page, 'Desktop').click();
  await rep.page.getByText(`Helping: ${CARLA}`).waitFor();
  assert.equal(await peerConnectionCount(rep.page), 0, 'nothing is connected before consent');
  await button(rep.page, 'Request view').click();
  await expectText(rep.page.getByRole('status').filter({ hasText: 'Waiting for' }), `Waiting for ${CARLA} to accept…`);
  await expectText(prompt(carla.page), `${REP} wants to see your screen.`);
  await expectText(prompt(carla.page), /This request expires in \d+ seconds\./);
  // Only the customer asked gets the prompt.
  await expectCount(prompt(conny.page), 0);
  await expectCount(prompt(astrid.page), 0);
  await checkA11y(carla.page, 'customer page with the consent prompt open');
  assert.equal(await peerConnectionCount(carla.page), 0, 'no capture or connection before Accept');

  await button(carla.page, 'Accept').click();
  const info = await expectDecoding(rep.page, screenOf(CARLA));
  assert.ok(info.width > 0 && info.height > 0);
  // Both sides are told, and both can stop it.
  await expectText(carla.page.locator('.sharing-bar'), /You are sharing your screen with: .*Administrator/);
  await expectText(rep.page.locator('.sharing-bar'), `${CARLA} is sharing their screen.`);
  await button(rep.page, 'Stop sharing').waitFor();
  await button(carla.page, 'Stop sharing').waitFor();
  await carla.page.getByLabel('What you share').waitFor();
});

test('S-3: the second customer and the assisting rep see the share as well', TEST, async () => {
  await expectDecoding(conny.page, screenOf(CARLA));
  await expectDecoding(astrid.page, screenOf(CARLA));
  await expectText(conny.page.locator('.sharing-bar'), `${CARLA} is sharing their screen.`);
  // Viewers who are not involved cannot stop it.
  await expectCount(button(conny.page, 'Stop sharing'), 0);
  await expectCount(button(astrid.page, 'Stop sharing'), 0);
  // The sharer sends to three viewers.
  assert.equal(await peerConnectionCount(carla.page), 3);
  await checkA11y(rep.page, 'console with a share running');
});

test('CUS-2: Stop sharing by the customer ends the stream for everyone within one second', TEST, async () => {
  const ms = await stopWithin1s(carla.page, [
    { page: rep.page, label: screenOf(CARLA), who: 'rep' },
    { page: conny.page, label: screenOf(CARLA), who: 'second customer' },
    { page: astrid.page, label: screenOf(CARLA), who: 'assistant' },
  ]);
  console.error(`stop by the customer: ended after ${ms.join(', ')} ms`);
  await expectText(rep.page.getByRole('status').filter({ hasText: 'Sharing ended.' }), 'Sharing ended.');
  await expectCount(carla.page.getByLabel('What you share'), 0);
  for (const p of [rep, carla, conny, astrid]) await p.page.waitForFunction(() => ((window as unknown as { __rsMedia?: { peerConnections(): unknown[] } }).__rsMedia?.peerConnections().length ?? 0) === 0);
});

test('CUS-2: Stop sharing by the rep ends the stream for everyone within one second', TEST, async () => {
  await shareAccepted('Desktop', 'Request view', carla, `${REP} wants to see your screen.`);
  for (const p of [rep, conny, astrid]) await expectDecoding(p.page, screenOf(CARLA));
  const ms = await stopWithin1s(rep.page, [
    { page: rep.page, label: screenOf(CARLA), who: 'rep' },
    { page: conny.page, label: screenOf(CARLA), who: 'second customer' },
    { page: astrid.page, label: screenOf(CARLA), who: 'assistant' },
    { page: carla.page, label: 'What you share', who: 'the sharing customer\u2019s own preview' },
  ]);
  console.error(`stop by the rep: ended after ${ms.join(', ')} ms`);
  // The capture itself is released on the customer's side.
  await carla.page.waitForFunction(() => !document.querySelector('video[aria-label="What you share"]'));
});

test('CUS-2 Decline: the rep is told; no connection or stream is made on either side', TEST, async () => {
  await tab(rep.page, 'Desktop').click();
  await button(rep.page, 'Request view').click();
  await expectText(prompt(carla.page), `${REP} wants to see your screen.`);
  await button(carla.page, 'Decline').click();
  await prompt(carla.page).waitFor({ state: 'hidden' });
  await rep.page.getByText(`${CARLA} declined.`).waitFor();
  for (const p of [rep, carla, conny, astrid]) {
    assert.equal(await peerConnectionCount(p.page), 0, 'no RTCPeerConnection after a decline');
    assert.equal(await videoInfo(p.page, screenOf(CARLA)), null, 'no <video> of the screen');
  }
  await expectCount(button(carla.page, 'Stop sharing'), 0);
  // The rep may ask again at once.
  await expectCount(rep.page.getByRole('button', { name: 'Request view', disabled: false }), 1);
});

test('DSK-3 Share view: the rep shows their screen after the customer accepts; everybody sees "Screen of <rep>"', TEST, async () => {
  await shareAccepted('Desktop', 'Share view', carla, `${REP} wants to show you their screen.`);
  await expectDecoding(carla.page, screenOf(REP));
  await expectDecoding(conny.page, screenOf(REP));
  await expectDecoding(astrid.page, screenOf(REP));
  await expectText(carla.page.locator('.sharing-bar'), `${REP} is sharing their screen.`);
  await rep.page.getByLabel('What you share').waitFor();
  // The customer who accepted may stop the rep's share.
  await stopWithin1s(carla.page, [
    { page: carla.page, label: screenOf(REP), who: 'customer' },
    { page: conny.page, label: screenOf(REP), who: 'second customer' },
  ]);
});

test('APP-1 / APP-3: the Application tab\u2019s Request view and Share view work the same way', TEST, async () => {
  await tab(rep.page, 'Application').click();
  await rep.page.getByText('See one application of the customer’s', { exact: false }).waitFor();
  await shareAccepted('Application', 'Request view', carla, `${REP} wants to see one of your applications. You choose which one.`);
  await expectDecoding(rep.page, screenOf(CARLA));
  await expectText(rep.page.locator('.sharing-bar'), `${CARLA} is sharing an application.`);
  await expectText(carla.page.locator('.sharing-bar'), 'You are sharing an application with:');
  await stopWithin1s(rep.page, [{ page: rep.page, label: screenOf(CARLA), who: 'rep' }]);

  await shareAccepted('Application', 'Share view', carla, `${REP} wants to show you one of their applications.`);
  await expectDecoding(carla.page, screenOf(REP));
  await expectDecoding(astrid.page, screenOf(REP));
  await stopWithin1s(rep.page, [
    { page: carla.page, label: screenOf(REP), who: 'customer' },
    { page: astrid.page, label: screenOf(REP), who: 'assistant' },
  ]);
});

test('S-3: "Help <second customer>" ends a running share for everyone, with the reason', TEST, async () => {
  await shareAccepted('Desktop', 'Request view', carla, `${REP} wants to see your screen.`);
  await expectDecoding(rep.page, screenOf(CARLA));
  await expectDecoding(conny.page, screenOf(CARLA));
  const participants = rep.page.getByRole('region', { name: 'Participants' });
  await button(participants, `Help ${CONNY}`).click();
  await expectNoVideo(rep.page, screenOf(CARLA));
  await expectNoVideo(conny.page, screenOf(CARLA));
  await expectNoVideo(astrid.page, screenOf(CARLA));
  // Carla's sharing bar is gone, and everyone is told why.
  await expectCount(carla.page.locator('.sharing-bar'), 0);
  await expectCount(button(carla.page, 'Stop sharing'), 0);
  for (const p of [rep, carla, conny, astrid]) {
    await expectText(p.page.getByRole('status').filter({ hasText: 'Sharing ended' }), 'Sharing ended: the rep switched to another customer.');
  }
  await tab(rep.page, 'Desktop').click();
  await rep.page.getByText(`Helping: ${CONNY}`).waitFor();
  await button(participants, `Help ${CARLA}`).waitFor();
  // The next request goes to the customer helped now.
  await button(rep.page, 'Request view').click();
  await expectText(prompt(conny.page), `${REP} wants to see your screen.`);
  await expectCount(prompt(carla.page), 0);
  await button(conny.page, 'Accept').click();
  await expectDecoding(rep.page, screenOf(CONNY));
  await expectDecoding(carla.page, screenOf(CONNY));
  await button(conny.page, 'Stop sharing').click();
  await expectNoVideo(rep.page, screenOf(CONNY));
  assertNoPageErrors(rep, carla, conny, astrid);
});
