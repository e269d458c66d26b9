// Hands out RTP ports from a configured range. RTP uses the even port and the
// odd port above it is reserved for RTCP (RFC 3550 §11), so a pair is taken
// and given back as a unit. Ports are released when a media leg ends.

export interface PortRange {
  min: number;
  max: number;
}

export class PortRangeExhaustedError extends Error {
  constructor(range: PortRange) {
    super(`no free RTP port pair in ${range.min}-${range.max}`);
    this.name = 'PortRangeExhaustedError';
  }
}

export class RtpPortAllocator {
  readonly range: PortRange;
  private readonly inUse = new Set<number>();
  private readonly total: number;
  // Round-robin start point: a port just released is not handed out again at
  // once, so late packets of an old call do not land in a new one.
  private next: number;

  constructor(range: PortRange) {
    const min = range.min % 2 === 0 ? range.min : range.min + 1;
    const max = range.max;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65535 || max < min + 1) {
      throw new RangeError(`bad RTP port range ${range.min}-${range.max}`);
    }
    this.range = { min, max };
    this.total = Math.floor((max - min + 1) / 2);
    this.next = min;
  }

  /** Takes an even RTP port (its RTCP port +1 is reserved with it). Throws when the range is used up. */
  allocate(): number {
    for (let i = 0; i < this.total; i++) {
      const port = this.next;
      this.next = port + 2 > this.range.max - 1 ? this.range.min : port + 2;
      if (!this.inUse.has(port)) {
        this.inUse.add(port);
        return port;
      }
    }
    throw new PortRangeExhaustedError(this.range);
  }

  /** Gives a port back; releasing a port twice or one never allocated is a no-op. */
  release(port: number): void {
    this.inUse.delete(port);
  }

  isAllocated(port: number): boolean {
    return this.inUse.has(port);
  }

  get allocatedCount(): number {
    return this.inUse.size;
  }

  get freeCount(): number {
    return this.total - this.inUse.size;
  }

  get capacity(): number {
    return this.total;
  }
}
