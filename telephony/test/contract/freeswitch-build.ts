// Finds the FreeSWITCH build for the tests: runs scripts/build-freeswitch.sh,
// which prints the install prefix (at once when the cache has it, after a few
// minutes' build otherwise) and exits 3 when the pinned sources are absent.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../../scripts/build-freeswitch.sh', import.meta.url));

export type FreeSwitchBuild = { prefix: string } | { missing: string };

export function findFreeSwitchBuild(): Promise<FreeSwitchBuild> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { err = (err + c.toString('utf8')).slice(-4000); });
    child.on('error', reject);
    child.on('exit', (code) => {
      const prefix = out.trim().split('\n').pop() ?? '';
      if (code === 0 && prefix !== '') resolve({ prefix });
      else if (code === 3) resolve({ missing: 'FreeSWITCH sources not found' });
      else reject(new Error(`scripts/build-freeswitch.sh failed (exit ${code ?? 'signal'}): ${err}`));
    });
  });
}
