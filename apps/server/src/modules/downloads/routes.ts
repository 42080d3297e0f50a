import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DownloadList, RsError, SUPPORT_MANAGER_LINUX_X64, type DownloadItem } from '@rs/protocol';
import type { AppContext } from '../../context.js';
import { defineRoute } from '../../http/route.js';
import { parseRange } from '../files/routes.js';
import { contentDisposition } from '../files/sanitize.js';

/**
 * SM-1: the programs the project builds, served from a folder: by default
 * what `npm run package -w apps/support-manager` writes
 * (apps/support-manager/dist/), or DOWNLOADS_DIR. A file is offered once it
 * exists there; the server never builds it.
 */
export function downloadsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.DOWNLOADS_DIR || fileURLToPath(new URL('../../../../support-manager/dist/', import.meta.url)));
}

const CATALOG: readonly Omit<DownloadItem, 'url' | 'size' | 'sha256' | 'builtAt'>[] = [
  { product: 'support-manager', platform: 'linux-x64', fileName: SUPPORT_MANAGER_LINUX_X64 },
];

interface Opened {
  fh: fs.promises.FileHandle;
  size: number;
  mtime: Date;
  sha256: string;
}

/**
 * Opens a catalog file and gives its SHA-256, hashed from the open handle (so
 * it is the hash of exactly the bytes a download of this handle sends, even
 * when a rebuild renames a new archive into place meanwhile) and kept per
 * inode, size and time.
 */
class Files {
  private readonly hashes = new Map<string, Promise<string>>();

  constructor(private readonly dir: string) {}

  async open(fileName: string): Promise<Opened | null> {
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(path.join(this.dir, fileName), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    try {
      const st = await fh.stat();
      const key = `${fileName}:${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
      let hash = this.hashes.get(key);
      if (!hash) {
        hash = sha256Of(fh, st.size);
        // One entry per file name: an older version's hash is dropped.
        for (const k of this.hashes.keys()) if (k.startsWith(`${fileName}:`)) this.hashes.delete(k);
        this.hashes.set(key, hash);
        hash.catch(() => this.hashes.delete(key));
      }
      return { fh, size: st.size, mtime: st.mtime, sha256: await hash };
    } catch (e) {
      await fh.close();
      throw e;
    }
  }
}

async function sha256Of(fh: fs.promises.FileHandle, size: number): Promise<string> {
  const h = crypto.createHash('sha256');
  const buf = Buffer.alloc(1 << 20);
  for (let pos = 0; pos < size; ) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
    if (bytesRead === 0) throw new Error('the file became shorter while it was hashed');
    h.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return h.digest('hex');
}

export function registerDownloadRoutes(ctx: AppContext, opts: { dir?: string } = {}): void {
  const files = new Files(opts.dir ?? downloadsDir());

  defineRoute(ctx.app, ctx, {
    method: 'GET',
    url: '/api/downloads',
    summary: 'The programs this server offers (SM-1), each with its download path, size and SHA-256; files not built are not listed',
    tag: 'downloads',
    auth: 'none',
    response: DownloadList,
    handler: async () => {
      const downloads: DownloadItem[] = [];
      for (const item of CATALOG) {
        const f = await files.open(item.fileName);
        if (!f) continue;
        await f.fh.close();
        downloads.push({ ...item, url: `/downloads/${item.fileName}`, size: f.size, sha256: f.sha256, builtAt: f.mtime.toISOString() });
      }
      return { downloads };
    },
  });

  // A file, not an API call: outside /api and the OpenAPI document, like the web app's own files.
  // HEAD is declared too: Fastify's automatic HEAD route would read the whole file to discard it.
  ctx.app.route<{ Params: { file: string } }>({
    method: ['GET', 'HEAD'],
    url: '/downloads/:file',
    handler: async (req, reply) => {
      const item = CATALOG.find((c) => c.fileName === req.params.file);
      if (!item) throw RsError.notFound('No such download.');
      const f = await files.open(item.fileName);
      if (!f) throw RsError.notFound('This download has not been built on this server yet.');
      const etag = `"${f.sha256}"`;
      reply
        .header('content-type', 'application/gzip')
        .header('content-disposition', contentDisposition(item.fileName))
        .header('accept-ranges', 'bytes')
        // Rebuilt under the same name: caches must ask again, the ETag makes that cheap.
        .header('cache-control', 'no-cache')
        .header('etag', etag)
        .header('last-modified', f.mtime.toUTCString())
        .header('repr-digest', `sha-256=:${Buffer.from(f.sha256, 'hex').toString('base64')}:`);
      if (req.headers['if-none-match'] === etag) {
        await f.fh.close();
        return reply.code(304).send();
      }
      // A resumed download continues only the same file (If-Range), else it starts over.
      const ifRange = req.headers['if-range'];
      const range = ifRange === undefined || ifRange === etag ? parseRange(req.headers.range, f.size) : null;
      if (range === 'invalid') {
        await f.fh.close();
        return reply.code(416).header('content-range', `bytes */${f.size}`).send();
      }
      if (req.method === 'HEAD' || f.size === 0) {
        await f.fh.close();
        return reply.header('content-length', String(f.size)).send(req.method === 'HEAD' ? null : '');
      }
      const { start, end } = range ?? { start: 0, end: f.size - 1 };
      if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${f.size}`);
      return reply.header('content-length', String(end - start + 1)).send(f.fh.createReadStream({ start, end, highWaterMark: 1 << 20 }));
    },
  });
}
