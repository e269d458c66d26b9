// Whether Debian's rtpengine daemon is installed (scripts/ensure-test-tools.sh
// installs it): the rtpengine tests need the real daemon, and must run in CI.
import { execFileSync } from 'node:child_process';

interface TapLike {
  fail(message: string): void;
  comment(message: string): void;
}

export function rtpengineInstalled(): boolean {
  try {
    execFileSync('rtpengine', ['--version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** True when the daemon can be started; otherwise fails the test in CI, or says why it skips. */
export async function rtpengineOrSkip(t: TapLike): Promise<boolean> {
  if (rtpengineInstalled()) return true;
  const reason = 'rtpengine is not installed (apt-get install rtpengine-daemon)';
  if (process.env['CI'] === 'true') t.fail(`${reason}: the rtpengine tests must run in CI`);
  else t.comment(`skipped: ${reason}`);
  return false;
}
