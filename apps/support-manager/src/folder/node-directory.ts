/**
 * FT-2 through Support Manager: the folder the customer allowed (their home
 * folder unless started with `--folder`), as the DirectoryHandleLike that
 * packages/client's FolderHost serves — the same host code as in the
 * browser, over the disk instead of the File System Access API.
 *
 * Nothing outside the root is ever read, written, listed or removed. Every
 * name is one path segment (the protocol's PathSegment: no "/", "\", NUL or
 * other control character, not "." or ".."), checked here again rather than
 * trusting the caller. A symbolic link is followed only when its real path
 * is inside the root's real path, and a handle checks before each use that
 * its own folder still resolves to where it did (a folder replaced by a link
 * since is refused). Writes go to a new file beside the target, opened with
 * O_EXCL|O_NOFOLLOW, and replace the target by rename() only when complete.
 * Only regular files and folders are shown; FIFOs, sockets and devices (a
 * FIFO would block a read for ever) are not.
 */
import crypto from 'node:crypto';
import { constants as C } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { DirectoryHandleLike, FileHandleLike, FileLike } from '@rs/client/folder';
import { PathSegment } from '@rs/protocol';

export class FolderAccessError extends Error {
  constructor(
    message: string,
    readonly code: 'name' | 'outside' | 'not-found' | 'not-directory' | 'not-file' | 'denied' | 'changed' | 'io',
  ) {
    super(message);
    this.name = 'FolderAccessError';
  }
}

/** A name as the rep may see it in a message: quoted, control characters escaped, not too long. */
function shown(name: string): string {
  const s = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
  return `“${s.slice(1, -1)}”`;
}

/** File system errors as the rep reads them: by name, never with the customer's absolute paths. */
function explain(err: unknown, name: string): Error {
  if (err instanceof FolderAccessError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return new FolderAccessError(`${shown(name)} is not there (any more).`, 'not-found');
    case 'EACCES':
    case 'EPERM':
      return new FolderAccessError(`No permission to open ${shown(name)} on the customer’s computer.`, 'denied');
    case 'ENOTDIR':
      return new FolderAccessError(`${shown(name)} is not a folder.`, 'not-directory');
    case 'EISDIR':
      return new FolderAccessError(`${shown(name)} is a folder.`, 'not-file');
    case 'ELOOP':
      return new FolderAccessError(`${shown(name)} is a link that cannot be followed.`, 'outside');
    case 'ENOSPC':
    case 'EDQUOT':
      return new FolderAccessError('The customer’s disk is full.', 'io');
    default:
      return new FolderAccessError(`${shown(name)} cannot be used (${code ?? (err instanceof Error ? err.message : String(err))}).`, 'io');
  }
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.includes('\0') || name.includes('/') || name === '.' || name === '..' || !PathSegment.safeParse(name).success) {
    throw new FolderAccessError(`${typeof name === 'string' ? shown(name) : 'This'} is not an allowed name: it would leave the shared folder or cannot be a file name.`, 'name');
  }
  return name;
}

/** The root's real path; `contains` is what "inside the shared folder" means everywhere here. */
class Root {
  private readonly prefix: string;
  constructor(readonly real: string) {
    this.prefix = real.endsWith(path.sep) ? real : real + path.sep;
  }
  contains(real: string): boolean {
    return real === this.real || real.startsWith(this.prefix);
  }
}

type Kind = 'file' | 'directory';

/** The entry at `realPath` still is what it was when its handle was made: no part of its path became a link (or moved out of the root) since. */
async function stillThere(realPath: string, name: string, root: Root): Promise<void> {
  let now: string;
  try {
    now = await fsp.realpath(realPath);
  } catch (err) {
    throw explain(err, name);
  }
  if (now !== realPath || !root.contains(now)) throw new FolderAccessError(`${shown(name)} was moved or replaced.`, 'changed');
}

/** A listing's and a file's dates: whole milliseconds, never before 1970 (the protocol's `modified` is ≥ 0). */
const msOf = (mtimeMs: number) => Math.max(0, Math.trunc(mtimeMs));

