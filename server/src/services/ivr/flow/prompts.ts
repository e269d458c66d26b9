// Whether a prompt a flow names exists as a WAV file: the built-in prompt sets
// shipped in @tenor/telephony (telephony/prompts/<lang>/<name>.wav, plus the
// language-independent common/ sounds) or a prompt uploaded by an admin, which
// the prompts service stores under <dataDir>/prompts/<lang>/<name>.wav.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';

let cachedDir: string | undefined;

/** telephony/prompts, found through the @tenor/telephony package (works from src/ and dist/). */
export function builtinPromptsDir(): string {
  if (cachedDir === undefined) {
    const require = createRequire(import.meta.url);
    cachedDir = join(dirname(require.resolve('@tenor/telephony/package.json')), 'prompts');
  }
  return cachedDir;
}

/** Prompt names are plain file names without separators, so a name never reaches outside its folder. */
const PROMPT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function builtinPromptExists(name: string, language: string, dataDir?: string): boolean {
  // A WAV path is allowed in a flow (io.ts: "an uploaded/absolute WAV"): absolute,
  // or relative to the uploaded prompts folder, as the live runtime plays it.
  if (name.includes('/') || name.toLowerCase().endsWith('.wav')) {
    if (isAbsolute(name)) return existsSync(name);
    return dataDir !== undefined && !name.split('/').includes('..') && existsSync(join(dataDir, 'prompts', name));
  }
  if (!PROMPT_NAME.test(name) || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language)) return false;
  const builtin = builtinPromptsDir();
  if (existsSync(join(builtin, language, `${name}.wav`))) return true;
  if (existsSync(join(builtin, 'common', `${name}.wav`))) return true;
  return dataDir !== undefined && existsSync(join(dataDir, 'prompts', language, `${name}.wav`));
}
