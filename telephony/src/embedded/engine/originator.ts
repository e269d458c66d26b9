// Outbound calls: where a dial target goes (a trunk, a registered device, a
// SIP address), the INVITE with our media offer, and the answered call.
import { OriginateError, type Call, type CallParty, type DialTarget, type OriginateOptions } from '../../driver.js';
import type { MediaLeg } from '../media/leg.js';
import { endpointOf } from '../sip/dialog.js';
import type { SipEndpoint } from '../sip/message.js';
import { tryParseUri } from '../sip/uri.js';
import { EmbeddedCall } from './call.js';
import type { CallDeps } from './call-deps.js';
import { newCallId, newRequest, newTag, placeInvite } from './outbound.js';
import { DEFAULT_TELEPHONE_EVENT_PT, negotiate, parseRemoteAudio, type NegotiatedAudio } from './sdp.js';
import { offerCryptoLines, srtpPair } from './sdes.js';
import type { LegCrypto } from './media-legs.js';
import { SipLeg, allowHeaders } from './sip-leg.js';
import { trunkFromUri, trunkRequestUri, type TrunkConfig } from './trunks.js';

interface Route {
  uri: string;
  destination: SipEndpoint;
  number: string;
  trunk?: TrunkConfig;
  credentials?: { username: string; password: string };
  fromUri: (user: string) => string;
  /** The trunk's or the device's direct-media setting. */
  directMedia: boolean;
}

export type OriginatorDeps = CallDeps;

export class Originator {
  readonly #deps: OriginatorDeps;
  /** Outbound INVITEs not yet answered: aborted on stop. */
  readonly #pending = new Set<AbortController>();
  #placed = 0;

  constructor(deps: OriginatorDeps) {
    this.#deps = deps;
  }

  /** INVITEs placed since start, answered or not (for stats). */
  get placed(): number {
    return this.#placed;
  }

  get pending(): number {
    return this.#pending.size;
  }

