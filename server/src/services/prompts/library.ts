// The prompt library: the built-in prompt set shipped with the telephony
// package (telephony/prompts/manifest.json) and the prompts a site uploaded,
// per language, under <dataDir>/prompts/<language>/<name>.wav. Uploaded files
// are already 8 kHz 16-bit mono (converted on upload), so the engine plays them
// as they are.

import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Logger } from 'pino';
import { readWavHeader, type Prompt } from '@tenor/telephony';
import { TenorError } from '../../core/errors.js';
import { pathInside } from '../../core/paths.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../core/private-files.js';
import { convertToTelephony } from './convert.js';

/** The languages a site may upload prompts in (the built-in set may have more). */
export const PROMPT_LANGUAGES = ['en', 'pt-BR', 'es'] as const;
export const FALLBACK_LANGUAGE = 'en';
export const PROMPT_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const DEFAULT_MAX_PROMPT_SECONDS = 300;

export interface PromptInfo {
  name: string;
  language: string;
  /** 'uploaded' hides a built-in prompt of the same name and language. */
  source: 'builtin' | 'uploaded';
  durationMs: number;
  /** True when an uploaded prompt replaces a built-in one. */
  overridesBuiltin: boolean;
}

interface Manifest {
  fallbackLanguage: string;
  common: Record<string, string>;
  languages: Record<string, Record<string, string>>;
}

/** telephony/prompts, found through the package (its package.json is exported). */
export function builtinPromptsDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@tenor/telephony/package.json')), 'prompts');
}

export class PromptLibrary {
  readonly dir: string;
  readonly #builtinDir: string;
  readonly #manifest: Manifest;
  readonly #maxSeconds: number;
  readonly #log: Logger;
  /** Durations of files by path and size (built-in files never change; uploads get a new size or are re-read). */
  readonly #durations = new Map<string, number>();

  constructor(opts: { dataDir: string; logger: Logger; builtinDir?: string; maxSeconds?: number }) {
    this.dir = path.join(opts.dataDir, 'prompts');
    this.#builtinDir = opts.builtinDir ?? builtinPromptsDir();
    this.#manifest = JSON.parse(readFileSync(path.join(this.#builtinDir, 'manifest.json'), 'utf8')) as Manifest;
    this.#maxSeconds = opts.maxSeconds ?? DEFAULT_MAX_PROMPT_SECONDS;
    this.#log = opts.logger;
  }

