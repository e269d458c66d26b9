// The web client's API types come from the server's (agent-ui/src/web/wire.ts), and the
// root build type-checks them against the server's declarations: this holds the build
// configuration that makes a server change which breaks the client fail `npx tsc -b`.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const json = (file: string): { references?: Array<{ path: string }>; compilerOptions?: Record<string, unknown> } =>
  JSON.parse(readFileSync(path.join(root, file), 'utf8')) as { references?: Array<{ path: string }>; compilerOptions?: Record<string, unknown> };

t.test('the root build checks the web client after the server', async (t) => {
  const order = (json('tsconfig.json').references ?? []).map((r) => r.path);
  t.ok(order.includes('agent-ui/src/web'), 'the web client is a project of the root build');
  t.ok(order.indexOf('agent-ui/src/web') > order.indexOf('server'), 'listed after the server');
  const web = json('agent-ui/src/web/tsconfig.json');
  t.same(web.references, [{ path: '../../../server' }], 'the web client references the server, so it reads its declarations');
  t.equal(web.compilerOptions?.['noEmit'], true, 'and emits nothing (esbuild bundles it)');
});

/** Every source file of the web client, relative to the repository root. */
function webSources(dir = 'agent-ui/src/web'): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return webSources(rel);
    return /\.tsx?$/.test(entry.name) ? [rel] : [];
  });
}

t.test('the web client imports the server for types only (esbuild erases them; no server code reaches the bundle)', async (t) => {
  const fromServer = /^(?:import|export)\s+(type\s+)?(?:[^;]*?)\s+from\s+'@tenor\/(?:server|scripts-dsl)[^']*';/gm;
  let seen = 0;
  for (const file of webSources()) {
    const text = readFileSync(path.join(root, file), 'utf8');
    for (const match of text.matchAll(fromServer)) {
      seen += 1;
      t.ok(match[1] !== undefined, `${file}: ${match[0].split('\n')[0]}`);
    }
  }
  t.ok(seen > 0, 'wire.ts takes its types from the server');
});
