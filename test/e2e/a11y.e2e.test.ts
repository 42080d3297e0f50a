/**
 * axe-core on every page and dialog of the product, in each state a person
 * meets it in (empty, with an error, with content), and the main pages in
 * every UI language. The other e2e files check the pages of their flows too;
 * this one walks them all, including the rarer states.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { createRep, signIn } from '../support/http.js';
import { ADMIN, startServer, type RunningServer } from '../support/server.js';
import { assertNoPageErrors, chat, checkA11y, expectText, inviteLink, nav, person, sendChat, sessionNumber, signInUI, TEST, type Person } from './helpers.js';

let server: RunningServer;
let browser: Browser;
let admin: Person;
let rep2: { email: string; password: string; name: string };
const people: Person[] = [];

before(async () => {
  server = await startServer();
  browser = await launchChromium();
  const { api } = await signIn(server.url);
  rep2 = await createRep(server.url, api, 'Ravi Rep');
  admin = await person(browser, { clipboard: true });
  people.push(admin);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the check fails on a page with a known problem (an unlabelled field, unreadable text)', TEST, async () => {
  const p = (await person(browser)).page;
  await p.goto(`${server.url}/sign-in`);
  await checkA11y(p, 'sign-in page');
  await p.evaluate(() => {
    const main = document.querySelector('main')!;
    main.append(document.createElement('input'));
    const faint = document.createElement('p');
    faint.style.color = '#e8e8e8';
    faint.textContent = 'Barely readable';
    main.append(faint);
  });
  await assert.rejects(checkA11y(p, 'sign-in page with injected problems', { quiet: true }), /color-contrast, label/);
  await p.context().close();
});

test('public pages: home, sign-in, join, setup, not found, invalid links', TEST, async () => {
  const visitor = await person(browser);
  people.push(visitor);
  const p = visitor.page;
  await p.goto(server.url);
  await checkA11y(p, 'home (visitor)');
  await p.goto(`${server.url}/sign-in`);
  await checkA11y(p, 'sign-in');
  await p.getByLabel('Email').fill('nobody@example.test');
  await p.getByLabel('Password').fill('wrong-password');
  await p.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectText(p.getByRole('alert'), 'The email or password is wrong.');
  await checkA11y(p, 'sign-in with an error');
  await p.goto(`${server.url}/join`);
  await checkA11y(p, 'join');
  await p.getByLabel('Session number').fill('123');
  await p.getByLabel('Your name').fill('Vic Visitor');
  await p.getByRole('button', { name: 'Join', exact: true }).click();
  await p.getByRole('alert').waitFor();
  await checkA11y(p, 'join with a validation error');
  await p.goto(`${server.url}/setup`);
  await checkA11y(p, 'setup without a token');
  await p.goto(`${server.url}/no-such-page`);
  await p.getByRole('heading', { name: 'This page does not exist.' }).waitFor();
  await checkA11y(p, 'not found');
  await p.goto(`${server.url}/session/unknown-session`);
  await p.getByText('This page has no session. Use Join and type the session number.').waitFor();
  await checkA11y(p, 'customer page without a ticket');
  await p.goto(`${server.url}/invite/not-a-valid-token-at-all`);
  await p.getByRole('alert').waitFor();
  await checkA11y(p, 'invitation page with an invalid link');
  // A rep page sends a visitor to sign in.
  await p.goto(`${server.url}/reports`);
  await p.waitForURL(/\/sign-in\?next=%2Freports/);
  await checkA11y(p, 'sign-in after a redirect');
});

test('rep and admin pages: home, start, assist, reports, users, site settings, outbox', TEST, async () => {
  const p = admin.page;
  await signInUI(p, server.url, ADMIN.email, ADMIN.password);
  await checkA11y(p, 'home (admin)');
  for (const [link, heading] of [
    ['Start', 'Start a support session'],
    ['Assist session', 'Assist a session'],
    ['Reports', 'CSR activity report'],
    ['Users', 'Users'],
    ['Site settings', 'Site settings'],
    ['Outbox', 'Outbox'],
  ] as const) {
    await nav(p).getByRole('link', { name: link, exact: true }).click();
    await p.getByRole('heading', { name: heading, exact: true }).waitFor();
    await checkA11y(p, `${link} page`);
  }
  await p.getByText('The outbox is empty.').waitFor();
  await nav(p).getByRole('link', { name: 'Reports', exact: true }).click();
  await p.getByText('No sessions in this period.').waitFor();
  await checkA11y(p, 'reports without sessions');
  await nav(p).getByRole('link', { name: 'Assist session', exact: true }).click();
  await p.getByLabel('Session number').fill('999999999');
  await p.getByRole('button', { name: 'Join', exact: true }).click();
  await p.getByRole('alert').waitFor();
  await checkA11y(p, 'assist with an error');
  await nav(p).getByRole('link', { name: 'Users', exact: true }).click();
  await p.getByRole('button', { name: 'Edit Ravi Rep' }).click();
  await p.getByRole('form', { name: 'Edit Ravi Rep' }).waitFor();
  await checkA11y(p, 'users with the edit form open');
  await nav(p).getByRole('link', { name: 'Site settings', exact: true }).click();
  await p.getByRole('button', { name: 'Save', exact: true }).click();
  await expectText(p.getByRole('status'), 'Saved.');
  await checkA11y(p, 'site settings after saving');
});

test('the console with every dialog, the customer pages and the invitation pages', TEST, async () => {
  const p = admin.page;
  await nav(p).getByRole('link', { name: 'Start', exact: true }).click();
  await p.getByRole('checkbox', { name: 'E-mail' }).check();
  await p.getByRole('button', { name: 'Start', exact: true }).click();
  const invite = p.getByRole('dialog', { name: 'Invite' });
  await invite.waitFor();
  const number = await sessionNumber(p);
  await checkA11y(p, 'console: Invite dialog');
  await invite.getByRole('button', { name: 'OK', exact: true }).click();
  await checkA11y(p, 'console: Invite dialog with the empty address refused');
  await invite.getByLabel('Email address').fill('cleo@example.test');
  await invite.getByRole('button', { name: 'OK', exact: true }).click();
  await invite.getByRole('status').waitFor();
  const customerLink = inviteLink((await invite.innerText()).trim());
  await checkA11y(p, 'console: Invite dialog, result');
  await invite.getByRole('button', { name: 'Close', exact: true }).click();
  await invite.getByRole('radio', { name: 'Customer' }).waitFor({ state: 'hidden' });

  await p.getByRole('button', { name: 'Copy join link', exact: true }).click();
  await p.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
  await checkA11y(p, 'console: join link copied');

  await p.getByRole('tab', { name: 'Session', exact: true }).click();
  await p.getByRole('button', { name: 'Transfer control', exact: true }).click();
  const transfer = p.getByRole('dialog', { name: 'Transfer control' });
  await transfer.getByText('No assisting rep is in the session.', { exact: false }).waitFor();
  await checkA11y(p, 'console: Transfer control dialog without assistants');
  await transfer.getByRole('button', { name: 'Close', exact: true }).click();
  await transfer.waitFor({ state: 'hidden' });

  // A customer by number: the waiting page, and the console with someone waiting.
  const cust = await person(browser);
  people.push(cust);
  await cust.page.goto(`${server.url}/join?number=${number}`);
  await cust.page.getByLabel('Your name').fill('Wanda Waiting');
  await cust.page.getByRole('button', { name: 'Join', exact: true }).click();
  await cust.page.getByText('Waiting for the support representative to let you in…').waitFor();
  await checkA11y(cust.page, 'customer: waiting');
  const waiting = p.getByRole('region', { name: 'Waiting to join' }).getByRole('listitem').filter({ hasText: 'Wanda Waiting' });
  await waiting.waitFor();
  await checkA11y(p, 'console: someone waiting');
  await waiting.getByRole('button', { name: 'Admit' }).click();
  await cust.page.getByRole('heading', { name: `You are in support session ${number}` }).waitFor();
  await sendChat(cust.page, 'Hello from Wanda, with a rather long line of text to see it wrap in the chat log.');
  await sendChat(p, 'A private note to Wanda.', 'Wanda Waiting');
  await chat(cust.page).item('A private note to Wanda.').waitFor();
  await checkA11y(cust.page, 'customer: in the session with chat');
  await checkA11y(p, 'console: chat with a private message');

  // The customer invitation page.
  const cleo = await person(browser);
  people.push(cleo);
  await cleo.page.goto(customerLink);
  await cleo.page.getByLabel('Your name').waitFor();
  await checkA11y(cleo.page, 'invitation page (customer)');

  // A rep invitation: signed out, then signed in; the assisting rep's console and its Leave dialog.
  await p.getByRole('tab', { name: 'Tools', exact: true }).click();
  await p.getByRole('button', { name: 'Invite', exact: true }).click();
  await invite.getByRole('radio', { name: 'Support representative' }).check();
  await invite.getByLabel('Email address').fill(rep2.email);
  await invite.getByRole('button', { name: 'OK', exact: true }).click();
  await invite.getByRole('status').waitFor();
  const repLink = inviteLink((await invite.innerText()).trim());
  await invite.getByRole('button', { name: 'Close', exact: true }).click();
  const ravi = await person(browser);
  people.push(ravi);
  await ravi.page.goto(repLink);
  await ravi.page.getByText(`Administrator asks you to assist in session ${number}.`).waitFor();
  await checkA11y(ravi.page, 'invitation page (rep, signed out)');
  await ravi.page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
  await signInUI(ravi.page, server.url, rep2.email, rep2.password, /\/invite\//);
  await checkA11y(ravi.page, 'invitation page (rep, signed in)');
  await ravi.page.getByRole('button', { name: 'Join', exact: true }).click();
  await ravi.page.getByText('You are assisting.', { exact: false }).waitFor();
  await checkA11y(ravi.page, 'console of an assisting rep');
  await ravi.page.getByRole('tab', { name: 'Session', exact: true }).click();
  await ravi.page.getByRole('button', { name: 'Leave session', exact: true }).click();
  await ravi.page.getByRole('dialog', { name: 'Leave session' }).waitFor();
  await checkA11y(ravi.page, 'console: Leave session dialog');
  await ravi.page.getByRole('dialog', { name: 'Leave session' }).getByRole('button', { name: 'Cancel' }).click();
  // A rep without the admin role on an admin page.
  await ravi.page.goto(`${server.url}/users`);
  await ravi.page.getByRole('heading', { name: 'You do not have access to this page.' }).waitFor();
  await checkA11y(ravi.page, 'forbidden page');

  await p.getByRole('tab', { name: 'Session', exact: true }).click();
  await p.getByRole('button', { name: 'Transfer control', exact: true }).click();
  await transfer.getByRole('radio', { name: 'Ravi Rep' }).waitFor();
  await checkA11y(p, 'console: Transfer control dialog with an assistant');
  await transfer.getByRole('button', { name: 'Cancel', exact: true }).click();
  await p.getByRole('button', { name: 'End session', exact: true }).click();
  await p.getByRole('dialog', { name: 'End session' }).waitFor();
  await checkA11y(p, 'console: End session dialog');
  await p.getByRole('dialog', { name: 'End session' }).getByRole('button', { name: 'End session' }).click();
  await p.getByRole('heading', { name: 'The session has ended.' }).waitFor();
  await checkA11y(p, 'console: ended');
  await cust.page.getByRole('heading', { name: 'The support session has ended. Thank you.' }).waitFor();
  await checkA11y(cust.page, 'customer: ended');
  await cleo.page.reload();
  await cleo.page.getByText('This session has ended.').waitFor();
  await checkA11y(cleo.page, 'invitation page of an ended session');

  // Pages with content: the report and the outbox.
  await nav(p).getByRole('link', { name: 'Reports', exact: true }).click();
  await p.getByRole('table', { name: 'CSR activity report' }).getByRole('row').filter({ hasText: number }).first().waitFor();
  await checkA11y(p, 'reports with sessions');
  await nav(p).getByRole('link', { name: 'Outbox', exact: true }).click();
  await p.getByRole('article').first().waitFor();
  await checkA11y(p, 'outbox with messages');
  await p.getByRole('banner').getByRole('link', { name: 'Remote Support', exact: true }).click();
  await p.getByRole('heading', { name: 'Remote support', exact: true }).waitFor();
  await checkA11y(p, 'home (admin) after a session');
  assertNoPageErrors(...people);
});

test('WebACD: queues, help page in each state, inbound with offers, transfer session, queue report', TEST, async () => {
  const { api } = await signIn(server.url);
  const settings = await api.get<Record<string, unknown>>('/api/settings');
  await api.put('/api/settings', { ...settings, webAcdEnabled: true, acdOfferSeconds: 120 });
  const agnes = await createRep(server.url, api, 'Agnes Agent', { admin: false, rep: true, agent: true });
  const bruno = await createRep(server.url, api, 'Bruno Agent', { admin: false, rep: true, agent: true });
  await api.post('/api/acd/queues', {
    name: 'Closed desk',
    slug: 'closed-desk',
    agentIds: [agnes.user.id],
    routing: 'round_robin',
    hours: { timeZone: 'Europe/Stockholm', days: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } },
    overflowAfterSeconds: null,
    overflowQueueId: null,
    formText: '',
  });

  // The admin's Queues page: the list, the form, business hours.
  const p = admin.page;
  await nav(p).getByRole('link', { name: 'Queues', exact: true }).click();
  await p.getByRole('heading', { name: 'Queues', exact: true }).waitFor();
  await checkA11y(p, 'queues');
  await p.getByLabel('Queue name').fill('A11y help');
  await p.getByRole('checkbox', { name: 'Agnes Agent' }).check();
  await p.getByLabel('Form text').fill('Tell us what is wrong.');
  await p.getByRole('button', { name: 'Save', exact: true }).click();
  await expectText(p.getByRole('status').filter({ hasText: 'was added' }), 'A11y help was added.');
  await p.getByRole('checkbox', { name: 'Always open' }).uncheck();
  await p.getByLabel('Monday from').waitFor();
  await checkA11y(p, 'queues: a queue with business hours being edited');

  // The agent's Inbound page.
  const agent = await person(browser);
  people.push(agent);
  await signInUI(agent.page, server.url, agnes.email, agnes.password);
  await nav(agent.page).getByRole('link', { name: 'Inbound', exact: true }).click();
  await agent.page.getByRole('radiogroup', { name: 'Status' }).waitFor();
  await checkA11y(agent.page, 'inbound (away)');
  await agent.page.getByRole('radio', { name: 'Available' }).check();

  // A customer on the help page: the form, a validation error, waiting.
  const carla = await person(browser);
  people.push(carla);
  const c = carla.page;
  await c.goto(`${server.url}/help/a11y-help`);
  await c.getByText('Tell us what is wrong.').waitFor();
  await checkA11y(c, 'help page');
  await c.getByLabel('Your name').fill('Carla Customer');
  await c.getByLabel('Email').fill('not-an-email');
  await c.getByLabel('Describe your problem').fill('My printer does not print.');
  await c.getByRole('button', { name: 'Get help', exact: true }).click();
  await c.getByRole('alert').waitFor();
  await checkA11y(c, 'help page with a validation error');
  await c.getByLabel('Email').fill('carla@example.test');
  await c.getByRole('button', { name: 'Get help', exact: true }).click();
  await c.getByRole('heading', { name: 'You are in the queue' }).waitFor();
  await c.getByText('Position in queue: 1').waitFor();
  await checkA11y(c, 'help page: waiting');

  // The offer, and the console of the inbound session with its Request panel.
  const offer = agent.page.getByRole('alertdialog', { name: 'Incoming request' });
  await offer.getByText('My printer does not print.').waitFor();
  await checkA11y(agent.page, 'inbound with an offer');
  await offer.getByRole('button', { name: 'Accept', exact: true }).click();
  await agent.page.getByRole('region', { name: 'Request' }).getByText('carla@example.test').waitFor();
  await checkA11y(agent.page, 'console of an inbound session');
  await c.getByRole('heading', { name: /You are in support session/ }).waitFor();

  // Transfer session: both tabs, the message that is too long, then to Bruno.
  const second = await person(browser);
  people.push(second);
  const b = second.page;
  await signInUI(b, server.url, bruno.email, bruno.password);
  await nav(b).getByRole('link', { name: 'Inbound', exact: true }).click();
  await b.getByRole('radio', { name: 'Available' }).check();
  const a = agent.page;
  await a.getByRole('tab', { name: 'Session', exact: true }).click();
  await a.getByRole('button', { name: 'Transfer control', exact: true }).click();
  await a.getByRole('dialog', { name: 'Transfer control' }).getByRole('button', { name: 'Transfer session instead' }).click();
  const dialog = a.getByRole('dialog', { name: 'Transfer session' });
  await dialog.getByRole('radio', { name: 'A11y help' }).waitFor();
  await checkA11y(a, 'Transfer session dialog: queues');
  await dialog.getByRole('tab', { name: 'Agents', exact: true }).click();
  await dialog.getByRole('checkbox', { name: 'Bruno Agent' }).check();
  await checkA11y(a, 'Transfer session dialog: agents');
  await dialog.getByLabel('Message').fill('x'.repeat(346));
  await dialog.getByRole('button', { name: 'Transfer', exact: true }).click();
  await dialog.getByRole('alert').waitFor();
  await checkA11y(a, 'Transfer session dialog with a message that is too long');
  await dialog.getByLabel('Message').fill('Carla needs a new printer driver.');
  await dialog.getByRole('button', { name: 'Transfer', exact: true }).click();
  await a.getByRole('heading', { name: 'You transferred this session' }).waitFor();
  await checkA11y(a, 'console after transferring the session');
  await c.getByText('You are being transferred to another agent. Please wait.').waitFor();
  await checkA11y(c, 'customer: being transferred');
  await b.getByRole('alertdialog', { name: 'Incoming request' }).getByText('Message from Agnes Agent: Carla needs a new printer driver.').waitFor();
  await checkA11y(b, 'inbound with the offer of a transferred session');
  await a.getByRole('link', { name: 'Back to Inbound' }).click();
  await a.getByRole('radio', { name: 'Away' }).check();

  // Someone else waits and leaves; the closed queue takes a message.
  const dan = await person(browser);
  people.push(dan);
  await dan.page.goto(`${server.url}/help/a11y-help?embed=1`);
  await dan.page.getByLabel('Your name').fill('Dan');
  await dan.page.getByLabel('Email').fill('dan@example.test');
  await dan.page.getByLabel('Describe your problem').fill('Slow computer.');
  await dan.page.getByRole('button', { name: 'Get help', exact: true }).click();
  await dan.page.getByRole('button', { name: 'Leave queue' }).click();
  await dan.page.getByRole('heading', { name: 'You left the queue' }).waitFor();
  await checkA11y(dan.page, 'help page in the embed frame: left the queue');
  await dan.page.goto(`${server.url}/help/closed-desk`);
  await dan.page.getByRole('button', { name: 'Leave a message' }).waitFor();
  await checkA11y(dan.page, 'help page of a closed queue');
  await dan.page.getByLabel('Your name').fill('Dan');
  await dan.page.getByLabel('Email').fill('dan@example.test');
  await dan.page.getByLabel('Describe your problem').fill('Call me back, please.');
  await dan.page.getByRole('button', { name: 'Leave a message' }).click();
  await dan.page.getByRole('status').filter({ hasText: 'Your message was sent' }).waitFor();
  await checkA11y(dan.page, 'help page: message left');
  await a.getByRole('region', { name: 'Messages' }).getByRole('button', { name: 'Refresh' }).click();
  await a.getByRole('region', { name: 'Messages' }).getByText('Call me back, please.').waitFor();
  await checkA11y(a, 'inbound with a left message');

  // The queue report with a day of data.
  await nav(p).getByRole('link', { name: 'Reports', exact: true }).click();
  await p.getByRole('link', { name: 'Queue report' }).click();
  await p.getByRole('table', { name: 'Queue report' }).getByRole('row').filter({ hasText: 'A11y help' }).first().waitFor();
  await p.getByRole('img', { name: /Answered and abandoned requests per day/ }).waitFor();
  await checkA11y(p, 'queue report');
  assertNoPageErrors(...people);
});

/** The main pages in each other language: longer words, the lang attribute, text contrast of every string. */
for (const lang of ['sv', 'nb', 'cs', 'fr', 'de'] as const) {
  test(`pages in language "${lang}"`, TEST, async () => {
    const someone = await person(browser);
    const p = someone.page;
    await someone.context.addInitScript((l) => localStorage.setItem('rs.language', l), lang);
    await p.goto(server.url);
    await checkA11y(p, `home (${lang})`);
    assert.equal(await p.evaluate(() => document.documentElement.lang), lang);
    for (const path of ['/sign-in', '/join']) {
      await p.goto(`${server.url}${path}`);
      await checkA11y(p, `${path} (${lang})`);
    }
    // Signed in (the cookie is shared with the page), a session with the invite dialog open.
    const res = await someone.context.request.post(`${server.url}/api/auth/sign-in`, { data: { email: ADMIN.email, password: ADMIN.password } });
    assert.equal(res.status(), 200);
    await p.goto(`${server.url}/start`);
    await p.getByRole('main').getByRole('checkbox').check();
    await p.getByRole('main').getByRole('button').click();
    await p.getByRole('dialog').waitFor();
    await checkA11y(p, `console with the invite dialog (${lang})`);
    await p.keyboard.press('Escape');
    await p.getByRole('dialog').waitFor({ state: 'hidden' });
    await checkA11y(p, `console (${lang})`);
    for (const path of ['/users', '/settings', '/reports', '/outbox', '/admin/queues', '/reports/queues', '/help/a11y-help', '/help/closed-desk']) {
      await p.goto(`${server.url}${path}`);
      await checkA11y(p, `${path} (${lang})`);
    }
    assertNoPageErrors(someone);
    await someone.context.close();
  });
}
