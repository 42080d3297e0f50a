/**
 * INV-1, INV-2, INV-5: invitations by e-mail through a real SMTP server
 * process, with the rep's own mail program, and to a second rep.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { createRep, signIn } from '../support/http.js';
import { ADMIN, startServer, type RunningServer } from '../support/server.js';
import { startSmtp } from '../support/smtp.js';
import {
  assertNoPageErrors,
  chat,
  checkA11y,
  expectCount,
  expectEnabled,
  expectText,
  inviteLink,
  mailText,
  person,
  sendChat,
  sessionNumber,
  signInUI,
  TEST,
  type Person,
} from './helpers.js';

let smtp: Awaited<ReturnType<typeof startSmtp>>;
let server: RunningServer;
let browser: Browser;
let rep: Person;
let number = '';
let secondRep: { email: string; password: string; name: string };
const people: Person[] = [];

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Remote Support <support@example.test>' } });
  browser = await launchChromium();
  const { api } = await signIn(server.url);
  secondRep = await createRep(server.url, api, 'Rita Second');
  rep = await person(browser);
  people.push(rep);
  await signInUI(rep.page, server.url, ADMIN.email, ADMIN.password);
  await rep.page.getByRole('link', { name: 'Start', exact: true }).first().click();
  await rep.page.getByRole('checkbox', { name: 'E-mail' }).check();
  await rep.page.getByRole('button', { name: 'Start', exact: true }).click();
  await rep.page.waitForURL(/\/console\//);
  number = await sessionNumber(rep.page);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  smtp?.stop();
});

/** The Invite dialog: opened by Start with "E-mail" the first time, by Tools → Invite after that. */
async function openInvite(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'Invite' });
  if (!(await dialog.isVisible())) {
    await page.getByRole('tab', { name: 'Tools', exact: true }).click();
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
  }
  await dialog.getByLabel('Email address').waitFor();
  return dialog;
}

async function invite(page: Page, opts: { who: 'Customer' | 'Support representative'; email: string; ownProgram?: boolean }) {
  const dialog = await openInvite(page);
  await dialog.getByRole('radio', { name: opts.who, exact: true }).check();
  await dialog.getByLabel('Email address').fill(opts.email);
  // The dialog keeps the last choice of the checkbox: set it either way.
  await dialog.getByRole('checkbox', { name: 'Send with my own email program' }).setChecked(opts.ownProgram ?? false);
  await dialog.getByRole('button', { name: 'OK', exact: true }).click();
  return dialog;
}

