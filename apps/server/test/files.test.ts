import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ApiClient, uploadFile } from '@rs/client';
import { RsError, UPLOAD_CHUNK_BYTES, type UploadInfo } from '@rs/protocol';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { createRep, signIn } from '../../../test/support/http.js';
import { sessionClient, waitForView } from '../../../test/support/ws.js';
import { sanitizeFileName } from '../src/modules/files/sanitize.js';
import { ChunkError, FileStorage } from '../src/modules/files/storage.js';
import type { HashWorker } from '../src/modules/files/hash-worker.js';
import { parseRange } from '../src/modules/files/routes.js';

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
/** The chunk-list hash of CompleteUploadBody, computed independently: SHA-256 over the chunks' raw SHA-256 digests. */
const chunkList = (b: Uint8Array) => {
  const list = crypto.createHash('sha256');
  for (let at = 0; at < b.length; at += UPLOAD_CHUNK_BYTES) list.update(crypto.createHash('sha256').update(b.subarray(at, at + UPLOAD_CHUNK_BYTES)).digest());
  return list.digest('hex');
};
const fileOf = (bytes: Uint8Array, name: string) => new File([bytes as Uint8Array<ArrayBuffer>], name, { lastModified: 1_700_000_000_000 });

let server: RunningServer;
let scanFlag: string;

before(async () => {
  // A scanner that flags files containing the EICAR-like marker, as clamdscan would (exit 1).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-scan-'));
  scanFlag = path.join(dir, 'scan.sh');
  fs.writeFileSync(scanFlag, '#!/bin/sh\ngrep -q "X5O-TEST-MARKER" "$1" && exit 1\nexit 0\n', { mode: 0o755 });
  server = await startServer({ env: { FILE_SCAN_COMMAND: scanFlag } });
});
after(async () => {
  await server.stop();
});

