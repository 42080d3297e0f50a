import { useEffect, useRef, useState } from 'react';
import type { MediaController } from '@rs/client/media';
import { INPUT_CHANNEL, KEY_CODES, ScreensMessage, type InputEvent as ControlInput, type KeyCode, type PointerButton, type ScreenSelect, type ScreensRequest } from '@rs/protocol';
import { useT } from '../i18n/index.js';

type TrackProcessor = new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<unknown> };
type TrackGenerator = new (init: { kind: 'video' }) => MediaStreamTrack & { writable: WritableStream<unknown> };

/**
 * The stream the control video shows: in Chromium, the received frames
 * passed on as they leave the decoder (MediaStreamTrackProcessor →
 * MediaStreamTrackGenerator). Chromium's <video> otherwise holds each remote
 * frame until the render time WebRTC's receiver computed for it, and for a
 * screen that changes only now and then (a click, then nothing) that is at
 * times 100–600 ms late; a <video> of a generated track shows each frame as
 * it comes (bench/remote-control: p95 from ≈ 120–240 to ≈ 22 ms). Elsewhere
 * the stream is shown as it is.
 */
function atOnce(stream: MediaStream): { stream: MediaStream; stop: () => void } {
  const g = globalThis as unknown as { MediaStreamTrackProcessor?: TrackProcessor; MediaStreamTrackGenerator?: TrackGenerator };
  const track = stream.getVideoTracks()[0];
  if (!track || !g.MediaStreamTrackProcessor || !g.MediaStreamTrackGenerator) return { stream, stop: () => undefined };
  const generator = new g.MediaStreamTrackGenerator({ kind: 'video' });
  const abort = new AbortController();
  // The piped track ends with the received one (or when this stops).
  void new g.MediaStreamTrackProcessor({ track }).readable
    .pipeTo(generator.writable, { signal: abort.signal })
    .catch(() => undefined)
    .finally(() => generator.stop());
  return { stream: new MediaStream([generator]), stop: () => abort.abort() };
}

/**
 * Remote control on the video (DSK-2, APP-2): the rep's <video> of a control
 * activity takes pointer, wheel and keyboard input and sends it to the
 * customer's Support Manager over the data channel `input` the device made.
 * Pointer positions are pixels of the video's intrinsic size (the captured
 * frame), letterboxing of object-fit: contain taken off; printable characters
 * go as text, other keys by KeyboardEvent.code. Escape releases the keyboard.
 */
