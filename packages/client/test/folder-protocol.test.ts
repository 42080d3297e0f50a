/**
 * FT-2's folder protocol end to end in memory: FolderClient (the rep) against
 * FolderHost (the customer) over the product's own transports,
 * dataChannelTransport on a fake RTCDataChannel pair and relayTransport on a
 * fake server relay, with a wire between them that the test pumps, holds,
 * tampers with and writes hostile frames into. The folder is a Map-based
 * stand-in for a FileSystemDirectoryHandle (the browser e2e test covers the
 * real API): it records every name it was asked for and every write it saw.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import {
  FOLDER_CHUNK_BYTES,
  FOLDER_LIST_MAX_ENTRIES,
  FOLDER_PAGE_BYTES,
  FOLDER_PAGE_ENTRIES,
  FOLDER_PAGE_WINDOW,
  FOLDER_TEXT_MAX_CHARS,
  FolderMessage,
  LIMITS,
  RELAY_CHUNK_BYTES,
  SignalOut,
} from '@rs/protocol';
import type { SessionClient } from '../src/index.js';
import {
  FolderClient,
  FolderHost,
  TransferError,
  dataChannelTransport,
  folderPages,
  relayTransport,
  type DirectoryHandleLike,
  type FileHandleLike,
  type FolderTransport,
  type HostActivity,
} from '../src/folder/index.js';

type Kind = FolderTransport['kind'];
type Dir = 'to-customer' | 'to-rep';
/** Ids as the server makes them (16 random bytes, base64url). */
const newId = () => crypto.randomBytes(16).toString('base64url');
const REP = newId();
const CUSTOMER = newId();
const ACTIVITY = newId();
/** The sender's acknowledgement window (transfer.ts): 32 chunks on a data channel, 8 through the server. */
const WINDOW: Record<Kind, number> = { datachannel: 32 * FOLDER_CHUNK_BYTES, relay: 8 * RELAY_CHUNK_BYTES };
const CHUNK: Record<Kind, number> = { datachannel: FOLDER_CHUNK_BYTES, relay: RELAY_CHUNK_BYTES };

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const bytes = (n: number) => new Uint8Array(crypto.randomBytes(n));
const turn = () => new Promise<void>((r) => setImmediate(r));

// ------------------------------------------------------------------ the folder

/** Everything the fake folder was asked for, in order ("dir:name", "file:name", "remove:name"). */
type CallLog = string[];

class MemFile implements FileHandleLike {
  readonly kind = 'file' as const;
  commits = 0;
  aborts = 0;
  constructor(
    readonly name: string,
    public data: Uint8Array,
    public modified: number,
  ) {}
  async getFile(): Promise<File> {
    return new File([this.data as Uint8Array<ArrayBuffer>], this.name, { lastModified: this.modified });
  }
  /** Like the real API: writes go to a swap file that replaces the file on close() only. */
  async createWritable() {
    const parts: Uint8Array[] = [];
    let open = true;
    return {
      write: async (d: Uint8Array) => {
        assert.ok(open, 'write after close/abort');
        parts.push(d.slice());
      },
      close: async () => {
        assert.ok(open, 'close after close/abort');
        open = false;
        this.data = Buffer.concat(parts);
        this.modified = Date.now();
        this.commits += 1;
      },
      abort: async () => {
        open = false;
        this.aborts += 1;
      },
    };
  }
}

class MemDir implements DirectoryHandleLike {
  readonly kind = 'directory' as const;
  readonly children = new Map<string, MemDir | MemFile>();
  constructor(
    readonly name: string,
    readonly log: CallLog,
  ) {}
  async getDirectoryHandle(name: string): Promise<MemDir> {
    this.log.push(`dir:${name}`);
    const c = this.children.get(name);
    if (c instanceof MemDir) return c;
    throw new DOMException(`A requested file or directory could not be found: ${name}`, c ? 'TypeMismatchError' : 'NotFoundError');
  }
  async getFileHandle(name: string, opts: { create?: boolean } = {}): Promise<MemFile> {
    this.log.push(`file:${name}${opts.create ? '+create' : ''}`);
    const c = this.children.get(name);
    if (c instanceof MemFile) return c;
    if (c) throw new DOMException('The path supplied exists, but was not an entry of requested type.', 'TypeMismatchError');
    if (!opts.create) throw new DOMException(`A requested file or directory could not be found: ${name}`, 'NotFoundError');
    // Like the real API: the (empty) file exists from here on.
    const f = new MemFile(name, new Uint8Array(0), Date.now());
    this.children.set(name, f);
    return f;
  }
  async removeEntry(name: string): Promise<void> {
    this.log.push(`remove:${name}`);
    if (!this.children.delete(name)) throw new DOMException('not found', 'NotFoundError');
  }
  async *values(): AsyncIterable<MemDir | MemFile> {
    yield* [...this.children.values()];
  }
  dir(name: string): MemDir {
    const d = new MemDir(name, this.log);
    this.children.set(name, d);
    return d;
  }
  file(name: string, data: Uint8Array, modified = Date.UTC(2025, 4, 6, 7, 8, 9)): MemFile {
    const f = new MemFile(name, data, modified);
    this.children.set(name, f);
    return f;
  }
}

// ------------------------------------------------------------------ the wire

interface Frame {
  dir: Dir;
  /** A data channel's frame (text or binary) or the `data` of a relay signal. */
  data: string | Uint8Array;
  from: string;
  /** Written by the test, not sent by an end's transport. */
  injected?: boolean;
}

/**
 * Frames in flight between the two ends. Nothing moves until the test pumps;
 * `filter` sees each frame as it enters the wire and may change or drop it.
 */
class Wire {
  readonly queue: Frame[] = [];
  readonly sent: Frame[] = [];
  filter: ((f: Frame) => Frame | null) | null = null;
  /** Held directions are not delivered by the pump (their frames wait in the queue). */
  readonly held = new Set<Dir>();
  deliverTo: Record<Dir, (f: Frame) => void> = { 'to-customer': () => undefined, 'to-rep': () => undefined };
  /** Relay only: signals the server would refuse (payload over its limit). */
  readonly refused: string[] = [];

