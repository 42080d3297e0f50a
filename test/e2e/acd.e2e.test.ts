/**
 * WebACD end to end in Debian's Chromium: a company page on another origin
 * with the "Get help" script, the person in the queue, ring-no-answer,
 * the agent's Accept, chat, Transfer session to a queue with a message,
 * the second agent, leaving the queue, business hours, the queue report.
 * The tests run in order and carry the story from one to the next.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import type { AgentState, Queue, SiteSettings } from '@rs/protocol';
import { queueBody } from '../support/acd.js';
import { launchChromium } from '../support/browser.js';
import { createRep, signIn } from '../support/http.js';
import { ADMIN, startServer, type RunningServer } from '../support/server.js';
import { assertNoPageErrors, chat, checkA11y, expectCount, expectText, nav, person, sendChat, signInUI, TEST, until, type Person } from './helpers.js';

let server: RunningServer;
let browser: Browser;
let admin: Awaited<ReturnType<typeof signIn>>;
let company: http.Server;
let companyOrigin = '';
let other: http.Server;
let german: http.Server;
let germanOrigin = '';
let otherOrigin = '';
const people: Person[] = [];
let ada: Awaited<ReturnType<typeof createRep>>;
let bruno: Awaited<ReturnType<typeof createRep>>;
let cleo: Awaited<ReturnType<typeof createRep>>;
let front: Queue;
let escalation: Queue;
let agentA: Person;
let agentB: Person;
let carla: Person;
const PROBLEM = 'The invoice page shows an error when I press Pay.';
const MESSAGE = 'Carla cannot pay her invoice; the Pay button fails. Chat has the details.';

/** A company's web page with the script tag, on its own origin. */
function companySite(scriptSrc: string, attrs = ''): Promise<{ server: http.Server; origin: string }> {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<style>button { display: none !important } * { font-size: 3px }</style></head>
<body><main><h1>Acme Shop</h1><p>Pay your invoice here.</p></main>
<script src="${scriptSrc}" data-queue="front-desk"${attrs} async></script></body></html>`;
  const s = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page));
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve({ server: s, origin: `http://127.0.0.1:${(s.address() as AddressInfo).port}` })));
}

const button = (page: Page | FrameLocator | Locator, name: string) => page.getByRole('button', { name, exact: true });

async function agentState(agent: typeof ada): Promise<AgentState> {
  return agent.api.get<AgentState>('/api/acd/agent');
}

before(async () => {
  server = await startServer();
  browser = await launchChromium();
  admin = await signIn(server.url);
  ({ server: company, origin: companyOrigin } = await companySite(`${server.url}/embed/help.js`));
  ({ server: other, origin: otherOrigin } = await companySite(`${server.url}/embed/help.js`));
  ({ server: german, origin: germanOrigin } = await companySite(`${server.url}/embed/help.js`, ' data-lang="de"'));
  const settings = await admin.api.get<SiteSettings>('/api/settings');
  await admin.api.put('/api/settings', { ...settings, webAcdEnabled: true, acdOfferSeconds: 5, maxCustomersPerRep: 5, acdAllowedOrigins: [companyOrigin, germanOrigin] });
  const AGENT = { admin: false, rep: true, agent: true };
  ada = await createRep(server.url, admin.api, 'Ada Agent', AGENT);
  bruno = await createRep(server.url, admin.api, 'Bruno Agent', AGENT);
  cleo = await createRep(server.url, admin.api, 'Cleo Agent', AGENT);
  front = await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Front desk', slug: 'front-desk', agentIds: [ada.user.id, cleo.user.id], formText: 'Acme support: tell us what went wrong.' }));
  escalation = await admin.api.post<Queue>('/api/acd/queues', queueBody({ name: 'Escalation', slug: 'escalation', agentIds: [bruno.user.id] }));
  agentA = await person(browser);
  agentB = await person(browser);
  carla = await person(browser);
  people.push(agentA, agentB, carla);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  company?.close();
  other?.close();
  german?.close();
});

test('the queue has history: two earlier people were answered (so the waiting view can estimate)', TEST, async () => {
  await cleo.api.patch('/api/acd/agent', { status: 'available', autoAccept: true });
  for (const n of [1, 2]) {
    const res = await fetch(`${server.url}/api/acd/queues/front-desk/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Earlier ${n}`, email: `earlier${n}@example.test`, problem: 'earlier problem' }),
    });
    assert.equal(res.status, 201);
  }
  await until('both earlier people were taken', async () => (await agentState(cleo)).sessions.length === 2);
  await cleo.api.patch('/api/acd/agent', { status: 'away', autoAccept: false });
});

