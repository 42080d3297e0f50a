/**
 * Live media through TURN: coturn on loopback (use-auth-secret), the server
 * handing out TURN REST API credentials (TURN_URLS, TURN_SECRET), and both
 * pages forced to relay-only ICE (window.__rsIcePolicy = 'relay'). A desktop
 * view must decode on the rep's side over a relay candidate pair; with a
 * wrong secret no path exists and the rep is told so.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MediaController } from '@rs/client/media';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../support/browser.js';
import { startCoturn, type RunningCoturn } from '../support/coturn.js';
import { startServer, ADMIN, type RunningServer } from '../support/server.js';
import { assertNoPageErrors, person, sessionNumber, signInUI, STEP_MS, TEST, type Person } from './helpers.js';

/** What the web page exposes for tests (apps/web/src/media/useMedia.ts). */
type RsWindow = Window & { __rsMedia?: MediaController; __rsIcePolicy?: RTCIceTransportPolicy };

let coturn: RunningCoturn | undefined;
let browser: Browser | undefined;
const servers: RunningServer[] = [];

before(async () => {
  coturn = await startCoturn();
  // getDisplayMedia without a picker: a fake "browser tab" surface, accepted at once.
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      ...CHROMIUM_ARGS.filter((a) => !a.startsWith('--use-fake-device-for-media-stream')),
      '--use-fake-device-for-media-stream=display-media-type=browser',
      '--auto-accept-this-tab-capture',
    ],
  });
});

after(async () => {
  await browser?.close();
  for (const s of servers) await s.stop();
  await coturn?.stop();
});

async function serverWithTurn(secret: string): Promise<RunningServer> {
  const s = await startServer({ env: { TURN_URLS: coturn!.url, TURN_SECRET: secret, STUN_URLS: '', TURN_TTL_SECONDS: '600' } });
  servers.push(s);
  return s;
}

/** A person whose page creates its MediaController with relay-only ICE. */
async function relayPerson(): Promise<Person> {
  const p = await person(browser!);
  await p.context.addInitScript(() => {
    (window as RsWindow).__rsIcePolicy = 'relay';
  });
  return p;
}

/** The rep starts a session, the customer "Carla" joins and is admitted, the rep asks to view her desktop and she accepts. */
async function startDesktopView(server: RunningServer, rep: Person, customer: Person): Promise<void> {
  await signInUI(rep.page, server.url, ADMIN.email, ADMIN.password);
  await rep.page.goto(`${server.url}/start`);
  await rep.page.getByRole('button', { name: 'Start', exact: true }).click();
  await rep.page.waitForURL(/\/console\//);
  const number = await sessionNumber(rep.page);
  await customer.page.goto(`${server.url}/join?number=${number}`);
  await customer.page.getByLabel('Your name').fill('Carla');
  await customer.page.getByRole('button', { name: 'Join', exact: true }).click();
  await rep.page.getByRole('button', { name: 'Admit', exact: true }).click();
  await customer.page.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
  // Both pages run with the relay policy the init script set.
  for (const p of [rep.page, customer.page]) assert.equal(await p.evaluate(() => (window as RsWindow).__rsIcePolicy), 'relay');
  await rep.page.getByRole('tab', { name: 'Desktop', exact: true }).click();
  await rep.page.getByRole('button', { name: 'Request view', exact: true }).click();
  await customer.page.getByRole('button', { name: 'Accept', exact: true }).click();
}

const SCREEN = 'video[aria-label="Screen of Carla"]';

/** The selected candidate pair of every RTCPeerConnection of the page, with the types of its two candidates. */
async function selectedPairs(page: Page) {
  return page.evaluate(async () => {
    const out: { state: string; connection: string; local: string | null; remote: string | null; localProtocol: string | null; relayProtocol: string | null }[] = [];
    for (const { pc } of (window as RsWindow).__rsMedia?.peerConnections() ?? []) {
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(s.id as string, s));
      const all = [...stats.values()];
      const transport = all.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
      const pair =
        (transport && stats.get(transport.selectedCandidatePairId as string)) ??
        all.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
      const local = pair ? stats.get(pair.localCandidateId as string) : undefined;
      const remote = pair ? stats.get(pair.remoteCandidateId as string) : undefined;
      out.push({
        state: String(pair?.state ?? 'none'),
        connection: pc.connectionState,
        local: (local?.candidateType as string | undefined) ?? null,
        remote: (remote?.candidateType as string | undefined) ?? null,
        localProtocol: (local?.protocol as string | undefined) ?? null,
        relayProtocol: (local?.relayProtocol as string | undefined) ?? null,
      });
    }
    return out;
  });
}

