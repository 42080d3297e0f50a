import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UPLOAD_CHUNK_BYTES } from '@rs/protocol';
import { HashWorker, type ChunkHash } from './hash-worker.js';

/** What the server knows of an upload's bytes: the whole file's SHA-256 and its chunk-list hash (CompleteUploadBody). */
export interface FileDigests {
  sha256: string;
  chunkListSha256: string;
}

/** Both digests of bytes fed in order, in pieces of any size (used when reading a stored file). */
class DigestReader {
  private readonly whole = crypto.createHash('sha256');
  private readonly list = crypto.createHash('sha256');
  private chunk = crypto.createHash('sha256');
  private inChunk = 0;

  update(bytes: Buffer): void {
    this.whole.update(bytes);
    for (let at = 0; at < bytes.length; ) {
      const n = Math.min(UPLOAD_CHUNK_BYTES - this.inChunk, bytes.length - at);
      this.chunk.update(at === 0 && n === bytes.length ? bytes : bytes.subarray(at, at + n));
      this.inChunk += n;
      at += n;
      if (this.inChunk === UPLOAD_CHUNK_BYTES) this.endChunk();
    }
  }

  private endChunk(): void {
    this.list.update(this.chunk.digest());
    this.chunk = crypto.createHash('sha256');
    this.inChunk = 0;
  }

  result(): FileDigests {
    if (this.inChunk > 0) this.endChunk();
    return { sha256: this.whole.digest('hex'), chunkListSha256: this.list.digest('hex') };
  }
}

/**
 * The chunk-list hash of an upload received so far, in whole chunks:
 * `offset` is a multiple of UPLOAD_CHUNK_BYTES (or the end of the file), and
 * each entry is the chunk's digest the server computed anyway to check
 * `x-chunk-sha256`.
 */
class RunningChunkList {
  private constructor(
    private readonly list: crypto.Hash,
    readonly offset: number,
  ) {}

  static start(): RunningChunkList {
    return new RunningChunkList(crypto.createHash('sha256'), 0);
  }

  /** The list with one more chunk (the old one stays valid, for a chunk that is refused after all). */
  next(chunkDigest: Buffer, length: number): RunningChunkList {
    return new RunningChunkList(this.list.copy().update(chunkDigest), this.offset + length);
  }

  result(): string {
    return this.list.copy().digest('hex');
  }
}

/**
 * Files live under DATA_DIR/files/<id>; bytes are streamed to and from disk,
 * never held whole in memory.
 */
