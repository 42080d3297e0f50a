/**
 * The "Get help" snippet alone, in Chromium: a stub support site (the built
 * snippet, /api/acd/queues/:slug/public with or without
 * access-control-allow-origin, a stub /help/:slug page) and stub customer
 * sites on other ports, i.e. other origins. The test builds the snippet
 * itself into a temp folder; it does not need apps/web/dist.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../../test/support/browser.js';
import { buildHelpScript, HELP_SCRIPT_BUDGET } from '../build.js';
import { STRINGS } from '../src/help-button/i18n.js';
import { FRAME_ALLOW } from '../src/help-button/widget.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TEST = { timeout: 60_000 } as const;
const WARN_PREFIX = 'Remote Support help button:';

let browser: Browser;
let scriptBytes = 0;
let script = '';
let buildDir = '';
const servers: http.Server[] = [];
/** The stub support site. */
let site = '';
/** A customer site the admin allowed, and one it did not. */
let allowedHost = '';
let refusedHost = '';
const pages = new Map<string, string>();
const helpRequests: string[] = [];
const publicRequests: { slug: string; origin: string | undefined }[] = [];

function listen(handler: http.RequestListener): Promise<string> {
  const srv = http.createServer(handler);
  servers.push(srv);
  return new Promise((resolve) =>
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      resolve(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
    }),
  );
}

function supportSite(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const origin = req.headers.origin;
  if (url.pathname === '/embed/help.js') {
    res.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'no-cache' }).end(script);
    return;
  }
  const pub = /^\/api\/acd\/queues\/([^/]+)\/public$/.exec(url.pathname);
  if (pub) {
    const slug = decodeURIComponent(pub[1] ?? '');
    publicRequests.push({ slug, origin });
    const allowed = !origin || origin === site || origin === allowedHost;
    const cors: Record<string, string> = allowed && origin ? { 'access-control-allow-origin': origin, vary: 'origin' } : {};
    if (!allowed) {
      // Like checkEmbedOrigin: 403 without access-control-allow-origin, unreadable to the page.
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'RS_ERR_FORBIDDEN', message: 'not allowed' } }));
    } else if (slug === 'missing') {
      res.writeHead(404, { 'content-type': 'application/json', ...cors }).end(JSON.stringify({ error: { code: 'RS_ERR_NOT_FOUND', message: 'No such queue.' } }));
    } else {
      res
        .writeHead(200, { 'content-type': 'application/json', ...cors })
        .end(JSON.stringify({ slug, name: 'Demo support', formText: '', open: true, opensAt: null }));
    }
    return;
  }
  const help = /^\/help\/([^/]+)$/.exec(url.pathname);
  if (help) {
    helpRequests.push(req.url ?? '');
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><html lang="en"><title>Help</title><main><h1>Help page of ${help[1]}</h1><label>Your name <input></label></main></html>`);
    return;
  }
  res.writeHead(404).end();
}

function customerSite(req: http.IncomingMessage, res: http.ServerResponse): void {
  const html = pages.get(new URL(req.url ?? '/', 'http://x').pathname);
  if (html === undefined) res.writeHead(404).end();
  else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
}

let pageCount = 0;
/** Serves a page on both customer sites; answers its path. */
function hostPage(body: string, head = ''): string {
  const p = `/page-${++pageCount}.html`;
  pages.set(
    p,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>${head}</head>` +
      `<body><main><h1>Shop</h1><p><a href="#top">Top of the shop</a></p></main>${body}</body></html>`,
  );
  return p;
}

const tag = (attrs = 'data-queue="demo"', async = true) => `<script src="${site}/embed/help.js" ${attrs}${async ? ' async' : ''}></script>`;

interface Visit {
  context: BrowserContext;
  page: Page;
  /** The snippet's console warnings. */
  warnings: string[];
  errors: string[];
}

