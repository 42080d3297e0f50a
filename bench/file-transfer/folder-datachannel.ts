/**
 * File-transfer benchmark, data-channel part (FT-2): in one Chromium, the
 * product's folder download of one file of FOLDER_MB MiB from the customer's
 * folder (the origin-private file system, as in the e2e tests) to the rep
 * over the WebRTC data channel, through the real UI and server, beside a bare
 * RTCDataChannel between two pages of the same browser sending the same bytes
 * in 64 KiB messages with bufferedAmountLowThreshold flow control. Both are
 * timed in the receiving page (product: click on "Download big.bin" → the
 * Blob the folder view makes; bare: "go" → Blob) and both results are checked
 * by SHA-256 against the file. Prints MiB/s of each run, the medians and
 * their ratio.
 *
 *   node --import tsx bench/file-transfer/folder-datachannel.ts                # FOLDER_MB=256, RUNS=3, WARMUP=1
 *   FOLDER_MB=4 RUNS=1 node --import tsx bench/file-transfer/folder-datachannel.ts
 *
 * Options (argv KEY=value or environment): FOLDER_MB (256), RUNS (3),
 * WARMUP (1: untimed runs before the timed ones, each way).
 * Needs the built web app (npm run build). Exits non-zero when something
 * failed (no direct connection, a download that differs from the file, a
 * timeout); a slow figure does not fail it.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../test/support/browser.js';
import { ADMIN, startServer } from '../../test/support/server.js';
import { option } from '../support/proc.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PAGE_JS = path.join(HERE, 'folder-datachannel.page.js');


const FOLDER_MB = option('FOLDER_MB', 256);
const RUNS = option('RUNS', 3);
/** Untimed runs first, each way (a fresh connection's first bulk transfer is slow: ICE still settling, cold code). */
const WARMUP = option('WARMUP', 1);
if (!Number.isInteger(FOLDER_MB) || FOLDER_MB <= 0) throw new Error(`FOLDER_MB must be a positive integer, got ${FOLDER_MB}`);
if (!Number.isInteger(RUNS) || RUNS <= 0) throw new Error(`RUNS must be a positive integer, got ${RUNS}`);
if (!Number.isInteger(WARMUP) || WARMUP < 0) throw new Error(`WARMUP must be a whole number, got ${WARMUP}`);
const SIZE = FOLDER_MB * 1024 * 1024;
/** Generous: 1 MiB/s at worst, and never under a minute. */
const TRANSFER_TIMEOUT_MS = Math.max(60_000, FOLDER_MB * 1000);
const STEP_MS = 30_000;
const FILE = 'big.bin';

const log = (line: string) => process.stderr.write(`${line}\n`);
const mibps = (bytes: number, ms: number) => bytes / 2 ** 20 / (ms / 1000);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface BenchWindow {
  __ftBench: {
    seed(name: string, mib: number): Promise<string>;
    nextBlob(timeoutMs: number): Promise<{ ms: number; size: number; sha256: string }>;
    bareOffer(): Promise<string>;
    bareAnswer(sdp: string): Promise<string>;
    bareAccept(sdp: string): Promise<void>;
    bareOpened(): Promise<void>;
    bareLoad(name: string): Promise<number>;
    bareServe(): void;
    bareReceive(size: number, timeoutMs: number): Promise<{ ms: number; size: number; sha256: string }>;
  };
}

async function newContext(browser: Awaited<ReturnType<typeof launchChromium>>, init?: () => void): Promise<BrowserContext> {
  // Downloads are refused: the bench times the Blob in the page, not writing it to disk.
  const context = await browser.newContext({ acceptDownloads: false });
  context.setDefaultTimeout(STEP_MS);
  await context.addInitScript({ path: PAGE_JS });
  if (init) await context.addInitScript(init);
  return context;
}

