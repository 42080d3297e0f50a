import type { Readable } from 'node:stream';
import { CompleteUploadBody, CreateUploadBody, DownloadLink, FilePolicy, Id, RsError, Sha256Hex, UPLOAD_CHUNK_BYTES, UploadInfo } from '@rs/protocol';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineRoute } from '../../http/route.js';
import { participantOf } from './participant-auth.js';
import { contentDisposition } from './sanitize.js';
import type { FileService } from './service.js';

const SessionFile = z.object({ id: Id, fileId: Id });

export function registerFileRoutes(ctx: AppContext, files: FileService): void {
  const { app } = ctx;
  // Chunks arrive as raw bytes and are streamed to disk; never parsed or buffered whole.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
  const actorOf = (sessionId: string, c: { req: Parameters<typeof participantOf>[3]; user: Parameters<typeof participantOf>[4] }) =>
    participantOf(ctx.sessions.engine, ctx.sessions.tokens, sessionId, c.req, c.user);

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/sessions/:id/files',
    summary: 'Start (or resume) an upload; limits are checked before any byte is stored (FT-1)',
    tag: 'files',
    auth: 'none',
    params: z.object({ id: Id }),
    body: CreateUploadBody,
    response: UploadInfo,
    handler: async ({ params, body, req, user }) => files.createUpload(params.id, await actorOf(params.id, { req, user }), body),
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/sessions/:id/file-policy',
    summary: "What a participant may send: the site's limits and whether customers may send files",
    tag: 'files',
    auth: 'none',
    params: z.object({ id: Id }),
    response: FilePolicy,
    handler: async ({ params, req, user }) => {
      await actorOf(params.id, { req, user });
      const s = await ctx.settings.get();
      return { customerUploads: s.customerUploads, maxFileMegabytes: s.maxFileMegabytes, maxSessionMegabytes: s.maxSessionMegabytes };
    },
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/sessions/:id/files/:fileId',
    summary: 'State of an upload (bytes received), to resume it',
    tag: 'files',
    auth: 'none',
    params: SessionFile,
    response: UploadInfo,
    handler: async ({ params, req, user }) => files.status(params.id, params.fileId, await actorOf(params.id, { req, user })),
  });

  defineRoute(app, ctx, {
    method: 'PUT',
    url: '/api/sessions/:id/files/:fileId/content',
    summary: 'Append one chunk at ?offset=; header x-chunk-sha256 is its SHA-256 (hex)',
    tag: 'files',
    auth: 'none',
    params: SessionFile,
    query: z.object({ offset: z.coerce.number().int().min(0) }),
    rawBody: true,
    bodyLimit: UPLOAD_CHUNK_BYTES + 1024,
    response: UploadInfo,
    handler: async ({ params, query, req, user }) => {
      const actor = await actorOf(params.id, { req, user });
      const header = req.headers['x-chunk-sha256'];
      const sha = typeof header === 'string' ? Sha256Hex.safeParse(header) : null;
      if (sha && !sha.success) throw RsError.validation('x-chunk-sha256 must be a SHA-256 in lowercase hex.');
      if (!req.body || typeof (req.body as Readable).pipe !== 'function') throw RsError.validation('Send the chunk as application/octet-stream.');
      return files.writeChunk(params.id, params.fileId, actor, query.offset, req.body as Readable, sha?.data ?? null);
    },
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/sessions/:id/files/:fileId/complete',
    summary: "Finish an upload: the server checks the chunk-list hash (SHA-256 over the chunks' SHA-256 digests), scans the file, and publishes it with its SHA-256",
    tag: 'files',
    auth: 'none',
    params: SessionFile,
    body: CompleteUploadBody,
    response: UploadInfo,
    handler: async ({ params, body, req, user }) => files.complete(params.id, params.fileId, await actorOf(params.id, { req, user }), body.chunkListSha256),
  });

  defineRoute(app, ctx, {
    method: 'DELETE',
    url: '/api/sessions/:id/files/:fileId',
    summary: 'Stop an upload, or remove a published file (rep in control or sender)',
    tag: 'files',
    auth: 'none',
    params: SessionFile,
    response: z.object({ ok: z.literal(true) }),
    handler: async ({ params, req, user }) => {
      const actor = await actorOf(params.id, { req, user });
      await files.remove(params.id, params.fileId, actor, actor.isPrimary);
      return { ok: true as const };
    },
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/api/sessions/:id/files/:fileId/link',
    summary: 'A short-lived signed download link for a participant who may see the file',
    tag: 'files',
    auth: 'none',
    params: SessionFile,
    response: DownloadLink,
    handler: async ({ params, req, user }) => files.link(params.id, params.fileId, await actorOf(params.id, { req, user })),
  });

  defineRoute(app, ctx, {
    method: 'GET',
    url: '/api/files/:fileId/download',
    summary: 'Download by signed link; supports Range; always an attachment',
    tag: 'files',
    auth: 'none',
    params: z.object({ fileId: Id }),
    query: z.object({ token: z.string().min(10).max(200) }),
    response: null,
    handler: async ({ params, query, req, reply }) => {
      const row = await files.forDownload(params.fileId, query.token);
      const size = Number(row.size);
      const storage = files.storage;
      reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', contentDisposition(row.name))
        .header('accept-ranges', 'bytes')
        .header('cache-control', 'private, no-store')
        .header('etag', `"${row.sha256}"`);
      const range = parseRange(req.headers.range, size);
      if (range === 'invalid') {
        reply.code(416).header('content-range', `bytes */${size}`).send();
        return;
      }
      if (range) {
        reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
          .header('content-length', String(range.end - range.start + 1))
          .send(storage.read(row.id, range));
        return;
      }
      reply.header('content-length', String(size)).send(size === 0 ? '' : storage.read(row.id));
    },
  });
}

/** One byte range ("bytes=a-b", "bytes=a-", "bytes=-n"); several ranges are answered whole. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === '' && b === '') return 'invalid';
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'invalid';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end) return 'invalid';
  return { start, end };
}
