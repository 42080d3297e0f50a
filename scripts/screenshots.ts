/**
 * Takes screenshots of the main pages into .tmp/screens (for looking at the UI):
 *   node --import tsx scripts/screenshots.ts [language]
 * Starts its own server with a temporary data folder.
 */
import fs from 'node:fs';
import { launchChromium } from '../test/support/browser.js';
import { ADMIN, startServer } from '../test/support/server.js';

const lang = process.argv[2] ?? 'en';
const out = '.tmp/screens';
fs.mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launchChromium();
try {
  const rep = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await rep.addInitScript((l) => localStorage.setItem('rs.language', l), lang);
  const page = await rep.newPage();
  const shot = (name: string) => page.screenshot({ path: `${out}/${lang}-${name}.png`, fullPage: true });
  await page.goto(`${server.url}/sign-in`);
  await shot('sign-in');
  await page.getByLabel(/email|e-post|e-mail/i).first().fill(ADMIN.email);
  await page.locator('input[type=password]').fill(ADMIN.password);
  await page.locator('form button[type=submit]').click();
  await page.waitForURL(`${server.url}/`);
  await shot('home');
  for (const p of ['users', 'settings', 'reports', 'outbox', 'join', 'assist', 'start']) {
    await page.goto(`${server.url}/${p}`);
    await page.locator('h1').first().waitFor();
    await shot(p);
  }
  await page.locator('form button[type=submit]').click();
  await page.waitForURL(/\/console\//);
  await page.locator('.session-number').waitFor();
  const number = (await page.locator('.session-number').innerText()).replace(/\s/g, '');
  const cust = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
  await cust.goto(`${server.url}/join?number=${number}`);
  await cust.locator('input[autocomplete=name]').fill('Carla Customer');
  await cust.locator('form button[type=submit]').click();
  await cust.locator('.spinner').waitFor();
  await cust.screenshot({ path: `${out}/${lang}-customer-waiting.png` });
  await page.locator('.waiting li').waitFor();
  await shot('console-waiting');
  await page.locator('.waiting li button').first().click();
  await cust.locator('.chat-log').waitFor();
  await cust.locator('textarea').fill('Hello, my printer does not print.');
  await cust.keyboard.press('Enter');
  await page.locator('.chat-log li', { hasText: 'printer' }).waitFor();
  await shot('console-chat');
  await cust.screenshot({ path: `${out}/${lang}-customer-session.png`, fullPage: true });
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