test('ACD-1: on a page of an allowed origin the script adds "Get help"; the form puts the person in the queue with position and wait', TEST, async () => {
  const p = carla.page;
  await p.goto(companyOrigin);
  const open = p.getByRole('button', { name: 'Get help', exact: true });
  await open.waitFor();
  await open.click();
  const panel = p.getByRole('dialog', { name: 'Get help' });
  await panel.waitFor();
  const frame = p.frameLocator('iframe[title="Get help"]');
  await frame.getByText('Acme support: tell us what went wrong.').waitFor();
  await frame.getByLabel('Your name').fill('Carla Customer');
  await frame.getByLabel('Email').fill('carla@example.test');
  await frame.getByLabel('Describe your problem').fill(PROBLEM);
  await button(frame, 'Get help').click();
  await frame.getByRole('heading', { name: 'You are in the queue' }).waitFor();
  await frame.getByText('Position in queue: 1').waitFor();
  await frame.getByText(/^Estimated wait: about \d+ minutes?$/).waitFor();
  await checkA11y(p, 'company page with the Get help panel: waiting');
});

test('ACD-1: a page on an origin that is not allowed gets no "Get help" button', TEST, async () => {
  const page = await carla.context.newPage();
  const warned = new Promise<string>((resolve) => page.on('console', (m) => m.type() === 'warning' && resolve(m.text())));
  await page.goto(otherOrigin);
  assert.match(await warned, /not allowed to offer the help queue/);
  await expectCount(page.getByRole('button', { name: 'Get help' }), 0);
  await page.close();
});

test('ACD-1: the help page in the frame speaks the script\'s data-lang; Escape inside the frame closes the panel and focus returns to the button', TEST, async () => {
  const dora = await person(browser);
  people.push(dora);
  const p = dora.page;
  await p.goto(germanOrigin);
  const open = p.getByRole('button', { name: 'Hilfe erhalten', exact: true });
  await open.click();
  const frame = p.frameLocator('iframe[title="Hilfe erhalten"]');
  await frame.getByLabel('Ihr Name').click();
  await button(frame, 'Hilfe anfordern').waitFor();
  await p.keyboard.press('Escape');
  await p.getByRole('dialog').waitFor({ state: 'hidden' });
  // The button now offers the way back to the form it left, in German too, and has the focus again.
  const back = p.getByRole('button', { name: 'Zurück zur Hilfe', exact: true });
  await until('focus is back on the button', () => back.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el));
});