  put(f: Frame): void {
    this.sent.push(f);
    const g = this.filter ? this.filter(f) : f;
    if (g) this.queue.push(g);
  }

  /** Writes a frame as if the other side had sent it (bypassing that side's transport). */
  inject(dir: Dir, data: string | Uint8Array, from = dir === 'to-customer' ? REP : CUSTOMER): void {
    this.queue.push({ dir, data, from, injected: true });
  }

  private deliverOne(): boolean {
    const i = this.queue.findIndex((f) => !this.held.has(f.dir));
    if (i < 0) return false;
    const [f] = this.queue.splice(i, 1);
    this.deliverTo[f!.dir](f!);
    return true;
  }

  /** Delivers frames one by one, letting both ends run in between, until `done()`; fails after a deadline. */
  async pumpUntil(what: string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      this.deliverOne();
      await turn();
      if (Date.now() > deadline) assert.fail(`pump: timed out waiting for ${what} (${this.queue.length} frames queued)`);
    }
  }

  /** Pumps until `p` settles; resolves or rejects like it. */
  async settle<T>(p: Promise<T>, timeoutMs?: number): Promise<T> {
    let settled = false;
    p.then(
      () => (settled = true),
      () => (settled = true),
    );
    await this.pumpUntil('a promise to settle', () => settled, timeoutMs);
    return p;
  }

  /** Pumps until nothing deliverable is left and nothing new appeared for a number of event-loop turns. */
  async drain(turns = 50): Promise<void> {
    let idle = 0;
    await this.pumpUntil('the wire to go quiet', () => {
      if (this.queue.some((f) => !this.held.has(f.dir))) idle = 0;
      else idle += 1;
      return idle >= turns;
    });
  }
}

/** Just enough of RTCDataChannel for dataChannelTransport: events, bufferedAmount, send. */
class FakeChannel extends EventTarget {
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  /** Present as in a browser, so the transport waits for the `bufferedamountlow` event. */
  onbufferedamountlow: ((ev: Event) => void) | null = null;
  binaryType: BinaryType = 'arraybuffer';
  constructor(
    private readonly wire: Wire,
    private readonly dir: Dir,
    private readonly me: string,
  ) {
    super();
  }
  send(data: string | ArrayBufferView): void {
    if (this.readyState !== 'open') throw new DOMException('closed', 'InvalidStateError');
    const copy = typeof data === 'string' ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.bufferedAmount += typeof copy === 'string' ? copy.length : copy.byteLength;
    this.wire.put({ dir: this.dir, data: copy, from: this.me });
  }
  /** The frame left the sender's buffer. */
  drained(size: number): void {
    const before = this.bufferedAmount;
    this.bufferedAmount -= size;
    if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) this.dispatchEvent(new Event('bufferedamountlow'));
  }
  receive(data: string | Uint8Array): void {
    const payload = typeof data === 'string' ? data : data.slice().buffer;
    this.dispatchEvent(new MessageEvent('message', { data: payload }));
  }
}

interface Ends {
  wire: Wire;
  rep: FolderTransport;
  customer: FolderTransport;
}

function dataChannelPair(): Ends {
  const wire = new Wire();
  const repCh = new FakeChannel(wire, 'to-customer', REP);
  const custCh = new FakeChannel(wire, 'to-rep', CUSTOMER);
  const size = (d: string | Uint8Array) => (typeof d === 'string' ? d.length : d.byteLength);
  wire.deliverTo = {
    'to-customer': (f) => {
      if (!f.injected) repCh.drained(size(f.data));
      custCh.receive(f.data);
    },
    'to-rep': (f) => {
      if (!f.injected) custCh.drained(size(f.data));
      repCh.receive(f.data);
    },
  };
  return {
    wire,
    rep: dataChannelTransport(repCh as unknown as RTCDataChannel),
    customer: dataChannelTransport(custCh as unknown as RTCDataChannel),
  };
}

function relayPair(): Ends {
  const wire = new Wire();
  const subscribers: Record<string, Set<(from: string, data: string) => void>> = { [REP]: new Set(), [CUSTOMER]: new Set() };
  const end = (me: string, peer: string, dir: Dir) => {
    const client = {
      sendSignal(activityId: string, to: string, payload: unknown) {
        assert.equal(activityId, ACTIVITY);
        assert.equal(to, peer);
        // What the server checks before relaying: one text frame of at most LIMITS.frameBytes, a valid signal.
        const frame = JSON.stringify({ type: 'signal', activityId, to, payload });
        const p = SignalOut.safeParse(JSON.parse(frame));
        if (frame.length > LIMITS.frameBytes || !p.success || p.data.payload.kind !== 'relay') {
          wire.refused.push(frame.slice(0, 200));
          return;
        }
        wire.put({ dir, data: p.data.payload.data, from: me });
      },
    } as unknown as SessionClient;
    const subscribe = (cb: (from: string, data: string) => void) => {
      subscribers[me]!.add(cb);
      return () => subscribers[me]!.delete(cb);
    };
    return relayTransport(client, ACTIVITY, peer, subscribe);
  };
  wire.deliverTo = {
    'to-customer': (f) => subscribers[CUSTOMER]!.forEach((cb) => cb(f.from, f.data as string)),
    'to-rep': (f) => subscribers[REP]!.forEach((cb) => cb(f.from, f.data as string)),
  };
  return { wire, rep: end(REP, CUSTOMER, 'to-customer'), customer: end(CUSTOMER, REP, 'to-rep') };
}

