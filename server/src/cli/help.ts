// Help text for `tenor --help` and `tenor <command> --help`, wrapped to fit a
// terminal of 100 columns.

import type { OptionSpec } from '../core/command-line.js';
import type { Command } from './command.js';

export const HELP_WIDTH = 100;

/** Words of `text` in lines of at most `width` columns, each line after the first starting with `indent`. */
export function wrap(text: string, width: number, firstIndent: string, indent: string = firstIndent): string[] {
  return wrapWords(text.split(/\s+/).filter(Boolean), width, firstIndent, indent);
}

/** A usage line wrapped between its parts, keeping `[--seed N]` and the like whole. */
export function wrapUsage(usage: string, width: number = HELP_WIDTH, prefix = ''): string[] {
  const parts = usage.match(/\[[^\]]*\](?:\.\.\.)?|\S+/g) ?? [];
  // Continuation lines start under the command's first argument.
  const head = parts.slice(0, 2).join(' ');
  return wrapWords([head, ...parts.slice(2)], width, prefix, ' '.repeat(prefix.length + head.length + 1));
}

function wrapWords(words: readonly string[], width: number, firstIndent: string, indent: string): string[] {
  const lines: string[] = [];
  let line = firstIndent;
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line += (empty ? '' : ' ') + word;
    empty = false;
  }
  lines.push(line);
  return lines;
}

function optionLabel(name: string, o: OptionSpec): string {
  const short = o.short ? `-${o.short}, ` : '    ';
  return `${short}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
}

/** Two columns: labels, then their text wrapped beside them. */
function columns(rows: readonly (readonly [string, string])[], maxLabel = 30): string[] {
  const labelWidth = Math.min(maxLabel, Math.max(...rows.map(([label]) => label.length)));
  const indent = ' '.repeat(2 + labelWidth + 2);
  return rows.flatMap(([label, text]) =>
    label.length > labelWidth
      ? [`  ${label}`, ...wrap(text, HELP_WIDTH, indent)]
      : wrap(text, HELP_WIDTH, `  ${label.padEnd(labelWidth)}  `, indent),
  );
}

export const helpOption: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };

/** `tenor <command> --help`. */
export function commandHelp(command: Command): string {
  const options = Object.entries({ ...command.options, help: helpOption });
  return [
    ...wrapUsage(command.usage, HELP_WIDTH, 'usage: '),
    '',
    ...wrap(command.summary, HELP_WIDTH, ''),
    ...(command.details ? ['', ...command.details.split('\n\n').flatMap((p, i) => [...(i ? [''] : []), ...wrap(p, HELP_WIDTH, '')])] : []),
    '',
    'Options:',
    ...columns(options.map(([name, o]) => [optionLabel(name, o), o.help])),
  ].join('\n');
}

/** `tenor --help`: the commands with their usage and summary, and the environment. */
export function overviewHelp(commands: readonly Command[], version: string, environment: Readonly<Record<string, string>>): string {
  return [
    `tenor ${version}: contact-center communication server`,
    '',
    'Usage: tenor COMMAND [ARGUMENTS]; `tenor COMMAND --help` explains a command and its options.',
    '',
    'Commands:',
    ...commands.flatMap((c) => [...wrapUsage(c.usage, HELP_WIDTH, '  '), ...wrap(c.summary, HELP_WIDTH, '      ')]),
    '  tenor --help',
    '      this help',
    '  tenor --version',
    '      print the version',
    '',
    'Environment:',
    ...columns(Object.entries(environment)),
    '',
    'Docs: docs/operating.md and docs/configuration.md',
  ].join('\n');
}