export class FileStorage {
  readonly dir: string;
  /**
   * The chunk lists of the uploads this process received in whole chunks
   * from byte 0 on, so that completing an upload needs no second pass over
   * the file; the whole file's SHA-256 of the same chunks is kept by
   * `wholeHash`, on a worker thread. Missing after a restart, or when a chunk
   * went to another node or did not end on a chunk boundary: then `digests`
   * reads the stored file instead.
   */
  private readonly running = new Map<string, RunningChunkList>();
  /**
   * Two threads besides the one serving requests: one hashes each chunk as
   * it reaches the disk (the check before it is acknowledged), the other
   * follows with the whole file's SHA-256, so neither costs the request
   * thread and the two run side by side.
   */
  private readonly chunkHash = new HashWorker();
  private readonly wholeHash = new HashWorker();

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'files');
    fs.mkdirSync(this.dir, { recursive: true });
  }

  pathOf(id: string): string {
    // Ids are server-made base64url; the check keeps a bad one from escaping the folder.
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error('bad file id');
    return path.join(this.dir, id);
  }

  async create(id: string): Promise<void> {
    await fsp.writeFile(this.pathOf(id), '');
    this.wholeHash.drop(id);
    this.running.set(id, RunningChunkList.start());
  }

  /**
   * Writes a chunk at `offset`, verifying its length as it streams and its
   * SHA-256 before it counts (hashed on a worker thread, block by block as
   * the blocks reach the disk, so the answer waits only for the last one);
   * a bad chunk is cut off again, leaving the file as it was. The service
   * runs one write per file at a time.
   */
  async writeChunk(id: string, offset: number, body: Readable, expect: { sha256: string | null; maxBytes: number }): Promise<number> {
    const file = this.pathOf(id);
    const handle = await fsp.open(file, 'r+');
    const size = await handle.stat().then(
      (st) => st.size,
      async (err: unknown) => {
        await handle.close();
        throw err;
      },
    );
    if (size !== offset) {
      await handle.close();
      throw new ChunkError(`The upload is at ${size} bytes, not ${offset}.`);
    }
    // The chunk list goes on only from where it is (nothing written elsewhere in between).
    const before = this.running.get(id);
    this.running.delete(id);
    const continues = before?.offset === offset ? before : null;
    let check: ChunkHash | null = null;
    let writer: ChunkWriter | null = null;
    try {
      const hash = this.chunkHash.chunk(file, offset);
      check = hash;
      writer = new ChunkWriter(handle.fd, offset, expect.maxBytes, (a, b) => hash.range(a, b));
      await pipeline(body, writer);
      const bytes = writer.written;
      const digest = (await hash.end(offset + bytes)) ?? (await hashRange(file, offset, offset + bytes));
      check = null;
      if (expect.sha256 && digest.toString('hex') !== expect.sha256) {
        throw new ChunkError('The chunk was damaged on the way (checksum mismatch). It was not stored; send it again.');
      }
      // A whole chunk, or the file's last one: its digest is the next entry of the chunk list, and its bytes the
      // next of the whole file's SHA-256 (only verified bytes are fed, in order, so that hash follows the list).
      if (continues && (bytes === UPLOAD_CHUNK_BYTES || bytes === expect.maxBytes)) {
        this.running.set(id, continues.next(digest, bytes));
        this.wholeHash.feed(id, file, offset, offset + bytes);
      }
      return bytes;
    } catch (err) {
      check?.abort();
      // A write still on its way (the body broke off meanwhile) must not land after the cut, nor on a closed file.
      await writer?.settled();
      await handle.truncate(offset).catch(() => undefined);
      // The list before this chunk still describes the file.
      if (continues) this.running.set(id, continues);
      throw err;
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /**
   * The whole file's SHA-256 and its chunk-list hash: from the running
   * chunk list and the worker's SHA-256 when they cover the file, else by
   * reading it once from disk.
   */
  async digests(id: string): Promise<FileDigests> {
    const size = await this.size(id);
    const known = this.running.get(id);
    if (known?.offset === size) {
      const sha256 = await this.wholeHash.digest(id, size);
      if (sha256) return { sha256, chunkListSha256: known.result() };
    }
    return this.digestsFromDisk(id);
  }

  /** Both digests by reading the stored file (1 MiB reads, native hashing). */
  async digestsFromDisk(id: string): Promise<FileDigests> {
    const d = new DigestReader();
    for await (const b of fs.createReadStream(this.pathOf(id), { highWaterMark: 1024 * 1024 })) d.update(b as Buffer);
    return d.result();
  }

  /** The upload is finished: its running digests are no longer needed. */
  forget(id: string): void {
    this.running.delete(id);
    this.wholeHash.drop(id);
  }

  async size(id: string): Promise<number> {
    return (await fsp.stat(this.pathOf(id))).size;
  }

  async remove(id: string): Promise<void> {
    this.running.delete(id);
    this.wholeHash.drop(id);
    await fsp.rm(this.pathOf(id), { force: true });
  }

  read(id: string, range?: { start: number; end: number }): fs.ReadStream {
    return fs.createReadStream(this.pathOf(id), { highWaterMark: 1024 * 1024, ...(range ? { start: range.start, end: range.end } : {}) });
  }
}

export class ChunkError extends Error {}

/** SHA-256 of bytes [start, end) of a file, on this thread: only when the hashing worker could not answer. */
async function hashRange(file: string, start: number, end: number): Promise<Buffer> {
  const hash = crypto.createHash('sha256');
  if (end > start) for await (const b of fs.createReadStream(file, { start, end: end - 1, highWaterMark: 1024 * 1024 })) hash.update(b as Buffer);
  return hash.digest();
}

/**
 * Writes a request body to a file from `start` with positional writes, and
 * says which ranges are on disk (for the hashing worker). The socket's
 * 64 KiB pieces queue up while a write is on its way and go to disk together
 * (writev, up to the 1 MiB buffer), instead of each waiting for the one
 * before; more than `maxBytes` is an error before anything beyond is written.
 */
class ChunkWriter extends Writable {
  written = 0;
  private accepted = 0;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly fd: number,
    private readonly start: number,
    private readonly maxBytes: number,
    private readonly onWritten: (start: number, end: number) => void,
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _write(piece: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.put([piece], cb);
  }

  override _writev(pieces: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.put(
      pieces.map((p) => p.chunk),
      cb,
    );
  }

  /** Resolves when no write is on its way. */
  settled(): Promise<void> {
    return this.inFlight;
  }

  private put(pieces: Buffer[], cb: (err?: Error | null) => void): void {
    const length = pieces.reduce((n, p) => n + p.length, 0);
    this.accepted += length;
    if (this.accepted > this.maxBytes) return cb(new ChunkError('The chunk is larger than the rest of the file.'));
    const at = this.start + this.written;
    let finished!: () => void;
    this.inFlight = new Promise((r) => (finished = r));
    const done = (err: Error | null, n: number) => {
      finished();
      if (err) return cb(err);
      if (n === 0) return cb(new Error('The disk took none of the chunk.'));
      this.onWritten(at, at + n);
      this.written += n;
      if (n === length) return cb();
      // A short write (rare on a regular file): the rest goes on from where it stopped.
      this.accepted -= length - n;
      this.put([Buffer.concat(pieces).subarray(n)], cb);
    };
    if (pieces.length === 1) fs.write(this.fd, pieces[0]!, 0, length, at, (err, n) => done(err, n));
    else fs.writev(this.fd, pieces, at, (err, n) => done(err, n));
  }
}
