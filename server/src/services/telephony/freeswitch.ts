// FreeSWITCH as the telephony service builds it (telephony.driver: freeswitch):
// managed, Tenor starts a FreeSWITCH from a build's prefix in a folder under
// its data dir, on sip.bind/sip.port and the rtp range, and stops it with the
// service; external, Tenor connects to the event socket of one that runs
// already. Either way the rest of Tenor sees the driver contract alone.

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import {
  FreeSwitchDriver, startFreeSwitch, type FreeSwitchDriverConfig, type FsGateway, type RunningFreeSwitch,
} from '@tenor/telephony';
import type { TenorConfig } from '../../config/schema.js';
import { TenorError } from '../../core/errors.js';
import { engineTrunk } from '../trunks/index.js';
import type { FreeSwitchMode } from './config-schema.js';

/** A driver that owns the FreeSWITCH process under it: stopping the driver stops the process too. */
class ManagedFreeSwitchDriver extends FreeSwitchDriver {
  readonly #engine: RunningFreeSwitch;

  constructor(cfg: FreeSwitchDriverConfig, engine: RunningFreeSwitch) {
    super(cfg);
    this.#engine = engine;
  }

  override async stop(): Promise<void> {
    try {
      await super.stop();
    } finally {
      await this.#engine.stop();
    }
  }
}

/** The site's trunks as the engine sees them: calls from their addresses are trunk calls; numbers go out through their gateway. */
function driverTrunks(config: TenorConfig): NonNullable<FreeSwitchDriverConfig['trunks']> {
  return config.site.trunks.map((t) => ({ name: t.name, inboundAddresses: t.inboundAddresses ?? [t.host] }));
}

function gateways(config: TenorConfig): FsGateway[] {
  return config.site.trunks.map((t) => {
    const e = engineTrunk(t);
    return {
      name: e.name, host: e.host, port: e.port, transport: e.transport,
      ...(e.username !== undefined ? { username: e.username } : {}),
      ...(e.password !== undefined ? { password: e.password } : {}),
      ...(e.register !== undefined ? { register: e.register } : {}),
    };
  });
}

function problem(message: string): TenorError {
  return new TenorError('TENOR_ERR_CONFIG_INVALID', [message]);
}

/** Checks what only the running machine can say about a managed FreeSWITCH: the build is there, the address is one. */
export function managedProblems(config: TenorConfig, prefix: string): string | undefined {
  if (!existsSync(path.join(prefix, 'bin', 'freeswitch'))) {
    return `telephony.freeswitch.prefix: no FreeSWITCH build at ${prefix} (bin/freeswitch is missing); scripts/build-freeswitch.sh builds one and prints its prefix`;
  }
  if (config.sip.bind === '0.0.0.0' || config.sip.bind === '::') {
    return `sip.bind: a FreeSWITCH Tenor starts listens on one address, not on all (${config.sip.bind}); set sip.bind to the address phones and trunks reach`;
  }
  return undefined;
}

/** Starts (managed) or connects to (external) FreeSWITCH and returns the connected driver. */
export async function createFreeSwitchDriver(config: TenorConfig, settings: FreeSwitchMode, logger: Logger): Promise<FreeSwitchDriver> {
  const common = { trunks: driverTrunks(config), logger } satisfies Partial<FreeSwitchDriverConfig>;
  if (settings.mode === 'external') {
    const driver = new FreeSwitchDriver({
      ...common, eventSocket: settings.eventSocket, profile: settings.profile, sipAddress: settings.sipAddress, sipPort: settings.sipPort,
    });
    await driver.start().catch((err: unknown) => {
      throw problem(`telephony.freeswitch.eventSocket: cannot reach FreeSWITCH at ${settings.eventSocket.host}:${settings.eventSocket.port}: ${err instanceof Error ? err.message : String(err)}`);
    });
    return driver;
  }

  const wrong = managedProblems(config, settings.prefix);
  if (wrong !== undefined) throw problem(wrong);
  const folder = path.join(config.dataDir, 'freeswitch');
  const engine = await startFreeSwitch({
    prefix: settings.prefix,
    folder,
    address: config.sip.bind,
    publicAddress: config.sip.publicAddress,
    // Tenor and the FreeSWITCH it starts share the host: the event socket stays on the loopback.
    eventSocketAddress: '127.0.0.1',
    ...(config.sip.port !== 0 ? { sipPort: config.sip.port } : {}),
    rtpPorts: { min: config.rtp.portMin, max: config.rtp.portMax },
    profile: settings.profile,
    gateways: gateways(config),
    logger,
  });
  const driver = new ManagedFreeSwitchDriver({
    ...common, eventSocket: engine.eventSocket, profile: engine.profile, sipAddress: config.sip.publicAddress, sipPort: engine.sipPort,
    // FreeSWITCH writes the audio Tenor's answering-machine detector reads here.
    workDir: path.join(folder, 'temp'),
  }, engine);
  try {
    await driver.start();
  } catch (err) {
    await engine.stop();
    throw err;
  }
  logger.info({ pid: engine.pid, sipPort: engine.sipPort, folder, startMs: engine.startMs }, 'FreeSWITCH started for this site');
  return driver;
}