/** Watches what a transport end passes on: the messages its listeners get, and the bytes it sends versus the acks it got. */
function spy(t: FolderTransport) {
  const seen: FolderMessage[] = [];
  const chunkBytes = new Map<number, number>();
  const acked = new Map<number, number>();
  let maxUnacked = 0;
  /** Listing pages sent ahead of the acknowledgements (received = pages), at most. */
  let maxPagesAhead = 0;
  // Each message the end receives, once (however many listeners it has).
  t.onMessage((m) => {
    seen.push(m);
    if (m.op === 'ack') acked.set(m.id, Math.max(acked.get(m.id) ?? 0, m.received));
  });
  const wrapped: FolderTransport = {
    kind: t.kind,
    async send(m, d) {
      if (m.op === 'chunk' && d) {
        const sent = (chunkBytes.get(m.id) ?? 0) + d.byteLength;
        chunkBytes.set(m.id, sent);
        maxUnacked = Math.max(maxUnacked, sent - (acked.get(m.id) ?? 0));
      }
      if (m.op === 'entries') maxPagesAhead = Math.max(maxPagesAhead, m.page + 1 - (acked.get(m.id) ?? 0));
      return t.send(m, d);
    },
    onMessage(cb) {
      return t.onMessage(cb);
    },
  };
  return {
    transport: wrapped,
    seen,
    sentBytes: (id: number) => chunkBytes.get(id) ?? 0,
    acked: (id: number) => acked.get(id) ?? 0,
    maxUnacked: () => maxUnacked,
    maxPagesAhead: () => maxPagesAhead,
  };
}

// ------------------------------------------------------------------ one rep, one customer

function setup(
  kind: Kind,
  opts: { confirm?: (name: string, size: number) => Promise<boolean> | boolean; resendListMs?: number; pageTimeoutMs?: number; pageAckTimeoutMs?: number } = {},
) {
  const ends = kind === 'datachannel' ? dataChannelPair() : relayPair();
  const log: CallLog = [];
  const root = new MemDir('Shared', log);
  const repSide = spy(ends.rep);
  const custSide = spy(ends.customer);
  const activities: HostActivity[] = [];
  const asked: { name: string; size: number }[] = [];
  const host = new FolderHost(
    root,
    custSide.transport,
    {
      confirmWrite: async (name, size) => {
        asked.push({ name, size });
        return opts.confirm ? opts.confirm(name, size) : true;
      },
      onActivity: (a) => activities.push(structuredClone(a)),
    },
    opts.pageAckTimeoutMs ? { pageAckTimeoutMs: opts.pageAckTimeoutMs } : {},
  );
  const client = new FolderClient(repSide.transport, {
    ...(opts.resendListMs ? { resendListMs: opts.resendListMs } : {}),
    ...(opts.pageTimeoutMs ? { pageTimeoutMs: opts.pageTimeoutMs } : {}),
  });
  const last = (id: number) => activities.filter((a) => a.id === id).at(-1);
  return { ...ends, log, root, repSide, custSide, host, client, activities, asked, last };
}

/** Flips one byte of the first file-data frame heading `dir`, whichever way the transport carries it. */
function tamperFirstChunk(kind: Kind, dir: Dir): (f: Frame) => Frame | null {
  let done = false;
  return (f) => {
    if (done || f.dir !== dir) return f;
    if (kind === 'datachannel') {
      if (typeof f.data === 'string') return f;
      const d = f.data.slice();
      d[4 + 10] = d[4 + 10]! ^ 0xff;
      done = true;
      return { ...f, data: d };
    }
    const m = JSON.parse(f.data as string) as { op: string; b64: string };
    if (m.op !== 'chunk') return f;
    const raw = Buffer.from(m.b64, 'base64');
    raw[10] = raw[10]! ^ 0xff;
    done = true;
    return { ...f, data: JSON.stringify({ ...m, b64: raw.toString('base64') }) };
  };
}

const isChunkFrame = (kind: Kind, f: Frame) => (kind === 'datachannel' ? typeof f.data !== 'string' : (JSON.parse(f.data as string) as { op: string }).op === 'chunk');

