// lookup-customer: asks the CRM for a number (the caller's by default); found
// keeps the record as `customer.*`, then goes to found, not-found or failure.

import { assign } from 'xstate';
import { record, scopeOf, to } from '../machine.js';
import type { Args, StateConfig } from '../machine.js';
import { render, textOf } from '../template.js';
import type { NodeBase, Template } from '../types.js';
import { checkReferences } from './checks.js';
import type { NodeType } from './contract.js';
import { edge } from './edges.js';

export interface LookupCustomerNode extends NodeBase {
  type: 'lookup-customer';
  /** The number to look up; the caller's number by default. */
  number: Template;
  found: string;
  notFound: string;
  /** Where to go when the lookup itself fails; notFound when absent. */
  failure: string;
}

export const lookupCustomer: NodeType<LookupCustomerNode> = {
  fields: ['number', 'found', 'not-found', 'failure'],
  waitsForInput: false,
  read: (f) => {
    const notFound = f.target('not-found');
    return {
      type: 'lookup-customer',
      number: f.string('number', false) ?? '${caller.number}',
      found: f.target('found'),
      notFound,
      failure: f.target('failure', false) ?? notFound,
    };
  },
  edges: (node) => [edge('found', node.found), edge('not-found', node.notFound), ...(node.failure !== node.notFound ? [edge('failure', node.failure)] : [])],
  check: (node, { report }) => checkReferences(node, 'number', node.number, report),
  state: (node) =>
    ({
      invoke: {
        src: 'lookupCustomer',
        input: ({ context }: Args) => ({ number: textOf(render(node.number, scopeOf(context))), node: node.id }),
        onDone: [
          {
            guard: ({ event }: Args) => event.output !== undefined && event.output !== null,
            target: to(node.found),
            reenter: true,
            actions: [record(node, 'found'), assign(({ event }: Args) => ({ customer: event.output as Record<string, unknown> }))],
          },
          { target: to(node.notFound), reenter: true, actions: [record(node, 'not-found')] },
        ],
        onError: { target: to(node.failure), reenter: true, actions: [record(node, 'failure')] },
      },
    }) as StateConfig,
};
