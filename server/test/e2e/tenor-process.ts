// `tenor start` as a real process on free ports, loopback only, a new data
// folder; killed at the end of the test if it is still running.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { freeTcpPort, freeUdpRange, freeUdpTcpPort } from '../../../telephony/test/peers/index.js';
import { tempDir } from '../helpers.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface TenorProcess {
  child: ChildProcess;
  httpPort: number;
  /** host:port of its SIP port */
  sip: string;
  rtp: { from: number; to: number };
  /** Resolves with the exit code and the time it exited. */
  exited: Promise<{ code: number | null; at: number }>;
}

/** `t` is a tap test, or anything that runs teardowns (the bench passes its own). */
export async function startTenorProcess(t: Pick<Test, 'teardown'>, opts: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<TenorProcess> {
  const httpPort = await freeTcpPort();
  const sipPort = await freeUdpTcpPort();
  const rtp = await freeUdpRange(40, { belowEphemeral: true });
  const child = spawn(process.execPath, [cli, 'start', ...(opts.args ?? [])], {
    env: {
      ...process.env,
      TENOR_HTTP_PORT: String(httpPort),
      TENOR_SIP_PORT: String(sipPort),
      TENOR_BIND: '127.0.0.1',
      TENOR_RTP_PORT_MIN: String(rtp.from),
      TENOR_RTP_PORT_MAX: String(rtp.to),
      TENOR_DATA_DIR: tempDir(t),
      TENOR_LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: Date.now() })));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  // The banner is printed once everything listens; with --demo its last line is the demo one.
  // A start with --demo took 27 s on the 2-core machine under five engineers' load, over 60 s at a load of 23: allow 90.
  const last = opts.args?.includes('--demo') ? 'Demo:' : 'Data:';
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start banner: ${out}`)), 90_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(last)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { child, httpPort, sip: `127.0.0.1:${sipPort}`, rtp, exited };
}
