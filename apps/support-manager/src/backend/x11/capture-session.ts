/**
 * One capture of a monitor or an application window on X11, and the rep's
 * input into it.
 *
 * Frames: a DAMAGE object on the root window reports which rectangles of the
 * screen changed (DeltaRectangles: one event per newly damaged area). When a
 * change touches the target, a frame is read — only the changed rectangle,
 * with MIT-SHM GetImage when the server lets us share memory — into a BGRA
 * mirror of the target, converted to I420 where it changed, and handed out;
 * at most `maxFps` a second, plus a whole refresh after `idleRefreshMs`
 * without changes. The damage is subtracted before the pixels are read, so a
 * change that lands during a read is reported again. Without DAMAGE the
 * target is read at a fixed rate and compared row by row with the mirror.
 *
 * Windows: the frame is the window's content area; parts off screen and parts
 * covered by other applications' windows are black (their pixels are never
 * sent), and pointer input there is dropped ('outside' / 'covered').
 *
 * Input is gated by `fake()`: it throws once the session is no longer
 * running, and every injected event goes through it, so nothing is injected
 * after stop() — except the releases of keys and buttons still held, which
 * stop() itself sends before it resolves.
 */
import { blackI420, bgraToI420, evenBox, type Box, type I420Image } from '../i420.js';
import { InputEvent as InputEventSchema, type CaptureTarget, type InputEvent, type KeyCode } from '../input.js';
import {
  BackendStoppedError,
  InputUnsupportedError,
  type CaptureEndReason,
  type CaptureOptions,
  type CaptureSession,
  type CaptureStats,
  type I420Frame,
  type InputOutcome,
} from '../types.js';
import { X, type DamageExt, type ShmExt, type ShmSegment, type XConn, type XTestExt } from './connection.js';
import type { X11Keyboard } from './keyboard.js';
import { keysymForCode } from './keysyms.js';
import { intersect, type Rect } from './monitors.js';
import { focusIsIn, isViewable, occluders, topLevelOf, windowRect } from './windows.js';

/** What the backend shares with its capture sessions. */
export interface X11Context {
  conn: XConn;
  shm: ShmExt | null;
  damage: DamageExt | null;
  xtest: XTestExt | null;
  keyboard: X11Keyboard | null;
  /** _NET_ACTIVE_WINDOW when a window manager supports it (focus a window by asking the WM). */
  netActiveWindow: number | null;
  /** Selects SubstructureNotify on the root (once), so window moves, restacking and mapping are seen. */
  watchRoot(): void;
  /** Totals over all sessions: image reads and injected events (tests check them). */
  counters: { imageReads: number; injected: number };
  ended(session: X11CaptureSession): void;
}

export type ResolvedTarget = { kind: 'monitor'; rect: Rect } | { kind: 'window'; wid: number };

const BUTTONS = { left: 1, middle: 2, right: 3 } as const;
const WHEEL = { up: 4, down: 5, left: 6, right: 7 } as const;
const GEOMETRY_EVENTS = new Set(['ConfigureNotify', 'MapNotify', 'UnmapNotify', 'DestroyNotify', 'CirculateNotify', 'ReparentNotify', 'GravityNotify']);
const MAX_READ_ERRORS = 3;

export class X11CaptureSession implements CaptureSession {
  private running = true;
  private endPromise: Promise<void> | null = null;

  // geometry: frame (0, 0) is `origin` on the root
  private origin = { x: 0, y: 0 };
  private width = 0;
  private height = 0;
  private topLevel = 0;
  private covers: Rect[] = [];
  private hidden = false;
  private geomGen = 1;
  private geomDoneGen = 0;
  private geomRefresh: Promise<boolean> | null = null;
  /** Bumped whenever origin, size, mirror or covers change. */
  private layout = 0;

