/**
 * FT-2 advanced file transfer in Debian's Chromium, a rep and a customer in
 * their own browser contexts. The customer's "picked folder" is the
 * origin-private file system (window.showDirectoryPicker answers with
 * navigator.storage.getDirectory()), which the test fills and reads back by
 * SHA-256. Over a data channel: browsing, downloads, uploads the customer
 * allows or denies, progress on both sides, the customer stopping mid-transfer;
 * the same through the server relay (forced on the rep's page), and a folder
 * of thousands of files listed through it in pages; and a customer browser
 * without the File System Access API. The tests run in
 * order: the first five share one session.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Download, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { ADMIN, startServer, type RunningServer } from '../support/server.js';
import { assertNoPageErrors, checkA11y, expectText, person, sessionNumber, TEST, until, type Person } from './helpers.js';

let server: RunningServer;
let browser: Browser;
const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const BIG = 20 * 1024 * 1024;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// ------------------------------------------------------------------ people and pages

/** The admin starts a session from the Start page; with `relay`, the rep's page skips the data channel (FT-2 fallback). */
async function repStarts(opts: { relay?: boolean } = {}): Promise<{ rep: Person; number: string }> {
  const rep = await person(browser, { acceptDownloads: true });
  if (opts.relay) {
    await rep.context.addInitScript(() => {
      (window as unknown as { __rsForceRelay: boolean }).__rsForceRelay = true;
    });
  }
  const res = await rep.context.request.post(`${server.url}/api/auth/sign-in`, { data: { email: ADMIN.email, password: ADMIN.password } });
  assert.equal(res.status(), 200, await res.text());
  await rep.page.goto(`${server.url}/start`);
  await rep.page.getByRole('button', { name: 'Start', exact: true }).click();
  await rep.page.waitForURL(/\/console\//);
  return { rep, number: await sessionNumber(rep.page) };
}

/**
 * A customer joins by number and is admitted. With `picker`, the browser's
 * folder picker answers with the origin-private file system; without, the
 * File System Access API is taken away (a browser that does not have it).
 */
async function customerJoins(rep: Page, number: string, name: string, opts: { picker: boolean }): Promise<Person> {
  const c = await person(browser);
  if (opts.picker) {
    await c.context.addInitScript(() => {
      (window as unknown as { showDirectoryPicker: () => Promise<unknown> }).showDirectoryPicker = () => navigator.storage.getDirectory();
    });
  } else {
    await c.context.addInitScript(() => {
      delete (window as unknown as { showDirectoryPicker?: unknown }).showDirectoryPicker;
      delete (Window.prototype as unknown as { showDirectoryPicker?: unknown }).showDirectoryPicker;
    });
  }
  await c.page.goto(`${server.url}/join?number=${number}`);
  await c.page.getByLabel('Your name').fill(name);
  await c.page.getByRole('button', { name: 'Join', exact: true }).click();
  await rep.getByRole('region', { name: 'Waiting to join' }).getByRole('listitem').filter({ hasText: name }).getByRole('button', { name: 'Admit', exact: true }).click();
  await c.page.getByRole('heading', { name: `You are in support session ${number}` }).waitFor();
  return c;
}

interface Seeded {
  size: number;
  lastModified: number;
  sha256: string;
}

/** Writes random files (and empty folders) into the customer's origin-private file system; returns each file's size, date and SHA-256 by path. */
async function seed(page: Page, files: { path: string; size: number }[], dirs: string[] = []): Promise<Record<string, Seeded>> {
  return page.evaluate(
    async ({ files, dirs }) => {
      // (No named functions in here: the test's TypeScript transform would wrap them in a helper the page does not have.)
      const root = await navigator.storage.getDirectory();
      for (const p of dirs) {
        let d = root;
        for (const s of p.split('/')) d = await d.getDirectoryHandle(s, { create: true });
      }
      const out: Record<string, { size: number; lastModified: number; sha256: string }> = {};
      for (const f of files) {
        const segs = f.path.split('/');
        const name = segs.pop()!;
        let d = root;
        for (const s of segs) d = await d.getDirectoryHandle(s, { create: true });
        const w = await (await d.getFileHandle(name, { create: true })).createWritable();
        const block = new Uint8Array(Math.max(1, Math.min(f.size, 1 << 20)));
        for (let left = f.size; left > 0; ) {
          const n = Math.min(left, block.length);
          for (let i = 0; i < n; i += 65536) crypto.getRandomValues(block.subarray(i, Math.min(n, i + 65536)));
          await w.write(block.subarray(0, n));
          left -= n;
        }
        await w.close();
        const file = await (await d.getFileHandle(name)).getFile();
        const h = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
        out[f.path] = { size: file.size, lastModified: file.lastModified, sha256: Array.from(h, (x) => x.toString(16).padStart(2, '0')).join('') };
      }
      return out;
    },
    { files, dirs },
  );
}

/** The SHA-256 of a file in the customer's origin-private file system, or null when there is none. */
async function opfsSha(page: Page, path: string): Promise<string | null> {
  return page.evaluate(async (path) => {
    const segs = path.split('/');
    const name = segs.pop()!;
    try {
      let d = await navigator.storage.getDirectory();
      for (const s of segs) d = await d.getDirectoryHandle(s);
      const file = await (await d.getFileHandle(name)).getFile();
      const h = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
      return Array.from(h, (x) => x.toString(16).padStart(2, '0')).join('');
    } catch {
      return null;
    }
  }, path);
}

/** The names in a folder of the customer's origin-private file system. */
async function opfsNames(page: Page, path = ''): Promise<string[]> {
  return page.evaluate(async (path) => {
    let d = await navigator.storage.getDirectory();
    for (const s of path.split('/').filter(Boolean)) d = await d.getDirectoryHandle(s);
    const names: string[] = [];
    for await (const k of (d as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(k);
    return names.sort();
  }, path);
}

const folderView = (rep: Page) => rep.getByRole('region', { name: 'Customer’s folder' });
/** The rows of the rep's folder table as the text of their first three cells (name, size, date). */
async function rows(rep: Page): Promise<string[][]> {
  return folderView(rep)
    .getByRole('table')
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (c) => c.innerText.trim()).slice(0, 3)));
}
/** Waits until the listing shows the folder `path` (the path line) with `name` in it. */
async function showsFolder(rep: Page, path: string, name: string): Promise<void> {
  await expectText(folderView(rep).locator('p.mono'), new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  await folderView(rep).getByRole('cell', { name, exact: true }).or(folderView(rep).getByRole('button', { name: `Open ${name}`, exact: true })).first().waitFor();
}

/** The rep asks for folder access on the Tools tab and the customer accepts (the picker answers with OPFS). */
async function shareFolder(rep: Page, customer: Page): Promise<void> {
  await rep.getByRole('tab', { name: 'Tools', exact: true }).click();
  await rep.getByRole('button', { name: 'Request folder access', exact: true }).click();
  const prompt = customer.getByRole('alertdialog', { name: /wants to browse a folder of yours/ });
  await prompt.getByRole('button', { name: 'Accept', exact: true }).click();
  await customer.getByText('can browse the folder', { exact: false }).waitFor();
  await folderView(rep).getByRole('table').waitFor();
}

/** Clicks "Download <name>" on the rep's page and compares the saved file with the customer's original. */
async function downloadAndCompare(rep: Page, name: string, original: Seeded): Promise<Download> {
  const [download] = await Promise.all([rep.waitForEvent('download'), folderView(rep).getByRole('button', { name: `Download ${name}`, exact: true }).click()]);
  assert.equal(await download.failure(), null, `download of ${name} failed`);
  assert.equal(download.suggestedFilename(), name);
  const bytes = fs.readFileSync(await download.path());
  assert.equal(bytes.length, original.size, `${name}: size`);
  assert.equal(sha256(bytes), original.sha256, `${name}: SHA-256 equals the customer's original`);
  await folderView(rep).getByText(`${name}: done`, { exact: true }).waitFor();
  return download;
}

/** The rep uploads into the folder shown; the customer answers the write prompt. */
async function upload(rep: Page, customer: Page, name: string, bytes: Buffer, answer: 'Allow' | 'Deny', opts: { a11y?: string } = {}): Promise<void> {
  await folderView(rep).getByLabel('Upload to this folder').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: bytes });
  await folderView(rep).getByText(`Waiting for the customer to allow saving ${name}…`).waitFor();
  const ask = customer.getByRole('alertdialog', { name: new RegExp(`Administrator wants to save “${name.replace('.', '\\.')}” \\(.+\\) in your folder\\.`) });
  await ask.waitFor();
  if (opts.a11y) await checkA11y(customer, opts.a11y);
  await ask.getByRole('button', { name: answer, exact: true }).click();
  await ask.waitFor({ state: 'hidden' });
}

