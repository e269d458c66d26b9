// The rtpengine relay as a MediaPath: a bridge's two legs send their audio to
// ports rtpengine allocated for them, and rtpengine forwards it (userspace or
// its kernel module, as the operator runs it), so Tenor's process no longer
// touches the packets of a bridge that needs no media work.
//
// rtpengine is driven like a SIP proxy would drive it, one "call" per bridge:
//  - offer  (call-id = bridge id, from-tag "a") with an SDP saying where leg a
//    receives; rtpengine answers with the SDP leg b must be given: the
//    address and port leg b sends to (forwarded to leg a);
//  - answer (to-tag "b") with where leg b receives; rtpengine answers with
//    where leg a sends to (forwarded to leg b);
//  - delete when the bridge leaves the path.
// The SDPs are minimal (one audio stream, the leg's codec and its RFC 4733
// payload type): the legs' own SDP stays the engine's business.
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { parse } from 'sdp-transform';
import type { MediaEndpoint, MediaPath, PathLeg, PathRoute } from '../embedded/engine/media-path.js';
import { RtpengineError, type RtpengineClient } from './ng-client.js';
import type { BencodeDict } from './bencode.js';

const CLOCK_RATE = 8000;

/** The SDP that tells rtpengine where a leg receives its audio. */
export function legSdp(leg: PathLeg, sessionId: number): string {
  const { address, port } = leg.receivesAt;
  const family = isIP(address);
  if (family === 0) throw new Error(`leg ${leg.callId} receives at "${address}", not an IP address`);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`leg ${leg.callId} receives at port ${port}`);
  if (!Number.isInteger(leg.payloadType) || leg.payloadType < 0 || leg.payloadType > 127) throw new Error(`leg ${leg.callId} has payload type ${leg.payloadType}`);
  const ip = family === 6 ? 'IP6' : 'IP4';
  const event = leg.telephoneEventPayloadType;
  const payloadTypes = event === undefined ? `${leg.payloadType}` : `${leg.payloadType} ${event}`;
  const lines = [
    'v=0',
    `o=- ${sessionId} 1 IN ${ip} ${address}`,
    's=-',
    `c=IN ${ip} ${address}`,
    't=0 0',
    `m=audio ${port} RTP/AVP ${payloadTypes}`,
    `a=rtpmap:${leg.payloadType} ${leg.codec}/${CLOCK_RATE}`,
  ];
  if (event !== undefined) lines.push(`a=rtpmap:${event} telephone-event/${CLOCK_RATE}`, `a=fmtp:${event} 0-16`);
  lines.push('a=ptime:20', 'a=sendrecv', '');
  return lines.join('\r\n');
}

/** Where rtpengine's SDP says to send: the audio stream's port and its (media- or session-level) address. */
export function sendsToFromSdp(sdp: string): MediaEndpoint {
  const session = parse(sdp);
  const audio = session.media.find((m) => m.type === 'audio');
  if (!audio) throw new Error('rtpengine returned an SDP without an audio stream');
  const address = audio.connection?.ip ?? session.connection?.ip;
  if (!address || isIP(address) === 0) throw new Error(`rtpengine returned an SDP without a usable address (${address ?? 'none'})`);
  if (!Number.isInteger(audio.port) || audio.port < 1 || audio.port > 65_535) throw new Error(`rtpengine returned port ${audio.port}`);
  return { address, port: audio.port };
}

/** The flags of every offer and answer: a plain RTP/AVP stream, addresses rewritten to rtpengine's. */
const ROUTE_FLAGS: BencodeDict = {
  replace: ['origin', 'session-connection'],
  ICE: 'remove',
  'transport-protocol': 'RTP/AVP',
};

function sdpOf(reply: BencodeDict, command: 'offer' | 'answer'): string {
  const sdp = reply['sdp'];
  if (typeof sdp !== 'string') throw new RtpengineError(command, 'reply without an SDP');
  return sdp;
}

export interface RtpenginePathOptions {
  /** Where a failed delete is reported (close never rejects: the bridge is back on Tenor by then). */
  logger?: Logger;
}

export function rtpenginePath(client: RtpengineClient, opts: RtpenginePathOptions = {}): MediaPath {
  /** Bridges with a call on rtpengine: close of anything else sends nothing. */
  const open = new Set<string>();
  let sessionId = Math.floor(Date.now() / 1000);

  async function remove(bridgeId: string): Promise<void> {
    open.delete(bridgeId);
    try {
      await client.request('delete', { 'call-id': bridgeId });
    } catch (err) {
      // Already gone (rtpengine's own media timeout deleted it): nothing left to free.
      if (err instanceof RtpengineError && /unknown call-id/i.test(err.reason)) return;
      throw err;
    }
  }

  return {
    name: 'rtpengine',

    async open(bridgeId: string, a: PathLeg, b: PathLeg): Promise<PathRoute> {
      if (open.has(bridgeId)) throw new Error(`bridge ${bridgeId} already has an rtpengine route`);
      const aSdp = legSdp(a, ++sessionId);
      const bSdp = legSdp(b, ++sessionId);
      open.add(bridgeId);
      try {
        const offered = await client.request('offer', { ...ROUTE_FLAGS, 'call-id': bridgeId, 'from-tag': 'a', sdp: aSdp });
        const bSendsTo = sendsToFromSdp(sdpOf(offered, 'offer'));
        const answered = await client.request('answer', { ...ROUTE_FLAGS, 'call-id': bridgeId, 'from-tag': 'a', 'to-tag': 'b', sdp: bSdp });
        const aSendsTo = sendsToFromSdp(sdpOf(answered, 'answer'));
        if (opts.logger?.isLevelEnabled('debug')) opts.logger.debug({ bridgeId, aSendsTo, bSendsTo, rtpengine: client.target }, 'rtpengine route opened');
        return { aSendsTo, bSendsTo };
      } catch (err) {
        // Half set up: free what rtpengine allocated before saying the path is not taken.
        await remove(bridgeId).catch(() => undefined);
        throw err;
      }
    },

    async close(bridgeId: string): Promise<void> {
      if (!open.has(bridgeId)) return;
      // rtpengine frees the ports itself once no media flows (its --timeout), so a
      // delete lost for good leaks them only for that long.
      await remove(bridgeId).catch((err: unknown) => {
        opts.logger?.warn({ err, bridgeId, rtpengine: client.target }, 'rtpengine delete failed');
      });
    },
  };
}
