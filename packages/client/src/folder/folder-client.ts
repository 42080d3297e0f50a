import type { FolderEntry } from '@rs/protocol';
import { nextMessage, receiveBytes, sendBytes, TransferError, type Progress } from './transfer.js';
import type { FolderTransport } from './transport.js';

/** How often a folder listing is asked for at most while no answer came. */
const LIST_SENDS = 6;

/** The rep's side of FT-2: browse the folder the customer shared and move files both ways. */
export class FolderClient {
  private nextId = 1;

  constructor(
    readonly transport: FolderTransport,
    private readonly opts: { resendListMs?: number } = {},
  ) {}

  private id(): number {
    return this.nextId++;
  }

  /**
   * Lists a folder. While no answer came, the request is sent again (new id,
   * after 1 s, 2 s, … up to LIST_SENDS times): the rep's first request can
   * arrive before the customer's page listens (a slow computer still mounting
   * its side when the channel opens), and nothing else would ever answer it.
   * Listing is harmless to repeat; the first answer to any of the ids counts.
   */
  list(path: string[]): Promise<{ folder: string; entries: FolderEntry[] }> {
    const every = this.opts.resendListMs ?? 1000;
    const ids = new Set<number>();
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = () => {
        off();
        clearTimeout(timer);
      };
      const off = this.transport.onMessage((m) => {
        if (!ids.has(m.id)) return;
        if (m.op === 'entries') {
          finish();
          resolve({ folder: m.folder, entries: m.entries });
        } else if (m.op === 'error' || m.op === 'cancel') {
          finish();
          reject(new TransferError(m.op === 'error' ? m.message : 'The other side stopped the transfer.'));
        }
      });
      const send = () => {
        const id = this.id();
        ids.add(id);
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
    await accepted;
    opts.onAccepted?.();
    await sendBytes(
      this.transport,
      id,
      { name: file.name, size: file.size, slice: async (a, b) => new Uint8Array(await file.slice(a, b).arrayBuffer()) },
      opts,
    );
  }
}