/** Random bytes as a person's file. */
const randomFile = (n: number) => crypto.randomBytes(n);

// ------------------------------------------------------------------ over a data channel

let rep: Person;
let customer: Person;
let files: Record<string, Seeded> = {};

test('browse the customer’s folder: names, sizes and dates, open a subfolder and go up; axe on the rep’s folder view', TEST, async () => {
  const started = await repStarts();
  rep = started.rep;
  customer = await customerJoins(rep.page, started.number, 'Carla Customer', { picker: true });
  files = await seed(
    customer.page,
    [
      { path: 'invoice.pdf', size: 300_000 },
      { path: 'notes.txt', size: 1234 },
      { path: 'empty.txt', size: 0 },
      { path: 'big.bin', size: BIG },
      { path: 'logs/app.log', size: 5000 },
    ],
    ['logs/old', 'Photos'],
  );
  await shareFolder(rep.page, customer.page);
  await expectText(folderView(rep.page).getByRole('status').first(), 'Connected directly. · Carla Customer');
  await showsFolder(rep.page, '/', 'invoice.pdf');

  // Dates as the rep's browser writes them.
  const date = (ms: number) => rep.page.evaluate((ms) => new Date(ms).toLocaleString(), ms);
  assert.deepEqual(await rows(rep.page), [
    ['logs/', '', ''],
    ['Photos/', '', ''],
    ['big.bin', '20 MB', await date(files['big.bin']!.lastModified)],
    ['empty.txt', '0 B', await date(files['empty.txt']!.lastModified)],
    ['invoice.pdf', '293 KB', await date(files['invoice.pdf']!.lastModified)],
    ['notes.txt', '1.2 KB', await date(files['notes.txt']!.lastModified)],
  ]);
  // A folder has no Download button; Up is not offered at the top.
  assert.equal(await folderView(rep.page).getByRole('button', { name: 'Download logs', exact: true }).count(), 0);
  assert.equal(await folderView(rep.page).getByRole('button', { name: 'Up one folder', exact: true }).count(), 0);
  await checkA11y(rep.page, 'console: the customer’s folder');

  await folderView(rep.page).getByRole('button', { name: 'Open logs', exact: true }).click();
  await showsFolder(rep.page, '/logs', 'app.log');
  assert.deepEqual(await rows(rep.page), [
    ['old/', '', ''],
    ['app.log', '4.9 KB', await date(files['logs/app.log']!.lastModified)],
  ]);
  await folderView(rep.page).getByRole('button', { name: 'Open old', exact: true }).click();
  await folderView(rep.page).getByText('This folder is empty.').waitFor();
  await expectText(folderView(rep.page).locator('p.mono'), /^\/logs\/old$/);
  await folderView(rep.page).getByRole('button', { name: 'Up one folder', exact: true }).click();
  await showsFolder(rep.page, '/logs', 'app.log');
  await folderView(rep.page).getByRole('button', { name: 'Up one folder', exact: true }).click();
  await showsFolder(rep.page, '/', 'invoice.pdf');
  assertNoPageErrors(rep, customer);
});

