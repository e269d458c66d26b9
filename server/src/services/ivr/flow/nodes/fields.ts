// The field readers a node type's reader uses: each reads one field of one node
// (a text, a target node, prompts, a duration, a fallback...), reports its own
// problem at the field's line, and returns a usable default so reading goes on
// and every problem of the node is found in one pass.

import { describe, isObject } from '../reader.js';
import type { Json, SourceReader } from '../reader.js';

const VARIABLE_SYNTAX = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names that would reach an object's prototype rather than hold a value. */
const RESERVED_VARIABLES = new Set(['__proto__', 'constructor', 'prototype']);
export const VARIABLE = { test: (name: string): boolean => VARIABLE_SYNTAX.test(name) && !RESERVED_VARIABLES.has(name) };
export const DIGIT_KEYS = /^[0-9*#]$/;
export const LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** Fields of the node types that play prompts, and of those that ask and re-ask. */
export const PROMPT_FIELDS = ['prompts'];
export const RETRY_FIELDS = ['timeout', 'retries', 'invalid-prompts', 'no-input-prompts', 'fallback'];

/** Field readers for one node; each reports its own problem and returns a usable default. */
export class NodeFields {
  constructor(
    private readonly r: SourceReader,
    /** The node's id. */
    readonly id: string,
    /** The node's path in the document ('nodes.<id>'), the prefix of every field path. */
    readonly path: string,
    /** The node as written. */
    readonly raw: Record<string, Json>,
  ) {}

  /** Problems reported so far while reading the flow: a reader compares it before and after a part. */
  get problemCount(): number {
    return this.r.problems.length;
  }

  /** A problem with the value at a path (a full path: `${f.path}.options`). */
  problem(path: string, message: string): void {
    this.r.problem(this.id, path, message);
  }

  /** A problem with a key itself (a digit, the node's id): reported where the key is written. */
  problemAtKey(path: string, message: string): void {
    this.r.problemAtKey(this.id, path, message);
  }

  /** A required field missing under parentPath. */
  missing(parentPath: string, key: string): void {
    this.r.missing(this.id, parentPath, key);
  }

  /** Keys of a map under path that are not among known (with a did-you-mean). */
  unknownFields(path: string, raw: Record<string, Json>, known: readonly string[], what: string): void {
    this.r.unknownFields(this.id, path, raw, known, what);
  }

  string(key: string, required: boolean): string | undefined {
    return required ? this.r.requiredString(this.id, this.path, this.raw, key) : this.r.optionalString(this.id, this.path, this.raw, key);
  }

  target(key: string): string;
  target(key: string, required: false): string | undefined;
  target(key: string, required = true): string | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (required) this.r.missing(this.id, this.path, key);
      return required ? '' : undefined;
    }
    if (typeof v !== 'string' || v === '') {
      this.r.problem(this.id, `${this.path}.${key}`, `${key} must name a node; found ${describe(v)}`);
      return '';
    }
    return v;
  }

  prompts(key: string, required: boolean): string[] {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (required) this.r.missing(this.id, this.path, key);
      return [];
    }
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || (required && list.length === 0)) {
      this.r.problem(this.id, `${this.path}.${key}`, `${key} is a prompt name or a list of them; found ${describe(v)}`);
      return [];
    }
    return list.flatMap((p, i) => {
      if (typeof p !== 'string' || p === '') {
        this.r.problem(this.id, `${this.path}.${key}.${i}`, `a prompt is a name such as 'welcome'; found ${describe(p)}`);
        return [];
      }
      return [p];
    });
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') {
      this.r.problem(this.id, `${this.path}.${key}`, `${key} must be true or false; found ${describe(v)}`);
      return fallback;
    }
    return v;
  }

  int(key: string, fallback: number, min: number, max: number): number {
    return this.r.integer(this.id, this.path, this.raw, key, { min, max }) ?? fallback;
  }

  /** '5s', '500ms', '1m', or a bare number of seconds. */
  duration(key: string, fallbackMs: number): number {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallbackMs;
    const ms = parseDuration(v);
    if (ms === undefined) {
      this.r.problem(this.id, `${this.path}.${key}`, `${key} must be a duration such as 5s, 500ms or 1m (at most 10m); found ${describe(v)}`);
      return fallbackMs;
    }
    return ms;
  }

  /** fallback: <node>, or { invalid: <node>, no-input: <node> }. */
  fallback(): { invalid: string; noInput: string } {
    const v = this.raw.fallback;
    if (v === undefined || v === null) {
      this.r.missing(this.id, this.path, 'fallback');
      return { invalid: '', noInput: '' };
    }
    if (typeof v === 'string' && v !== '') return { invalid: v, noInput: v };
    if (isObject(v)) {
      this.r.unknownFields(this.id, `${this.path}.fallback`, v, ['invalid', 'no-input'], 'fallback');
      const invalid = v.invalid;
      const noInput = v['no-input'];
      if (typeof invalid !== 'string' || invalid === '') this.r.missing(this.id, `${this.path}.fallback`, 'invalid');
      if (typeof noInput !== 'string' || noInput === '') this.r.missing(this.id, `${this.path}.fallback`, 'no-input');
      return { invalid: typeof invalid === 'string' ? invalid : '', noInput: typeof noInput === 'string' ? noInput : '' };
    }
    this.r.problem(this.id, `${this.path}.fallback`, `fallback names a node, or is { invalid: <node>, no-input: <node> }; found ${describe(v)}`);
    return { invalid: '', noInput: '' };
  }
}

const MAX_DURATION_MS = 10 * 60 * 1000;

/** '5s', '500ms', '1m' or a bare number of seconds → milliseconds; undefined when not a duration of at most 10 minutes. */
export function parseDuration(v: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof v === 'number') ms = v * 1000;
  else if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(v);
    if (m) ms = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
  }
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0 || ms > MAX_DURATION_MS) return undefined;
  return Math.round(ms);
}