  /** Languages with prompts: the ones a site may upload in, and any more the built-in set has. */
  languages(): string[] {
    return [...new Set<string>([...PROMPT_LANGUAGES, ...Object.keys(this.#manifest.languages)])];
  }

  get maxSeconds(): number {
    return this.#maxSeconds;
  }

  /** Every prompt of a language (or all languages): uploaded ones, then built-in ones not overridden. */
  async list(language?: string): Promise<PromptInfo[]> {
    const languages = language === undefined ? this.languages() : [this.#language(language)];
    const out: PromptInfo[] = [];
    for (const lang of languages) {
      const uploaded = await this.#uploadedNames(lang);
      const builtin = this.#builtinNames(lang);
      for (const name of [...new Set([...uploaded, ...builtin.keys()])].sort()) {
        const up = uploaded.includes(name);
        const file = up ? this.#uploadedFile(name, lang) : (builtin.get(name) as string);
        out.push({ name, language: lang, source: up ? 'uploaded' : 'builtin', durationMs: await this.#duration(file), overridesBuiltin: up && builtin.has(name) });
      }
    }
    return out;
  }

  /** One prompt as `list` shows it, or undefined. */
  async info(name: string, language: string): Promise<PromptInfo | undefined> {
    const lang = this.#language(language);
    this.#name(name);
    const builtin = this.#builtinNames(lang).get(name);
    const uploaded = this.#uploadedFile(name, lang);
    if (existsSync(uploaded)) return { name, language: lang, source: 'uploaded', durationMs: await this.#duration(uploaded), overridesBuiltin: builtin !== undefined };
    if (builtin) return { name, language: lang, source: 'builtin', durationMs: await this.#duration(builtin), overridesBuiltin: false };
    return undefined;
  }

  /** The WAV file behind a prompt of exactly this language (uploaded first), for download. */
  file(name: string, language: string): string | undefined {
    const lang = this.#language(language);
    this.#name(name);
    const uploaded = this.#uploadedFile(name, lang);
    if (existsSync(uploaded)) return uploaded;
    return this.#builtinNames(lang).get(name);
  }

  /**
   * What the driver should play for `name` in `language`: an uploaded file of
   * that language, else the built-in prompt of that language (or its base,
   * "pt" for "pt-BR"), else the same in English. Throws TENOR_ERR_NOT_FOUND
   * when no language has it.
   */
  resolve(name: string, language: string = FALLBACK_LANGUAGE): Prompt {
    const tried = [...new Set([language, FALLBACK_LANGUAGE])];
    for (const lang of tried) {
      // Only a valid name in a known language names an uploaded file (never a path of the caller's making).
      const known = this.languages().find((l) => l.toLowerCase() === lang.toLowerCase());
      if (known !== undefined && PROMPT_NAME.test(name)) {
        const uploaded = this.#uploadedFile(name, known);
        if (existsSync(uploaded)) return { file: uploaded };
      }
      const builtinLang = this.#builtinLanguageFor(lang, name);
      if (builtinLang !== undefined) return { name, language: builtinLang };
    }
    if (this.#manifest.common[name] !== undefined) return { name, language: FALLBACK_LANGUAGE };
    throw new TenorError('TENOR_ERR_NOT_FOUND', [`prompt '${name}' (language ${language} or ${FALLBACK_LANGUAGE})`]);
  }

  /** True when `resolve` finds the prompt. */
  has(name: string, language: string = FALLBACK_LANGUAGE): boolean {
    try {
      this.resolve(name, language);
      return true;
    } catch {
      return false;
    }
  }

  /** Converts and stores an uploaded WAV; replaces an earlier upload of the same name and language. */
  async upload(name: string, language: string, bytes: Uint8Array): Promise<PromptInfo> {
    const lang = this.#language(language);
    this.#name(name);
    const converted = await convertToTelephony(bytes, { maxSeconds: this.#maxSeconds, what: `prompt '${name}'` });
    const file = this.#uploadedFile(name, lang);
    await mkdir(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    // Write beside and rename: a call playing the old file never reads half a new one.
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, converted.wav, { mode: PRIVATE_FILE_MODE });
    await rename(tmp, file);
    this.#durations.delete(file);
    this.#log.info({ name, language: lang, durationMs: converted.durationMs, from: converted.source }, 'prompt uploaded');
    return { name, language: lang, source: 'uploaded', durationMs: converted.durationMs, overridesBuiltin: this.#builtinNames(lang).has(name) };
  }

  /** Deletes an uploaded prompt (a built-in one it replaced comes back). Built-in prompts cannot be deleted. */
  async remove(name: string, language: string): Promise<void> {
    const lang = this.#language(language);
    this.#name(name);
    const file = this.#uploadedFile(name, lang);
    if (!existsSync(file)) {
      const builtin = this.#builtinNames(lang).has(name);
      throw new TenorError('TENOR_ERR_NOT_FOUND', [`uploaded prompt '${name}' in ${lang}${builtin ? ' (built-in prompts cannot be deleted)' : ''}`]);
    }
    await rm(file, { force: true });
    this.#durations.delete(file);
    this.#log.info({ name, language: lang }, 'prompt deleted');
  }

  #language(language: string): string {
    const found = this.languages().find((l) => l.toLowerCase() === language.toLowerCase());
    if (!found) throw new TenorError('TENOR_ERR_VALIDATION', [`language '${language}' is not one of ${this.languages().join(', ')}`]);
    return found;
  }

  #name(name: string): void {
    if (!PROMPT_NAME.test(name)) throw new TenorError('TENOR_ERR_VALIDATION', [`prompt name '${name}' must be lower-case letters, digits, '-' or '_' (at most 64)`]);
  }

  #uploadedFile(name: string, language: string): string {
    return pathInside(this.dir, language, `${name}.wav`);
  }

  async #uploadedNames(language: string): Promise<string[]> {
    try {
      const files = await readdir(path.join(this.dir, language));
      return files.filter((f) => f.endsWith('.wav')).map((f) => f.slice(0, -4)).filter((n) => PROMPT_NAME.test(n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** Built-in prompts of exactly this language, plus the common sounds (beep, music on hold). */
  #builtinNames(language: string): Map<string, string> {
    const names = new Map<string, string>();
    for (const [name, rel] of Object.entries(this.#manifest.common)) names.set(name, path.join(this.#builtinDir, rel));
    for (const [name, rel] of Object.entries(this.#manifest.languages[language] ?? {})) names.set(name, path.join(this.#builtinDir, rel));
    return names;
  }

  /** The manifest language the engine will play `name` in for `language` (its base counts), if any. */
  #builtinLanguageFor(language: string, name: string): string | undefined {
    for (const l of [language, language.split('-')[0] ?? language]) {
      const key = Object.keys(this.#manifest.languages).find((k) => k.toLowerCase() === l.toLowerCase());
      if (key && this.#manifest.languages[key]?.[name] !== undefined) return key;
    }
    return undefined;
  }

  async #duration(file: string): Promise<number> {
    const known = this.#durations.get(file);
    if (known !== undefined) return known;
    const ms = readWavHeader(await readFile(file)).durationMs;
    this.#durations.set(file, ms);
    return ms;
  }
}
