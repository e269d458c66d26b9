// return: ends a flow run as a subflow; the calling flow goes on at the subflow
// node's next. In a flow run on its own it ends the call like hangup.

import type { NodeBase } from '../types.js';
import type { NodeType } from './contract.js';
import { terminalState } from './terminal.js';

export interface ReturnNode extends NodeBase {
  type: 'return';
}

export const returnNode: NodeType<ReturnNode> = {
  fields: [],
  waitsForInput: false,
  read: () => ({ type: 'return' }),
  edges: () => [],
  state: (node) => terminalState(node, () => ({ returned: true })),
};