test('download from the customer’s folder: the saved bytes equal the original by SHA-256', TEST, async () => {
  await downloadAndCompare(rep.page, 'invoice.pdf', files['invoice.pdf']!);
  await downloadAndCompare(rep.page, 'empty.txt', files['empty.txt']!);
  await folderView(rep.page).getByRole('button', { name: 'Open logs', exact: true }).click();
  await showsFolder(rep.page, '/logs', 'app.log');
  await downloadAndCompare(rep.page, 'app.log', files['logs/app.log']!);
  // The customer saw what was sent.
  await customer.page.getByText('invoice.pdf: done', { exact: true }).waitFor();
  await customer.page.getByText('app.log: done', { exact: true }).waitFor();
  assertNoPageErrors(rep, customer);
});

test('upload into the customer’s folder after they click Allow (axe on the write prompt); Deny: the rep sees the refusal, nothing is written', TEST, async () => {
  // Into the subfolder shown (logs).
  const fix = randomFile(200_000);
  await upload(rep.page, customer.page, 'fix.reg', fix, 'Allow', { a11y: 'customer: the write prompt' });
  await folderView(rep.page).getByText('fix.reg: done', { exact: true }).waitFor();
  await customer.page.getByText('fix.reg: done', { exact: true }).waitFor();
  assert.equal(await opfsSha(customer.page, 'logs/fix.reg'), sha256(fix), 'the bytes in the customer’s folder equal the upload');
  // The listing is reloaded with the new file.
  await folderView(rep.page).getByRole('cell', { name: 'fix.reg', exact: true }).waitFor();

  await upload(rep.page, customer.page, 'evil.bin', randomFile(100_000), 'Deny');
  await folderView(rep.page).getByText('evil.bin: The customer did not allow saving this file.', { exact: true }).waitFor();
  assert.deepEqual(await opfsNames(customer.page, 'logs'), ['app.log', 'fix.reg', 'old']);
  assert.equal(await opfsSha(customer.page, 'evil.bin'), null);
  await checkA11y(rep.page, 'console: the customer’s folder after transfers, one refused');
  await folderView(rep.page).getByRole('button', { name: 'Up one folder', exact: true }).click();
  await showsFolder(rep.page, '/', 'big.bin');
  assertNoPageErrors(rep, customer);
});

