// Builds the web client: type-checks src/web (strict, DOM) and bundles it with
// esbuild into public/app/app.js, which the server serves at /app/.
// Run by the root `npm run build` and by the Chromium tests before they start.
import { build } from 'esbuild';
import { renameSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const skipCheck = process.argv.includes('--no-check');
if (!skipCheck) {
  const tsc = path.join(root, '..', 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-b', path.join(root, 'src', 'web', 'tsconfig.json')], { stdio: 'inherit' });
}
// Written to a temporary name and renamed, so a server reading the bundle while another
// build runs (tests in parallel) never serves half a file.
const result = await build({
  entryPoints: [path.join(root, 'src', 'web', 'main.tsx')],
  outfile: path.join(root, 'public', 'app', 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  write: false,
  logLevel: 'warning',
});
for (const out of result.outputFiles) {
  const temp = `${out.path}.${process.pid}.tmp`;
  writeFileSync(temp, out.contents);
  renameSync(temp, out.path);
}
