/// <reference path="../../apps/support-manager/src/backend/x11/x11-module.d.ts" />
/**
 * The X program both paths of the remote-control benchmark look at: one
 * window covering the 1280×720 screen, on its own X connection, in its own
 * process (its drawing is not counted as anyone's capture CPU).
 *
 *   node --import tsx bench/remote-control/target.ts   (DISPLAY must be set)
 *
 * - a "button" (BUTTON in layout.ts) that swaps between two far-apart
 *   colours on every left ButtonPress anywhere in the window: what a click
 *   changes;
 * - in motion mode, a six-digit counter and a moving box (MOTION in
 *   layout.ts) redrawn on every 60 Hz tick: a screen that never stops
 *   changing.
 *
 * Commands on stdin, one a line: `motion on`, `motion off` (answered with
 * `motion off <ticks drawn> <seconds>`), `quit`. It prints `ready` once the
 * window is mapped and drawn, and `press <epoch ms> <dark|light>` for each
 * press, after the new colour has been sent to the X server.
 */
import readline from 'node:readline';
import { XConn } from '../../apps/support-manager/src/backend/x11/connection.js';
import { BUTTON, COLOURS, MOTION, SCREEN } from './layout.js';

/** Seven-segment digits: segments a–g as bits 0–6. */
const SEGMENTS = [0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f];
const DIGIT = { width: 48, height: 96, gap: 16, stroke: 10 };
const BOX = { size: 64, step: 8 };
const TICK_MS = 1000 / 60;

async function main(): Promise<void> {
  const conn = await XConn.connect(process.env.DISPLAY);
  const X = conn.client;
  const wid = X.AllocID();
  // override-redirect: exactly over the screen whether a window manager runs or not
  X.CreateWindow(wid, conn.root, 0, 0, SCREEN.width, SCREEN.height, 0, 0, 1, 0, {
    backgroundPixel: COLOURS.background,
    eventMask: 0x4 /* ButtonPress */,
    overrideRedirect: 1,
  });
  const gc = X.AllocID();
  X.CreateGC(gc, wid, { foreground: COLOURS.background });
  X.MapWindow(wid);
  const fill = (rgb: number, rects: number[]) => {
    if (rects.length === 0) return;
    X.ChangeGC(gc, { foreground: rgb });
    X.PolyFillRectangle(wid, gc, rects);
  };

  let dark = true;
  const drawButton = () => fill(dark ? COLOURS.dark : COLOURS.light, [BUTTON.x, BUTTON.y, BUTTON.width, BUTTON.height]);

  const digitsX = MOTION.x + 24;
  const digitsY = MOTION.y + (MOTION.height - DIGIT.height) / 2;
  const trackX0 = MOTION.x + 480;
  const trackX1 = MOTION.x + MOTION.width - 16 - BOX.size;
  const boxY = MOTION.y + (MOTION.height - BOX.size) / 2;
  const digitRects = (d: number, x: number): number[] => {
    const { width: w, height: h, stroke: s } = DIGIT;
    const half = Math.floor((h - s) / 2);
    const seg = [
      [x, digitsY, w, s], // a
      [x + w - s, digitsY, s, half + s], // b
      [x + w - s, digitsY + half, s, half + s], // c
      [x, digitsY + h - s, w, s], // d
      [x, digitsY + half, s, half + s], // e
      [x, digitsY, s, half + s], // f
      [x, digitsY + half, w, s], // g
    ];
    const on = SEGMENTS[d]!;
    return seg.filter((_, i) => (on >> i) & 1).flat();
  };
  let count = 0;
  let boxX = trackX0;
  let dir = 1;
  const drawMotion = () => {
    const digits = String(count % 1_000_000).padStart(6, '0');
    const digitsW = 6 * DIGIT.width + 5 * DIGIT.gap;
    fill(COLOURS.motionBg, [digitsX, digitsY, digitsW, DIGIT.height]);
    fill(COLOURS.ink, [...digits].flatMap((c, i) => digitRects(Number(c), digitsX + i * (DIGIT.width + DIGIT.gap))));
    fill(COLOURS.motionBg, [boxX, boxY, BOX.size, BOX.size]);
    boxX += dir * BOX.step;
    if (boxX >= trackX1 || boxX <= trackX0) dir = -dir;
    boxX = Math.min(trackX1, Math.max(trackX0, boxX));
    fill(COLOURS.box, [boxX, boxY, BOX.size, BOX.size]);
  };

  fill(COLOURS.motionBg, [MOTION.x, MOTION.y, MOTION.width, MOTION.height]);
  drawMotion();
  drawButton();
  await conn.sync();

  conn.onEvent((ev) => {
    if (ev.name !== 'ButtonPress' || (ev as { keycode?: number }).keycode !== 1) return;
    dark = !dark;
    drawButton();
    // The request is written to the socket at once; the time is when it left.
    process.stdout.write(`press ${(performance.timeOrigin + performance.now()).toFixed(2)} ${dark ? 'dark' : 'light'}\n`);
  });

  let timer: NodeJS.Timeout | null = null;
  let ticks = 0;
  let since = 0;
  const startMotion = () => {
    if (timer) return;
    ticks = 0;
    since = performance.now();
    // Ticks on a fixed 60 Hz grid (setInterval would round to 16 ms and drift).
    const tick = () => {
      count += 1;
      ticks += 1;
      drawMotion();
      timer = setTimeout(tick, Math.max(0, since + (ticks + 1) * TICK_MS - performance.now()));
    };
    timer = setTimeout(tick, TICK_MS);
  };
  const stopMotion = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    return { ticks, seconds: (performance.now() - since) / 1000 };
  };

  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const cmd = line.trim();
    if (cmd === 'motion on') {
      startMotion();
      void conn.sync().then(() => process.stdout.write('motion on\n'));
    } else if (cmd === 'motion off') {
      const { ticks: n, seconds } = stopMotion();
      void conn.sync().then(() => process.stdout.write(`motion off ${n} ${seconds.toFixed(3)}\n`));
    } else if (cmd === 'quit') {
      stopMotion();
      rl.close();
      void conn.close().finally(() => process.exit(0));
    }
  });
  rl.on('close', () => process.exit(0));
  conn.onLost(() => process.exit(1));
  process.stdout.write('ready\n');
}

await main();
