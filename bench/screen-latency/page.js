// Browser side of the screen-latency benchmark, installed with
// context.addInitScript({ path }) in every page of the bench (plain JS: it runs
// as is in the page, untouched by any compiler). Defines window.__bench:
//
//   captureStream()    the "screen": a canvas painted on every animation frame
//                      with the current absolute time (performance.timeOrigin +
//                      performance.now(), the same clock in every page of one
//                      browser) as a row of 48 black/white blocks, above the row
//                      of their complements, on a moving, colour-changing picture.
//   startMeasure(...)  on the viewing page: reads every frame the <video> shows
//   stopMeasure()      (requestVideoFrameCallback), decodes the blocks, and
//                      keeps display time − painted time; plus inbound-rtp
//                      counters of the receiving RTCPeerConnection.
//   bareOffer/bareAnswer/bareAccept: the baseline's plain RTCPeerConnection pair
//   (bareApply: a display mode's encoder settings on it, for the control rows).
(() => {
  'use strict';
  const W = 1280;
  const H = 720;
  const BITS = 48;
  const X0 = 64; // first block, in canvas pixels
  const BW = 24; // block width
  const BH = 32; // block height
  const Y_TOP = 24; // the bits
  const Y_COMP = 72; // their complements
  const UNIT_MS = 0.01; // one code step: 10 µs (48 bits last until the 2050s)
  const FPS = 30;

  const clock = () => performance.timeOrigin + performance.now();

  let painter = null;
  function startPainter() {
    if (painter) return painter;
    const canvas = document.createElement('canvas');
    canvas.width = W;
    canvas.height = H;
    // In the page so it is painted like any canvas; tiny and see-through so it covers nothing.
    canvas.style.cssText = 'position:fixed;left:0;bottom:0;width:32px;height:18px;opacity:0.02;pointer-events:none;z-index:2147483647';
    (document.body ?? document.documentElement).appendChild(canvas);
    const ctx = canvas.getContext('2d', { alpha: false });
    const state = { canvas, frames: 0 };
    const paint = () => {
      state.frames += 1;
      const f = state.frames;
      const t = clock();
      // A changing picture, so every frame differs like a live screen: colour, a moving box, a counter.
      ctx.fillStyle = `hsl(${(f * 2) % 360} 55% 45%)`;
      ctx.fillRect(0, 0, W, H);
      ctx.fillStyle = '#f4f4f4';
      ctx.fillRect((f * 9) % (W - 200), 220, 200, 320);
      ctx.fillStyle = '#111';
      ctx.font = '40px sans-serif';
      ctx.fillText(`frame ${f}`, 80, 640);
      // The code band: bits in the upper row, their complements below (decoded by comparing the two).
      ctx.fillStyle = '#808080';
      ctx.fillRect(X0 - 16, Y_TOP - 16, BITS * BW + 32, Y_COMP + BH - Y_TOP + 32);
      let v = Math.round(t / UNIT_MS);
      for (let i = 0; i < BITS; i++) {
        const bit = v % 2;
        v = Math.floor(v / 2);
        ctx.fillStyle = bit ? '#fff' : '#000';
        ctx.fillRect(X0 + i * BW, Y_TOP, BW, BH);
        ctx.fillStyle = bit ? '#000' : '#fff';
        ctx.fillRect(X0 + i * BW, Y_COMP, BW, BH);
      }
      requestAnimationFrame(paint);
    };
    requestAnimationFrame(paint);
    painter = state;
    return state;
  }

  function captureStream() {
    return startPainter().canvas.captureStream(FPS);
  }

  // Decoding: the top 120 rows of the frame (in 1280×720 terms) scaled by ½ into a small canvas.
  const SCALE = 0.5;
  const decodeCanvas = () => {
    const c = document.createElement('canvas');
    c.width = W * SCALE;
    c.height = 120 * SCALE;
    return c;
  };
  function lum(data, width, cx, cy) {
    let sum = 0;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const o = ((cy + dy) * width + (cx + dx)) * 4;
        sum += data[o] + data[o + 1] + data[o + 2];
      }
    }
    return sum / 27;
  }
  /** The painted time (absolute ms) in the frame, or null when the code does not read cleanly. */
  function decode(data, width) {
    let value = 0;
    let weight = 1;
    const yTop = Math.round((Y_TOP + BH / 2) * SCALE);
    const yComp = Math.round((Y_COMP + BH / 2) * SCALE);
    for (let i = 0; i < BITS; i++) {
      const cx = Math.round((X0 + i * BW + BW / 2) * SCALE);
      const a = lum(data, width, cx, yTop);
      const b = lum(data, width, cx, yComp);
      if (Math.abs(a - b) < 60) return null;
      if (a > b) value += weight;
      weight *= 2;
    }
    return value * UNIT_MS;
  }

  async function inbound(pc) {
    const out = { bytes: 0, framesDecoded: 0, framesReceived: 0, jbDelay: 0, jbEmitted: 0, width: 0, height: 0, codec: '', at: performance.now() };
    if (!pc) return out;
    const report = await pc.getStats();
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
      out.bytes += s.bytesReceived ?? 0;
      out.framesDecoded += s.framesDecoded ?? 0;
      out.framesReceived += s.framesReceived ?? 0;
      out.jbDelay += s.jitterBufferDelay ?? 0;
      out.jbEmitted += s.jitterBufferEmittedCount ?? 0;
      out.width = s.frameWidth ?? out.width;
      out.height = s.frameHeight ?? out.height;
      const codec = s.codecId ? report.get(s.codecId) : undefined;
      if (codec) out.codec = String(codec.mimeType ?? '').replace(/^video\//, '');
    });
    return out;
  }

  /** The RTCPeerConnection that receives video in this page: the product's (window.__rsMedia) or the baseline's. */
  function receivingPc() {
    if (window.__benchPc) return window.__benchPc;
    const links = window.__rsMedia?.peerConnections() ?? [];
    const found = links.find(({ pc }) => pc.connectionState === 'connected' && pc.getReceivers().some((r) => r.track?.kind === 'video' && r.track.readyState === 'live'));
    return found?.pc ?? null;
  }

  let run = null;
  async function startMeasure(selector) {
    const video = document.querySelector(selector);
    if (!video) throw new Error(`no video ${selector}`);
    video.scrollIntoView({ block: 'center' });
    const canvas = decodeCanvas();
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const pc = receivingPc();
    const r = { video, pc, latencies: [], shown: 0, undecodable: 0, repeated: 0, last: null, running: true, start: await inbound(pc), startAt: clock() };
    const onFrame = (now, meta) => {
      if (!r.running) return;
      // "Glass": when the compositor expects to show this frame, on this page's clock.
      const shownAt = performance.timeOrigin + (meta.expectedDisplayTime ?? now);
      r.shown += 1;
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (w > 0 && h > 0) {
        ctx.drawImage(video, 0, 0, w, (120 * h) / H, 0, 0, canvas.width, canvas.height);
        const painted = decode(ctx.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width);
        if (painted === null || shownAt - painted < -5 || shownAt - painted > 10_000) r.undecodable += 1;
        else if (painted === r.last) r.repeated += 1;
        else {
          r.last = painted;
          r.latencies.push(shownAt - painted);
        }
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    run = r;
    return true;
  }

  async function stopMeasure() {
    const r = run;
    if (!r) throw new Error('startMeasure first');
    r.running = false;
    run = null;
    const end = await inbound(r.pc);
    const d = (k) => end[k] - r.start[k];
    return {
      seconds: (clock() - r.startAt) / 1000,
      latencies: r.latencies,
      shown: r.shown,
      undecodable: r.undecodable,
      repeated: r.repeated,
      statsSeconds: (end.at - r.start.at) / 1000,
      bytes: d('bytes'),
      framesDecoded: d('framesDecoded'),
      jitterBufferDelay: d('jbDelay'),
      jitterBufferEmitted: d('jbEmitted'),
      width: end.width || r.video.videoWidth,
      height: end.height || r.video.videoHeight,
      codec: end.codec,
    };
  }

  /** Painted frames so far (the sender's animation frame rate). */
  function painted() {
    return painter ? painter.frames : 0;
  }

  // --- Baseline: a bare RTCPeerConnection pair, whole SDP exchanged after gathering (no trickle). ---
  function gathered(pc) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') resolve();
      });
    });
  }
  async function bareOffer() {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const stream = captureStream();
    pc.addTrack(stream.getVideoTracks()[0], stream);
    window.__benchSendPc = pc;
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    return pc.localDescription.sdp;
  }
  async function bareAnswer(sdp) {
    const pc = new RTCPeerConnection({ iceServers: [] });
    window.__benchPc = pc;
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    video.id = 'bench-video';
    video.style.cssText = 'position:fixed;left:0;top:0;width:640px;height:360px;z-index:2147483647;background:#000';
    document.body.appendChild(video);
    pc.ontrack = (e) => {
      video.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      void video.play().catch(() => undefined);
    };
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    return pc.localDescription.sdp;
  }
  async function bareAccept(sdp) {
    await window.__benchSendPc.setRemoteDescription({ type: 'answer', sdp });
    return true;
  }
  /** Control runs only: the baseline's sender gets a display mode's encoder settings, the way the product applies them. */
  async function bareApply(mode) {
    const sender = window.__benchSendPc.getSenders().find((x) => x.track?.kind === 'video');
    sender.track.contentHint = mode.contentHint;
    const params = sender.getParameters();
    if (!params.encodings || params.encodings.length === 0) params.encodings = [{}];
    for (const enc of params.encodings) {
      enc.maxBitrate = mode.maxBitrate;
      enc.maxFramerate = mode.maxFramerate;
      enc.scaleResolutionDownBy = mode.scaleResolutionDownBy;
    }
    params.degradationPreference = mode.degradationPreference;
    await sender.setParameters(params);
    return true;
  }

  window.__bench = { captureStream, startMeasure, stopMeasure, painted, bareOffer, bareAnswer, bareAccept, bareApply };
})();