async function visit(url: string, opts: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<Visit> {
  const context = await browser.newContext({ locale: opts.locale ?? 'en-US', viewport: opts.viewport ?? { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const warnings: string[] = [];
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.text().startsWith(WARN_PREFIX)) (m.type() === 'warning' ? warnings : errors).push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { context, page, warnings, errors };
}

/** The snippet's first console warning (collected from before the page loaded). */
async function firstWarning(v: Visit): Promise<string> {
  for (let i = 0; i < 150 && v.warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(v.warnings[0], 'expected a console warning from the snippet');
  return v.warnings[0];
}

/** What has focus, looking into our shadow root. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let a: Element | null = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    if (!a) return 'nothing';
    const name = a.getAttribute('aria-label') ?? (a.textContent ?? '').trim();
    return `${a.getAttribute('role') ?? a.tagName.toLowerCase()}${name ? ` "${name}"` : ''}`;
  });
}

const AXE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'], iframes: false });
    return r.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
}

before(async () => {
  buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-cobrowse-'));
  const out = path.join(buildDir, 'embed/help.js');
  scriptBytes = await buildHelpScript(out);
  script = fs.readFileSync(out, 'utf8');
  site = await listen(supportSite);
  allowedHost = await listen(customerSite);
  refusedHost = await listen(customerSite);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  if (buildDir) fs.rmSync(buildDir, { recursive: true, force: true });
});

test('the built snippet is one small ASCII file within its budget', () => {
  assert.ok(scriptBytes > 1000 && scriptBytes < HELP_SCRIPT_BUDGET, `help.js is ${scriptBytes} bytes`);
  assert.equal(/[^\x00-\x7f]/.test(script), false, 'non-ASCII characters would depend on the host page encoding');
  assert.doesNotMatch(script, /\bimport\b\s*[({"']|\bexport\b\s/, 'no module syntax in a classic script');
});

test('on an allowed origin: the button opens the help page in a dialog; Escape closes it and focus returns', TEST, async () => {
  const url = `${allowedHost}${hostPage(tag())}?product=42&q=a%20b`;
  const v = await visit(url);
  const { page } = v;
  const button = page.getByRole('button', { name: 'Get help' });
  await button.waitFor();
  assert.deepEqual(publicRequests.at(-1), { slug: 'demo', origin: allowedHost });
  assert.deepEqual(await axeViolations(page), [], 'page with the button');

  const before = helpRequests.length;
  await button.click();
  const dialog = page.getByRole('dialog', { name: 'Get help' });
  await dialog.waitFor();
  assert.equal(await button.isVisible(), false, 'the panel replaces the button while open');
  const frame = dialog.locator('iframe');
  assert.equal(await frame.getAttribute('src'), `${site}/help/demo?embed=1&lang=en&page=${encodeURIComponent(url)}`);
  assert.equal(await frame.getAttribute('title'), 'Get help');
  assert.equal(await frame.getAttribute('allow'), FRAME_ALLOW);
  await page.frameLocator('iframe[title="Get help"]').getByRole('heading', { name: 'Help page of demo' }).waitFor();
  const box = await frame.boundingBox();
  assert.ok(box && box.width > 380 && box.width <= 400 && box.height > 500 && box.height <= 600, `frame ${JSON.stringify(box)}`);
  assert.match(await focused(page), /^dialog /, 'focus moves into the panel');
  assert.equal(await page.getByRole('dialog').getByRole('button', { name: 'Close' }).count(), 1);
  assert.deepEqual(await axeViolations(page), [], 'page with the open panel');

  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  // The frame lives on (a session in it goes on); the button says so.
  const back = page.getByRole('button', { name: 'Back to help' });
  await back.waitFor();
  assert.equal(await focused(page), 'button "Back to help"');

  await back.click();
  await dialog.waitFor();
  assert.equal(helpRequests.length, before + 1, 'reopening shows the same frame, not a new help page');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await focused(page), 'button "Back to help"');
  assert.deepEqual(v.warnings, []);
  assert.deepEqual(v.errors, []);
  await v.context.close();
});

test('keyboard: Tab reaches the button, which shows a focus ring, and Enter opens the panel', TEST, async () => {
  const v = await visit(`${allowedHost}${hostPage(tag())}`);
  const { page } = v;
  const button = page.getByRole('button', { name: 'Get help' });
  await button.waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'a "Top of the shop"');
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'button "Get help"');
  const ring = await button.evaluate((b) => {
    const s = getComputedStyle(b);
    return { style: s.outlineStyle, width: s.outlineWidth, focusVisible: b.matches(':focus-visible') };
  });
  assert.deepEqual(ring, { style: 'solid', width: '3px', focusVisible: true });
  await page.keyboard.press('Enter');
  await page.getByRole('dialog', { name: 'Get help' }).waitFor();
  assert.match(await focused(page), /^dialog /);
  await page.keyboard.press('Tab');
  assert.equal(await focused(page), 'button "Close"');
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  assert.equal(await focused(page), 'button "Back to help"');
  assert.deepEqual(v.errors, []);
  await v.context.close();
});

test('languages: data-lang, else the browser language; data-label overrides the button text', TEST, async () => {
  const sv = await visit(`${allowedHost}${hostPage(tag('data-queue="demo" data-lang="sv"'))}`);
  await sv.page.getByRole('button', { name: 'Få hjälp' }).click();
  const dialog = sv.page.getByRole('dialog', { name: 'Få hjälp' });
  await dialog.waitFor();
  assert.equal(await dialog.locator('iframe').getAttribute('title'), 'Få hjälp');
  await dialog.getByRole('button', { name: 'Stäng' }).click();
  await sv.page.getByRole('button', { name: 'Tillbaka till hjälpen' }).waitFor();
  await sv.context.close();

  const de = await visit(`${allowedHost}${hostPage(tag())}`, { locale: 'de-DE' });
  await de.page.getByRole('button', { name: 'Hilfe erhalten' }).waitFor();
  await de.context.close();

  const nb = await visit(`${allowedHost}${hostPage(tag('data-queue="demo" data-lang="no"'))}`, { locale: 'fr-FR' });
  await nb.page.getByRole('button', { name: 'Få hjelp' }).waitFor();
  await nb.context.close();

  const custom = await visit(`${allowedHost}${hostPage(tag('data-queue="demo" data-label="Chat with us" data-lang="fr"'))}`);
  await custom.page.getByRole('button', { name: 'Chat with us' }).click();
  await custom.page.getByRole('dialog', { name: 'Obtenir de l’aide' }).waitFor();
  await custom.context.close();
});

test("the snippet's words match the web app's (help.heading, common.close) in every language", () => {
  for (const [lang, s] of Object.entries(STRINGS)) {
    const src = fs.readFileSync(path.join(ROOT, `apps/web/src/i18n/${lang}.ts`), 'utf8');
    const word = (key: string) => new RegExp(`'${key.replace('.', '\\.')}': '([^']*)'`).exec(src)?.[1];
    assert.equal(s.getHelp, word('help.heading'), `${lang} help.heading`);
    assert.equal(s.close, word('common.close'), `${lang} common.close`);
  }
});

test('on an origin the admin did not allow: no button and one console warning', TEST, async () => {
  const v = await visit(`${refusedHost}${hostPage(tag())}`);
  const warned = await firstWarning(v);
  assert.match(warned, /is not allowed to offer the help queue "demo"/);
  assert.ok(warned.includes(`must add ${refusedHost} in Site settings → Allowed origins for the help script`), warned);
  assert.equal(await v.page.locator('remote-support-help').count(), 0);
  assert.equal(await v.page.getByRole('button').count(), 0);
  // The API exists but opens nothing.
  await v.page.evaluate(() => window.RemoteSupportHelp?.open());
  assert.equal(await v.page.getByRole('dialog').count(), 0);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(v.warnings.length, 1, v.warnings.join('\n'));
  assert.deepEqual(v.errors, []);
  await v.context.close();

  // A queue that does not exist, and a missing data-queue: a warning each, no button.
  const missing = await visit(`${allowedHost}${hostPage(tag('data-queue="missing"'))}`);
  assert.match(await firstWarning(missing), /has no help queue "missing"/);
  assert.equal(await missing.page.locator('remote-support-help').count(), 0);
  await missing.context.close();
  const none = await visit(`${allowedHost}${hostPage(tag(''))}`);
  assert.match(await firstWarning(none), /data-queue="" is not a queue address/);
  await none.context.close();
});

test("the host page's aggressive CSS neither hides nor breaks the button and panel", TEST, async () => {
  const css = `<style>
    * { font-size: 2px !important; color: red !important; background: yellow !important; line-height: 0 !important; }
    button, iframe, div, [role="dialog"], remote-support-help { display: none !important; visibility: hidden !important; opacity: 0 !important; }
    body > * { position: absolute !important; width: 1px !important; height: 1px !important; overflow: hidden !important; }
    :root { --x: 1; } svg { display: none !important; }
  </style>`;
  const v = await visit(`${allowedHost}${hostPage(tag(), css)}`);
  const button = v.page.getByRole('button', { name: 'Get help' });
  await button.waitFor({ state: 'visible' });
  const look = await button.evaluate((b) => {
    const s = getComputedStyle(b);
    return { fontSize: s.fontSize, color: s.color, background: s.backgroundColor, display: s.display };
  });
  assert.deepEqual(look, { fontSize: '16px', color: 'rgb(255, 255, 255)', background: 'rgb(11, 92, 173)', display: 'flex' });
  const box = await button.boundingBox();
  assert.ok(box && box.height >= 44 && box.width >= 100, `button ${JSON.stringify(box)}`);
  assert.ok(box.x + box.width <= 1280 - 16 + 1 && box.y + box.height <= 900 - 16 + 1, 'bottom right');
  await button.click();
  const frame = v.page.getByRole('dialog', { name: 'Get help' }).locator('iframe');
  await frame.waitFor({ state: 'visible' });
  const fbox = await frame.boundingBox();
  assert.ok(fbox && fbox.width > 380 && fbox.height > 500, `frame ${JSON.stringify(fbox)}`);
  assert.deepEqual(v.errors, []);
  await v.context.close();
});

test('loaded twice: one button, one API', TEST, async () => {
  const v = await visit(`${allowedHost}${hostPage(tag() + tag('data-queue="demo"', false) + tag('data-queue="other"'))}`);
  await v.page.getByRole('button', { name: 'Get help' }).waitFor();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await v.page.locator('remote-support-help').count(), 1);
  assert.equal(await v.page.getByRole('button', { name: 'Get help' }).count(), 1);
  assert.deepEqual(v.errors, []);
  await v.context.close();
});

test('window.RemoteSupportHelp: frozen, the only global; open() before the answer waits for it; data-button="none"', TEST, async () => {
  const own = `<button type="button" id="mine" onclick="RemoteSupportHelp.open()">Talk to us</button>`;
  // Not async: the inline script right after it calls open() before the support site answered.
  const p = hostPage(`${own}${tag('data-queue="demo" data-button="none"', false)}<script>RemoteSupportHelp.open()</script>`);
  const v = await visit(`${allowedHost}${p}`);
  const { page } = v;
  const dialog = page.getByRole('dialog', { name: 'Get help' });
  await dialog.waitFor();
  const api = await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    const d = Object.getOwnPropertyDescriptor(window, 'RemoteSupportHelp');
    return {
      keys: Object.keys(w.RemoteSupportHelp as object).sort(),
      frozen: Object.isFrozen(w.RemoteSupportHelp),
      writable: d?.writable,
      configurable: d?.configurable,
    };
  });
  assert.deepEqual(api, { keys: ['close', 'open'], frozen: true, writable: false, configurable: false });
  await page.evaluate(() => window.RemoteSupportHelp?.close());
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await page.getByRole('button', { name: /help/i }).count(), 0, 'data-button="none": no floating button');

  // The page's own button opens the panel; closing returns focus to it.
  await page.getByRole('button', { name: 'Talk to us' }).click();
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await focused(page), 'button "Talk to us"');
  assert.deepEqual(v.errors, []);
  await v.context.close();

  // Globals: the snippet adds exactly one.
  const plain = hostPage('');
  const g = await visit(`${allowedHost}${plain}`);
  const baseline = await g.page.evaluate(() => Object.getOwnPropertyNames(window));
  await g.page.evaluate((src) => {
    const el = document.createElement('script');
    el.src = src;
    el.dataset.queue = 'demo';
    document.body.append(el);
  }, `${site}/embed/help.js`);
  await g.page.getByRole('button', { name: 'Get help' }).click();
  await g.page.getByRole('dialog', { name: 'Get help' }).waitFor();
  const added = await g.page.evaluate((b) => Object.getOwnPropertyNames(window).filter((n) => !b.includes(n)), baseline);
  assert.deepEqual(added, ['RemoteSupportHelp']);
  await g.context.close();
});

test('data-position="bottom-left"; a small screen gets the panel full-screen', TEST, async () => {
  const v = await visit(`${allowedHost}${hostPage(tag('data-queue="demo" data-position="bottom-left"'))}`, { viewport: { width: 375, height: 667 } });
  const button = v.page.getByRole('button', { name: 'Get help' });
  await button.waitFor();
  const box = await button.boundingBox();
  assert.ok(box && Math.round(box.x) === 16, `button ${JSON.stringify(box)}`);
  await button.click();
  const dialog = v.page.getByRole('dialog', { name: 'Get help' });
  await dialog.waitFor();
  assert.deepEqual(await dialog.boundingBox(), { x: 0, y: 0, width: 375, height: 667 });
  await v.context.close();
});
