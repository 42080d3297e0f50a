import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { RsError, UPLOAD_CHUNK_BYTES, type DownloadLink, type FileDirection, type UploadInfo } from '@rs/protocol';
import type { Db } from '../../db/database.js';
import type { FilesTable } from '../../db/schema.js';
import { newId, nowIso } from '../../ids.js';
import type { SessionEngine } from '../sessions/engine.js';
import { KeyedMutex } from '../sessions/mutex.js';
import type { SettingsStore } from '../settings/store.js';
import { sanitizeFileName } from './sanitize.js';
import { ChunkError, type FileStorage } from './storage.js';
import { ChunkTurns } from './turns.js';

export interface Actor {
  participantId: string;
  kind: 'rep' | 'customer';
}

const LINK_TTL_MS = 5 * 60_000;
/** How long a chunk that came ahead of its turn waits for the PUT before it to arrive. */
const CHUNK_TURN_GRACE_MS = 2000;
const MB = 1024 * 1024;

/** FT-1: uploads into a session, verification, publication, downloads by signed link, retention. */
export class FileService {
  private readonly mutex = new KeyedMutex();
  private readonly turns = new ChunkTurns();

  constructor(
    private readonly db: Db,
    readonly storage: FileStorage,
    private readonly engine: SessionEngine,
    private readonly settings: SettingsStore,
    private readonly secret: Buffer,
    private readonly opts: { publicUrl: string; scanCommand: string | null; linkTtlMs?: number },
  ) {}

  private info(row: FilesTable): UploadInfo {
    const state = row.state === 'deleted' ? 'cancelled' : (row.state as UploadInfo['state']);
    return {
      fileId: row.id,
      name: row.name,
      size: Number(row.size),
      receivedBytes: Number(row.received_bytes),
      chunkBytes: UPLOAD_CHUNK_BYTES,
      state,
      ...(row.message ? { message: row.message } : {}),
      ...(state === 'ready' && row.sha256 ? { sha256: row.sha256 } : {}),
    };
  }

  private async row(sessionId: string, fileId: string): Promise<FilesTable> {
    const row = await this.db.selectFrom('files').selectAll().where('id', '=', fileId).where('session_id', '=', sessionId).executeTakeFirst();
    if (!row) throw RsError.notFound('There is no such file in this session.');
    return row;
  }

  async createUpload(
    sessionId: string,
    actor: Actor,
    body: { name: string; size: number; direction: FileDirection; lastModified?: number | undefined },
  ): Promise<UploadInfo> {
    const view = await this.engine.view(sessionId);
    if (!view) throw RsError.notFound('There is no such session.');
    if (view.status.state === 'ended') throw RsError.sessionEnded();
    const s = await this.settings.get();
    if (actor.kind === 'customer') {
      if (body.direction !== 'to_reps') throw RsError.forbidden('Customers can send files only to the reps.');
      if (!s.customerUploads) throw RsError.forbidden('Sending files to the reps is turned off on this site.');
    } else if (body.direction !== 'to_customers') {
      throw RsError.validation('Reps publish files to the customers (direction "to_customers").');
    }
    // Limits are checked before a single byte is stored.
    if (body.size > s.maxFileMegabytes * MB) {
      throw new RsError('RS_ERR_TOO_LARGE', `This file is larger than the limit of ${s.maxFileMegabytes} MB per file.`);
    }
    const name = sanitizeFileName(body.name);
    const existing = await this.db
      .selectFrom('files')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('uploader_id', '=', actor.participantId)
      .where('name', '=', name)
      .where('size', '=', body.size)
      .where('state', '=', 'uploading')
      .where('last_modified', body.lastModified === undefined ? 'is' : '=', body.lastModified ?? null)
      .executeTakeFirst();
    // A reload or a new attempt continues the unfinished upload of the same file.
    if (existing) return this.info({ ...existing, received_bytes: await this.storage.size(existing.id) });
    const used = await this.db
      .selectFrom('files')
      .select((eb) => eb.fn.sum<number>('size').as('total'))
      .where('session_id', '=', sessionId)
      .where('state', 'in', ['uploading', 'ready'])
      .executeTakeFirst();
    if (Number(used?.total ?? 0) + body.size > s.maxSessionMegabytes * MB) {
      throw new RsError('RS_ERR_TOO_LARGE', `This session would hold more than the limit of ${s.maxSessionMegabytes} MB of files.`);
    }
    const row: FilesTable = {
      id: newId(12),
      session_id: sessionId,
      uploader_id: actor.participantId,
      uploader_kind: actor.kind,
      direction: body.direction,
      name,
      size: body.size,
      last_modified: body.lastModified ?? null,
      received_bytes: 0,
      state: 'uploading',
      sha256: null,
      message: null,
      created_at: nowIso(),
      completed_at: null,
    };
    await this.storage.create(row.id);
    await this.db.insertInto('files').values(row).execute();
    return this.info(row);
  }

