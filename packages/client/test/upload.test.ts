/**
 * FT-1 uploadFile against an in-memory stand-in for the server's file routes:
 * retries after a dropped connection are reported, Stop ends an upload at
 * once even while it waits to retry, and the chunk SHA-256 and the
 * chunk-list hash are what the server checks. (apps/server/test/files.test.ts runs it
 * against the real server; test/e2e/files.e2e.test.ts in the browser.)
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import { RsError, type UploadInfo } from '@rs/protocol';
import { chunkListSha256, uploadFile, type ApiClient } from '../src/index.js';

const CHUNK = 1024;
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
/** The chunk-list hash as the protocol defines it (CompleteUploadBody), computed independently with node:crypto. */
const chunkList = (b: Uint8Array, chunk = CHUNK) => {
  const list = crypto.createHash('sha256');
  for (let at = 0; at < b.length; at += chunk) list.update(crypto.createHash('sha256').update(b.subarray(at, at + chunk)).digest());
  return list.digest('hex');
};

/**
 * The file routes in memory; `dropPuts` PUTs fail as a dropped connection
 * would; a PUT at another offset than the server has is refused with 409, as
 * the server does; `beforeStore` may hold a PUT before it is stored.
 */
function fakeServer(size: number, opts: { dropPuts?: number; stored?: Uint8Array; beforeStore?: (offset: number) => Promise<void> } = {}) {
  let stored = opts.stored ?? new Uint8Array(0);
  let drops = opts.dropPuts ?? 0;
  const calls: string[] = [];
  let completedWith: string | null = null;
  const info = (): UploadInfo => ({ fileId: 'f1', name: 'a.bin', size, receivedBytes: stored.length, chunkBytes: CHUNK, state: completedWith ? 'ready' : 'uploading' });
  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> => {
    calls.push(`${method} ${path}`);
    if (method === 'POST' && path.endsWith('/files')) return info();
    if (method === 'PUT') {
      if (drops > 0) {
        drops--;
        throw new RsError('RS_ERR_DISCONNECTED', 'The server cannot be reached.');
      }
      const chunk = body as Uint8Array;
      assert.equal(headers['x-chunk-sha256'], sha(chunk), 'the chunk carries its SHA-256');
      const offset = Number(/offset=(\d+)/.exec(path)![1]);
      await opts.beforeStore?.(offset);
      if (offset !== stored.length) throw new RsError('RS_ERR_CONFLICT', `The upload continues at byte ${stored.length}.`);
      stored = new Uint8Array([...stored, ...chunk]);
      return info();
    }
    if (method === 'POST' && path.endsWith('/complete')) {
      completedWith = (body as { chunkListSha256: string }).chunkListSha256;
      return info();
    }
    if (method === 'GET') return info();
    throw new Error(`unexpected ${method} ${path}`);
  };
  const api = {
    request,
    post: (path: string, body: unknown) => request('POST', path, body),
    get: (path: string) => request('GET', path),
  } as unknown as ApiClient;
  return { api, calls, stored: () => stored, completedWith: () => completedWith };
}

const fileOf = (bytes: Uint8Array) => new File([bytes as Uint8Array<ArrayBuffer>], 'a.bin', { lastModified: 1 });