export function ControlVideo({
  stream,
  label,
  caption,
  activityId,
  from,
  controller,
  lastSeq,
}: {
  stream: MediaStream;
  label: string;
  caption: string;
  activityId: string;
  from: string;
  controller: MediaController | null;
  /** The last session event this page folded: sent with every input so that the device never injects input sent after a Stop it has not seen yet. */
  lastSeq: number;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  const seqRef = useRef(lastSeq);
  seqRef.current = lastSeq;
  const [channel, setChannel] = useState<RTCDataChannel | null>(null);
  const t = useT();
  // The customer's monitors, as the device last told them on the channel (desktop control only).
  const [screens, setScreens] = useState<ScreensMessage | null>(null);

  useEffect(() => {
    setScreens(null);
    if (!channel) return;
    const onMessage = (e: MessageEvent) => {
      if (typeof e.data !== 'string' || !e.data.startsWith('{"type":"screens"')) return; // other messages on this channel are not ours
      try {
        const m = ScreensMessage.safeParse(JSON.parse(e.data));
        if (m.success) setScreens(m.data);
      } catch {
        // not JSON: ignored
      }
    };
    channel.addEventListener('message', onMessage);
    // The list the device sent when the channel opened may have come before this listener: ask for it.
    const ask = () => {
      const msg: ScreensRequest = { type: 'screens.get' };
      channel.send(JSON.stringify(msg));
    };
    if (channel.readyState === 'open') ask();
    else channel.addEventListener('open', ask, { once: true });
    return () => {
      channel.removeEventListener('message', onMessage);
      channel.removeEventListener('open', ask);
    };
  }, [channel]);

  const selectScreen = (monitorId: string) => {
    const msg: ScreenSelect = { type: 'screen.select', monitorId };
    if (channel?.readyState === 'open') channel.send(JSON.stringify(msg));
    ref.current?.focus({ preventScroll: true });
  };

  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    const shown = atOnce(stream);
    if (v.srcObject !== shown.stream) v.srcObject = shown.stream;
    void v.play().catch(() => undefined);
    return shown.stop;
  }, [stream]);

  // The device's `input` channel: already open, or when it opens.
  useEffect(() => {
    if (!controller) return;
    setChannel(controller.channelFor(activityId, from, INPUT_CHANNEL) ?? null);
    return controller.on((e) => {
      if (e.type === 'channel' && e.activityId === activityId && e.remote === from && e.label === INPUT_CHANNEL) setChannel(e.channel);
    });
  }, [controller, activityId, from]);

  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    const send = (ev: ControlInput) => {
      if (channel?.readyState === 'open') channel.send(JSON.stringify({ ...ev, seq: seqRef.current }));
    };
    const held = new Set<KeyCode>();
    const buttons = new Set<PointerButton>();
    let pendingMove: { x: number; y: number } | null = null;
    let frame = 0;
    let wheel = { dx: 0, dy: 0 };
    let last = { x: 0, y: 0 };

    /** A point of the page in frame pixels; null outside the picture (the letterbox bars). */
    const toFrame = (clientX: number, clientY: number, clamp: boolean): { x: number; y: number } | null => {
      const vw = v.videoWidth;
      const vh = v.videoHeight;
      if (!vw || !vh) return null;
      const r = v.getBoundingClientRect();
      const scale = Math.min(r.width / vw, r.height / vh);
      if (!(scale > 0)) return null;
      const offX = (r.width - vw * scale) / 2;
      const offY = (r.height - vh * scale) / 2;
      let x = (clientX - r.left - offX) / scale;
      let y = (clientY - r.top - offY) / scale;
      if (!clamp && (x < 0 || y < 0 || x >= vw || y >= vh)) return null;
      x = Math.min(vw - 1, Math.max(0, Math.floor(x)));
      y = Math.min(vh - 1, Math.max(0, Math.floor(y)));
      return { x, y };
    };
    const flushMove = () => {
      if (frame) cancelAnimationFrame(frame);
      frame = 0;
      if (pendingMove) send({ type: 'pointer.move', ...pendingMove });
      pendingMove = null;
    };
    const buttonOf = (b: number): PointerButton | null => (b === 0 ? 'left' : b === 1 ? 'middle' : b === 2 ? 'right' : null);

    const onPointerDown = (e: PointerEvent) => {
      const button = buttonOf(e.button);
      e.preventDefault();
      v.focus({ preventScroll: true });
      const p = toFrame(e.clientX, e.clientY, false);
      if (!button || !p) return;
      try {
        v.setPointerCapture(e.pointerId);
      } catch {
        // capture is a nicety (drags that leave the video)
      }
      flushMove();
      last = p;
      buttons.add(button);
      send({ type: 'pointer.down', button, ...p });
    };
    const onPointerUp = (e: PointerEvent) => {
      const button = buttonOf(e.button);
      if (!button || !buttons.has(button)) return;
      e.preventDefault();
      const p = toFrame(e.clientX, e.clientY, true) ?? last;
      flushMove();
      buttons.delete(button);
      send({ type: 'pointer.up', button, ...p });
    };
    const onPointerMove = (e: PointerEvent) => {
      const p = toFrame(e.clientX, e.clientY, buttons.size > 0);
      if (!p) return;
      last = p;
      pendingMove = p;
      // One move per animation frame at most.
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        if (pendingMove) send({ type: 'pointer.move', ...pendingMove });
        pendingMove = null;
      });
    };
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const p = toFrame(e.clientX, e.clientY, false);
      if (!p) return;
      // Notches: 100 px (Chromium's step), 3 lines, or a page each.
      const unit = e.deltaMode === WheelEvent.DOM_DELTA_LINE ? 3 : e.deltaMode === WheelEvent.DOM_DELTA_PAGE ? 1 : 100;
      wheel = { dx: wheel.dx + e.deltaX / unit, dy: wheel.dy + e.deltaY / unit };
      const dx = Math.max(-20, Math.min(20, Math.trunc(wheel.dx)));
      const dy = Math.max(-20, Math.min(20, Math.trunc(wheel.dy)));
      if (dx === 0 && dy === 0) return;
      wheel = { dx: wheel.dx - dx, dy: wheel.dy - dy };
      flushMove();
      send({ type: 'pointer.wheel', ...p, dx, dy });
    };
    const onContextMenu = (e: MouseEvent) => e.preventDefault();
    // No text selection, middle-click scrolling or drag of the video by the rep's own browser.
    const onMouseDown = (e: MouseEvent) => e.preventDefault();

    const codes: ReadonlySet<string> = new Set(KEY_CODES);
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.ctrlKey && !e.altKey && !e.metaKey && !e.shiftKey) {
        e.preventDefault();
        v.blur();
        return;
      }
      // IME composition and dead keys: the composed character comes as its own keydown.
      if (e.isComposing || e.key === 'Dead' || e.key === 'Process') return;
      // AltGr (reported as Ctrl+Alt on some systems) types characters, it is no shortcut.
      const printable = [...e.key].length === 1 && (e.getModifierState('AltGraph') || (!e.ctrlKey && !e.altKey && !e.metaKey));
      if (printable) {
        e.preventDefault();
        send({ type: 'text', text: e.key });
        return;
      }
      if (!codes.has(e.code)) return;
      e.preventDefault();
      const code = e.code as KeyCode;
      held.add(code);
      send({ type: 'key.down', code });
    };
    const onKeyUp = (e: KeyboardEvent) => {
      const code = e.code as KeyCode;
      if (!held.has(code)) return;
      e.preventDefault();
      held.delete(code);
      send({ type: 'key.up', code });
    };
    // Leaving the video (Escape, a click elsewhere) releases whatever is held, so nothing sticks on the remote side.
    const onBlur = () => {
      for (const code of held) send({ type: 'key.up', code });
      held.clear();
    };
    const onLostCapture = () => {
      for (const button of buttons) send({ type: 'pointer.up', button, ...last });
      buttons.clear();
    };

    v.addEventListener('pointerdown', onPointerDown);
    v.addEventListener('pointerup', onPointerUp);
    v.addEventListener('pointermove', onPointerMove);
    v.addEventListener('lostpointercapture', onLostCapture);
    v.addEventListener('wheel', onWheel, { passive: false });
    v.addEventListener('contextmenu', onContextMenu);
    v.addEventListener('mousedown', onMouseDown);
    v.addEventListener('keydown', onKeyDown);
    v.addEventListener('keyup', onKeyUp);
    v.addEventListener('blur', onBlur);
    return () => {
      if (frame) cancelAnimationFrame(frame);
      onBlur();
      v.removeEventListener('pointerdown', onPointerDown);
      v.removeEventListener('pointerup', onPointerUp);
      v.removeEventListener('pointermove', onPointerMove);
      v.removeEventListener('lostpointercapture', onLostCapture);
      v.removeEventListener('wheel', onWheel);
      v.removeEventListener('contextmenu', onContextMenu);
      v.removeEventListener('mousedown', onMouseDown);
      v.removeEventListener('keydown', onKeyDown);
      v.removeEventListener('keyup', onKeyUp);
      v.removeEventListener('blur', onBlur);
    };
  }, [channel]);

  return (
    <figure className="tile screen control">
      {/* Above the picture, so neither the caption nor the remote screen is covered. */}
      {screens && screens.monitors.length > 1 && (
        <div className="monitors" role="group" aria-label={t('media.control.monitor')}>
          <span aria-hidden="true">{t('media.control.monitor')}:</span>
          {screens.monitors.map((m, i) => (
            <button
              key={m.id}
              type="button"
              aria-pressed={m.id === screens.current}
              title={`${m.name} · ${m.width}×${m.height}`}
              onClick={() => selectScreen(m.id)}
            >
              {m.primary ? t('media.control.monitorPrimary', { n: String(i + 1) }) : t('media.control.monitorN', { n: String(i + 1) })}
            </button>
          ))}
        </div>
      )}
      <video ref={ref} autoPlay playsInline muted tabIndex={0} aria-label={label} data-control-ready={channel ? 'true' : 'false'} />
      <figcaption>{caption}</figcaption>
    </figure>
  );
}
