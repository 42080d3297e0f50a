import { FOLDER_LIST_MAX_ENTRIES, type FolderEntry } from '@rs/protocol';
import { nextMessage, receiveBytes, sendBytes, TransferError, type Progress } from './transfer.js';
import type { FolderTransport } from './transport.js';

/** How often a folder listing is asked for at most while no answer came. */
const LIST_SENDS = 6;

/** The rep's side of FT-2: browse the folder the customer shared and move files both ways. */
export class FolderClient {
  private nextId = 1;
  /** Listing requests sent lately; pages for one that no list() waits for (not in `listening`: a repeated request answered late) are cancelled. */
  private readonly listIds = new Set<number>();
  /** Ids of listing requests whose pages a list() call is waiting for. */
  private readonly listening = new Set<number>();

  constructor(
    readonly transport: FolderTransport,
    private readonly opts: { resendListMs?: number; pageTimeoutMs?: number } = {},
  ) {
    // Pages of a listing nobody waits for: the customer's side is told to stop sending them.
    transport.onMessage((m) => {
      if (m.op !== 'entries' || !this.listIds.has(m.id) || this.listening.has(m.id)) return;
      this.listIds.delete(m.id);
      void transport.send({ op: 'cancel', id: m.id }).catch(() => undefined);
    });
  }

  private id(): number {
    return this.nextId++;
  }

  /**
   * Lists a folder. The customer's side answers in pages (`entries` with
   * `page` and `more`, FOLDER_PAGE_ENTRIES), which are acknowledged and put
   * together here; a page out of order (one was lost or refused by the
   * schema), too many entries in all, or no next page for a while ends the
   * listing with a TransferError.
   *
   * While no answer came, the request is sent again (new id, after 1 s, 2 s,
   * … up to LIST_SENDS times): the rep's first request can arrive before the
   * customer's page listens (a slow computer still mounting its side when the
   * channel opens), and nothing else would ever answer it. Listing is
   * harmless to repeat; the first answer to any of the ids counts, and pages
   * for the others are cancelled.
   */
  list(path: string[]): Promise<{ folder: string; entries: FolderEntry[] }> {
    const every = this.opts.resendListMs ?? 1000;
    const ids = new Set<number>();
    let chosen: number | null = null;
    const entries: FolderEntry[] = [];
    let folder = '';
    let pages = 0;
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let stall: ReturnType<typeof setTimeout> | undefined;
      const finish = () => {
        off();
        clearTimeout(timer);
        clearTimeout(stall);
        for (const id of ids) this.listening.delete(id);
        if (chosen !== null) this.listIds.delete(chosen);
      };
      const fail = (err: Error) => {
        finish();
        // The customer's side stops sending the rest.
        if (chosen !== null) void this.transport.send({ op: 'cancel', id: chosen }).catch(() => undefined);
        reject(err);
      };
      const off = this.transport.onMessage((m) => {
        if (!ids.has(m.id) || (chosen !== null && m.id !== chosen)) return;
        if (m.op === 'entries') {
          clearTimeout(timer);
          if (chosen === null) {
            chosen = m.id;
            for (const id of ids) if (id !== chosen) this.listening.delete(id);
          }
          if (m.page !== pages) return fail(new TransferError('The folder listing arrived incomplete (a part is missing). Open the folder again.'));
          if (entries.length + m.entries.length > FOLDER_LIST_MAX_ENTRIES) return fail(new TransferError(`This folder has more than ${FOLDER_LIST_MAX_ENTRIES} entries, too many to list.`));
          if (pages === 0) folder = m.folder;
          for (const e of m.entries) entries.push(e);
          pages += 1;
          if (!m.more) {
            finish();
            resolve({ folder, entries });
            return;
          }
          this.transport.send({ op: 'ack', id: m.id, received: pages }).catch((err: unknown) => fail(err instanceof Error ? err : new TransferError(String(err))));
          clearTimeout(stall);
          stall = setTimeout(() => fail(new TransferError('The folder listing stopped arriving. Open the folder again.')), this.opts.pageTimeoutMs ?? 30_000);
        } else if (m.op === 'error' || m.op === 'cancel') {
          finish();
          reject(new TransferError(m.op === 'error' ? m.message : 'The other side stopped the transfer.'));
        }
      });
      const send = () => {
        const id = this.id();
        ids.add(id);
        this.listIds.add(id);
        // Only recent requests can still be answered late; the set does not grow without end.
        if (this.listIds.size > 256) this.listIds.delete(this.listIds.values().next().value!);
        this.listening.add(id);
        this.transport.send({ op: 'list', id, path }).catch((err: unknown) => {
          finish();
          reject(err instanceof Error ? err : new TransferError(String(err)));
        });
        if (ids.size < LIST_SENDS) timer = setTimeout(send, every * ids.size);
      };
      send();
    });
  }

  /** Downloads one file from the customer's folder; the bytes are checked against the sender's SHA-256. */
  async download(path: string[], opts: { onProgress?: (p: Progress) => void; signal?: AbortSignal } = {}): Promise<Blob> {
    const id = this.id();
    const parts: Uint8Array[] = [];
    const done = receiveBytes(
      this.transport,
      id,
      {
        write: async (b) => {
          parts.push(b.slice());
        },
        commit: async () => undefined,
        discard: async () => {
          parts.length = 0;
        },
      },
      opts,
    );
    await this.transport.send({ op: 'read', id, path });
    await done;
    return new Blob(parts as Uint8Array<ArrayBuffer>[]);
  }

  /** Uploads into a folder of the customer's; their browser asks them first. */
  async upload(dir: string[], file: Blob & { name: string }, opts: { onProgress?: (p: Progress) => void; signal?: AbortSignal; onAccepted?: () => void } = {}): Promise<void> {
    const id = this.id();
    const accepted = nextMessage(this.transport, id, (m) => (m.op === 'accept' ? true : undefined), opts.signal);
    await this.transport.send({ op: 'write', id, path: dir, name: file.name, size: file.size });
    await accepted.catch((err: unknown) => {
      // Given up before the customer answered: their question is withdrawn.
      if (opts.signal?.aborted) void this.transport.send({ op: 'cancel', id }).catch(() => undefined);
      throw err;
    });
    opts.onAccepted?.();
    await sendBytes(
      this.transport,
      id,
      { name: file.name, size: file.size, slice: async (a, b) => new Uint8Array(await file.slice(a, b).arrayBuffer()) },
      opts,
    );
  }
}
