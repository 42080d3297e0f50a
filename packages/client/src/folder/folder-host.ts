import { FOLDER_LIST_MAX_ENTRIES, FOLDER_PAGE_WINDOW, type FolderEntry, type FolderMessage } from '@rs/protocol';
import { folderPages } from './listing.js';
import { receiveBytes, sendBytes, type Progress } from './transfer.js';
import type { FolderTransport } from './transport.js';

/**
 * The parts of the File System Access API the host uses: a picked folder (or
 * the origin-private one in tests), or Support Manager's folder on disk
 * (apps/support-manager/src/folder/node-directory.ts).
 */
export interface DirectoryHandleLike {
  readonly name: string;
  getDirectoryHandle(name: string): Promise<DirectoryHandleLike>;
  getFileHandle(name: string, opts?: { create?: boolean }): Promise<FileHandleLike>;
  removeEntry(name: string): Promise<void>;
  values(): AsyncIterable<DirectoryHandleLike | FileHandleLike>;
}
/** What the host reads of a file: a browser File has it all. */
export interface FileLike {
  readonly name: string;
  readonly size: number;
  readonly lastModified: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}
export interface FileHandleLike {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<FileLike>;
  createWritable(): Promise<{ write(data: Uint8Array): Promise<void>; close(): Promise<void>; abort(): Promise<void> }>;
}

export interface HostActivity {
  id: number;
  direction: 'to_rep' | 'from_rep';
  name: string;
  progress: Progress;
  state: 'running' | 'done' | 'failed';
  message?: string;
}

/**
 * The customer's side of FT-2: answers the rep's requests inside the folder
 * the customer picked and nowhere else (paths are names validated by the
 * protocol schema, resolved step by step from the root). Writing asks the
 * customer first.
 */
export class FolderHost {
  private readonly running = new Map<number, AbortController>();
  /** Writes waiting for the customer's answer: the rep may give up on them (`cancel`). */
  private readonly asking = new Map<number, AbortController>();
  /** Folders being listed now, by path. */
  private readonly listing = new Set<string>();
  private readonly off: () => void;

  constructor(
    private readonly root: DirectoryHandleLike,
    private readonly transport: FolderTransport,
    private readonly hooks: {
      /**
       * Whether the customer allows saving this file (`id`: the rep's transfer, `path`: the folder in
       * the shared one); a string is a refusal with that reason. `signal` aborts when the rep gives up
       * before the answer: the question should go away.
       */
      confirmWrite(name: string, size: number, where: { id: number; path: string[]; signal: AbortSignal }): Promise<boolean | string>;
      onActivity(a: HostActivity): void;
    },
    private readonly opts: { pageAckTimeoutMs?: number } = {},
  ) {
    this.off = transport.onMessage((m) => void this.onMessage(m));
  }

  private async dir(path: string[]): Promise<DirectoryHandleLike> {
    let d = this.root;
    for (const seg of path) d = await d.getDirectoryHandle(seg);
    return d;
  }

