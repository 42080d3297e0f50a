/**
 * FT-1 basic file transfer in Debian's Chromium: the rep publishes files of
 * several sizes from the console's Tools tab, the customer downloads each and
 * the bytes are compared by SHA-256; progress, an interrupted upload that
 * retries and one that resumes when the same file is picked again, the size
 * limit, files from the customer to the reps, the site switch for that, and
 * download links in the hands of someone outside the session. The tests run
 * in order on one session.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ApiClient } from '@rs/client';
import { UPLOAD_CHUNK_BYTES } from '@rs/protocol';
import type { Browser, Download, Locator, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { signIn } from '../support/http.js';
import { ADMIN, startServer, type RunningServer } from '../support/server.js';
import { assertNoPageErrors, checkA11y, expectCount, expectText, nav, person, sessionNumber, signInUI, TEST, until, type Person } from './helpers.js';

const CHUNK = UPLOAD_CHUNK_BYTES;
/** For the tests that upload and download tens of MiB through the browser on a busy machine. */
const HEAVY = { timeout: 120_000 } as const;
/** How long a large upload may take to be published. */
const PUBLISH_MS = 45_000;
/** Download links live this long on the test server, so that an expired one can be tried. */
const LINK_TTL_MS = 4000;

let server: RunningServer;
let browser: Browser;
let admin: ApiClient;
let rep: Person;
let customer: Person;
let sessionId = '';
let dir = '';
const people: Person[] = [];

/** Files on disk (as a person picks them), with their SHA-256. */
const files = new Map<string, { path: string; size: number; sha256: string; chunkListSha256: string }>();
function makeFile(name: string, bytes: Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  files.set(name, { path: p, size: bytes.length, sha256: sha256(bytes), chunkListSha256: chunkList(bytes) });
  return p;
}
const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
/** The chunk-list hash the client sends with `complete` (CompleteUploadBody): SHA-256 over the chunks' raw SHA-256 digests. */
function chunkList(b: Uint8Array): string {
  const list = crypto.createHash('sha256');
  for (let at = 0; at < b.length; at += CHUNK) list.update(crypto.createHash('sha256').update(b.subarray(at, at + CHUNK)).digest());
  return list.digest('hex');
}

/**
 * A private copy of the built web app for this run's server: a rebuild of
 * apps/web/dist (or of the build WEB_DIST names, as for the server) by
 * someone else during the run (vite empties the folder first) would
 * otherwise leave a loaded page without its script.
 */
