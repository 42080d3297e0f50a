/**
 * The Linux/X11 backend: one X connection (the `x11` npm package, pure JS),
 * MIT-SHM for reading pixels, DAMAGE for knowing when to, XTEST for input,
 * XKB for the lock and group state, RandR for monitors.
 */
import type { AppWindow, CaptureTarget, Monitor } from '../input.js';
import { CaptureTarget as CaptureTargetSchema } from '../input.js';
import { TargetNotFoundError, type Backend, type BackendCapabilities, type CaptureOptions, type I420Frame } from '../types.js';
import { X11CaptureSession, type ResolvedTarget, type X11Context } from './capture-session.js';
import { X11Clipboard, type X11ClipboardOptions } from './clipboard.js';
import { XConn, type DamageExt, type ShmExt, type XkbExt, type XTestExt } from './connection.js';
import { X11Keyboard } from './keyboard.js';
import { listMonitors } from './monitors.js';
import { isViewable, listWindows, parseWindowId } from './windows.js';

export interface X11BackendOptions {
  /** X display, e.g. ":0" (default: $DISPLAY). */
  display?: string;
  /** Use MIT-SHM when the server allows it (default true). */
  shm?: boolean;
  /** Use DAMAGE when the server has it (default true; false polls, for tests of the fallback). */
  damage?: boolean;
}

export class X11Backend implements Backend {
  readonly platform = 'linux-x11';
  readonly capabilities: BackendCapabilities;
  private readonly sessions = new Set<X11CaptureSession>();
  private readonly clipboards = new Set<X11Clipboard>();
  private closing: Promise<void> | null = null;
  private rootWatched = false;
  /** Image reads and injected events over the backend's life (for tests: nothing before start, nothing after stop). */
  readonly counters = { imageReads: 0, injected: 0 };
  private readonly ctx: X11Context;

  private constructor(
    readonly conn: XConn,
    shm: ShmExt | null,
    damage: DamageExt | null,
    xtest: XTestExt | null,
    private readonly keyboard: X11Keyboard | null,
    netActiveWindow: number | null,
    private readonly displayName: string | undefined,
  ) {
    this.capabilities = { input: xtest !== null, damage: damage !== null, shm: shm !== null };
    this.ctx = {
      conn,
      shm,
      damage,
      xtest,
      keyboard,
      netActiveWindow,
      counters: this.counters,
      watchRoot: () => {
        if (this.rootWatched) return;
        this.rootWatched = true;
        conn.client.ChangeWindowAttributes(conn.root, { eventMask: 0x00080000 /* SubstructureNotify */ }, () => true);
      },
      ended: (s) => this.sessions.delete(s),
    };
    conn.onLost(() => {
      for (const s of this.sessions) void s.end('error', new Error('the X server closed the connection'));
    });
  }

  static async connect(opts: X11BackendOptions = {}): Promise<X11Backend> {
    const conn = await XConn.connect(opts.display);
    try {
      const [shmExt, damage, xtest, xkb] = await Promise.all([
        opts.shm === false ? null : conn.ext<ShmExt>('shm'),
        opts.damage === false ? null : conn.ext<DamageExt>('damage'),
        conn.ext<XTestExt>('xtest'),
        conn.ext<XkbExt>('xkb'),
      ]);
      const usable = shmExt && conn.display.isLocalSocket ? await conn.call<boolean>((cb) => shmExt.usable((_e, ok) => cb(null, ok))) : false;
      const shm = usable ? shmExt : null;
      checkPixelFormat(conn);
      const netActiveWindow = await wmActiveWindowAtom(conn);
      const keyboard = xtest ? new X11Keyboard(conn, xkb) : null;
      return new X11Backend(conn, shm, damage, xtest, keyboard, netActiveWindow, opts.display);
    } catch (e) {
      await conn.close();
      throw e;
    }
  }

  private assertOpen(): void {
    if (this.closing || this.conn.isClosed) throw new Error('the X11 backend is closed');
  }

  async monitors(): Promise<Monitor[]> {
    this.assertOpen();
    return listMonitors(this.conn);
  }

  async windows(): Promise<AppWindow[]> {
    this.assertOpen();
    return listWindows(this.conn);
  }

  async startCapture(target: CaptureTarget, onFrame: (frame: I420Frame) => void, opts: CaptureOptions = {}): Promise<X11CaptureSession> {
    this.assertOpen();
    const t = CaptureTargetSchema.parse(target);
    let resolved: ResolvedTarget;
    if (t.kind === 'monitor') {
      const m = (await this.monitors()).find((x) => x.id === t.id);
      if (!m) throw new TargetNotFoundError(t);
      resolved = { kind: 'monitor', rect: { x: m.x, y: m.y, width: m.width, height: m.height } };
    } else {
      const wid = parseWindowId(t.id);
      if (wid === null || !(await isViewable(this.conn, wid))) throw new TargetNotFoundError(t);
      resolved = { kind: 'window', wid };
    }
    this.assertOpen();
    const session = await X11CaptureSession.start(this.ctx, t, resolved, onFrame, opts);
    this.sessions.add(session);
    return session;
  }

  /** The CLIPBOARD selection on a connection of its own (see clipboard.ts for why). */
  async openClipboard(opts: X11ClipboardOptions = {}): Promise<X11Clipboard> {
    this.assertOpen();
    const clipboard: X11Clipboard = await X11Clipboard.open(this.displayName, opts, () => this.clipboards.delete(clipboard));
    if (this.closing) {
      await clipboard.close();
      this.assertOpen();
    }
    this.clipboards.add(clipboard);
    return clipboard;
  }

  /** Spare keycodes bound for typing right now (diagnostics). */
  boundKeycodes(): number[] {
    return this.keyboard?.boundKeycodes() ?? [];
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.clipboards].map((c) => c.close()));
      await Promise.all([...this.sessions].map((s) => s.end('backend-closed')));
      await this.keyboard?.restore().catch(() => undefined);
      this.keyboard?.dispose();
      if (!this.conn.isClosed) await this.conn.sync().catch(() => undefined);
      await this.conn.close();
    })();
    return this.closing;
  }
}

/** Frames are read as 32-bit little-endian BGRX (depth 24 or 32 TrueColor); other visuals are refused up front. */
function checkPixelFormat(conn: XConn): void {
  const screen = conn.display.screen[0]!;
  const depth = screen.root_depth;
  const bpp = conn.display.format[String(depth)]?.bits_per_pixel;
  const visual = screen.depths[String(depth)]?.[String(screen.root_visual)];
  const ok =
    (depth === 24 || depth === 32) &&
    bpp === 32 &&
    conn.display.image_byte_order === 0 &&
    (!visual || (visual.red_mask === 0xff0000 && visual.green_mask === 0xff00 && visual.blue_mask === 0xff));
  if (!ok) throw new Error(`unsupported X pixel format: depth ${depth}, ${bpp} bits per pixel, image byte order ${conn.display.image_byte_order}`);
}

/** _NET_ACTIVE_WINDOW when a running window manager lists it in _NET_SUPPORTED. */
async function wmActiveWindowAtom(conn: XConn): Promise<number | null> {
  const [supported, active] = await Promise.all([conn.atom('_NET_SUPPORTED'), conn.atom('_NET_ACTIVE_WINDOW')]);
  const p = await conn.property(conn.root, supported).catch(() => null);
  if (!p || p.format !== 32) return null;
  for (let i = 0; i + 4 <= p.data.length; i += 4) if (p.data.readUInt32LE(i) === active) return active;
  return null;
}
