// The `tenor` subcommands, in the order `tenor --help` lists them. A new
// command is a module in this folder and a line here.

import { backupCommand } from './backup.js';
import { checkConfigCommand } from './check-config.js';
import { checkFlowCommand } from './check-flow.js';
import { checkScriptCommand } from './check-script.js';
import type { Command } from './command.js';
import { importListCliCommand } from './import-list.js';
import { migrateCommand } from './migrate.js';
import { recordingsCommand } from './recordings.js';
import { restoreCommand } from './restore.js';
import { rotateSealingKeyCommand } from './rotate-sealing-key.js';
import { simulateDialerCliCommand } from './simulate-dialer.js';
import { simulateFlowCommand } from './simulate-flow.js';
import { startCommand } from './start.js';

export const commands: readonly Command[] = [
  startCommand,
  migrateCommand,
  backupCommand,
  restoreCommand,
  rotateSealingKeyCommand,
  recordingsCommand,
  checkScriptCommand,
  importListCliCommand,
  checkFlowCommand,
  simulateFlowCommand,
  simulateDialerCliCommand,
  checkConfigCommand,
];
