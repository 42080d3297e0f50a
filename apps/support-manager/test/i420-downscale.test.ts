/** The 2×2 I420 downscale of the "Screen sampling" display mode (control stream). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blackI420, downscaleI420Half, i420Size } from '../src/backend/i420.js';

describe('downscaleI420Half', () => {
  test('each output sample is the rounded mean of its 2×2 block, luma and chroma', () => {
    const src = blackI420(8, 4);
    const d = src.data;
    // Y: a ramp, so every block has a different mean.
    for (let i = 0; i < 32; i++) d[i] = 10 + i * 3;
    // U (4×2) and V (4×2).
    for (let i = 0; i < 8; i++) {
      d[32 + i] = 100 + i * 5;
      d[40 + i] = 200 - i * 7;
    }
    const out = downscaleI420Half(src)!;
    assert.equal(out.width, 4);
    assert.equal(out.height, 2);
    assert.equal(out.data.length, i420Size(4, 2));
    const y = (x: number, yy: number) => d[yy * 8 + x]!;
    for (let oy = 0; oy < 2; oy++)
      for (let ox = 0; ox < 4; ox++) {
        const m = (y(2 * ox, 2 * oy) + y(2 * ox + 1, 2 * oy) + y(2 * ox, 2 * oy + 1) + y(2 * ox + 1, 2 * oy + 1) + 2) >> 2;
        assert.equal(out.data[oy * 4 + ox], m, `Y at ${ox},${oy}`);
      }
    // Chroma of the output is 2×1: means of the 2×2 blocks of the 4×2 source planes.
    const u = (x: number, yy: number) => d[32 + yy * 4 + x]!;
    const v = (x: number, yy: number) => d[40 + yy * 4 + x]!;
    for (let ox = 0; ox < 2; ox++) {
      assert.equal(out.data[8 + ox], (u(2 * ox, 0) + u(2 * ox + 1, 0) + u(2 * ox, 1) + u(2 * ox + 1, 1) + 2) >> 2, `U ${ox}`);
      assert.equal(out.data[10 + ox], (v(2 * ox, 0) + v(2 * ox + 1, 0) + v(2 * ox, 1) + v(2 * ox + 1, 1) + 2) >> 2, `V ${ox}`);
    }
  });

  test('a flat picture stays flat; odd halves round down to even', () => {
    const src = blackI420(1366, 768);
    src.data.fill(77, 0, 1366 * 768);
    src.data.fill(140, 1366 * 768);
    const out = downscaleI420Half(src)!;
    // 1366/2 = 683, not even: 682 (I420 needs even sides).
    assert.deepEqual([out.width, out.height], [682, 384]);
    assert.equal(out.data.length, i420Size(682, 384));
    assert.ok(out.data.subarray(0, 682 * 384).every((b) => b === 77));
    assert.ok(out.data.subarray(682 * 384).every((b) => b === 140));
  });

  test('a picture too small to halve gives null (the caller sends it as it is)', () => {
    assert.equal(downscaleI420Half(blackI420(2, 2)), null);
    assert.notEqual(downscaleI420Half(blackI420(4, 4)), null);
  });
});