/**
 * Runs `fn` with the customer's computer slowed down (CPU ×4 for their page),
 * so that a 20 MB transfer lasts long enough to be seen and stopped however
 * fast the machine running the test is.
 */
async function withSlowCustomer(fn: () => Promise<void>): Promise<void> {
  const cdp = await customer.context.newCDPSession(customer.page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  try {
    await fn();
  } finally {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 }).catch(() => undefined);
    await cdp.detach().catch(() => undefined);
  }
}

test('a large download shows progress on both sides and arrives intact', TEST, () => withSlowCustomer(largeDownload));

async function largeDownload(): Promise<void> {
  const repBar = folderView(rep.page).getByRole('progressbar', { name: 'Downloading big.bin', exact: true });
  const customerBar = customer.page.getByRole('progressbar', { name: 'Sending big.bin to the rep', exact: true });
  const seen = { rep: false, customer: false };
  const [download] = await Promise.all([
    rep.page.waitForEvent('download', { timeout: 45_000 }),
    folderView(rep.page).getByRole('button', { name: 'Download big.bin', exact: true }).click(),
    // Both bars show while the bytes move (one poll each, until the download is there).
    until('progress bars on both sides', async () => {
      seen.rep ||= await repBar.isVisible();
      seen.customer ||= await customerBar.isVisible();
      return seen.rep && seen.customer;
    }),
  ]);
  assert.equal(await download.failure(), null);
  assert.equal(sha256(fs.readFileSync(await download.path())), files['big.bin']!.sha256);
  await folderView(rep.page).getByText('big.bin: done', { exact: true }).waitFor();
  await repBar.waitFor({ state: 'hidden' });
  assertNoPageErrors(rep, customer);
}

test('the customer clicks Stop folder access mid-transfer: the rep’s transfer ends at once and the folder view goes away', TEST, async () => {
  // The customer's computer is slowed down, so the 20 MB are still on their way when Stop is clicked.
  await withSlowCustomer(stopMidTransfer);
  assertNoPageErrors(rep, customer);
  await rep.context.close();
  await customer.context.close();
});

