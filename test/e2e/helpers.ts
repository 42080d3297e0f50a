/**
 * Helpers of the end-to-end tests (not a test file itself): browser contexts
 * per person, axe-core on every page, waiting by polling locators, the UI
 * sign-in, and reading invitation mail.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import type { ReceivedMail } from '../support/smtp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every e2e test: generous, but a hang fails the test instead of the run. */
export const TEST = { timeout: 60_000 } as const;
/** How long one wait for the UI may take before the step fails. */
export const STEP_MS = 15_000;

export interface Person {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions in the page: a test ends by asserting there were none. */
  errors: string[];
}

/** A person with their own browser context: own cookies, storage and clipboard. */
export async function person(browser: Browser, opts: { clipboard?: boolean; acceptDownloads?: boolean } = {}): Promise<Person> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: opts.acceptDownloads ?? false });
  if (opts.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  // No page of the product opens alert()/confirm(): one that does (injected script included) is an error.
  page.on('dialog', (d) => {
    errors.push(`${page.url()}: unexpected ${d.type()} "${d.message()}"`);
    void d.dismiss();
  });
  return { context, page, errors };
}

const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; html: string; failureSummary: string }[];
}

/**
 * Runs axe-core on the page as it is now (open dialogs included) and fails on
 * any serious or critical violation, printing them. A11Y_REPORT=1 prints
 * the minor and moderate ones too.
 *
 * The site's CSP (`script-src 'self'`) refuses `page.addScriptTag`'s inline
 * script, and the tests must not switch CSP off (bypassCSP) since that is part
 * of what they check; so axe is evaluated through DevTools, which CSP does not govern.
 */
export async function checkA11y(page: Page, where: string, opts: { quiet?: boolean } = {}): Promise<void> {
  // Wait for the app to have rendered something other than the loading line.
  await page.locator('main h1, dialog[open] h2').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  const hasAxe = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), html: n.html, failureSummary: n.failureSummary })),
    }));
  });
  if (process.env.A11Y_REPORT) {
    for (const v of violations) console.error(`a11y ${where}: [${v.impact}] ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    const text = bad
      .map((v) => `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes.map((n) => `    ${n.target.join(' ')}\n      ${n.html}\n      ${n.failureSummary.replace(/\n/g, '\n      ')}`).join('\n')}`)
      .join('\n');
    if (!opts.quiet) console.error(`axe violations on ${where} (${page.url()}):\n${text}`);
    assert.fail(`${bad.length} serious/critical accessibility violation(s) on ${where}: ${bad.map((v) => v.id).join(', ')}`);
  }
}

/**
 * Polls `probe` until it returns something other than undefined/false, and
 * fails after `timeoutMs` with the last value seen. For conditions that
 * `locator.waitFor` cannot express (text, value, enabled, counts).
 */
export async function until<T>(what: string | (() => string), probe: () => Promise<T | undefined | false | null>, timeoutMs = STEP_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false && v !== null) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for: ${typeof what === 'string' ? what : what()} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the locator's text matches. */
export async function expectText(locator: Locator, expected: string | RegExp, timeoutMs = STEP_MS): Promise<string> {
  return until(
    `text ${expected} in ${String(locator)}`,
    async () => {
      const text = (await locator.textContent({ timeout: 1000 })) ?? '';
      return (typeof expected === 'string' ? text.includes(expected) : expected.test(text)) ? text : undefined;
    },
    timeoutMs,
  );
}

/** Waits until the locator matches exactly `n` elements. */
export async function expectCount(locator: Locator, n: number, timeoutMs = STEP_MS): Promise<void> {
  await until(`${n} of ${String(locator)}`, async () => (await locator.count()) === n, timeoutMs);
}

export async function expectEnabled(locator: Locator, enabled: boolean, timeoutMs = STEP_MS): Promise<void> {
  await until(`${String(locator)} ${enabled ? 'enabled' : 'disabled'}`, async () => (await locator.isEnabled({ timeout: 1000 })) === enabled, timeoutMs);
}

/** The product's main navigation. */
export function nav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Main' });
}

/** Signs in through the sign-in page and waits for the app to show the signed-in state. */
export async function signInUI(page: Page, baseUrl: string, email: string, password: string, where: string | RegExp = `${baseUrl}/`): Promise<void> {
  if (!page.url().includes('/sign-in')) await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(where);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** The chat panel of a console or customer page (or of the help page in the "Get help" frame). */
export function chat(page: Page | FrameLocator) {
  const region = page.getByRole('region', { name: 'Chat' });
  return {
    region,
    log: region.getByRole('list', { name: 'Chat messages' }),
    message: region.getByRole('textbox', { name: 'Message', exact: true }),
    to: region.getByRole('combobox', { name: 'To', exact: true }),
    send: region.getByRole('button', { name: 'Send' }),
    /** A message in the log, by its text. */
    item: (text: string | RegExp) => region.getByRole('list', { name: 'Chat messages' }).getByRole('listitem').filter({ hasText: text }),
  };
}

/** Sends a chat message through the form and waits until it shows in the sender's own log. */
export async function sendChat(page: Page | FrameLocator, text: string, to?: string): Promise<void> {
  const c = chat(page);
  if (to !== undefined) await c.to.selectOption({ label: to });
  await c.message.fill(text);
  await c.send.click();
  await c.item(text).first().waitFor();
  // The field is cleared once the server has stored the message.
  await until('the message field to be cleared', async () => (await c.message.inputValue()) === '');
}

/** The mail's text, with quoted-printable transfer encoding undone. */
export function mailText(mail: ReceivedMail): string {
  const head = mail.raw.split(/\r?\n\r?\n/)[0] ?? '';
  if (!/content-transfer-encoding:\s*quoted-printable/i.test(head)) return mail.body;
  const bytes = mail.body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** The invitation link in a mail or text. */
export function inviteLink(text: string): string {
  const m = /https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+/.exec(text);
  assert.ok(m, `no invitation link in:\n${text}`);
  return m[0];
}

/** The session number as the console shows it (three groups of three digits), without spaces. */
export async function sessionNumber(page: Page): Promise<string> {
  const shown = page.getByText(/^\d{3} \d{3} \d{3}$/);
  await shown.waitFor();
  return ((await shown.textContent()) ?? '').replace(/\s/g, '');
}

export function assertNoPageErrors(...people: Person[]): void {
  const errors = people.flatMap((p) => p.errors);
  assert.deepEqual(errors, [], `uncaught errors in pages:\n${errors.join('\n')}`);
}
