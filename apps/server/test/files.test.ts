import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiClient, uploadFile } from '@rs/client';
import { RsError, UPLOAD_CHUNK_BYTES, type UploadInfo } from '@rs/protocol';
import { startServer, type RunningServer } from '../../../test/support/server.js';
import { createRep, signIn } from '../../../test/support/http.js';
import { sessionClient, waitForView } from '../../../test/support/ws.js';
import { sanitizeFileName } from '../src/modules/files/sanitize.js';
import { parseRange } from '../src/modules/files/routes.js';

const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
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
      assert.equal(progress.at(-1), size, 'progress reaches the whole size');
      const v = await waitForView(customer, (view) => view.files[info.fileId] !== undefined);
      assert.equal(v.files[info.fileId]?.sha256, sha(bytes), 'the customer sees the file with its checksum');
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
    // Picking the same file again (a reload) continues from the server's offset.
    const firstCall: number[] = [];
    const info = await uploadFile({ api, sessionId, file, direction: 'to_customers', onProgress: (p) => firstCall.push(p.sent) });
    assert.equal(firstCall[0], UPLOAD_CHUNK_BYTES, 'resumed after the chunk the server had');
    assert.equal(info.state, 'ready');
    rep.close();
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
    // A whole file whose bytes differ from the announced SHA-256 is refused at completion.
    await api.request('PUT', `/api/sessions/${sessionId}/files/${up.fileId}/content?offset=0`, tampered, { 'content-type': 'application/octet-stream' });
    const done = await api.post<UploadInfo>(`/api/sessions/${sessionId}/files/${up.fileId}/complete`, { sha256: sha(bytes) });
    assert.equal(done.state, 'refused');
    assert.match(done.message ?? '', /damaged/);
    rep.close();
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
