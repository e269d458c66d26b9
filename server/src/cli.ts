#!/usr/bin/env node
// The `tenor` command: finds the subcommand, parses its options strictly,
// answers `--help`, and turns errors into messages and exit codes (0 done,
// 1 failed, 2 wrong command line or invalid configuration). The commands
// themselves are in cli/.

import { environmentVariables, type ConfigProblem } from './config/load.js';
import { CommandLineError, parseCommandLine } from './core/command-line.js';
import { loadConfig } from './services/index.js';
import { TenorError, isTenorError } from './core/errors.js';
import { version } from './server.js';
import type { Command } from './cli/command.js';
import { commands } from './cli/commands.js';
import { commandHelp, helpOption, overviewHelp, wrapUsage } from './cli/help.js';

const EXIT_USAGE = 2;
const EXIT_CONFIG = 2;

function find(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}

const overview = (): string => overviewHelp(commands, version, environmentVariables);

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(overview());
    return 0;
  }
  if (name === 'help') {
    const topic = rest[0] === undefined ? undefined : find(rest[0]);
    if (rest[0] !== undefined && !topic) throw new CommandLineError(`unknown command '${rest[0]}'`, '');
    console.log(topic ? commandHelp(topic) : overview());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(version);
    return 0;
  }
  const command = find(name);
  if (!command) throw new CommandLineError(`unknown command '${name}'`, '');
  const line = parseCommandLine(command.name, rest, { ...command.options, help: helpOption }, command.positionals);
  if (line.values['help'] === true) {
    console.log(commandHelp(command));
    return 0;
  }
  return command.run(line, rest);
}

/** The message for a wrong command line: the mistake, then how the command is used. */
function usageMessage(err: CommandLineError): string {
  const command = find(err.command);
  if (!command) return `tenor: ${err.message}\n\n${overview()}`;
  return [`tenor: ${err.message}`, ...wrapUsage(command.usage, undefined, 'usage: '), `Run 'tenor ${command.name} --help' for its options.`].join('\n');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (isTenorError(err, 'TENOR_ERR_CONFIG_INVALID')) {
      const problems = (err.details as ConfigProblem[] | undefined) ?? [];
      console.error('tenor: the configuration is invalid:');
      for (const p of problems) console.error(`  ${p.source}: ${p.message}`);
      process.exit(EXIT_CONFIG);
    }
    if (err instanceof CommandLineError) {
      console.error(usageMessage(err));
      process.exit(EXIT_USAGE);
    }
    console.error(`tenor: ${err instanceof TenorError ? `${err.code}: ` : ''}${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
