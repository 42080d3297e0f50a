/**
 * A promise face over the callback API of the `x11` package, limited to the
 * requests the backend makes, plus the three requests the package lacks
 * (RandR 1.5 GetMonitors).
 */
import x11 from 'x11';
import type { XClient, XDisplay, XError, XEvent, XGeometry, XPointer, XProperty, XWindowAttributes } from 'x11';

/** Core protocol constants used here. */
export const X = {
  None: 0,
  PointerRoot: 1,
  AnyPropertyType: 0,
  ZPixmap: 2,
  RevertToPointerRoot: 1,
  RevertToParent: 2,
  InputOutput: 1,
  Viewable: 2,
  MappingKeyboard: 1,
} as const;

export const ShiftMask = 1;
export const LockMask = 2;

export interface ShmSegment {
  shmseg: number;
  size: number;
  buffer: Buffer;
  getImage(
    drawable: number,
    x: number,
    y: number,
    width: number,
    height: number,
    planeMask: number,
    format: number,
    offset: number,
    cb: (err: XError | null | undefined, rep: { depth: number; visual: number; size: number }) => unknown,
  ): void;
  detach(cb?: () => void): void;
}

export interface ShmExt {
  usable(cb: (err: unknown, ok: boolean) => void): void;
  createSegment(size: number, cb: (err: Error | null | undefined, seg: ShmSegment) => void): void;
}

export interface DamageExt {
  ReportLevel: { RawRectangles: 0; DeltaRectangles: 1; BoundingBox: 2; NonEmpty: 3 };
  Create(damage: number, drawable: number, level: number): void;
  Destroy(damage: number): void;
  Subtract(damage: number, repair: number, parts: number): void;
}

export interface XTestExt {
  KeyPress: 2;
  KeyRelease: 3;
  ButtonPress: 4;
  ButtonRelease: 5;
  MotionNotify: 6;
  FakeInput(type: number, detail: number, time: number, root: number, x: number, y: number): void;
}

export interface XkbState {
  mods: number;
  lockedMods: number;
  group: number;
  lockedGroup: number;
}

export interface XkbExt {
  UseCoreKbd: number;
  GetState(deviceSpec: number, cb: (err: XError | null | undefined, st: XkbState) => unknown): void;
  LatchLockState(
    deviceSpec: number,
    affectModLocks: number,
    modLocks: number,
    lockGroup: boolean,
    groupLock: number,
    affectModLatches: number,
    modLatches: number,
    latchGroup: boolean,
    groupLatch: number,
  ): void;
}

export interface RandrExt {
  majorOpcode: number;
  major_version: number;
  minor_version: number;
  GetScreenResourcesCurrent(win: number, cb: (err: XError | null | undefined, res: { config_timestamp: number; crtcs: number[]; outputs: number[] }) => unknown): void;
  GetCrtcInfo(crtc: number, ts: number, cb: (err: XError | null | undefined, info: { x: number; y: number; width: number; height: number; mode: number; output: number[] }) => unknown): void;
  GetOutputInfo(output: number, ts: number, cb: (err: XError | null | undefined, info: { name: string; crtc: number; connection: number }) => unknown): void;
  GetOutputPrimary(win: number, cb: (err: XError | null | undefined, output: number) => unknown): void;
}

export interface RandrMonitorInfo {
  name: number;
  primary: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
}

type Cb<T> = (err: XError | null | undefined, res: T) => unknown;

export class ConnectionLostError extends Error {
  constructor() {
    super('the X server closed the connection');
    this.name = 'ConnectionLostError';
  }
}

export class XConn {
  readonly client: XClient;
  readonly display: XDisplay;
  readonly root: number;
  readonly screenWidth: number;
  readonly screenHeight: number;
  private readonly extensions = new Map<string, Promise<unknown>>();
  private closed = false;
  /** X errors nobody claimed (requests sent without a callback); kept for diagnostics. */
  readonly unclaimedErrors: string[] = [];

  private constructor(display: XDisplay) {
    this.display = display;
    this.client = display.client;
    const screen = display.screen[0];
    if (!screen) throw new Error('X display has no screen');
    this.root = screen.root;
    this.screenWidth = screen.pixel_width;
    this.screenHeight = screen.pixel_height;
    this.client.on('error', (e: XError) => {
      if (this.unclaimedErrors.length < 50) this.unclaimedErrors.push(e.message);
    });
    const lost = () => {
      if (this.lostHandled) return;
      this.lostHandled = true;
      this.closed = true;
      // replies that will never come: fail their callbacks so nothing waits forever
      const pending = this.client.replies;
      for (const seq of Object.keys(pending)) {
        const entry = pending[Number(seq)];
        delete pending[Number(seq)];
        try {
          entry?.[1]?.(new Error('the X server closed the connection'), undefined);
        } catch {
          // a callback's own problem
        }
      }
      for (const l of this.lostListeners) l();
    };
    this.client.on('end', lost);
    const stream = (this.client as unknown as { stream?: { on(ev: 'close', l: () => void): void } }).stream;
    stream?.on('close', lost);
  }

  private lostHandled = false;

  private readonly lostListeners: Array<() => void> = [];
  /** Called once if the server closes the connection (not after close()). */
  onLost(listener: () => void): void {
    this.lostListeners.push(listener);
  }

