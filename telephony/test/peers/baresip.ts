// baresip as a real softphone: headless (a WAV file or a sine as microphone,
// sndfile recording what it hears), listening or registered to a registrar,
// and driven over ctrl_tcp (netstring-framed JSON commands and events).

import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort, freeUdpRange, freeUdpTcpPort, isTcpFree } from './ports.js';

export type BaresipMic =
  | { wav: string }          // aufile: 8 kHz 16-bit mono WAV; baresip hangs up when it ends
  | { sineHz: number };      // ausine: an endless tone

export interface BaresipOptions {
  /** SIP user of the account ("agent"). */
  user: string;
  /** Register to this registrar ("127.0.0.1:5060") with `password`; otherwise just listen. */
  registrar?: string;
  password?: string;
  /** Re-register interval in seconds when registering (60 unless told). */
  registerIntervalS?: number;
  /** Answer incoming calls by itself (true unless told). */
  autoAnswer?: boolean;
  mic?: BaresipMic;
  /** Record both directions with sndfile into this dir (dump-<time>-{enc,dec}.wav). */
  recordDir?: string;
  /** SIP port to listen on; a free one unless told. */
  sipPort?: number;
  /** How long to wait for baresip's control port. 8 s unless told. */
  startTimeoutMs?: number;
  /** Register (and call) over TLS, trusting this CA or self-signed certificate (PEM file). */
  tls?: { caFile: string };
  /** Media encryption: 'srtp-mand' (SDES, RTP/SAVP, and nothing else) with the srtp module. */
  mediaenc?: 'srtp-mand' | 'srtp';
}

/** An event from ctrl_tcp, e.g. { class: 'call', type: 'CALL_ESTABLISHED', param: '...' }. */
export interface BaresipEvent {
  type: string;
  class?: string;
  param?: string;
  accountaor?: string;
  direction?: string;
  peeruri?: string;
  id?: string;
  [key: string]: unknown;
}

export interface BaresipResponse {
  ok: boolean;
  data: string;
}

interface BaresipEvents {
  event: [event: BaresipEvent];
}

/** Encode one ctrl_tcp frame: `LEN:JSON,`. */
export function netstring(json: string): Buffer {
  const body = Buffer.from(json, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]);
}

/** Split a buffer into complete netstrings; returns them and the unconsumed rest. */
export function parseNetstrings(buf: Buffer): { frames: string[]; rest: Buffer } {
  const frames: string[] = [];
  let off = 0;
  for (;;) {
    const colon = buf.indexOf(0x3a, off);
    if (colon < 0) break;
    const len = Number(buf.subarray(off, colon).toString('ascii'));
    if (!Number.isInteger(len) || len < 0) throw new Error('bad netstring length');
    const end = colon + 1 + len;
    if (buf.length < end + 1) break;
    if (buf[end] !== 0x2c) throw new Error('netstring without trailing comma');
    frames.push(buf.subarray(colon + 1, end).toString('utf8'));
    off = end + 1;
  }
  return { frames, rest: buf.subarray(off) };
}

export class Baresip extends EventEmitter<BaresipEvents> {
  /** Every event received so far, in order (waitForEvent looks here first, so none is missed). */
  readonly events: BaresipEvent[] = [];
  readonly sipPort: number;
  readonly rtpPorts: { from: number; to: number };
  readonly recordDir: string | undefined;
  readonly configDir: string;
  /** The address other peers dial to reach this phone when it listens. */
  readonly uri: string;
  private readonly child: ChildProcess;
  private readonly ctrl: Socket;
  private readonly pending = new Map<string, (r: BaresipResponse) => void>();
  private nextToken = 1;
  private readonly output: () => string;
  private readonly exited: Promise<void>;

