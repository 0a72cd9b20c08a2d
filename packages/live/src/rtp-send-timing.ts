/** How late one stream's packets left against their media time, ms (negative: early), over a session. */
export interface RtpSendLateness {
  packets: number;
  p5: number;
  p50: number;
  p95: number;
  max: number;
}

/** At most this many packets are kept (about 10 minutes of 20 ms Opus packets); later ones are not counted. */
const MAX_RECORDED = 30_000;

/**
 * When each packet of a stream left, against its media time: how unevenly the sender sends. Kept as pairs and
 * summarised against the media clock's final start (the clock is settled over the first frames).
 */
export class RtpSendTiming {
  private readonly sentMs: number[] = [];
  private readonly mediaSeconds: number[] = [];

  record(mediaSeconds: number, sentMs: number): void {
    if (this.sentMs.length >= MAX_RECORDED) return;
    this.mediaSeconds.push(mediaSeconds);
    this.sentMs.push(sentMs);
  }

  /** Lateness against media time 0 at `mediaStartMs` (on the clock `sentMs` was read from); null before any packet. */
  lateness(mediaStartMs: number): RtpSendLateness | null {
    if (this.sentMs.length === 0) return null;
    const late = this.sentMs.map((sent, i) => sent - (mediaStartMs + this.mediaSeconds[i]! * 1000)).sort((a, b) => a - b);
    const at = (q: number): number => round(late[Math.min(late.length - 1, Math.floor(q * late.length))]!);
    return { packets: late.length, p5: at(0.05), p50: at(0.5), p95: at(0.95), max: round(late.at(-1)!) };
  }
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
