// Re-anchoring a bridge's audio (issue 19): a bridge that needs no media work
// (no recording, monitor, play, hold, digit collection, transcoding) moves its
// audio off Tenor's relay: straight between the two devices when both legs
// allow direct media, else through the configured external relay (rtpengine),
// else it stays on Tenor. Each leg is re-INVITEd with an offer naming where
// the path says it must send (media-path.ts); each leg's own RTP session keeps
// its port meanwhile, so bringing the audio back is one more re-INVITE naming
// that port again. Every move is serialised on one queue per bridge, and a
// move that fails (an error answer, no answer) leaves the bridge on Tenor's
// relay: the call never drops because of direct media.
import type { Logger } from 'pino';
import type { EmbeddedCall } from './call.js';
import { directMediaPath, type MediaEndpoint, type MediaPath, type PathLeg, type PathRoute } from './media-path.js';
import { parseRemoteAudio, pathOffer, type KeptAudio } from './sdp.js';
import { SipLeg } from './sip-leg.js';

/** What a bridged call asks of its bridge's media (set on EmbeddedCall while it is bridged). */
export interface MediaAnchor {
  /** Resolves once the bridge's audio flows through Tenor again (at once when it already does). */
  returnToTenor(reason: string): Promise<void>;
  /** A feature that needed the audio ended: the bridge may leave Tenor again. */
  mayLeave(): void;
  /** The far end re-offered (our answer named Tenor's port): the bridge is re-anchored. */
  remoteReoffered(call: EmbeddedCall): void;
}

/** A device that does not answer a re-INVITE in this long is treated as refusing it. */
const REINVITE_WAIT_MS = 8000;
/** How long a move waits for the ACK of a call's own answer (a new INVITE before it is glare to many devices). */
const ACK_WAIT_MS = 5000;

export interface MediaReanchorOptions {
  bridgeId: string;
  a: EmbeddedCall;
  b: EmbeddedCall;
  /** The external relay (config `mediaRelay`), when there is one. */
  relay: MediaPath | undefined;
  log: Logger;
}

export class MediaReanchor implements MediaAnchor {
  readonly #bridgeId: string;
  readonly #a: EmbeddedCall;
  readonly #b: EmbeddedCall;
  readonly #relay: MediaPath | undefined;
  readonly #log: Logger;
  /** The path in use; undefined while the audio flows through Tenor. */
  #path: MediaPath | undefined;
  /** Calls whose device was told to send off Tenor. */
  readonly #away = new Set<EmbeddedCall>();
  /** Bridge-wide features that need the audio (monitors). */
  #needs = 0;
  #ended = false;
  /** A device refused to move: this bridge stays on Tenor from now on. */
  #refused = false;
  #queue: Promise<void> = Promise.resolve();

  constructor(opts: MediaReanchorOptions) {
    this.#bridgeId = opts.bridgeId;
    this.#a = opts.a;
    this.#b = opts.b;
    this.#relay = opts.relay;
    this.#log = opts.log;
  }

  /** 'tenor', 'direct' or the external relay's name: in logs and where bridges are reported. */
  get pathName(): string {
    return this.#path?.name ?? 'tenor';
  }

  /** Moves the audio where it should be now; resolves once the move (if any) is done. Never rejects. */
  settle(): Promise<void> {
    const next = this.#queue.then(() => this.#step());
    this.#queue = next;
    return next;
  }

