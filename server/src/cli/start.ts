// `tenor start [--demo]`: runs the server until SIGTERM or SIGINT and prints
// where to reach it.

import { loadConfig } from '../services/index.js';
import { flagOption } from '../core/command-line.js';
import { createLogger } from '../core/logger.js';
import { seedDemo, DEMO_DEVICE_SECRET, DEMO_PASSWORD } from '../demo/seed.js';
import { startServer, version } from '../server.js';
import type { Command } from './command.js';

export const startCommand: Command = {
  name: 'start',
  usage: 'tenor start [--demo]',
  summary: 'start the server (embedded SIP engine, SQLite); --demo seeds a demo site',
  details:
    'Runs until SIGTERM or Ctrl-C, then lets calls finish (up to TENOR_SHUTDOWN_GRACE_SECONDS) and exits 0; ' +
    'a second signal exits at once with 1. Configuration comes from the environment (below in `tenor --help`) ' +
    'and the site file in TENOR_CONFIG.',
  options: {
    demo: { type: 'boolean', help: 'seed a demo site: users, softphones, an IVR flow, voicemail and a campaign' },
  },
  positionals: false,
  run: async (line) => start(flagOption(line, 'demo')),
};

async function start(demo: boolean): Promise<number> {
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
  const telephony = server.services.get('telephony');
  const tlsPort = 'sipTlsPort' in telephony && typeof telephony.sipTlsPort === 'number' ? telephony.sipTlsPort : undefined;
  if (tlsPort !== undefined) lines.splice(5, 0, `  SIP TLS:   sip:${config.sip.publicAddress}:${tlsPort};transport=tls`);
  const generated = server.services.get('users').generatedAdminPassword;
  if (generated) lines.push(`  Admin:     user 'admin', password '${generated}' (generated now and shown only once)`);
  if (demo) {
    const seeded = await seedDemo(server.services);
    lines.push(`  Demo:      users ${seeded.users.join(', ')}; password '${DEMO_PASSWORD}'`);
    if (seeded.ivr) lines.push(`  IVR:       ${seeded.ivr}`);
    if (seeded.voicemail) lines.push(`  Voicemail: ${seeded.voicemail}`);
    if (seeded.softphones) lines.push(`  Phones:    ${seeded.softphones.join(', ')} register with device secret '${DEMO_DEVICE_SECRET}'`);
    if (seeded.campaign) lines.push(`  Campaign:  ${seeded.campaign}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return await new Promise<number>(() => undefined); // runs until a signal
}
