#!/usr/bin/env node
// The `tenor` command as npm links it (server/package.json "bin"). The command
// is TypeScript built to ../dist: at the checkout root, `npm ci` and
// `npm install` build it (the root "prepare" script), and so do `npm run build`
// and `npm start`. This launcher is plain JavaScript so that it exists before
// that build — npm links a command only to a file that is there — and so that
// a missing build is explained instead of failing with a module-not-found trace.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error(`tenor: the command is not built yet (${fileURLToPath(entry)} is missing).`);
  console.error('Run `npm run build` at the root of the Tenor checkout, then try again.');
  process.exit(1);
}
await import(entry.href);
