/**
 * BGRA (X11 ZPixmap, 32 bits per pixel, little-endian: B, G, R, X in memory)
 * to I420 (planar YUV 4:2:0: Y plane, then U, then V; what WebRTC's
 * RTCVideoSource takes), BT.601 limited range with the integer coefficients
 * libyuv's ARGBToI420 uses. Pure TypeScript; a 1280×720 frame converts in a
 * few milliseconds (see README). Only the rectangle that changed needs
 * converting: the I420 buffer is kept between frames and rows/columns outside
 * the dirty rectangle keep their values.
 */

export interface I420Image {
  /** Even. */
  width: number;
  /** Even. */
  height: number;
  /** width*height Y bytes, then (width/2)*(height/2) U bytes, then as many V bytes. */
  data: Uint8ClampedArray;
}

export function i420Size(width: number, height: number): number {
  return width * height + 2 * (width >> 1) * (height >> 1);
}

/** A new black I420 image (Y 16, U and V 128). */
export function blackI420(width: number, height: number): I420Image {
  if (width % 2 !== 0 || height % 2 !== 0) throw new RangeError(`I420 needs even dimensions, got ${width}×${height}`);
  const data = new Uint8ClampedArray(i420Size(width, height));
  data.fill(16, 0, width * height);
  data.fill(128, width * height);
  return { width, height, data };
}

/** A rectangle [x0, x1) × [y0, y1). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The box grown to even edges (I420 chroma covers 2×2 pixels) and clipped to width×height. */
export function evenBox(b: Box, width: number, height: number): Box | null {
  const x0 = Math.max(0, b.x0 & ~1);
  const y0 = Math.max(0, b.y0 & ~1);
  const x1 = Math.min(width, (b.x1 + 1) & ~1);
  const y1 = Math.min(height, (b.y1 + 1) & ~1);
  return x1 > x0 && y1 > y0 ? { x0, y0, x1, y1 } : null;
}

/**
 * Converts the box (even edges, inside the image) of `src` — BGRA rows of
 * `srcStride` bytes whose pixel (0, 0) is at `srcOffset` and lines up with the
 * image's (0, 0) — into `dst`.
 */
export function bgraToI420(src: Uint8Array, srcOffset: number, srcStride: number, dst: I420Image, box: Box): void {
  const { width, height } = dst;
  const { x0, y0, x1, y1 } = box;
  if ((x0 | y0 | x1 | y1) & 1) throw new RangeError('bgraToI420: box edges must be even');
  if (x0 < 0 || y0 < 0 || x1 > width || y1 > height) throw new RangeError('bgraToI420: box outside the image');
  const out = new Uint8Array(dst.data.buffer, dst.data.byteOffset, dst.data.length);
  const cw = width >> 1;
  const uBase = width * height;
  const vBase = uBase + cw * (height >> 1);
  for (let y = y0; y < y1; y += 2) {
    let p0 = srcOffset + y * srcStride + x0 * 4;
    let p1 = p0 + srcStride;
    let yo0 = y * width + x0;
    let yo1 = yo0 + width;
    let co = (y >> 1) * cw + (x0 >> 1);
    for (let x = x0; x < x1; x += 2) {
      const b00 = src[p0]!, g00 = src[p0 + 1]!, r00 = src[p0 + 2]!;
      const b01 = src[p0 + 4]!, g01 = src[p0 + 5]!, r01 = src[p0 + 6]!;
      const b10 = src[p1]!, g10 = src[p1 + 1]!, r10 = src[p1 + 2]!;
      const b11 = src[p1 + 4]!, g11 = src[p1 + 5]!, r11 = src[p1 + 6]!;
      out[yo0] = ((66 * r00 + 129 * g00 + 25 * b00 + 128) >> 8) + 16;
      out[yo0 + 1] = ((66 * r01 + 129 * g01 + 25 * b01 + 128) >> 8) + 16;
      out[yo1] = ((66 * r10 + 129 * g10 + 25 * b10 + 128) >> 8) + 16;
      out[yo1 + 1] = ((66 * r11 + 129 * g11 + 25 * b11 + 128) >> 8) + 16;
      const r = (r00 + r01 + r10 + r11 + 2) >> 2;
      const g = (g00 + g01 + g10 + g11 + 2) >> 2;
      const b = (b00 + b01 + b10 + b11 + 2) >> 2;
      out[uBase + co] = ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
      out[vBase + co] = ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
      p0 += 8;
      p1 += 8;
      yo0 += 2;
      yo1 += 2;
      co++;
    }
  }
}

/**
 * Half the width and height (each rounded down to even, as I420 needs), every
 * output sample the rounded mean of a 2×2 block of input samples, chroma
 * included: the "Screen sampling" display mode of remote control shrinks the
 * picture here, before the encoder, because @roamhq/wrtc cannot scale the
 * sender (setParameters is rejected). Output pixel (x, y) covers input pixels
 * (2x…2x+1, 2y…2y+1), so a point of the half-size picture maps back by
 * doubling. Returns null when the result would be empty (input under 4×4).
 */
export function downscaleI420Half(src: I420Image): I420Image | null {
  const sw = src.width;
  const sh = src.height;
  const w = (sw >> 1) & ~1;
  const h = (sh >> 1) & ~1;
  if (w === 0 || h === 0) return null;
  const out = new Uint8ClampedArray(i420Size(w, h));
  const s = src.data;
  // Y: 2×2 means of the luma plane.
  for (let y = 0; y < h; y++) {
    let a = 2 * y * sw;
    let b = a + sw;
    let o = y * w;
    for (let x = 0; x < w; x++, a += 2, b += 2, o++) out[o] = (s[a]! + s[a + 1]! + s[b]! + s[b + 1]! + 2) >> 2;
  }
  // U then V: 2×2 means of the source chroma planes (each sw/2 × sh/2).
  const scw = sw >> 1;
  const sch = sh >> 1;
  const cw = w >> 1;
  const ch = h >> 1;
  for (let plane = 0; plane < 2; plane++) {
    const sBase = sw * sh + plane * scw * sch;
    const oBase = w * h + plane * cw * ch;
    for (let y = 0; y < ch; y++) {
      let a = sBase + 2 * y * scw;
      let b = a + scw;
      let o = oBase + y * cw;
      for (let x = 0; x < cw; x++, a += 2, b += 2, o++) out[o] = (s[a]! + s[a + 1]! + s[b]! + s[b + 1]! + 2) >> 2;
    }
  }
  return { width: w, height: h, data: out };
}
