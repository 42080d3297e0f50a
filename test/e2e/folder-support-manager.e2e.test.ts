/**
 * FT-2 through Support Manager, in Debian's Chromium with the real program:
 * the customer's browser has no File System Access API, so the rep's
 * "Request folder access" is declined and the rep is pointed to "Browse
 * with Support Manager"; the customer accepts that, their page shows the
 * Support Manager panel with the pairing link, and the test starts the real
 * `support-manager` program with it as a child process (no X display: folder
 * access needs none; HOME is a folder the test filled). The rep browses the
 * customer's home folder in the same FolderBrowser as for a browser-shared
 * folder, downloads a file and uploads one; the customer allows the upload
 * in their page; both files are compared with the disk by SHA-256. Links out
 * of the folder are not shown. The customer's Stop ends the program.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { parsePairingUrl } from '@rs/protocol';
import { launchChromium } from '../support/browser.js';
import { ADMIN, startServer, type RunningServer } from '../support/server.js';
import { assertNoPageErrors, checkA11y, expectCount, expectText, person, sessionNumber, until, type Person } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'apps/support-manager/src/main.ts');
const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

let server: RunningServer;
let browser: Browser;
let base: string;
let program: ChildProcess | null = null;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'rs-e2e-ft2-sm-')));
});

after(async () => {
  if (program && program.exitCode === null && program.signalCode === null) program.kill('SIGKILL');
  await browser?.close();
  await server?.stop();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

const folderView = (rep: Page) => rep.getByRole('region', { name: 'Customer’s folder' });

test('a browser without folder access: the rep browses the customer’s home folder through Support Manager, both ways, by SHA-256', { timeout: 120_000 }, async () => {
  // The customer's home folder, with a link out of it that must not show.
  const home = path.join(base, 'carla');
  fs.mkdirSync(path.join(home, 'Documents'), { recursive: true });
  const invoice = crypto.randomBytes(400_000);
  fs.writeFileSync(path.join(home, 'Documents', 'invoice.pdf'), invoice);
  fs.writeFileSync(path.join(home, 'todo.txt'), 'call support\n');
  fs.mkdirSync(path.join(base, 'elsewhere'));
  fs.symlinkSync(path.join(base, 'elsewhere'), path.join(home, 'elsewhere-link'));

  // The rep starts a session; Carla joins in a browser without showDirectoryPicker.
  const rep: Person = await person(browser, { acceptDownloads: true });
  const res = await rep.context.request.post(`${server.url}/api/auth/sign-in`, { data: { email: ADMIN.email, password: ADMIN.password } });
  assert.equal(res.status(), 200, await res.text());
  await rep.page.goto(`${server.url}/start`);
  await rep.page.getByRole('button', { name: 'Start', exact: true }).click();
  await rep.page.waitForURL(/\/console\//);
  const number = await sessionNumber(rep.page);
  const carla: Person = await person(browser);
  await carla.context.addInitScript(() => {
    delete (window as unknown as { showDirectoryPicker?: unknown }).showDirectoryPicker;
    delete (Window.prototype as unknown as { showDirectoryPicker?: unknown }).showDirectoryPicker;
  });
  await carla.page.goto(`${server.url}/join?number=${number}`);
  await carla.page.getByLabel('Your name').fill('Carla Customer');
  await carla.page.getByRole('button', { name: 'Join', exact: true }).click();
  await rep.page.getByRole('region', { name: 'Waiting to join' }).getByRole('listitem').filter({ hasText: 'Carla Customer' }).getByRole('button', { name: 'Admit', exact: true }).click();
  await carla.page.getByRole('heading', { name: `You are in support session ${number}` }).waitFor();

  // The browser cannot: declined at once, and the rep is pointed to Support Manager.
  await rep.page.getByRole('tab', { name: 'Tools', exact: true }).click();
  await rep.page.getByRole('button', { name: 'Request folder access', exact: true }).click();
  await rep.page.getByText('The customer’s browser cannot share a folder. Use Browse with Support Manager instead.').waitFor();
  const viaSm = rep.page.getByRole('button', { name: 'Browse with Support Manager', exact: true });
  await until('Browse with Support Manager enabled', () => viaSm.isEnabled());
  await viaSm.click();

  // Carla is asked what it means, accepts; no folder picker is involved.
  const prompt = carla.page.getByRole('alertdialog', { name: /wants to browse your files with the Support Manager program/ });
  await prompt.waitFor();
  await checkA11y(carla.page, 'customer: asked for folder access through Support Manager');
  await prompt.getByRole('button', { name: 'Accept', exact: true }).click();
  await expectText(folderView(rep.page).getByRole('status'), 'Waiting for Support Manager on the customer’s computer…');
  const panel = carla.page.getByRole('region', { name: 'Support Manager' });
  await expectText(panel, 'can browse your files only through the Support Manager program');
  await carla.page.getByText('Folder access starts when Support Manager runs on this computer.').waitFor();
  const open = panel.getByRole('link', { name: 'Open Support Manager' });
  await open.waitFor();
  await checkA11y(carla.page, 'customer: Support Manager panel for folder access');
  await checkA11y(rep.page, 'console: waiting for Support Manager’s folder');
  const href = (await open.getAttribute('href'))!;
  assert.ok(parsePairingUrl(href), href);

  // What the link handler would run: the program, with Carla's home folder and no display.
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.DISPLAY;
  program = spawn(process.execPath, ['--import', 'tsx', MAIN, href], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  program.stdout!.on('data', (d) => (out += String(d)));
  program.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<number | null>((r) => program!.once('exit', (code) => r(code)));

  // The rep sees the home folder in the usual folder view, served by Support Manager.
  await folderView(rep.page).getByRole('table').waitFor({ timeout: 30_000 });
  await expectText(folderView(rep.page).getByRole('status').first(), /^Connected directly\. · Support Manager \(.+\) – Carla Customer$/);
  await expectText(folderView(rep.page).locator('p.mono'), /^\/$/);
  const names = await folderView(rep.page).locator('tbody tr td:first-child').allInnerTexts();
  assert.deepEqual(names, ['Documents/', 'todo.txt'], 'the link out of the folder is not shown');
  await carla.page.getByText('Administrator can browse your files through Support Manager on this computer.').waitFor();
  await expectCount(panel, 0);
  await checkA11y(rep.page, 'console: the customer’s folder through Support Manager');

  // Download from the customer's disk.
  await folderView(rep.page).getByRole('button', { name: 'Open Documents', exact: true }).click();
  await folderView(rep.page).getByRole('cell', { name: 'invoice.pdf', exact: true }).waitFor();
  const [download] = await Promise.all([rep.page.waitForEvent('download'), folderView(rep.page).getByRole('button', { name: 'Download invoice.pdf', exact: true }).click()]);
  assert.equal(await download.failure(), null);
  assert.equal(sha256(fs.readFileSync(await download.path())), sha256(invoice), 'the downloaded bytes are the file on the customer’s disk');
  await folderView(rep.page).getByText('invoice.pdf: done', { exact: true }).waitFor();

  // Upload into Documents: Carla allows it in her page; the file on disk is the upload.
  const fix = crypto.randomBytes(250_000);
  await folderView(rep.page).getByLabel('Upload to this folder').setInputFiles({ name: 'fix.reg', mimeType: 'application/octet-stream', buffer: fix });
  await folderView(rep.page).getByText('Waiting for the customer to allow saving fix.reg…').waitFor();
  const ask = carla.page.getByRole('alertdialog', { name: /^Administrator wants to save “fix\.reg” \(.+\) on this computer, in “carla\/Documents”\.$/ });
  await ask.waitFor();
  await checkA11y(carla.page, 'customer: allowing a file Support Manager would save');
  await ask.getByRole('button', { name: 'Allow', exact: true }).click();
  await folderView(rep.page).getByText('fix.reg: done', { exact: true }).waitFor();
  await carla.page.getByText('fix.reg: done', { exact: true }).waitFor();
  assert.equal(sha256(fs.readFileSync(path.join(home, 'Documents', 'fix.reg'))), sha256(fix));
  await folderView(rep.page).getByRole('cell', { name: 'fix.reg', exact: true }).waitFor();

  // Denied: nothing is written, the rep reads why.
  await folderView(rep.page).getByLabel('Upload to this folder').setInputFiles({ name: 'nope.exe', mimeType: 'application/octet-stream', buffer: crypto.randomBytes(1000) });
  const ask2 = carla.page.getByRole('alertdialog', { name: /wants to save “nope\.exe”/ });
  await ask2.getByRole('button', { name: 'Deny', exact: true }).click();
  await folderView(rep.page).getByText('nope.exe: The customer did not allow saving this file.', { exact: true }).waitFor();
  assert.equal(fs.existsSync(path.join(home, 'Documents', 'nope.exe')), false);

  // The rep gives up on an upload Carla has not answered yet: her question goes away.
  await folderView(rep.page).getByLabel('Upload to this folder').setInputFiles({ name: 'late.bin', mimeType: 'application/octet-stream', buffer: crypto.randomBytes(1000) });
  const ask3 = carla.page.getByRole('alertdialog', { name: /wants to save “late\.bin”/ });
  await ask3.waitFor();
  const waiting = folderView(rep.page).locator('.transfer').filter({ hasText: 'Waiting for the customer to allow saving late.bin…' });
  await waiting.getByRole('button', { name: 'Stop', exact: true }).click();
  await folderView(rep.page).getByText('late.bin: Stopped.', { exact: true }).waitFor();
  await ask3.waitFor({ state: 'detached' });
  assert.equal(fs.existsSync(path.join(home, 'Documents', 'late.bin')), false);

  // Carla stops it: the rep's view goes, the program ends.
  await carla.page.getByRole('button', { name: 'Stop folder access', exact: true }).click();
  await folderView(rep.page).waitFor({ state: 'detached' });
  assert.equal(await exited, 0, err);
  assert.match(out, /^Folder access ended$/m);
  await rep.page.getByRole('button', { name: 'Browse with Support Manager', exact: true }).waitFor();
  assertNoPageErrors(rep, carla);
  await rep.context.close();
  await carla.context.close();
});
