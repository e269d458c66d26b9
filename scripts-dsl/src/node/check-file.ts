/**
 * Node-only: reading a script file and the `tenor check-script` command.
 * Kept apart so the pure modules never pull in node:fs.
 */
import { readFile } from 'node:fs/promises';
import { DEFAULT_CATALOGUE } from '../catalogue.js';
import type { FieldCatalogue } from '../catalogue.js';
import { findProblems } from '../compile.js';
import type { Problem } from '../model.js';

/** Every problem of one script file; a file that cannot be read is a problem at 1:1. */
export async function checkScriptFile(path: string, catalogue: FieldCatalogue = DEFAULT_CATALOGUE): Promise<Problem[]> {
  let xml: string;
  try {
    xml = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [{ line: 1, column: 1, message: `cannot read the file: ${reason}` }];
  }
  return findProblems(xml, { catalogue });
}

export interface CommandOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

const USAGE = 'usage: tenor check-script [--catalogue catalogue.json] FILE...';

/**
 * `tenor check-script FILE...`: prints `file:line:column: message` per
 * problem on stderr, `file: ok` per clean file on stdout. Exit code 0 when
 * every file is clean, 1 when any has a problem, 2 on a usage error.
 */
export async function checkScriptCommand(
  args: readonly string[],
  output: CommandOutput = { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
): Promise<number> {
  const files: string[] = [];
  let catalogue: FieldCatalogue = DEFAULT_CATALOGUE;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--catalogue') {
      const loaded = await readCatalogue(args[i + 1]);
      if (typeof loaded === 'string') {
        output.err(loaded);
        return 2;
      }
      catalogue = loaded;
      i++;
    } else if (arg === '--help' || arg === '-h') {
      output.out(USAGE);
      return 0;
    } else if (arg.startsWith('-')) {
      output.err(`unknown option ${arg}\n${USAGE}`);
      return 2;
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) {
    output.err(USAGE);
    return 2;
  }
  let failed = false;
  for (const file of files) {
    const problems = await checkScriptFile(file, catalogue);
    for (const problem of problems) output.err(`${file}:${problem.line}:${problem.column}: ${problem.message}`);
    if (problems.length === 0) output.out(`${file}: ok`);
    else failed = true;
  }
  return failed ? 1 : 0;
}

/** A catalogue file is JSON: { "customer": ["name", "segment", "custom.*"], ... }. */
async function readCatalogue(path: string | undefined): Promise<FieldCatalogue | string> {
  if (path === undefined) return `--catalogue needs a file\n${USAGE}`;
  try {
    const data: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return `${path}: a catalogue is a JSON object of root → field names`;
    const catalogue: Record<string, string[]> = {};
    for (const [root, fields] of Object.entries(data)) {
      if (!Array.isArray(fields) || !fields.every((f): f is string => typeof f === 'string')) return `${path}: '${root}' must list field names as strings`;
      catalogue[root] = fields;
    }
    return catalogue;
  } catch (error) {
    return `${path}: cannot read the catalogue: ${error instanceof Error ? error.message : String(error)}`;
  }
}
