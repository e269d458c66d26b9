// Where a bridge's audio flows once two calls are joined.
//
// By default it flows through Tenor's own relay (media/bridge.ts), which every
// media feature needs: recording, monitoring, whisper, barge, playing to a
// leg, transcoding between PCMU and PCMA, SRTP on one side only. A bridge that
// needs none of them may move its audio off Tenor: each leg is re-INVITEd to
// the address a MediaPath gives it, and back to Tenor's own ports when a
// feature that needs the audio starts (a supervisor listens, a recording
// starts) or the bridge ends.
//  - direct media: each leg is sent to the other leg's device;
//  - an external relay (rtpengine, driven over its ng protocol): each leg is
//    sent to ports the relay allocated for it.
// The engine keeps the SIP and the SDP; a path only says where each leg sends.

import type { AudioCodec } from './sdp.js';

export interface MediaEndpoint {
  readonly address: string;
  readonly port: number;
}

/** One bridged leg as a media path sees it. */
export interface PathLeg {
  /** The engine's id of the call the leg belongs to (logs, the relay's bookkeeping). */
  readonly callId: string;
  /** Where this leg's device receives audio: its SDP's address, or where its packets were latched from. */
  readonly receivesAt: MediaEndpoint;
  /** The codec the leg uses; a path is only taken when both legs use the same one. */
  readonly codec: AudioCodec;
  readonly payloadType: number;
  /** RFC 4733 digits' payload type on this leg, when it has one. */
  readonly telephoneEventPayloadType?: number;
}

/** Where each leg must send its audio once the path is taken. */
export interface PathRoute {
  /** Offered to leg a in its re-INVITE. */
  readonly aSendsTo: MediaEndpoint;
  /** Offered to leg b in its re-INVITE. */
  readonly bSendsTo: MediaEndpoint;
}

export interface MediaPath {
  /** 'direct', 'rtpengine': in logs, the live snapshot and metrics. */
  readonly name: string;
  /** Sets up the route for one bridge; rejects when it cannot (the bridge then stays on Tenor's relay). */
  open(bridgeId: string, a: PathLeg, b: PathLeg): Promise<PathRoute>;
  /** Tears the route down; idempotent. Called once both legs are back on Tenor, or have hung up. */
  close(bridgeId: string): Promise<void>;
}

/** Direct media: each device sends straight to the other; nothing to set up or tear down. */
export const directMediaPath: MediaPath = {
  name: 'direct',
  open: async (_bridgeId, a, b) => ({ aSendsTo: b.receivesAt, bSendsTo: a.receivesAt }),
  close: async () => {},
};
