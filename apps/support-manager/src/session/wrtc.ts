/**
 * The part of `@roamhq/wrtc` the Support Manager uses, typed here: the
 * package's own typings re-export the DOM's WebRTC types, which this
 * project's Node-only `lib` does not have.
 */
import wrtcModule from '@roamhq/wrtc';

export interface IceCandidateLike {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export interface DataChannelLike {
  readonly label: string;
  readonly readyState: 'connecting' | 'open' | 'closing' | 'closed';
  /** Bytes queued to send. (No bufferedAmountLowThreshold nor `bufferedamountlow` event in wrtc 0.10.) */
  readonly bufferedAmount: number;
  /** Binary messages arrive as ArrayBuffer ('arraybuffer', the default). */
  binaryType: string;
  onopen: (() => void) | null;
  onclose: (() => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  /** wrtc's own EventTarget: listeners run on the next tick, in order; `once` is not supported. */
  addEventListener(type: string, cb: (ev: { data: unknown }) => void): void;
  removeEventListener(type: string, cb: (ev: { data: unknown }) => void): void;
  send(data: string | Uint8Array): void;
  close(): void;
}

export interface TrackLike {
  readonly kind: string;
  contentHint?: string;
  stop(): void;
}

export interface RtpSenderLike {
  getParameters(): { encodings: { maxBitrate?: number; maxFramerate?: number }[] } & Record<string, unknown>;
  setParameters(p: unknown): Promise<void>;
}

export interface PeerConnectionLike {
  readonly connectionState: 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';
  readonly signalingState: string;
  readonly localDescription: { type: string; sdp: string } | null;
  readonly remoteDescription: { type: string; sdp: string } | null;
  onicecandidate: ((ev: { candidate: IceCandidateLike | null }) => void) | null;
  onconnectionstatechange: (() => void) | null;
  ontrack: ((ev: { track: TrackLike }) => void) | null;
  ondatachannel: ((ev: { channel: DataChannelLike }) => void) | null;
  addTrack(track: TrackLike, ...streams: unknown[]): RtpSenderLike;
  createDataChannel(label: string, init?: { ordered?: boolean }): DataChannelLike;
  createOffer(opts?: { iceRestart?: boolean }): Promise<{ type: 'offer'; sdp: string }>;
  createAnswer(): Promise<{ type: 'answer'; sdp: string }>;
  setLocalDescription(d: { type: string; sdp: string }): Promise<void>;
  setRemoteDescription(d: { type: string; sdp: string }): Promise<void>;
  addIceCandidate(c: IceCandidateLike): Promise<void>;
  close(): void;
}

export interface VideoFrameLike {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

export interface VideoSourceLike {
  readonly isScreencast: boolean;
  createTrack(): TrackLike;
  onFrame(frame: VideoFrameLike): void;
}

export interface VideoSinkLike {
  onframe: ((ev: { frame: { width: number; height: number; data: Uint8Array } }) => void) | null;
  stop(): void;
}

export interface Wrtc {
  RTCPeerConnection: new (config?: { iceServers?: { urls: string | string[]; username?: string; credential?: string }[] }) => PeerConnectionLike;
  nonstandard: {
    RTCVideoSource: new (init?: { isScreencast?: boolean; needsDenoising?: boolean }) => VideoSourceLike;
    RTCVideoSink: new (track: TrackLike) => VideoSinkLike;
  };
}

export const wrtc = wrtcModule as unknown as Wrtc;

/*
 * @roamhq/wrtc 0.10 (Node 20) crashes with SIGSEGV in Node's environment
 * teardown when a process that loaded it ends by itself (empty event loop),
 * even with every connection closed. process.exit() takes a path that does
 * not crash, so a natural end is turned into one (same exit code). Any
 * process that imports this module gets it (the program and the tests).
 */
process.once('exit', (code) => process.exit(code));
