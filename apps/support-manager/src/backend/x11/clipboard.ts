/**
 * The desktop clipboard on X11: the CLIPBOARD selection, spoken directly over
 * an X connection with the ICCCM selection protocol. No xclip/xsel: the
 * program ships as a self-contained archive and must not depend on them.
 *
 * - read: ConvertSelection(CLIPBOARD, UTF8_STRING, else STRING) into a
 *   property of our own hidden window → SelectionNotify → GetProperty, with
 *   INCR for values the owner sends piecewise.
 * - write: we become the selection owner (SetSelectionOwner with a real
 *   server timestamp) and answer other clients' SelectionRequests (TARGETS,
 *   TIMESTAMP, UTF8_STRING, text/plain;charset=utf-8, STRING, TEXT) by
 *   ChangeProperty on the requestor's window and SendEvent SelectionNotify,
 *   INCR above one request's worth; other targets get property None.
 * - changes: XFIXES SelectionNotify (SelectSelectionInput on CLIPBOARD), else
 *   polling GetSelectionOwner.
 *
 * Each clipboard has its own X connection. INCR sending needs PropertyChange
 * events from the requestor's window, and an event mask belongs to a
 * (client, window) pair: on the backend's connection, selecting it on a
 * window that a capture session watches (StructureNotify on a shared xterm
 * that is also the paste target) would replace that session's mask.
 */
import type { XEvent } from 'x11';
import {
  CLIPBOARD_MAX_BYTES,
  ClipboardClosedError,
  ClipboardTimeoutError,
  ClipboardTooLargeError,
  type Clipboard,
  type ClipboardOptions,
} from '../types.js';
import { ConnectionLostError, X, XConn } from './connection.js';

export interface XFixesExt {
  firstEvent: number;
  major: number;
  SelectSelectionInput(window: number, selection: number, eventMask: number): void;
}

export interface X11ClipboardOptions extends ClipboardOptions {
  /** Notice changes through XFIXES when the server has it (default true; false polls, to test the fallback). */
  xfixes?: boolean;
  /** Without XFIXES: how often the clipboard's owner is checked while someone listens (default 500 ms). */
  pollMs?: number;
  /** How long another application may take for each step of a transfer (default 5000 ms). */
  timeoutMs?: number;
}

const EV = { PropertyNotify: 28, SelectionClear: 29, SelectionRequest: 30, SelectionNotify: 31 } as const;
const PropertyNewValue = 0;
const PropertyDelete = 1;
const PropModeReplace = 0;
const PropModeAppend = 2;
const PropertyChangeMask = 0x00400000;
const InputOnly = 2;
const ATOM = 4;
const INTEGER = 19;
const STRING = 31;
const CurrentTime = 0;
/** XFIXES SelectionEventMask: SetSelectionOwner | SelectionWindowDestroy | SelectionClientClose. */
const XFIXES_ALL_SELECTION_EVENTS = 1 | 2 | 4;
/**
 * The `x11` package packs ChangeProperty with the core 16-bit request length
 * (at most 262140 bytes including the 24-byte header), so larger text goes
 * out with INCR in pieces of this size; ICCCM asks for INCR there anyway.
 */
const INCR_CHUNK = 256 * 1024 - 64;

interface Atoms {
  CLIPBOARD: number;
  TARGETS: number;
  TIMESTAMP: number;
  UTF8_STRING: number;
  TEXT: number;
  INCR: number;
  TEXT_PLAIN_UTF8: number;
  /** Where we get server timestamps from (zero-length append → PropertyNotify.time). */
  TIME_PROP: number;
}

interface Owned {
  text: string;
  utf8: Buffer;
  latin1: Buffer | null;
  /** Server time at which we took the selection. */
  time: number;
}

/** An INCR transfer we are sending to a requestor, driven by its PropertyNotify(Delete) events. */
interface Send {
  requestor: number;
  property: number;
  type: number;
  data: Buffer;
  offset: number;
  timer: NodeJS.Timeout;
}

interface Received {
  type: number;
  format: number;
  data: Buffer;
}

const num = (ev: XEvent, field: string): number => {
  const v = ev[field];
  return typeof v === 'number' ? v : 0;
};
const ignoreError = () => true;