async function sessionWithCustomer() {
  const { api } = await signIn(server.url);
  const s = await api.post<{ sessionId: string; number: string; ticket: { sessionId: string; token: string; participantId: string } }>('/api/sessions', {});
  const rep = sessionClient(server.wsUrl, s.ticket).connect();
  const joined = await fetch(`${server.url}/api/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ number: s.number, name: 'Carla' }),
  });
  const ticket = (await joined.json()) as { sessionId: string; token: string; participantId: string };
  await waitForView(rep, (v) => v.participants[ticket.participantId]?.status === 'waiting');
  await rep.admit(ticket.participantId);
  const customerApi = new ApiClient(server.url, fetch, () => ({ 'x-participant-token': ticket.token }));
  return { api, sessionId: s.sessionId, rep, ticket, customerApi };
}

async function download(api: ApiClient, sessionId: string, fileId: string, range?: string) {
  const link = await api.post<{ url: string }>(`/api/sessions/${sessionId}/files/${fileId}/link`, {});
  return fetch(`${server.url}${link.url}`, range ? { headers: { range } } : {});
}

describe('FT-1 basic file transfer', () => {
  test('files of several sizes (empty, a few bytes, many chunks) publish and download intact, as attachments', async () => {
    const { api, sessionId, rep, customerApi, ticket } = await sessionWithCustomer();
    const customer = sessionClient(server.wsUrl, ticket).connect();
    for (const size of [0, 5, UPLOAD_CHUNK_BYTES * 2 + 12345]) {
      const bytes = crypto.randomBytes(size);
      const progress: number[] = [];
      const info = await uploadFile({ api, sessionId, file: fileOf(bytes, `f${size}.bin`), direction: 'to_customers', onProgress: (p) => progress.push(p.sent) });
      assert.equal(info.state, 'ready', info.message);
      assert.equal(info.sha256, sha(bytes), 'the server computed the whole file’s SHA-256');
      assert.equal(progress.at(-1), size, 'progress reaches the whole size');
      const v = await waitForView(customer, (view) => view.files[info.fileId] !== undefined);
      assert.equal(v.files[info.fileId]?.sha256, sha(bytes), 'the customer sees the file with its SHA-256');
      const res = await download(customerApi, sessionId, info.fileId);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment;/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(sha(new Uint8Array(await res.arrayBuffer())), sha(bytes), `download of ${size} bytes is intact`);
    }
    rep.close();
    customer.close();
  });

  test('downloads support HTTP ranges so a browser can resume', async () => {
    const { api, sessionId, customerApi, rep } = await sessionWithCustomer();
    const bytes = crypto.randomBytes(100_000);
    const info = await uploadFile({ api, sessionId, file: fileOf(bytes, 'r.bin'), direction: 'to_customers' });
    const part = await download(customerApi, sessionId, info.fileId, 'bytes=1000-1999');
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 1000-1999/100000');
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), new Uint8Array(bytes.subarray(1000, 2000)));
    const tail = await download(customerApi, sessionId, info.fileId, 'bytes=99000-');
    assert.equal((await tail.arrayBuffer()).byteLength, 1000);
    assert.equal((await download(customerApi, sessionId, info.fileId, 'bytes=200000-')).status, 416);
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    rep.close();
  });

  test('an interrupted upload resumes where the server stopped and completes', async () => {
    const { api, sessionId, rep } = await sessionWithCustomer();
    const bytes = crypto.randomBytes(UPLOAD_CHUNK_BYTES * 3);
    const file = fileOf(bytes, 'resume.bin');
    // The connection is cut after the first chunk: the uploader stops with an error.
    const ac = new AbortController();
    await assert.rejects(
      uploadFile({ api, sessionId, file, direction: 'to_customers', signal: ac.signal, onProgress: (p) => p.sent >= UPLOAD_CHUNK_BYTES && ac.abort() }),
      (e: RsError) => e.code === 'RS_ERR_INVALID_STATE',
    );
    // What the server has: the chunk before the stop, and the one that was on its way with it (two go at once).
    const had = await api.post<UploadInfo>(`/api/sessions/${sessionId}/files`, { name: 'resume.bin', size: bytes.length, direction: 'to_customers', lastModified: file.lastModified });
    assert.ok(had.receivedBytes >= UPLOAD_CHUNK_BYTES && had.receivedBytes < bytes.length && had.receivedBytes % UPLOAD_CHUNK_BYTES === 0, `the server stopped after whole chunks (${had.receivedBytes})`);
    // Picking the same file again (a reload) continues from the server's offset.
    const firstCall: number[] = [];
    const info = await uploadFile({ api, sessionId, file, direction: 'to_customers', onProgress: (p) => firstCall.push(p.sent) });
    assert.equal(firstCall[0], had.receivedBytes, 'resumed after the chunks the server had');
    assert.equal(info.fileId, had.fileId);
    assert.equal(info.state, 'ready');
    assert.equal(info.sha256, sha(bytes));
    rep.close();
  });

  test('a connection cut in the middle of a chunk: the partial chunk is dropped, the chunk sent again, and the file completes intact', async () => {
    const { sessionId, rep, ticket } = await sessionWithCustomer();
    const bytes = crypto.randomBytes(UPLOAD_CHUNK_BYTES * 2 + 777);
    let puts = 0;
    let cut = false;
    // The second PUT sends half its chunk, then the connection breaks.
    const cutting: typeof fetch = async (input, init) => {
      if (init?.method === 'PUT' && ++puts === 2) {
        const chunk = init.body as Uint8Array;
        const body = new ReadableStream<Uint8Array>({
          start: (c) => c.enqueue(chunk.slice(0, chunk.length >> 1)),
          pull: (c) =>
            new Promise<void>((resolve) =>
              setTimeout(() => {
                cut = true;
                c.error(new Error('connection cut'));
                resolve();
              }, 100),
            ),
        });
        return fetch(input, { ...init, body, duplex: 'half' } as RequestInit);
      }
      return fetch(input, init);
    };
    const api = new ApiClient(server.url, cutting, () => ({ 'x-participant-token': ticket.token }));
    const retries: number[] = [];
    const info = await uploadFile({ api, sessionId, file: fileOf(bytes, 'cut.bin'), direction: 'to_reps', onRetry: (r) => retries.push(r.attempt), sleep: async () => undefined });
    assert.ok(cut, 'the connection was cut');
    assert.ok(retries.length >= 1, 'the chunk was sent again');
    assert.equal(info.state, 'ready', info.message);
    assert.equal(info.sha256, sha(bytes));
    const res = await download(api, sessionId, info.fileId);
    assert.equal(sha(new Uint8Array(await res.arrayBuffer())), sha(bytes), 'the stored file is the original');
    rep.close();
  });

  test('two chunks on their way: one that reaches the server before the chunk ahead of it waits for its turn; alone, it is refused with the offset to go on from', async () => {
    const { api, sessionId, rep } = await sessionWithCustomer();
    const C = UPLOAD_CHUNK_BYTES;
    const bytes = crypto.randomBytes(2 * C + 10);
    const up = await api.post<UploadInfo>(`/api/sessions/${sessionId}/files`, { name: 'early.bin', size: bytes.length, direction: 'to_customers' });
    const putAt = (at: number) => {
      const chunk = bytes.subarray(at, at + C);
      return api.request<UploadInfo>('PUT', `/api/sessions/${sessionId}/files/${up.fileId}/content?offset=${at}`, chunk, { 'content-type': 'application/octet-stream', 'x-chunk-sha256': sha(chunk) });
    };
    // No chunk before it comes: after a grace period the early one is refused, with where the upload continues.
    await assert.rejects(putAt(C), (e: RsError) => e.code === 'RS_ERR_CONFLICT' && /continues at byte 0\b/.test(e.message));
    // The second chunk sent first, the first a moment later: both are stored, in order.
    const second = putAt(C);
    await new Promise((r) => setTimeout(r, 100));
    const first = putAt(0);
    assert.equal((await first).receivedBytes, C);
    assert.equal((await second).receivedBytes, 2 * C);
    await putAt(2 * C);
    const done = await api.post<UploadInfo>(`/api/sessions/${sessionId}/files/${up.fileId}/complete`, { chunkListSha256: chunkList(bytes) });
    assert.equal(done.state, 'ready', done.message);
    assert.equal(done.sha256, sha(bytes));
    rep.close();
  });

  test('an upload resumed after a server restart is checked by reading the stored file', async () => {
    const { api, sessionId, rep } = await sessionWithCustomer();
    const bytes = crypto.randomBytes(2 * UPLOAD_CHUNK_BYTES + 4321);
    const file = fileOf(bytes, 'restart.bin');
    const ac = new AbortController();
    await assert.rejects(
      uploadFile({ api, sessionId, file, direction: 'to_customers', signal: ac.signal, onProgress: (p) => p.sent >= UPLOAD_CHUNK_BYTES && ac.abort() }),
      (e: RsError) => e.code === 'RS_ERR_INVALID_STATE',
    );
    rep.close();
    // The process that received the first chunk is gone (and its running digests with it).
    await server.stop();
    server = await server.restart();
    const had = await api.post<UploadInfo>(`/api/sessions/${sessionId}/files`, { name: 'restart.bin', size: bytes.length, direction: 'to_customers', lastModified: file.lastModified });
    assert.ok(had.receivedBytes >= UPLOAD_CHUNK_BYTES && had.receivedBytes < bytes.length, `the server kept whole chunks (${had.receivedBytes})`);
    const first: number[] = [];
    const info = await uploadFile({ api, sessionId, file, direction: 'to_customers', onProgress: (p) => first.push(p.sent) });
    assert.equal(first[0], had.receivedBytes, 'resumed after the chunks the server had');
    assert.equal(info.state, 'ready', info.message);
    assert.equal(info.sha256, sha(bytes));
  });

  test('a tampered chunk is detected and not stored', async () => {
    const { api, sessionId, rep } = await sessionWithCustomer();
    const bytes = crypto.randomBytes(1000);
    const up = await api.post<UploadInfo>(`/api/sessions/${sessionId}/files`, { name: 't.bin', size: 1000, direction: 'to_customers' });
    const tampered = new Uint8Array(bytes);
    tampered[10] = (tampered[10]! + 1) % 256;
    await assert.rejects(
      api.request('PUT', `/api/sessions/${sessionId}/files/${up.fileId}/content?offset=0`, tampered, { 'content-type': 'application/octet-stream', 'x-chunk-sha256': sha(bytes) }),
      (e: RsError) => e.code === 'RS_ERR_VALIDATION' && /checksum/.test(e.message),
    );
    assert.equal((await api.get<UploadInfo>(`/api/sessions/${sessionId}/files/${up.fileId}`)).receivedBytes, 0, 'nothing of the bad chunk was kept');
    // A chunk sent without its SHA-256 is stored unchecked; the file's bytes differ from the uploader's, so
    // the chunk-list hash of the original does not match at completion: refused, deleted, never published.
    await api.request('PUT', `/api/sessions/${sessionId}/files/${up.fileId}/content?offset=0`, tampered, { 'content-type': 'application/octet-stream' });
    const done = await api.post<UploadInfo>(`/api/sessions/${sessionId}/files/${up.fileId}/complete`, { chunkListSha256: chunkList(bytes) });
    assert.equal(done.state, 'refused');
    assert.match(done.message ?? '', /damaged/);
    assert.equal(fs.existsSync(path.join(server.dataDir, 'files', up.fileId)), false, 'the refused file is deleted');
    await assert.rejects(api.post(`/api/sessions/${sessionId}/files/${up.fileId}/link`, {}), (e: RsError) => e.code === 'RS_ERR_NOT_FOUND');
    rep.close();
  });

  test('a wrong final hash is refused and nothing is published: not the whole-file SHA-256, not a wrong chunk list', async () => {
    const { api, sessionId, rep, ticket } = await sessionWithCustomer();
    const customer = sessionClient(server.wsUrl, ticket).connect();
    const bytes = crypto.randomBytes(UPLOAD_CHUNK_BYTES + 10);
    const wrong = [
      // The ordinary SHA-256 of the whole file is not the chunk-list hash (two chunks here).
      sha(bytes),
      // The chunk-list hash of other bytes.
      chunkList(crypto.randomBytes(bytes.length)),
    ];
    for (const [i, hash] of wrong.entries()) {
      const up = await api.post<UploadInfo>(`/api/sessions/${sessionId}/files`, { name: `wrong${i}.bin`, size: bytes.length, direction: 'to_customers' });
      for (let at = 0; at < bytes.length; at += UPLOAD_CHUNK_BYTES) {
        const chunk = bytes.subarray(at, at + UPLOAD_CHUNK_BYTES);
        await api.request('PUT', `/api/sessions/${sessionId}/files/${up.fileId}/content?offset=${at}`, chunk, { 'content-type': 'application/octet-stream', 'x-chunk-sha256': sha(chunk) });
      }
      const done = await api.post<UploadInfo>(`/api/sessions/${sessionId}/files/${up.fileId}/complete`, { chunkListSha256: hash });
      assert.equal(done.state, 'refused');
      assert.match(done.message ?? '', /damaged/);
      assert.equal(done.sha256, undefined);
      assert.equal(fs.existsSync(path.join(server.dataDir, 'files', up.fileId)), false, 'the refused file is deleted');
      await assert.rejects(api.post(`/api/sessions/${sessionId}/files/${up.fileId}/complete`, { chunkListSha256: chunkList(bytes) }), (e: RsError) => e.code === 'RS_ERR_INVALID_STATE');
    }
    await assert.rejects(
      api.post(`/api/sessions/${sessionId}/files/x/complete`, { sha256: sha(bytes) }),
      (e: RsError) => e.code === 'RS_ERR_VALIDATION',
      'the old body (sha256 of the whole file) is not accepted',
    );
    // A good upload afterwards is published; the refused ones never were.
    const ok = await uploadFile({ api, sessionId, file: fileOf(bytes, 'right.bin'), direction: 'to_customers' });
    const v = await waitForView(customer, (view) => view.files[ok.fileId] !== undefined);
    assert.deepEqual(
      Object.values(v.files).map((f) => f.name),
      ['right.bin'],
    );
    rep.close();
    customer.close();
  });

  test('an over-limit file is refused before anything is stored', async () => {
    const { api, sessionId, rep } = await sessionWithCustomer();
    const settings = await api.get<Record<string, unknown>>('/api/settings');
    await api.put('/api/settings', { ...settings, maxFileMegabytes: 1 });
    try {
      const before = fs.readdirSync(path.join(server.dataDir, 'files')).length;
      await assert.rejects(
        api.post(`/api/sessions/${sessionId}/files`, { name: 'big.iso', size: 2 * 1024 * 1024, direction: 'to_customers' }),
        (e: RsError) => e.code === 'RS_ERR_TOO_LARGE' && /1 MB/.test(e.message),
      );
      assert.equal(fs.readdirSync(path.join(server.dataDir, 'files')).length, before, 'no file was created');
    } finally {
      await api.put('/api/settings', settings);
    }
    rep.close();
  });

  test('only participants download: no link for outsiders, forged or expired tokens refused', async () => {
    const { api, sessionId, rep } = await sessionWithCustomer();
    const info = await uploadFile({ api, sessionId, file: fileOf(crypto.randomBytes(10), 'secret.txt'), direction: 'to_customers' });
    const admin = await signIn(server.url);
    const other = await createRep(server.url, admin.api);
    await assert.rejects(other.api.post(`/api/sessions/${sessionId}/files/${info.fileId}/link`, {}), (e: RsError) => e.code === 'RS_ERR_UNAUTHENTICATED');
    const outsider = new ApiClient(server.url, fetch, () => ({ 'x-participant-token': 'abc.def-not-valid' }));
    await assert.rejects(outsider.post(`/api/sessions/${sessionId}/files/${info.fileId}/link`, {}), (e: RsError) => e.code === 'RS_ERR_UNAUTHENTICATED');
    const forged = await fetch(`${server.url}/api/files/${info.fileId}/download?token=${Date.now() + 60000}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    assert.equal(forged.status, 403);
    const expired = await fetch(`${server.url}/api/files/${info.fileId}/download?token=1000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    assert.equal(expired.status, 403);
    rep.close();
  });

  test('names like ../../x, con and control characters are made safe', async () => {
    assert.equal(sanitizeFileName('../../x'), 'x');
    assert.equal(sanitizeFileName('C:\\Windows\\evil.exe'), 'evil.exe');
    assert.equal(sanitizeFileName('con'), '_con');
    assert.equal(sanitizeFileName('CON.txt'), '_CON.txt');
    assert.equal(sanitizeFileName('a\u0000b\u0007c\n.txt'), 'abc.txt');
    assert.equal(sanitizeFileName('..'), 'file');
    const { api, sessionId, rep, customerApi } = await sessionWithCustomer();
    const info = await uploadFile({ api, sessionId, file: fileOf(new Uint8Array([1, 2, 3]), '../../etc/pass\u0001wd'), direction: 'to_customers' });
    assert.equal(info.name, 'passwd');
    const res = await download(customerApi, sessionId, info.fileId);
    assert.match(res.headers.get('content-disposition') ?? '', /filename="passwd"/);
    rep.close();
  });

  test('a customer sends a file to the reps when allowed; other customers never see it', async () => {
    const { api, sessionId, rep, customerApi } = await sessionWithCustomer();
    const bytes = crypto.randomBytes(2000);
    const info = await uploadFile({ api: customerApi, sessionId, file: fileOf(bytes, 'log.txt'), direction: 'to_reps' });
    assert.equal(info.state, 'ready');
    const v = await waitForView(rep, (view) => view.files[info.fileId] !== undefined);
    assert.equal(v.files[info.fileId]?.direction, 'to_reps');
    const res = await download(api, sessionId, info.fileId);
    assert.equal(sha(new Uint8Array(await res.arrayBuffer())), sha(bytes));
    await assert.rejects(uploadFile({ api: customerApi, sessionId, file: fileOf(bytes, 'x'), direction: 'to_customers' }), (e: RsError) => e.code === 'RS_ERR_FORBIDDEN');
    const settings = await api.get<Record<string, unknown>>('/api/settings');
    await api.put('/api/settings', { ...settings, customerUploads: false });
    try {
      await assert.rejects(uploadFile({ api: customerApi, sessionId, file: fileOf(bytes, 'y'), direction: 'to_reps' }), (e: RsError) => e.code === 'RS_ERR_FORBIDDEN');
    } finally {
      await api.put('/api/settings', settings);
    }
    rep.close();
  });

  test('the scan command refuses a flagged file with a clear message', async () => {
    const { api, sessionId, rep } = await sessionWithCustomer();
    const info = await uploadFile({ api, sessionId, file: fileOf(new TextEncoder().encode('hello X5O-TEST-MARKER bye'), 'eicar.txt'), direction: 'to_customers' });
    assert.equal(info.state, 'refused');
    assert.match(info.message ?? '', /virus scanner flagged/);
    const clean = await uploadFile({ api, sessionId, file: fileOf(new TextEncoder().encode('just text'), 'ok.txt'), direction: 'to_customers' });
    assert.equal(clean.state, 'ready');
    rep.close();
  });

  test('transfer of control ends running uploads of the reps; published files stay', async () => {
    const { api, sessionId, rep, ticket } = await sessionWithCustomer();
    const admin = await signIn(server.url);
    const helper = await createRep(server.url, admin.api);
    const number = rep.view!.number;
    const assist = await helper.api.post<{ ticket: { sessionId: string; token: string; participantId: string } }>('/api/sessions/assist', { number });
    const published = await uploadFile({ api, sessionId, file: fileOf(crypto.randomBytes(10), 'kept.txt'), direction: 'to_customers' });
    const running = await api.post<UploadInfo>(`/api/sessions/${sessionId}/files`, { name: 'running.bin', size: 100, direction: 'to_customers' });
    await waitForView(rep, (v) => v.participants[assist.ticket.participantId]?.status === 'admitted');
    await rep.transferControl(assist.ticket.participantId);
    const deadline = Date.now() + 5000;
    let state = 'uploading';
    while (state === 'uploading' && Date.now() < deadline) {
      state = (await api.get<UploadInfo>(`/api/sessions/${sessionId}/files/${running.fileId}`)).state;
    }
    assert.equal(state, 'cancelled', 'the running upload ended');
    const customerApi = new ApiClient(server.url, fetch, () => ({ 'x-participant-token': ticket.token }));
    assert.equal((await download(customerApi, sessionId, published.fileId)).status, 200, 'the published file stays');
    rep.close();
  });
});

describe('FT-1 FileStorage digests (whole-file SHA-256 and chunk-list hash)', () => {
  const C = UPLOAD_CHUNK_BYTES;
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-storage-'));
    dirs.push(d);
    return d;
  };
  const storageIn = (dir: string) => {
    const storage = new FileStorage(dir);
    let fromDisk = 0;
    const read = storage.digestsFromDisk.bind(storage);
    storage.digestsFromDisk = (id) => {
      fromDisk++;
      return read(id);
    };
    return { storage, fromDisk: () => fromDisk };
  };
  const put = (s: FileStorage, id: string, bytes: Buffer, offset: number, size: number, chunkSha: string | null = sha(bytes)) =>
    s.writeChunk(id, offset, Readable.from([bytes]), { sha256: chunkSha, maxBytes: size - offset });
  const expected = (b: Buffer) => ({ sha256: sha(b), chunkListSha256: chunkList(b) });

  test('whole chunks: the running digests answer without reading the file; a bad or cut chunk does not disturb them', async () => {
    const dir = tempDir();
    const { storage, fromDisk } = storageIn(dir);
    const bytes = crypto.randomBytes(2 * C + 999);
    await storage.create('f1');
    assert.equal(await put(storage, 'f1', bytes.subarray(0, C), 0, bytes.length), C);
    // A damaged chunk is refused and cut off again.
    const bad = Buffer.from(bytes.subarray(C, 2 * C));
    bad[5] = bad[5]! ^ 1;
    await assert.rejects(put(storage, 'f1', bad, C, bytes.length, sha(bytes.subarray(C, 2 * C))), ChunkError);
    // A connection that breaks in the middle of a chunk.
    const cut = new Readable({ read() {} });
    cut.push(bytes.subarray(C, C + 1000));
    setTimeout(() => cut.destroy(new Error('aborted')), 20);
    await assert.rejects(storage.writeChunk('f1', C, cut, { sha256: sha(bytes.subarray(C, 2 * C)), maxBytes: bytes.length - C }), /aborted/);
    assert.equal(await storage.size('f1'), C, 'nothing of the bad chunks kept');
    await put(storage, 'f1', bytes.subarray(C, 2 * C), C, bytes.length);
    await put(storage, 'f1', bytes.subarray(2 * C), 2 * C, bytes.length);
    assert.deepEqual(await storage.digests('f1'), expected(bytes));
    assert.equal(fromDisk(), 0, 'no second pass over the file');
    assert.deepEqual(await storage.digestsFromDisk('f1'), expected(bytes), 'reading the file gives the same');
    // An empty file: the SHA-256 of nothing, both.
    await storage.create('empty');
    assert.deepEqual(await storage.digests('empty'), expected(Buffer.alloc(0)));
  });

  test('hashing threads that died (their state lost): chunks are still checked before they count, and the file is read for its SHA-256', async () => {
    const dir = tempDir();
    const { storage, fromDisk } = storageIn(dir);
    const workers = storage as unknown as { chunkHash: HashWorker; wholeHash: HashWorker };
    const bytes = crypto.randomBytes(C + 321);
    await storage.create('w1');
    await put(storage, 'w1', bytes.subarray(0, C), 0, bytes.length);
    // As if they had crashed: the next chunk starts a new chunk thread; the whole-file hash of w1 is gone.
    await workers.chunkHash.close();
    await workers.wholeHash.close();
    const bad = Buffer.from(bytes.subarray(C));
    bad[0] = bad[0]! ^ 1;
    await assert.rejects(put(storage, 'w1', bad, C, bytes.length, sha(bytes.subarray(C))), ChunkError, 'a damaged chunk is still refused');
    assert.equal(await storage.size('w1'), C);
    await put(storage, 'w1', bytes.subarray(C), C, bytes.length);
    assert.deepEqual(await storage.digests('w1'), expected(bytes));
    assert.equal(fromDisk(), 1, 'the whole file’s SHA-256 came from reading it');
  });

  test('after a restart, or with chunks off the 4 MiB grid, the file is read instead, with the same result', async () => {
    const dir = tempDir();
    const first = storageIn(dir);
    const bytes = crypto.randomBytes(2 * C + 5);
    await first.storage.create('r1');
    await put(first.storage, 'r1', bytes.subarray(0, C), 0, bytes.length);
    // A new process on the same folder: nothing in memory about r1.
    const second = storageIn(dir);
    await put(second.storage, 'r1', bytes.subarray(C, 2 * C), C, bytes.length);
    await put(second.storage, 'r1', bytes.subarray(2 * C), 2 * C, bytes.length);
    assert.deepEqual(await second.storage.digests('r1'), expected(bytes));
    assert.equal(second.fromDisk(), 1);
    // 1 MiB PUTs (another client): the chunk list is still over 4 MiB chunks of the file.
    await second.storage.create('g1');
    for (let at = 0; at < bytes.length; at += 1 << 20) await put(second.storage, 'g1', bytes.subarray(at, at + (1 << 20)), at, bytes.length);
    assert.deepEqual(await second.storage.digests('g1'), expected(bytes));
    assert.equal(second.fromDisk(), 2);
  });
});