  async returnToTenor(reason: string): Promise<void> {
    if (this.#path || this.#away.size > 0) this.#log.info({ reason, mediaPath: this.pathName }, 'bridge audio needed on Tenor');
    // Always through the queue: a move off Tenor may be under way (the path is being opened).
    await this.settle();
  }

  mayLeave(): void {
    void this.settle();
  }

  remoteReoffered(call: EmbeddedCall): void {
    if (!this.#away.delete(call)) return;
    call.setMediaAway(false);
    this.#log.info({ callId: call.id }, 'far end re-offered while off Tenor: bringing the bridge back');
    void this.settle();
  }

  /** A bridge-wide need (a monitor): the audio is back on Tenor when it resolves, until release. */
  async need(reason: string): Promise<() => void> {
    this.#needs++;
    let released = false;
    await this.returnToTenor(reason);
    return () => {
      if (released) return;
      released = true;
      this.#needs--;
      if (this.#needs === 0) this.mayLeave();
    };
  }

  /** The bridge ended: both legs (those still up) back to Tenor, the path closed. */
  end(): Promise<void> {
    this.#ended = true;
    return this.settle();
  }

  async #step(): Promise<void> {
    try {
      const want = this.#choose();
      if ((this.#path || this.#away.size > 0) && want !== this.#path) await this.#goBack();
      if (this.#path || !want) return;
      // A bridge is often made the moment a call is answered: its ACK may still be on the way.
      await Promise.all([untilAcked(this.#a), untilAcked(this.#b)]);
      const still = this.#choose();
      if (still) await this.#goOff(still);
    } catch (err) {
      this.#log.error({ err, bridgeId: this.#bridgeId }, 'moving the bridge audio failed; it stays on Tenor');
    }
  }

  /** The path the bridge should take now; undefined: Tenor's relay. */
  #choose(): MediaPath | undefined {
    if (this.#ended || this.#refused || this.#needs > 0) return undefined;
    const a = this.#a;
    const b = this.#b;
    if (!movable(a) || !movable(b)) return undefined;
    // Same codec on both sides: Tenor would transcode otherwise.
    if (a.leg.codec.name !== b.leg.codec.name) return undefined;
    if (directable(a) && directable(b)) return directMediaPath;
    return this.#relay;
  }

  async #goOff(path: MediaPath): Promise<void> {
    const a = this.#a;
    const b = this.#b;
    let route: PathRoute;
    try {
      route = await path.open(this.#bridgeId, pathLeg(a, path), pathLeg(b, path));
    } catch (err) {
      this.#log.warn({ err, mediaPath: path.name }, 'media path could not be opened; the bridge stays on Tenor');
      return;
    }
    if (this.#choose() !== path) {
      // Something needed the audio while the path was being opened.
      await path.close(this.#bridgeId).catch((err: unknown) => this.#log.warn({ err, mediaPath: path.name }, 'closing the media path failed'));
      return;
    }
    // Each device is offered the other's telephone-event payload type: digits then keep their meaning.
    const keepA = kept(a, b);
    const keepB = kept(b, a);
    this.#path = path;
    if (!await this.#move(a, pathOffer(a.sdpOffer(), keepA, route.aSendsTo))) {
      this.#refused = true;
      await this.#goBack();
      return;
    }
    if (!await this.#move(b, pathOffer(b.sdpOffer(), keepB, route.bSendsTo))) {
      this.#refused = true;
      await this.#goBack();
      return;
    }
    this.#log.info({ mediaPath: path.name, with: b.id, aSendsTo: route.aSendsTo, bSendsTo: route.bSendsTo }, 'bridge audio moved off Tenor');
  }

  /** Re-INVITEs one leg off Tenor; true when its device accepted. */
  async #move(call: EmbeddedCall, offer: string): Promise<boolean> {
    if (call.state !== 'answered') return false;
    try {
      await withinTime(call.signaling.reinvite(offer), REINVITE_WAIT_MS);
    } catch (err) {
      call.log.info({ err, mediaPath: this.#path?.name }, 're-INVITE off Tenor refused: the bridge stays on Tenor');
      return false;
    }
    this.#away.add(call);
    call.setMediaAway(true);
    return true;
  }

  /** Every leg sent off Tenor is re-INVITEd back to its own port; then the path is closed. */
  async #goBack(): Promise<void> {
    const path = this.#path;
    for (const call of [this.#a, this.#b]) {
      if (!this.#away.has(call)) continue;
      this.#away.delete(call);
      call.setMediaAway(false);
      if (call.state !== 'answered') continue;
      try {
        const answer = await withinTime(call.signaling.reinvite(pathOffer(call.sdpOffer(), kept(call))), REINVITE_WAIT_MS);
        const remote = parseRemoteAudio(answer);
        if (remote && remote.address !== '0.0.0.0') call.leg.setRemote({ address: remote.address, port: remote.port });
      } catch (err) {
        // Nothing more to do in signalling; its device may still send elsewhere until it re-INVITEs.
        call.log.error({ err, mediaPath: path?.name }, 're-INVITE back to Tenor failed');
      }
    }
    this.#path = undefined;
    if (path) {
      await path.close(this.#bridgeId).catch((err: unknown) => this.#log.warn({ err, mediaPath: path.name }, 'closing the media path failed'));
      this.#log.info({ mediaPath: path.name, with: this.#b.id }, 'bridge audio back on Tenor');
    }
  }
}

/** A call whose audio may leave Tenor at all (direct or through a relay). */
function movable(call: EmbeddedCall): boolean {
  const facts = call.directMedia;
  if (!facts || call.state !== 'answered' || !call.hasMedia) return false;
  // SRTP keys and WebRTC's DTLS end at Tenor; a held leg hears music from Tenor.
  if (facts.remote.secure || facts.remote.webrtc !== undefined) return false;
  return !call.heldByUs && !call.heldByPeer && !call.needsTenorMedia;
}

/** A call that may go straight to the other device: allowed by its trunk or device, not behind NAT. */
function directable(call: EmbeddedCall): boolean {
  const facts = call.directMedia;
  return facts !== undefined && facts.allowed && facts.remote.address === facts.signalledFrom;
}

/** The leg as a path sees it: a relay gets where its packets really come from (latched), direct media the SDP's address. */
function pathLeg(call: EmbeddedCall, path: MediaPath): PathLeg {
  const facts = call.directMedia;
  if (!facts) throw new Error(`call ${call.id} cannot leave Tenor`);
  const sdp: MediaEndpoint = { address: facts.remote.address, port: facts.remote.port };
  const latched = call.leg.session.remote;
  const receivesAt = path === directMediaPath || !latched ? sdp : { address: latched.address, port: latched.port };
  const te = call.leg.telephoneEventPayloadType;
  return {
    callId: call.id, receivesAt, codec: call.leg.codec.name, payloadType: call.leg.codec.payloadType,
    ...(te !== undefined ? { telephoneEventPayloadType: te } : {}),
  };
}

/** The codec a leg keeps, with the telephone-event payload type of the device it will hear (`from`, itself when back on Tenor). */
function kept(call: EmbeddedCall, from: EmbeddedCall = call): KeptAudio {
  const own = call.leg.telephoneEventPayloadType;
  const theirs = from.leg.telephoneEventPayloadType;
  return {
    codec: call.leg.codec.name, pt: call.leg.codec.payloadType,
    ...(own !== undefined && theirs !== undefined ? { telephoneEventPt: theirs } : {}),
  };
}

/** Resolves once the call's answer was ACKed (at once when it was, or when the call is not ours to answer). */
function untilAcked(call: EmbeddedCall): Promise<void> {
  const dialog = call.signaling instanceof SipLeg ? call.signaling.dialog : undefined;
  if (!dialog || !dialog.awaitingAck) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      dialog.off('ack', done);
      dialog.off('ack-timeout', done);
      resolve();
    };
    const timer = setTimeout(done, ACK_WAIT_MS);
    dialog.once('ack', done);
    dialog.once('ack-timeout', done);
  });
}

function withinTime<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    promise.then((v) => {
      clearTimeout(timer);
      resolve(v);
    }, (err: unknown) => {
      clearTimeout(timer);
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}