describe('uploadFile (FT-1)', () => {
  test('sends the chunks with their SHA-256 and completes with the chunk-list hash', async () => {
    const bytes = crypto.randomBytes(3 * CHUNK + 10);
    const server = fakeServer(bytes.length);
    const info = await uploadFile({ api: server.api, sessionId: 's1', file: fileOf(bytes), direction: 'to_customers' });
    assert.equal(info.state, 'ready');
    assert.deepEqual(Buffer.from(server.stored()), bytes);
    assert.equal(server.completedWith(), chunkList(bytes));
    assert.deepEqual(
      server.calls.filter((c) => c.startsWith('PUT')),
      [0, 1, 2, 3].map((i) => `PUT /api/sessions/s1/files/f1/content?offset=${i * CHUNK}`),
      'one PUT per chunk, in order',
    );
  });

  test('the chunk-list hash: SHA-256 over the raw chunk digests; an empty file has none', async () => {
    assert.equal(await chunkListSha256([]), sha(new Uint8Array(0)));
    const a = crypto.randomBytes(CHUNK);
    const b = crypto.randomBytes(7);
    const digests = [a, b].map((x) => new Uint8Array(crypto.createHash('sha256').update(x).digest()));
    assert.equal(await chunkListSha256(digests), sha(Buffer.concat(digests)));
    assert.equal(await chunkListSha256(digests), chunkList(Buffer.concat([a, b])));
    // It is not the whole file's SHA-256.
    assert.notEqual(chunkList(Buffer.concat([a, b])), sha(Buffer.concat([a, b])));
    const empty = fakeServer(0);
    const info = await uploadFile({ api: empty.api, sessionId: 's1', file: fileOf(new Uint8Array(0)), direction: 'to_customers' });
    assert.equal(info.state, 'ready');
    assert.equal(empty.completedWith(), sha(new Uint8Array(0)));
    assert.equal(empty.calls.filter((c) => c.startsWith('PUT')).length, 0);
  });

  test('a resumed upload sends only what the server lacks and still hashes every chunk into the list', async () => {
    const bytes = crypto.randomBytes(3 * CHUNK + 10);
    // The server has the first two chunks already (a reload), or stopped inside a chunk (another client's chunk size).
    for (const has of [2 * CHUNK, CHUNK + 100]) {
      const server = fakeServer(bytes.length, { stored: bytes.subarray(0, has) });
      const sent: number[] = [];
      const info = await uploadFile({ api: server.api, sessionId: 's1', file: fileOf(bytes), direction: 'to_customers', onProgress: (p) => sent.push(p.sent) });
      assert.equal(info.state, 'ready');
      assert.equal(sent[0], has, 'progress starts at what the server had');
      assert.deepEqual(Buffer.from(server.stored()), bytes);
      assert.equal(server.completedWith(), chunkList(bytes));
      // The PUTs go back on the chunk grid at once.
      const offsets = server.calls.filter((c) => c.startsWith('PUT')).map((c) => Number(/offset=(\d+)/.exec(c)![1]));
      assert.deepEqual(offsets, has === 2 * CHUNK ? [2 * CHUNK, 3 * CHUNK] : [CHUNK + 100, 2 * CHUNK, 3 * CHUNK]);
    }
  });

  test('a dropped connection is retried with growing waits, each retry reported; every chunk is stored once', async () => {
    const bytes = crypto.randomBytes(2 * CHUNK);
    // Both chunks are on their way at once: the first drop takes both, and so does the second.
    const server = fakeServer(bytes.length, { dropPuts: 4 });
    const retries: number[] = [];
    const waits: number[] = [];
    const info = await uploadFile({
      api: server.api,
      sessionId: 's1',
      file: fileOf(bytes),
      direction: 'to_customers',
      onRetry: (r) => retries.push(r.attempt),
      sleep: async (ms) => void waits.push(ms),
    });
    assert.equal(info.state, 'ready');
    assert.deepEqual(retries, [1, 2]);
    assert.deepEqual(waits, [250, 500]);
    assert.deepEqual(Buffer.from(server.stored()), bytes);
    assert.equal(server.completedWith(), chunkList(bytes));
  });

  test('two chunks on their way: one that reaches the server before the chunk ahead of it and is refused is sent again after it', async () => {
    const bytes = crypto.randomBytes(3 * CHUNK + 5);
    // The first chunk is slow to arrive; the second, already on its way, is refused meanwhile (409).
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    const server = fakeServer(bytes.length, {
      beforeStore: async (offset) => {
        if (offset === 0) await firstHeld;
        else if (offset === CHUNK) releaseFirst();
      },
    });
    const sent: number[] = [];
    const info = await uploadFile({ api: server.api, sessionId: 's1', file: fileOf(bytes), direction: 'to_customers', onProgress: (p) => sent.push(p.sent) });
    assert.equal(info.state, 'ready');
    assert.deepEqual(Buffer.from(server.stored()), bytes, 'every chunk stored once, in order');
    assert.equal(server.completedWith(), chunkList(bytes));
    const puts = server.calls.filter((c) => c.startsWith('PUT')).map((c) => Number(/offset=(\d+)/.exec(c)![1]));
    assert.deepEqual(puts.slice(0, 2), [0, CHUNK], 'the second chunk went before the first was answered');
    assert.deepEqual(puts.slice(2), [CHUNK, 2 * CHUNK, 3 * CHUNK], 'the refused chunk again, then the rest');
    assert.deepEqual(sent, [0, CHUNK, 2 * CHUNK, 3 * CHUNK, bytes.length], 'progress only for what the server stored');
  });

  test('Stop ends the upload at once while it waits to retry, not after the last retry', async () => {
    const bytes = crypto.randomBytes(2 * CHUNK);
    const server = fakeServer(bytes.length, { dropPuts: 100 });
    const abort = new AbortController();
    let putsAtStop = -1;
    // The wait never ends by itself: only the stop can end it.
    const upload = uploadFile({
      api: server.api,
      sessionId: 's1',
      file: fileOf(bytes),
      direction: 'to_customers',
      signal: abort.signal,
      onRetry: () => {
        putsAtStop = server.calls.filter((c) => c.startsWith('PUT')).length;
        abort.abort();
      },
      sleep: () => new Promise<void>(() => undefined),
    });
    await assert.rejects(upload, (e: RsError) => e.code === 'RS_ERR_INVALID_STATE' && /stopped/.test(e.message));
    assert.ok(putsAtStop > 0);
    assert.equal(server.calls.filter((c) => c.startsWith('PUT')).length, putsAtStop, 'no further try after the stop');
    assert.equal(server.completedWith(), null);
  });
});