test('ACD-3: an offer not accepted in time moves on (ring-no-answer); the agent who accepts gets the session with the form answers', TEST, async () => {
  // Cleo has been available longest: she is offered Carla first, and lets it ring.
  await cleo.api.patch('/api/acd/agent', { status: 'available' });
  await until('Cleo is offered Carla', async () => (await agentState(cleo)).offers.some((o) => o.name === 'Carla Customer'));
  const a = agentA.page;
  await signInUI(a, server.url, ada.email, ada.password);
  await nav(a).getByRole('link', { name: 'Inbound', exact: true }).click();
  await a.getByRole('radio', { name: 'Available' }).check();
  const offer = a.getByRole('alertdialog', { name: 'Incoming request' });
  await offer.getByText(PROBLEM).waitFor({ timeout: 15_000 });
  await offer.getByText(/^Accept within \d+ s$/).waitFor();
  const missed = await agentState(cleo);
  assert.equal(missed.status, 'away', 'the agent who let it ring is set Away');
  assert.equal(missed.missedOffer, true);
  await button(offer, 'Accept').click();
  await a.waitForURL(/\/console\//);
  const request = a.getByRole('region', { name: 'Request' });
  await request.getByText(PROBLEM).waitFor();
  await request.getByText('carla@example.test').waitFor();
  await request.getByText('Front desk').waitFor();
  // The person's panel becomes the support session: chat both ways.
  const frame = carla.page.frameLocator('iframe[title="Get help"]');
  await chat(frame).message.waitFor();
  await sendChat(frame, 'Hello, the Pay button fails.');
  await chat(a).item('Hello, the Pay button fails.').waitFor();
  await sendChat(a, 'Let me get a billing specialist.');
  await chat(frame).item('Let me get a billing specialist.').waitFor();
});

test('SES-4: a 346-character message is refused and nothing is transferred; then the session goes to the Escalation queue and the agent leaves', TEST, async () => {
  const b = agentB.page;
  await signInUI(b, server.url, bruno.email, bruno.password);
  await nav(b).getByRole('link', { name: 'Inbound', exact: true }).click();
  await b.getByRole('radio', { name: 'Available' }).check();

  const a = agentA.page;
  await a.getByRole('tab', { name: 'Session', exact: true }).click();
  await button(a, 'Transfer session').click();
  const dialog = a.getByRole('dialog', { name: 'Transfer session' });
  await dialog.getByRole('tab', { name: 'Queues', exact: true }).click();
  await dialog.getByRole('radio', { name: /^Escalation/ }).check();
  await dialog.getByLabel('Message').fill('y'.repeat(346));
  await dialog.getByText(/346\/345/).waitFor();
  await button(dialog, 'Transfer').click();
  await expectText(dialog.getByRole('alert'), /345/);
  // Nothing happened: Ada is still in control, Bruno has no offer.
  assert.equal((await agentState(bruno)).offers.length, 0);
  await a.getByText('You control this session.').waitFor();

  await dialog.getByLabel('Message').fill(MESSAGE);
  await dialog.getByText(`${MESSAGE.length}/345`).waitFor();
  await button(dialog, 'Transfer').click();
  await a.getByRole('heading', { name: 'You transferred this session' }).waitFor();
  const frame = carla.page.frameLocator('iframe[title="Get help"]');
  await frame.getByText('You are being transferred to another agent. Please wait.').waitFor();
});

test('SES-4: the next agent of the queue gets the offer with the message, and the session with its chat history', TEST, async () => {
  const b = agentB.page;
  const offer = b.getByRole('alertdialog', { name: 'Incoming request' });
  await offer.getByText(`Message from Ada Agent: ${MESSAGE}`).waitFor();
  await button(offer, 'Accept').click();
  await b.waitForURL(/\/console\//);
  await b.getByText(`Transferred by Ada Agent: ${MESSAGE}`).waitFor();
  await chat(b).item('Hello, the Pay button fails.').waitFor();
  await chat(b).item('Let me get a billing specialist.').waitFor();
  await b.getByText('You control this session.').waitFor();
  const frame = carla.page.frameLocator('iframe[title="Get help"]');
  await expectCount(frame.getByText('You are being transferred to another agent. Please wait.'), 0);
  await sendChat(b, 'Billing here: I can see the failed payment.');
  await chat(frame).item('Billing here: I can see the failed payment.').waitFor();
  // Ada's inbound session was handed on: it is no longer hers.
  assert.equal((await agentState(ada)).sessions.length, 0);
  assert.equal(escalation.name, 'Escalation');
});

test('ACD-5: leaving the queue is recorded as abandoned, and the queue report shows it', TEST, async () => {
  await ada.api.patch('/api/acd/agent', { status: 'away' });
  const dora = await person(browser);
  people.push(dora);
  const p = dora.page;
  await p.goto(`${server.url}/help/front-desk`);
  await p.getByLabel('Your name').fill('Dora Departing');
  await p.getByLabel('Email').fill('dora@example.test');
  await p.getByLabel('Describe your problem').fill('I will come back later.');
  await button(p, 'Get help').click();
  await p.getByText('Position in queue: 1').waitFor();
  await button(p, 'Leave queue').click();
  await p.getByRole('heading', { name: 'You left the queue' }).waitFor();

  const boss = await person(browser);
  people.push(boss);
  const r = boss.page;
  await signInUI(r, server.url, ADMIN.email, ADMIN.password);
  await r.goto(`${server.url}/reports/queues`);
  const table = r.getByRole('table', { name: 'Queue report' });
  const row = table.getByRole('row').filter({ hasText: 'Front desk' });
  await row.waitFor();
  // Four people entered Front desk (two earlier, Carla, Dora); three were answered; Dora abandoned.
  const cells = await row.getByRole('cell').allTextContents();
  assert.deepEqual(cells.slice(1, 5), ['Front desk', '4', '3', '1']);
  const escalationRow = table.getByRole('row').filter({ hasText: 'Escalation' });
  assert.deepEqual((await escalationRow.getByRole('cell').allTextContents()).slice(1, 5), ['Escalation', '1', '1', '0']);
  await checkA11y(r, 'queue report');
  assert.equal(front.slug, 'front-desk');
});

test('ACD-5: outside business hours the help page says so and takes a message, which the agents see', TEST, async () => {
  await admin.api.post<Queue>(
    '/api/acd/queues',
    queueBody({ name: 'Night desk', slug: 'night-desk', agentIds: [ada.user.id], hours: { timeZone: 'UTC', days: {} } }),
  );
  const p = carla.page;
  await p.goto(`${server.url}/help/night-desk`);
  await p.getByText('We are closed right now.').waitFor();
  await expectCount(button(p, 'Get help'), 0);
  await p.getByLabel('Your name').fill('Nils Night');
  await p.getByLabel('Email').fill('nils@example.test');
  await p.getByLabel('Describe your problem').fill('Please call me tomorrow about my order.');
  await button(p, 'Leave a message').click();
  await p.getByText('Thank you. Your message was sent, and we will get back to you by email.').waitFor();
  const { messages } = await ada.api.get<{ messages: { name: string; problem: string }[] }>('/api/acd/messages');
  assert.ok(messages.some((m) => m.name === 'Nils Night' && m.problem === 'Please call me tomorrow about my order.'));
  assertNoPageErrors(...people);
});
