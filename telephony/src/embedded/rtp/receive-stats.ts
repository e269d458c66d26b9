// RFC 3550 receive statistics of one stream: packets expected from the
// sequence numbers (A.1, A.3: extended with the cycle count) against those
// received, and the interarrival jitter estimate (A.8); and the shape of a
// session's statistics as a whole.

export interface RtpStats {
  packetsSent: number;
  /** Of those, packets a bridge relayed on its fast path (received packet, header rewritten in place). */
  packetsForwarded: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  /** Packets expected from the sequence numbers but never received (RFC 3550 A.3). */
  packetsLost: number;
  /** Interarrival jitter in ms (RFC 3550 A.8). */
  jitterMs: number;
  /** Packets dropped: not RTP, or from a source other than the latched one. */
  packetsRejected: number;
  /** Of those, packets from an address neither the SDP nor the signalling named (a spray, a hijack attempt). */
  packetsFromStrangers: number;
  /** SRTP legs: packets dropped for a failed authentication tag (a wrong key, tampering) or as replays. */
  srtpAuthFailures: number;
  srtpReplays: number;
}

export class ReceiveStatistics {
  private baseSeq = -1;
  private maxSeq = 0;
  private cycles = 0;
  private received = 0;
  private lastTransit: number | undefined;
  private lastTimestamp: number | undefined;
  /** In RTP timestamp units. */
  private jitter = 0;

  constructor(private readonly clockRate: number) {}

  /** One accepted packet: its sequence number, RTP timestamp and arrival time (ms, performance.now()). */
  note(seq: number, timestamp: number, nowMs: number): void {
    if (this.baseSeq < 0) {
      this.baseSeq = seq;
      this.maxSeq = seq;
    } else {
      const delta = (seq - this.maxSeq + 0x10000) & 0xffff;
      if (delta > 0 && delta < 0x8000) {
        if (seq < this.maxSeq) this.cycles += 0x10000;
        this.maxSeq = seq;
      }
    }
    this.received++;
    // Jitter only between packets of different timestamps: the several
    // packets of one telephone-event share a timestamp and would skew it.
    if (this.lastTimestamp !== timestamp) {
      const arrival = Math.floor((nowMs * this.clockRate) / 1000);
      const transit = arrival - timestamp;
      if (this.lastTransit !== undefined) {
        let d = Math.abs(transit - this.lastTransit);
        if (d > 0x7fffffff) d = 0; // a timestamp jump (new stream), not jitter
        this.jitter += (d - this.jitter) / 16;
      }
      this.lastTransit = transit;
      this.lastTimestamp = timestamp;
    }
  }

  /** Packets the sequence numbers say were sent but never arrived. */
  get lost(): number {
    const expected = this.baseSeq < 0 ? 0 : this.cycles + this.maxSeq - this.baseSeq + 1;
    return Math.max(0, expected - this.received);
  }

  get jitterMs(): number {
    return (this.jitter / this.clockRate) * 1000;
  }
}
