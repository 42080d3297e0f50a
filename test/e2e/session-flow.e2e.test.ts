/**
 * The outbound session from start to report, in Debian's Chromium, with the
 * rep, the customer and the assisting rep each in their own browser context.
 * The tests run in order and carry the session from one to the next.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { createRep, signIn } from '../support/http.js';
import { ADMIN, startServer, type RunningServer } from '../support/server.js';
import {
  assertNoPageErrors,
  chat,
  checkA11y,
  expectCount,
  expectEnabled,
  expectText,
  nav,
  person,
  sendChat,
  sessionNumber,
  signInUI,
  TEST,
  until,
  type Person,
} from './helpers.js';

let server: RunningServer;
let browser: Browser;
let rep: Person;
let customer: Person;
let assistant: Person;
let assistantAccount: { email: string; password: string; name: string };
let number = '';
let joinLink = '';
const NOTES = 'Printer driver reinstalled; the customer calls back if it fails again.';

before(async () => {
  server = await startServer();
  browser = await launchChromium();
  const { api } = await signIn(server.url);
  assistantAccount = await createRep(server.url, api, 'Astrid Assistant');
  rep = await person(browser, { clipboard: true, acceptDownloads: true });
  customer = await person(browser);
  assistant = await person(browser);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const tab = (page: Page, name: 'Tools' | 'Session') => page.getByRole('tab', { name, exact: true });
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
const roleLine = (page: Page) => page.getByText(/^(You control this session\.|You are assisting\.)/);

test('a customer who is not signed in sees Join but not Start', TEST, async () => {
  const { page } = customer;
  await page.goto(server.url);
  await checkA11y(page, 'home page, not signed in');
  await nav(page).getByRole('link', { name: 'Join', exact: true }).waitFor();
  await expectCount(nav(page).getByRole('link', { name: 'Start', exact: true }), 0);
  await expectCount(nav(page).getByRole('link', { name: 'Assist session', exact: true }), 0);
  await expectCount(nav(page).getByRole('link', { name: 'Users', exact: true }), 0);
  await page.getByRole('link', { name: 'Sign in', exact: true }).waitFor();
});

test('a rep signs in; the navigation shows the rep and admin pages and Sign out', TEST, async () => {
  const { page } = rep;
  await page.goto(`${server.url}/sign-in`);
  await checkA11y(page, 'sign-in page');
  // A wrong password is refused with a message, and the person stays signed out.
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill('not-the-password');
  await button(page, 'Sign in').click();
  await expectText(page.getByRole('alert'), 'The email or password is wrong.');
  await signInUI(page, server.url, ADMIN.email, ADMIN.password);
  for (const name of ['Start', 'Join', 'Assist session', 'Reports', 'Users', 'Site settings']) {
    await nav(page).getByRole('link', { name, exact: true }).waitFor();
  }
  await page.getByText('Signed in as Administrator').waitFor();
  await checkA11y(page, 'home page, signed in as admin');
});

test('S-7: Start with "E-mail" opens the Invite dialog; the dashboard shows number, join link, phone line and tabs', TEST, async () => {
  const { page } = rep;
  await nav(page).getByRole('link', { name: 'Start', exact: true }).click();
  await page.getByRole('heading', { name: 'Start a support session' }).waitFor();
  await checkA11y(page, 'start page');
  await page.getByRole('checkbox', { name: 'E-mail' }).check();
  await button(page, 'Start').click();
  await page.waitForURL(/\/console\/[^/?]+/);
  const invite = page.getByRole('dialog', { name: 'Invite' });
  await invite.waitFor();
  await until('focus in the Email address field', () => invite.getByLabel('Email address').evaluate((el) => el === document.activeElement));
  await checkA11y(page, 'console with the Invite dialog open at start');
  await invite.getByRole('button', { name: 'Cancel' }).click();
  await invite.waitFor({ state: 'hidden' });
  // Closing it leaves the console's address without the "open the dialog" flag, so a reload does not reopen it.
  await page.waitForURL((u) => !u.search.includes('invite'));

  await page.getByRole('heading', { name: 'Session number' }).waitFor();
  number = await sessionNumber(page);
  assert.match(number, /^\d{9}$/);
  joinLink = await page.getByLabel('Join link').inputValue();
  assert.equal(joinLink, `${server.url}/join?number=${number}`);
  await button(page, 'Copy join link').click();
  await expectText(page.getByRole('status').filter({ hasText: 'Copied' }), 'Copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), joinLink);
  await page.getByText(`On the phone, say: open ${server.url}, choose Join and type the session number ${number}.`).waitFor();
  assert.equal(await tab(page, 'Tools').getAttribute('aria-selected'), 'true');
  await tab(page, 'Session').waitFor();
  await expectText(roleLine(page), 'You control this session.');
  await checkA11y(page, 'console (CSR dashboard)');
});

test('join by number: a wrong number is refused; the customer waits; the rep admits; a denied person is told', TEST, async () => {
  const { page } = customer;
  await page.goto(server.url);
  await nav(page).getByRole('link', { name: 'Join', exact: true }).click();
  await page.getByRole('heading', { name: 'Join a support session' }).waitFor();
  await checkA11y(page, 'join page');
  const wrong = number === '999999999' ? '999999998' : '999999999';
  await page.getByLabel('Session number').fill(wrong);
  await page.getByLabel('Your name').fill('Carla Customer');
  await button(page, 'Join').click();
  await expectText(page.getByRole('alert'), 'Not found. Check the number or link.');
  await checkA11y(page, 'join page with an error');
  assert.match(page.url(), /\/join$/);

  await page.getByLabel('Session number').fill(number);
  await button(page, 'Join').click();
  await page.waitForURL(/\/session\//);
  await page.getByText('Waiting for the support representative to let you in…').waitFor();
  await checkA11y(page, 'customer waiting page');

  const waiting = rep.page.getByRole('region', { name: 'Waiting to join' });
  const carla = waiting.getByRole('listitem').filter({ hasText: 'Carla Customer wants to join' });
  await carla.waitFor();
  await carla.getByRole('button', { name: 'Deny', exact: true }).waitFor();
  await checkA11y(rep.page, 'console with someone waiting');
  await carla.getByRole('button', { name: 'Admit', exact: true }).click();
  await page.getByRole('heading', { name: `You are in support session ${number}` }).waitFor();
  await expectEnabled(chat(page).message, true);
  await waiting.getByText('Nobody is waiting.').waitFor();
  await checkA11y(page, 'customer session page');

  // Someone else joins with the link from the dashboard (the number is filled in) and is denied.
  const dan = await person(browser);
  try {
    await dan.page.goto(joinLink);
    assert.equal(await dan.page.getByLabel('Session number').inputValue(), number);
    await dan.page.getByLabel('Your name').fill('Dan Denied');
    await button(dan.page, 'Join').click();
    await dan.page.getByText('Waiting for the support representative to let you in…').waitFor();
    const danItem = waiting.getByRole('listitem').filter({ hasText: 'Dan Denied wants to join' });
    await danItem.getByRole('button', { name: 'Deny', exact: true }).click();
    await expectText(dan.page.getByRole('alert'), 'The support representative did not admit you to this session.');
    await checkA11y(dan.page, 'customer denied page');
    await expectCount(waiting.getByRole('listitem'), 0);
    assertNoPageErrors(dan);
  } finally {
    await dan.context.close();
  }
});

test('AST-1: a second rep assists by number and gets the console without control functions', TEST, async () => {
  const { page } = assistant;
  await signInUI(page, server.url, assistantAccount.email, assistantAccount.password);
  // A rep without the admin role: no admin pages.
  for (const name of ['Start', 'Join', 'Assist session', 'Reports']) await nav(page).getByRole('link', { name, exact: true }).waitFor();
  await expectCount(nav(page).getByRole('link', { name: 'Users', exact: true }), 0);
  await expectCount(nav(page).getByRole('link', { name: 'Site settings', exact: true }), 0);

  await nav(page).getByRole('link', { name: 'Assist session', exact: true }).click();
  await page.getByRole('heading', { name: 'Assist a session' }).waitFor();
  await checkA11y(page, 'assist page');
  await page.getByLabel('Session number').fill(number);
  await button(page, 'Join').click();
  await page.waitForURL(/\/console\//);
  await expectText(roleLine(page), 'You are assisting.');
  assert.equal(await sessionNumber(page), number);
  await checkA11y(page, 'console of an assisting rep');

  await tab(page, 'Tools').click();
  await page.getByRole('button', { name: 'Save notes' }).waitFor();
  await expectCount(button(page, 'Invite'), 0);
  await expectCount(page.getByRole('region', { name: 'Waiting to join' }), 0);
  await expectCount(button(page, 'Admit'), 0);
  await tab(page, 'Session').click();
  await button(page, 'Leave session').waitFor();
  await expectCount(button(page, 'Transfer control'), 0);
  await expectCount(button(page, 'End session'), 0);
  await button(page, 'Leave session').click();
  const leave = page.getByRole('dialog', { name: 'Leave session' });
  await leave.getByText('Leave the session? The others go on without you.').waitFor();
  await checkA11y(page, 'console with the Leave session dialog open');
  await leave.getByRole('button', { name: 'Cancel' }).click();
  await leave.waitFor({ state: 'hidden' });
  await tab(page, 'Tools').click();
});

/** The participants panel as lines "name · role · state". */
async function participants(page: Page): Promise<string[]> {
  const items = page.getByRole('region', { name: 'Participants' }).getByRole('listitem');
  return (await items.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

test('the participants panel shows names, roles and connected state', TEST, async () => {
  const expected = (me: string) =>
    [
      `Administrator ${me === 'rep' ? '(you) ' : ''}Rep in control connected`,
      `Carla Customer ${me === 'customer' ? '(you) ' : ''}Customer connected`,
      `Astrid Assistant ${me === 'assistant' ? '(you) ' : ''}Assisting rep connected`,
    ].sort();
  for (const [who, p] of [['rep', rep], ['customer', customer], ['assistant', assistant]] as const) {
    let seen: string[] = [];
    await until(
      () => `participants on the ${who}'s page ${JSON.stringify(expected(who))}, saw ${JSON.stringify(seen)}`,
      async () => {
        seen = (await participants(p.page)).sort();
        return JSON.stringify(seen) === JSON.stringify(expected(who));
      },
    );
  }
  // The denied person is not a participant.
  assert.ok(!(await participants(rep.page)).some((l) => l.includes('Dan Denied')));
});

test('CHAT-1: to everyone and privately; private rep messages never reach the customer; text stays text; long text is refused', TEST, async () => {
  await sendChat(rep.page, 'Hello Carla, how can I help?');
  await chat(customer.page).item('Hello Carla, how can I help?').waitFor();
  await chat(assistant.page).item('Hello Carla, how can I help?').waitFor();

  // The customer can write to everyone or privately to a rep.
  const customerTo = await chat(customer.page).to.getByRole('option').allTextContents();
  assert.deepEqual(customerTo.sort(), ['Administrator', 'Astrid Assistant', 'Everyone']);
  await sendChat(customer.page, 'My printer does not print.');
  await chat(rep.page).item('My printer does not print.').waitFor();
  await chat(assistant.page).item('My printer does not print.').waitFor();

  // Rep to rep, privately, both ways; then a message to everyone, which the customer sees only after the private ones.
  await sendChat(rep.page, 'Astrid, this stays between us.', 'Astrid Assistant');
  await expectText(chat(rep.page).item('Astrid, this stays between us.'), 'privately to Astrid Assistant');
  await expectText(chat(assistant.page).item('Astrid, this stays between us.'), 'privately');
  await sendChat(assistant.page, 'Understood, only for you.', 'Administrator');
  await chat(rep.page).item('Understood, only for you.').waitFor();
  await sendChat(rep.page, 'Let us look at the printer settings.', 'Everyone');
  await chat(customer.page).item('Let us look at the printer settings.').waitFor();
  const customerLog = (await chat(customer.page).log.allTextContents()).join('\n');
  assert.ok(!customerLog.includes('between us') && !customerLog.includes('only for you'), `the customer saw a private message:\n${customerLog}`);
  await chat(assistant.page).item('Let us look at the printer settings.').waitFor();

  // HTML in a message is shown as text: no element is created from it, no script runs.
  const html = '<img src=x onerror=alert(1)>';
  await sendChat(customer.page, html);
  for (const p of [rep.page, customer.page, assistant.page]) {
    await expectText(chat(p).item(html), html);
    await expectCount(chat(p).log.locator('img'), 0);
  }

  // Over-long text: the error says so and Send is disabled; nothing is sent.
  const c = chat(rep.page);
  await c.message.fill('x'.repeat(2001));
  await expectText(c.region.getByRole('alert'), 'A message has at most 2000 characters (2001 now).');
  await expectEnabled(c.send, false);
  assert.equal(await c.message.getAttribute('aria-invalid'), 'true');
  await checkA11y(rep.page, 'console with the chat length error');
  await c.message.fill('');
  await expectCount(c.region.getByRole('alert'), 0);
  await checkA11y(customer.page, 'customer session page with chat');
});

test('NOTE-1: reps save notes; the customer page has no notes', TEST, async () => {
  const notes = rep.page.getByRole('region', { name: 'Notes' });
  await notes.getByRole('textbox', { name: 'Notes' }).fill(NOTES);
  await notes.getByRole('button', { name: 'Save notes' }).click();
  await expectText(notes.getByRole('status'), /^Saved at /);
  // The other rep sees the saved notes.
  const other = assistant.page.getByRole('region', { name: 'Notes' }).getByRole('textbox', { name: 'Notes' });
  await until('the saved notes on the assistant console', async () => (await other.inputValue()) === NOTES);

  await expectCount(customer.page.getByRole('region', { name: 'Notes' }), 0);
  await expectCount(customer.page.getByRole('button', { name: 'Save notes' }), 0);
  assert.ok(!(await customer.page.locator('body').innerText()).includes('Printer driver reinstalled'));
});

test('SES-3: control is transferred to the assistant and handed back', TEST, async () => {
  await tab(rep.page, 'Session').click();
  await button(rep.page, 'Transfer control').click();
  const dialog = rep.page.getByRole('dialog', { name: 'Transfer control' });
  await dialog.waitFor();
  await checkA11y(rep.page, 'console with the Transfer control dialog open');
  await dialog.getByRole('radio', { name: 'Astrid Assistant' }).check();
  await dialog.getByRole('button', { name: 'Transfer control' }).click();
  await dialog.waitFor({ state: 'hidden' });

  // The new primary has the control functions.
  const a = assistant.page;
  await expectText(roleLine(a), 'You control this session.');
  await a.getByRole('region', { name: 'Waiting to join' }).waitFor();
  await button(a, 'Invite').waitFor();
  await tab(a, 'Session').click();
  await button(a, 'Transfer control').waitFor();
  await button(a, 'End session').waitFor();

  // The former primary: Leave instead of End, no control functions, still chats.
  const r = rep.page;
  await expectText(roleLine(r), 'You are assisting.');
  await button(r, 'Leave session').waitFor();
  await expectCount(button(r, 'End session'), 0);
  await expectCount(button(r, 'Transfer control'), 0);
  await expectCount(r.getByRole('region', { name: 'Waiting to join' }), 0);
  await tab(r, 'Tools').click();
  await r.getByRole('button', { name: 'Save notes' }).waitFor();
  await expectCount(button(r, 'Invite'), 0);
  await sendChat(r, 'I am still here and watching.');
  await chat(a).item('I am still here and watching.').waitFor();
  await chat(customer.page).item('I am still here and watching.').waitFor();
  await until('roles after the transfer', async () => {
    const lines = await participants(customer.page);
    return lines.includes('Astrid Assistant Rep in control connected') && lines.includes('Administrator Assisting rep connected');
  });

  // Handed back.
  await button(a, 'Transfer control').click();
  const back = a.getByRole('dialog', { name: 'Transfer control' });
  await back.getByRole('radio', { name: 'Administrator' }).check();
  await back.getByRole('button', { name: 'Transfer control' }).click();
  await back.waitFor({ state: 'hidden' });
  await expectText(roleLine(r), 'You control this session.');
  await expectText(roleLine(a), 'You are assisting.');
  await tab(r, 'Session').click();
  await button(r, 'End session').waitFor();
  await button(a, 'Leave session').waitFor();
  await tab(r, 'Tools').click();
});

test('S-6: after a reload the customer and the rep are back in the session with the chat history', TEST, async () => {
  await customer.page.reload();
  await customer.page.getByRole('heading', { name: `You are in support session ${number}` }).waitFor();
  for (const text of ['Hello Carla, how can I help?', 'My printer does not print.', 'I am still here and watching.']) {
    await chat(customer.page).item(text).waitFor();
  }
  assert.ok(!(await chat(customer.page).log.allTextContents()).join('\n').includes('between us'));

  await rep.page.reload();
  await expectText(roleLine(rep.page), 'You control this session.');
  assert.equal(await sessionNumber(rep.page), number);
  for (const text of ['My printer does not print.', 'Astrid, this stays between us.', 'Understood, only for you.']) {
    await chat(rep.page).item(text).waitFor();
  }
  await expectCount(rep.page.getByRole('dialog'), 0);
  const notes = rep.page.getByRole('region', { name: 'Notes' }).getByRole('textbox', { name: 'Notes' });
  await until('the notes after the reload', async () => (await notes.inputValue()) === NOTES);
  // Both work as before: a message after the reload goes through.
  await sendChat(customer.page, 'Still here after the reload.');
  await chat(rep.page).item('Still here after the reload.').waitFor();
});

test('SES-5: End session ends it for everyone', TEST, async () => {
  const r = rep.page;
  await tab(r, 'Session').click();
  await button(r, 'End session').click();
  const dialog = r.getByRole('dialog', { name: 'End session' });
  await dialog.getByText('End the session for everyone?').waitFor();
  await checkA11y(r, 'console with the End session dialog open');
  await dialog.getByRole('button', { name: 'End session' }).click();
  await r.getByRole('heading', { name: 'The session has ended.' }).waitFor();
  await customer.page.getByRole('heading', { name: 'The support session has ended. Thank you.' }).waitFor();
  await assistant.page.getByRole('heading', { name: 'The session has ended.' }).waitFor();
  await checkA11y(customer.page, 'customer page after the session ended');
  await checkA11y(r, 'console after the session ended');
  // The customer cannot get back in with the number.
  await customer.page.goto(joinLink);
  await customer.page.getByLabel('Your name').fill('Carla Customer');
  await button(customer.page, 'Join').click();
  await expectText(customer.page.getByRole('alert'), 'This session has ended.');
});

test('REP-1: the CSR activity report shows the session with its notes, and exports CSV', TEST, async () => {
  const r = rep.page;
  await nav(r).getByRole('link', { name: 'Reports', exact: true }).click();
  await r.getByRole('heading', { name: 'CSR activity report' }).waitFor();
  const table = r.getByRole('table', { name: 'CSR activity report' });
  const rows = table.getByRole('row').filter({ hasText: number });
  await expectCount(rows, 2);
  // Columns: Rep, Role, Session number, Start, End, Duration, Customers, Transfers, Notes.
  // Astrid held control for a while, so she counts as a rep in control too; Dan (denied) is no customer.
  for (const name of ['Administrator', 'Astrid Assistant']) {
    const cells = (await rows.filter({ hasText: name }).getByRole('cell').allInnerTexts()).map((c) => c.trim());
    assert.equal(cells.length, 9, cells.join(' | '));
    assert.deepEqual([cells[0], cells[1], cells[2], cells[6], cells[7], cells[8]], [name, 'In control', number, '1', '2', NOTES]);
    assert.notEqual(cells[4], 'still open');
    assert.match(cells[5]!, /^\d+:\d{2}$/);
  }
  await checkA11y(r, 'reports page');

  const [download] = await Promise.all([r.waitForEvent('download'), r.getByRole('link', { name: 'Export CSV' }).click()]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  assert.ok(lines.length >= 3, csv);
  const mine = lines.filter((l) => l.includes(number));
  assert.equal(mine.length, 2, csv);
  assert.ok(mine.some((l) => l.includes('Administrator') && l.includes(NOTES)), csv);
  assertNoPageErrors(rep, customer, assistant);
});
