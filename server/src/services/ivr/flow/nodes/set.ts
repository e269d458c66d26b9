// set: variables (templates in their strings), then next. Setting `language`
// switches the prompt set the rest of the call plays in.

import { assign } from 'xstate';
import { record, scopeOf, to } from '../machine.js';
import type { Args, StateConfig } from '../machine.js';
import { describe, isObject } from '../reader.js';
import { isTemplate, renderDeep } from '../template.js';
import type { NodeBase } from '../types.js';
import { checkReferences, forEachString } from './checks.js';
import type { NodeType } from './contract.js';
import { edge } from './edges.js';
import { LANGUAGE, VARIABLE } from './fields.js';

export interface SetNode extends NodeBase {
  type: 'set';
  /** Variable → value (templates in strings). `language` switches the prompt set. */
  values: Record<string, unknown>;
  next: string;
}

export const set: NodeType<SetNode> = {
  fields: ['values', 'next'],
  waitsForInput: false,
  read: (f) => {
    const raw = f.raw;
    const values: Record<string, unknown> = {};
    if (raw.values === undefined) f.missing(f.path, 'values');
    else if (!isObject(raw.values) || Object.keys(raw.values).length === 0) {
      f.problem(`${f.path}.values`, `values is a map of variable to value, with at least one entry; found ${describe(raw.values)}`);
    } else {
      for (const [v, value] of Object.entries(raw.values)) {
        if (!VARIABLE.test(v)) f.problem(`${f.path}.values.${v}`, `'${v}' is not a variable name (letters, digits, '_')`);
        else if (v === 'language' && (typeof value !== 'string' || (!LANGUAGE.test(value) && !value.includes('${')))) {
          f.problem(`${f.path}.values.${v}`, `language must be a language tag (en, pt-BR, es); found ${describe(value)}`);
        } else values[v] = value;
      }
    }
    return { type: 'set', values, next: f.target('next') };
  },
  edges: (node) => [edge('next', node.next)],
  languages: (node) => (typeof node.values.language === 'string' && !isTemplate(node.values.language) ? [node.values.language] : []),
  check: (node, { report }) => {
    for (const [k, v] of Object.entries(node.values)) forEachString(v, `values.${k}`, (s, path) => checkReferences(node, path, s, report));
  },
  state: (node) =>
    ({
      always: {
        target: to(node.next),
        reenter: true,
        actions: [
          record(node, 'next'),
          assign(({ context }: Args) => {
            const scope = scopeOf(context);
            const vars = { ...context.vars };
            let language = context.language;
            for (const [k, v] of Object.entries(node.values)) {
              const value = renderDeep(v, scope);
              if (k === 'language') {
                if (typeof value === 'string' && value !== '') language = value;
              } else vars[k] = value;
            }
            return { vars, language };
          }),
        ],
      },
    }) as StateConfig,
};
