/**
 * SM-1 downloads against a real server: the listing (GET /api/downloads) has
 * a file once it exists in DOWNLOADS_DIR, with the size and the SHA-256 of
 * exactly what GET /downloads/<file> sends as an attachment; ranges, ETag
 * revalidation, HEAD, a rebuilt file, and names outside the catalog.
 * (The real archive is built and installed in apps/support-manager/test/package.test.ts.)
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DownloadList, SUPPORT_MANAGER_LINUX_X64, SUPPORT_MANAGER_LINUX_X64_URL } from '@rs/protocol';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { assertError, raw } from './api-helpers.js';

let server: RunningServer;
let dir: string;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-downloads-'));
  server = await startServer({ env: { DOWNLOADS_DIR: dir } });
});
after(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

async function listing() {
  const res = await fetch(`${server.url}/api/downloads`);
  assert.equal(res.status, 200);
  return DownloadList.parse(await res.json());
}

async function download(headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(`${server.url}${SUPPORT_MANAGER_LINUX_X64_URL}`, { method, headers });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

/** As the packaging script does it: written beside, renamed into place. */
function publish(content: Buffer) {
  const tmp = path.join(dir, `.${SUPPORT_MANAGER_LINUX_X64}.tmp`);
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, path.join(dir, SUPPORT_MANAGER_LINUX_X64));
}

test('nothing built: the listing is empty and the download is a 404 that says so', async () => {
  assert.deepEqual((await listing()).downloads, []);
  const e = assertError(await raw(server.url, 'GET', SUPPORT_MANAGER_LINUX_X64_URL), 404, 'RS_ERR_NOT_FOUND');
  assert.match(e.message, /not been built/);
});

test('the archive: listed with size and SHA-256, sent as an attachment with those bytes', async () => {
  // Larger than the server's 1 MiB hashing buffer, not a multiple of it.
  const content = crypto.randomBytes(3 * 1024 * 1024 + 12345);
  publish(content);
  const [item, ...rest] = (await listing()).downloads;
  assert.deepEqual(rest, []);
  assert.ok(item);
  assert.deepEqual(
    { product: item.product, platform: item.platform, fileName: item.fileName, url: item.url, size: item.size, sha256: item.sha256 },
    { product: 'support-manager', platform: 'linux-x64', fileName: SUPPORT_MANAGER_LINUX_X64, url: SUPPORT_MANAGER_LINUX_X64_URL, size: content.length, sha256: sha256(content) },
  );
  assert.ok(!Number.isNaN(Date.parse(item.builtAt)));

  const { res, body } = await download();
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/gzip');
  assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="support-manager-linux-x64\.tar\.gz"/);
  assert.equal(res.headers.get('content-length'), String(content.length));
  assert.equal(res.headers.get('etag'), `"${item.sha256}"`);
  assert.equal(res.headers.get('repr-digest'), `sha-256=:${Buffer.from(item.sha256, 'hex').toString('base64')}:`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(sha256(body), item.sha256, 'the SHA-256 of the download is the listed one');

  const head = await download({}, 'HEAD');
  assert.equal(head.res.status, 200);
  assert.equal(head.res.headers.get('content-length'), String(content.length));
  assert.equal(head.body.length, 0);
});

test('a browser resumes with Range/If-Range and revalidates with If-None-Match', async () => {
  const content = crypto.randomBytes(200_000);
  publish(content);
  const etag = `"${sha256(content)}"`;

  const part = await download({ range: 'bytes=1000-', 'if-range': etag });
  assert.equal(part.res.status, 206);
  assert.equal(part.res.headers.get('content-range'), `bytes 1000-${content.length - 1}/${content.length}`);
  assert.deepEqual(part.body, content.subarray(1000));

  // The file changed since the first part: the whole new file, not a mix.
  const stale = await download({ range: 'bytes=1000-', 'if-range': `"${'0'.repeat(64)}"` });
  assert.equal(stale.res.status, 200);
  assert.equal(stale.body.length, content.length);

  assert.equal((await download({ range: `bytes=${content.length}-` })).res.status, 416);
  assert.equal((await download({ 'if-none-match': etag })).res.status, 304);
});

test('a rebuilt archive replaces the old one in the listing and the download', async () => {
  const first = crypto.randomBytes(50_000);
  publish(first);
  assert.equal((await listing()).downloads[0]?.sha256, sha256(first));
  const second = crypto.randomBytes(60_000);
  publish(second);
  const item = (await listing()).downloads[0];
  assert.deepEqual({ size: item?.size, sha256: item?.sha256 }, { size: second.length, sha256: sha256(second) });
  assert.equal(sha256((await download()).body), sha256(second));
});

test('only catalog names are served from the folder', async () => {
  fs.writeFileSync(path.join(dir, 'other.tar.gz'), 'x');
  for (const p of ['/downloads/other.tar.gz', '/downloads/..%2F..%2Fetc%2Fpasswd', `/downloads/${SUPPORT_MANAGER_LINUX_X64}.json`]) {
    assertError(await raw(server.url, 'GET', p), 404, 'RS_ERR_NOT_FOUND');
  }
});