  static connect(displayName?: string): Promise<XConn> {
    return new Promise<XConn>((resolve, reject) => {
      let settled = false;
      const client = x11.createClient(displayName ? { display: displayName } : {}, (err, display) => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve(new XConn(display));
      });
      client.on('error', (e: XError) => {
        if (!settled) {
          settled = true;
          reject(e);
        }
      });
    });
  }

  /**
   * Wraps a callback request in a promise; X errors reject (and count as
   * handled). Once the connection is closed or lost it rejects at once, and a
   * request pending when it is lost rejects then: nothing waits forever.
   */
  call<T>(fn: (cb: Cb<T>) => void): Promise<T> {
    if (this.closed) return Promise.reject(new ConnectionLostError());
    return new Promise<T>((resolve, reject) => {
      fn((err, res) => {
        if (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return true;
        }
        resolve(res);
        return false;
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onEvent(listener: (ev: XEvent) => void): () => void {
    this.client.on('event', listener);
    return () => this.client.removeListener('event', listener);
  }

  /** The extension object of the `x11` package, or null when the server lacks it. */
  ext<T>(name: string): Promise<T | null> {
    let p = this.extensions.get(name);
    if (!p) {
      p = new Promise<T | null>((resolve) => {
        this.client.require(name, (err, ext) => {
          resolve(err ? null : (ext as T));
          return true;
        });
      });
      this.extensions.set(name, p);
    }
    return p as Promise<T | null>;
  }

  geometry(drawable: number): Promise<XGeometry> {
    return this.call((cb) => this.client.GetGeometry(drawable, cb));
  }
  attributes(win: number): Promise<XWindowAttributes> {
    return this.call((cb) => this.client.GetWindowAttributes(win, cb));
  }
  queryTree(win: number): Promise<{ root: number; parent: number; children: number[] }> {
    return this.call((cb) => this.client.QueryTree(win, cb));
  }
  atom(name: string): Promise<number> {
    const known = this.client.atoms[name];
    if (known !== undefined) return Promise.resolve(known);
    return this.call((cb) => this.client.InternAtom(false, name, cb));
  }
  property(win: number, prop: number, type: number = X.AnyPropertyType, maxLongs = 1024): Promise<XProperty> {
    return this.call((cb) => this.client.GetProperty(0, win, prop, type, 0, maxLongs, cb));
  }
  /** Position of (x, y) of `src` in `dst`'s coordinates. */
  translate(src: number, dst: number, x: number, y: number): Promise<{ x: number; y: number; child: number }> {
    return this.call<{ sameScreen: number; child: number; destX: number; destY: number }>((cb) =>
      this.client.TranslateCoordinates(src, dst, x, y, cb),
    ).then((r) => ({ x: r.destX, y: r.destY, child: r.child }));
  }
  pointer(): Promise<XPointer> {
    return this.call((cb) => this.client.QueryPointer(this.root, cb));
  }
  inputFocus(): Promise<number> {
    return this.call<{ revertTo: number; focus: number }>((cb) => this.client.GetInputFocus(cb)).then((r) => r.focus);
  }
  keyboardMapping(): Promise<number[][]> {
    const first = this.display.min_keycode;
    return this.call((cb) => this.client.GetKeyboardMapping(first, this.display.max_keycode - first + 1, cb));
  }
  modifierMapping(): Promise<number[][]> {
    return this.call((cb) => this.client.GetModifierMapping(cb));
  }
  /** Core GetImage, ZPixmap, all planes. */
  getImage(drawable: number, x: number, y: number, width: number, height: number): Promise<Buffer> {
    return this.call<{ depth: number; visualId: number; data: Buffer }>((cb) =>
      this.client.GetImage(X.ZPixmap, drawable, x, y, width, height, 0xffffffff, cb),
    ).then((r) => r.data);
  }
  /** Round trip: every request sent before has been processed by the server. */
  sync(): Promise<void> {
    return this.call<unknown>((cb) => this.client.GetInputFocus(cb)).then(() => undefined);
  }

  /**
   * RandR 1.5 GetMonitors (minor opcode 42), which the `x11` package does not
   * implement. Monitors are what a desktop calls screens, including ones a
   * user defined with `xrandr --setmonitor`.
   */
  randrMonitors(randr: RandrExt, activeOnly = true): Promise<RandrMonitorInfo[]> {
    const X = this.client;
    return this.call<RandrMonitorInfo[]>((cb) => {
      X.seq_num++;
      const b = Buffer.alloc(12);
      b.writeUInt8(randr.majorOpcode, 0);
      b.writeUInt8(42, 1);
      b.writeUInt16LE(3, 2);
      b.writeUInt32LE(this.root >>> 0, 4);
      b.writeUInt8(activeOnly ? 1 : 0, 8);
      X.pack_stream.put(b);
      X.replies[X.seq_num] = [
        (buf: Buffer) => {
          // reply after the 8-byte header: timestamp(4) nMonitors(4) nOutputs(4) pad(12), then MONITORINFO list
          const n = buf.readUInt32LE(4);
          const out: RandrMonitorInfo[] = [];
          let at = 24;
          for (let i = 0; i < n && at + 24 <= buf.length; i++) {
            const nOutput = buf.readUInt16LE(at + 6);
            out.push({
              name: buf.readUInt32LE(at),
              primary: buf.readUInt8(at + 4) !== 0,
              x: buf.readInt16LE(at + 8),
              y: buf.readInt16LE(at + 10),
              width: buf.readUInt16LE(at + 12),
              height: buf.readUInt16LE(at + 14),
            });
            at += 24 + 4 * nOutput;
          }
          return out;
        },
        (err: XError | null | undefined, res: unknown) => cb(err, res as RandrMonitorInfo[]),
      ];
      X.pack_stream.submit(true);
    });
  }

  atomName(atom: number): Promise<string> {
    return this.call((cb) => this.client.GetAtomName(atom, cb));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.lostHandled = true;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.client.terminate();
        resolve();
      }, 2000);
      try {
        this.client.close(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
