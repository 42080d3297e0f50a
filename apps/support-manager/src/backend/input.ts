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

export const PointerButton = z.enum(['left', 'middle', 'right']);
export type PointerButton = z.infer<typeof PointerButton>;

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((c) => `Key${c}`);
const digits = '0123456789'.split('').map((d) => `Digit${d}`);
const fkeys = Array.from({ length: 12 }, (_, i) => `F${i + 1}`);

/**
 * DOM `KeyboardEvent.code` values a key event may carry. These are the keys
 * that produce no text (editing, navigation, function keys, modifiers) plus
 * letters, digits and Space for shortcuts (Ctrl+C, Alt+F4…). A backend presses
 * the key that has the *meaning* of the code on a US keyboard (by keysym on
 * X11), never the rep's physical key position: `KeyZ` is "z" even when the rep
 * sits at a German keyboard. Text goes as `text` events.
 */
export const KEY_CODES = [
  'Enter', 'NumpadEnter', 'Backspace', 'Tab', 'Escape', 'Space',
  'ArrowLeft', 'ArrowUp', 'ArrowRight', 'ArrowDown',
  'Home', 'End', 'PageUp', 'PageDown', 'Insert', 'Delete',
  'ShiftLeft', 'ShiftRight', 'ControlLeft', 'ControlRight', 'AltLeft', 'AltRight', 'MetaLeft', 'MetaRight',
  'CapsLock', 'ContextMenu', 'PrintScreen', 'ScrollLock', 'Pause',
  ...fkeys, ...letters, ...digits,
] as const;
export const KeyCode = z.enum(KEY_CODES);
export type KeyCode = z.infer<typeof KeyCode>;

/** Longest text one event may carry (a paste is split by the sender). */
export const MAX_TEXT_CHARS = 1000;

/**
 * One input event from the rep. Pointer coordinates are pixels of the
 * captured frame (0 ≤ x < frame width, 0 ≤ y < frame height; fractions are
 * rounded); what falls outside the target, or on a part of a shared window
 * that another application covers, is dropped by the backend.
 */
export const InputEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pointer.move'), x: Coord, y: Coord }),
  z.object({ type: z.literal('pointer.down'), button: PointerButton, x: Coord, y: Coord }),
  z.object({ type: z.literal('pointer.up'), button: PointerButton, x: Coord, y: Coord }),
  /** Wheel by notches: dy > 0 scrolls down, dx > 0 scrolls right (one notch ≈ one click of a wheel). */
  z.object({
    type: z.literal('pointer.wheel'),
    x: Coord,
    y: Coord,
    dx: z.number().int().min(-20).max(20),
    dy: z.number().int().min(-20).max(20),
  }),
  z.object({ type: z.literal('key.down'), code: KeyCode }),
  z.object({ type: z.literal('key.up'), code: KeyCode }),
  /** Characters typed as characters, whatever the keyboard layouts on either side. "\n" is Enter, "\t" Tab, "\b" Backspace. */
  z.object({ type: z.literal('text'), text: z.string().min(1).max(MAX_TEXT_CHARS) }),
]);
export type InputEvent = z.infer<typeof InputEvent>;
export type InputEventType = InputEvent['type'];
