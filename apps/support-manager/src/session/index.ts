export { ControlSession, type ControlEndReason, type ControlKind, type ControlOptions, type InputStats } from './control.js';
export { PairingError, redeemPairing, type Redeemed } from './redeem.js';
export { wrtc, type Wrtc } from './wrtc.js';
export { FolderSession, READ_ONLY_REFUSAL, type FolderEndReason, type FolderOptions } from './folder.js';
