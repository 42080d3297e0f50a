/**
 * A separate process that keeps a window repainting, so a test can measure
 * the capture's CPU without the painter's.
 * Usage: node --import tsx animate.ts DISPLAY X Y WIDTH HEIGHT INTERVAL_MS
 */
import { openProbe } from './probe-window.js';

const [display = ':0', x = '0', y = '0', width = '1280', height = '720', interval = '10'] = process.argv.slice(2);
const probe = await openProbe(display, { x: Number(x), y: Number(y), width: Number(width), height: Number(height), rgb: 0x202020 });
probe.animate(Number(interval));
process.stdout.write('ready\n');
process.on('SIGTERM', () => process.exit(0));
