/** Connection quality of one peer link, from WebRTC statistics. */
export interface LinkQuality {
  /** Bits per second received plus sent on the link over the last interval. */
  bitrate: number;
  /** Fraction of packets lost, 0…1 (receiving side, or reported by the remote side). */
  loss: number;
  /** Round-trip time in seconds, or null before it is known. */
  rtt: number | null;
  level: 'good' | 'fair' | 'poor';
  /** Loudness 0…1 of the remote audio (voice calls). */
  audioLevel: number;
}

export function qualityLevel(loss: number, rtt: number | null): LinkQuality['level'] {
  if (loss > 0.08 || (rtt !== null && rtt > 0.8)) return 'poor';
  if (loss > 0.02 || (rtt !== null && rtt > 0.3)) return 'fair';
  return 'good';
}

interface Counters {
  at: number;
  bytes: number;
  packetsReceived: number;
  packetsLost: number;
}

/** Turns successive getStats() reports into a LinkQuality; keeps the previous counters. */
export class QualityMeter {
  private prev: Counters | null = null;

  update(report: RTCStatsReport, now: number): LinkQuality {
    let bytes = 0;
    let packetsReceived = 0;
    let packetsLost = 0;
    let rtt: number | null = null;
    let remoteLoss: number | null = null;
    let audioLevel = 0;
    report.forEach((s: Record<string, unknown> & { type: string }) => {
      if (s.type === 'inbound-rtp') {
        bytes += Number(s.bytesReceived ?? 0);
        packetsReceived += Number(s.packetsReceived ?? 0);
        packetsLost += Math.max(0, Number(s.packetsLost ?? 0));
        if (s.kind === 'audio' && typeof s.audioLevel === 'number') audioLevel = Math.max(audioLevel, s.audioLevel);
      } else if (s.type === 'outbound-rtp') {
        bytes += Number(s.bytesSent ?? 0);
      } else if (s.type === 'remote-inbound-rtp') {
        if (typeof s.fractionLost === 'number') remoteLoss = Math.max(remoteLoss ?? 0, s.fractionLost);
        if (typeof s.roundTripTime === 'number') rtt = s.roundTripTime;
      } else if (s.type === 'candidate-pair' && s.nominated && typeof s.currentRoundTripTime === 'number') {
        rtt = s.currentRoundTripTime;
      }
    });
    const prev = this.prev;
    this.prev = { at: now, bytes, packetsReceived, packetsLost };
    const seconds = prev ? (now - prev.at) / 1000 : 0;
    const bitrate = prev && seconds > 0 ? Math.max(0, ((bytes - prev.bytes) * 8) / seconds) : 0;
    const dReceived = prev ? packetsReceived - prev.packetsReceived : 0;
    const dLost = prev ? packetsLost - prev.packetsLost : 0;
    const localLoss = dReceived + dLost > 0 ? dLost / (dReceived + dLost) : 0;
    const loss = Math.max(localLoss, remoteLoss ?? 0);
    return { bitrate, loss, rtt, level: qualityLevel(loss, rtt), audioLevel };
  }
}