function snapshotWebDist(into: string): string {
  const src = process.env.WEB_DIST ? path.resolve(process.env.WEB_DIST) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../apps/web/dist');
  const deadline = Date.now() + 30_000;
  for (let attempt = 0; ; attempt++) {
    const dst = path.join(into, `web-${attempt}`);
    try {
      fs.cpSync(src, dst, { recursive: true });
      const html = fs.readFileSync(path.join(dst, 'index.html'), 'utf8');
      const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
      if (assets.length > 0 && assets.every((a) => fs.existsSync(path.join(dst, a)))) return dst;
    } catch {
      // A build was writing the folder while it was copied: copy again.
    }
    fs.rmSync(dst, { recursive: true, force: true });
    assert.ok(Date.now() < deadline, `no complete build in ${src}: run npm run build`);
  }
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-files-e2e-'));
  server = await startServer({ env: { FILE_LINK_TTL_MS: String(LINK_TTL_MS), WEB_DIST: snapshotWebDist(dir) } });
  browser = await launchChromium();
  admin = (await signIn(server.url)).api;
  rep = await person(browser, { acceptDownloads: true });
  customer = await person(browser, { acceptDownloads: true });
  people.push(rep, customer);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------------------ the pages

/** The rep's "File transfer" section on the Tools tab. */
const repFiles = () => rep.page.getByRole('region', { name: 'File transfer' });
/** The customer's "Files" panel. */
const customerFiles = () => customer.page.getByRole('region', { name: 'Files', exact: true });
/** A file in a named list of a panel, by its exact name. */
const fileItem = (list: Locator, name: string) => list.getByRole('listitem').filter({ has: list.page().getByText(name, { exact: true }) });
const customerList = () => customerFiles().getByRole('list', { name: 'Files', exact: true });
const receivedList = () => repFiles().getByRole('list', { name: 'Received from customers' });
const progressOf = (name: string) => repFiles().getByRole('progressbar', { name: `Uploading ${name}` });
/** The row of a running upload (its progress bar, figures, Stop and notices). */
const transferOf = (name: string) => repFiles().locator('.transfer').filter({ has: rep.page.getByRole('progressbar', { name: `Uploading ${name}` }) });

/** Clicks "Download <name>" and compares the saved file with the original by SHA-256. */
async function downloadAndCompare(page: Page, list: Locator, name: string): Promise<Download> {
  const [download] = await Promise.all([page.waitForEvent('download'), fileItem(list, name).getByRole('button', { name: `Download ${name}`, exact: true }).click()]);
  assert.equal(await download.failure(), null, `download of ${name} failed`);
  assert.equal(download.suggestedFilename(), name);
  const saved = await download.path();
  const bytes = fs.readFileSync(saved);
  const original = files.get(name)!;
  assert.equal(bytes.length, original.size, `${name}: size of the download`);
  assert.equal(sha256(bytes), original.sha256, `${name}: SHA-256 of the download equals the original`);
  return download;
}

// ---------------------------------------------- the rep's uploads, under control of the test

/**
 * Every chunk PUT of the rep's page passes through here: the test can hold
 * the chunk at an offset until it released it, or cut the connection (the
 * context goes offline) when the chunk at an offset is sent.
 */
interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
interface Gate {
  offset: number;
  reached: Deferred;
  release: Deferred;
}
let hold: Gate | null = null;
let cutAt: { offset: number; done: Deferred } | null = null;
let offline = false;
const puts: { fileId: string; offset: number; outcome: 'sent' | 'cut' }[] = [];
/** The chunk PUTs the server answered, in the order of the answers: 200 means the chunk was stored. */
const answers: { fileId: string; offset: number; status: number }[] = [];
const answerWaiters = new Set<() => void>();
/** Resolves once the server stored the chunk of `fileId` at `offset`. */
function stored(fileId: string, offset: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!answers.some((a) => a.fileId === fileId && a.offset === offset && a.status === 200)) return;
      answerWaiters.delete(check);
      resolve();
    };
    answerWaiters.add(check);
    check();
  });
}
/** The bodies of the rep's page's `complete` requests. */
const completions: unknown[] = [];

async function routeChunks(): Promise<void> {
  rep.page.on('request', (r) => {
    if (r.method() === 'POST' && /\/files\/[^/]+\/complete$/.test(new URL(r.url()).pathname)) completions.push(r.postDataJSON());
  });
  rep.page.on('response', (r) => {
    const url = new URL(r.url());
    if (r.request().method() !== 'PUT' || !/\/files\/[^/]+\/content$/.test(url.pathname)) return;
    answers.push({ fileId: url.pathname.split('/')[5]!, offset: Number(url.searchParams.get('offset')), status: r.status() });
    for (const check of [...answerWaiters]) check();
  });
  await rep.page.route(
    (url) => /\/api\/sessions\/[^/]+\/files\/[^/]+\/content$/.test(url.pathname),
    async (route) => {
      const url = new URL(route.request().url());
      const offset = Number(url.searchParams.get('offset'));
      const fileId = url.pathname.split('/')[5]!;
      if (cutAt && cutAt.offset === offset) {
        const c = cutAt;
        cutAt = null;
        // The page has two chunks on their way: the cut comes once the one before this one was stored, so that
        // what the server has when the connection drops is known.
        if (offset > 0) await stored(fileId, offset - CHUNK);
        offline = true;
        await rep.context.setOffline(true);
        c.done.resolve();
      }
      if (offline) {
        puts.push({ fileId, offset, outcome: 'cut' });
        return route.abort('internetdisconnected');
      }
      if (hold && hold.offset === offset) {
        const h = hold;
        hold = null;
        h.reached.resolve();
        await h.release.promise;
      }
      puts.push({ fileId, offset, outcome: 'sent' });
      return route.continue();
    },
  );
}

async function reconnect(): Promise<void> {
  offline = false;
  await rep.context.setOffline(false);
}

/** Records, in the page, every value the progress bar of `name` shows (null while it has none). */
async function recordProgress(page: Page, name: string): Promise<void> {
  await page.evaluate((label) => {
    const w = window as unknown as { __progress: (string | null)[]; __progressObserver?: MutationObserver };
    w.__progressObserver?.disconnect();
    w.__progress = [];
    const seen = new WeakMap<Element, string | null | undefined>();
    // (No named functions in here: the test's compiler would wrap them in a helper the page lacks.)
    w.__progressObserver = new MutationObserver(() => {
      for (const el of Array.from(document.querySelectorAll(`progress[aria-label="${CSS.escape(label)}"]`))) {
        const v = el.getAttribute('value');
        if (seen.get(el) !== v) {
          seen.set(el, v);
          w.__progress.push(v);
        }
      }
    });
    w.__progressObserver.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
  }, `Uploading ${name}`);
}
const recordedProgress = (page: Page) => page.evaluate(() => (window as unknown as { __progress: (string | null)[] }).__progress);