async function stopMidTransfer(): Promise<void> {
  let downloads = 0;
  rep.page.on('download', () => (downloads += 1));
  const repBar = folderView(rep.page).getByRole('progressbar', { name: 'Downloading big.bin', exact: true });
  await folderView(rep.page).getByRole('button', { name: 'Download big.bin', exact: true }).click();
  const atStop = await until('the download to be under way', async () => {
    const v = Number(await repBar.getAttribute('value', { timeout: 1000 }));
    return v > 0 ? v : undefined;
  });
  const t0 = Date.now();
  await customer.page.getByRole('button', { name: 'Stop folder access', exact: true }).click();
  await folderView(rep.page).waitFor({ state: 'detached', timeout: 5000 });
  const ended = Date.now() - t0;
  assert.ok(atStop < BIG, 'the transfer was under way when Stop was clicked');
  assert.ok(ended < 3000, `the rep's folder view went away ${ended} ms after Stop`);
  // The rep can ask again; the connection for the folder is gone on both pages; nothing was saved.
  await rep.page.getByRole('button', { name: 'Request folder access', exact: true }).waitFor();
  await customer.page.getByRole('button', { name: 'Stop folder access', exact: true }).waitFor({ state: 'detached' });
  const links = (p: Page) => p.evaluate(() => (window as unknown as { __rsMedia?: { peerConnections(): unknown[] } }).__rsMedia?.peerConnections().length ?? -1);
  await until('no folder connection on the rep’s page', async () => (await links(rep.page)) === 0);
  await until('no folder connection on the customer’s page', async () => (await links(customer.page)) === 0);
  assert.equal(downloads, 0, 'the stopped download was not saved');
  console.log(`# stop: the rep's folder view went away ${ended} ms after the customer's Stop (at ${(atStop / 2 ** 20).toFixed(1)} of 20 MiB)`);
}

// ------------------------------------------------------------------ through the server

test('through the server (relay forced on the rep’s page): the status says so; browse, download, upload with Allow and Deny', TEST, async () => {
  const started = await repStarts({ relay: true });
  const r = started.rep;
  const c = await customerJoins(r.page, started.number, 'Rolf Relay', { picker: true });
  const seeded = await seed(
    c.page,
    [
      { path: 'report.pdf', size: 500_000 },
      { path: 'Documents/letter.txt', size: 70_000 },
    ],
    [],
  );
  await shareFolder(r.page, c.page);
  await expectText(folderView(r.page).getByRole('status').first(), 'Connected through the server (no direct connection was possible). · Rolf Relay');
  await showsFolder(r.page, '/', 'report.pdf');
  const date = (ms: number) => r.page.evaluate((ms) => new Date(ms).toLocaleString(), ms);
  assert.deepEqual(await rows(r.page), [
    ['Documents/', '', ''],
    ['report.pdf', '488 KB', await date(seeded['report.pdf']!.lastModified)],
  ]);
  await downloadAndCompare(r.page, 'report.pdf', seeded['report.pdf']!);
  await folderView(r.page).getByRole('button', { name: 'Open Documents', exact: true }).click();
  await showsFolder(r.page, '/Documents', 'letter.txt');
  await downloadAndCompare(r.page, 'letter.txt', seeded['Documents/letter.txt']!);

  const up = randomFile(150_000);
  await upload(r.page, c.page, 'update.msi', up, 'Allow');
  await folderView(r.page).getByText('update.msi: done', { exact: true }).waitFor();
  assert.equal(await opfsSha(c.page, 'Documents/update.msi'), sha256(up));
  await upload(r.page, c.page, 'nope.exe', randomFile(10_000), 'Deny');
  await folderView(r.page).getByText('nope.exe: The customer did not allow saving this file.', { exact: true }).waitFor();
  assert.deepEqual(await opfsNames(c.page, 'Documents'), ['letter.txt', 'update.msi']);

  // The rep stops an upload midway: the customer's side stops too and leaves no partial or empty file.
  await upload(r.page, c.page, 'big.iso', randomFile(8 * 1024 * 1024), 'Allow');
  const bar = folderView(r.page).getByRole('progressbar', { name: 'Uploading big.iso', exact: true });
  await until('the upload to be under way', async () => Number(await bar.getAttribute('value', { timeout: 1000 })) > 0);
  const job = folderView(r.page).locator('.transfer').filter({ has: r.page.getByRole('progressbar', { name: 'Uploading big.iso', exact: true }) });
  await job.getByRole('button', { name: 'Stop', exact: true }).click();
  await folderView(r.page).getByText('big.iso: Stopped.', { exact: true }).waitFor();
  await c.page.getByText('big.iso: The other side stopped the transfer.', { exact: true }).waitFor();
  await until('no big.iso in the customer’s folder', async () => !(await opfsNames(c.page, 'Documents')).includes('big.iso'));
  assert.deepEqual(await opfsNames(c.page, 'Documents'), ['letter.txt', 'update.msi']);

  await folderView(r.page).getByRole('button', { name: 'Up one folder', exact: true }).click();
  await showsFolder(r.page, '/', 'report.pdf');
  // The status still says the server carries it (no switch to a data channel midway).
  await expectText(folderView(r.page).getByRole('status').first(), 'Connected through the server');
  await checkA11y(r.page, 'console: the customer’s folder through the server');

  // The rep stops the access: both sides' views go.
  await folderView(r.page).getByRole('button', { name: 'Stop folder access', exact: true }).click();
  await folderView(r.page).waitFor({ state: 'detached' });
  await c.page.getByRole('button', { name: 'Stop folder access', exact: true }).waitFor({ state: 'detached' });
  assertNoPageErrors(r, c);
  await r.context.close();
  await c.context.close();
});

