import type { FolderEntry } from '@rs/protocol';
import { nextMessage, receiveBytes, sendBytes, type Progress } from './transfer.js';
import type { FolderTransport } from './transport.js';

/** The rep's side of FT-2: browse the folder the customer shared and move files both ways. */
export class FolderClient {
  private nextId = 1;

  constructor(readonly transport: FolderTransport) {}

  private id(): number {
    return this.nextId++;
  }

  async list(path: string[]): Promise<{ folder: string; entries: FolderEntry[] }> {
    const id = this.id();
    const reply = nextMessage(this.transport, id, (m) => (m.op === 'entries' ? { folder: m.folder, entries: m.entries } : undefined));
    await this.transport.send({ op: 'list', id, path });
    return reply;
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