// ------------------------------------------------------------------ the tests

// A failed test leaves no held chunk and no offline rep behind.
afterEach(async () => {
  cutAt = null;
  hold?.release.resolve();
  hold = null;
  if (offline) await reconnect();
});

test('a rep starts a session and a customer is admitted; both see the file panels', TEST, async () => {
  const p = rep.page;
  await signInUI(p, server.url, ADMIN.email, ADMIN.password);
  await nav(p).getByRole('link', { name: 'Start', exact: true }).click();
  await p.getByRole('button', { name: 'Start', exact: true }).click();
  await p.waitForURL(/\/console\/[^/?]+/);
  sessionId = new URL(p.url()).pathname.split('/')[2]!;
  const number = await sessionNumber(p);
  await routeChunks();

  const c = customer.page;
  await c.goto(`${server.url}/join?number=${number}`);
  await c.getByLabel('Your name').fill('Carla Customer');
  await c.getByRole('button', { name: 'Join', exact: true }).click();
  await p.getByRole('region', { name: 'Waiting to join' }).getByRole('button', { name: 'Admit' }).click();
  await c.getByRole('heading', { name: `You are in support session ${number}` }).waitFor();

  await p.getByRole('tab', { name: 'Tools', exact: true }).click();
  await repFiles().getByRole('heading', { name: 'Published files' }).waitFor();
  await repFiles().getByText('At most 2048 MB per file.', { exact: false }).waitFor();
  await customerFiles().getByText('No files yet.').waitFor();
  await customerFiles().getByLabel('Send a file').waitFor({ state: 'attached' });
});

test('files of several sizes (empty, a few bytes, several chunks) reach the customer intact; a progress bar runs meanwhile', HEAVY, async () => {
  const empty = makeFile('empty.txt', Buffer.alloc(0));
  const small = makeFile('hello.txt', Buffer.from('hello'));
  const big = makeFile('big.bin', crypto.randomBytes(3 * CHUNK + 12_345));
  // The second chunk of big.bin waits until the test has seen the progress bar at the first.
  const gate: Gate = { offset: CHUNK, reached: deferred(), release: deferred() };
  hold = gate;
  await repFiles().getByLabel('Publish files').setInputFiles([empty, small, big]);
  await gate.reached.promise;
  const bar = progressOf('big.bin');
  await bar.waitFor();
  assert.equal(await bar.getAttribute('max'), String(files.get('big.bin')!.size));
  await until('the progress bar at the first chunk', async () => (await bar.getAttribute('value')) === String(CHUNK));
  await expectText(transferOf('big.bin'), '33% of 12 MB');
  await checkA11y(rep.page, 'console Tools tab with an upload running');
  gate.release.resolve();

  for (const name of ['empty.txt', 'hello.txt', 'big.bin']) await repFiles().getByText(`${name} is published.`).waitFor({ timeout: PUBLISH_MS });
  await expectCount(progressOf('big.bin'), 0);
  const shown = { 'empty.txt': '0 B', 'hello.txt': '5 B', 'big.bin': '12 MB' };
  for (const [name, size] of Object.entries(shown)) {
    const item = fileItem(customerList(), name);
    await expectText(item, `${size} · from Administrator`);
    await downloadAndCompare(customer.page, customerList(), name);
  }
  await expectCount(customerList().getByRole('listitem'), 3);
  // The rep sees the published files as well.
  await expectCount(repFiles().getByRole('list', { name: 'Published files' }).getByRole('listitem'), 3);
  // The page finished each upload with the chunk-list hash (Web Crypto digests of the 4 MiB chunks), not the whole file's SHA-256.
  assert.deepEqual(
    completions.map((c) => JSON.stringify(c)).sort(),
    ['empty.txt', 'hello.txt', 'big.bin'].map((n) => JSON.stringify({ chunkListSha256: files.get(n)!.chunkListSha256 })).sort(),
  );
  await checkA11y(customer.page, 'customer page with files');
});

