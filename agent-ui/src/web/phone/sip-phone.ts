// The browser phone: a JsSIP user agent registered over SIP-over-WebSocket (RFC 7118) on
// Tenor's HTTP port. The WebSocket is opened with the session cookie, so the server knows
// who registers (no SIP password in the page). It reconnects by itself (JsSIP's recovery)
// and registers again when the browser says the network is back (`online`).
import { C, UA, WebSocketInterface } from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import type { RTCSessionEvent } from 'jssip/lib/UA.js';
import { microphoneConstraints } from './devices.js';

/** Why the phone is not ready: the words the panel translates. */
export type NotReadyReason = 'connecting' | 'disconnected' | 'registration-failed' | 'stopped';

export type PhoneLine =
  | { ready: true }
  | { ready: false; reason: NotReadyReason; detail: string };

export type CallPhase = 'ringing' | 'calling' | 'connected';

export interface PhoneCall {
  phase: CallPhase;
  direction: 'incoming' | 'outgoing';
  /** The far end as the INVITE names it (caller ID display name, else its user part). */
  remote: string;
  held: boolean;
  muted: boolean;
}

export interface PhoneView {
  line: PhoneLine;
  call: PhoneCall | null;
}

export interface SipPhoneOptions {
  uri: string;
  webSocketUrl: string;
  /** The chosen microphone ('' = default), read at each call. */
  input: () => string;
  /** Where the far end's audio plays. */
  remoteAudio: HTMLAudioElement;
  onChange: (view: PhoneView) => void;
  /** A call arrived (ringing): the panel rings or answers it. */
  onIncoming: () => void;
  /** The call ended, with JsSIP's cause (e.g. "Terminated", "Canceled"). */
  onEnded: (cause: string) => void;
  /** The call's peer connection is up: the quality indicator reads its statistics. */
  onMedia: (pc: RTCPeerConnection) => void;
}

export class SipPhone {
  readonly #o: SipPhoneOptions;
  readonly #ua: UA;
  #line: PhoneLine = { ready: false, reason: 'connecting', detail: '' };
  #session: RTCSession | undefined;
  #call: PhoneCall | null = null;
  readonly #onOnline = (): void => this.#registerAgain();

