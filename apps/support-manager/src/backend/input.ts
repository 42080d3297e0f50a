/**
 * The shapes that cross the wire between the rep's console and the Support
 * Manager: what can be shared (monitors, application windows), what is shared
 * (a capture target) and the rep's input events. Platform-neutral: every
 * backend (X11 now; Windows, macOS planned) takes and returns exactly these.
 * Kept free of Node and X11 imports so it can move into packages/protocol.
 */
import { z } from 'zod';

/** An X11 coordinate is a signed 16-bit number; anything wider is nonsense from any platform. */
const Coord = z.number().finite().min(-32768).max(32767);
const Size = z.number().int().min(0).max(65535);

/** A physical monitor (RandR CRTC / monitor on X11, an HMONITOR on Windows, a CGDirectDisplay on macOS). */
export const Monitor = z.object({
  /** Stable while the monitor layout does not change; opaque to callers. */
  id: z.string().min(1).max(100),
  /** What a person calls it: the output name (e.g. "HDMI-1"), else "Screen 1". */
  name: z.string().max(200),
  /** Position in the virtual desktop, pixels. */
  x: Coord,
  y: Coord,
  width: Size,
  height: Size,
  primary: z.boolean(),
});
export type Monitor = z.infer<typeof Monitor>;

/** A top-level application window that can be shared on its own (APP-2). */
export const AppWindow = z.object({
  /** Opaque id (X11: the client window id as "0x…" hex). */
  id: z.string().min(1).max(100),
  /** The window title (_NET_WM_NAME, else WM_NAME). */
  title: z.string().max(1000),
  /** The application (X11: the class part of WM_CLASS, e.g. "XTerm"); "" when unknown. */
  app: z.string().max(200),
  /** Process id when the window says (_NET_WM_PID); informational only. */
  pid: z.number().int().positive().optional(),
  /** Geometry of the window's content area in the virtual desktop, pixels. */
  x: Coord,
  y: Coord,
  width: Size,
  height: Size,
  /** Whether it has the keyboard focus now. */
  focused: z.boolean(),
});
export type AppWindow = z.infer<typeof AppWindow>;

/** What one capture shows: a whole monitor, or one application window (input confined to it). */
export const CaptureTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('monitor'), id: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('window'), id: z.string().min(1).max(100) }),
]);
export type CaptureTarget = z.infer<typeof CaptureTarget>;

/**
 * The rep's input events are the wire schema of packages/protocol
 * (`control.ts`), which the console sends with. What a backend does with them:
 * a key is pressed by the *meaning* of its code on a US keyboard (by keysym on
 * X11), never the rep's physical key position (`KeyZ` is "z" even when the rep
 * sits at a German keyboard); pointer positions outside the target, or on a
 * part of a shared window another application covers, are dropped.
 */
export { InputEvent, KEY_CODES, KeyCode, MAX_TEXT_CHARS, PointerButton, type InputEventType } from '@rs/protocol';