test('a cut connection during an upload: the upload says it retries, and goes on by itself once the connection is back', HEAVY, async () => {
  const cut = makeFile('cut.bin', crypto.randomBytes(3 * CHUNK));
  cutAt = { offset: CHUNK, done: deferred() };
  const from = puts.length;
  await repFiles().getByLabel('Publish files').setInputFiles(cut);
  await cutAt.done.promise;
  await expectText(transferOf('cut.bin').getByRole('status'), 'The connection was lost. Trying again…');
  assert.equal(await progressOf('cut.bin').getAttribute('value'), String(CHUNK), 'the bar stays at what the server has');
  // It keeps trying the same chunk while offline.
  await until('a second try of the cut chunk', async () => puts.slice(from).filter((x) => x.offset === CHUNK && x.outcome === 'cut').length >= 2);
  await reconnect();
  await repFiles().getByText('cut.bin is published.').waitFor({ timeout: PUBLISH_MS });
  // Stored once each, in order (a chunk that went ahead of the cut one may have been refused, 409, and sent again).
  const fileId = puts[from]!.fileId;
  assert.deepEqual(
    answers.filter((a) => a.fileId === fileId && a.status === 200).map((a) => a.offset),
    [0, 1, 2].map((i) => i * CHUNK),
    'each chunk was stored once, the cut one after the connection came back',
  );
  await downloadAndCompare(customer.page, customerList(), 'cut.bin');
});

test('a stopped upload after a cut resumes where the server stopped when the same file is picked again, and completes', HEAVY, async () => {
  const resume = makeFile('resume.bin', crypto.randomBytes(3 * CHUNK - 777));
  cutAt = { offset: 2 * CHUNK, done: deferred() };
  await repFiles().getByLabel('Publish files').setInputFiles(resume);
  await cutAt.done.promise;
  await expectText(transferOf('resume.bin').getByRole('status'), 'Trying again');
  await checkA11y(rep.page, 'console with an upload retrying');
  // Stop works while the connection is down (not only once every retry failed).
  await repFiles().getByRole('button', { name: 'Stop upload resume.bin', exact: true }).click();
  await expectText(repFiles().getByRole('status').filter({ hasText: 'resume.bin' }), 'The upload of resume.bin was stopped. Pick the same file again to continue where it stopped.');
  await expectCount(progressOf('resume.bin'), 0);
  await reconnect();

  // The same file again (as after a reload): the first value the bar shows is where the server stopped.
  await recordProgress(rep.page, 'resume.bin');
  const from = puts.length;
  await repFiles().getByLabel('Publish files').setInputFiles(resume);
  await repFiles().getByText('resume.bin is published.').waitFor({ timeout: PUBLISH_MS });
  const values = (await recordedProgress(rep.page)).filter((v): v is string => v !== null).map(Number);
  assert.ok(values.length > 0, 'the progress bar showed values');
  assert.ok(values[0]! > 0, `the first progress value after picking the file again is > 0 (saw ${values.join(', ')})`);
  assert.equal(values[0], 2 * CHUNK, 'it starts at the two chunks the server had');
  assert.deepEqual(
    puts.slice(from).map((x) => x.offset),
    [2 * CHUNK],
    'only the missing chunks were sent',
  );
  await expectCount(fileItem(customerList(), 'resume.bin'), 1);
  await downloadAndCompare(customer.page, customerList(), 'resume.bin');
});

test('a file over the size limit is refused with a clear message and never reaches the customer', TEST, async () => {
  const settings = await admin.get<Record<string, unknown>>('/api/settings');
  await admin.put('/api/settings', { ...settings, maxFileMegabytes: 1 });
  try {
    const over = makeFile('over.bin', crypto.randomBytes(2 * 1024 * 1024));
    const before = fs.readdirSync(path.join(server.dataDir, 'files')).length;
    await repFiles().getByLabel('Publish files').setInputFiles(over);
    await expectText(repFiles().getByRole('alert').filter({ hasText: 'over.bin' }), 'over.bin could not be uploaded: It is larger than the limit of 1 MB per file.');
    // The hint follows the new limit.
    await repFiles().getByText('At most 1 MB per file.', { exact: false }).waitFor();
    assert.equal(fs.readdirSync(path.join(server.dataDir, 'files')).length, before, 'nothing was stored');
    await checkA11y(rep.page, 'console with a file refused for its size');
    // A file published after it arrives; the refused one never showed.
    const after = makeFile('after.txt', Buffer.from('published after the refused one'));
    await repFiles().getByLabel('Publish files').setInputFiles(after);
    await fileItem(customerList(), 'after.txt').waitFor();
    await expectCount(customerFiles().getByText('over.bin', { exact: false }), 0);
  } finally {
    await admin.put('/api/settings', settings);
  }
});

