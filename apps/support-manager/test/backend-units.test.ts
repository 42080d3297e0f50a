/** The pure parts of the backend: I420 conversion, keysyms, the input schema. No X server needed. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bgraToI420, blackI420, evenBox } from '../src/backend/i420.js';
import { InputEvent, Monitor } from '../src/backend/input.js';
import { codePoints, keysymForCode, keysymsForChar } from '../src/backend/x11/keysyms.js';

function solid(width: number, height: number, r: number, g: number, b: number): Buffer {
  const buf = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    buf[i * 4] = b;
    buf[i * 4 + 1] = g;
    buf[i * 4 + 2] = r;
  }
  return buf;
}

describe('BGRA → I420', () => {
  const w = 8;
  const h = 4;
  const planes = (img: { data: Uint8ClampedArray }) => ({
    y: [...img.data.subarray(0, w * h)],
    u: [...img.data.subarray(w * h, w * h + (w / 2) * (h / 2))],
    v: [...img.data.subarray(w * h + (w / 2) * (h / 2))],
  });

  test('white, black and red give the BT.601 limited-range values libyuv gives', () => {
    for (const [rgb, yuv] of [
      [[255, 255, 255], [235, 128, 128]],
      [[0, 0, 0], [16, 128, 128]],
      [[255, 0, 0], [82, 90, 240]],
      [[0, 0, 255], [41, 240, 110]],
    ] as const) {
      const img = blackI420(w, h);
      bgraToI420(solid(w, h, rgb[0], rgb[1], rgb[2]), 0, w * 4, img, { x0: 0, y0: 0, x1: w, y1: h });
      const p = planes(img);
      assert.deepEqual(new Set(p.y), new Set([yuv[0]]), `Y of ${rgb}`);
      assert.deepEqual(new Set(p.u), new Set([yuv[1]]), `U of ${rgb}`);
      assert.deepEqual(new Set(p.v), new Set([yuv[2]]), `V of ${rgb}`);
    }
  });

  test('only the box is converted; the rest keeps its values', () => {
    const img = blackI420(w, h);
    bgraToI420(solid(w, h, 255, 255, 255), 0, w * 4, img, { x0: 2, y0: 2, x1: 6, y1: 4 });
    const p = planes(img);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) assert.equal(p.y[y * w + x], x >= 2 && x < 6 && y >= 2 ? 235 : 16, `Y at ${x},${y}`);
    }
  });

  test('a source with an offset and a wider stride', () => {
    const stride = (w + 3) * 4;
    const src = Buffer.alloc(16 + stride * h, 0);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) src[16 + y * stride + x * 4 + 1] = 255; // green
    const img = blackI420(w, h);
    bgraToI420(src, 16, stride, img, { x0: 0, y0: 0, x1: w, y1: h });
    assert.deepEqual(new Set(planes(img).y), new Set([144]));
  });

  test('boxes grow to even edges and stay inside', () => {
    assert.deepEqual(evenBox({ x0: 3, y0: 1, x1: 6, y1: 5 }, 8, 4), { x0: 2, y0: 0, x1: 6, y1: 4 });
    assert.equal(evenBox({ x0: 9, y0: 0, x1: 12, y1: 2 }, 8, 4), null);
    assert.throws(() => bgraToI420(Buffer.alloc(w * h * 4), 0, w * 4, blackI420(w, h), { x0: 1, y0: 0, x1: 4, y1: 2 }), RangeError);
    assert.throws(() => blackI420(3, 2), RangeError);
  });
});

describe('keysyms', () => {
  test('characters map to Latin-1, legacy or Unicode keysyms', () => {
    assert.deepEqual(keysymsForChar('a'.codePointAt(0)!), [0x61]);
    assert.deepEqual(keysymsForChar('é'.codePointAt(0)!), [0xe9]);
    assert.deepEqual(keysymsForChar('€'.codePointAt(0)!), [0x20ac, 0x10020ac]);
    assert.deepEqual(keysymsForChar('ж'.codePointAt(0)!), [0x6d6, 0x1000436]);
    assert.deepEqual(keysymsForChar('😀'.codePointAt(0)!), [0x101f600]);
    assert.deepEqual(keysymsForChar(0x0a), [0xff0d]);
    assert.equal(keysymsForChar(0x07), null);
  });

  test('text splits into code points with \\r\\n as one Enter', () => {
    assert.deepEqual(codePoints('a\r\nb😀'), [0x61, 0x0d, 0x62, 0x1f600]);
  });

  test('key codes map to the keysym of their US meaning', () => {
    assert.equal(keysymForCode('Enter'), 0xff0d);
    assert.equal(keysymForCode('F12'), 0xffc9);
    assert.equal(keysymForCode('KeyZ'), 0x7a);
    assert.equal(keysymForCode('ControlLeft'), 0xffe3);
  });
});

describe('input schema', () => {
  test('accepts the event kinds and rejects what is not one', () => {
    for (const ok of [
      { type: 'pointer.move', x: 10.5, y: 3 },
      { type: 'pointer.down', button: 'left', x: 1, y: 2 },
      { type: 'pointer.wheel', x: 1, y: 2, dx: 0, dy: -3 },
      { type: 'key.down', code: 'ArrowLeft' },
      { type: 'text', text: 'héllo €' },
    ]) {
      assert.equal(InputEvent.safeParse(ok).success, true, JSON.stringify(ok));
    }
    for (const bad of [
      { type: 'pointer.down', button: 'back', x: 1, y: 2 },
      { type: 'key.down', code: 'KeyÄ' },
      { type: 'text', text: '' },
      { type: 'text', text: 'x'.repeat(1001) },
      { type: 'pointer.move', x: Number.NaN, y: 0 },
      { type: 'pointer.wheel', x: 1, y: 2, dx: 0, dy: 0.5 },
      { type: 'exec', cmd: 'rm -rf /' },
    ]) {
      assert.equal(InputEvent.safeParse(bad).success, false, JSON.stringify(bad));
    }
    assert.equal(Monitor.safeParse({ id: 'screen', name: 'Screen', x: 0, y: 0, width: 1280, height: 720, primary: true }).success, true);
  });
});