  private async onMessage(m: FolderMessage): Promise<void> {
    try {
      switch (m.op) {
        case 'list': {
          // The rep asks again while no answer came (FolderClient.list): a listing of that folder under way answers it.
          const key = JSON.stringify(m.path);
          if (this.listing.has(key)) return;
          this.listing.add(key);
          try {
            const d = await this.dir(m.path);
            const entries: FolderEntry[] = [];
            for await (const h of d.values()) {
              if (entries.length >= FOLDER_LIST_MAX_ENTRIES) throw new Error(`This folder has more than ${FOLDER_LIST_MAX_ENTRIES} entries, too many to list.`);
              if ('getFile' in h) {
                const f = await h.getFile();
                entries.push({ name: h.name, kind: 'file', size: f.size, modified: f.lastModified });
              } else entries.push({ name: h.name, kind: 'directory' });
            }
            entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1));
            await this.sendListing(m.id, m.path.at(-1) ?? this.root.name, entries);
          } finally {
            this.listing.delete(key);
          }
          return;
        }
        case 'read': {
          const file = await (await (await this.dir(m.path.slice(0, -1))).getFileHandle(m.path.at(-1)!)).getFile();
          await this.track(m.id, 'to_rep', file.name, (signal, onProgress) =>
            sendBytes(this.transport, m.id, { name: file.name, size: file.size, slice: async (a, b) => new Uint8Array(await file.slice(a, b).arrayBuffer()) }, { signal, onProgress }),
          );
          return;
        }
        case 'write': {
          const d = await this.dir(m.path);
          const asked = new AbortController();
          this.asking.set(m.id, asked);
          const gaveUp = new Promise<'cancelled'>((resolve) => asked.signal.addEventListener('abort', () => resolve('cancelled'), { once: true }));
          const allowed = await Promise.race([this.hooks.confirmWrite(m.name, m.size, { id: m.id, path: m.path, signal: asked.signal }), gaveUp]).finally(() =>
            this.asking.delete(m.id),
          );
          // The rep stopped waiting: nothing is written and nobody listens for an answer.
          if (allowed === 'cancelled') return;
          if (allowed !== true) {
            await this.transport.send({ op: 'error', id: m.id, message: allowed || 'The customer did not allow saving this file.' });
            return;
          }
          // getFileHandle(create) makes an empty file at once: one that was not there before goes again if the transfer fails.
          const existed = await d.getFileHandle(m.name).then(
            () => true,
            () => false,
          );
          const handle = await d.getFileHandle(m.name, { create: true });
          const writable = await handle.createWritable();
          let discarded = false;
          const discard = async () => {
            if (discarded) return;
            discarded = true;
            await writable.abort().catch(() => undefined);
            if (!existed) await d.removeEntry(m.name).catch(() => undefined);
          };
          const done = this.track(m.id, 'from_rep', m.name, (signal, onProgress) =>
            receiveBytes(this.transport, m.id, { write: (b) => writable.write(b), commit: () => writable.close(), discard }, { signal, onProgress }),
          );
          await this.transport.send({ op: 'accept', id: m.id });
          await done;
          return;
        }
        case 'cancel':
          // A write still waiting for the customer's answer is withdrawn. A running transfer sees the rep's
          // cancel itself and ends with "the other side stopped" (aborting it here would call it the
          // customer's own Stop and send a cancel back).
          this.asking.get(m.id)?.abort();
          return;
        default:
          return;
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.transport.send({ op: 'error', id: m.id, message: message.slice(0, 400) }).catch(() => undefined);
    }
  }

  /**
   * Sends a listing in pages (folderPages), at most FOLDER_PAGE_WINDOW ahead
   * of the rep's acknowledgements; ends early when the rep cancels, and fails
   * when the rep stops acknowledging (its page went away), so that a later
   * request for the same folder is answered again.
   */
  private async sendListing(id: number, folder: string, entries: FolderEntry[]): Promise<void> {
    const pages = folderPages(entries);
    let acked = 0;
    let cancelled = false;
    let wake: (() => void) | null = null;
    const off = this.transport.onMessage((m) => {
      if (m.id !== id) return;
      if (m.op === 'ack') acked = Math.max(acked, m.received);
      else if (m.op === 'cancel' || m.op === 'error') cancelled = true;
      else return;
      wake?.();
    });
    try {
      for (let page = 0; page < pages.length; page++) {
        while (page - acked >= FOLDER_PAGE_WINDOW && !cancelled) {
          const moved = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), this.opts.pageAckTimeoutMs ?? 15_000);
            wake = () => {
              clearTimeout(timer);
              resolve(true);
            };
          });
          wake = null;
          if (!moved) throw new Error('The folder listing was not read to its end.');
        }
        if (cancelled) return;
        await this.transport.send({ op: 'entries', id, folder, page, more: page < pages.length - 1, entries: pages[page]! });
      }
    } finally {
      off();
    }
  }

  private async track(id: number, direction: HostActivity['direction'], name: string, run: (signal: AbortSignal, onProgress: (p: Progress) => void) => Promise<unknown>): Promise<void> {
    const ac = new AbortController();
    this.running.set(id, ac);
    const report = (a: Omit<HostActivity, 'id' | 'direction' | 'name'>) => this.hooks.onActivity({ id, direction, name, ...a });
    report({ progress: { done: 0, total: 0 }, state: 'running' });
    let last: Progress = { done: 0, total: 0 };
    try {
      await run(ac.signal, (p) => {
        last = p;
        report({ progress: p, state: 'running' });
      });
      report({ progress: last, state: 'done' });
    } catch (err) {
      report({ progress: last, state: 'failed', message: err instanceof Error ? err.message : String(err) });
    } finally {
      this.running.delete(id);
    }
  }

  /** The customer's Stop: every running transfer ends, every question goes. */
  stopAll(): void {
    for (const ac of this.running.values()) ac.abort();
    for (const ac of this.asking.values()) ac.abort();
  }

  close(): void {
    this.stopAll();
    this.off();
  }
}
