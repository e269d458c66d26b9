// drachtio as the telephony service builds it (telephony.driver: drachtio):
// drachtio-server is the SIP edge (phones register there with Tenor's device
// secrets, trunks end there) and FreeSWITCH carries the media. Each is managed
// (Tenor starts it from a build's prefix in a folder under its data dir and
// stops it with the service) or external (Tenor connects to one that runs
// already). A managed drachtio-server listens on sip.bind/sip.port, its
// application port on the loopback with a random secret; a managed FreeSWITCH
// listens on sip.bind on a free SIP port (only the edge sends it SIP) with its
// RTP on the site's rtp range, which phones and trunks send media to.

import path from 'node:path';
import type { Logger } from 'pino';
import {
  DrachtioDriver, startDrachtio, startFreeSwitch,
  type DrachtioDriverConfig, type TrunkConfig as EngineTrunk,
} from '@tenor/telephony';
import type { TenorConfig } from '../../config/schema.js';
import type { SipCredentialsService } from '../sip-credentials/index.js';
import { engineTrunk } from '../trunks/index.js';
import type { DrachtioMode, FreeSwitchMode } from './config-schema.js';
import { credentialsFrom } from './credentials.js';
import { configProblem, missingBuild, owning, reason, stopAll, wildcardBind } from './managed-engines.js';

/** What only the running machine can say about the engines Tenor starts: the builds are there, the address is one. */
function managedProblems(config: TenorConfig, edge: DrachtioMode, media: FreeSwitchMode): string | undefined {
  return (edge.mode === 'managed' ? missingBuild('drachtio', edge.prefix) : undefined)
    ?? (media.mode === 'managed' ? missingBuild('freeswitch', media.prefix) : undefined)
    ?? (edge.mode === 'managed' || media.mode === 'managed' ? wildcardBind(config) : undefined);
}

/** Starts (managed) or reaches (external) drachtio-server and FreeSWITCH and returns the connected driver. */
export async function createDrachtioDriver(
  config: TenorConfig, edge: DrachtioMode, media: FreeSwitchMode, devices: SipCredentialsService, logger: Logger,
): Promise<DrachtioDriver> {
  const wrong = managedProblems(config, edge, media);
  if (wrong !== undefined) throw configProblem(wrong);
  // The site file's trunks; the trunks service then applies those edited through the API (setTrunks).
  const trunks: EngineTrunk[] = config.site.trunks.map(engineTrunk);
  const stoppers: (() => Promise<void>)[] = [];
  try {
    let freeswitch: DrachtioDriverConfig['freeswitch'];
    let workDir: string | undefined;
    if (media.mode === 'managed') {
      const folder = path.join(config.dataDir, 'freeswitch');
      const engine = await startFreeSwitch({
        prefix: media.prefix,
        folder,
        // RTP on the address phones and trunks reach; SIP on a free port of it, which only the edge uses.
        address: config.sip.bind,
        publicAddress: config.sip.publicAddress,
        eventSocketAddress: '127.0.0.1',
        rtpPorts: { min: config.rtp.portMin, max: config.rtp.portMax },
        profile: media.profile,
        logger,
      });
      stoppers.unshift(() => engine.stop());
      freeswitch = { eventSocket: engine.eventSocket, profile: engine.profile, address: engine.address, port: engine.sipPort };
      // FreeSWITCH writes the audio Tenor's answering-machine detector reads here.
      workDir = path.join(folder, 'temp');
      logger.info({ pid: engine.pid, sipPort: engine.sipPort, folder, startMs: engine.startMs }, 'FreeSWITCH started for the drachtio edge');
    } else {
      freeswitch = { eventSocket: media.eventSocket, profile: media.profile, address: media.sipAddress, port: media.sipPort };
    }

    let server: DrachtioDriverConfig['drachtio'];
    let edgeAddress: DrachtioDriverConfig['edge'];
    if (edge.mode === 'managed') {
      const folder = path.join(config.dataDir, 'drachtio');
      const running = await startDrachtio({
        prefix: edge.prefix,
        folder,
        address: config.sip.bind,
        ...(config.sip.port !== 0 ? { sipPort: config.sip.port } : {}),
        // Tenor and the drachtio-server it starts share the host: applications connect on the loopback.
        adminAddress: '127.0.0.1',
        logger,
      });
      // Started after FreeSWITCH, stopped before it.
      stoppers.unshift(() => running.stop());
      server = running.admin;
      // FreeSWITCH, on this host, sends the calls Tenor places here.
      edgeAddress = { address: running.address, port: running.sipPort };
      logger.info({ pid: running.pid, sipPort: running.sipPort, folder, startMs: running.startMs }, 'drachtio-server started for this site');
    } else {
      server = edge.server;
      edgeAddress = { address: edge.sipAddress, port: edge.sipPort };
    }

    const driver = owning(new DrachtioDriver({
      drachtio: server,
      edge: edgeAddress,
      freeswitch,
      trunks,
      registrar: { realm: devices.realm, credentials: credentialsFrom(devices) },
      ...(workDir !== undefined ? { workDir } : {}),
      logger,
    }), stoppers);
    await driver.start().catch((err: unknown) => {
      throw configProblem(edge.mode === 'external'
        ? `telephony.drachtio.server: cannot reach drachtio-server at ${edge.server.host}:${edge.server.port} or FreeSWITCH: ${reason(err)}`
        : `telephony.drachtio: the drachtio driver did not start: ${reason(err)}`);
    });
    return driver;
  } catch (err) {
    // Nothing started here outlives a failed start.
    await stopAll(stoppers).catch((stopErr: unknown) => logger.warn({ err: stopErr }, 'cleaning up after a failed drachtio start failed'));
    throw err;
  }
}
