import { z } from 'zod';

/**
 * Remote control input (DSK-2, APP-2): what the rep's console sends to the
 * customer's Support Manager on the data channel `input` of a control
 * activity's connection, one JSON-encoded event per message.
 *
 * The wire schema shared by the console and Support Manager, which validates
 * with it and hands the events to its platform backend
 * (apps/support-manager/src/backend/input.ts re-exports them).
 */

/** The label of the data channel the device creates for input. */
export const INPUT_CHANNEL = 'input';

/** An X11 coordinate is a signed 16-bit number; anything wider is nonsense from any platform. */
const Coord = z.number().finite().min(-32768).max(32767);

export const PointerButton = z.enum(['left', 'middle', 'right']);
export type PointerButton = z.infer<typeof PointerButton>;

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((c) => `Key${c}`);
const digits = '0123456789'.split('').map((d) => `Digit${d}`);
const fkeys = Array.from({ length: 12 }, (_, i) => `F${i + 1}`);

/**
 * DOM `KeyboardEvent.code` values a key event may carry: keys that produce no
 * text (editing, navigation, function keys, modifiers) plus letters, digits
 * and Space for shortcuts (Ctrl+C, Alt+F4…). Text goes as `text` events.
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
 * captured frame (the video's intrinsic size); wheel by notches (dy > 0
 * scrolls down, dx > 0 right); text as characters whatever the keyboard
 * layouts ("\n" Enter, "\t" Tab, "\b" Backspace).
 */
export const InputEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pointer.move'), x: Coord, y: Coord }),
  z.object({ type: z.literal('pointer.down'), button: PointerButton, x: Coord, y: Coord }),
  z.object({ type: z.literal('pointer.up'), button: PointerButton, x: Coord, y: Coord }),
  z.object({
    type: z.literal('pointer.wheel'),
    x: Coord,
    y: Coord,
    dx: z.number().int().min(-20).max(20),
    dy: z.number().int().min(-20).max(20),
  }),
  z.object({ type: z.literal('key.down'), code: KeyCode }),
  z.object({ type: z.literal('key.up'), code: KeyCode }),
  z.object({ type: z.literal('text'), text: z.string().min(1).max(MAX_TEXT_CHARS) }),
]);
export type InputEvent = z.infer<typeof InputEvent>;
export type InputEventType = InputEvent['type'];