export class NodeDirectoryHandle implements DirectoryHandleLike {
  readonly kind = 'directory' as const;

  private constructor(
    readonly name: string,
    /** Real (symlink-free) absolute path, inside the root. */
    readonly realPath: string,
    private readonly root: Root,
  ) {}

  /** The shared folder itself; refuses what is not an existing folder. */
  static async open(dir: string): Promise<NodeDirectoryHandle> {
    const real = await fsp.realpath(path.resolve(dir));
    const st = await fsp.stat(real);
    if (!st.isDirectory()) throw new FolderAccessError(`${dir} is not a folder.`, 'not-directory');
    return new NodeDirectoryHandle(path.basename(real) || real, real, new Root(real));
  }

  /** This folder still is what it was when the handle was made (no part of its path became a link since). */
  private self(): Promise<void> {
    return stillThere(this.realPath, this.name, this.root);
  }

  /** What `name` in this folder is: its real path (links followed, only into the root) and kind. */
  private async resolve(name: string): Promise<{ real: string; kind: Kind | 'other' }> {
    checkName(name);
    await this.self();
    const p = path.join(this.realPath, name);
    try {
      const l = await fsp.lstat(p);
      if (!l.isSymbolicLink()) return { real: p, kind: l.isDirectory() ? 'directory' : l.isFile() ? 'file' : 'other' };
      const real = await fsp.realpath(p);
      if (!this.root.contains(real)) throw new FolderAccessError(`${shown(name)} is a link that leads outside the shared folder.`, 'outside');
      const st = await fsp.stat(real);
      return { real, kind: st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other' };
    } catch (err) {
      throw explain(err, name);
    }
  }

  async getDirectoryHandle(name: string): Promise<NodeDirectoryHandle> {
    const r = await this.resolve(name);
    if (r.kind !== 'directory') throw new FolderAccessError(`${shown(name)} is not a folder.`, 'not-directory');
    return new NodeDirectoryHandle(name, r.real, this.root);
  }

  async getFileHandle(name: string, opts: { create?: boolean } = {}): Promise<NodeFileHandle> {
    let r: { real: string; kind: Kind | 'other' };
    try {
      r = await this.resolve(name);
    } catch (err) {
      if (!(err instanceof FolderAccessError) || err.code !== 'not-found' || !opts.create) throw err;
      // Like the browser's getFileHandle({ create: true }): an empty file exists from now on.
      const p = path.join(this.realPath, name);
      try {
        await (await fsp.open(p, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o666)).close();
      } catch (e) {
        // Made by someone else meanwhile: judged like any existing entry.
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return this.getFileHandle(name);
        throw explain(e, name);
      }
      return new NodeFileHandle(name, p, this.root);
    }
    if (r.kind !== 'file') throw new FolderAccessError(`${shown(name)} is not a file.`, 'not-file');
    return new NodeFileHandle(name, r.real, this.root);
  }

  /** Removes a file, or an empty folder, of this folder (a link itself, never what it points to). */
  async removeEntry(name: string): Promise<void> {
    checkName(name);
    await this.self();
    const p = path.join(this.realPath, name);
    try {
      const l = await fsp.lstat(p);
      if (l.isDirectory()) await fsp.rmdir(p);
      else await fsp.unlink(p);
    } catch (err) {
      throw explain(err, name);
    }
  }

  /**
   * The folder's files and folders. Links are shown as what they lead to
   * when that is inside the root; links leading out, broken links, names
   * the protocol cannot carry and anything but files and folders are left out.
   */
  async *values(): AsyncGenerator<NodeDirectoryHandle | NodeFileHandle> {
    await this.self();
    let dir;
    try {
      dir = await fsp.opendir(this.realPath);
    } catch (err) {
      throw explain(err, this.name);
    }
    for await (const d of dir) {
      if (!PathSegment.safeParse(d.name).success) continue;
      const p = path.join(this.realPath, d.name);
      if (d.isDirectory()) yield new NodeDirectoryHandle(d.name, p, this.root);
      else if (d.isFile()) yield new NodeFileHandle(d.name, p, this.root);
      else if (d.isSymbolicLink()) {
        const r = await this.resolve(d.name).catch(() => null);
        if (r?.kind === 'directory') yield new NodeDirectoryHandle(d.name, r.real, this.root);
        else if (r?.kind === 'file') yield new NodeFileHandle(d.name, r.real, this.root);
      }
    }
  }
}

/** A file of the shared folder: read in slices, written by replacing it whole. */
export class NodeFileHandle implements FileHandleLike {
  readonly kind = 'file' as const;

