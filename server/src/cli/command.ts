// What every `tenor` subcommand declares: its usage line, a one-line summary
// for `tenor --help`, its options (parsed strictly, shown by `--help`) and
// the body that runs once the command line is valid.

import type { CommandLine, OptionSpecs } from '../core/command-line.js';

export interface Command {
  name: string;
  /** The full usage line, e.g. `tenor check-config [FILE]`. */
  usage: string;
  /** One line for `tenor --help`. */
  summary: string;
  /** More about the command for its own `--help`: arguments, output, exit codes. */
  details?: string;
  options: OptionSpecs;
  /** Whether the command takes arguments that are not options (files). */
  positionals: boolean;
  /**
   * Runs the command on a valid command line. `args` is the command line as given,
   * for bodies that parse it themselves (they are also called from tests).
   */
  run(line: CommandLine, args: readonly string[]): Promise<number>;
}
