/**
 * Keysyms: what a key *means* to X11 clients. The rep's key events arrive as
 * DOM `KeyboardEvent.code` values and are turned into the keysym of the US
 * meaning of that code; text arrives as characters and each character is
 * turned into its keysym (Latin-1 and the legacy keysym tables where X has one,
 * else the Unicode keysym 0x01000000 + code point, which every Xlib since
 * X11R6.9 understands).
 */
import x11 from 'x11';
import type { KeyCode } from '../input.js';

export const XK = {
  BackSpace: 0xff08,
  Tab: 0xff09,
  Return: 0xff0d,
  Pause: 0xff13,
  Scroll_Lock: 0xff14,
  Escape: 0xff1b,
  Home: 0xff50,
  Left: 0xff51,
  Up: 0xff52,
  Right: 0xff53,
  Down: 0xff54,
  Page_Up: 0xff55,
  Page_Down: 0xff56,
  End: 0xff57,
  Print: 0xff61,
  Insert: 0xff63,
  Menu: 0xff67,
  KP_Enter: 0xff8d,
  F1: 0xffbe,
  Shift_L: 0xffe1,
  Shift_R: 0xffe2,
  Control_L: 0xffe3,
  Control_R: 0xffe4,
  Caps_Lock: 0xffe5,
  Alt_L: 0xffe9,
  Alt_R: 0xffea,
  Super_L: 0xffeb,
  Super_R: 0xffec,
  Delete: 0xffff,
  space: 0x20,
} as const;

const CODE_KEYSYMS: Record<string, number> = {
  Enter: XK.Return,
  NumpadEnter: XK.KP_Enter,
  Backspace: XK.BackSpace,
  Tab: XK.Tab,
  Escape: XK.Escape,
  Space: XK.space,
  ArrowLeft: XK.Left,
  ArrowUp: XK.Up,
  ArrowRight: XK.Right,
  ArrowDown: XK.Down,
  Home: XK.Home,
  End: XK.End,
  PageUp: XK.Page_Up,
  PageDown: XK.Page_Down,
  Insert: XK.Insert,
  Delete: XK.Delete,
  ShiftLeft: XK.Shift_L,
  ShiftRight: XK.Shift_R,
  ControlLeft: XK.Control_L,
  ControlRight: XK.Control_R,
  AltLeft: XK.Alt_L,
  AltRight: XK.Alt_R,
  MetaLeft: XK.Super_L,
  MetaRight: XK.Super_R,
  CapsLock: XK.Caps_Lock,
  ContextMenu: XK.Menu,
  PrintScreen: XK.Print,
  ScrollLock: XK.Scroll_Lock,
  Pause: XK.Pause,
};
for (let i = 0; i < 12; i++) CODE_KEYSYMS[`F${i + 1}`] = XK.F1 + i;
for (let c = 0; c < 26; c++) CODE_KEYSYMS[`Key${String.fromCharCode(65 + c)}`] = 0x61 + c; // a..z
for (let d = 0; d < 10; d++) CODE_KEYSYMS[`Digit${d}`] = 0x30 + d;

export function keysymForCode(code: KeyCode): number {
  const ks = CODE_KEYSYMS[code];
  if (ks === undefined) throw new Error(`no keysym for key code ${code}`);
  return ks;
}

const MODIFIER_KEYSYMS = new Set<number>([XK.Shift_L, XK.Shift_R, XK.Control_L, XK.Control_R, XK.Alt_L, XK.Alt_R, XK.Super_L, XK.Super_R]);
export function isModifierKeysym(ks: number): boolean {
  return MODIFIER_KEYSYMS.has(ks);
}

/** Code point → legacy (pre-Unicode) keysym, from the keysymdef.h table the `x11` package ships. */
let legacy: Map<number, number> | null = null;
function legacyTable(): Map<number, number> {
  if (legacy) return legacy;
  legacy = new Map();
  for (const { code, description } of Object.values(x11.keySyms)) {
    if (!description || code >= 0x01000000 || code < 0x100) continue;
    // descriptions look like "(\u20AC) EURO SIGN"
    const m = /^\((.)\)/u.exec(description);
    if (!m) continue;
    const cp = m[1]!.codePointAt(0)!;
    if (!legacy.has(cp)) legacy.set(cp, code);
  }
  return legacy;
}

/** The control characters text may carry, typed as their keys. */
const CONTROL_KEYSYMS: Record<number, number> = {
  0x0a: XK.Return, // \n
  0x0d: XK.Return, // \r (a \r\n pair is typed once, see textKeysyms)
  0x09: XK.Tab,
  0x08: XK.BackSpace,
};

/**
 * The keysyms to look for in the keymap for one character, preferred first:
 * the direct one (Latin-1 / legacy table) and the Unicode keysym. Null for a
 * character that cannot be typed (other control characters).
 */
export function keysymsForChar(cp: number): number[] | null {
  const control = CONTROL_KEYSYMS[cp];
  if (control !== undefined) return [control];
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return null;
  if (cp >= 0xd800 && cp <= 0xdfff) return null; // lone surrogate
  if (cp < 0x100) return [cp];
  const uni = 0x01000000 + cp;
  const old = legacyTable().get(cp);
  return old !== undefined ? [old, uni] : [uni];
}

/** Splits text into code points, folding "\r\n" into one Return. */
export function codePoints(text: string): number[] {
  const out: number[] = [];
  let prevCr = false;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x0a && prevCr) {
      prevCr = false;
      continue;
    }
    prevCr = cp === 0x0d;
    out.push(cp);
  }
  return out;
}
