#!/usr/bin/env node
// Bundles the pure script engine (src/index.ts: parser, checker, runtime)
// for browsers: the agent screen and web self-service load the very code
// the server runs.
//   node scripts/bundle.mjs [outdir]   (default: dist/browser)
// writes tenor-scripts.js (ES module) and tenor-scripts.iife.js (global TenorScripts).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** @param {{ outdir?: string, minify?: boolean }} [options] */
export async function buildBrowserBundle(options = {}) {
  const outdir = options.outdir ?? `${root}dist/browser`;
  const common = {
    entryPoints: [`${root}src/index.ts`],
    bundle: true,
    platform: 'browser',
    target: ['es2022'],
    sourcemap: true,
    minify: options.minify ?? false,
    legalComments: 'none',
    logLevel: 'silent',
  };
  await build({ ...common, format: 'esm', outfile: `${outdir}/tenor-scripts.js` });
  await build({ ...common, format: 'iife', globalName: 'TenorScripts', outfile: `${outdir}/tenor-scripts.iife.js` });
  return { esm: `${outdir}/tenor-scripts.js`, iife: `${outdir}/tenor-scripts.iife.js` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await buildBrowserBundle(process.argv[2] === undefined ? {} : { outdir: process.argv[2] });
  console.log(`${files.esm}\n${files.iife}`);
}