test('a desktop view decodes over TURN relay candidates only (coturn on loopback, TURN REST credentials)', TEST, async () => {
  const server = await serverWithTurn(coturn!.secret);
  const rep = await relayPerson();
  const customer = await relayPerson();
  try {
    await startDesktopView(server, rep, customer);

    // Frames decode on the rep's side, and keep coming.
    await rep.page.locator(SCREEN).waitFor();
    await rep.page.waitForFunction((sel) => (document.querySelector(sel) as HTMLVideoElement | null)?.videoWidth! > 0, SCREEN, { timeout: STEP_MS });
    const first = await rep.page.evaluate((sel) => (document.querySelector(sel) as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames, SCREEN);
    await rep.page.waitForFunction(
      ([sel, n]) => (document.querySelector(sel as string) as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames >= (n as number) + 5,
      [SCREEN, first] as const,
      { timeout: STEP_MS },
    );

    // Both ends use a relayed path: the selected pair's local candidate is a TURN allocation.
    for (const [who, p] of [
      ['rep', rep.page],
      ['customer', customer.page],
    ] as const) {
      // Stats name the selected pair once ICE has chosen one.
      await p.waitForFunction(
        async () => {
          for (const { pc } of (window as RsWindow).__rsMedia?.peerConnections() ?? []) {
            let ok = false;
            (await pc.getStats()).forEach((s: Record<string, unknown>) => {
              if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') ok = true;
            });
            if (ok) return true;
          }
          return false;
        },
        null,
        { timeout: STEP_MS },
      );
      const pairs = await selectedPairs(p);
      assert.ok(pairs.length >= 1, `${who}: no peer connection`);
      const connected = pairs.filter((x) => x.connection === 'connected');
      assert.ok(connected.length >= 1, `${who}: no connected peer connection: ${JSON.stringify(pairs)}`);
      for (const x of connected) {
        assert.equal(x.state, 'succeeded', `${who}: ${JSON.stringify(x)}`);
        assert.equal(x.local, 'relay', `${who}: the selected pair's local candidate is not a relay candidate: ${JSON.stringify(x)}`);
        assert.equal(x.remote, 'relay', `${who}: the selected pair's remote candidate is not a relay candidate: ${JSON.stringify(x)}`);
        assert.equal(x.relayProtocol, 'udp', `${who}: ${JSON.stringify(x)}`);
      }
    }
    // coturn really relayed: it logged allocations with our TURN REST username ("<expiry>:<participant id>").
    assert.match(coturn!.output(), /realm <test> user <\d+:[^>]+>: incoming packet ALLOCATE processed, success/);
    assertNoPageErrors(rep, customer);
  } finally {
    await rep.context.close();
    await customer.context.close();
  }
});

test('with relay-only ICE and a wrong TURN secret the share cannot connect, and the rep is told no media connection could be made', TEST, async () => {
  const server = await serverWithTurn(`not-${coturn!.secret}`);
  const logFrom = coturn!.output().length;
  const rep = await relayPerson();
  const customer = await relayPerson();
  try {
    await startDesktopView(server, rep, customer);
    // No relay candidate can be gathered (coturn answers 401), so ICE cannot
    // even start; the controller restarts it a few times, then gives up and
    // the Participants panel says so.
    await rep.page
      .getByText('No media connection could be made with Carla. A firewall may block it; ask your admin to set up a TURN server.')
      .waitFor({ timeout: 40_000 });
    // Nothing ever decoded, and no connection came up.
    const decoded = await rep.page.evaluate((sel) => (document.querySelector(sel) as HTMLVideoElement | null)?.videoWidth ?? 0, SCREEN);
    assert.equal(decoded, 0);
    const states = await rep.page.evaluate(() => ((window as RsWindow).__rsMedia?.peerConnections() ?? []).map(({ pc }) => pc.connectionState));
    assert.ok(!states.includes('connected'), `rep connection states: ${states.join(', ')}`);
    // coturn refused every allocation: the credentials were signed with another secret.
    const log = coturn!.output().slice(logFrom);
    assert.match(log, /user <\d+:[^>]+>: incoming packet message processed, error 401/);
    assert.doesNotMatch(log, /ALLOCATE processed, success/);
    assertNoPageErrors(rep, customer);
  } finally {
    await rep.context.close();
    await customer.context.close();
  }
});
