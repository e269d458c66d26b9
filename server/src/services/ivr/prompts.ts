// How a prompt named in a flow becomes a prompt of the driver contract. An
// uploaded prompt (<dataDir>/prompts/<language>/<name>.wav) wins over the
// built-in set of the same name, so a site can re-record "welcome"; a path
// plays as a file; anything else is a name in the telephony prompt set.

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Prompt } from '@tenor/telephony';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The uploaded WAV for this name and language, if there is one. */
export function uploadedPromptFile(dataDir: string, name: string, language: string): string | undefined {
  if (!SAFE_NAME.test(name) || !SAFE_NAME.test(language)) return undefined;
  const file = path.join(dataDir, 'prompts', language, `${name}.wav`);
  return existsSync(file) ? file : undefined;
}

export function isPromptPath(prompt: string): boolean {
  return prompt.includes('/') || prompt.toLowerCase().endsWith('.wav');
}

export function toDriverPrompt(dataDir: string, prompt: string, language: string): Prompt {
  if (isPromptPath(prompt)) return { file: path.isAbsolute(prompt) ? prompt : path.join(dataDir, 'prompts', prompt) };
  const uploaded = uploadedPromptFile(dataDir, prompt, language);
  return uploaded ? { file: uploaded } : { name: prompt, language };
}
