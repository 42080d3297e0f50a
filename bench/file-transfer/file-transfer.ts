/**
 * File-transfer benchmark (FT-1): one file of SIZE_MB MiB uploaded THROUGH
 * THE SERVER with the product's own client (`uploadFile` of @rs/client, the
 * code the web app runs: 4 MiB chunks, two PUTs on their way, each with
 * its SHA-256 from Web Crypto, then the chunk-list hash checked by the
 * server, which computes the whole file's SHA-256 itself and publishes it)
 * and downloaded again by a customer with a signed link; then uploaded twice
 * more by the same uploadFile with lean Node I/O around it (a node:http
 * fetch, one fs.read per chunk into reused buffers, node:crypto for the
 * chunk hashes), as the download is read with node:http: with two PUTs on
 * their way, and with one at a time. Prints MiB/s each way and the server
 * process's resident memory (VmRSS, sampled every 200 ms), then the same
 * number of bytes each way over raw TCP and a raw `ws` stream on loopback as
 * baselines, and whether ours reaches the target ratio to raw TCP.
 *
 *   node --import tsx bench/file-transfer/file-transfer.ts          # SIZE_MB=1024
 *   SIZE_MB=16 node --import tsx bench/file-transfer/file-transfer.ts
 *
 * Options come from argv (KEY=value) or the environment; see README.md.
 * Exits non-zero when something failed (an upload refused, a download that
 * differs from the original, a process that died); not when a target was missed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { ApiClient, uploadFile } from '@rs/client';
import { type UploadInfo } from '@rs/protocol';
import { signIn } from '../../test/support/http.js';
import { option, rssBytes } from '../support/proc.js';
import { startServer, type RunningServer } from '../../test/support/server.js';
import { sessionClient, waitForView } from '../../test/support/ws.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const MiB = 1024 * 1024;

// ---------------------------------------------------------------- options


const SIZE_MB = option('SIZE_MB', 1024);
/** RSS sampling period of the server process. */
const SAMPLE_MS = option('SAMPLE_MS', 200);
/** Ours / raw TCP, each way. */
const TARGET_RATIO = 0.4;
if (!Number.isInteger(SIZE_MB) || SIZE_MB <= 0) throw new Error(`SIZE_MB must be a positive integer, got ${SIZE_MB}`);
const SIZE = SIZE_MB * MiB;

// ---------------------------------------------------------------- helpers

const mibps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);
/** Resident memory in MiB. */
const rssMiB = (pid: number) => rssBytes(pid) / MiB;
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const log = (line: string) => process.stderr.write(`${line}\n`);


const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) a process used so far, in ms, from /proc/<pid>/stat. */
function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, utime 14 and stime 15 (1-based over the whole line).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** CPU ms used by this process and by `pid` while `fn` runs (a figure a busy, shared machine disturbs less than time). */
async function withCpu<T>(pid: number, fn: () => Promise<T>): Promise<{ value: T; clientCpuMs: number; serverCpuMs: number }> {
  const c0 = process.cpuUsage();
  const s0 = cpuMsOf(pid);
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, clientCpuMs: (c.user + c.system) / 1000, serverCpuMs: cpuMsOf(pid) - s0 };
}

interface Cpu {
  clientCpuMs: number;
  serverCpuMs: number;
}

interface RssFigures {
  start: number;
  peak: number;
  end: number;
  samples: number;
}

/** Samples the RSS of `pid` every SAMPLE_MS from now until stop(). */
function sampleRss(pid: number) {
  const start = rssMiB(pid);
  let peak = start;
  let samples = 1;
  const timer = setInterval(() => {
    const v = rssMiB(pid);
    samples++;
    if (v > peak) peak = v;
  }, SAMPLE_MS);
  return {
    stop(): RssFigures {
      clearInterval(timer);
      const end = rssMiB(pid);
      return { start, peak: Math.max(peak, end), end, samples: samples + 1 };
    },
  };
}

/**
 * Waits until the kernel has written dirty pages to disk (`sync`), so that a
 * timed transfer does not share the CPUs (and the disk) with the write-back
 * of the test file or of the upload before it; the transfer's own writes
 * still count, with their write-back if they cause one.
 */
function settleDisk(): void {
  execFileSync('sync');
}

