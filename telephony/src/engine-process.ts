// What the runners of FreeSWITCH and drachtio-server share about the process
// they start: waiting for it to exit, and stopping it by its PID (SIGTERM, then
// SIGKILL if it has not gone within 5 s).
import type { ChildProcess } from 'node:child_process';

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A stop function for the child: harmless to call twice or after it died. */
export function stopperOf(child: ChildProcess, pid: number): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = exited(child);
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => { if (child.exitCode === null) process.kill(pid, 'SIGKILL'); }, 5000);
    await gone;
    clearTimeout(timer);
  };
}
