/**
 * What the benchmark's X program (target.ts) draws where, shared with the
 * bench that clicks and reads it. Screen pixels of the 1280×720 Xvfb screen.
 */
export const SCREEN = { width: 1280, height: 720 };
/** Swaps colour on every left press: the rep clicks its centre and reads the middle. */
export const BUTTON = { x: 540, y: 300, width: 200, height: 120 };
/** The part of BUTTON whose mean luma tells dark from light (inside it, away from its edges). */
export const BUTTON_PROBE = { x: 590, y: 330, width: 100, height: 60 };
/** The counter (left) and the box track (right) redrawn on every tick in motion mode. */
export const MOTION = { x: 80, y: 80, width: 1120, height: 120 };
export const COLOURS = { background: 0x3a3a3a, dark: 0x1e3a8a, light: 0xfacc15, motionBg: 0x202020, ink: 0xf0f0f0, box: 0x22c55e };
