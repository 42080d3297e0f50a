// Browser side of the remote-control benchmark, installed with
// context.addInitScript({ path }) in the rep's pages (plain JS: it runs as is
// in the page, untouched by any compiler). Defines window.__rc:
//
//   attach(selector, layout)  the remote screen to read: our console's
//                             <video> (read on every frame it presents,
//                             requestVideoFrameCallback) or noVNC's <canvas>
//                             (read on every animation frame). `layout` holds
//                             the X program's rectangles in screen pixels.
//   clicks(n, opts)           n clicks on the button's centre, dispatched in
//                             the page as the pointer and mouse events of a
//                             real click; for each, the time from dispatch to
//                             the first picture shown whose button has the
//                             other colour.
//   startMotion()/stopMotion()  distinct pictures of the counter area shown,
//                             and the bytes received, over a window.
//   connectVnc(url)           noVNC's RFB (Debian's /usr/share/novnc, served
//                             by websockify) in this page, its defaults as
//                             they are (Tight, quality 6, compression 2).
//   received()                bytes received so far: inbound-rtp of the
//                             product's peer connections, or the WebSocket
//                             messages of this page.
(() => {
  'use strict';

  // noVNC's page: count the bytes of every WebSocket message it gets (the RFB
  // stream as it arrives, before any decoding).
  let wsBytes = 0;
  if (location.pathname === '/rc-bench.html') {
    const Native = window.WebSocket;
    // A factory rather than a subclass: noVNC checks that the socket's own prototype has WebSocket's methods.
    function CountingWebSocket(url, protocols) {
      const ws = new Native(url, protocols);
      ws.addEventListener('message', (e) => {
        const d = e.data;
        wsBytes += typeof d === 'string' ? d.length : (d.byteLength ?? d.size ?? 0);
      });
      return ws;
    }
    CountingWebSocket.prototype = Native.prototype;
    for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) CountingWebSocket[k] = Native[k];
    window.WebSocket = CountingWebSocket;
  }

  /** Luma threshold between the button's two colours (≈ 59 and ≈ 197). */
  const LIGHT = 128;
  /** A pixel of the counter area counts as changed when a channel moved by more than this (codec noise stays well below)… */
  const PIXEL_DIFF = 48;
  /** …and the picture as changed when more pixels than this did. */
  const CHANGED_PIXELS = 40;

  let target = null;

  function reader(w, h) {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    return c.getContext('2d', { willReadFrequently: true });
  }

  /** RGBA pixels of a screen rectangle as shown now. */
  function read(r, ctx) {
    if (target.kind === 'video') {
      ctx.drawImage(target.el, r.x, r.y, r.width, r.height, 0, 0, r.width, r.height);
      return ctx.getImageData(0, 0, r.width, r.height).data;
    }
    return target.ctx.getImageData(r.x, r.y, r.width, r.height).data;
  }

  function meanLuma(d) {
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
    return sum / (d.length / 4);
  }

  function changedPixels(a, b) {
    let n = 0;
    for (let i = 0; i < a.length; i += 4) {
      if (Math.abs(a[i] - b[i]) > PIXEL_DIFF || Math.abs(a[i + 1] - b[i + 1]) > PIXEL_DIFF || Math.abs(a[i + 2] - b[i + 2]) > PIXEL_DIFF) n++;
    }
    return n;
  }

  /**
   * One picture as the rep sees it, `shown` being when it was handed to the
   * compositor for the next display refresh: for the video, the frame's
   * presentationTime (requestVideoFrameCallback metadata); for the canvas,
   * the animation frame that paints what noVNC drew meanwhile. `received`:
   * for the video, when the frame's last packet arrived.
   */
  function onPicture(shown, received) {
    const t = target;
    t.light = meanLuma(read(t.layout.probe, t.probeCtx)) > LIGHT;
    if (t.pending && t.light === t.pending.wantLight) {
      const p = t.pending;
      t.pending = null;
      p.resolve({ shown, received });
    }
    if (t.motion) {
      const cur = read(t.layout.motion, t.motionCtx);
      if (!t.motion.last || changedPixels(cur, t.motion.last) > CHANGED_PIXELS) {
        if (t.motion.last) t.motion.changed++;
        t.motion.last = cur;
      }
    }
  }

  function loopVideo(v) {
    // Not the callback's own `now`: that is the start of the rendering step, which can precede the frame.
    const step = (_now, meta) => {
      if (target?.el !== v) return;
      onPicture(meta.presentationTime, meta.receiveTime ?? null);
      v.requestVideoFrameCallback(step);
    };
    v.requestVideoFrameCallback(step);
  }

  function loopCanvas(c) {
    // noVNC draws whenever an update arrives; what the rep can see changes at most once per animation frame.
    const step = () => {
      if (target?.el !== c) return;
      onPicture(performance.now(), null);
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }

  async function attach(selector, layout) {
    const el = document.querySelector(selector);
    if (!el) throw new Error(`no ${selector}`);
    const kind = el instanceof HTMLVideoElement ? 'video' : 'canvas';
    const w = kind === 'video' ? el.videoWidth : el.width;
    const h = kind === 'video' ? el.videoHeight : el.height;
    if (w !== layout.screen.width || h !== layout.screen.height) throw new Error(`the remote screen is ${w}×${h}, not ${layout.screen.width}×${layout.screen.height}`);
    el.scrollIntoView({ block: 'center' });
    target = {
      kind,
      el,
      layout,
      ctx: kind === 'canvas' ? el.getContext('2d') : null,
      probeCtx: reader(layout.probe.width, layout.probe.height),
      motionCtx: reader(layout.motion.width, layout.motion.height),
      light: null,
      pending: null,
      motion: null,
    };
    if (kind === 'video') loopVideo(el);
    else loopCanvas(el);
    // The button's colour must be known before the first click.
    await new Promise((resolve) => {
      const next = (fn) => (kind === 'video' ? el.requestVideoFrameCallback(fn) : requestAnimationFrame(fn));
      const check = () => (target.light !== null ? resolve() : next(check));
      next(check);
    });
    return { kind, width: w, height: h, light: target.light };
  }

  /** The page point over screen pixel (x, y) of the element, with object-fit: contain letterboxing (the console's video). */
  function clientPoint(x, y) {
    const r = target.el.getBoundingClientRect();
    const iw = target.layout.screen.width;
    const ih = target.layout.screen.height;
    const scale = Math.min(r.width / iw, r.height / ih);
    return { clientX: r.left + (r.width - iw * scale) / 2 + (x + 0.5) * scale, clientY: r.top + (r.height - ih * scale) / 2 + (y + 0.5) * scale };
  }

  /** What a left click makes, in order; the console listens to the pointer events, noVNC to the mouse events. */
  function dispatchClick(x, y) {
    const el = target.el;
    const at = { bubbles: true, cancelable: true, composed: true, view: window, button: 0, ...clientPoint(x, y) };
    const ptr = { pointerId: 1, pointerType: 'mouse', isPrimary: true };
    el.dispatchEvent(new PointerEvent('pointerdown', { ...at, ...ptr, buttons: 1 }));
    el.dispatchEvent(new MouseEvent('mousedown', { ...at, buttons: 1 }));
    el.dispatchEvent(new PointerEvent('pointerup', { ...at, ...ptr, buttons: 0 }));
    el.dispatchEvent(new MouseEvent('mouseup', { ...at, buttons: 0 }));
  }

  /** Think time between clicks: a duration by design (each click starts from a settled screen, at no fixed phase to the frame clock). */
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));

  async function clicks(n, { gapMinMs = 150, gapMaxMs = 300, timeoutMs = 3000 } = {}) {
    const t = target;
    const b = t.layout.button;
    const x = b.x + Math.floor(b.width / 2);
    const y = b.y + Math.floor(b.height / 2);
    const out = [];
    let lost = 0;
    for (let i = 0; i < n; i++) {
      await pause(gapMinMs + Math.random() * (gapMaxMs - gapMinMs));
      const wantLight = !t.light;
      const shown = new Promise((resolve) => (t.pending = { wantLight, resolve }));
      const t0 = performance.now();
      dispatchClick(x, y);
      const r = await Promise.race([shown, pause(timeoutMs).then(() => null)]);
      if (!r) {
        // The colour the screen shows when the next click goes is its reference.
        t.pending = null;
        lost++;
        continue;
      }
      out.push({ at: performance.timeOrigin + t0, shown: r.shown - t0, received: r.received === null ? null : r.received - t0 });
    }
    return { clicks: out, lost };
  }

  async function received() {
    const pcs = window.__rsMedia?.peerConnections() ?? [];
    if (pcs.length === 0) return { bytes: wsBytes, at: performance.now() };
    const r = { bytes: 0, at: performance.now(), framesDecoded: 0, jitterBufferDelay: 0, jitterBufferEmitted: 0, width: 0, height: 0, codec: '' };
    for (const { pc } of pcs) {
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
        r.bytes += s.bytesReceived ?? 0;
        r.framesDecoded += s.framesDecoded ?? 0;
        r.jitterBufferDelay += s.jitterBufferDelay ?? 0;
        r.jitterBufferEmitted += s.jitterBufferEmittedCount ?? 0;
        r.width = s.frameWidth ?? r.width;
        r.height = s.frameHeight ?? r.height;
        const codec = s.codecId ? stats.get(s.codecId) : null;
        if (codec) r.codec = String(codec.mimeType).replace(/^video\//, '');
      });
    }
    return r;
  }

  let vncUpdates = 0;
  let motionStart = null;
  async function startMotion() {
    target.motion = { changed: 0, last: null };
    motionStart = { updates: vncUpdates, at: performance.now(), rx: await received() };
  }
  async function stopMotion() {
    const rx = await received();
    const m = target.motion;
    target.motion = null;
    const s = motionStart;
    return {
      seconds: (performance.now() - s.at) / 1000,
      changed: m.changed,
      vncUpdates: vncUpdates - s.updates,
      bytes: rx.bytes - s.rx.bytes,
      statsSeconds: (rx.at - s.rx.at) / 1000,
      framesDecoded: (rx.framesDecoded ?? 0) - (s.rx.framesDecoded ?? 0),
      jitterBufferDelay: (rx.jitterBufferDelay ?? 0) - (s.rx.jitterBufferDelay ?? 0),
      jitterBufferEmitted: (rx.jitterBufferEmitted ?? 0) - (s.rx.jitterBufferEmitted ?? 0),
      width: rx.width ?? 0,
      height: rx.height ?? 0,
      codec: rx.codec ?? '',
    };
  }

  async function connectVnc(url) {
    const { default: RFB } = await import('/core/rfb.js');
    document.body.style.margin = '0';
    const box = document.createElement('div');
    box.id = 'screen';
    box.style.cssText = 'width:1280px;height:720px';
    document.body.append(box);
    const rfb = new RFB(box, url);
    // Framebuffer updates as noVNC finishes them (Display.flip ends each one): the updates/s column, and the first whole screen before measuring.
    const display = rfb._display;
    if (!display || typeof display.flip !== 'function') throw new Error('this noVNC has no Display.flip to count updates by');
    let firstUpdate;
    const updated = new Promise((r) => (firstUpdate = r));
    const flip = display.flip.bind(display);
    display.flip = (...a) => {
      // flip(true) is noVNC replaying a flip it queued behind pending drawing: the same update.
      if (!a[0]) vncUpdates++;
      const out = flip(...a);
      firstUpdate();
      return out;
    };
    await new Promise((resolve, reject) => {
      rfb.addEventListener('connect', resolve, { once: true });
      rfb.addEventListener('disconnect', (e) => reject(new Error(`noVNC disconnected (clean: ${e.detail?.clean})`)), { once: true });
      rfb.addEventListener('securityfailure', (e) => reject(new Error(`noVNC security failure: ${e.detail?.reason}`)), { once: true });
    });
    await updated;
    window.__rcRfb = rfb;
    return { encoding: 'Tight', quality: rfb.qualityLevel, compression: rfb.compressionLevel };
  }

  window.__rc = { attach, clicks, startMotion, stopMotion, connectVnc, received };
})();
