/**
 * The platform backend of the Support Manager: what every OS implementation
 * (Linux/X11 now; Windows and macOS planned, see README) provides to the
 * session layer. No networking here: frames go out through `onFrame`, input
 * comes in through `CaptureSession.input`.
 *
 * Lifecycle and guarantees every backend keeps:
 * - Nothing is captured before `startCapture` and nothing after the returned
 *   session's `stop()` has resolved (nor after `Backend.close()`).
 * - Input exists only inside a capture session, for its target: pointer
 *   coordinates are pixels of that session's frames, and what falls outside
 *   the target (or, for a window, on another application covering it) is
 *   dropped. After `stop()` (or the end of the session for any reason),
 *   `input()` rejects with `BackendStoppedError` and injects nothing.
 * - `stop()` releases every key and button the session still holds (the only
 *   input it sends on its own) before it resolves.
 */
import type { AppWindow, CaptureTarget, InputEvent, Monitor } from './input.js';

export type { AppWindow, CaptureTarget, InputEvent, Monitor } from './input.js';

/** One video frame, I420 (Y plane, then U, then V; 4:2:0). */
export interface I420Frame {
  /** Even. */
  width: number;
  /** Even. */
  height: number;
  /** width*height + 2*(width/2)*(height/2) bytes; a fresh buffer the consumer may keep. */
  data: Uint8ClampedArray;
  /** When the pixels were read, ms on this process's monotonic clock (performance.now()). */
  timestampMs: number;
  /** Whole picture refreshed (start, idle refresh, requestFrame, geometry change) rather than only what changed. */
  full: boolean;
}

export interface CaptureOptions {
  /** Upper bound on frames per second (default 30, at most 60). */
  maxFps?: number;
  /** With nothing changing, a frame anyway after this long (default 1000 ms), so a late joiner and the encoder get a picture. */
  idleRefreshMs?: number;
  /** Called once when the session ends, whatever the reason; not called for a session that never started. */
  onEnded?: (reason: CaptureEndReason, error?: Error) => void;
}

export type CaptureEndReason =
  /** stop() was called. */
  | 'stopped'
  /** The monitor or window is gone (window closed, monitor unplugged). */
  | 'target-gone'
  /** Backend.close() ended it. */
  | 'backend-closed'
  /** Reading the screen failed, or onFrame threw. */
  | 'error';

/** What became of one input event. Only 'delivered' reached the desktop. */
export type InputOutcome =
  | 'delivered'
  /** The point is outside the target. */
  | 'outside'
  /** The point is on a part of the shared window that another application covers. */
  | 'covered'
  /** A key or text for a shared window while another application has the keyboard focus. */
  | 'not-focused'
  /** The shared window is not on screen (minimised, unmapped). */
  | 'hidden'
  /** A button or key release for one this session does not hold. */
  | 'not-pressed'
  /** The key cannot be pressed on this desktop (no keycode for it and none spare). */
  | 'unsupported';

export interface CaptureStats {
  frames: number;
  /** Frames that refreshed the whole picture. */
  fullFrames: number;
  /** 'damage': frames only when X DAMAGE reports a change; 'poll': compared against the previous picture at a fixed rate. */
  mode: 'damage' | 'poll';
  /** Pixels read through shared memory (MIT-SHM) rather than the X socket. */
  shm: boolean;
  /** Milliseconds of the last frame: reading the pixels, then converting to I420. */
  lastReadMs: number;
  lastConvertMs: number;
  /** Input events that reached the desktop, and those dropped. */
  inputDelivered: number;
  inputDropped: number;
  /** Low-level events injected (key presses, button presses, moves…). */
  injected: number;
}

export interface CaptureSession {
  readonly target: CaptureTarget;
  /** False once stopped or ended; never true again. */
  readonly active: boolean;
  /** Size of the frames now (a shared window's frames follow its size). */
  frameSize(): { width: number; height: number };
  /** The next frame as soon as the fps cap allows, and whole (for a new viewer or an encoder's keyframe request). */
  requestFrame(): void;
  /**
   * One input event of the rep, in frame pixels. Events are applied in
   * order. Resolves with what became of it; rejects with
   * `BackendStoppedError` once the session is no longer active (nothing is
   * injected then), with a ZodError for a malformed event, and with the
   * backend's error when the desktop connection is lost mid-way (X11:
   * `ConnectionLostError`; the session then ends with 'error').
   */
  input(event: InputEvent): Promise<InputOutcome>;
  stats(): CaptureStats;
  /** Stops capture and input; resolves when nothing more will be read or injected. Idempotent. */
  stop(): Promise<void>;
}

export interface BackendCapabilities {
  /** Input can be injected (X11: XTEST present). */
  input: boolean;
  /** Frames are driven by change notifications (X11: DAMAGE) instead of polling. */
  damage: boolean;
  /** Shared-memory capture (X11: MIT-SHM usable). */
  shm: boolean;
}

