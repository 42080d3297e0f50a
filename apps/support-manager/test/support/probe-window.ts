/**
 * A test window on its own X connection: a plain coloured rectangle that
 * records the pointer and key events it gets, and can repaint itself
 * continuously (the "screen keeps changing" case).
 */
import { XConn } from '../../src/backend/x11/connection.js';
import type { XEvent } from 'x11';

export interface ProbeWindow {
  wid: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Events received so far: ButtonPress, ButtonRelease, MotionNotify, KeyPress… */
  events: XEvent[];
  /** Fills the whole window with an RGB colour (0xRRGGBB). */
  fill(rgb: number): void;
  /** Repaints with changing colours every `intervalMs` until the returned function is called. */
  animate(intervalMs: number): () => void;
  /** Round trip on the probe's connection: what it drew has reached the server. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

const EVENTS = 0x4 | 0x8 | 0x40 | 0x1 | 0x2; // ButtonPress | ButtonRelease | PointerMotion | KeyPress | KeyRelease

export async function openProbe(
  display: string,
  g: { x: number; y: number; width: number; height: number; rgb: number; title?: string },
): Promise<ProbeWindow> {
  const conn = await XConn.connect(display);
  const X = conn.client;
  const wid = X.AllocID();
  // override-redirect: placed exactly where asked, window manager or not
  X.CreateWindow(wid, conn.root, g.x, g.y, g.width, g.height, 0, 0, 1, 0, { backgroundPixel: g.rgb, eventMask: EVENTS, overrideRedirect: 1 });
  if (g.title) X.ChangeProperty(0, wid, X.atoms.WM_NAME ?? 39, X.atoms.STRING ?? 31, 8, g.title);
  const gc = X.AllocID();
  X.CreateGC(gc, wid, { foreground: g.rgb });
  const events: XEvent[] = [];
  conn.onEvent((ev) => {
    if ((ev as { wid?: number }).wid === wid) events.push(ev);
  });
  X.MapWindow(wid);
  await conn.sync();
  const fill = (rgb: number) => {
    X.ChangeGC(gc, { foreground: rgb });
    X.PolyFillRectangle(wid, gc, [0, 0, g.width, g.height]);
  };
  fill(g.rgb);
  await conn.sync();
  return {
    wid,
    ...g,
    events,
    fill,
    animate(intervalMs) {
      let n = 0;
      const timer = setInterval(() => {
        n++;
        // a few bands of different colours so the whole window changes every time
        for (let band = 0; band < 4; band++) {
          X.ChangeGC(gc, { foreground: ((n * 0x3f1f0f + band * 0x204080) & 0xffffff) >>> 0 });
          X.PolyFillRectangle(wid, gc, [0, Math.floor((band * g.height) / 4), g.width, Math.ceil(g.height / 4)]);
        }
      }, intervalMs);
      return () => clearInterval(timer);
    },
    sync: () => conn.sync(),
    async close() {
      X.DestroyWindow(wid);
      await conn.sync().catch(() => undefined);
      await conn.close();
    },
  };
}
