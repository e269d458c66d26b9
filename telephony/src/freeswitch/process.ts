// Starts a FreeSWITCH for a test or a site: writes its configuration into a
// folder of its own (conf/, log/, db/, run/, ...), runs the binary in the
// foreground without a console (-nc -nf) and without NAT lookups, waits until
// the event socket accepts the password and the SIP profile runs, and stops it
// by its PID.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_MODULES, freeswitchXml, withXmlCurl, type FsGateway } from './config-xml.js';
import { EslConnection, type EslEndpoint } from './esl-connection.js';
import { stopperOf } from '../engine-process.js';
import { freeControlPort, freeSipPort, randomRtpRange } from '../free-ports.js';

export interface StartFreeSwitchOptions {
  /** Install prefix of the build (holds bin/freeswitch and lib/); printed by scripts/build-freeswitch.sh. */
  prefix: string;
  /** A folder for this instance's configuration, logs, databases and recordings. */
  folder: string;
  /** Where FreeSWITCH listens. Default 127.0.0.1. */
  address?: string;
  /** The address written into SIP and SDP (ext-sip-ip, ext-rtp-ip). Default: `address`. */
  publicAddress?: string;
  /** Where the event socket listens. Default: `address` (a site's Tenor passes 127.0.0.1: it runs on the same host). */
  eventSocketAddress?: string;
  /** SIP port; default: a free one. */
  sipPort?: number;
  rtpPorts?: { min: number; max: number };
  /** Default 60000, as the embedded engine. */
  mediaTimeoutMs?: number;
  modules?: readonly string[];
  gateways?: readonly FsGateway[];
  /** The sofia profile (and dialplan context). Default 'tenor'. */
  profile?: string;
  /**
   * Tenor's directory (startFreeSwitchXmlServer's `binding`): loads mod_xml_curl,
   * phones register in `domain` with Tenor's secrets, INVITEs not from a trunk's
   * address are challenged, and the gateways are Tenor's trunks.
   */
  xmlCurl?: { url: string; username: string; password: string };
  /** Tenor's SIP domain and digest realm; required with `xmlCurl`. */
  domain?: string;
  /**
   * A WebSocket binding (RFC 7118) on 127.0.0.1 and a free port for browser
   * phones, reached only through Tenor's /sip relay (FreeSwitchDriver's
   * `webSocket`). Default false.
   */
  webSocket?: boolean;
  /** How long to wait for the event socket and the profile. Default 30 s. */
  readyTimeoutMs?: number;
  logger?: Logger;
}

export interface RunningFreeSwitch {
  readonly pid: number;
  readonly eventSocket: EslEndpoint;
  readonly address: string;
  readonly sipPort: number;
  readonly profile: string;
  /** The domain phones register in (Tenor's realm), when Tenor serves the directory. */
  readonly domain: string | undefined;
  readonly mediaTimeoutMs: number;
  /** Milliseconds from spawn until the event socket and the profile were ready. */
  readonly startMs: number;
  readonly logFile: string;
  /** The WebSocket binding's URL (ws://127.0.0.1:<port>), with `webSocket`. */
  readonly webSocketUrl: string | undefined;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
}


async function tail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-15).join('\n');
}

async function profileRunning(endpoint: EslEndpoint, profile: string): Promise<boolean> {
  const esl = await EslConnection.connect(endpoint, ['HEARTBEAT'], 1000).catch(() => undefined);
  if (!esl) return false;
  try {
    // One line per profile: "tenor  profile  sip:mod_sofia@127.0.0.1:5060  RUNNING (0)".
    const status = await esl.api('sofia status');
    return status.text.split('\n').some((line) => line.trim().startsWith(profile) && /\bprofile\b.*RUNNING/.test(line));
  } finally {
    esl.close();
  }
}

export async function startFreeSwitch(opts: StartFreeSwitchOptions): Promise<RunningFreeSwitch> {
  const address = opts.address ?? '127.0.0.1';
  const profile = opts.profile ?? 'tenor';
  const mediaTimeoutMs = opts.mediaTimeoutMs ?? 60_000;
  const dirs = Object.fromEntries(
    ['conf', 'log', 'db', 'run', 'temp', 'storage', 'cache', 'recordings', 'sounds', 'certs'].map((d) => [d, join(opts.folder, d)]),
  ) as Record<'conf' | 'log' | 'db' | 'run' | 'temp' | 'storage' | 'cache' | 'recordings' | 'sounds' | 'certs', string>;
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  const eslAddress = opts.eventSocketAddress ?? address;
  const eventSocket: EslEndpoint = {
    host: eslAddress, port: await freeControlPort(eslAddress), password: randomBytes(12).toString('hex'),
  };
  const sipPort = opts.sipPort ?? await freeSipPort(address);
  const webSocketPort = opts.webSocket === true ? await freeControlPort('127.0.0.1') : undefined;
  const logFile = join(dirs.log, 'freeswitch.log');
  if (opts.xmlCurl && opts.domain === undefined) throw new Error('startFreeSwitch: xmlCurl needs the domain phones register in');
  const directory = opts.xmlCurl && opts.domain !== undefined ? { xmlCurl: opts.xmlCurl, domain: opts.domain } : undefined;
  const modules = opts.modules ?? DEFAULT_MODULES;
  await writeFile(join(dirs.conf, 'freeswitch.xml'), freeswitchXml({
    address, publicAddress: opts.publicAddress ?? address, sipPort, rtpPorts: opts.rtpPorts ?? randomRtpRange(),
    eventSocket: { address: eslAddress, port: eventSocket.port, password: eventSocket.password }, profile,
    modules: directory ? withXmlCurl(modules) : modules, mediaTimeoutMs, logFile, gateways: opts.gateways ?? [],
    ...(directory ? { directory } : {}),
    ...(webSocketPort !== undefined ? { webSocket: { port: webSocketPort } } : {}),
  }));

  const started = Date.now();
  const child = spawn(join(opts.prefix, 'bin', 'freeswitch'), [
    '-nonat', '-nonatmap', '-nc', '-nf',
    '-conf', dirs.conf, '-log', dirs.log, '-db', dirs.db, '-run', dirs.run, '-temp', dirs.temp,
    '-storage', dirs.storage, '-cache', dirs.cache, '-recordings', dirs.recordings, '-sounds', dirs.sounds,
    // The DTLS-SRTP certificate FreeSWITCH makes at its first start stays with this instance, not in the build's prefix.
    '-certs', dirs.certs,
  ], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LD_LIBRARY_PATH: join(opts.prefix, 'lib') },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-4000); });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${join(opts.prefix, 'bin', 'freeswitch')}`);

  const stop = stopperOf(child, pid);

  const deadline = started + (opts.readyTimeoutMs ?? 30_000);
  while (!(await profileRunning(eventSocket, profile))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`FreeSWITCH did not become ready (exit ${child.exitCode ?? 'none'}): ${stderr}\n${await tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const startMs = Date.now() - started;
  opts.logger?.info({ pid, sipPort, eventSocketPort: eventSocket.port, startMs }, 'FreeSWITCH ready');
  const webSocketUrl = webSocketPort !== undefined ? `ws://127.0.0.1:${webSocketPort}` : undefined;
  return { pid, eventSocket, address, sipPort, profile, domain: directory?.domain, mediaTimeoutMs, startMs, logFile, webSocketUrl, stop };
}