/** Writes SIZE bytes of random data (a 16 MiB random block, repeated) and returns its SHA-256. */
async function makeFile(file: string): Promise<string> {
  const block = crypto.randomBytes(Math.min(16 * MiB, SIZE));
  const hash = crypto.createHash('sha256');
  const out = fs.createWriteStream(file);
  for (let written = 0; written < SIZE; ) {
    const part = block.subarray(0, Math.min(block.length, SIZE - written));
    hash.update(part);
    written += part.length;
    if (!out.write(part)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return hash.digest('hex');
}

// ---------------------------------------------------------------- ours: through the server

interface Ours {
  uploadMs: number;
  /** Until the last chunk was stored (before the server's chunk-list check and publication). */
  chunksMs: number;
  downloadMs: number;
  /** A second download, hashed on the way to compare it with the original. */
  verifiedMs: number;
  uploadRss: RssFigures;
  downloadRss: RssFigures;
  idleRss: number;
  uploadCpu: Cpu;
  downloadCpu: Cpu;
  /** The same upload again with lean Node I/O around uploadFile (leanFetch, leanFile, node:crypto): two PUTs at once (its default), then one. */
  lean: LeanUpload;
  leanOneAtATime: LeanUpload;
}

interface LeanUpload {
  ms: number;
  cpu: Cpu;
  rss: RssFigures;
}

/**
 * A fetch for uploadFile's ApiClient over node:http (keep-alive), as lean as
 * the baselines' clients: undici's fetch clones every 4 MiB body through web
 * streams, and with the garbage collection that follows costs the client
 * more CPU than the server spends on the chunk. A browser's fetch does that
 * work natively, in its network process.
 */
function leanFetch(agent: http.Agent): typeof fetch {
  return (input, init) =>
    new Promise((resolve, reject) => {
      const body = init?.body as Uint8Array | string | undefined;
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
      if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
      const req = http.request(String(input), { method: init?.method ?? 'GET', headers, agent }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
          resolve(new Response(Buffer.concat(parts), { status: res.statusCode ?? 500, headers: h }));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
}

/**
 * The file for uploadFile with `slice(a, b).arrayBuffer()` as one positional
 * read into one of a few reused buffers: Node's `fs.openAsBlob` reads a slice
 * in 64 KiB pieces and concatenates them in JS, and a fresh 4 MiB buffer per
 * chunk keeps Node's garbage collector busy (≈ 13 % of all the CPU of an
 * upload, measured with perf) — a browser's File reads natively. uploadFile
 * holds at most three chunks at once (two on their way, one read ahead);
 * five buffers leave room for a chunk read again after a failure. A buffer
 * reused too early would change bytes after they were hashed: the server
 * would refuse the chunk, or the whole file's SHA-256 would differ from the
 * original's, and the bench would fail.
 */
function leanFile(file: string, name: string): { blob: Blob & { name: string; lastModified: number }; close(): void } {
  const fd = fs.openSync(file, 'r');
  const size = fs.fstatSync(fd).size;
  const buffers: Buffer[] = [];
  let turn = 0;
  const slice = (start: number, end: number) => ({
    arrayBuffer: () =>
      new Promise<ArrayBuffer>((resolve, reject) => {
        const length = Math.max(0, Math.min(end, size) - start);
        const i = turn++ % 5;
        // uploadFile views the whole ArrayBuffer, so each buffer is exactly the slice's length (all but the last chunk: 4 MiB).
        let buf = buffers[i];
        if (buf?.length !== length) buf = buffers[i] = Buffer.allocUnsafeSlow(length);
        const own = buf;
        fs.read(fd, own, 0, length, start, (err) => (err ? reject(err) : resolve(own.buffer as ArrayBuffer)));
      }),
  });
  const blob = { size, name, lastModified: 1, slice } as unknown as Blob & { name: string; lastModified: number };
  return { blob, close: () => fs.closeSync(fd) };
}

/** A chunk's SHA-256 with node:crypto, in place (Web Crypto copies the 4 MiB first; a browser hashes natively). */
const nodeSha256 = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest();

async function throughTheServer(file: string, sha256: string): Promise<Ours> {
  const server: RunningServer = await startServer({ env: { LOG_LEVEL: 'warn' } });
  const pid = server.proc.pid!;
  try {
    const { api } = await signIn(server.url);
    const settings = await api.get<Record<string, number>>('/api/settings');
    // The file goes up three times into the same session (the lean uploads are removed once checked).
    if ((settings.maxFileMegabytes ?? 0) < SIZE_MB || (settings.maxSessionMegabytes ?? 0) < 2 * SIZE_MB) {
      await api.put('/api/settings', { ...settings, maxFileMegabytes: SIZE_MB + 1, maxSessionMegabytes: 2 * SIZE_MB + 2 });
    }
    // A session with the rep connected and a customer admitted, as in the product.
    const s = await api.post<{ sessionId: string; number: string; ticket: { sessionId: string; token: string; participantId: string } }>('/api/sessions', {});
    const rep = sessionClient(server.wsUrl, s.ticket).connect();
    const joined = await fetch(`${server.url}/api/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ number: s.number, name: 'Bench Customer' }),
    });
    if (!joined.ok) throw new Error(`join failed: ${joined.status} ${await joined.text()}`);
    const ticket = (await joined.json()) as { sessionId: string; token: string; participantId: string };
    await waitForView(rep, (v) => v.participants[ticket.participantId]?.status === 'waiting');
    await rep.admit(ticket.participantId);
    await waitForView(rep, (v) => v.participants[ticket.participantId]?.status === 'admitted');
    const customerApi = new ApiClient(server.url, fetch, () => ({ 'x-participant-token': ticket.token }));
    const idleRss = rssMiB(pid);

    // Upload: the real client over a Blob backed by the file on disk (read chunk by chunk, never whole).
    const blob = Object.assign(await fs.openAsBlob(file), { name: 'bench.bin', lastModified: fs.statSync(file).mtimeMs | 0 });
    let nextReport = 0.1;
    let chunksAt = 0;
    settleDisk();
    const upRss = sampleRss(pid);
    const t0 = performance.now();
    const up = await withCpu(pid, () => uploadFile({
      api,
      sessionId: s.sessionId,
      file: blob,
      direction: 'to_customers',
      onProgress: (p) => {
        if (p.sent === p.total) chunksAt = performance.now();
        if (p.total && p.sent / p.total >= nextReport) {
          log(`  upload ${Math.round((p.sent / p.total) * 100)}%  ${fmt(mibps(p.sent, performance.now() - t0))} MiB/s`);
          nextReport += 0.1;
        }
      },
    }));
    const info: UploadInfo = up.value;
    const uploadMs = performance.now() - t0;
    const uploadRss = upRss.stop();
    if (info.state !== 'ready') throw new Error(`upload not accepted: ${info.state} ${info.message ?? ''}`);
    // The SHA-256 the server computed of what it stored, given to the uploader and to the session, is the original's.
    if (info.sha256 !== sha256) throw new Error(`the server's SHA-256 of the upload is ${info.sha256}, expected ${sha256}`);
    await waitForView(rep, (v) => v.files[info.fileId]?.sha256 === sha256);

    // Download: the customer asks for a signed link and reads the attachment, as a browser saving it
    // would; with node:http, a client as lean as the raw baselines' (fetch costs more client CPU than the server spends).
    const linkUrl = async () => `${server.url}${(await customerApi.post<{ url: string }>(`/api/sessions/${s.sessionId}/files/${info.fileId}/link`, {})).url}`;
    const download = (url: string) =>
      new Promise<number>((resolve, reject) => {
        http
          .get(url, (res) => {
            if (res.statusCode !== 200) return reject(new Error(`download answered ${res.statusCode}`));
            let received = 0;
            res.on('data', (d: Buffer) => (received += d.length));
            res.on('end', () => resolve(received));
            res.on('error', reject);
          })
          .on('error', reject);
      });
    settleDisk();
    const downRss = sampleRss(pid);
    const t1 = performance.now();
    const down = await withCpu(pid, async () => {
      const received = await download(await linkUrl());
      if (received !== SIZE) throw new Error(`the download has ${received} bytes, not ${SIZE}`);
    });
    const downloadMs = performance.now() - t1;
    const downloadRss = downRss.stop();
    // Once more with fetch, hashing what arrives, to compare it with the original (not in the figures above).
    const hash = crypto.createHash('sha256');
    const t2 = performance.now();
    const res = await fetch(await linkUrl());
    if (res.status !== 200 || !res.body) throw new Error(`download answered ${res.status}`);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
    const verifiedMs = performance.now() - t2;
    const got = hash.digest('hex');
    if (got !== sha256) throw new Error(`the download differs from the original: SHA-256 ${got}, expected ${sha256}`);

    // The same upload with lean Node I/O around the same uploadFile (the customer sends it to the reps): two PUTs
    // on their way (uploadFile's default), then one at a time, as before, to show what the second one brings.
    const agent = new http.Agent({ keepAlive: true });
    const leanApi = new ApiClient(server.url, leanFetch(agent), () => ({ 'x-participant-token': ticket.token }));
    const leanUpload = async (name: string, inFlight: number): Promise<LeanUpload> => {
      const lean = leanFile(file, name);
      settleDisk();
      const rss = sampleRss(pid);
      const t = performance.now();
      const up = await withCpu(pid, () => uploadFile({ api: leanApi, sessionId: s.sessionId, file: lean.blob, direction: 'to_reps', sha256: nodeSha256, inFlight })).finally(() => lean.close());
      const ms = performance.now() - t;
      const r = rss.stop();
      if (up.value.state !== 'ready' || up.value.sha256 !== sha256) throw new Error(`lean upload not accepted: ${up.value.state} ${up.value.message ?? ''} ${up.value.sha256 ?? ''}`);
      // Checked: the server stored the original. Removed, so that the disk holds two copies at most.
      await leanApi.delete(`/api/sessions/${s.sessionId}/files/${up.value.fileId}`);
      return { ms, cpu: up, rss: r };
    };
    const lean = await leanUpload('bench-lean.bin', 2);
    const leanOneAtATime = await leanUpload('bench-lean-1.bin', 1);
    agent.destroy();
    rep.close();
    return {
      uploadMs,
      chunksMs: chunksAt - t0,
      downloadMs,
      verifiedMs,
      uploadRss,
      downloadRss,
      idleRss,
      uploadCpu: up,
      downloadCpu: down,
      lean,
      leanOneAtATime,
    };
  } catch (err) {
    const out = server.output().trim();
    if (out) log(`server output:\n${out.slice(-4000)}`);
    throw err;
  } finally {
    await server.stop();
    fs.rmSync(server.dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- baselines: raw TCP and raw ws

async function startRaw(): Promise<{ proc: ChildProcess; tcp: number; ws: number; stop(): Promise<void> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'raw-server.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const ports = await new Promise<{ tcp: number; ws: number }>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += String(d);
      const m = /raw listening tcp=(\d+) ws=(\d+)/.exec(out);
      if (m) resolve({ tcp: Number(m[1]), ws: Number(m[2]) });
    });
    proc.once('exit', (code) => reject(new Error(`raw server exited (${code}) before listening: ${out}`)));
  });
  return {
    proc,
    ...ports,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

const SOURCE = Buffer.alloc(MiB, 0xa5);

function header(op: 'U' | 'D', size: number): Buffer {
  const h = Buffer.alloc(9);
  h.write(op, 0, 'latin1');
  h.writeBigUInt64BE(BigInt(size), 1);
  return h;
}

/** Sends SIZE bytes to the raw TCP sink; resolves with the ms until its "ok". */
function tcpUpload(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const sock = net.connect(port, '127.0.0.1');
    sock.setNoDelay(true);
    let answer = '';
    sock.on('error', reject);
    sock.on('data', (d) => (answer += String(d)));
    sock.on('end', () => (answer === 'ok' ? resolve(performance.now() - t0) : reject(new Error(`raw tcp upload: answer "${answer}"`))));
    sock.on('connect', () => {
      sock.write(header('U', SIZE));
      let remaining = SIZE;
      const pump = () => {
        while (remaining > 0) {
          const n = Math.min(remaining, SOURCE.length);
          remaining -= n;
          if (!sock.write(n === SOURCE.length ? SOURCE : SOURCE.subarray(0, n))) {
            sock.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
}

/** Reads SIZE bytes from the raw TCP source; resolves with the ms until its end. */
function tcpDownload(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const sock = net.connect(port, '127.0.0.1');
    let received = 0;
    sock.on('error', reject);
    sock.on('connect', () => sock.write(header('D', SIZE)));
    sock.on('data', (d) => (received += d.length));
    sock.on('end', () => {
      sock.end();
      if (received === SIZE) resolve(performance.now() - t0);
      else reject(new Error(`raw tcp download: ${received} of ${SIZE} bytes`));
    });
  });
}

const WS_MESSAGE = 64 * 1024;
const WS_WINDOW = 4 * MiB;

/** Sends SIZE bytes as 64 KiB binary messages (at most 4 MiB unsent); resolves with the ms until "ok". */
function wsUpload(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/up?size=${SIZE}`, { perMessageDeflate: false });
    const message = SOURCE.subarray(0, WS_MESSAGE);
    ws.on('error', reject);
    ws.on('message', (data, isBinary) => {
      if (!isBinary && String(data) === 'ok') {
        resolve(performance.now() - t0);
        ws.close();
      }
    });
    ws.on('open', () => {
      let remaining = SIZE;
      let buffered = 0;
      const pump = () => {
        while (remaining > 0 && buffered < WS_WINDOW) {
          const n = Math.min(remaining, WS_MESSAGE);
          remaining -= n;
          buffered += n;
          ws.send(n === WS_MESSAGE ? message : message.subarray(0, n), { binary: true }, (err) => {
            if (err) return reject(err);
            buffered -= n;
            if (remaining > 0 && buffered < WS_WINDOW / 2) pump();
          });
        }
      };
      pump();
    });
  });
}

/** Reads SIZE bytes of 64 KiB binary messages; resolves with the ms until "end". */
function wsDownload(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/down?size=${SIZE}`, { perMessageDeflate: false, maxPayload: 16 * MiB });
    let received = 0;
    ws.on('error', reject);
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) received += data.length;
      else if (String(data) === 'end') {
        ws.close();
        if (received === SIZE) resolve(performance.now() - t0);
        else reject(new Error(`raw ws download: ${received} of ${SIZE} bytes`));
      }
    });
  });
}

// ---------------------------------------------------------------- FT-2: data channel (NOT IMPLEMENTED HERE)
//
// TODO(FT-2): the folder transfer of FT-2 over the WebRTC data channel
// against a bare RTCDataChannel (same size, each way, same machine), with
// its own rows in the table below. The FT-2 engineer fills this section;
// FT-1 only measures the path through the server.
interface Row {
  path: string;
  upload: number;
  download: number;
  upCpu: string;
  downCpu: string;
}
const DATA_CHANNEL_ROWS: Row[] = [];

// ---------------------------------------------------------------- run

async function main(): Promise<void> {
  const started = new Date();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-bench-files-'));
  const file = path.join(work, 'bench.bin');
  try {
    log(`file-transfer benchmark: ${SIZE_MB} MiB, RSS sampled every ${SAMPLE_MS} ms`);
    const sha256 = await makeFile(file);
    log(`test file ready (${SIZE_MB} MiB, SHA-256 ${sha256.slice(0, 16)}…)`);

    log('ours: upload with uploadFile through the server, download by signed link…');
    const ours = await throughTheServer(file, sha256);

    log('baselines: raw TCP and raw ws on loopback…');
    const raw = await startRaw();
    const timed = async (fn: (port: number) => Promise<number>, port: number) => {
      const r = await withCpu(raw.proc.pid!, () => fn(port));
      return { ms: r.value, cpu: r as Cpu };
    };
    let tcpUp, tcpDown, wsUp, wsDown;
    try {
      tcpUp = await timed(tcpUpload, raw.tcp);
      tcpDown = await timed(tcpDownload, raw.tcp);
      wsUp = await timed(wsUpload, raw.ws);
      wsDown = await timed(wsDownload, raw.ws);
    } finally {
      await raw.stop();
    }

    const cpuText = (c: Cpu) => `${fmt(c.clientCpuMs / 1000, 2)} + ${fmt(c.serverCpuMs / 1000, 2)}`;
    const rows: Row[] = [
      {
        path: 'ours: uploadFile → server; signed link → node:http',
        upload: mibps(SIZE, ours.uploadMs),
        download: mibps(SIZE, ours.downloadMs),
        upCpu: cpuText(ours.uploadCpu),
        downCpu: cpuText(ours.downloadCpu),
      },
      {
        path: 'ours, lean Node I/O: the same uploadFile over node:http, reused read buffers, node:crypto chunk hashes (2 PUTs on their way)',
        upload: mibps(SIZE, ours.lean.ms),
        download: NaN,
        upCpu: cpuText(ours.lean.cpu),
        downCpu: '',
      },
      {
        path: 'ours, lean Node I/O, one PUT at a time (inFlight: 1)',
        upload: mibps(SIZE, ours.leanOneAtATime.ms),
        download: NaN,
        upCpu: cpuText(ours.leanOneAtATime.cpu),
        downCpu: '',
      },
      { path: 'raw TCP (net, discard / send)', upload: mibps(SIZE, tcpUp.ms), download: mibps(SIZE, tcpDown.ms), upCpu: cpuText(tcpUp.cpu), downCpu: cpuText(tcpDown.cpu) },
      { path: 'raw ws (64 KiB binary messages)', upload: mibps(SIZE, wsUp.ms), download: mibps(SIZE, wsDown.ms), upCpu: cpuText(wsUp.cpu), downCpu: cpuText(wsDown.cpu) },
      ...DATA_CHANNEL_ROWS,
    ];
    const tcp = rows[3]!;
    const ratioUp = rows[0]!.upload / tcp.upload;
    const ratioLeanUp = rows[1]!.upload / tcp.upload;
    const ratioLeanOneUp = rows[2]!.upload / tcp.upload;
    const ratioDown = rows[0]!.download / tcp.download;
    const met = (r: number) => (r >= TARGET_RATIO ? 'met' : 'NOT met');

    const lines: string[] = [];
    lines.push('');
    lines.push(`File transfer, ${SIZE_MB} MiB each way, ${started.toISOString()}`);
    lines.push(`Node ${process.version}, ${os.cpus().length} CPU (${os.cpus()[0]?.model ?? '?'}), ${os.platform()} ${os.release()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    lines.push('');
    lines.push('| path | upload MiB/s | download MiB/s | upload CPU s (client + server) | download CPU s (client + server) |');
    lines.push('|---|---:|---:|---:|---:|');
    for (const r of rows) lines.push(`| ${r.path} | ${fmt(r.upload)} | ${fmt(r.download)} | ${r.upCpu} | ${r.downCpu} |`);
    lines.push(`| ratio ours / raw TCP | ${fmt(ratioUp, 2)}× (lean I/O ${fmt(ratioLeanUp, 2)}×; one PUT at a time ${fmt(ratioLeanOneUp, 2)}×) | ${fmt(ratioDown, 2)}× | | |`);
    lines.push('');
    lines.push(
      `target ≥ ${TARGET_RATIO}× raw TCP: upload ${met(ratioUp)} (${fmt(ratioUp, 2)}×; with lean Node I/O ${met(ratioLeanUp)}, ${fmt(ratioLeanUp, 2)}×), ` +
        `download ${met(ratioDown)} (${fmt(ratioDown, 2)}×)`,
    );
    lines.push(
      `upload detail: chunks stored after ${fmt(ours.chunksMs / 1000, 2)} s (${fmt(mibps(SIZE, ours.chunksMs))} MiB/s), ` +
        `published after ${fmt(ours.uploadMs / 1000, 2)} s (chunk-list hash, server's check and publication ${fmt((ours.uploadMs - ours.chunksMs) / 1000, 2)} s)`,
    );
    lines.push(
      `download detail: ${fmt(ours.downloadMs / 1000, 2)} s; a second download with fetch, hashed on the way, took ${fmt(ours.verifiedMs / 1000, 2)} s ` +
        `(${fmt(mibps(SIZE, ours.verifiedMs))} MiB/s), SHA-256 equal to the original`,
    );
    lines.push('');
    lines.push(`server RSS (VmRSS, MiB, every ${SAMPLE_MS} ms) | start | peak | end | samples`);
    lines.push(`  idle, before the upload            | ${fmt(ours.idleRss)} |  |  |`);
    const transfers = [
      ['upload', ours.uploadRss],
      ['download', ours.downloadRss],
      ['lean upload', ours.lean.rss],
      ['lean upload, 1 PUT', ours.leanOneAtATime.rss],
    ] as const;
    for (const [label, r] of transfers) {
      lines.push(`  during the ${label.padEnd(18)}    | ${fmt(r.start)} | ${fmt(r.peak)} | ${fmt(r.end)} | ${r.samples}`);
    }
    const growth = Math.max(...transfers.map(([, r]) => r.peak - r.start));
    lines.push(`  largest growth during a transfer: ${fmt(growth)} MiB for a ${SIZE_MB} MiB file (${growth < Math.max(64, SIZE_MB / 8) ? 'flat: streamed, not buffered' : 'NOT flat'})`);
    lines.push('');
    lines.push('data channel (FT-2 folder transfer vs a bare data channel): not measured yet, comes with FT-2');
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`file-transfer benchmark FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
