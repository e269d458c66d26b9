// Command-line options of the `tenor` subcommands, parsed strictly with
// node:util parseArgs. Each option carries its help text so a command's
// `--help` and its parser come from one declaration. A wrong command line
// becomes a CommandLineError naming the option: the CLI prints it with the
// command's usage and exits 2.

import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The option may be given more than once; its values are collected in order. */
  multiple?: boolean;
  /** How help shows the value, e.g. `N` or `FILE` (string options only). */
  value?: string;
  help: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type OptionValue = string | boolean | (string | boolean)[] | undefined;

export interface CommandLine {
  values: Record<string, OptionValue>;
  positionals: string[];
}

/** A command line the command cannot run: exit 2 with the command's usage. */
export class CommandLineError extends Error {
  constructor(
    message: string,
    /** The subcommand whose usage explains the mistake. */
    readonly command: string,
  ) {
    super(message);
    this.name = 'CommandLineError';
  }
}

export function parseCommandLine(command: string, args: readonly string[], options: OptionSpecs, allowPositionals: boolean): CommandLine {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries(options)) {
    config[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: config, allowPositionals, strict: true });
    return { values, positionals };
  } catch (err) {
    throw commandLineError(err, command);
  }
}

/** parseArgs' errors restated with the option and the command named; other errors pass through. */
function commandLineError(err: unknown, command: string): unknown {
  if (!(err instanceof Error) || !('code' in err) || typeof err.code !== 'string') return err;
  const option = /'(-{1,2}[^'\s<,]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new CommandLineError(`unknown option ${option ?? err.message} for ${command}`, command);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (option === undefined) return new CommandLineError(err.message, command);
      if (err.message.includes('does not take an argument')) return new CommandLineError(`option ${option} takes no value`, command);
      if (err.message.includes('ambiguous')) {
        return new CommandLineError(`option ${option} needs a value (for a value starting with '-', write ${option}=VALUE)`, command);
      }
      return new CommandLineError(`option ${option} needs a value`, command);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /'([^']*)'/.exec(err.message)?.[1] ?? '';
      return new CommandLineError(`unexpected argument '${arg}' for ${command}`, command);
    }
    default:
      return err;
  }
}

/** The last value of a string option, if given. */
export function stringOption(line: CommandLine, name: string): string | undefined {
  const v = line.values[name];
  if (Array.isArray(v)) {
    const last = v[v.length - 1];
    return typeof last === 'string' ? last : undefined;
  }
  return typeof v === 'string' ? v : undefined;
}

/** Every value of a repeatable string option, in the order given. */
export function stringOptions(line: CommandLine, name: string): string[] {
  const v = line.values[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

export function flagOption(line: CommandLine, name: string): boolean {
  return line.values[name] === true;
}