async function main(): Promise<void> {
  const server = await startServer();
  const browser = await launchChromium().catch(async (err: unknown) => {
    await server.stop();
    throw err;
  });
  const errors: string[] = [];
  const watch = (p: Page, who: string) => p.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
  try {
    log(`FT-2 data-channel bench: ${FOLDER_MB} MiB, ${WARMUP} warm-up + ${RUNS} run(s) each; Chromium ${browser.version()}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

    // ---- the product: a rep and a customer in a session, the customer shares their "folder" (OPFS)
    const repCtx = await newContext(browser);
    const rep = await repCtx.newPage();
    watch(rep, 'rep');
    const res = await repCtx.request.post(`${server.url}/api/auth/sign-in`, { data: { email: ADMIN.email, password: ADMIN.password } });
    assert.equal(res.status(), 200, await res.text());
    await rep.goto(`${server.url}/start`);
    await rep.getByRole('button', { name: 'Start', exact: true }).click();
    await rep.waitForURL(/\/console\//);
    const shown = rep.getByText(/^\d{3} \d{3} \d{3}$/);
    await shown.waitFor();
    const number = ((await shown.textContent()) ?? '').replace(/\s/g, '');

    const custCtx = await newContext(browser, () => {
      (window as unknown as { showDirectoryPicker: () => Promise<unknown> }).showDirectoryPicker = () => navigator.storage.getDirectory();
    });
    const cust = await custCtx.newPage();
    watch(cust, 'customer');
    await cust.goto(`${server.url}/join?number=${number}`);
    const t = Date.now();
    const sha = await cust.evaluate(([name, mib]) => (window as unknown as BenchWindow).__ftBench.seed(name, mib), [FILE, FOLDER_MB] as const);
    log(`  seeded ${FOLDER_MB} MiB in the customer's folder in ${Date.now() - t} ms`);
    await cust.getByLabel('Your name').fill('Bench Customer');
    await cust.getByRole('button', { name: 'Join', exact: true }).click();
    await rep.getByRole('button', { name: 'Admit', exact: true }).click();
    await cust.getByRole('heading', { name: `You are in support session ${number}` }).waitFor();
    await rep.getByRole('button', { name: 'Request folder access', exact: true }).click();
    await cust.getByRole('button', { name: 'Accept', exact: true }).click();
    const folder = rep.getByRole('region', { name: 'Customer’s folder' });
    const button = folder.getByRole('button', { name: `Download ${FILE}`, exact: true });
    await button.waitFor();
    const status = (await folder.getByRole('status').first().textContent()) ?? '';
    if (!status.includes('Connected directly.')) throw new Error(`the folder is not on a data channel: "${status}"`);

    const product: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const blob = rep.evaluate((ms) => (window as unknown as BenchWindow).__ftBench.nextBlob(ms), TRANSFER_TIMEOUT_MS);
      await button.click();
      const r = await blob;
      assert.equal(r.size, SIZE, 'product: size of the downloaded Blob');
      assert.equal(r.sha256, sha, 'product: SHA-256 of the downloaded Blob equals the file');
      if (i >= WARMUP) product.push(mibps(SIZE, r.ms));
      log(`  product ${i < WARMUP ? 'warm-up' : `run ${i - WARMUP + 1}`}: ${r.ms.toFixed(0)} ms, ${mibps(SIZE, r.ms).toFixed(1)} MiB/s`);
      // The job shows done before the next run (the customer's side got "done").
      await folder.getByText(`${FILE}: done`).nth(i).waitFor();
    }
    await folder.getByRole('button', { name: 'Stop folder access', exact: true }).click();
    await folder.waitFor({ state: 'detached' });

    // ---- the bare data channel: a page of the customer's origin (it reads the same file) to a page of the rep's
    const sender = await custCtx.newPage();
    const receiver = await repCtx.newPage();
    watch(sender, 'bare sender');
    watch(receiver, 'bare receiver');
    await sender.goto(`${server.url}/join`);
    await receiver.goto(`${server.url}/join`);
    const offer = await sender.evaluate(() => (window as unknown as BenchWindow).__ftBench.bareOffer());
    const answer = await receiver.evaluate((sdp) => (window as unknown as BenchWindow).__ftBench.bareAnswer(sdp), offer);
    await sender.evaluate((sdp) => (window as unknown as BenchWindow).__ftBench.bareAccept(sdp), answer);
    await receiver.evaluate(() => (window as unknown as BenchWindow).__ftBench.bareOpened());
    assert.equal(await sender.evaluate((name) => (window as unknown as BenchWindow).__ftBench.bareLoad(name), FILE), SIZE);
    await sender.evaluate(() => (window as unknown as BenchWindow).__ftBench.bareServe());
    const bare: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const r = await receiver.evaluate(([size, ms]) => (window as unknown as BenchWindow).__ftBench.bareReceive(size, ms), [SIZE, TRANSFER_TIMEOUT_MS] as const);
      assert.equal(r.size, SIZE, 'bare: size');
      assert.equal(r.sha256, sha, 'bare: SHA-256 equals the file');
      if (i >= WARMUP) bare.push(mibps(SIZE, r.ms));
      log(`  bare ${i < WARMUP ? 'warm-up' : `run ${i - WARMUP + 1}`}: ${r.ms.toFixed(0)} ms, ${mibps(SIZE, r.ms).toFixed(1)} MiB/s`);
    }
    assert.deepEqual(errors, [], 'errors in the pages');

    const p = median(product);
    const b = median(bare);
    console.log('');
    console.log(`FT-2 folder download over a data channel, ${FOLDER_MB} MiB, median of ${RUNS} after ${WARMUP} warm-up (Chromium ${browser.version()}, load ${os.loadavg()[0]!.toFixed(1)})`);
    console.log(`  product  (FolderClient/FolderHost, click → Blob, SHA-256 both ends)   ${p.toFixed(1).padStart(7)} MiB/s   runs: ${product.map((x) => x.toFixed(1)).join(', ')}`);
    console.log(`  bare     (RTCDataChannel, 64 KiB, bufferedAmountLowThreshold)         ${b.toFixed(1).padStart(7)} MiB/s   runs: ${bare.map((x) => x.toFixed(1)).join(', ')}`);
    console.log(`  ratio product / bare: ${(p / b).toFixed(2)}`);
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`folder-datachannel bench FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
