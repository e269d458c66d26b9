// The dependency rules of the code base, checked over a set of source files
// and their imports (the real one is read by import-graph.ts; the rules' own
// test feeds a made-up one). Paths are relative to the repository root, with
// forward slashes: `server/src/services/acd/engine.ts`.

/** One import of one source file. */
export interface SourceImport {
  /** The importing file. */
  from: string;
  /** The specifier as written: `../store/database.js`, `@tenor/telephony`. */
  specifier: string;
  /**
   * What it names in the repository: a source file's path for a relative
   * import, `<workspace>/` for a workspace package (`@tenor/telephony` →
   * `telephony/`), undefined for an outside package (`fastify`, `node:fs`).
   */
  target: string | undefined;
}

export interface SourceSet {
  /** Every source file with its number of lines. */
  files: ReadonlyMap<string, number>;
  imports: readonly SourceImport[];
}

export type RuleName =
  | 'telephony-stands-alone'
  | 'scripts-dsl-stands-alone'
  | 'store-below-services'
  | 'service-public-entry'
  | 'no-folder-cycle'
  | 'file-size';

/** Each rule as docs/architecture.md states it. */
export const RULES: Record<RuleName, string> = {
  'telephony-stands-alone': 'telephony never imports server, scripts-dsl or agent-ui',
  'scripts-dsl-stands-alone': 'scripts-dsl imports neither server nor telephony',
  'store-below-services': 'server/src/store/ imports no service (services/) or HTTP (http/) code',
  'service-public-entry':
    "a service imports another service only through its public entry (services/<b>/index.ts, or the single-file service services/<b>.ts)",
  'no-folder-cycle': 'no import cycle between the folders server/src/http/, server/src/config/ and server/src/services/',
  'file-size': 'no source file (*/src/**/*.ts, *.tsx; not the agent-ui/src/web/i18n/ tables) is over 500 lines',
};

export const MAX_FILE_LINES = 500;

export interface Violation {
  rule: RuleName;
  /** The file at fault. */
  file: string;
  /** The import at fault, as written (absent for the file-size rule). */
  specifier?: string;
  /** `file → 'import' (target): what is wrong` in one line, for the test's report. */
  text: string;
}

const workspaceOf = (path: string): string => path.slice(0, path.indexOf('/'));

function importViolation(rule: RuleName, imp: SourceImport, detail?: string): Violation {
  const target = imp.target !== undefined && imp.target !== imp.specifier ? ` (${imp.target})` : '';
  return { rule, file: imp.from, specifier: imp.specifier, text: `${imp.from} → '${imp.specifier}'${target}: ${detail ?? rule}` };
}

function crossesWorkspaces(imports: readonly SourceImport[], from: string, forbidden: readonly string[], rule: RuleName): Violation[] {
  return imports
    .filter((i) => workspaceOf(i.from) === from && i.target !== undefined && forbidden.includes(workspaceOf(i.target)))
    .map((i) => importViolation(rule, i));
}

const SERVICES = 'server/src/services/';

/**
 * The service a file under server/src/services/ belongs to: the folder's name
 * (`services/acd/store/x.ts` → acd) or the single file's (`services/ingress.ts`
 * → ingress); undefined for services/index.ts, the list of built-in services.
 */
function serviceOf(path: string): string | undefined {
  if (!path.startsWith(SERVICES)) return undefined;
  const rest = path.slice(SERVICES.length);
  const slash = rest.indexOf('/');
  if (slash >= 0) return rest.slice(0, slash);
  const name = rest.replace(/\.tsx?$/, '');
  return name === 'index' ? undefined : name;
}

function servicesInternals(imports: readonly SourceImport[]): Violation[] {
  const out: Violation[] = [];
  for (const i of imports) {
    if (!i.from.startsWith(SERVICES) || i.target === undefined || !i.target.startsWith(SERVICES)) continue;
    const rest = i.target.slice(SERVICES.length);
    const slash = rest.indexOf('/');
    if (slash < 0) continue; // a single-file service, or services/index.ts
    const owner = rest.slice(0, slash);
    if (owner === serviceOf(i.from)) continue;
    if (/^index\.tsx?$/.test(rest.slice(slash + 1))) continue;
    out.push(importViolation('service-public-entry', i, `not the public entry of '${owner}' (services/${owner}/index.ts)`));
  }
  return out;
}

const CYCLE_FOLDERS = ['http', 'config', 'services'] as const;
type CycleFolder = (typeof CYCLE_FOLDERS)[number];

function cycleFolderOf(path: string): CycleFolder | undefined {
  const m = /^server\/src\/([^/]+)\//.exec(path);
  return CYCLE_FOLDERS.find((f) => f === m?.[1]);
}

/**
 * Every import from one of the folders to another where the other also
 * reaches back (directly or through the third): each edge of a cycle, named
 * by the imports that make it.
 */
function folderCycles(imports: readonly SourceImport[]): Violation[] {
  const edges = new Map<CycleFolder, Map<CycleFolder, SourceImport[]>>();
  for (const i of imports) {
    const a = cycleFolderOf(i.from);
    const b = i.target === undefined ? undefined : cycleFolderOf(i.target);
    if (a === undefined || b === undefined || a === b) continue;
    let out = edges.get(a);
    if (!out) edges.set(a, (out = new Map()));
    let list = out.get(b);
    if (!list) out.set(b, (list = []));
    list.push(i);
  }
  const reaches = (from: CycleFolder, to: CycleFolder): boolean => {
    const seen = new Set<CycleFolder>([from]);
    const pending: CycleFolder[] = [from];
    for (let f = pending.pop(); f !== undefined; f = pending.pop()) {
      for (const next of edges.get(f)?.keys() ?? []) {
        if (next === to) return true;
        if (!seen.has(next)) {
          seen.add(next);
          pending.push(next);
        }
      }
    }
    return false;
  };
  const out: Violation[] = [];
  for (const [a, targets] of edges) {
    for (const [b, list] of targets) {
      if (!reaches(b, a)) continue;
      for (const i of list) out.push(importViolation('no-folder-cycle', i, `${a}/ → ${b}/ while ${b}/ reaches back to ${a}/`));
    }
  }
  return out;
}

const sizeChecked = (path: string): boolean => /^[^/]+\/src\/.+\.tsx?$/.test(path) && !path.startsWith('agent-ui/src/web/i18n/');

function oversized(files: ReadonlyMap<string, number>): Violation[] {
  return [...files]
    .filter(([path, lines]) => sizeChecked(path) && lines > MAX_FILE_LINES)
    .map(([path, lines]) => ({ rule: 'file-size', file: path, text: `${path}: ${lines} lines, over ${MAX_FILE_LINES}` }));
}

/** Every violation of every rule, in a stable order (by rule, then file and import as found). */
export function checkImportRules(set: SourceSet): Violation[] {
  return [
    ...crossesWorkspaces(set.imports, 'telephony', ['server', 'scripts-dsl', 'agent-ui'], 'telephony-stands-alone'),
    ...crossesWorkspaces(set.imports, 'scripts-dsl', ['server', 'telephony'], 'scripts-dsl-stands-alone'),
    ...set.imports
      .filter((i) => i.from.startsWith('server/src/store/') && i.target !== undefined && /^server\/src\/(services|http)\//.test(i.target))
      .map((i) => importViolation('store-below-services', i)),
    ...servicesInternals(set.imports),
    ...folderCycles(set.imports),
    ...oversized(set.files),
  ];
}