test('through the server: a folder of 3 000 files with long names is listed whole (in pages), in order', TEST, async () => {
  const started = await repStarts({ relay: true });
  const r = started.rep;
  const c = await customerJoins(r.page, started.number, 'Mona Many', { picker: true });
  const N = 3000;
  // About 150 bytes of JSON per entry: some 450 KB in all, far more than one relayed message may carry.
  const names = await c.page.evaluate(async (n) => {
    const root = await navigator.storage.getDirectory();
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = `${String(i).padStart(4, '0')} – Präsentation über Größenänderungen, Entwurf für die Überprüfung ${'x'.repeat(20)}.pptx`;
      await root.getFileHandle(name, { create: true });
      out.push(name);
    }
    return out;
  }, N);
  await shareFolder(r.page, c.page);
  await expectText(folderView(r.page).getByRole('status').first(), 'Connected through the server');
  await showsFolder(r.page, '/', names[N - 1]!);
  const shown = await rows(r.page);
  assert.equal(shown.length, N, 'every file is listed');
  assert.deepEqual(
    shown.map((row) => row[0]),
    names,
    'in order, none twice',
  );
  assert.deepEqual(shown[0]!.slice(0, 2), [names[0], '0 B']);
  // The listing works like any other: the last file downloads.
  await downloadAndCompare(r.page, names[N - 1]!, { size: 0, lastModified: 0, sha256: sha256(new Uint8Array(0)) });
  assertNoPageErrors(r, c);
  await r.context.close();
  await c.context.close();
});

// ------------------------------------------------------------------ without the API

test('a customer browser without folder access: the request is declined and the rep is pointed to Support Manager', TEST, async () => {
  const started = await repStarts();
  const r = started.rep;
  const c = await customerJoins(r.page, started.number, 'Nora Noapi', { picker: false });
  assert.equal(await c.page.evaluate(() => typeof (window as unknown as { showDirectoryPicker?: unknown }).showDirectoryPicker), 'undefined');
  await r.page.getByRole('tab', { name: 'Tools', exact: true }).click();
  await r.page.getByRole('button', { name: 'Request folder access', exact: true }).click();
  await r.page.getByText('Use Browse with Support Manager instead', { exact: false }).waitFor();
  await c.page.getByText('This browser cannot share a folder, so the request was declined.', { exact: false }).waitFor();
  assert.equal(await folderView(r.page).count(), 0);
  // The rep may ask again (nothing is pending).
  await until('Request folder access enabled again', () => r.page.getByRole('button', { name: 'Request folder access', exact: true }).isEnabled());
  await checkA11y(r.page, 'console: folder access unsupported');
  assertNoPageErrors(r, c);
  await r.context.close();
  await c.context.close();
});