for (const kind of ['datachannel', 'relay'] as const) {
  describe(`FT-2 folder protocol over the ${kind === 'datachannel' ? 'data channel' : 'server relay'}`, () => {
    test('list: the root and a subfolder, directories first, with sizes and dates; a missing folder is an error', async () => {
      const s = setup(kind);
      s.root.file('b.txt', bytes(10), Date.UTC(2024, 0, 2));
      s.root.file('a.bin', bytes(1234), Date.UTC(2024, 0, 1));
      s.root.dir('zlogs').file('app.log', bytes(77));
      s.root.dir('docs');
      const top = await s.wire.settle(s.client.list([]));
      assert.equal(top.folder, 'Shared');
      assert.deepEqual(top.entries, [
        { name: 'docs', kind: 'directory' },
        { name: 'zlogs', kind: 'directory' },
        { name: 'a.bin', kind: 'file', size: 1234, modified: Date.UTC(2024, 0, 1) },
        { name: 'b.txt', kind: 'file', size: 10, modified: Date.UTC(2024, 0, 2) },
      ]);
      const sub = await s.wire.settle(s.client.list(['zlogs']));
      assert.equal(sub.folder, 'zlogs');
      assert.deepEqual(
        sub.entries.map((e) => [e.name, e.size]),
        [['app.log', 77]],
      );
      await assert.rejects(s.wire.settle(s.client.list(['nope'])), (e: unknown) => e instanceof TransferError && /could not be found/.test(e.message));
      // A file is not a folder.
      await assert.rejects(s.wire.settle(s.client.list(['a.bin'])), TransferError);
    });

    test('a listing request lost before the customer’s side listens is asked again, and answered once', async () => {
      const s = setup(kind, { resendListMs: 30 });
      s.root.file('a.txt', bytes(5));
      let dropped = 0;
      // The first two requests find nobody listening yet.
      s.wire.filter = (f) => (f.dir === 'to-customer' && dropped < 2 ? (dropped++, null) : f);
      const r = await s.wire.settle(s.client.list([]));
      assert.deepEqual(
        r.entries.map((e) => e.name),
        ['a.txt'],
      );
      assert.equal(dropped, 2);
      await s.wire.drain();
      assert.equal(s.custSide.seen.filter((m) => m.op === 'list').length, 1, 'asked again only until it was answered');
      // A later listing that is answered at once is sent once.
      await s.wire.settle(s.client.list([]));
      await s.wire.drain();
      assert.equal(s.custSide.seen.filter((m) => m.op === 'list').length, 2);
    });

    test('a slow listing is not done again for each repeated request: one listing answers them', async () => {
      const s = setup(kind, { resendListMs: 20 });
      s.root.file('a.txt', bytes(5));
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let listings = 0;
      const values = s.root.values.bind(s.root);
      s.root.values = async function* () {
        listings += 1;
        await gate;
        yield* values();
      };
      const r = s.client.list([]);
      await s.wire.pumpUntil('the rep to ask three times', () => s.custSide.seen.filter((m) => m.op === 'list').length >= 3);
      // Whatever the rep sends from now on stays on the wire: only the listing under way answers.
      s.wire.held.add('to-customer');
      release();
      assert.deepEqual(
        (await s.wire.settle(r)).entries.map((e) => e.name),
        ['a.txt'],
      );
      assert.equal(listings, 1, 'the folder was listed once for three requests');
      assert.equal(s.repSide.seen.filter((m) => m.op === 'entries').length, 1, 'one answer');
    });

    for (const size of [0, 1, 1000, CHUNK[kind], CHUNK[kind] + 1, 3 * 1024 * 1024 + 17]) {
      test(`download of ${size} bytes: the bytes and their SHA-256 arrive intact`, async () => {
        const s = setup(kind);
        const data = bytes(size);
        s.root.dir('deep').dir('er').file('file.bin', data);
        const progress: number[] = [];
        const blob = await s.wire.settle(s.client.download(['deep', 'er', 'file.bin'], { onProgress: (p) => progress.push(p.done) }));
        const got = new Uint8Array(await blob.arrayBuffer());
        assert.equal(got.byteLength, size);
        assert.equal(sha256(got), sha256(data));
        if (size > 0) assert.equal(progress.at(-1), size);
        const chunks = s.wire.sent.filter((f) => f.dir === 'to-rep' && isChunkFrame(kind, f)).length;
        assert.equal(chunks, Math.ceil(size / CHUNK[kind]), 'chunks of the transport’s size');
        // The customer's side ends when the rep's "done" reaches it.
        await s.wire.pumpUntil('the customer’s side to finish', () => s.last(1)?.state !== 'running');
        const done = s.last(1);
        assert.equal(done?.state, 'done');
        assert.equal(done?.direction, 'to_rep');
        assert.equal(s.repSide.maxUnacked(), 0, 'the rep sent no file data');
        assert.ok(s.custSide.maxUnacked() <= WINDOW[kind]);
      });
    }

    test('download of a missing file or a folder is refused with the customer’s error', async () => {
      const s = setup(kind);
      s.root.dir('logs');
      await assert.rejects(s.wire.settle(s.client.download(['missing.txt'])), /could not be found/);
      await assert.rejects(s.wire.settle(s.client.download(['logs'])), TransferError);
    });

    for (const size of [0, 5000, 3 * 1024 * 1024 + 5]) {
      test(`upload of ${size} bytes after the customer allows it: written intact and committed once`, async () => {
        const s = setup(kind);
        const target = s.root.dir('inbox');
        const data = bytes(size);
        let accepted = false;
        await s.wire.settle(s.client.upload(['inbox'], new File([data], 'fix.reg'), { onAccepted: () => (accepted = true) }));
        assert.ok(accepted);
        assert.deepEqual(s.asked, [{ name: 'fix.reg', size }]);
        const f = target.children.get('fix.reg');
        assert.ok(f instanceof MemFile);
        assert.equal(sha256(f.data), sha256(data));
        assert.equal(f.commits, 1);
        assert.equal(f.aborts, 0);
        assert.equal(s.last(1)?.state, 'done');
        assert.equal(s.last(1)?.direction, 'from_rep');
        assert.ok(s.repSide.maxUnacked() <= WINDOW[kind]);
      });
    }

    test('upload the customer denies: rejected with their refusal, nothing asked of the folder, nothing written', async () => {
      const s = setup(kind, { confirm: () => false });
      s.root.file('keep.txt', bytes(3));
      const before = s.log.length;
      await assert.rejects(s.wire.settle(s.client.upload([], new File([bytes(100_000)], 'evil.exe'))), (e: unknown) => e instanceof TransferError && e.message === 'The customer did not allow saving this file.');
      assert.deepEqual(s.asked, [{ name: 'evil.exe', size: 100_000 }]);
      assert.deepEqual([...s.root.children.keys()], ['keep.txt']);
      assert.deepEqual(s.log.slice(before), [], 'no file handle was even asked for');
      assert.equal(s.wire.sent.filter((f) => isChunkFrame(kind, f)).length, 0, 'no file data was sent');
    });

    test('a chunk damaged in transit to the rep: the rep reports a SHA-256 mismatch, so does the customer', async () => {
      const s = setup(kind);
      s.root.file('report.pdf', bytes(300_000));
      s.wire.filter = tamperFirstChunk(kind, 'to-rep');
      await assert.rejects(s.wire.settle(s.client.download(['report.pdf'])), (e: unknown) => e instanceof TransferError && /SHA-256 mismatch/.test(e.message));
      await s.wire.pumpUntil('the customer’s side to fail', () => s.last(1)?.state === 'failed');
      assert.match(s.last(1)?.message ?? '', /SHA-256 mismatch/);
    });

    test('a chunk damaged in transit to the customer: mismatch reported, nothing committed, the swap discarded, no new file left', async () => {
      const s = setup(kind);
      const old = bytes(999);
      const existing = s.root.file('existing.bin', old);
      s.wire.filter = tamperFirstChunk(kind, 'to-customer');
      await assert.rejects(s.wire.settle(s.client.upload([], new File([bytes(200_000)], 'new.bin'))), /SHA-256 mismatch/);
      await s.wire.pumpUntil('the customer’s side to fail', () => s.last(1)?.state === 'failed');
      assert.equal(s.root.children.has('new.bin'), false, 'the file that did not exist before is gone again');
      // Over an existing file: the damaged upload leaves the old content.
      s.wire.filter = tamperFirstChunk(kind, 'to-customer');
      await assert.rejects(s.wire.settle(s.client.upload([], new File([bytes(200_000)], 'existing.bin'))), /SHA-256 mismatch/);
      await s.wire.pumpUntil('the customer’s side to fail', () => s.last(2)?.state === 'failed');
      assert.equal(s.root.children.get('existing.bin'), existing);
      assert.equal(existing.commits, 0);
      assert.equal(existing.aborts >= 1, true, 'discarded');
      assert.equal(sha256(existing.data), sha256(old));
    });

    test('a chunk lost in transit: the receiver notices the missing bytes and fails', async () => {
      const s = setup(kind);
      s.root.file('a.bin', bytes(4 * CHUNK[kind]));
      let dropped = false;
      s.wire.filter = (f) => {
        if (!dropped && f.dir === 'to-rep' && isChunkFrame(kind, f)) {
          dropped = true;
          return null;
        }
        return f;
      };
      await assert.rejects(s.wire.settle(s.client.download(['a.bin'])), /SHA-256 mismatch/);
    });

    test('the rep stops a download midway: both sides stop, the customer sends no more data', async () => {
      const s = setup(kind);
      s.root.file('big.bin', bytes(8 * 1024 * 1024));
      const ac = new AbortController();
      let received = 0;
      const dl = s.client.download(['big.bin'], { signal: ac.signal, onProgress: (p) => (received = p.done) });
      dl.catch(() => undefined);
      await s.wire.pumpUntil('some bytes to arrive', () => received > 0);
      ac.abort();
      await assert.rejects(s.wire.settle(dl), (e: unknown) => e instanceof TransferError && e.message === 'Stopped.');
      await s.wire.pumpUntil('the customer’s side to stop', () => s.last(1)?.state === 'failed');
      assert.equal(s.last(1)?.message, 'The other side stopped the transfer.', 'the customer is told the rep stopped it');
      await s.wire.drain();
      assert.equal(s.repSide.seen.filter((m) => m.op === 'cancel').length, 0, 'no cancel echoed back to the rep');
      const chunksSent = s.custSide.sentBytes(1);
      assert.ok(chunksSent < 8 * 1024 * 1024, 'not everything was sent');
      await s.wire.drain();
      assert.equal(s.custSide.sentBytes(1), chunksSent, 'nothing more after the stop');
      // The folder still answers.
      assert.equal((await s.wire.settle(s.client.list([]))).entries.length, 1);
    });

    test('the customer stops a download midway (Stop folder access): the rep’s download fails, the customer sends no more', async () => {
      const s = setup(kind);
      s.root.file('big.bin', bytes(8 * 1024 * 1024));
      let received = 0;
      const dl = s.client.download(['big.bin'], { onProgress: (p) => (received = p.done) });
      dl.catch(() => undefined);
      await s.wire.pumpUntil('some bytes to arrive', () => received > 0);
      s.host.stopAll();
      await assert.rejects(s.wire.settle(dl), (e: unknown) => e instanceof TransferError && e.message === 'The other side stopped the transfer.');
      await s.wire.drain();
      assert.equal(s.last(1)?.state, 'failed');
      assert.equal(s.last(1)?.message, 'Stopped.');
      const sent = s.custSide.sentBytes(1);
      assert.ok(sent < 8 * 1024 * 1024);
      await s.wire.drain();
      assert.equal(s.custSide.sentBytes(1), sent);
    });

    test('the rep stops an upload midway: the customer discards it and no file is left', async () => {
      const s = setup(kind);
      const ac = new AbortController();
      let sent = 0;
      const up = s.client.upload([], new File([bytes(6 * 1024 * 1024)], 'big.iso'), { signal: ac.signal, onProgress: (p) => (sent = p.done) });
      up.catch(() => undefined);
      await s.wire.pumpUntil('some bytes to be sent', () => sent > 0);
      ac.abort();
      await assert.rejects(s.wire.settle(up), (e: unknown) => e instanceof TransferError && e.message === 'Stopped.');
      await s.wire.pumpUntil('the customer’s side to stop', () => s.last(1)?.state === 'failed');
      assert.equal(s.last(1)?.message, 'The other side stopped the transfer.');
      await s.wire.drain();
      assert.equal(s.root.children.has('big.iso'), false);
      assert.ok(s.repSide.sentBytes(1) < 6 * 1024 * 1024);
    });

    test('the customer stops an upload midway: the rep’s upload fails and no file is left', async () => {
      const s = setup(kind);
      let sent = 0;
      const up = s.client.upload([], new File([bytes(6 * 1024 * 1024)], 'big.iso'), { onProgress: (p) => (sent = p.done) });
      up.catch(() => undefined);
      await s.wire.pumpUntil('some bytes to be sent', () => sent > 0);
      s.host.stopAll();
      await assert.rejects(s.wire.settle(up), (e: unknown) => e instanceof TransferError && e.message === 'The other side stopped the transfer.');
      await s.wire.drain();
      assert.equal(s.last(1)?.state, 'failed');
      assert.equal(s.last(1)?.message, 'Stopped.');
      assert.equal(s.root.children.has('big.iso'), false);
      const sentBytes = s.repSide.sentBytes(1);
      await s.wire.drain();
      assert.equal(s.repSide.sentBytes(1), sentBytes, 'the rep sends no more');
    });

    test(`flow control: the sender stops at the window (${WINDOW[kind] / 1024} KiB unacknowledged) until acknowledgements come, both ways`, async () => {
      const s = setup(kind);
      const size = 3 * WINDOW[kind] + 12345;
      s.root.file('big.bin', bytes(size));
      // Acknowledgements to the customer are held: the customer must stop at one window.
      s.wire.held.add('to-customer');
      const dl = s.client.download(['big.bin']);
      // The read request itself goes to the customer: let it through, then hold again.
      s.wire.held.delete('to-customer');
      await s.wire.pumpUntil('the read request to be delivered', () => s.custSide.seen.some((m) => m.op === 'read'));
      s.wire.held.add('to-customer');
      await s.wire.pumpUntil('one window to be sent', () => s.custSide.sentBytes(1) >= WINDOW[kind]);
      await s.wire.drain();
      assert.equal(s.custSide.sentBytes(1), WINDOW[kind], 'stalled at exactly one window');
      assert.equal(s.custSide.maxUnacked(), WINDOW[kind]);
      s.wire.held.clear();
      const blob = await s.wire.settle(dl);
      assert.equal(blob.size, size);
      assert.ok(s.custSide.maxUnacked() <= WINDOW[kind], `at most one window unacknowledged (max ${s.custSide.maxUnacked()})`);

      // The other way: the rep uploading stops at one window while the customer's acks are held.
      s.wire.held.add('to-rep');
      const up = s.client.upload([], new File([bytes(size)], 'up.bin'));
      s.wire.held.clear();
      await s.wire.pumpUntil('the upload to be accepted', () => s.repSide.seen.some((m) => m.op === 'accept'));
      s.wire.held.add('to-rep');
      await s.wire.pumpUntil('one window to be sent', () => s.repSide.sentBytes(2) >= WINDOW[kind]);
      await s.wire.drain();
      assert.equal(s.repSide.sentBytes(2), WINDOW[kind]);
      s.wire.held.clear();
      await s.wire.settle(up);
      assert.ok(s.repSide.maxUnacked() <= WINDOW[kind], `at most one window unacknowledged (max ${s.repSide.maxUnacked()})`);
      assert.equal((s.root.children.get('up.bin') as MemFile).data.byteLength, size);
    });

    test('hostile frames from the rep’s side are dropped by FolderMessage parsing and never reach the host or the folder', async () => {
      const s = setup(kind);
      s.root.file('secret.txt', bytes(10));
      const hostile: unknown[] = [
        { op: 'list', id: 1, path: ['..'] },
        { op: 'list', id: 2, path: ['.'] },
        { op: 'list', id: 3, path: ['a/b'] },
        { op: 'list', id: 4, path: ['..\\..\\Windows'] },
        { op: 'list', id: 5, path: ['/etc'] },
        { op: 'list', id: 6, path: ['ok', 'new\nline'] },
        { op: 'list', id: 7, path: ['nul\u0000byte'] },
        { op: 'list', id: 8, path: ['del\u007f'] },
        { op: 'list', id: 9, path: [''] },
        { op: 'list', id: 10, path: ['x'.repeat(256)] },
        { op: 'list', id: 11, path: Array.from({ length: 33 }, () => 'a') },
        { op: 'list', id: 12, path: '..' },
        { op: 'read', id: 13, path: ['..', 'secret.txt'] },
        { op: 'read', id: 14, path: [] },
        { op: 'read', id: 15, path: ['../secret.txt'] },
        { op: 'write', id: 16, path: [], name: '..', size: 1 },
        { op: 'write', id: 17, path: ['..'], name: 'x', size: 1 },
        { op: 'write', id: 18, path: [], name: 'a/b', size: 1 },
        { op: 'write', id: 19, path: [], name: 'x', size: -1 },
        { op: 'write', id: 20, path: [], name: 'x', size: 1.5 },
        { op: 'delete', id: 21, path: ['secret.txt'] },
        { op: 'exec', id: 22, cmd: 'rm -rf /' },
        { op: 'list', id: 0, path: [] },
        { op: 'list', id: 2 ** 31 + 1, path: [] },
        { op: 'list', id: 1.5, path: [] },
        { op: 'list', path: [] },
        { op: 'chunk', id: 23, b64: 'A'.repeat(RELAY_CHUNK_BYTES * 2 + 4) },
        { op: 'error', id: 24, message: 'x'.repeat(501) },
        { op: 'entries', id: 25, folder: 'x', page: 0, more: false, entries: Array.from({ length: FOLDER_PAGE_ENTRIES + 1 }, () => ({ name: 'f', kind: 'file' })) },
        { op: 'entries', id: 25, folder: 'x', entries: [] },
        { op: 'entries', id: 25, folder: 'x', page: -1, more: false, entries: [] },
        { id: 26, path: [] },
        ['list', 27],
        null,
        42,
      ];
      for (const h of hostile) s.wire.inject('to-customer', JSON.stringify(h));
      s.wire.inject('to-customer', 'not json at all');
      s.wire.inject('to-customer', '{"op":"list","id":28,"path":[]');
      // A well-formed request from someone other than the rep (relay) is not the rep's either.
      if (kind === 'relay') s.wire.inject('to-customer', JSON.stringify({ op: 'list', id: 29, path: [] }), 'p-someone-else');
      // Binary frames: too short for an id, and data for no transfer.
      if (kind === 'datachannel') {
        s.wire.inject('to-customer', new Uint8Array([1, 2]));
        s.wire.inject('to-customer', new Uint8Array([0, 0, 0, 99, 1, 2, 3]));
      }
      await s.wire.drain();
      const seen = s.custSide.seen.filter((m) => !(m.op === 'chunk' && m.id === 99));
      assert.deepEqual(seen, [], 'no hostile message reached the host');
      assert.deepEqual(s.log, [], 'the folder was asked for nothing');
      assert.equal(s.wire.sent.filter((f) => f.dir === 'to-rep').length, 0, 'the customer answered nothing');
      assert.deepEqual(s.activities, []);
      // Each of them is refused by the schema itself.
      for (const h of hostile) assert.equal(FolderMessage.safeParse(h).success, false, `schema accepts ${JSON.stringify(h)?.slice(0, 80)}`);
      // The host still serves the rep.
      const ok = await s.wire.settle(s.client.list([]));
      assert.deepEqual(
        ok.entries.map((e) => e.name),
        ['secret.txt'],
      );
      assert.deepEqual(s.wire.refused, []);
    });

    test('a request that parses but names nothing there gets an error, and the host goes on', async () => {
      const s = setup(kind);
      s.root.dir('a');
      await assert.rejects(s.wire.settle(s.client.list(['a', 'b', 'c'])), TransferError);
      await assert.rejects(s.wire.settle(s.client.download(['a', 'nothing.txt'])), TransferError);
      assert.deepEqual(s.log, ['dir:a', 'dir:b', 'dir:a', 'file:nothing.txt']);
      assert.equal((await s.wire.settle(s.client.list(['a']))).entries.length, 0);
    });

    test('a folder of 5 000 entries with long names: listed in pages well under both limits, acknowledged, assembled in order', async () => {
      const s = setup(kind);
      // Long names with characters that take more room in UTF-8 and in the relay's escaped frame.
      const name = (i: number) => `${String(i).padStart(4, '0')}-Ünïcødé "quoted" \\ ${'long name '.repeat(12)}€.txt`;
      for (let i = 4999; i >= 0; i--) s.root.file(name(i), bytes(1), Date.UTC(2025, 0, 1) + i);
      s.root.dir('a folder');
      const r = await s.wire.settle(s.client.list([]), 60_000);
      assert.equal(r.folder, 'Shared');
      assert.equal(r.entries.length, 5001);
      assert.deepEqual(r.entries[0], { name: 'a folder', kind: 'directory' });
      assert.deepEqual(
        r.entries.slice(1).map((e) => e.name),
        Array.from({ length: 5000 }, (_, i) => name(i)),
        'every entry once, in order',
      );
      assert.deepEqual(r.entries[4000], { name: name(3999), kind: 'file', size: 1, modified: Date.UTC(2025, 0, 1) + 3999 });
      // What went over the wire: pages of at most FOLDER_PAGE_ENTRIES, each far under the relay's limits.
      const pages = s.wire.sent.filter((f) => f.dir === 'to-rep' && typeof f.data === 'string' && f.data.includes('"op":"entries"'));
      assert.ok(pages.length > 10, `in pages (${pages.length})`);
      pages.forEach((f, i) => {
        const text = f.data as string;
        const m = JSON.parse(text) as { page: number; more: boolean; entries: unknown[] };
        assert.equal(m.page, i);
        assert.equal(m.more, i < pages.length - 1);
        assert.ok(m.entries.length <= FOLDER_PAGE_ENTRIES);
        assert.ok(text.length <= FOLDER_TEXT_MAX_CHARS, `page ${i}: ${text.length} characters`);
        // The relay frame (data escaped once more) stays under the server's frame limit with room to spare.
        assert.ok(Buffer.byteLength(JSON.stringify(text)) < LIMITS.frameBytes - 300, `page ${i} as a relay frame`);
      });
      assert.deepEqual(s.wire.refused, [], 'nothing the server would refuse was sent');
      assert.ok(s.custSide.maxPagesAhead() <= FOLDER_PAGE_WINDOW, `at most ${FOLDER_PAGE_WINDOW} pages unacknowledged (max ${s.custSide.maxPagesAhead()})`);
      assert.equal(s.repSide.seen.filter((m) => m.op === 'ack').length, 0);
      assert.equal(s.custSide.seen.filter((m) => m.op === 'ack').length, pages.length - 1, 'each page but the last acknowledged');
      // The host is free again: the same folder lists again.
      assert.equal((await s.wire.settle(s.client.list([]), 60_000)).entries.length, 5001);
    });

    test('folderPages: entry and byte budgets, an empty folder is one empty page', () => {
      assert.deepEqual(folderPages([]), [[]]);
      const small = Array.from({ length: 1200 }, (_, i) => ({ name: `f${i}`, kind: 'file' as const }));
      assert.deepEqual(
        folderPages(small).map((p) => p.length),
        [FOLDER_PAGE_ENTRIES, FOLDER_PAGE_ENTRIES, 200],
      );
      const wide = Array.from({ length: 300 }, (_, i) => ({ name: `${i}${'€'.repeat(250)}`, kind: 'file' as const }));
      const pages = folderPages(wide);
      assert.equal(pages.flat().length, 300);
      for (const p of pages) assert.ok(Buffer.byteLength(JSON.stringify(p)) <= FOLDER_PAGE_BYTES + 2);
    });

    /** The rep lists while the customer's side is held, and the test answers as a hostile customer would. */
    const hostileListing = (opts: { pageTimeoutMs?: number } = {}) => {
      const s = setup(kind, { resendListMs: 60_000, ...opts });
      s.wire.held.add('to-customer');
      const page = (n: number, more: boolean, entries: unknown[], id = 1) => JSON.stringify({ op: 'entries', id, folder: 'Shared', page: n, more, entries });
      const files = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ name: `f${from + i}.txt`, kind: 'file', size: 1 }));
      const cancels = () => s.wire.sent.filter((f) => f.dir === 'to-customer' && typeof f.data === 'string' && f.data.includes('"op":"cancel"'));
      return { s, page, files, cancels };
    };

    test('hostile listing pages: another request’s id is ignored; too many entries or too large a page is dropped, and the gap ends the listing with an error', async () => {
      {
        const { s, page, files } = hostileListing();
        const r = s.client.list([]);
        s.wire.inject('to-rep', page(0, true, files(3)));
        s.wire.inject('to-rep', page(1, true, files(3), 77));
        s.wire.inject('to-rep', page(1, false, files(2, 3)));
        const got = await s.wire.settle(r);
        assert.deepEqual(
          got.entries.map((e) => e.name),
          ['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt'],
          'the page for id 77 was not taken',
        );
      }
      for (const bad of ['too many entries', 'too large', 'not numbered from 0']) {
        const { s, page, files, cancels } = hostileListing();
        const r = s.client.list([]);
        r.catch(() => undefined);
        if (bad !== 'not numbered from 0') s.wire.inject('to-rep', page(0, true, files(3)));
        if (bad === 'too many entries') s.wire.inject('to-rep', page(1, true, files(FOLDER_PAGE_ENTRIES + 1)));
        // Short enough in entries, but 300 names of 250 characters (with quotes, escaped again) are over the text limit.
        if (bad === 'too large') s.wire.inject('to-rep', page(1, true, Array.from({ length: 300 }, (_, i) => ({ name: `${i}${'"'.repeat(240)}`, kind: 'file' }))));
        s.wire.inject('to-rep', page(2, false, files(1)));
        await assert.rejects(s.wire.settle(r), (e: unknown) => e instanceof TransferError && /incomplete/.test(e.message), bad);
        assert.equal(cancels().length, 1, `${bad}: the customer’s side is told to stop`);
        assert.deepEqual(s.wire.refused, []);
      }
    });

    test('hostile listing pages: more entries in all than a listing may have, or a listing that stops midway, end with an error', async () => {
      {
        const { s, page, files, cancels } = hostileListing();
        const r = s.client.list([]);
        r.catch(() => undefined);
        const per = FOLDER_PAGE_ENTRIES;
        for (let n = 0; n <= FOLDER_LIST_MAX_ENTRIES / per; n++) s.wire.inject('to-rep', page(n, true, files(per, n * per)));
        await assert.rejects(s.wire.settle(r, 60_000), (e: unknown) => e instanceof TransferError && /too many/.test(e.message));
        assert.equal(cancels().length, 1);
      }
      {
        const { s, page, files, cancels } = hostileListing({ pageTimeoutMs: 50 });
        const r = s.client.list([]);
        r.catch(() => undefined);
        s.wire.inject('to-rep', page(0, true, files(3)));
        await assert.rejects(s.wire.settle(r), (e: unknown) => e instanceof TransferError && /stopped arriving/.test(e.message));
        assert.equal(cancels().length, 1);
      }
    });

    test('a rep that stops acknowledging: the customer’s side gives up after a while and lists the folder again when asked', async () => {
      const s = setup(kind, { pageAckTimeoutMs: 1000 });
      for (let i = 0; i < 3000; i++) s.root.file(`${String(i).padStart(4, '0')}${'x'.repeat(100)}`, bytes(1));
      const r = s.client.list([]);
      r.catch(() => undefined);
      await s.wire.pumpUntil('the request to reach the customer', () => s.custSide.seen.some((m) => m.op === 'list'));
      // From here on the rep's acknowledgements do not arrive.
      s.wire.held.add('to-customer');
      await assert.rejects(s.wire.settle(r), (e: unknown) => e instanceof TransferError && /not read to its end/.test(e.message));
      const sent = s.wire.sent.filter((f) => f.dir === 'to-rep' && typeof f.data === 'string' && f.data.includes('"op":"entries"')).length;
      assert.equal(sent, FOLDER_PAGE_WINDOW, 'one window of pages, then it waited');
      s.wire.held.clear();
      await s.wire.drain();
      assert.equal((await s.wire.settle(s.client.list([]))).entries.length, 3000);
    });

    test('a repeated request answered after the first one was: its pages are cancelled, and the folder lists again at once', async () => {
      const s = setup(kind, { resendListMs: 20 });
      for (let i = 0; i < 3000; i++) s.root.file(`${String(i).padStart(4, '0')}${'y'.repeat(100)}`, bytes(1));
      // The first request is late: the second one is answered first.
      let late: Frame | null = null;
      s.wire.filter = (f) => {
        if (!late && f.dir === 'to-customer') {
          late = f;
          return null;
        }
        return f;
      };
      const first = await s.wire.settle(s.client.list([]), 60_000);
      assert.equal(first.entries.length, 3000);
      s.wire.filter = null;
      s.wire.queue.push(late!);
      await s.wire.drain();
      const late1 = s.wire.sent.filter((f) => f.dir === 'to-rep' && typeof f.data === 'string' && f.data.includes('"op":"entries","id":1,'));
      assert.ok(late1.length >= 1 && late1.length <= FOLDER_PAGE_WINDOW, `the late listing stopped after its first pages (${late1.length})`);
      assert.equal(s.custSide.seen.filter((m) => m.op === 'cancel' && m.id === 1).length, 1, 'cancelled once');
      assert.equal((await s.wire.settle(s.client.list([]), 60_000)).entries.length, 3000);
    });
  });
}