/** Events matching a predicate, queued from the moment of subscription so none is missed between a request and the await of its answer. */
class EventQueue {
  private readonly items: XEvent[] = [];
  private waiting: { resolve: (ev: XEvent) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  private failure: Error | null = null;

  constructor(
    readonly match: (ev: XEvent) => boolean,
    private readonly onDone: (q: EventQueue) => void,
  ) {}

  push(ev: XEvent): void {
    const w = this.waiting;
    if (w) {
      this.waiting = null;
      clearTimeout(w.timer);
      w.resolve(ev);
    } else this.items.push(ev);
  }

  fail(e: Error): void {
    this.failure = e;
    const w = this.waiting;
    if (w) {
      this.waiting = null;
      clearTimeout(w.timer);
      w.reject(e);
    }
  }

  next(timeoutMs: number, what: string): Promise<XEvent> {
    const queued = this.items.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<XEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new ClipboardTimeoutError(`the application holding the clipboard did not send ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = { resolve, reject, timer };
    });
  }

  close(): void {
    if (this.waiting) clearTimeout(this.waiting.timer);
    this.waiting = null;
    this.onDone(this);
  }
}

export class X11Clipboard implements Clipboard {
  readonly maxBytes: number;
  readonly changeDetection: 'events' | 'poll';
  /** Transfers made in pieces (INCR) each way, and other clients' requests answered or refused; for tests and diagnostics. */
  readonly counters = { incrReceived: 0, incrSent: 0, requestsAnswered: 0, requestsRefused: 0 };

  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly queues = new Set<EventQueue>();
  private readonly sends = new Map<string, Send>();
  private readonly listeners = new Set<{ onText: (text: string) => void; onError: ((e: Error) => void) | undefined }>();
  private readonly stopEvents: () => void;
  private owned: Owned | null = null;
  /** The last text written or reported: a change to the same text is not reported again. */
  private lastKnown: string | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | null = null;
  private changePending = false;
  private changeRunning = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private pollBusy = false;
  private polledOwner: number = X.None;
  /** Property our conversions land in; replaced after a transfer is abandoned, since its owner may still write there. */
  private prop: number;
  private propStale = false;
  private propSerial = 0;

  private constructor(
    private readonly conn: XConn,
    private readonly win: number,
    private readonly atoms: Atoms,
    prop: number,
    private readonly xfixes: XFixesExt | null,
    opts: X11ClipboardOptions,
    private readonly onClosed: (() => void) | undefined,
  ) {
    this.maxBytes = opts.maxBytes ?? CLIPBOARD_MAX_BYTES;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.pollMs = opts.pollMs ?? 500;
    this.prop = prop;
    this.changeDetection = xfixes ? 'events' : 'poll';
    this.stopEvents = conn.onEvent((ev) => this.onEvent(ev));
    conn.onLost(() => this.shutDown(new ConnectionLostError()));
  }

  /** Opens a clipboard on its own connection to `display` (default $DISPLAY). */
  static async open(display: string | undefined, opts: X11ClipboardOptions = {}, onClosed?: () => void): Promise<X11Clipboard> {
    const maxBytes = opts.maxBytes ?? CLIPBOARD_MAX_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
    const conn = await XConn.connect(display);
    try {
      const names = ['CLIPBOARD', 'TARGETS', 'TIMESTAMP', 'UTF8_STRING', 'TEXT', 'INCR', 'text/plain;charset=utf-8', '_SUPPORT_MANAGER_TIME', '_SUPPORT_MANAGER_CLIP_0'];
      const [xfixes, ...ids] = await Promise.all([
        opts.xfixes === false ? Promise.resolve(null) : conn.ext<XFixesExt>('fixes'),
        ...names.map((n) => conn.atom(n)),
      ]);
      const [CLIPBOARD, TARGETS, TIMESTAMP, UTF8_STRING, TEXT, INCR, TEXT_PLAIN_UTF8, TIME_PROP, prop] = ids as number[];
      const atoms: Atoms = { CLIPBOARD: CLIPBOARD!, TARGETS: TARGETS!, TIMESTAMP: TIMESTAMP!, UTF8_STRING: UTF8_STRING!, TEXT: TEXT!, INCR: INCR!, TEXT_PLAIN_UTF8: TEXT_PLAIN_UTF8!, TIME_PROP: TIME_PROP! };
      const win = conn.client.AllocID();
      // Never mapped: it only owns the selection and receives properties.
      conn.client.CreateWindow(win, conn.root, -1, -1, 1, 1, 0, 0, InputOnly, 0, { eventMask: PropertyChangeMask });
      if (xfixes) xfixes.SelectSelectionInput(win, atoms.CLIPBOARD, XFIXES_ALL_SELECTION_EVENTS);
      await conn.sync();
      return new X11Clipboard(conn, win, atoms, prop!, xfixes, opts, onClosed);
    } catch (e) {
      await conn.close();
      throw e;
    }
  }

  read(): Promise<string | null> {
    return this.enqueue(() => this.readNow());
  }

  async write(text: string): Promise<void> {
    if (typeof text !== 'string') throw new TypeError('clipboard text must be a string');
    if (this.closed) throw new ClipboardClosedError();
    const utf8 = Buffer.from(text, 'utf8');
    if (utf8.length > this.maxBytes) throw new ClipboardTooLargeError(utf8.length, this.maxBytes);
    return this.enqueue(async () => {
      // ICCCM 2.1: take the selection with a real timestamp, not CurrentTime, so
      // a request or release racing with another owner is judged correctly.
      const time = await this.serverTime();
      this.owned = { text, utf8, latin1: null, time };
      this.lastKnown = text;
      this.conn.client.SetSelectionOwner(this.win, this.atoms.CLIPBOARD, time);
      const owner = await this.selectionOwner();
      if (owner !== this.win) {
        this.owned = null;
        throw new Error('another application took the clipboard at the same moment; the text was not put there');
      }
    });
  }

  onChange(listener: (text: string) => void, onError?: (error: Error) => void): () => void {
    if (this.closed) throw new ClipboardClosedError();
    const entry = { onText: listener, onError };
    this.listeners.add(entry);
    if (!this.xfixes) this.startPolling();
    return () => {
      this.listeners.delete(entry);
      if (this.listeners.size === 0) this.stopPolling();
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const owned = this.owned;
      this.shutDown(new ClipboardClosedError());
      if (!this.conn.isClosed) {
        // With our own time: if another application has taken the clipboard
        // since, the server ignores this instead of clearing theirs.
        if (owned) this.conn.client.SetSelectionOwner(X.None, this.atoms.CLIPBOARD, owned.time);
        this.conn.client.DestroyWindow(this.win, ignoreError);
        await this.conn.sync().catch(() => undefined);
        await this.conn.close();
      }
      this.onClosed?.();
    })();
    return this.closing;
  }

  /** Everything that stops at close or at a lost connection; pending calls fail with `reason`. */
  private shutDown(reason: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.owned = null;
    this.listeners.clear();
    this.stopPolling();
    for (const q of this.queues) q.fail(reason);
    for (const key of [...this.sends.keys()]) this.endSend(key);
    this.stopEvents();
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      if (this.closed) throw new ClipboardClosedError();
      return op();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private subscribe(match: (ev: XEvent) => boolean): EventQueue {
    const q = new EventQueue(match, (done) => this.queues.delete(done));
    if (this.closed) q.fail(new ClipboardClosedError());
    else this.queues.add(q);
    return q;
  }

  private onEvent(ev: XEvent): void {
    if (this.closed) return;
    switch (ev.type) {
      case EV.SelectionRequest:
        this.answer(ev);
        break;
      case EV.SelectionClear:
        if (num(ev, 'owner') === this.win && num(ev, 'selection') === this.atoms.CLIPBOARD) this.owned = null;
        break;
      case EV.PropertyNotify:
        if (num(ev, 'state') === PropertyDelete) this.sendNext(num(ev, 'wid'), num(ev, 'atom'));
        break;
      default:
        if (this.xfixes && ev.type === this.xfixes.firstEvent && num(ev, 'window') === this.win && num(ev, 'selection') === this.atoms.CLIPBOARD) {
          this.ownerChanged(num(ev, 'owner'));
        }
    }
    for (const q of this.queues) if (q.match(ev)) q.push(ev);
  }

  // ---- reading ----

  private selectionOwner(): Promise<number> {
    return this.conn.call<number>((cb) => this.conn.client.GetSelectionOwner(this.atoms.CLIPBOARD, cb));
  }

  private async readNow(): Promise<string | null> {
    const owner = await this.selectionOwner();
    if (owner === X.None) return null;
    // Converting from ourselves would work too, but the answer is known.
    if (owner === this.win) return this.owned?.text ?? null;
    for (const target of [this.atoms.UTF8_STRING, STRING]) {
      const got = await this.convert(target);
      const text = got && this.decode(got);
      if (text !== null) return text;
    }
    return null;
  }

  /**
   * Only values whose type says text are taken: some owners (xclip with a
   * single -t) answer every target with their one type, an image included.
   */
  private decode(r: Received): string | null {
    if (r.format !== 8 && r.data.length > 0) return null;
    // STRING is ISO 8859-1 by definition (ICCCM 2.7.1)
    if (r.type === STRING) return r.data.toString('latin1');
    if (r.type === this.atoms.UTF8_STRING || r.type === this.atoms.TEXT_PLAIN_UTF8) return r.data.toString('utf8');
    return null;
  }

  /** One conversion of CLIPBOARD to `target`; null when the owner refuses it. */
  private async convert(target: number): Promise<Received | null> {
    const c = this.conn.client;
    if (this.propStale) {
      this.prop = await this.conn.atom(`_SUPPORT_MANAGER_CLIP_${++this.propSerial}`);
      this.propStale = false;
    }
    const prop = this.prop;
    const answer = this.subscribe(
      (ev) => ev.type === EV.SelectionNotify && num(ev, 'requestor') === this.win && num(ev, 'selection') === this.atoms.CLIPBOARD && num(ev, 'target') === target,
    );
    let notify: XEvent;
    try {
      c.ConvertSelection(this.win, this.atoms.CLIPBOARD, target, prop, CurrentTime);
      notify = await answer.next(this.timeoutMs, 'an answer');
    } catch (e) {
      this.propStale = true;
      throw e;
    } finally {
      answer.close();
    }
    const property = num(notify, 'property');
    if (property === X.None) return null;
    // Subscribed before the first GetProperty: for INCR, that very request
    // deletes the INCR property, which is what makes the owner send the first piece.
    const pieces = this.subscribe(
      (ev) => ev.type === EV.PropertyNotify && num(ev, 'wid') === this.win && num(ev, 'atom') === property && num(ev, 'state') === PropertyNewValue,
    );
    try {
      const first = await this.getProperty(property, true, this.longsFor(this.maxBytes));
      if (first.type === X.None) return null;
      if (first.type === this.atoms.INCR) return await this.receiveIncr(property, first, pieces);
      const size = first.data.length + first.bytesAfter;
      if (size > this.maxBytes) {
        if (first.bytesAfter > 0) c.DeleteProperty(this.win, property);
        throw new ClipboardTooLargeError(size, this.maxBytes);
      }
      return { type: first.type, format: first.format, data: first.data };
    } catch (e) {
      if (e instanceof ClipboardTimeoutError) this.propStale = true;
      throw e;
    } finally {
      pieces.close();
    }
  }

  /** Enough 32-bit units that a value over `bytes` shows up as bytesAfter > 0 or a longer reply. */
  private longsFor(bytes: number): number {
    return Math.ceil(Math.max(bytes, 0) / 4) + 1;
  }

  private getProperty(property: number, del: boolean, longs: number): Promise<{ type: number; format: number; bytesAfter: number; data: Buffer }> {
    return this.conn.call((cb) => this.conn.client.GetProperty(del ? 1 : 0, this.win, property, X.AnyPropertyType, 0, longs, cb));
  }

  /**
   * ICCCM 2.7.2: the owner writes the value piece by piece, each after we
   * deleted the previous one, and ends with a zero-length piece. Over the cap
   * the rest is still taken off the owner's hands, but only deleted on the
   * server (never sent to us): a transfer left hanging would keep the owner
   * waiting, and a requestor window that vanishes mid-transfer makes some
   * owners fail with BadWindow.
   */
  private async receiveIncr(property: number, first: { data: Buffer }, pieces: EventQueue): Promise<Received> {
    const c = this.conn.client;
    this.counters.incrReceived++;
    const announced = first.data.length >= 4 ? first.data.readUInt32LE(0) : 0;
    let over = announced > this.maxBytes;
    let total = 0;
    let type: number = X.None;
    let format = 8;
    const parts: Buffer[] = [];
    for (;;) {
      await pieces.next(this.timeoutMs, 'the next piece of a large value');
      if (over) {
        const p = await this.getProperty(property, false, 0);
        c.DeleteProperty(this.win, property);
        if (p.bytesAfter === 0) break;
        total += p.bytesAfter;
        continue;
      }
      const p = await this.getProperty(property, true, this.longsFor(this.maxBytes - total));
      if (p.data.length === 0 && p.bytesAfter === 0) break;
      if (type === X.None) {
        type = p.type;
        format = p.format;
      }
      total += p.data.length + p.bytesAfter;
      if (total > this.maxBytes) {
        over = true;
        parts.length = 0;
        if (p.bytesAfter > 0) c.DeleteProperty(this.win, property);
        continue;
      }
      parts.push(p.data);
    }
    if (over) throw new ClipboardTooLargeError(Math.max(total, announced), this.maxBytes);
    return { type, format, data: Buffer.concat(parts) };
  }

  /** A server timestamp (ICCCM 2.1): a zero-length append to our own property reports the time in its PropertyNotify. */
  private async serverTime(): Promise<number> {
    const q = this.subscribe(
      (ev) => ev.type === EV.PropertyNotify && num(ev, 'wid') === this.win && num(ev, 'atom') === this.atoms.TIME_PROP && num(ev, 'state') === PropertyNewValue,
    );
    try {
      this.conn.client.ChangeProperty(PropModeAppend, this.win, this.atoms.TIME_PROP, INTEGER, 32, Buffer.alloc(0));
      return num(await q.next(this.timeoutMs, 'a timestamp'), 'time');
    } finally {
      q.close();
    }
  }

  // ---- changes ----

  private ownerChanged(owner: number): void {
    if (owner === this.win || owner === X.None || this.listeners.size === 0) return;
    this.changePending = true;
    void this.reportChanges();
  }

  /** One read at a time; changes that arrive meanwhile fold into one more read, so a burst of copies reports the last. */
  private async reportChanges(): Promise<void> {
    if (this.changeRunning) return;
    this.changeRunning = true;
    try {
      while (this.changePending && !this.closed && this.listeners.size > 0) {
        this.changePending = false;
        let text: string | null;
        try {
          text = await this.read();
        } catch (e) {
          if (this.closed) return;
          const err = e instanceof Error ? e : new Error(String(e));
          for (const l of [...this.listeners]) l.onError?.(err);
          continue;
        }
        if (text === null || text === this.lastKnown || this.closed) continue;
        this.lastKnown = text;
        for (const l of [...this.listeners]) {
          try {
            l.onText(text);
          } catch {
            // a listener's own failure must not stop the others
          }
        }
      }
    } finally {
      this.changeRunning = false;
    }
  }

  /**
   * Without XFIXES: GetSelectionOwner on a timer while someone listens. Each
   * copy re-takes the selection, but only a change of owner window is visible
   * this way, so a second copy inside the same application is missed.
   */
  private startPolling(): void {
    if (this.pollTimer || this.closed) return;
    this.pollBusy = true;
    this.selectionOwner()
      .then((o) => (this.polledOwner = o))
      .catch(() => undefined)
      .finally(() => (this.pollBusy = false));
    this.pollTimer = setInterval(() => {
      if (this.pollBusy || this.closed) return;
      this.pollBusy = true;
      this.selectionOwner()
        .then((owner) => {
          if (owner === this.polledOwner) return;
          this.polledOwner = owner;
          this.ownerChanged(owner);
        })
        .catch(() => undefined)
        .finally(() => (this.pollBusy = false));
    }, this.pollMs);
    this.pollTimer.unref();
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  // ---- serving what we wrote ----

  private answer(ev: XEvent): void {
    if (num(ev, 'owner') !== this.win) return;
    const requestor = num(ev, 'requestor');
    const selection = num(ev, 'selection');
    const target = num(ev, 'target');
    const time = num(ev, 'time');
    // ICCCM 2.2: a requestor that names no property wants the target's name used.
    const property = num(ev, 'property') || target;
    const owned = this.owned;
    // A request timestamped before we took the clipboard asks for an earlier
    // owner's content (ICCCM 2.2); compared modulo 2^32, server time wraps.
    const current = owned !== null && (time === CurrentTime || ((time - owned.time) | 0) >= 0);
    const ok = current && selection === this.atoms.CLIPBOARD && this.provide(owned, requestor, target, property);
    if (ok) this.counters.requestsAnswered++;
    else this.counters.requestsRefused++;
    this.conn.client.SendEvent(
      requestor,
      0,
      0,
      { name: 'SelectionNotify', time, requestor, selection, target, property: ok ? property : X.None },
      ignoreError,
    );
  }

  /** Puts the value for `target` on the requestor's property (or starts INCR); false for a target we do not offer. */
  private provide(owned: Owned, requestor: number, target: number, property: number): boolean {
    const a = this.atoms;
    const c = this.conn.client;
    if (target === a.TARGETS) {
      c.ChangeProperty(PropModeReplace, requestor, property, ATOM, 32, [a.TARGETS, a.TIMESTAMP, a.UTF8_STRING, a.TEXT_PLAIN_UTF8, STRING, a.TEXT], ignoreError);
      return true;
    }
    if (target === a.TIMESTAMP) {
      c.ChangeProperty(PropModeReplace, requestor, property, INTEGER, 32, [owned.time], ignoreError);
      return true;
    }
    let type: number;
    let data: Buffer;
    if (target === a.UTF8_STRING || target === a.TEXT) {
      // TEXT lets the owner pick the encoding; UTF8_STRING loses nothing.
      type = a.UTF8_STRING;
      data = owned.utf8;
    } else if (target === a.TEXT_PLAIN_UTF8) {
      type = target;
      data = owned.utf8;
    } else if (target === STRING) {
      type = STRING;
      owned.latin1 ??= toLatin1(owned.text);
      data = owned.latin1;
    } else return false;
    if (data.length <= INCR_CHUNK) {
      c.ChangeProperty(PropModeReplace, requestor, property, type, 8, data, ignoreError);
      return true;
    }
    this.startSend(requestor, property, type, data);
    return true;
  }

  private startSend(requestor: number, property: number, type: number, data: Buffer): void {
    const c = this.conn.client;
    const key = `${requestor}/${property}`;
    if (this.sends.has(key)) this.endSend(key);
    this.counters.incrSent++;
    // Selected before the INCR property and the SelectionNotify go out, so
    // the requestor's first delete cannot come unseen.
    if (requestor !== this.win) c.ChangeWindowAttributes(requestor, { eventMask: PropertyChangeMask }, ignoreError);
    c.ChangeProperty(PropModeReplace, requestor, property, this.atoms.INCR, 32, [data.length], ignoreError);
    this.sends.set(key, { requestor, property, type, data, offset: 0, timer: this.sendTimer(key) });
  }

  /** A requestor that stops deleting (crashed, gave up) ends its transfer. */
  private sendTimer(key: string): NodeJS.Timeout {
    const t = setTimeout(() => this.endSend(key), this.timeoutMs);
    t.unref();
    return t;
  }

  private sendNext(requestor: number, property: number): void {
    const key = `${requestor}/${property}`;
    const s = this.sends.get(key);
    if (!s) return;
    clearTimeout(s.timer);
    const piece = s.data.subarray(s.offset, s.offset + INCR_CHUNK);
    this.conn.client.ChangeProperty(PropModeReplace, requestor, property, s.type, 8, piece, ignoreError);
    s.offset += piece.length;
    // The zero-length piece that ends the transfer has just been written.
    if (piece.length === 0) this.endSend(key);
    else s.timer = this.sendTimer(key);
  }

  private endSend(key: string): void {
    const s = this.sends.get(key);
    if (!s) return;
    clearTimeout(s.timer);
    this.sends.delete(key);
    const stillUsed = [...this.sends.values()].some((o) => o.requestor === s.requestor);
    if (!stillUsed && s.requestor !== this.win && !this.conn.isClosed) {
      this.conn.client.ChangeWindowAttributes(s.requestor, { eventMask: 0 }, ignoreError);
    }
  }
}

/** ISO 8859-1 for the STRING target; characters it lacks become '?'. */
function toLatin1(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    out[n++] = cp <= 0xff ? cp : 0x3f;
  }
  return out.subarray(0, n);
}
