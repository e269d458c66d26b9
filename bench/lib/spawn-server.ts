// Start the benchmark server (server.ts) in a child process and sample it.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerOptions, ServerReply, ServerSample } from './protocol.js';

export interface BenchServer {
  sipPort: number;
  address: string;
  sample(): Promise<ServerSample>;
  stop(): Promise<void>;
}

export async function spawnServer(opts: ServerOptions): Promise<BenchServer> {
  const script = fileURLToPath(new URL('./server.ts', import.meta.url));
  const child: ChildProcess = fork(script, [JSON.stringify(opts)], {
    // BENCH_SERVER_NODE_ARGS: extra node flags for the server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    execArgv: ['--import=@tapjs/typescript/import', ...(process.env['BENCH_SERVER_NODE_ARGS']?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (kind: ServerReply['kind'], timeoutMs = 20_000): Promise<ServerReply> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', on);
      reject(new Error(`server: no ${kind} in ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: unknown): void => {
      const msg = m as ServerReply;
      if (msg.kind !== kind) return;
      clearTimeout(timer);
      child.off('message', on);
      resolve(msg);
    };
    child.on('message', on);
  });
  const ready = await next('ready');
  if (ready.kind !== 'ready') throw new Error('unexpected reply');
  return {
    sipPort: ready.sipPort,
    address: `127.0.0.1:${ready.sipPort}`,
    async sample(): Promise<ServerSample> {
      const p = next('sample');
      child.send({ cmd: 'sample' });
      return (await p) as ServerSample;
    },
    async stop(): Promise<void> {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ cmd: 'stop' });
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

/** Server CPU time between two samples, in µs. */
export function cpuBetween(a: ServerSample, b: ServerSample): number {
  return (b.cpuUserUs - a.cpuUserUs) + (b.cpuSystemUs - a.cpuSystemUs);
}