  private constructor(init: {
    child: ChildProcess; ctrl: Socket; sipPort: number; rtpPorts: { from: number; to: number };
    recordDir: string | undefined; configDir: string; user: string; output: () => string;
    exited: Promise<void>;
  }) {
    super();
    this.child = init.child;
    this.ctrl = init.ctrl;
    this.sipPort = init.sipPort;
    this.rtpPorts = init.rtpPorts;
    this.recordDir = init.recordDir;
    this.configDir = init.configDir;
    this.uri = `sip:${init.user}@127.0.0.1:${init.sipPort}`;
    this.exited = init.exited;
    let buf: Buffer<ArrayBufferLike> = Buffer.alloc(0);
    this.ctrl.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const { frames, rest } = parseNetstrings(buf);
      buf = rest;
      for (const f of frames) this.onFrame(f);
    });
    // a closed control socket is expected at quit; errors there are not test failures
    this.ctrl.on('error', () => undefined);
    this.output = init.output;
  }

  /**
   * Start baresip with a generated config dir and connect to its control port.
   * baresip also listens for SIP over TLS on the SIP port + 1, which no config
   * turns off: a free pair is picked, and a start that loses the race for one
   * of its ports to another program (baresip exits: "Address already in use")
   * is tried again on new ports.
   */
  static async start(opts: BaresipOptions): Promise<Baresip> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await Baresip.startOnce(opts);
      } catch (err) {
        const raced = err instanceof Error && err.message.includes('Address already in use');
        if (!raced || opts.sipPort !== undefined || attempt === 3) throw err;
      }
    }
  }

  private static async startOnce(opts: BaresipOptions): Promise<Baresip> {
    const configDir = await mkdtemp(join(tmpdir(), 'tenor-baresip-'));
    const sipPort = opts.sipPort ?? (await freeSipPortPair());
    const ctrlPort = await freeTcpPort();
    const rtpPorts = await freeUdpRange(20);
    if (opts.recordDir) await mkdir(opts.recordDir, { recursive: true });
    await writeFile(join(configDir, 'config'), baresipConfig({ sipPort, ctrlPort, rtpPorts, ...opts }));
    await writeFile(join(configDir, 'accounts'), `${accountLine(sipPort, opts)}\n`);
    await writeFile(join(configDir, 'contacts'), '');

    const child = spawn('baresip', ['-f', configDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-20000); });
    child.stderr?.on('data', (d: Buffer) => { output = (output + d.toString()).slice(-20000); });
    let dead = false;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => { dead = true; resolve(); });
      child.once('error', (err) => { output += `spawn error: ${err.message}`; dead = true; resolve(); });
    });

    const deadline = Date.now() + (opts.startTimeoutMs ?? 8000);
    let ctrl: Socket | undefined;
    while (!ctrl) {
      if (dead) {
        await rm(configDir, { recursive: true, force: true });
        throw new Error(`baresip exited at start: ${output}`);
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        await exited;
        await rm(configDir, { recursive: true, force: true });
        throw new Error(`baresip control port not up: ${output}`);
      }
      ctrl = await tryConnect(ctrlPort);
      if (!ctrl) await new Promise((r) => setTimeout(r, 50));
    }
    return new Baresip({
      child, ctrl, sipPort, rtpPorts, recordDir: opts.recordDir, configDir, user: opts.user,
      output: () => output, exited,
    });
  }

  private onFrame(frame: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(frame) as Record<string, unknown>;
    } catch {
      return; // not JSON: nothing a test could use
    }
    if (msg['response'] === true && typeof msg['token'] === 'string') {
      const resolve = this.pending.get(msg['token']);
      this.pending.delete(msg['token']);
      resolve?.({ ok: msg['ok'] === true, data: typeof msg['data'] === 'string' ? msg['data'] : '' });
      return;
    }
    if (msg['event'] === true && typeof msg['type'] === 'string') {
      const ev = msg as BaresipEvent;
      this.events.push(ev);
      this.emit('event', ev);
    }
  }

  /** Send a ctrl_tcp command and wait for its response. */
  command(command: string, params?: string, timeoutMs = 5000): Promise<BaresipResponse> {
    const token = `t${this.nextToken++}`;
    const json = JSON.stringify(params === undefined ? { command, token } : { command, params, token });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`baresip: no response to ${command} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.ctrl.write(netstring(json));
    });
  }

  dial(uri: string): Promise<BaresipResponse> { return this.command('dial', uri); }
  accept(): Promise<BaresipResponse> { return this.command('accept'); }
  hangup(): Promise<BaresipResponse> { return this.command('hangup'); }
  /** Send digits as RFC 2833/4733 events on the current call. */
  sendDigits(digits: string): Promise<BaresipResponse> { return this.command('sndcode', digits); }

  /** Index to pass as `from` to waitForEvent, so only later events count. */
  mark(): number { return this.events.length; }

  /** The first event of `type` at or after index `from` (0: any so far) that matches. */
  waitForEvent(
    type: string,
    opts: { timeoutMs?: number; from?: number; match?: (e: BaresipEvent) => boolean } = {},
  ): Promise<BaresipEvent> {
    const ok = (e: BaresipEvent): boolean => e.type === type && (opts.match?.(e) ?? true);
    const found = this.events.slice(opts.from ?? 0).find(ok);
    if (found) return Promise.resolve(found);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const onEvent = (e: BaresipEvent): void => {
        if (!ok(e)) return;
        clearTimeout(timer);
        this.off('event', onEvent);
        resolve(e);
      };
      const timer = setTimeout(() => {
        this.off('event', onEvent);
        reject(new Error(`baresip: no ${type} in ${timeoutMs} ms; saw ${this.events.map((e) => e.type).join(',')}`));
      }, timeoutMs);
      this.on('event', onEvent);
    });
  }

  /**
   * Registration state from `reginfo`. Events alone race: baresip registers as
   * it starts, possibly before our control connection is up.
   */
  async registrationState(): Promise<'ok' | 'failed' | 'pending'> {
    // strip ANSI colours before reading the status column
    const text = (await this.command('reginfo')).data.replace(/\x1b\[[0-9;]*m/g, '');
    if (/\sOK\s/.test(text)) return 'ok';
    if (/\sERR\s/.test(text)) return 'failed';
    return 'pending';
  }

  /** Resolve 'ok' or 'failed' once the registration settles (REGISTER_OK/FAIL or reginfo). */
  async waitForRegistration(timeoutMs = 10_000): Promise<'ok' | 'failed'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.events.some((e) => e.type === 'REGISTER_OK')) return 'ok';
      if (this.events.some((e) => e.type === 'REGISTER_FAIL')) return 'failed';
      const state = await this.registrationState();
      if (state !== 'pending') return state;
      if (Date.now() > deadline) throw new Error(`baresip: registration still pending after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Digits received as CALL_DTMF_START events, in order. */
  receivedDigits(): string {
    return this.events.filter((e) => e.type === 'CALL_DTMF_START').map((e) => e.param ?? '').join('');
  }

  /** Recorded WAV files (full paths) in recordDir. */
  async recordings(): Promise<string[]> {
    if (!this.recordDir) return [];
    const dir = this.recordDir;
    return (await readdir(dir)).filter((f) => f.endsWith('.wav')).sort().map((f) => join(dir, f));
  }

  /** Console output of baresip (for assertion messages). */
  log(): string { return this.output(); }

  /** Quit cleanly (ctrl `quit`), then SIGTERM/SIGKILL if it lingers; removes the config dir. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await this.command('quit', undefined, 1000).catch(() => undefined);
      const term = setTimeout(() => this.child.kill('SIGTERM'), graceMs);
      const kill = setTimeout(() => this.child.kill('SIGKILL'), graceMs * 2);
      await this.exited;
      clearTimeout(term);
      clearTimeout(kill);
    }
    this.ctrl.destroy();
    for (const resolve of this.pending.values()) resolve({ ok: false, data: 'stopped' });
    this.pending.clear();
    await rm(this.configDir, { recursive: true, force: true });
  }
}

/** A SIP port free on UDP and TCP whose next port (baresip's TLS listener) is free on TCP too. */
async function freeSipPortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freeUdpTcpPort();
    if (port < 65535 && (await isTcpFree(port + 1))) return port;
  }
  throw new Error('no SIP port free with its TLS neighbour');
}

