// Reads a YAML document against a TypeBox schema, reporting every problem with
// the file, line and column it is at — for the site configuration and for the
// other files admins write (business-object models, flows).

import { LineCounter, parseDocument, isNode } from 'yaml';
import type { TSchema, Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export interface YamlProblem {
  /** `file:line:column` */
  source: string;
  message: string;
}

export type YamlResult<T> = { ok: true; data: T; locate: (path: (string | number)[]) => string } | { ok: false; problems: YamlProblem[] };

const MAX_PROBLEMS = 20;

export function readYaml<S extends TSchema>(text: string, schema: S, file: string): YamlResult<Static<S>> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): string => {
    const pos = lines.linePos(offset);
    return `${file}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length > 0) {
    return { ok: false, problems: doc.errors.map((e) => ({ source: at(e.pos[0]), message: e.message.split('\n')[0] ?? e.message })) };
  }
  /** Where a path into the data is in the file; a missing key is reported at its parent. */
  const locate = (segments: (string | number)[]): string => {
    let node: unknown;
    for (let n = segments.length; n >= 0 && !isNode(node); n--) node = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true);
    return at(isNode(node) && node.range ? node.range[0] : 0);
  };
  const data: unknown = doc.toJS() ?? {};
  if (Value.Check(schema, data)) return { ok: true, data, locate };
  const problems: YamlProblem[] = [];
  for (const error of Value.Errors(schema, data)) {
    const segments = error.path.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    problems.push({ source: locate(segments), message: `${error.path || '/'} ${error.message}` });
    if (problems.length >= MAX_PROBLEMS) break;
  }
  return { ok: false, problems };
}
