/**
 * Typing on X11 by meaning, not by key position.
 *
 * A keysym (a key's meaning: "é", "Return", "F5") is pressed with a keycode
 * that already carries it in the current keymap — at level 1, or at level 2
 * with Shift — when the layout's group 1 is active. Otherwise (a character the
 * customer's layout lacks, or another layout group active) a spare keycode —
 * one with no keysyms and no modifier role — is bound to the keysym with
 * ChangeKeyboardMapping, pressed, and unbound again once typing has been idle
 * for a while, as xdotool does. The delay matters: X clients look the keymap
 * up lazily after a MappingNotify, so unbinding right after the key press
 * could make them read the old (empty) mapping for that press.
 *
 * Caps Lock would turn "é" into "É" in the client's lookup, so while text is
 * typed it is unlocked through XKB (LatchLockState) and locked again after:
 * the lock state travels with each key event, so this is race-free.
 */
import { LockMask, ShiftMask, type XConn, type XkbExt, type XkbState } from './connection.js';
import { codePoints, keysymsForChar } from './keysyms.js';

/** Sends one fake key event; throws once the capture session is stopped (capture-session.ts). */
export type KeySender = (type: 'press' | 'release', keycode: number) => void;

/** How long bound spare keycodes stay bound after the last use. */
export const UNBIND_AFTER_MS = 1000;

interface Binding {
  keysym: number;
  lastUsed: number;
}

interface Plan {
  keycode: number;
  /** true: needs Shift; false: needs no Shift; null: level does not matter (bound spare). */
  shift: boolean | null;
}

