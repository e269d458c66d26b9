// `tenor check-flow FILE...`: checks IVR flows before they go live.

import { CommandLineError } from '../core/command-line.js';
import { CHECK_FLOW_USAGE, checkFlowFiles } from '../services/ivr/flow/cli.js';
import type { Command } from './command.js';

export const checkFlowCommand: Command = {
  name: 'check-flow',
  usage: CHECK_FLOW_USAGE,
  summary: 'check IVR flows (YAML/JSON); prints file:line:column: node: problem, exits 1 on any',
  details:
    'With TENOR_CONFIG set, the queues, flows, agents and voicemail boxes a flow names are checked against ' +
    'the site file; prompts against the built-in and uploaded sets. Flows checked together may call each other as subflows.',
  options: {},
  positionals: true,
  async run({ positionals: files }) {
    if (files.length === 0) throw new CommandLineError('check-flow needs at least one FILE', 'check-flow');
    return checkFlowFiles(files);
  },
};