  constructor(opts: SipPhoneOptions) {
    this.#o = opts;
    this.#ua = new UA({
      sockets: [new WebSocketInterface(opts.webSocketUrl)],
      uri: opts.uri,
      register: true,
      // Short registrations: a lost line is noticed on both sides within a minute even without a clean close.
      register_expires: 120,
      // Reconnect quickly after a network cut (JsSIP backs off from 2 s up to 30 s).
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 30,
      session_timers: false,
      user_agent: 'Tenor desktop phone',
    });
    this.#ua.on('connecting', () => this.#setLine({ ready: false, reason: 'connecting', detail: '' }));
    this.#ua.on('disconnected', (e) => this.#setLine({ ready: false, reason: 'disconnected', detail: e.reason ?? '' }));
    this.#ua.on('registered', () => this.#setLine({ ready: true }));
    this.#ua.on('unregistered', () => this.#setLine({ ready: false, reason: 'disconnected', detail: '' }));
    this.#ua.on('registrationFailed', (e) => this.#setLine({ ready: false, reason: 'registration-failed', detail: e.cause ?? '' }));
    this.#ua.on('newRTCSession', (e: RTCSessionEvent) => {
      if (e.originator === 'remote') this.#incoming(e.session);
    });
    addEventListener('online', this.#onOnline);
    this.#ua.start();
  }

  get view(): PhoneView {
    return { line: this.#line, call: this.#call };
  }

  answer(): void {
    const session = this.#session;
    if (session === undefined || this.#call?.phase !== 'ringing') return;
    session.answer({ mediaConstraints: microphoneConstraints(this.#o.input()), pcConfig: { iceServers: [] } });
  }

  /** Place a call (e.g. to an entry number: an IVR, a colleague). */
  dial(target: string): void {
    if (this.#session !== undefined) return;
    const session = this.#ua.call(target, { mediaConstraints: microphoneConstraints(this.#o.input()), pcConfig: { iceServers: [] } });
    this.#follow(session, 'outgoing', target.replace(/^sip:/, '').replace(/@.*$/, ''), 'calling');
  }

  hangUp(): void {
    const session = this.#session;
    if (session !== undefined && !session.isEnded()) session.terminate();
  }

  setHeld(held: boolean): void {
    const session = this.#session;
    if (session === undefined || this.#call?.phase !== 'connected') return;
    if (held) session.hold();
    else session.unhold();
  }

  setMuted(muted: boolean): void {
    const session = this.#session;
    if (session === undefined) return;
    if (muted) session.mute({ audio: true });
    else session.unmute({ audio: true });
  }

  /** A key pressed on the keypad, sent as RFC 4733 telephone-events in the media (not SIP INFO). */
  sendDigit(digit: string): void {
    const session = this.#session;
    if (session === undefined || this.#call?.phase !== 'connected') return;
    session.sendDTMF(digit, { transportType: C.DTMF_TRANSPORT.RFC2833, duration: 160, interToneGap: 80 });
  }

  stop(): void {
    removeEventListener('online', this.#onOnline);
    this.hangUp();
    this.#ua.stop();
    this.#setLine({ ready: false, reason: 'stopped', detail: '' });
  }

  /** The network came back: reconnect at once rather than at JsSIP's next back-off, and register. */
  #registerAgain(): void {
    if (!this.#ua.isConnected()) {
      // JsSIP's recovery timer reconnects; a stop and start makes it try now.
      this.#ua.stop();
      this.#ua.start();
      return;
    }
    this.#ua.register();
  }

  #incoming(session: RTCSession): void {
    if (this.#session !== undefined) {
      // One call at a time: the ACD offers an agent one contact; anything else is busy.
      session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
      return;
    }
    const identity = session.remote_identity;
    this.#follow(session, 'incoming', identity.display_name || identity.uri.user, 'ringing');
    this.#o.onIncoming();
  }

  #follow(session: RTCSession, direction: 'incoming' | 'outgoing', remote: string, phase: CallPhase): void {
    this.#session = session;
    this.#call = { phase, direction, remote, held: false, muted: false };
    const update = (change: Partial<PhoneCall>): void => {
      if (this.#session !== session || this.#call === null) return;
      this.#call = { ...this.#call, ...change };
      this.#changed();
    };
    session.on('peerconnection', (e) => this.#attach(e.peerconnection));
    if (session.connection) this.#attach(session.connection);
    session.on('confirmed', () => update({ phase: 'connected' }));
    session.on('hold', () => update({ held: true }));
    session.on('unhold', () => update({ held: false }));
    session.on('muted', () => update({ muted: true }));
    session.on('unmuted', () => update({ muted: false }));
    const ended = (cause: string): void => {
      if (this.#session !== session) return;
      this.#session = undefined;
      this.#call = null;
      this.#o.remoteAudio.srcObject = null;
      this.#changed();
      this.#o.onEnded(cause);
    };
    session.on('ended', (e) => ended(e.cause));
    session.on('failed', (e) => ended(e.cause));
    this.#changed();
  }

  #attach(pc: RTCPeerConnection): void {
    pc.addEventListener('track', (e) => {
      const [stream] = e.streams;
      this.#o.remoteAudio.srcObject = stream ?? new MediaStream([e.track]);
      this.#o.remoteAudio.play().catch((err: unknown) => console.debug('tenor: playing the far end failed', err));
    });
    this.#o.onMedia(pc);
  }

  #setLine(line: PhoneLine): void {
    this.#line = line;
    this.#changed();
  }

  #changed(): void {
    this.#o.onChange(this.view);
  }
}