function tryConnect(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', () => {
      sock.destroy();
      resolve(undefined);
    });
  });
}

function baresipConfig(o: BaresipOptions & {
  sipPort: number; ctrlPort: number; rtpPorts: { from: number; to: number };
}): string {
  const mic = o.mic ?? { sineHz: 440 };
  const source = 'wav' in mic ? `aufile,${mic.wav}` : `ausine,${mic.sineHz}`;
  const lines = [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${o.sipPort}`,
    'net_interface 127.0.0.1',
    `rtp_ports ${o.rtpPorts.from}-${o.rtpPorts.to}`,
    'rtp_timeout 0',
    'module_path /usr/lib/baresip/modules',
    'module g711.so',
    ...(o.mediaenc ? ['module srtp.so'] : []),
    ...(o.tls ? [`sip_cafile ${o.tls.caFile}`] : []),
    'wav' in mic ? 'module aufile.so' : 'module ausine.so',
    ...(o.recordDir ? ['module sndfile.so', `snd_path ${o.recordDir}`] : []),
    'module_app account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${o.ctrlPort}`,
    `audio_source ${source}`,
    // ausine only makes 48 kHz stereo; baresip resamples to the 8 kHz mono codec
    ...('wav' in mic ? [] : ['ausrc_srate 48000', 'ausrc_channels 2']),
    'audio_player aufile,/dev/null',
    'audio_alert aufile,/dev/null',
    'sip_trans_def udp',
  ];
  return `${lines.join('\n')}\n`;
}

function accountLine(sipPort: number, o: BaresipOptions): string {
  const answer = (o.autoAnswer ?? true) ? 'answermode=auto' : 'answermode=manual';
  const codecs = `audio_codecs=PCMU/8000/1,PCMA/8000/1${o.mediaenc ? `;mediaenc=${o.mediaenc}` : ''}`;
  if (o.registrar) {
    const pass = o.password ? `;auth_pass=${o.password}` : '';
    const transport = o.tls ? ';transport=tls' : '';
    return `<sip:${o.user}@${o.registrar}${transport}>${pass}`
      + `;regint=${o.registerIntervalS ?? 60};${answer};${codecs}`;
  }
  return `<sip:${o.user}@127.0.0.1:${sipPort};transport=udp>;regint=0;${answer};${codecs}`;
}