async function closeDialog(dialog: ReturnType<Page['getByRole']>) {
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

test('INV-1: a customer invited by e-mail gets the mail, opens the link, types a name and is in the session at once', TEST, async () => {
  const dialog = await invite(rep.page, { who: 'Customer', email: 'carla@example.test' });
  await expectText(dialog.getByRole('status'), 'The invitation was sent to carla@example.test.');
  await checkA11y(rep.page, 'Invite dialog after sending');
  await closeDialog(dialog);

  const mail = await smtp.nextMail();
  assert.deepEqual(mail.to, ['carla@example.test']);
  assert.equal(mail.subject, 'Invitation to a remote support session');
  const text = mailText(mail);
  assert.match(text, /Administrator invites you to a remote support session/);
  assert.ok(text.includes(`type the session number ${number}`), text);
  const link = inviteLink(text);
  assert.ok(link.startsWith(`${server.url}/invite/`), link);

  const carla = await person(browser);
  people.push(carla);
  await carla.page.goto(link);
  await carla.page.getByText(`Administrator invites you to support session ${number}.`).waitFor();
  await checkA11y(carla.page, 'invitation page (customer)');
  await carla.page.getByLabel('Your name').fill('Carla Customer');
  await carla.page.getByRole('button', { name: 'Join', exact: true }).click();
  // Admitted directly: no waiting, the chat is ready.
  await carla.page.getByRole('heading', { name: `You are in support session ${number}` }).waitFor();
  await expectEnabled(chat(carla.page).message, true);
  await expectCount(rep.page.getByRole('region', { name: 'Waiting to join' }).getByRole('listitem'), 0);
  await sendChat(carla.page, 'Hello, I got your e-mail.');
  await chat(rep.page).item('Hello, I got your e-mail.').waitFor();
  await sendChat(rep.page, 'Welcome, Carla.');
  await chat(carla.page).item('Welcome, Carla.').waitFor();
  await rep.page
    .getByRole('region', { name: 'Participants' })
    .getByRole('listitem')
    .filter({ hasText: 'Carla Customer' })
    .filter({ hasText: 'connected' })
    .waitFor();
});

test('INV-2: with "Send with my own email program" the dialog hands a mailto: with the join link to the mail program, and the server sends nothing', TEST, async () => {
  const dialog = await invite(rep.page, { who: 'Customer', email: 'own@example.test', ownProgram: true });
  const notice = dialog.getByRole('status');
  await expectText(notice, 'Your email program opens with the invitation to own@example.test.');
  const mailLink = notice.getByRole('link', { name: 'Open in my email program' });
  const href = (await mailLink.getAttribute('href')) ?? '';
  assert.match(href, /^mailto:/);
  const url = new URL(href);
  assert.equal(decodeURIComponent(url.pathname), 'own@example.test');
  assert.equal(url.searchParams.get('subject'), 'Invitation to a remote support session');
  const body = url.searchParams.get('body') ?? '';
  const link = inviteLink(body);
  // The same link is shown in the dialog, for pasting by hand.
  await dialog.getByText(link, { exact: true }).waitFor();
  await checkA11y(rep.page, 'Invite dialog after "own email program"');
  await closeDialog(dialog);

  // The next mail the SMTP server receives is the one sent after this: nothing went out for own@.
  await closeDialog(await invite(rep.page, { who: 'Customer', email: 'second@example.test' }));
  const next = await smtp.nextMail();
  assert.deepEqual(next.to, ['second@example.test']);

  // The link from the mail program works like any invitation.
  const olga = await person(browser);
  people.push(olga);
  await olga.page.goto(link);
  await olga.page.getByLabel('Your name').fill('Olga Own');
  await olga.page.getByRole('button', { name: 'Join', exact: true }).click();
  await olga.page.getByRole('heading', { name: `You are in support session ${number}` }).waitFor();
  await olga.context.close();
});

test('INV-1/INV-5: a support representative invited by e-mail signs in from the link and joins as assistant', TEST, async () => {
  const dialog = await invite(rep.page, { who: 'Support representative', email: secondRep.email });
  await expectText(dialog.getByRole('status'), `The invitation was sent to ${secondRep.email}.`);
  await closeDialog(dialog);
  const mail = await smtp.nextMail();
  assert.deepEqual(mail.to, [secondRep.email]);
  const text = mailText(mail);
  assert.match(text, new RegExp(`Administrator asks you to assist in support session ${number}`));
  const link = inviteLink(text);

  const rita = await person(browser);
  people.push(rita);
  const p = rita.page;
  await p.goto(link);
  await p.getByText(`Administrator asks you to assist in session ${number}.`).waitFor();
  await checkA11y(p, 'invitation page (rep, signed out)');
  await p.getByRole('main').getByRole('link', { name: 'Sign in', exact: true }).click();
  await p.waitForURL(/\/sign-in\?next=/);
  await signInUI(p, server.url, secondRep.email, secondRep.password, /\/invite\//);
  await checkA11y(p, 'invitation page (rep, signed in)');
  await p.getByRole('button', { name: 'Join', exact: true }).click();
  await p.waitForURL(/\/console\//);
  await p.getByText('You are assisting. The rep in control can hand control to you.').waitFor();
  assert.equal(await sessionNumber(p), number);
  await expectCount(p.getByRole('button', { name: 'Invite', exact: true }), 0);
  await p.getByRole('tab', { name: 'Session', exact: true }).click();
  await p.getByRole('button', { name: 'Leave session', exact: true }).waitFor();
  await expectCount(p.getByRole('button', { name: 'End session', exact: true }), 0);
  await rep.page
    .getByRole('region', { name: 'Participants' })
    .getByRole('listitem')
    .filter({ hasText: 'Rita Second' })
    .filter({ hasText: 'Assisting rep' })
    .waitFor();

  // Leave session: the assistant is gone from everybody's list; the session goes on.
  await p.getByRole('button', { name: 'Leave session', exact: true }).click();
  await p.getByRole('dialog', { name: 'Leave session' }).getByRole('button', { name: 'Leave session' }).click();
  await p.waitForURL(`${server.url}/`);
  await expectCount(rep.page.getByRole('region', { name: 'Participants' }).getByRole('listitem').filter({ hasText: 'Rita Second' }), 0);
  assertNoPageErrors(...people);
});
