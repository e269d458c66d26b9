// Finds an engine build for the tests: runs scripts/build-<engine>.sh, which
// prints the install prefix (at once when the cache has it, after a few
// minutes' build otherwise) and exits 3 when the pinned sources are absent.
// Where they are absent the engine's tests are skipped with the reason; under
// CI=true the test file fails instead (see test/shared-folder.ts).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type Engine = 'freeswitch' | 'drachtio';
export type EngineBuild = { prefix: string } | { missing: string };

const SOURCES: Record<Engine, string> = { freeswitch: 'FreeSWITCH sources', drachtio: 'drachtio-server sources' };

export function findEngineBuild(engine: Engine): Promise<EngineBuild> {
  const script = fileURLToPath(new URL(`../../scripts/build-${engine}.sh`, import.meta.url));
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
      else if (code === 3) resolve({ missing: `${SOURCES[engine]} not found` });
      else reject(new Error(`scripts/build-${engine}.sh failed (exit ${code ?? 'signal'}): ${err}`));
    });
  });
}
