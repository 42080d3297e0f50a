export { ControlSession, type ControlEndReason, type ControlKind, type ControlOptions, type InputStats } from './control.js';
export { PairingError, redeemPairing, type Redeemed } from './redeem.js';
export { wrtc, type Wrtc } from './wrtc.js';
