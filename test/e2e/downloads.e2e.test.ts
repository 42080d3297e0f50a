/**
 * SM-1 in the browser: the Downloads page says when this server has no
 * Support Manager archive yet; once there is one it offers "Download Support
 * Manager for Linux (x64)" with the size, the SHA-256 and the install steps,
 * and the link downloads exactly those bytes. The file here is a stand-in
 * (the real archive is built and installed by
 * apps/support-manager/test/package.test.ts); what is checked is the page
 * and the server's route.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { SUPPORT_MANAGER_LINUX_X64, SUPPORT_MANAGER_LINUX_X64_URL } from '@rs/protocol';
import { launchChromium } from '../support/browser.js';
import { startServer, type RunningServer } from '../support/server.js';
import { assertNoPageErrors, checkA11y, expectText, person, TEST } from './helpers.js';

let server: RunningServer;
let browser: Browser;
let dir: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-e2e-downloads-'));
  [server, browser] = await Promise.all([startServer({ env: { DOWNLOADS_DIR: dir } }), launchChromium()]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

test('the Downloads page offers Support Manager for Linux once the server has the archive, and the link downloads it', TEST, async () => {
  const visitor = await person(browser, { acceptDownloads: true });
  const { page } = visitor;
  const main = page.locator('main');
  const link = page.getByRole('link', { name: 'Download Support Manager for Linux (x64)' });

  // Not built on this server: said so, no link.
  await page.goto(`${server.url}/downloads`);
  await page.getByRole('heading', { name: 'Downloads', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Support Manager for Linux (x64)', level: 2 }).waitFor();
  await expectText(page.getByRole('status'), 'This server does not offer this download yet.');
  assert.equal(await link.count(), 0);
  await checkA11y(page, 'Downloads page without the archive');

  const content = crypto.randomBytes(300_000);
  fs.writeFileSync(path.join(dir, SUPPORT_MANAGER_LINUX_X64), content);
  await page.reload();
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), SUPPORT_MANAGER_LINUX_X64_URL);
  await expectText(main, '293 KB'); // 300,000 bytes as the file lists show sizes
  await expectText(main, sha256(content));
  await page.getByRole('heading', { name: 'How to install', level: 3 }).waitFor();
  await expectText(main, `tar xzf ${SUPPORT_MANAGER_LINUX_X64}`);
  await expectText(main, 'cd support-manager-linux-x64 && ./install.sh');
  await expectText(main, 'Open Support Manager on the session page starts it with one click');
  await checkA11y(page, 'Downloads page with the archive');

  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(await download.failure(), null);
  assert.equal(download.suggestedFilename(), SUPPORT_MANAGER_LINUX_X64);
  const saved = fs.readFileSync((await download.path())!);
  assert.equal(saved.length, content.length);
  assert.equal(sha256(saved), sha256(content), 'the downloaded file has the SHA-256 the page shows');

  // The same page in another language: the link's name follows it.
  await page.getByLabel('Language').selectOption({ label: 'Deutsch' });
  await page.getByRole('link', { name: 'Support Manager für Linux (x64) herunterladen' }).waitFor();
  await expectText(main, 'SHA-256-Prüfsumme');

  await visitor.context.close();
  assertNoPageErrors(visitor);
});