test('a customer sends a file with "Send a file"; it arrives under "Received from customers" and downloads intact', TEST, async () => {
  const log = makeFile('printer-log.txt', Buffer.from(`error 42 at ${new Date().toISOString()}\n`.repeat(500)));
  await customerFiles().getByLabel('Send a file').setInputFiles(log);
  await customerFiles().getByText('printer-log.txt was sent.').waitFor();
  await fileItem(customerFiles().getByRole('list', { name: 'Files you sent' }), 'printer-log.txt').waitFor();
  const item = fileItem(receivedList(), 'printer-log.txt');
  await expectText(item, 'from Carla Customer');
  await downloadAndCompare(rep.page, receivedList(), 'printer-log.txt');
  // Files from customers are not among the published ones.
  await expectCount(fileItem(repFiles().getByRole('list', { name: 'Published files' }), 'printer-log.txt'), 0);
  await checkA11y(rep.page, 'console Tools tab with published and received files');
  await checkA11y(customer.page, 'customer page after sending a file');
});

test('with customer uploads turned off the customer has no "Send a file"', TEST, async () => {
  const settings = await admin.get<Record<string, unknown>>('/api/settings');
  await admin.put('/api/settings', { ...settings, customerUploads: false });
  try {
    const [policy] = await Promise.all([customer.page.waitForResponse((r) => r.url().endsWith('/file-policy')), customer.page.reload()]);
    const answer = (await policy.json()) as { customerUploads: boolean };
    assert.equal(answer.customerUploads, false);
    // The panel is back (with the files), without the control to send one.
    await fileItem(customerList(), 'big.bin').waitFor();
    await expectCount(customerFiles().getByLabel('Send a file'), 0);
    await expectCount(customer.page.getByText('Send a file'), 0);
    await checkA11y(customer.page, 'customer page without customer uploads');
  } finally {
    await admin.put('/api/settings', settings);
  }
  await Promise.all([customer.page.waitForResponse((r) => r.url().endsWith('/file-policy')), customer.page.reload()]);
  await customerFiles().getByLabel('Send a file').waitFor({ state: 'attached' });
});

test('someone outside the session with a copied link: refused once it expired or when the token is tampered with (403)', TEST, async () => {
  const [linkAnswer, download] = await Promise.all([
    customer.page.waitForResponse((r) => /\/files\/[^/]+\/link$/.test(r.url()) && r.request().method() === 'POST'),
    downloadAndCompare(customer.page, customerList(), 'hello.txt'),
  ]);
  const link = (await linkAnswer.json()) as { url: string; expiresAt: string };
  const copied = download.url();
  assert.equal(copied, `${server.url}${link.url}`);
  const token = new URL(copied).searchParams.get('token')!;
  const [expires, mac] = token.split('.') as [string, string];

  const outsider = await person(browser, { acceptDownloads: true });
  people.push(outsider);
  const o = outsider.page;
  const withToken = (t: string) => {
    const u = new URL(copied);
    u.searchParams.set('token', t);
    return u.toString();
  };
  // The outsider is not a participant: no link of their own.
  const own = await outsider.context.request.post(`${server.url}/api/sessions/${sessionId}/files/${new URL(copied).pathname.split('/')[3]}/link`, { data: {} });
  assert.equal(own.status(), 401);
  // Tampered: another MAC, or a later expiry with the same MAC.
  const flipped = mac.slice(0, -1) + (mac.endsWith('A') ? 'B' : 'A');
  for (const t of [`${expires}.${flipped}`, `${Number(expires) + 3_600_000}.${mac}`, `${expires}.`, 'x'.repeat(20)]) {
    const res = await o.goto(withToken(t));
    assert.equal(res?.status(), 403, `token ${t}`);
  }
  await expectText(o.locator('body'), 'This download link is not valid.');
  // Expired: the copied link once its time (LINK_TTL_MS on this server) has passed.
  const expiresAt = Date.parse(link.expiresAt);
  await until('the copied link to expire', async () => Date.now() > expiresAt + 50, LINK_TTL_MS + 5000);
  const res = await o.goto(copied);
  assert.equal(res?.status(), 403);
  await expectText(o.locator('body'), 'This download link has expired.');
  // The customer still downloads: each click makes a fresh link.
  await downloadAndCompare(customer.page, customerList(), 'hello.txt');
  await outsider.context.close();
  assertNoPageErrors(...people);
});
