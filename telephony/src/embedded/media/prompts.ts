// Resolves a prompt as the driver contract names it ({ name, language }, a
// file, or a bare name) to a WAV file of the prompt set described by
// prompts/manifest.json (made by scripts/make-prompts.sh).

import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Prompt } from '../../driver.js';

export interface PromptManifest {
  fallbackLanguage: string;
  common: Record<string, string>;
  languages: Record<string, Record<string, string>>;
}

export class UnknownPromptError extends Error {
  constructor(name: string, language: string) {
    super(`no prompt named ${JSON.stringify(name)} for language ${language} or the fallback`);
    this.name = 'UnknownPromptError';
  }
}

/** telephony/prompts, found from this module's place in src/ or dist/. */
export function defaultPromptsDir(): string {
  return fileURLToPath(new URL('../../../prompts/', import.meta.url));
}

export class PromptLibrary {
  readonly dir: string;
  readonly defaultLanguage: string;
  private readonly manifest: PromptManifest;

  constructor(opts: { dir?: string; defaultLanguage?: string; manifest?: PromptManifest } = {}) {
    this.dir = resolvePath(opts.dir ?? defaultPromptsDir());
    this.manifest = opts.manifest ?? (JSON.parse(readFileSync(join(this.dir, 'manifest.json'), 'utf8')) as PromptManifest);
    this.defaultLanguage = opts.defaultLanguage ?? this.manifest.fallbackLanguage;
  }

  /** The file of a named prompt: the language asked, then its base ("pt" for "pt-BR"), then the fallback, then the common sounds. */
  file(name: string, language?: string): string {
    const lang = language ?? this.defaultLanguage;
    const tried = [lang, lang.split('-')[0] ?? lang, this.defaultLanguage, this.manifest.fallbackLanguage];
    for (const l of tried) {
      const key = Object.keys(this.manifest.languages).find((k) => k.toLowerCase() === l.toLowerCase());
      const rel = key ? this.manifest.languages[key]?.[name] : undefined;
      if (rel) return join(this.dir, rel);
    }
    const common = this.manifest.common[name];
    if (common) return join(this.dir, common);
    throw new UnknownPromptError(name, lang);
  }

  /** A Prompt of the driver contract to a file path. A string with a slash or ".wav" is a path; other strings are names. */
  resolve(prompt: Prompt): string {
    if (typeof prompt === 'string') {
      if (prompt.includes('/') || prompt.toLowerCase().endsWith('.wav')) return isAbsolute(prompt) ? prompt : resolvePath(prompt);
      return this.file(prompt);
    }
    if ('file' in prompt) return prompt.file;
    return this.file(prompt.name, prompt.language);
  }

  languages(): string[] {
    return Object.keys(this.manifest.languages);
  }
}
