/** Browser-only: WebRTC media for a session (needs DOM types and RTCPeerConnection). */
export { MediaController, type MediaEvent, type RemoteStream } from './controller.js';
export { QualityMeter, qualityLevel, type LinkQuality } from './quality.js';