describe('a data channel without the bufferedamountlow event (@roamhq/wrtc in Support Manager)', () => {
  /** bufferedAmount only, as wrtc 0.10 has it; `looked` resolves once the transport has looked at it `n` more times. */
  class BareChannel {
    readyState = 'open';
    buffered = 0;
    readonly frames: (string | Uint8Array)[] = [];
    private looks = 0;
    private waiting: { at: number; resolve: () => void }[] = [];
    get bufferedAmount(): number {
      this.looks += 1;
      for (const w of this.waiting.splice(0)) (this.looks >= w.at ? w.resolve() : this.waiting.push(w));
      return this.buffered;
    }
    looked(n: number): Promise<void> {
      return new Promise((resolve) => this.waiting.push({ at: this.looks + n, resolve }));
    }
    addEventListener(): void {}
    removeEventListener(): void {}
    send(data: string | Uint8Array): void {
      this.frames.push(data);
    }
  }

  test('a send waits, looking at bufferedAmount, while more than 1 MiB is queued; it goes once the buffer drained, and fails if the channel closes', async () => {
    const ch = new BareChannel();
    const tr = dataChannelTransport(ch);
    assert.equal('bufferedAmountLowThreshold' in ch, false, 'nothing is set on a channel that has no such property');
    ch.buffered = 2 * 1024 * 1024;
    let sent = false;
    const first = tr.send({ op: 'ack', id: 1, received: 0 }).then(() => (sent = true));
    await ch.looked(3);
    assert.equal(sent, false);
    assert.equal(ch.frames.length, 0, 'nothing sent while the buffer is full');
    ch.buffered = 200 * 1024;
    await first;
    assert.deepEqual(ch.frames, ['{"op":"ack","id":1,"received":0}']);

    ch.buffered = 2 * 1024 * 1024;
    const second = tr.send({ op: 'ack', id: 1, received: 1 });
    await ch.looked(2);
    ch.readyState = 'closed';
    await assert.rejects(second, /The connection closed/);
    assert.equal(ch.frames.length, 1);
  });
});