export class X11Keyboard {
  private rows: number[][] | null = null;
  private perKeycode = 0;
  private modifierKeycodes = new Set<number>();
  private shiftKeycode = 0;
  private spares: number[] = [];
  private readonly bound = new Map<number, Binding>();
  private unbindTimer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: () => void;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly conn: XConn,
    private readonly xkb: XkbExt | null,
  ) {
    this.unsubscribe = conn.onEvent((ev) => {
      if (ev.name === 'MappingNotify') this.rows = null;
    });
  }

  /** Runs keyboard work one piece at a time (bindings and the keymap cache are shared). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.busy.then(fn, fn);
    this.busy = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<number[][]> {
    if (this.rows) return this.rows;
    const [rows, mods] = await Promise.all([this.conn.keyboardMapping(), this.conn.modifierMapping()]);
    const min = this.conn.display.min_keycode;
    this.perKeycode = rows[0]?.length ?? 2;
    this.modifierKeycodes = new Set(mods.flat().filter((k) => k !== 0));
    this.shiftKeycode = mods[0]?.find((k) => k !== 0) ?? 0;
    // spares: empty keycodes that are no modifier, highest first (least likely to be a real key), plus ours
    const spares: number[] = [];
    for (let i = rows.length - 1; i >= 0; i--) {
      const kc = min + i;
      if (this.modifierKeycodes.has(kc)) continue;
      if (this.bound.has(kc) || rows[i]!.every((k) => k === 0)) spares.push(kc);
    }
    this.spares = spares;
    this.rows = rows;
    return rows;
  }

  private row(kc: number): number[] | undefined {
    return this.rows?.[kc - this.conn.display.min_keycode];
  }

  /** A keycode already carrying one of the keysyms in group 1, level 1 or 2. */
  private find(keysyms: number[], allowModifierKeys: boolean): Plan | null {
    const rows = this.rows;
    if (!rows) return null;
    const min = this.conn.display.min_keycode;
    for (const ks of keysyms) {
      for (let level = 0; level < 2; level++) {
        for (let i = 0; i < rows.length; i++) {
          const kc = min + i;
          if (!allowModifierKeys && this.modifierKeycodes.has(kc)) continue;
          if (this.bound.has(kc)) continue;
          if (rows[i]![level] === ks) return { keycode: kc, shift: level === 1 };
        }
      }
    }
    for (const ks of keysyms) {
      for (const [kc, b] of this.bound) {
        if (b.keysym === ks) {
          b.lastUsed = Date.now();
          return { keycode: kc, shift: null };
        }
      }
    }
    return null;
  }

  /** Binds a spare keycode to the keysym (reusing the least recently used binding when all are taken). */
  private async bind(keysym: number): Promise<Plan | null> {
    let kc = this.spares.find((k) => !this.bound.has(k));
    if (kc === undefined) {
      let oldest: [number, Binding] | null = null;
      for (const e of this.bound) if (!oldest || e[1].lastUsed < oldest[1].lastUsed) oldest = e;
      if (!oldest) return null;
      kc = oldest[0];
      // let clients finish looking up the key that used it before
      await this.conn.sync();
      const wait = oldest[1].lastUsed + 100 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const syms = new Array<number>(this.perKeycode).fill(0);
    syms[0] = keysym;
    if (syms.length > 1) syms[1] = keysym;
    this.conn.client.ChangeKeyboardMapping(kc, this.perKeycode, syms);
    this.bound.set(kc, { keysym, lastUsed: Date.now() });
    const row = this.row(kc);
    if (row) row.splice(0, row.length, ...syms);
    this.scheduleUnbind();
    return { keycode: kc, shift: null };
  }

  private scheduleUnbind(): void {
    if (this.unbindTimer) clearTimeout(this.unbindTimer);
    this.unbindTimer = setTimeout(() => {
      this.unbindTimer = null;
      void this.serial(() => this.unbindIdle(UNBIND_AFTER_MS));
    }, UNBIND_AFTER_MS + 50);
    this.unbindTimer.unref();
  }

  /** Unbinds the spare keycodes unused for at least `idleMs` (0: all). */
  private async unbindIdle(idleMs: number): Promise<void> {
    if (this.conn.isClosed) return;
    const now = Date.now();
    for (const [kc, b] of [...this.bound]) {
      if (now - b.lastUsed < idleMs) continue;
      this.conn.client.ChangeKeyboardMapping(kc, this.perKeycode, new Array<number>(this.perKeycode).fill(0));
      this.bound.delete(kc);
      const row = this.row(kc);
      if (row) row.fill(0);
    }
    if (this.bound.size > 0) this.scheduleUnbind();
  }

  /** Modifier, lock and group state of the core keyboard. */
  private async state(): Promise<{ mods: number; locked: number; group: number }> {
    if (this.xkb) {
      const xkb = this.xkb;
      const st = await this.conn.call<XkbState>((cb) => xkb.GetState(xkb.UseCoreKbd, cb)).catch((e: unknown) => {
        if (this.conn.isClosed) throw e;
        return null;
      });
      if (st) return { mods: st.mods, locked: st.lockedMods, group: st.group };
    }
    const p = await this.conn.pointer();
    return { mods: p.keyMask & 0xff, locked: p.keyMask & LockMask, group: (p.keyMask >> 13) & 3 };
  }

  /** The keycode for a key event by keysym (modifier keys included); binds a spare keycode when the keymap lacks it. */
  keycodeFor(keysym: number): Promise<number | null> {
    return this.serial(async () => {
      await this.load();
      const plan = this.find([keysym], true) ?? (await this.bind(keysym));
      return plan?.keycode ?? null;
    });
  }

  /**
   * Types text as characters. Returns how many characters were typed (the
   * others are control characters nothing can type). `send` throws once the
   * session is stopped, which ends typing there; `assertLive` throws then too
   * and is asked before anything is changed (the Caps Lock state).
   */
  typeText(text: string, send: KeySender, assertLive: () => void): Promise<number> {
    return this.serial(async () => {
      await this.load();
      const st = await this.state();
      assertLive();
      const shiftDown = (st.mods & ShiftMask) !== 0;
      const unlock = this.xkb !== null && (st.locked & LockMask) !== 0;
      if (unlock) this.xkb!.LatchLockState(this.xkb!.UseCoreKbd, LockMask, 0, false, 0, 0, 0, false, 0);
      let typed = 0;
      try {
        for (const cp of codePoints(text)) {
          const keysyms = keysymsForChar(cp);
          if (!keysyms) continue;
          let plan = st.group === 0 ? this.find(keysyms, false) : null;
          if (plan && plan.shift === true && !this.shiftKeycode) plan = null;
          // a level-1 key with Shift held (by the rep or the customer) would type the shifted symbol
          if (plan && plan.shift === false && shiftDown) plan = null;
          if (plan && plan.shift === null) {
            const b = this.bound.get(plan.keycode);
            if (b) b.lastUsed = Date.now();
          }
          plan ??= await this.bind(keysyms[0]!);
          if (!plan) continue;
          const addShift = plan.shift === true && !shiftDown;
          if (addShift) send('press', this.shiftKeycode);
          try {
            send('press', plan.keycode);
            send('release', plan.keycode);
          } finally {
            if (addShift) send('release', this.shiftKeycode);
          }
          typed++;
        }
      } finally {
        if (unlock) this.xkb!.LatchLockState(this.xkb!.UseCoreKbd, LockMask, LockMask, false, 0, 0, 0, false, 0);
        if (this.bound.size > 0) this.scheduleUnbind();
      }
      return typed;
    });
  }

  /** Unbinds every spare keycode this backend bound, after the last use is at least `graceMs` old. */
  async restore(graceMs = 200): Promise<void> {
    if (this.unbindTimer) clearTimeout(this.unbindTimer);
    this.unbindTimer = null;
    let newest = 0;
    for (const b of this.bound.values()) newest = Math.max(newest, b.lastUsed);
    const wait = newest + graceMs - Date.now();
    if (this.bound.size > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));
    await this.serial(() => this.unbindIdle(0));
  }

  /** Spare keycodes bound right now (for tests and diagnostics). */
  boundKeycodes(): number[] {
    return [...this.bound.keys()];
  }

  dispose(): void {
    this.unsubscribe();
    if (this.unbindTimer) clearTimeout(this.unbindTimer);
  }
}
