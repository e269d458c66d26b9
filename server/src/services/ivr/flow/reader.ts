// Reading plain data (a parsed YAML/JSON document) with its source positions:
// every problem is recorded with the line and column of the value it is about,
// the key when the key itself is wrong, or the nearest enclosing value.

import type { FlowProblem, SourcePosition } from './types.js';

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export type Json = unknown;

export function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function describe(v: Json): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Collects problems with their positions while a flow is read. */
export class SourceReader {
  readonly problems: FlowProblem[] = [];

  constructor(
    private readonly positions: Map<string, SourcePosition>,
    private readonly keyPositions: Map<string, SourcePosition>,
  ) {}

  at(path: string): SourcePosition | undefined {
    return this.positions.get(path);
  }

  /** Where the key of a path is written (a node's id, a field's name). */
  keyAt(path: string): SourcePosition | undefined {
    return this.keyPositions.get(path);
  }

  problem(node: string | undefined, path: string, message: string): void {
    const p = this.positions.get(path) ?? this.keyPositions.get(path) ?? this.nearest(path);
    this.problems.push({ ...(node !== undefined ? { node } : {}), ...(p ? { line: p.line, column: p.column } : {}), message });
  }

  /** A problem with a key itself (a node, a digit): reported where the key is written. */
  problemAtKey(node: string | undefined, path: string, message: string): void {
    const p = this.keyPositions.get(path) ?? this.positions.get(path) ?? this.nearest(path);
    this.problems.push({ ...(node !== undefined ? { node } : {}), ...(p ? { line: p.line, column: p.column } : {}), message });
  }

  /** A missing field is reported where its parent starts (the node's key for a node). */
  missing(node: string | undefined, parentPath: string, key: string): void {
    const p = this.keyPositions.get(parentPath) ?? this.positions.get(parentPath) ?? this.nearest(parentPath);
    this.problems.push({
      ...(node !== undefined ? { node } : {}),
      ...(p ? { line: p.line, column: p.column } : {}),
      message: `missing required field '${key}'`,
    });
  }

  private nearest(path: string): SourcePosition | undefined {
    const parts = path.split('.');
    while (parts.length > 0) {
      parts.pop();
      const p = this.positions.get(parts.join('.'));
      if (p) return p;
    }
    return undefined;
  }

  /** Positions of everything under a path, relative to it: a node's fieldsAt. */
  positionsUnder(path: string): Record<string, SourcePosition> {
    const out: Record<string, SourcePosition> = {};
    const prefix = `${path}.`;
    for (const [k, v] of this.positions) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return out;
  }


  unknownFields(node: string | undefined, path: string, raw: Record<string, Json>, known: readonly string[], what: string): void {
    for (const key of Object.keys(raw)) {
      if (!known.includes(key)) {
        const hint = closest(key, known);
        this.problem(node, join(path, key), `unknown field '${key}' in ${what}${hint ? ` (did you mean '${hint}'?)` : ` (fields: ${known.join(', ')})`}`);
        // The key is where the typo is: point at it rather than at its value.
        const last = this.problems[this.problems.length - 1];
        const keyAt = this.keyPositions.get(join(path, key));
        if (last && keyAt) {
          last.line = keyAt.line;
          last.column = keyAt.column;
        }
      }
    }
  }

  requiredString(node: string | undefined, path: string, raw: Record<string, Json>, key: string): string | undefined {
    if (!(key in raw) || raw[key] === null) {
      this.missing(node, path, key);
      return undefined;
    }
    return this.optionalString(node, path, raw, key);
  }

  optionalString(node: string | undefined, path: string, raw: Record<string, Json>, key: string): string | undefined {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string' || v === '') {
      this.problem(node, join(path, key), `${key} must be a text; found ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  integer(node: string | undefined, path: string, raw: Record<string, Json>, key: string, o: { min: number; max?: number; required?: boolean }): number | undefined {
    const v = raw[key];
    if (v === undefined || v === null) {
      if (o.required) this.missing(node, path, key);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < o.min || (o.max !== undefined && v > o.max)) {
      this.problem(node, join(path, key), `${key} must be a whole number ${o.max !== undefined ? `from ${o.min} to ${o.max}` : `of at least ${o.min}`}; found ${describe(v)}`);
      return undefined;
    }
    return v;
  }
}

/** The known word a typo most likely meant (edit distance ≤ 2). */
function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(word.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}