  private mirror: Buffer = Buffer.alloc(0);
  private image: I420Image = blackI420(2, 2);
  private seg: ShmSegment | null = null;
  private damageId = 0;
  private dirty: Box | null = null;
  private wantFull = true;
  private timer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private lastFrameAt = -Infinity;
  private lastEmitAt = -Infinity;
  private readErrors = 0;
  private readonly unsubscribe: () => void;

  private inputChain: Promise<unknown> = Promise.resolve();
  private readonly heldKeys = new Map<KeyCode, number>();
  private readonly heldButtons = new Set<number>();

  private readonly maxFps: number;
  private readonly idleRefreshMs: number;
  private readonly counts: CaptureStats;

  private constructor(
    private readonly ctx: X11Context,
    readonly target: CaptureTarget,
    private readonly resolved: ResolvedTarget,
    private readonly onFrame: (frame: I420Frame) => void,
    private readonly opts: CaptureOptions,
  ) {
    this.maxFps = Math.min(60, Math.max(1, opts.maxFps ?? 30));
    this.idleRefreshMs = Math.max(100, opts.idleRefreshMs ?? 1000);
    this.counts = {
      frames: 0,
      fullFrames: 0,
      mode: ctx.damage ? 'damage' : 'poll',
      shm: false,
      lastReadMs: 0,
      lastConvertMs: 0,
      inputDelivered: 0,
      inputDropped: 0,
      injected: 0,
    };
    this.unsubscribe = ctx.conn.onEvent((ev) => this.onXEvent(ev));
  }

  static async start(
    ctx: X11Context,
    target: CaptureTarget,
    resolved: ResolvedTarget,
    onFrame: (frame: I420Frame) => void,
    opts: CaptureOptions,
  ): Promise<X11CaptureSession> {
    const s = new X11CaptureSession(ctx, target, resolved, onFrame, opts);
    try {
      await s.init();
    } catch (e) {
      s.running = false;
      s.unsubscribe();
      s.seg?.detach();
      throw e;
    }
    return s;
  }

  private async init(): Promise<void> {
    const { conn } = this.ctx;
    if (this.resolved.kind === 'window') {
      this.ctx.watchRoot();
      conn.client.ChangeWindowAttributes(this.resolved.wid, { eventMask: 0x00020000 /* StructureNotify */ }, () => true);
    }
    if (!(await this.refreshGeometry())) throw new Error(`the ${this.target.kind} to capture is gone`);
    if (this.ctx.shm) {
      const size =
        this.resolved.kind === 'monitor' ? this.resolved.rect.width * this.resolved.rect.height * 4 : conn.screenWidth * conn.screenHeight * 4;
      const shm = this.ctx.shm;
      this.seg = await conn.call<ShmSegment>((cb) => shm.createSegment(size, cb)).catch(() => null);
      this.counts.shm = this.seg !== null;
    }
    if (this.ctx.damage) {
      this.damageId = conn.client.AllocID();
      this.ctx.damage.Create(this.damageId, conn.root, this.ctx.damage.ReportLevel.DeltaRectangles);
    }
    this.wantFull = true;
    this.schedule();
  }

  get active(): boolean {
    return this.running;
  }

  frameSize(): { width: number; height: number } {
    return { width: this.width, height: this.height };
  }

  requestFrame(): void {
    this.wantFull = true;
    this.schedule();
  }

  stats(): CaptureStats {
    return { ...this.counts };
  }

  stop(): Promise<void> {
    return this.end('stopped');
  }

