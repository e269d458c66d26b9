// condition: the first case whose test holds chooses the next node, else `else`.
// Tests on the clock (days, time, holidays, dates) ask the `now` actor, so a
// simulation can set the time.

import { evaluateTest, usesClock } from '../conditions.js';
import { onErrorFail, record, scopeOf, to } from '../machine.js';
import type { Args, FlowContext, StateConfig } from '../machine.js';
import { describe, isObject } from '../reader.js';
import type { ConditionCase, NodeBase } from '../types.js';
import { checkTest, readTest } from './condition-test.js';
import type { NodeType } from './contract.js';
import { edge } from './edges.js';

export interface ConditionNode extends NodeBase {
  type: 'condition';
  cases: ConditionCase[];
  else: string;
}

export const condition: NodeType<ConditionNode> = {
  fields: ['cases', 'else'],
  waitsForInput: false,
  read: (f) => {
    const cases: ConditionCase[] = [];
    const rawCases = f.raw.cases;
    if (rawCases === undefined) f.missing(f.path, 'cases');
    else if (!Array.isArray(rawCases) || rawCases.length === 0) {
      f.problem(`${f.path}.cases`, `cases is a list of { when, next }, with at least one case; found ${describe(rawCases)}`);
    } else {
      rawCases.forEach((c, i) => {
        const casePath = `${f.path}.cases.${i}`;
        if (!isObject(c)) {
          f.problem(casePath, `a case is a map with when and next; found ${describe(c)}`);
          return;
        }
        f.unknownFields(casePath, c, ['when', 'next'], 'a case');
        if (!('when' in c)) f.missing(casePath, 'when');
        if (!('next' in c)) f.missing(casePath, 'next');
        const when = 'when' in c ? readTest(f, `${casePath}.when`, c.when) : undefined;
        const next = c.next;
        if ('next' in c && (typeof next !== 'string' || next === '')) f.problem(`${casePath}.next`, `next must name a node; found ${describe(next)}`);
        if (when && typeof next === 'string' && next !== '') cases.push({ when, next });
      });
    }
    return { type: 'condition', cases, else: f.target('else') };
  },
  edges: (node) => [...node.cases.map((c, i) => edge(`cases.${i}.next`, c.next, `case ${i + 1} next`)), edge('else', node.else)],
  check: (node, { flow, report }) => {
    node.cases.forEach((c, i) => checkTest(node, `cases.${i}.when`, c.when, flow, report));
  },
  state: (node, flow) => {
    const env = (context: FlowContext, now: Date) => ({ scope: scopeOf(context), now, timezone: flow.timezone, holidays: flow.holidays });
    const transitions = (nowOf: (args: Args) => Date) => [
      ...node.cases.map((c, i) => ({
        guard: (args: Args) => evaluateTest(c.when, env(args.context, nowOf(args))),
        target: to(c.next),
        reenter: true,
        actions: [record(node, `case ${i + 1}`)],
      })),
      { target: to(node.else), reenter: true, actions: [record(node, 'else')] },
    ];
    if (!node.cases.some((c) => usesClock(c.when))) {
      return { always: transitions(() => new Date(0)) } as StateConfig;
    }
    return {
      invoke: {
        src: 'now',
        input: () => ({ node: node.id }),
        onDone: transitions(({ event }) => event.output as Date),
        onError: onErrorFail(node),
      },
    } as StateConfig;
  },
};
