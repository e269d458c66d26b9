// The scripts a site runs: the examples shipped with Tenor and the ones admins
// save (kept as XML files under the data folder, so a text editor reads them).
// A script is checked against the business-object model before it goes live;
// every version that went live stays loadable, so a run started on an older
// version finishes on it.

import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScript, type CompiledScript, type FieldCatalogue, type Problem } from '@tenor/scripts-dsl';
import type { Logger } from '../../core/logger.js';
import { TenorError } from '../../core/errors.js';

export const examplesDir = fileURLToPath(new URL('../../../../scripts-dsl/examples/', import.meta.url));

export interface ScriptInfo {
  id: string;
  version: string;
  title: string;
  description: string | undefined;
  origin: 'example' | 'site';
}

interface Entry {
  info: ScriptInfo;
  xml: string;
  compiled: CompiledScript;
}

export class ScriptLibrary {
  readonly #siteDir: string;
  readonly #catalogue: FieldCatalogue;
  readonly #log: Logger;
  readonly #current = new Map<string, Entry>();
  /** id@version → compiled, for runs that started on an earlier version. */
  readonly #versions = new Map<string, CompiledScript>();

  constructor(opts: { siteDir: string; catalogue: FieldCatalogue; logger: Logger }) {
    this.#siteDir = opts.siteDir;
    this.#catalogue = opts.catalogue;
    this.#log = opts.logger;
    mkdirSync(this.#siteDir, { recursive: true });
    this.#loadFolder(examplesDir, 'example');
    // Site scripts come second: a site script with an example's id replaces it.
    this.#loadFolder(this.#siteDir, 'site');
  }

  list(): ScriptInfo[] {
    return [...this.#current.values()].map((e) => e.info).sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): CompiledScript {
    return this.#entry(id).compiled;
  }

  /** A version that was live at some point since start (for resuming runs). */
  version(id: string, version: string): CompiledScript | undefined {
    return this.#versions.get(`${id}@${version}`);
  }

  source(id: string): string {
    return this.#entry(id).xml;
  }

  info(id: string): ScriptInfo {
    return this.#entry(id).info;
  }

  /** Every problem of a script, with line and column; empty when it may go live. */
  check(xml: string): Problem[] {
    const result = loadScript(xml, { catalogue: this.#catalogue });
    return result.ok ? [] : result.problems;
  }

  /** Compile a script without storing it (a draft to preview); throws TENOR_ERR_SCRIPT_INVALID with every problem. */
  compileDraft(xml: string): CompiledScript {
    const result = loadScript(xml, { catalogue: this.#catalogue });
    if (!result.ok) {
      const first = result.problems[0];
      throw new TenorError('TENOR_ERR_SCRIPT_INVALID', [first ? `line ${first.line}, column ${first.column}: ${first.message}` : 'unknown problem'], {
        details: result.problems,
      });
    }
    return result.compiled;
  }

  /**
   * Check, then store and make live. The next run uses it; runs in progress keep
   * their version. With expectedId, a script whose id differs is refused.
   */
  save(xml: string, expectedId?: string): ScriptInfo {
    const compiled = this.compileDraft(xml);
    if (expectedId !== undefined && compiled.id !== expectedId) {
      throw new TenorError('TENOR_ERR_VALIDATION', [`the script's id is '${compiled.id}', not '${expectedId}'`]);
    }
    const file = path.join(this.#siteDir, `${compiled.id}.xml`);
    // Write then rename: a crash never leaves half a script on disk.
    writeFileSync(`${file}.tmp`, xml);
    renameSync(`${file}.tmp`, file);
    const info = this.#add(xml, compiled, 'site');
    this.#log.info({ script: compiled.id, version: compiled.version }, 'script saved and live');
    return info;
  }

  #entry(id: string): Entry {
    const entry = this.#current.get(id);
    if (!entry) throw new TenorError('TENOR_ERR_NOT_FOUND', [`script ${id}`]);
    return entry;
  }

  #add(xml: string, compiled: CompiledScript, origin: ScriptInfo['origin']): ScriptInfo {
    const info: ScriptInfo = { id: compiled.id, version: compiled.version, title: compiled.title, description: compiled.description, origin };
    this.#current.set(compiled.id, { info, xml, compiled });
    this.#versions.set(`${compiled.id}@${compiled.version}`, compiled);
    return info;
  }

  #loadFolder(dir: string, origin: ScriptInfo['origin']): void {
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.xml')).sort();
    } catch {
      return;
    }
    for (const name of files) {
      const xml = readFileSync(path.join(dir, name), 'utf8');
      const result = loadScript(xml, { catalogue: this.#catalogue });
      if (result.ok) this.#add(xml, result.compiled, origin);
      else this.#log.error({ file: path.join(dir, name), problems: result.problems }, 'script not loaded: it has problems');
    }
  }
}
