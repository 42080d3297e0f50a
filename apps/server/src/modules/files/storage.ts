import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UPLOAD_CHUNK_BYTES } from '@rs/protocol';

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
 * The digests of an upload received so far, in whole chunks: `offset` is a
 * multiple of UPLOAD_CHUNK_BYTES (or the end of the file), and the chunk-list
 * hash takes each chunk's digest the server computed anyway to check
 * `x-chunk-sha256`.
 */
class RunningDigests {
  private constructor(
    private readonly whole: crypto.Hash,
    private readonly list: crypto.Hash,
    readonly offset: number,
  ) {}

  static start(): RunningDigests {
    return new RunningDigests(crypto.createHash('sha256'), crypto.createHash('sha256'), 0);
  }

  /** A copy that goes on with the next chunk's bytes (kept only when the chunk is good). */
  fork(): { update(bytes: Buffer): void; end(chunkDigest: Buffer, length: number): RunningDigests } {
    const whole = this.whole.copy();
    return {
      update: (bytes) => whole.update(bytes),
      end: (chunkDigest, length) => new RunningDigests(whole, this.list.copy().update(chunkDigest), this.offset + length),
    };
  }

  result(): FileDigests {
    return { sha256: this.whole.copy().digest('hex'), chunkListSha256: this.list.copy().digest('hex') };
  }
}

/**
 * Files live under DATA_DIR/files/<id>; bytes are streamed to and from disk,
 * never held whole in memory.
 */
export class FileStorage {
  readonly dir: string;
  /**
   * Running digests of the uploads this process received in whole chunks
   * from byte 0 on, fed as each chunk streams to disk, so that completing an
   * upload needs no second pass over the file. Missing after a restart, or
   * when a chunk went to another node or did not end on a chunk boundary:
   * then `digests` reads the stored file instead.
   */
  private readonly running = new Map<string, RunningDigests>();

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
    this.running.set(id, RunningDigests.start());
  }

  /**
   * Writes a chunk at `offset`, verifying its length and SHA-256 as it
   * streams; a bad chunk is cut off again, leaving the file as it was.
   * The service runs one write per file at a time.
   */
  async writeChunk(id: string, offset: number, body: Readable, expect: { sha256: string | null; maxBytes: number }): Promise<number> {
    const file = this.pathOf(id);
    const size = (await fsp.stat(file)).size;
    if (size !== offset) throw new ChunkError(`The upload is at ${size} bytes, not ${offset}.`);
    const hash = crypto.createHash('sha256');
    // The running digests go on only from where they are (nothing written elsewhere in between).
    const before = this.running.get(id);
    this.running.delete(id);
    const next = before?.offset === offset ? before.fork() : null;
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        if (bytes > expect.maxBytes) return cb(new ChunkError('The chunk is larger than the rest of the file.'));
        hash.update(chunk);
        next?.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      // A 1 MiB buffer lets the socket's 64 KiB pieces queue up while one write is on its way and go to disk
      // together (writev), instead of each waiting for the one before (measured: server CPU −18 %, uploads +18 %).
      await pipeline(body, counter, fs.createWriteStream(file, { flags: 'r+', start: offset, highWaterMark: 1024 * 1024 }));
      const digest = hash.digest();
      if (expect.sha256 && digest.toString('hex') !== expect.sha256) {
        throw new ChunkError('The chunk was damaged on the way (checksum mismatch). It was not stored; send it again.');
      }
      // A whole chunk, or the file's last one: its digest is the next entry of the chunk list.
      if (next && (bytes === UPLOAD_CHUNK_BYTES || bytes === expect.maxBytes)) this.running.set(id, next.end(digest, bytes));
      return bytes;
    } catch (err) {
      await fsp.truncate(file, offset).catch(() => undefined);
      // The digests before this chunk still describe the file.
      if (next && before) this.running.set(id, before);
      throw err;
    }
  }

  /**
   * The whole file's SHA-256 and its chunk-list hash: from the running
   * digests when they cover the file, else by reading it once from disk.
   */
  async digests(id: string): Promise<FileDigests> {
    const size = await this.size(id);
    const known = this.running.get(id);
    if (known?.offset === size) return known.result();
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
  }

  async size(id: string): Promise<number> {
    return (await fsp.stat(this.pathOf(id))).size;
  }

  async remove(id: string): Promise<void> {
    this.running.delete(id);
    await fsp.rm(this.pathOf(id), { force: true });
  }

  read(id: string, range?: { start: number; end: number }): fs.ReadStream {
    return fs.createReadStream(this.pathOf(id), { highWaterMark: 1024 * 1024, ...(range ? { start: range.start, end: range.end } : {}) });
  }
}

export class ChunkError extends Error {}