  abortAll(): void {
    for (const controller of this.#pending) controller.abort();
  }

  async originate(target: DialTarget, opts: OriginateOptions = {}): Promise<Call> {
    const { cfg, engine, legs } = this.#deps;
    const stack = engine.requireStack();
    if (engine.refusing) throw new OriginateError('unreachable', 'the engine is shutting down and places no new calls');
    const route = this.#route(target);
    const callerId: CallParty = opts.callerId ?? { number: 'tenor' };
    const callId = newCallId(cfg.publicAddress);
    const log = this.#deps.log.child({ callId });
    // Bind the media port before offering it: a port taken by another program
    // is skipped here rather than discovered after the far end answered.
    const offered: NegotiatedAudio = { codec: 'PCMU', pt: 0, telephoneEventPt: DEFAULT_TELEPHONE_EVENT_PT };
    let bound: { leg: MediaLeg; port: number };
    try {
      // Media is taken from the SDP's address or the address we signal to (see rtp/session.ts).
      // A device registered over WebSocket is a browser: it gets a WebRTC offer (ICE-lite, DTLS-SRTP).
      bound = await legs.bindLeg(offered, undefined, callId, [route.destination.address], { webrtc: route.destination.transport === 'ws' });
    } catch (err) {
      throw new OriginateError('failed', err instanceof Error ? err.message : 'no RTP port free');
    }
    const { port } = bound;
    let leg: MediaLeg | undefined = bound.leg;
    // SRTP is offered on TLS legs only: SDES keys in SDP over UDP or TCP would be readable on the way.
    const crypto: LegCrypto | undefined = route.destination.transport === 'tls' ? { lines: offerCryptoLines() } : undefined;
    const sdp = legs.sdpFor(port, undefined, undefined, crypto);
    const controller = new AbortController();
    this.#pending.add(controller);
    const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
    let handedOver = false;
    try {
      const request = newRequest({
        method: 'INVITE', uri: route.uri,
        from: `${formatParty(callerId, route.fromUri(callerId.number))};tag=${newTag()}`,
        to: `<${route.uri}>`,
        callId, cseq: 1,
        contact: stack.contact(route.destination.transport, callerId.number.replace(/[^\w+.-]/g, '') || undefined),
        headers: [
          ...allowHeaders(),
          ...(route.trunk ? [{ name: 'P-Asserted-Identity', value: formatParty(callerId, route.fromUri(callerId.number)) }] : []),
          ...Object.entries(opts.headers ?? {}).map(([name, value]) => ({ name, value })),
        ],
        body: { contentType: 'application/sdp', text: sdp.offer('sendrecv') },
      });
      log.info({ uri: route.uri, destination: route.destination, from: callerId.number }, 'placing call');
      this.#placed++;
      const outcome = await placeInvite({
        stack, request, destination: route.destination,
        ...(route.credentials ? { credentials: route.credentials } : {}),
        timeoutMs: opts.timeoutMs ?? cfg.originateTimeoutMs,
        signal, log,
      });
      if (outcome.kind === 'failed') {
        log.info({ status: outcome.status, cause: outcome.cause }, 'call not answered');
        throw new OriginateError(outcome.cause, `call to ${route.uri} not answered: ${outcome.status} (${outcome.cause})`);
      }
      const dialog = stack.createUacDialog(outcome.tx, outcome.response);
      const remote = parseRemoteAudio(outcome.response.body.toString('utf8'));
      const chosen = remote ? negotiate(remote) : undefined;
      const ours = crypto?.lines.find((l) => chosen?.crypto && l.tag === chosen.crypto.tag && l.suite === chosen.crypto.suite);
      // An answer must keep what we offered: SRTP for SRTP with one of our tags, RTP for RTP.
      const mismatched = chosen !== undefined && (crypto ? ours === undefined : chosen.crypto !== undefined);
      if (outcome.lateFor || !remote || !chosen || mismatched || engine.stopping) {
        stack.sendInDialog(dialog, 'BYE');
        if (mismatched) log.warn({ offeredSrtp: crypto !== undefined }, 'answer does not match our SRTP offer: ending the call');
        const cause = outcome.lateFor ?? (engine.stopping ? 'server-shutdown' : 'failed');
        throw new OriginateError(cause, `call to ${route.uri} ended at answer: ${cause}`);
      }
      if (chosen.codec === offered.codec && chosen.telephoneEventPt === offered.telephoneEventPt) {
        legs.answered(leg, port, remote);
      } else {
        // The far end chose otherwise: reopen the leg on the same port with its choice.
        await leg.close();
        leg = undefined;
        leg = await legs.openLeg(port, chosen, remote, callId, [route.destination.address]);
      }
      if (crypto && ours && chosen.crypto) {
        crypto.lines = [ours];
        leg.session.setSrtp(srtpPair(ours, chosen.crypto));
      }
      leg.once('closed', () => legs.release(port));
      handedOver = true;
      const call = new EmbeddedCall({
        id: callId, direction: 'outbound', from: callerId, to: { number: route.number }, state: 'answered',
        signaling: SipLeg.outbound(stack, dialog, log),
        rtp: { leg, sdp }, logger: log, ...this.#deps.settings,
        directMedia: { allowed: route.directMedia, signalledFrom: route.destination.address, remote },
      });
      this.#deps.calls.track(call, dialog);
      log.info('call answered');
      return call;
    } finally {
      this.#pending.delete(controller);
      if (!handedOver) {
        await leg?.close();
        legs.release(port);
      }
    }
  }

  #route(target: DialTarget): Route {
    const ownUri = (user: string): string => `sip:${user}@${this.#deps.cfg.domain}`;
    switch (target.kind) {
      case 'number': {
        const trunk = this.#deps.trunks.table.forNumber(target.trunk);
        if (!trunk) throw new OriginateError('unreachable', target.trunk ? `no trunk named ${target.trunk}` : 'no trunk configured');
        return {
          uri: trunkRequestUri(trunk, target.number),
          destination: { transport: trunk.transport, address: trunk.host, port: trunk.port },
          number: target.number, trunk,
          ...(trunk.username !== undefined && trunk.password !== undefined ? { credentials: { username: trunk.username, password: trunk.password } } : {}),
          fromUri: (user) => trunkFromUri(trunk, user),
          directMedia: trunk.directMedia === true,
        };
      }
      case 'device': {
        const binding = this.#deps.registrar?.lookup(target.user)[0];
        if (!binding) throw new OriginateError('unreachable', `${target.user} is not registered`);
        // Send to where the REGISTER came from: the device may sit behind NAT.
        return {
          uri: binding.contact, destination: { ...binding.source }, number: target.user, fromUri: ownUri,
          directMedia: this.#deps.cfg.directMedia(target.user),
        };
      }
      case 'address': {
        const uri = tryParseUri(target.address);
        if (!uri || (uri.scheme !== 'sip' && uri.scheme !== 'sips')) throw new OriginateError('failed', `not a SIP address: ${target.address}`);
        return { uri: target.address, destination: endpointOf(uri), number: uri.user ?? uri.host, fromUri: ownUri, directMedia: false };
      }
    }
  }
}

function formatParty(party: CallParty, uri: string): string {
  const display = party.displayName ? `"${party.displayName.replace(/(["\\])/g, '\\$1')}" ` : '';
  return `${display}<${uri}>`;
}
