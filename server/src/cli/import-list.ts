// `tenor import-list FILE --list NAME --map ...`: imports a CSV into a calling list.

import { importListCommand, importListOptions, importListUsage } from '../services/campaigns/cli-import.js';
import type { Command } from './command.js';

export const importListCliCommand: Command = {
  name: 'import-list',
  usage: importListUsage,
  summary: 'import a CSV into a calling list (customers created/updated in the CRM); prints progress and invalid rows, exits 1 if any',
  details: 'Works on the store and the CRM only (no SIP, no HTTP). Rows with an invalid number are listed with their line.',
  options: importListOptions,
  positionals: true,
  run: (_line, args) => importListCommand(args),
};