export interface Backend {
  /** e.g. 'linux-x11'. */
  readonly platform: string;
  readonly capabilities: BackendCapabilities;
  monitors(): Promise<Monitor[]>;
  /** Top-level application windows that are on screen and have a title. */
  windows(): Promise<AppWindow[]>;
  /**
   * Starts capturing the target. The first frame (full) follows as soon as
   * possible; later ones when something changed, at most `maxFps` a second.
   * Rejects with `TargetNotFoundError` for an unknown monitor or window.
   */
  startCapture(target: CaptureTarget, onFrame: (frame: I420Frame) => void, opts?: CaptureOptions): Promise<CaptureSession>;
  /**
   * Access to the desktop's clipboard (text). Nothing of the clipboard is
   * read, watched or changed before this is called, so the session opens it
   * only once the customer has allowed clipboard sharing, and closes it when
   * that permission ends. Several may be open at once; each is independent.
   */
  openClipboard(opts?: ClipboardOptions): Promise<Clipboard>;
  /** Closes open clipboards, stops every session ('backend-closed'), restores what input changed (keymap) and disconnects. Idempotent. */
  close(): Promise<void>;
}

/** Default of `ClipboardOptions.maxBytes`: 1 MiB of UTF-8. */
export const CLIPBOARD_MAX_BYTES = 1024 * 1024;

export interface ClipboardOptions {
  /** Largest text accepted either way, in UTF-8 bytes (default `CLIPBOARD_MAX_BYTES`, 1 MiB). */
  maxBytes?: number;
}

/**
 * The desktop's clipboard, text only (UTF-8 on the wire, JavaScript strings
 * here). What the user copies with Ctrl+C in any application is what `read()`
 * returns and what `onChange` reports; what `write()` puts there is what the
 * next Ctrl+V in any application pastes.
 *
 * - Text larger than `maxBytes` is refused both ways with
 *   `ClipboardTooLargeError`; nothing is truncated.
 * - Content that is not text (an image, files) reads as null, as does an
 *   empty clipboard.
 * - After `close()` has resolved nothing is read or reported any more, and
 *   text this object wrote is no longer offered to other applications (on
 *   X11 the ownership is given up).
 */
export interface Clipboard {
  readonly maxBytes: number;
  /**
   * How changes by other applications are noticed: 'events' when the desktop
   * announces them (X11: XFIXES), 'poll' when the clipboard's owner is
   * checked periodically (then a second copy in the same application may go
   * unnoticed).
   */
  readonly changeDetection: 'events' | 'poll';
  /**
   * The clipboard's text now, or null when it is empty or holds no text.
   * Rejects with `ClipboardTooLargeError` above `maxBytes`, with
   * `ClipboardTimeoutError` when the application holding the clipboard does
   * not answer, with `ClipboardClosedError` after `close()`.
   */
  read(): Promise<string | null>;
  /**
   * Puts `text` on the clipboard; other applications paste it from when this
   * resolves until something else is copied or `close()`. Rejects with
   * `ClipboardTooLargeError` (nothing changed) above `maxBytes`.
   */
  write(text: string): Promise<void>;
  /**
   * Calls `listener` with the new text each time another application puts
   * text on the clipboard that differs from the last text written or
   * reported here (so a write is never echoed back, and a clipboard manager
   * re-offering the same text is quiet). Clearing the clipboard and non-text
   * content are not reported; a change that cannot be read (too large, no
   * answer) goes to `onError`. Returns the function that unsubscribes. The
   * clipboard is only read for this while at least one listener is subscribed.
   */
  onChange(listener: (text: string) => void, onError?: (error: Error) => void): () => void;
  /** Stops watching, gives up the clipboard if this object owns it, fails pending calls with `ClipboardClosedError`. Idempotent. */
  close(): Promise<void>;
}

export class ClipboardTooLargeError extends Error {
  constructor(
    /** Size in bytes, or for text arriving piecewise at least this many. */
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`clipboard text of ${bytes} bytes is over the limit of ${maxBytes} bytes`);
    this.name = 'ClipboardTooLargeError';
  }
}

export class ClipboardTimeoutError extends Error {
  constructor(message = 'the application holding the clipboard did not answer in time') {
    super(message);
    this.name = 'ClipboardTimeoutError';
  }
}

export class ClipboardClosedError extends Error {
  constructor(message = 'the clipboard has been closed') {
    super(message);
    this.name = 'ClipboardClosedError';
  }
}

export class BackendStoppedError extends Error {
  constructor(message = 'the capture session has stopped; no input is injected') {
    super(message);
    this.name = 'BackendStoppedError';
  }
}

export class TargetNotFoundError extends Error {
  constructor(target: CaptureTarget) {
    super(`no ${target.kind} ${JSON.stringify(target.id)} to capture`);
    this.name = 'TargetNotFoundError';
  }
}

export class InputUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputUnsupportedError';
  }
}