  /** Ends the session: synchronously closes the input gate and frame output, then cleans up. */
  end(reason: CaptureEndReason, error?: Error): Promise<void> {
    if (this.endPromise) return this.endPromise;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.timer = this.idleTimer = null;
    this.unsubscribe();
    this.endPromise = (async () => {
      await this.inFlight?.catch(() => undefined);
      await this.inputChain.catch(() => undefined);
      const { conn, xtest, damage } = this.ctx;
      if (!conn.isClosed) {
        // the last input of the session: let go of what it still holds
        if (xtest) {
          for (const kc of this.heldKeys.values()) xtest.FakeInput(xtest.KeyRelease, kc, 0, 0, 0, 0);
          for (const b of this.heldButtons) xtest.FakeInput(xtest.ButtonRelease, b, 0, 0, 0, 0);
        }
        if (damage && this.damageId) damage.Destroy(this.damageId);
        this.seg?.detach();
        await conn.sync().catch(() => undefined);
      }
      this.heldKeys.clear();
      this.heldButtons.clear();
      this.seg = null;
      this.ctx.ended(this);
      try {
        this.opts.onEnded?.(reason, error);
      } catch {
        // the listener's problem
      }
    })();
    return this.endPromise;
  }

  // ---------------------------------------------------------------- frames

  private onXEvent(ev: { name: string; [k: string]: unknown }): void {
    if (!this.running) return;
    if (ev.name === 'DamageNotify') {
      if (ev.damage !== this.damageId) return;
      const a = ev.area as { x: number; y: number; w: number; h: number };
      const x0 = Math.max(0, a.x - this.origin.x);
      const y0 = Math.max(0, a.y - this.origin.y);
      const x1 = Math.min(this.width, a.x + a.w - this.origin.x);
      const y1 = Math.min(this.height, a.y + a.h - this.origin.y);
      if (x1 <= x0 || y1 <= y0) return;
      const d = this.dirty;
      this.dirty = d ? { x0: Math.min(d.x0, x0), y0: Math.min(d.y0, y0), x1: Math.max(d.x1, x1), y1: Math.max(d.y1, y1) } : { x0, y0, x1, y1 };
      this.schedule();
      return;
    }
    if (this.resolved.kind === 'window' && GEOMETRY_EVENTS.has(ev.name)) {
      this.geomGen++;
      this.wantFull = true;
      this.schedule();
    }
  }

