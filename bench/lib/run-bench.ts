// Runs a benchmark as a person runs it (bench/run.sh NAME ARGS), for the
// suite's short versions of the benchmarks: its output and exit code, the whole
// process group ended (SIPp, the server, an engine) when it overstays.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../run.sh', import.meta.url));

export interface BenchRun {
  code: number | null;
  /** stdout and stderr together, with a line saying so when the run was killed. */
  out: string;
}

export function runBench(args: string[], timeoutMs: number): Promise<BenchRun> {
  return new Promise((resolve, reject) => {
    // A process group of its own, so a run that overstays is ended whole.
    const child = spawn('bash', [RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    const timer = setTimeout(() => {
      out += `\nkilled after ${timeoutMs} ms`;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}