  async status(sessionId: string, fileId: string, actor: Actor): Promise<UploadInfo> {
    const row = await this.row(sessionId, fileId);
    if (row.uploader_id !== actor.participantId && actor.kind !== 'rep') throw RsError.forbidden('Not your upload.');
    return this.info(row);
  }

  /**
   * Appends one chunk at `offset`. A chunk for a later offset than the
   * server has (the client keeps two PUTs on their way) waits for its turn
   * while another PUT of the upload is under way, and for CHUNK_TURN_GRACE_MS
   * for one to arrive; only then, or for an offset already passed, is the
   * answer 409 with the offset the upload continues at — at once when the
   * chunk it waited for failed, since its client sends both again.
   */
  async writeChunk(sessionId: string, fileId: string, actor: Actor, offset: number, body: Readable, sha256: string | null): Promise<UploadInfo> {
    const put = this.turns.enter(fileId);
    try {
      let graceUntil = Date.now() + CHUNK_TURN_GRACE_MS;
      // A chunk that failed after this PUT arrived was one ahead of it (later ones only wait or are refused).
      const failuresBefore = this.turns.failures(fileId);
      for (;;) {
        const turn = await this.mutex.run(fileId, async (): Promise<{ info: UploadInfo } | { since: number; others: boolean }> => {
          put.unpark();
          const row = await this.row(sessionId, fileId);
          if (row.uploader_id !== actor.participantId) throw RsError.forbidden('Not your upload.');
          if (row.state !== 'uploading') throw RsError.invalidState(row.message ?? 'This upload is finished or was stopped.');
          const received = Number(row.received_bytes);
          const others = this.turns.busy(fileId) > 1;
          const aheadFailed = this.turns.failures(fileId) !== failuresBefore;
          if (offset > received && !aheadFailed && (others || Date.now() < graceUntil)) {
            put.park();
            return { since: this.turns.version(fileId), others };
          }
          if (offset !== received) throw new RsError('RS_ERR_CONFLICT', `The upload continues at byte ${received}.`);
          try {
            const n = await this.storage.writeChunk(fileId, offset, body, { sha256, maxBytes: Number(row.size) - offset });
            await this.db.updateTable('files').set({ received_bytes: offset + n }).where('id', '=', fileId).execute();
            return { info: this.info({ ...row, received_bytes: offset + n }) };
          } catch (err) {
            put.fail();
            if (err instanceof ChunkError) throw RsError.validation(err.message);
            throw err;
          }
        });
        if ('info' in turn) return turn.info;
        // While another PUT is under way it decides; once this one is alone, the next one gets the grace period to show up.
        if (turn.others) graceUntil = Date.now() + CHUNK_TURN_GRACE_MS;
        await this.turns.changed(fileId, turn.since, turn.others ? Infinity : graceUntil - Date.now());
      }
    } finally {
      put.leave();
    }
  }

  /**
   * Verifies the whole file by its chunk-list hash (CompleteUploadBody),
   * runs the scanner, and publishes it to the session with the SHA-256 of
   * the whole file as the server stored it.
   */
  async complete(sessionId: string, fileId: string, actor: Actor, chunkListSha256: string): Promise<UploadInfo> {
    return this.mutex.run(fileId, async () => {
      const row = await this.row(sessionId, fileId);
      if (row.uploader_id !== actor.participantId) throw RsError.forbidden('Not your upload.');
      if (row.state === 'ready') return this.info(row);
      if (row.state !== 'uploading') throw RsError.invalidState(row.message ?? 'This upload was stopped.');
      if (Number(row.received_bytes) !== Number(row.size)) {
        throw RsError.invalidState(`The upload has ${row.received_bytes} of ${row.size} bytes.`);
      }
      const actual = await this.storage.digests(fileId);
      const refuse = async (message: string) => {
        await this.storage.remove(fileId);
        await this.db.updateTable('files').set({ state: 'refused', message, completed_at: nowIso() }).where('id', '=', fileId).execute();
        return this.info({ ...row, state: 'refused', message });
      };
      if (actual.chunkListSha256 !== chunkListSha256) return refuse('The file arrived damaged (its SHA-256 does not match). Send it again.');
      const verdict = await this.scan(this.storage.pathOf(fileId));
      if (verdict !== 'clean') {
        return refuse(verdict === 'flagged' ? 'The virus scanner flagged this file; it was not offered.' : 'The virus scanner could not check this file; it was not offered.');
      }
      const sha256 = actual.sha256;
      await this.engine.transact(sessionId, (view) => {
        if (view.status.state === 'ended') throw RsError.sessionEnded();
        return [{ type: 'file.published', fileId, name: row.name, size: Number(row.size), sha256, by: actor.participantId, direction: row.direction as FileDirection }];
      });
      await this.db.updateTable('files').set({ state: 'ready', sha256, completed_at: nowIso() }).where('id', '=', fileId).execute();
      this.storage.forget(fileId);
      return this.info({ ...row, state: 'ready', sha256 });
    });
  }

