#!/usr/bin/env node
// The `tenor` command. Each subcommand is a small function; later components add theirs to `commands`.

import { environmentVariables } from './config/load.js';
import { loadConfig } from './services/index.js';
import { TenorError, isTenorError } from './core/errors.js';
import { createLogger } from './core/logger.js';
import { startServer, version } from './server.js';
import { seedDemo, DEMO_DEVICE_SECRET, DEMO_PASSWORD } from './demo/seed.js';
import { SqliteDatabase } from './store/sqlite.js';
import { migrations } from './store/migrations/index.js';
import { databaseFile } from './services/store.js';
import { rotateSealingKey } from './core/sealed-box.js';
import type { ConfigProblem } from './config/load.js';
import { checkScriptFile } from '@tenor/scripts-dsl/node';
import { loadModel } from './services/crm/model.js';
import { defaultModelFile } from './services/crm/index.js';
import { catalogueFromModel } from './services/scripts/catalogue.js';
import { simulateDialerCommand, simulateDialerSummary, simulateDialerUsage } from './services/campaigns/simulator/command.js';
import { importListCommand, importListUsage } from './services/campaigns/cli-import.js';
import { CHECK_FLOW_USAGE, SIMULATE_FLOW_USAGE, checkFlowFiles, simulateFlowFile } from './services/ivr/flow/cli.js';

interface Command {
  usage: string;
  summary: string;
  run(args: string[]): Promise<number>;
}

const EXIT_CONFIG = 2;

const commands: Record<string, Command> = {
  start: {
    usage: 'tenor start [--demo]',
    summary: 'start the server (embedded SIP engine, SQLite); --demo seeds a demo site',
    run: start,
  },
  migrate: {
    usage: 'tenor migrate',
    summary: 'apply database migrations and exit',
    async run() {
      const config = loadConfig();
      const db = new SqliteDatabase(databaseFile(config.dataDir));
      try {
        const applied = await db.migrate(migrations);
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
        console.log(`database: ${db.location}`);
      } finally {
        await db.close();
      }
      return 0;
    },
  },
  'rotate-sealing-key': {
    usage: 'tenor rotate-sealing-key',
    summary: 'add a new key to <dataDir>/sealing.key; device secrets and trunk passwords are sealed with it at the next start',
    async run() {
      const config = loadConfig();
      const box = rotateSealingKey(config.dataDir);
      console.log(`new sealing key ${box.currentKeyId}: restart Tenor to seal the stored secrets with it (older keys stay in the file to open older values)`);
      return 0;
    },
  },
  'check-script': {
    usage: 'tenor check-script FILE...',
    summary: 'check dialogue scripts (XML); prints file:line:column: problem, exits 1 on any',
    async run(files) {
      if (files.length === 0) throw usageError('check-script needs at least one FILE');
      // Field references are checked against this site's business-object model.
      const config = loadConfig();
      const catalogue = catalogueFromModel(loadModel(config.crm.model ?? defaultModelFile));
      let failed = false;
      for (const file of files) {
        const problems = await checkScriptFile(file, catalogue);
        for (const p of problems) console.error(`${file}:${p.line}:${p.column}: ${p.message}`);
        if (problems.length === 0) console.log(`${file}: ok`);
        failed ||= problems.length > 0;
      }
      return failed ? 1 : 0;
    },
  },
  'import-list': {
    usage: importListUsage,
    summary: 'import a CSV into a calling list (customers created/updated in the CRM); prints progress and invalid rows, exits 1 if any',
    run: (args) => importListCommand(args),
  },
  'check-flow': {
    usage: CHECK_FLOW_USAGE,
    summary: 'check IVR flows (YAML/JSON); prints file:line:column: node: problem, exits 1 on any',
    async run(files) {
      if (files.length === 0) throw usageError('check-flow needs at least one FILE');
      return checkFlowFiles(files);
    },
  },
  'simulate-flow': {
    usage: SIMULATE_FLOW_USAGE,
    summary: 'run an IVR flow without a phone: prints the nodes taken, the prompts and the outcome',
    run: (args) => simulateFlowFile(args),
  },
  'simulate-dialer': {
    usage: simulateDialerUsage,
    summary: simulateDialerSummary,
    run: (args) => simulateDialerCommand(args),
  },
  'check-config': {
    usage: 'tenor check-config [FILE]',
    summary: 'check the environment and a YAML site file (default: $TENOR_CONFIG) without starting',
    async run(args) {
      const env = args[0] ? { ...process.env, TENOR_CONFIG: args[0] } : process.env;
      const config = loadConfig(env);
      const s = config.site;
      console.log(
        `configuration OK${config.file ? ` (${config.file})` : ''}: ${s.trunks.length} trunks, ${s.agents.length} agents, ` +
          `${s.queues.length} queues, ${s.entryNumbers.length} entry numbers, ${s.flows.length} flows, ${config.services.length} extra services`,
      );
      return 0;
    },
  },
};

async function start(args: string[]): Promise<number> {
  const unknown = args.filter((a) => a !== '--demo');
  if (unknown.length) throw usageError(`unknown option ${unknown.join(' ')} for start`);
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const server = await startServer(config, { logger });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'signal received');
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const lines = [
    `Tenor ${version} is running`,
    `  Web:       ${server.httpUrl}/`,
    `  API docs:  ${server.httpUrl}/api/docs`,
    `  Health:    ${server.httpUrl}/health`,
    `  SIP:       sip:${config.sip.publicAddress}:${config.sip.port} (UDP and TCP)`,
    `  Data:      ${config.dataDir}`,
  ];
  const generated = server.services.get('users').generatedAdminPassword;
  if (generated) lines.push(`  Admin:     user 'admin', password '${generated}' (generated now and shown only once)`);
  if (args.includes('--demo')) {
    const demo = await seedDemo(server.services);
    lines.push(`  Demo:      users ${demo.users.join(', ')}; password '${DEMO_PASSWORD}'`);
    if (demo.ivr) lines.push(`  IVR:       ${demo.ivr}`);
    if (demo.voicemail) lines.push(`  Voicemail: ${demo.voicemail}`);
    if (demo.softphones) lines.push(`  Phones:    ${demo.softphones.join(', ')} register with device secret '${DEMO_DEVICE_SECRET}'`);
    if (demo.campaign) lines.push(`  Campaign:  ${demo.campaign}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return await new Promise<number>(() => undefined); // runs until a signal
}

function usageError(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

function help(): string {
  const width = Math.max(...Object.values(commands).map((c) => c.usage.length));
  return [
    `tenor ${version}: contact-center communication server`,
    '',
    'Usage:',
    ...Object.values(commands).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    `  ${'tenor --help'.padEnd(width)}  this help`,
    `  ${'tenor --version'.padEnd(width)}  print the version`,
    '',
    'Environment:',
    ...Object.entries(environmentVariables).map(([k, v]) => `  ${k.padEnd(29)} ${v}`),
    '',
    'Docs: docs/operating.md and docs/configuration.md',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(version);
    return 0;
  }
  const command = commands[name];
  if (!command) throw usageError(`unknown command '${name}'`);
  return command.run(rest);
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
    if (err instanceof Error && 'usage' in err) {
      console.error(`tenor: ${err.message}\n\n${help()}`);
      process.exit(EXIT_CONFIG);
    }
    console.error(`tenor: ${err instanceof TenorError ? `${err.code}: ` : ''}${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
