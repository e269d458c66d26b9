// Start the benchmark server (server.ts) in a child process and sample it.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findEngineBuild } from '../../telephony/test/engine-build.js';
import type { BenchEngine, ServerOptions, ServerReply, ServerSample } from './protocol.js';

export interface BenchServer {
  engine: BenchEngine;
  sipPort: number;
  address: string;
  /** Milliseconds the engine took to start (FreeSWITCH: spawn until its event socket and profile were ready). */
  engineStartMs: number;
  /** The engine's own process (FreeSWITCH), e.g. for a profiler. */
  enginePid: number | undefined;
  /** The server's process (Tenor), parent of the engine's: its process tree is the whole server side. */
  pid: number;
  sample(): Promise<ServerSample>;
  stop(): Promise<void>;
}

/** The options the server needs for its engine: FreeSWITCH's build prefix is found (or built) here, once per server, unless given. */
async function engineOptions(engine: BenchEngine, freeswitchPrefix: string | undefined): Promise<Pick<ServerOptions, 'engine' | 'freeswitchPrefix'>> {
  if (engine === 'embedded') return { engine };
  if (freeswitchPrefix !== undefined) return { engine, freeswitchPrefix };
  const build = await findEngineBuild('freeswitch');
  if ('missing' in build) throw new Error(`engine freeswitch: ${build.missing} (scripts/build-freeswitch.sh builds it from ../shared/vendor/)`);
  return { engine, freeswitchPrefix: build.prefix };
}

/** `freeswitchPrefix`: another FreeSWITCH build than the suite's (bench/compare's -O2 build). */
export async function spawnServer(opts: ServerOptions): Promise<BenchServer> {
  const full: ServerOptions = { ...opts, ...(await engineOptions(opts.engine, opts.freeswitchPrefix)) };
  const script = fileURLToPath(new URL('./server.ts', import.meta.url));
  const child: ChildProcess = fork(script, [JSON.stringify(full)], {
    // BENCH_SERVER_NODE_ARGS: extra node flags for the server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    execArgv: ['--import=tsx', ...(process.env['BENCH_SERVER_NODE_ARGS']?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (kind: ServerReply['kind'], timeoutMs = 20_000): Promise<ServerReply> => new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', on);
      child.off('exit', onExit);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`server: no ${kind} in ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: unknown): void => {
      const msg = m as ServerReply;
      if (msg.kind === 'failed') {
        done();
        reject(new Error(`server (${opts.engine}) did not start: ${msg.error}`));
        return;
      }
      if (msg.kind !== kind) return;
      done();
      resolve(msg);
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`server (${opts.engine}) exited (${code ?? 'signal'}) before its ${kind}`));
    };
    child.on('message', on);
    child.once('exit', onExit);
  });
  // FreeSWITCH may take its whole 30 s ready timeout on a loaded machine.
  const ready = await next('ready', 60_000);
  if (ready.kind !== 'ready') throw new Error('unexpected reply');
  return {
    engine: opts.engine,
    sipPort: ready.sipPort,
    address: `127.0.0.1:${ready.sipPort}`,
    engineStartMs: ready.engineStartMs,
    enginePid: ready.enginePid,
    pid: child.pid ?? NaN,
    async sample(): Promise<ServerSample> {
      const p = next('sample');
      child.send({ cmd: 'sample' });
      return (await p) as ServerSample;
    },
    async stop(): Promise<void> {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ cmd: 'stop' });
      // FreeSWITCH's own stop waits up to 5 s before its SIGKILL.
      const kill = setTimeout(() => {
        child.kill('SIGKILL');
        // A server killed this way cannot stop its FreeSWITCH: do it here, by the PID it reported.
        if (ready.enginePid !== undefined) {
          try {
            process.kill(ready.enginePid, 'SIGKILL');
          } catch (err) {
            console.error(`engine process ${ready.enginePid} already gone: ${String(err)}`);
          }
        }
      }, 20_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

export interface CpuBetween {
  /** The Tenor process. */
  tenorUs: number;
  /** The engine's own process (FreeSWITCH); 0 for the embedded engine. */
  engineUs: number;
  /** Both: what the calls cost the machine's server side. */
  totalUs: number;
}

/** Server CPU time between two samples, in µs, Tenor's and the engine process's. */
export function cpuBetween(a: ServerSample, b: ServerSample): CpuBetween {
  const tenorUs = (b.cpuUserUs - a.cpuUserUs) + (b.cpuSystemUs - a.cpuSystemUs);
  const engineUs = b.engineCpuUs - a.engineCpuUs;
  return { tenorUs, engineUs, totalUs: tenorUs + engineUs };
}
