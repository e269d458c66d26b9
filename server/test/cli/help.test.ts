// `tenor --help`, each `tenor <command> --help`, and wrong command lines, as a
// user meets them: real processes, help within 100 columns, exit 2 naming the
// option, and `npx tenor` from the checkout root (never fetched from the registry:
// --yes=false fails instead of installing).

import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runTenor, type TenorRun } from './run-tenor.js';

// About thirty runs of the whole command: more than the default bound on a busy machine.
t.setTimeout(600_000);

const COMMANDS = [
  'start',
  'migrate',
  'backup',
  'restore',
  'rotate-sealing-key',
  'recordings',
  'check-script',
  'import-list',
  'check-flow',
  'simulate-flow',
  'simulate-dialer',
  'check-config',
] as const;

/** Runs `count` jobs at a time: each run loads the whole server, and the machine may be busy. */
async function inBatches<T>(jobs: readonly (() => Promise<T>)[], count = 3): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < jobs.length; i += count) results.push(...(await Promise.all(jobs.slice(i, i + count).map((job) => job()))));
  return results;
}

function longLines(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 100);
}

t.test('tenor --help lists every command, within 100 columns', async (t) => {
  const help = await runTenor(['--help']);
  t.equal(help.code, 0, help.stderr);
  for (const name of COMMANDS) t.match(help.stdout, `\n  tenor ${name}`, `lists ${name}`);
  t.same(longLines(help.stdout), [], 'no line over 100 columns');
});

t.test('each command answers --help with its own help and exit 0', async (t) => {
  const runs = await inBatches<TenorRun>(COMMANDS.map((name) => () => runTenor([name, '--help'])));
  COMMANDS.forEach((name, i) => {
    const r = runs[i] as TenorRun;
    t.equal(r.code, 0, `${name} --help exits 0 ${r.stderr}`);
    t.match(r.stdout, new RegExp(`^usage: tenor ${name}\\b`), `${name}: its usage first`);
    t.match(r.stdout, /\n {2}-h, --help +show this help/, `${name}: lists its options`);
    t.same(longLines(r.stdout), [], `${name}: no line over 100 columns`);
  });
  const short = await runTenor(['simulate-flow', '-h']);
  t.equal(short.code, 0, short.stderr);
  t.match(short.stdout, /--caller NUM +the caller's number/);
});

t.test('an unknown option is exit 2, naming the option and the command, with the usage', async (t) => {
  const runs = await inBatches<TenorRun>(COMMANDS.map((name) => () => runTenor([name, '--no-such-option'])));
  COMMANDS.forEach((name, i) => {
    const r = runs[i] as TenorRun;
    t.equal(r.code, 2, `${name}: exit 2`);
    t.match(r.stderr, `tenor: unknown option --no-such-option for ${name}\nusage: tenor ${name}`, name);
    t.same(longLines(r.stderr), [], `${name}: no line over 100 columns`);
  });
});

t.test('an option without its value is exit 2, naming the option', async (t) => {
  const cases = [
    ['simulate-dialer', '--seed'],
    ['simulate-flow', 'flow.yaml', '--caller'],
    ['import-list', 'list.csv', '--map'],
  ] as const;
  const runs = await inBatches<TenorRun>(cases.map((args) => () => runTenor([...args])));
  cases.forEach((args, i) => {
    const r = runs[i] as TenorRun;
    const option = args[args.length - 1] as string;
    t.equal(r.code, 2, `${args.join(' ')}: exit 2`);
    t.match(r.stderr, `tenor: option ${option} needs a value\nusage: tenor ${args[0]}`, args.join(' '));
  });
  const flag = await runTenor(['start', '--demo=yes']);
  t.equal(flag.code, 2);
  t.match(flag.stderr, 'tenor: option --demo takes no value');
});

t.test('npx tenor --help works from the checkout root', async (t) => {
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  const r = await new Promise<TenorRun>((resolve, reject) => {
    const child = spawn('npx', ['--yes=false', 'tenor', '--help'], { cwd: repo, env: { ...process.env, TENOR_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^tenor \d+\.\d+\.\d+: contact-center communication server/);
  t.match(r.stdout, '\n  tenor simulate-dialer [--seed N]');
});
