import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * The worker's code, plain CommonJS evaluated as a string: a `.ts` worker
 * file does not load under tsx (how the server and its tests run), and a
 * string needs no loader at all. It hashes byte ranges of stored files, read
 * back from disk (the page cache, just written), two ways:
 *
 * - a chunk being received (`begin`, `range`…, `end` → its SHA-256; `abort`);
 * - an upload's whole file (`feed` verified ranges in order from byte 0,
 *   `digest` → its SHA-256 so far, `drop`); a range out of order marks the
 *   upload's state broken, and its digest unknown.
 */
const WORKER_SOURCE = `
const crypto = require('node:crypto');
const fs = require('node:fs');
const { parentPort } = require('node:worker_threads');
const buf = Buffer.allocUnsafe(1024 * 1024);
function hashRange(path, start, end, hash) {
  const fd = fs.openSync(path, 'r');
  try {
    for (let at = start; at < end; ) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, end - at), at);
      if (n <= 0) throw new Error('short read');
      hash.update(buf.subarray(0, n));
      at += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
const chunks = new Map();
const wholes = new Map();
parentPort.on('message', (m) => {
  switch (m.op) {
    case 'begin':
      chunks.set(m.key, { path: m.path, at: m.start, hash: crypto.createHash('sha256'), failed: false });
      break;
    case 'range': {
      const c = chunks.get(m.key);
      if (!c || c.failed) break;
      try {
        if (m.start !== c.at) throw new Error('range out of order');
        hashRange(c.path, m.start, m.end, c.hash);
        c.at = m.end;
      } catch {
        c.failed = true;
      }
      break;
    }
    case 'end': {
      const c = chunks.get(m.key);
      chunks.delete(m.key);
      parentPort.postMessage({ seq: m.seq, digest: c && !c.failed && c.at === m.end ? c.hash.digest() : null });
      break;
    }
    case 'abort':
      chunks.delete(m.key);
      break;
    case 'feed': {
      let s = wholes.get(m.id);
      if (s === undefined && m.start === 0) wholes.set(m.id, (s = { hash: crypto.createHash('sha256'), offset: 0 }));
      if (!s || s.broken || s.offset !== m.start) {
        wholes.set(m.id, { broken: true });
        break;
      }
      try {
        hashRange(m.path, m.start, m.end, s.hash);
        s.offset = m.end;
      } catch {
        wholes.set(m.id, { broken: true });
      }
      break;
    }
    case 'digest': {
      const s = wholes.get(m.id);
      let sha256 = null;
      if (s && !s.broken && s.offset === m.size) sha256 = s.hash.copy().digest('hex');
      else if (!s && m.size === 0) sha256 = crypto.createHash('sha256').digest('hex');
      parentPort.postMessage({ seq: m.seq, sha256 });
      break;
    }
    case 'drop':
      wholes.delete(m.id);
      break;
  }
});
`;

/** A chunk being hashed by the worker as its blocks reach the disk. */
export interface ChunkHash {
  /** Bytes [start, end) of the chunk are on disk; they follow the ones before. */
  range(start: number, end: number): void;
  /** All of the chunk, up to `end`, is on disk: its SHA-256, or null when the worker could not hash it. */
  end(end: number): Promise<Buffer | null>;
  /** The chunk is not stored after all. */
  abort(): void;
}

/**
 * One worker thread that hashes what uploads store, off the thread that
 * serves requests: the SHA-256 of a chunk as it streams to disk (checked
 * before the chunk is acknowledged), or the SHA-256 of a whole upload, fed
 * chunk by chunk behind the uploads (published with the file, the download's
 * ETag). The bytes are read back from the page cache they were just written
 * to, a copy that costs less than hashing on the request thread. When the
 * worker cannot answer (it died, a range was missed) the answer is null and
 * the caller hashes for itself.
 */
export class HashWorker {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly pending = new Map<number, (answer: { digest?: Uint8Array | null; sha256?: string | null } | null) => void>();

  private get(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.on('message', (m: { seq: number; digest?: Uint8Array | null; sha256?: string | null }) => {
      const resolve = this.pending.get(m.seq);
      this.pending.delete(m.seq);
      if (this.pending.size === 0) worker.unref();
      resolve?.(m);
    });
    const lost = () => {
      if (this.worker !== worker) return;
      // Its state is gone with it: every open question gets "unknown", later ones start afresh.
      this.worker = null;
      for (const resolve of this.pending.values()) resolve(null);
      this.pending.clear();
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    // Idle between uploads, it must not keep a process (or a test) alive; after the listeners, since adding a
    // 'message' listener refs the worker's port again.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private ask(message: Record<string, unknown>): Promise<{ digest?: Uint8Array | null; sha256?: string | null } | null> {
    const worker = this.get();
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(seq, resolve);
      // A question keeps the process alive (like any I/O) until it is answered.
      worker.ref();
      worker.postMessage({ ...message, seq });
    });
  }

  /** Starts hashing a chunk of `file` that begins at `start`. */
  chunk(file: string, start: number): ChunkHash {
    const key = ++this.seq;
    const worker = this.get();
    worker.postMessage({ op: 'begin', key, path: file, start });
    return {
      range: (a, b) => {
        // A new worker (the old one died) knows nothing of this chunk; `end` then answers null.
        if (this.worker === worker) worker.postMessage({ op: 'range', key, start: a, end: b });
      },
      end: async (end) => {
        if (this.worker !== worker) return null;
        const answer = await this.ask({ op: 'end', key, end });
        return answer?.digest ? Buffer.from(answer.digest.buffer, answer.digest.byteOffset, answer.digest.byteLength) : null;
      },
      abort: () => {
        if (this.worker === worker) worker.postMessage({ op: 'abort', key });
      },
    };
  }

  /** Bytes [start, end) of upload `id`, stored in `file` and verified, follow those fed before. */
  feed(id: string, file: string, start: number, end: number): void {
    this.get().postMessage({ op: 'feed', id, path: file, start, end });
  }

  /** The SHA-256 of the upload's first `size` bytes, once the worker has hashed them; null when it cannot tell. */
  async digest(id: string, size: number): Promise<string | null> {
    if (!this.worker && size === 0) return crypto.createHash('sha256').digest('hex');
    return (await this.ask({ op: 'digest', id, size }))?.sha256 ?? null;
  }

  /** Forget the upload (finished or removed). */
  drop(id: string): void {
    this.worker?.postMessage({ op: 'drop', id });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    for (const resolve of this.pending.values()) resolve(null);
    this.pending.clear();
    await worker?.terminate();
  }
}
