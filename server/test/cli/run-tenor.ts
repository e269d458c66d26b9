// Runs the built `tenor` command as a real process and collects what it
// printed. The CLI loads the whole server, which is slow on a busy machine:
// the default bound is generous.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const tenorCli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface TenorRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runTenor(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<TenorRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tenorCli, ...args], { env: { ...process.env, TENOR_LOG_LEVEL: 'warn', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tenor ${args.join(' ')} did not exit: ${stdout} ${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