  /** Optional FILE_SCAN_COMMAND: exit 0 = clean, 1 = flagged (clamdscan's convention), anything else = error. */
  private scan(file: string): Promise<'clean' | 'flagged' | 'error'> {
    const cmd = this.opts.scanCommand;
    if (!cmd) return Promise.resolve('clean');
    return new Promise((resolve) => {
      const [bin, ...args] = cmd.split(/\s+/).filter(Boolean);
      if (!bin) return resolve('error');
      const child = spawn(bin, [...args, file], { stdio: 'ignore' });
      child.on('error', () => resolve('error'));
      child.on('exit', (code) => resolve(code === 0 ? 'clean' : code === 1 ? 'flagged' : 'error'));
    });
  }

  /** The uploader stops an upload; a rep in control removes a published file. */
  async remove(sessionId: string, fileId: string, actor: Actor, isPrimary: boolean): Promise<void> {
    await this.mutex.run(fileId, async () => {
      const row = await this.row(sessionId, fileId);
      if (row.state === 'uploading' && row.uploader_id === actor.participantId) {
        await this.storage.remove(fileId);
        await this.db.updateTable('files').set({ state: 'cancelled', message: 'The upload was stopped.' }).where('id', '=', fileId).execute();
        return;
      }
      if (row.state !== 'ready') throw RsError.invalidState('This file is not published.');
      if (!isPrimary && row.uploader_id !== actor.participantId) throw RsError.forbidden('Only the rep in control or the sender can remove it.');
      await this.engine.transact(sessionId, () => [{ type: 'file.removed', fileId, reason: 'removed_by_rep' }]);
      await this.storage.remove(fileId);
      await this.db.updateTable('files').set({ state: 'deleted' }).where('id', '=', fileId).execute();
    });
  }

  /** A short-lived link for one participant; only those who may see the file get one. */
  async link(sessionId: string, fileId: string, actor: Actor): Promise<DownloadLink> {
    const row = await this.row(sessionId, fileId);
    if (row.state !== 'ready') throw RsError.notFound('This file is not available.');
    if (row.direction === 'to_reps' && actor.kind !== 'rep' && row.uploader_id !== actor.participantId) {
      throw RsError.forbidden('This file was sent to the reps.');
    }
    const expires = Date.now() + (this.opts.linkTtlMs ?? LINK_TTL_MS);
    const token = `${expires}.${this.mac(fileId, expires)}`;
    return { url: `/api/files/${fileId}/download?token=${token}`, expiresAt: new Date(expires).toISOString() };
  }

  private mac(fileId: string, expires: number): string {
    return crypto.createHmac('sha256', this.secret).update(`file:${fileId}:${expires}`).digest('base64url');
  }

  /** Checks a download token; returns the file to stream. */
  async forDownload(fileId: string, token: string): Promise<FilesTable> {
    const [exp, mac] = token.split('.');
    const expires = Number(exp);
    const expected = Number.isFinite(expires) ? this.mac(fileId, expires) : '';
    if (!mac || mac.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) {
      throw RsError.forbidden('This download link is not valid.');
    }
    if (expires < Date.now()) throw RsError.forbidden('This download link has expired. Use Download again.');
    const row = await this.db.selectFrom('files').selectAll().where('id', '=', fileId).executeTakeFirst();
    if (!row || row.state !== 'ready') throw RsError.notFound('This file is no longer available.');
    return row;
  }

  /** SES-3: a transfer of control ends the reps' running uploads; published files stay. */
  async cancelRepUploads(sessionId: string): Promise<void> {
    const rows = await this.db
      .selectFrom('files')
      .select('id')
      .where('session_id', '=', sessionId)
      .where('state', '=', 'uploading')
      .where('uploader_kind', '=', 'rep')
      .execute();
    for (const r of rows) {
      await this.mutex.run(r.id, async () => {
        await this.storage.remove(r.id);
        await this.db
          .updateTable('files')
          .set({ state: 'cancelled', message: 'The upload ended because control of the session was transferred.' })
          .where('id', '=', r.id)
          .execute();
      });
    }
  }

  /** Removes files whose session ended longer ago than the retention period. */
  async sweepRetention(now: number = Date.now()): Promise<number> {
    const hours = (await this.settings.get()).fileRetentionHours;
    const cutoff = new Date(now - hours * 3_600_000).toISOString();
    const rows = await this.db
      .selectFrom('files')
      .innerJoin('sessions', 'sessions.id', 'files.session_id')
      .select(['files.id as id'])
      .where('sessions.status', '=', 'ended')
      .where('sessions.ended_at', '<=', cutoff)
      .where('files.state', 'in', ['uploading', 'ready'])
      .execute();
    for (const r of rows) {
      await this.storage.remove(r.id);
      await this.db.updateTable('files').set({ state: 'deleted', message: 'Removed after the retention period.' }).where('id', '=', r.id).execute();
    }
    return rows.length;
  }
}