  private schedule(): void {
    if (!this.running || this.timer || this.inFlight) return;
    const wait = Math.max(0, this.lastFrameAt + 1000 / this.maxFps - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run();
    }, wait);
  }

  private run(): void {
    if (!this.running) return;
    this.lastFrameAt = performance.now();
    this.inFlight = this.captureOnce()
      .catch((e: unknown) => {
        this.readErrors++;
        this.geomGen++;
        this.wantFull = true;
        if (this.readErrors >= MAX_READ_ERRORS) void this.end('error', e instanceof Error ? e : new Error(String(e)));
      })
      .finally(() => {
        this.inFlight = null;
        if (!this.running) return;
        if (this.idleTimer) clearTimeout(this.idleTimer);
        // polling: the next look is due anyway; with DAMAGE only when something is pending
        const delay = this.ctx.damage ? this.idleRefreshMs : 1000 / Math.min(this.maxFps, 30);
        this.idleTimer = setTimeout(() => {
          this.idleTimer = null;
          if (this.ctx.damage || performance.now() - this.lastEmitAt >= this.idleRefreshMs) this.wantFull = true;
          else this.dirty = { x0: 0, y0: 0, x1: this.width, y1: this.height };
          this.schedule();
        }, delay);
        if (this.dirty || this.wantFull || this.geomDoneGen !== this.geomGen) this.schedule();
      });
  }

  /** Re-reads where the target is; false when it is gone. One at a time (frames and input both ask). */
  private refreshGeometry(): Promise<boolean> {
    this.geomRefresh ??= this.readGeometry().finally(() => {
      this.geomRefresh = null;
    });
    return this.geomRefresh;
  }

  private async readGeometry(): Promise<boolean> {
    const { conn } = this.ctx;
    const gen = this.geomGen;
    let rect: Rect;
    let hidden = false;
    let covers: Rect[] = [];
    let top = 0;
    if (this.resolved.kind === 'monitor') {
      rect = this.resolved.rect;
    } else {
      const wid = this.resolved.wid;
      const r = await windowRect(conn, wid);
      if (!r) return false;
      rect = r;
      top = (await topLevelOf(conn, wid)) ?? 0;
      hidden = top === 0 || !(await isViewable(conn, wid));
      covers = top ? await occluders(conn, top, wid) : [];
    }
    const width = rect.width & ~1;
    const height = rect.height & ~1;
    if (width < 2 || height < 2) hidden = true;
    if (width !== this.width || height !== this.height) {
      this.width = Math.max(2, width);
      this.height = Math.max(2, height);
      this.mirror = Buffer.alloc(this.width * this.height * 4);
      this.image = blackI420(this.width, this.height);
    } else {
      this.mirror.fill(0);
    }
    this.layout++;
    this.origin = { x: rect.x, y: rect.y };
    this.covers = covers;
    this.topLevel = top;
    this.hidden = hidden;
    this.geomDoneGen = gen;
    this.wantFull = true;
    return true;
  }

  private async captureOnce(): Promise<void> {
    const { conn } = this.ctx;
    if (this.geomDoneGen !== this.geomGen) {
      if (!(await this.refreshGeometry())) {
        void this.end('target-gone');
        return;
      }
    }
    if (!this.running) return;
    if (this.hidden) {
      this.dirty = null;
      this.wantFull = false;
      return;
    }
    const full = this.wantFull;
    const box: Box | null = full ? { x0: 0, y0: 0, x1: this.width, y1: this.height } : this.dirty;
    this.wantFull = false;
    this.dirty = null;
    if (!box) return;
    if (this.ctx.damage && this.damageId) this.ctx.damage.Subtract(this.damageId, 0, 0);

    const t0 = performance.now();
    const screen: Rect = { x: 0, y: 0, width: conn.screenWidth, height: conn.screenHeight };
    const read = intersect({ x: this.origin.x + box.x0, y: this.origin.y + box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0 }, screen);
    let changed: Box | null = full ? box : null;
    if (read) {
      const layout = this.layout;
      const pixels = await this.read(read);
      if (!this.running) return;
      if (layout !== this.layout) {
        // the target moved or resized while its pixels were read: read it whole again
        this.wantFull = true;
        return;
      }
      const rowBytes = read.width * 4;
      const fx = read.x - this.origin.x;
      const fy = read.y - this.origin.y;
      const compare = !this.ctx.damage && !full;
      for (let r = 0; r < read.height; r++) {
        const src = r * rowBytes;
        const dst = ((fy + r) * this.width + fx) * 4;
        if (compare && pixels.compare(this.mirror, dst, dst + rowBytes, src, src + rowBytes) === 0) continue;
        pixels.copy(this.mirror, dst, src, src + rowBytes);
        if (!changed) changed = { x0: fx, y0: fy + r, x1: fx + read.width, y1: fy + r + 1 };
        else changed.y1 = fy + r + 1;
      }
      if (!this.ctx.damage && !full && changed) changed = { ...changed, x0: box.x0, x1: box.x1 };
    }
    if (!this.ctx.damage && !full && !changed) return; // polling found nothing new
    const target = changed ?? box;
    this.blackOutCovers(target);
    const t1 = performance.now();
    const even = evenBox(target, this.width, this.height);
    if (even) bgraToI420(this.mirror, 0, this.width * 4, this.image, even);
    const t2 = performance.now();
    this.counts.lastReadMs = t1 - t0;
    this.counts.lastConvertMs = t2 - t1;
    this.readErrors = 0;
    if (!this.running) return;
    this.lastEmitAt = t2;
    this.counts.frames++;
    if (full) this.counts.fullFrames++;
    const frame: I420Frame = { width: this.width, height: this.height, data: this.image.data.slice(), timestampMs: t0, full };
    try {
      this.onFrame(frame);
    } catch (e) {
      void this.end('error', e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** BGRA pixels of a rectangle of the root, rows packed (width*4 bytes each). */
  private async read(r: Rect): Promise<Buffer> {
    const { conn } = this.ctx;
    this.ctx.counters.imageReads++;
    const seg = this.seg;
    if (seg && r.width * r.height * 4 <= seg.size) {
      await conn.call<unknown>((cb) => seg.getImage(conn.root, r.x, r.y, r.width, r.height, 0xffffffff, X.ZPixmap, 0, cb));
      return seg.buffer;
    }
    return conn.getImage(conn.root, r.x, r.y, r.width, r.height);
  }

  /** Paints the parts of the frame that other applications' windows cover black in the mirror. */
  private blackOutCovers(box: Box): void {
    for (const c of this.covers) {
      const x0 = Math.max(box.x0, c.x - this.origin.x);
      const y0 = Math.max(box.y0, c.y - this.origin.y);
      const x1 = Math.min(box.x1, c.x + c.width - this.origin.x);
      const y1 = Math.min(box.y1, c.y + c.height - this.origin.y);
      if (x1 <= x0 || y1 <= y0) continue;
      for (let y = y0; y < y1; y++) this.mirror.fill(0, (y * this.width + x0) * 4, (y * this.width + x1) * 4);
    }
  }

  // ---------------------------------------------------------------- input

  input(event: InputEvent): Promise<InputOutcome> {
    if (!this.running) return Promise.reject(new BackendStoppedError());
    let ev: InputEvent;
    try {
      ev = InputEventSchema.parse(event);
    } catch (e) {
      return Promise.reject(e);
    }
    if (!this.ctx.xtest) return Promise.reject(new InputUnsupportedError('this X server has no XTEST extension: view only'));
    const next = this.inputChain.then(() => this.handle(ev));
    this.inputChain = next.catch(() => undefined);
    return next.then((outcome) => {
      if (outcome === 'delivered') this.counts.inputDelivered++;
      else this.counts.inputDropped++;
      return outcome;
    });
  }

  /** The only way input reaches the X server while the session runs. */
  private fake(type: number, detail: number, x = 0, y = 0): void {
    if (!this.running || this.ctx.conn.isClosed) throw new BackendStoppedError();
    const xtest = this.ctx.xtest!;
    xtest.FakeInput(type, detail, 0, type === xtest.MotionNotify ? this.ctx.conn.root : 0, x, y);
    this.counts.injected++;
    this.ctx.counters.injected++;
  }

  private assertRunning(): void {
    if (!this.running) throw new BackendStoppedError();
  }

  /** Where a frame point is allowed, given the target's geometry now. */
  private placeOf(fx: number, fy: number): InputOutcome {
    if (this.hidden) return 'hidden';
    if (fx < 0 || fy < 0 || fx >= this.width || fy >= this.height) return 'outside';
    const rx = this.origin.x + fx;
    const ry = this.origin.y + fy;
    if (rx < 0 || ry < 0 || rx >= this.ctx.conn.screenWidth || ry >= this.ctx.conn.screenHeight) return 'outside';
    for (const c of this.covers) if (rx >= c.x && ry >= c.y && rx < c.x + c.width && ry < c.y + c.height) return 'covered';
    return 'delivered';
  }

  private async currentGeometry(): Promise<void> {
    if (this.resolved.kind === 'window' && this.geomDoneGen !== this.geomGen) {
      if (!(await this.refreshGeometry())) {
        void this.end('target-gone');
        throw new BackendStoppedError('the shared window is gone; no input is injected');
      }
      this.schedule();
    }
    this.assertRunning();
  }

  private async keyboardFocused(): Promise<boolean> {
    if (this.resolved.kind !== 'window') return true;
    const { conn } = this.ctx;
    return focusIsIn(conn, this.resolved.wid, this.topLevel, async () => {
      const p = await conn.pointer();
      return this.placeOf(p.rootX - this.origin.x, p.rootY - this.origin.y) === 'delivered';
    });
  }

  /** Gives the shared window the keyboard focus (through the window manager when there is one). */
  private focusWindow(): void {
    if (this.resolved.kind !== 'window') return;
    this.assertRunning();
    const { conn, netActiveWindow } = this.ctx;
    const wid = this.resolved.wid;
    if (netActiveWindow) conn.client.SendClientMessage(conn.root, wid, netActiveWindow, 32, [2, 0, 0, 0, 0], 0x00180000, () => true);
    else conn.client.SetInputFocus(wid, X.RevertToParent, () => true);
    this.counts.injected++;
    this.ctx.counters.injected++;
  }

  private moveTo(fx: number, fy: number): void {
    this.fake(this.ctx.xtest!.MotionNotify, 0, this.origin.x + fx, this.origin.y + fy);
  }

  private async handle(ev: InputEvent): Promise<InputOutcome> {
    this.assertRunning();
    const xtest = this.ctx.xtest!;
    switch (ev.type) {
      case 'pointer.move':
      case 'pointer.down':
      case 'pointer.up':
      case 'pointer.wheel': {
        await this.currentGeometry();
        const fx = Math.round(ev.x);
        const fy = Math.round(ev.y);
        const place = this.placeOf(fx, fy);
        if (ev.type === 'pointer.up') {
          const b = BUTTONS[ev.button];
          if (!this.heldButtons.has(b)) return 'not-pressed';
          // a release always goes (a drag may end outside): where it is allowed at the point, else where the pointer is
          if (place === 'delivered') this.moveTo(fx, fy);
          this.fake(xtest.ButtonRelease, b);
          this.heldButtons.delete(b);
          return 'delivered';
        }
        if (place !== 'delivered') return place;
        if (ev.type === 'pointer.move') {
          this.moveTo(fx, fy);
          return 'delivered';
        }
        if (ev.type === 'pointer.down') {
          this.moveTo(fx, fy);
          // a click into a shared window that has no focus gives it the focus (what a click does under most window managers)
          if (this.resolved.kind === 'window' && !(await this.keyboardFocused())) this.focusWindow();
          const b = BUTTONS[ev.button];
          this.fake(xtest.ButtonPress, b);
          this.heldButtons.add(b);
          return 'delivered';
        }
        this.moveTo(fx, fy);
        const notches: Array<[number, number]> = [
          [ev.dy > 0 ? WHEEL.down : WHEEL.up, Math.abs(ev.dy)],
          [ev.dx > 0 ? WHEEL.right : WHEEL.left, Math.abs(ev.dx)],
        ];
        for (const [button, n] of notches) {
          for (let i = 0; i < n; i++) {
            this.fake(xtest.ButtonPress, button);
            this.fake(xtest.ButtonRelease, button);
          }
        }
        return 'delivered';
      }
      case 'key.down':
      case 'key.up': {
        const held = this.heldKeys.get(ev.code);
        if (ev.type === 'key.up') {
          if (held === undefined) return 'not-pressed';
          this.fake(xtest.KeyRelease, held);
          this.heldKeys.delete(ev.code);
          return 'delivered';
        }
        await this.currentGeometry();
        if (this.hidden) return 'hidden';
        if (!(await this.keyboardFocused())) return 'not-focused';
        this.assertRunning();
        const keycode = held ?? (await this.ctx.keyboard!.keycodeFor(keysymForCode(ev.code)));
        if (keycode === null) return 'unsupported';
        this.fake(xtest.KeyPress, keycode);
        this.heldKeys.set(ev.code, keycode);
        return 'delivered';
      }
      case 'text': {
        await this.currentGeometry();
        if (this.hidden) return 'hidden';
        if (!(await this.keyboardFocused())) return 'not-focused';
        this.assertRunning();
        await this.ctx.keyboard!.typeText(
          ev.text,
          (kind, keycode) => this.fake(kind === 'press' ? xtest.KeyPress : xtest.KeyRelease, keycode),
          () => this.assertRunning(),
        );
        return 'delivered';
      }
    }
  }
}
