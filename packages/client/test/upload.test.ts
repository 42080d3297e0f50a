/**
 * FT-1 uploadFile against an in-memory stand-in for the server's file routes:
 * retries after a dropped connection are reported, Stop ends an upload at
 * once even while it waits to retry, and the chunk and whole-file SHA-256
 * are what the server checks. (apps/server/test/files.test.ts runs it
 * against the real server; test/e2e/files.e2e.test.ts in the browser.)
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import { RsError, type UploadInfo } from '@rs/protocol';
import { uploadFile, type ApiClient } from '../src/index.js';

const CHUNK = 1024;
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

/** The file routes in memory; `dropPuts` PUTs fail as a dropped connection would. */
function fakeServer(size: number, opts: { dropPuts?: number } = {}) {
  let stored = new Uint8Array(0);
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
      stored = new Uint8Array([...stored, ...chunk]);
      return info();
    }
    if (method === 'POST' && path.endsWith('/complete')) {
      completedWith = (body as { sha256: string }).sha256;
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
  test('sends the chunks with their SHA-256 and completes with the SHA-256 of the whole file', async () => {
    const bytes = crypto.randomBytes(3 * CHUNK + 10);
    const server = fakeServer(bytes.length);
    const info = await uploadFile({ api: server.api, sessionId: 's1', file: fileOf(bytes), direction: 'to_customers' });
    assert.equal(info.state, 'ready');
    assert.deepEqual(Buffer.from(server.stored()), bytes);
    assert.equal(server.completedWith(), sha(bytes));
  });

  test('a dropped connection is retried, each retry reported; the whole-file hash counts the chunk once', async () => {
    const bytes = crypto.randomBytes(2 * CHUNK);
    const server = fakeServer(bytes.length, { dropPuts: 2 });
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
    assert.equal(server.completedWith(), sha(bytes));
  });

  test('Stop ends the upload at once while it waits to retry, not after the last retry', async () => {
    const bytes = crypto.randomBytes(2 * CHUNK);
    const server = fakeServer(bytes.length, { dropPuts: 100 });
    const abort = new AbortController();
    // The wait never ends by itself: only the stop can end it.
    const upload = uploadFile({
      api: server.api,
      sessionId: 's1',
      file: fileOf(bytes),
      direction: 'to_customers',
      signal: abort.signal,
      onRetry: () => abort.abort(),
      sleep: () => new Promise<void>(() => undefined),
    });
    await assert.rejects(upload, (e: RsError) => e.code === 'RS_ERR_INVALID_STATE' && /stopped/.test(e.message));
    assert.equal(server.calls.filter((c) => c.startsWith('PUT')).length, 1, 'no further try after the stop');
    assert.equal(server.completedWith(), null);
  });
});
