import type { SignalPayload } from '@rs/protocol';
import type { DataChannelLike, IceCandidateLike, PeerConnectionLike } from './wrtc.js';

/**
 * The device is always the offering side of its links (control and folder
 * alike): one RTCPeerConnection per remote participant, made on their `want`.
 * This is the signaling both share; what travels on the link is theirs.
 */
export interface OfferedLink {
  remote: string;
  pc: PeerConnectionLike;
  dc: DataChannelLike;
  /** Candidates that came before the answer. */
  early: IceCandidateLike[];
  closed: boolean;
}

export interface OffererHooks<L extends OfferedLink> {
  send(payload: SignalPayload): void;
  /** Makes a fresh link and its offer (the old one, if any, is closed by the caller's offerTo). */
  offer(): Promise<void>;
  close(link: L): void;
}

/** A signal from the remote side of a link this device offers (relay messages are the caller's). */
export async function onRemoteSignal<L extends OfferedLink>(link: L | undefined, p: SignalPayload, hooks: OffererHooks<L>): Promise<void> {
  switch (p.kind) {
    case 'want':
      // An offer still waiting for its answer is sent again rather than replaced.
      if (link && !link.closed && link.pc.signalingState === 'have-local-offer' && link.pc.localDescription && !link.pc.remoteDescription) {
        hooks.send({ kind: 'offer', sdp: link.pc.localDescription.sdp });
        return;
      }
      if (link && !link.closed && link.pc.signalingState === 'stable' && !link.pc.localDescription) return; // its offer is being made
      await hooks.offer();
      return;
    case 'answer':
      if (!link || link.closed || link.pc.signalingState !== 'have-local-offer') return;
      await link.pc.setRemoteDescription({ type: 'answer', sdp: p.sdp });
      for (const c of link.early.splice(0)) await link.pc.addIceCandidate(c).catch(() => undefined);
      return;
    case 'candidate': {
      if (!link || link.closed) return;
      const c: IceCandidateLike = { candidate: p.candidate.candidate, sdpMid: p.candidate.sdpMid ?? null, sdpMLineIndex: p.candidate.sdpMLineIndex ?? null };
      if (!link.pc.remoteDescription) link.early.push(c);
      else await link.pc.addIceCandidate(c);
      return;
    }
    case 'bye':
      if (link) hooks.close(link);
      return;
    case 'offer':
    case 'relay':
      return; // the device is the offering side; relay messages are not link signaling
  }
}

/** Sends this link's ICE candidates to its remote side. */
export function forwardCandidates(link: OfferedLink, send: (payload: SignalPayload) => void): void {
  link.pc.onicecandidate = (ev) => {
    if (!ev.candidate || link.closed) return;
    const c = ev.candidate;
    send({ kind: 'candidate', candidate: { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null } });
  };
}

/** Creates and sends the offer, unless the link was closed meanwhile. */
export async function sendOffer(link: OfferedLink, send: (payload: SignalPayload) => void): Promise<void> {
  const offer = await link.pc.createOffer();
  if (link.closed) return;
  await link.pc.setLocalDescription(offer);
  if (link.closed) return;
  send({ kind: 'offer', sdp: offer.sdp });
}

/** Closes the channel and the connection; either may be closed already. */
export function closeLink(link: OfferedLink): void {
  try {
    link.dc.close();
  } catch {
    // already closed
  }
  try {
    link.pc.close();
  } catch {
    // already closed
  }
}