  constructor(
    readonly name: string,
    /** Real path, inside the root. */
    readonly realPath: string,
    private readonly root: Root,
  ) {}

  private checked(): Promise<void> {
    return stillThere(this.realPath, this.name, this.root);
  }

  /**
   * Size and date now; slices are read from the disk when asked for, and a
   * file that changed since (size or date) fails like a browser File does,
   * rather than sending a mix of two versions.
   */
  async getFile(): Promise<FileLike> {
    await this.checked();
    let st;
    try {
      st = await fsp.stat(this.realPath);
    } catch (err) {
      throw explain(err, this.name);
    }
    if (!st.isFile()) throw new FolderAccessError(`${shown(this.name)} is not a file.`, 'not-file');
    const { name, realPath } = this;
    const size = st.size;
    const mtimeMs = st.mtimeMs;
    return {
      name,
      size,
      lastModified: msOf(mtimeMs),
      slice: (start: number, end: number) => ({
        arrayBuffer: async () => {
          const from = Math.max(0, Math.min(start, size));
          const length = Math.max(0, Math.min(end, size) - from);
          let fh;
          try {
            fh = await fsp.open(realPath, C.O_RDONLY | C.O_NOFOLLOW);
          } catch (err) {
            throw explain(err, name);
          }
          try {
            const now = await fh.stat();
            if (now.size !== size || now.mtimeMs !== mtimeMs) throw new FolderAccessError(`${shown(name)} changed on the customer’s computer while it was read.`, 'changed');
            const buf = new Uint8Array(new ArrayBuffer(length));
            let got = 0;
            while (got < length) {
              const { bytesRead } = await fh.read(buf, got, length - got, from + got);
              if (bytesRead === 0) break;
              got += bytesRead;
            }
            return buf.buffer.slice(0, got);
          } catch (err) {
            throw explain(err, name);
          } finally {
            await fh.close();
          }
        },
      }),
    };
  }

  /**
   * Like the browser's FileSystemWritableFileStream: bytes go to a new file
   * beside this one (a hidden name, O_EXCL|O_NOFOLLOW, the old file's mode),
   * close() flushes it to disk and renames it over this file, abort()
   * removes it and leaves this file as it was.
   */
  async createWritable(): Promise<{ write(data: Uint8Array): Promise<void>; close(): Promise<void>; abort(): Promise<void> }> {
    await this.checked();
    const dir = path.dirname(this.realPath);
    const part = path.join(dir, `.${path.basename(this.realPath).slice(0, 200)}.${crypto.randomBytes(6).toString('hex')}.part`);
    let fh: fsp.FileHandle;
    try {
      const mode = (await fsp.stat(this.realPath).catch(() => null))?.mode ?? 0o666;
      fh = await fsp.open(part, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, mode & 0o777);
    } catch (err) {
      throw explain(err, this.name);
    }
    let state: 'open' | 'closed' | 'aborted' = 'open';
    const { name, realPath } = this;
    return {
      async write(data) {
        if (state !== 'open') throw new FolderAccessError(`${shown(name)} is not being written any more.`, 'io');
        try {
          let off = 0;
          while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
        } catch (err) {
          throw explain(err, name);
        }
      },
      close: async () => {
        if (state !== 'open') return;
        state = 'closed';
        try {
          await fh.sync();
          await fh.close();
          await this.checked();
          await fsp.rename(part, realPath);
        } catch (err) {
          await fsp.unlink(part).catch(() => undefined);
          throw explain(err, name);
        }
      },
      async abort() {
        if (state !== 'open') return;
        state = 'aborted';
        await fh.close().catch(() => undefined);
        await fsp.unlink(part).catch(() => undefined);
      },
    };
  }
}
