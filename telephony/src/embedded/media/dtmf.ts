// DTMF as RFC 4733 telephone-events. The payload type is dynamic (101 is
// common, SIPp sends 96): callers pass the one negotiated in SDP.

export const DTMF_DIGITS = '0123456789*#ABCD';

export function digitToEvent(digit: string): number | undefined {
  const i = DTMF_DIGITS.indexOf(digit.toUpperCase());
  return digit.length === 1 && i >= 0 ? i : undefined;
}

export function eventToDigit(event: number): string | undefined {
  return event >= 0 && event < DTMF_DIGITS.length ? DTMF_DIGITS[event] : undefined;
}

export interface TelephoneEvent {
  event: number;
  end: boolean;
  /** 0..63, in -dBm0 (10 is a usual level). */
  volume: number;
  /** In timestamp units since the event's start. */
  duration: number;
}

export function encodeTelephoneEvent(e: TelephoneEvent): Uint8Array {
  const out = new Uint8Array(4);
  out[0] = e.event & 0xff;
  out[1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  out[2] = (e.duration >> 8) & 0xff;
  out[3] = e.duration & 0xff;
  return out;
}

export function decodeTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  const b1 = payload[1] as number;
  return {
    event: payload[0] as number,
    end: (b1 & 0x80) !== 0,
    volume: b1 & 0x3f,
    duration: ((payload[2] as number) << 8) | (payload[3] as number),
  };
}

/**
 * Turns a stream of telephone-event packets into digits, each reported once
 * when it ends. One event is all packets with one RTP timestamp (RFC 4733
 * §2.5.1.2), so the three retransmitted end packets count once, and the same
 * digit pressed twice is two events because its timestamp differs. If every
 * end packet is lost, the digit is still reported when the next event starts.
 */
export class DtmfReceiver {
  private current: { timestamp: number; ssrc: number; event: number; reported: boolean } | undefined;

  /** Feeds one telephone-event packet; returns the digit that just ended, if any. */
  receive(p: { timestamp: number; ssrc: number; payload: Uint8Array }): string[] {
    const e = decodeTelephoneEvent(p.payload);
    if (!e) return [];
    const digits: string[] = [];
    const cur = this.current;
    const isNew = !cur || cur.timestamp !== p.timestamp || cur.ssrc !== p.ssrc;
    if (isNew) {
      if (cur && !cur.reported) {
        const lost = eventToDigit(cur.event);
        if (lost) digits.push(lost);
      }
      this.current = { timestamp: p.timestamp, ssrc: p.ssrc, event: e.event, reported: false };
    }
    const now = this.current;
    if (now && e.end && !now.reported) {
      now.reported = true;
      const digit = eventToDigit(now.event);
      if (digit) digits.push(digit);
    }
    return digits;
  }
}

export interface DtmfSendPlan {
  /** Packets of one digit, in order; each is sent `intervalMs` after the previous. */
  packets: { payload: Uint8Array; marker: boolean }[];
  intervalMs: number;
}

/**
 * The packets for one digit: a start packet with the marker bit, updates
 * every `intervalMs` with a growing duration, and the end packet sent three
 * times (RFC 4733 §2.5.1.4), all to carry the event's start timestamp.
 */
export function planDigit(digit: string, opts: { durationMs?: number; intervalMs?: number; volume?: number } = {}): DtmfSendPlan {
  const event = digitToEvent(digit);
  if (event === undefined) throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  const durationMs = opts.durationMs ?? 100;
  const intervalMs = opts.intervalMs ?? 20;
  const volume = opts.volume ?? 10;
  const samplesPerInterval = (intervalMs * 8000) / 1000;
  const steps = Math.max(1, Math.round(durationMs / intervalMs));
  const packets: DtmfSendPlan['packets'] = [];
  for (let i = 0; i < steps; i++) {
    packets.push({
      payload: encodeTelephoneEvent({ event, end: false, volume, duration: i * samplesPerInterval }),
      marker: i === 0,
    });
  }
  const end = encodeTelephoneEvent({ event, end: true, volume, duration: steps * samplesPerInterval });
  for (let i = 0; i < 3; i++) packets.push({ payload: end, marker: false });
  return { packets, intervalMs };
}
