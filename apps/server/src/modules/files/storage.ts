import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Files live under DATA_DIR/files/<id>; bytes are streamed to and from disk,
 * never held whole in memory.
 */
export class FileStorage {
  readonly dir: string;

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
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        if (bytes > expect.maxBytes) return cb(new ChunkError('The chunk is larger than the rest of the file.'));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, fs.createWriteStream(file, { flags: 'r+', start: offset }));
      if (expect.sha256 && hash.digest('hex') !== expect.sha256) {
        throw new ChunkError('The chunk was damaged on the way (checksum mismatch). It was not stored; send it again.');
      }
      return bytes;
    } catch (err) {
      await fsp.truncate(file, offset).catch(() => undefined);
      throw err;
    }
  }

  async sha256(id: string): Promise<string> {
    const hash = crypto.createHash('sha256');
    await pipeline(fs.createReadStream(this.pathOf(id)), hash);
    return hash.digest('hex');
  }

  async size(id: string): Promise<number> {
    return (await fsp.stat(this.pathOf(id))).size;
  }

  async remove(id: string): Promise<void> {
    await fsp.rm(this.pathOf(id), { force: true });
  }

  read(id: string, range?: { start: number; end: number }): fs.ReadStream {
    return fs.createReadStream(this.pathOf(id), { highWaterMark: 1024 * 1024, ...(range ? { start: range.start, end: range.end } : {}) });
  }
}

export class ChunkError extends Error {}
