// FreeSWITCH as the telephony service builds it (telephony.driver: freeswitch):
// managed, Tenor starts a FreeSWITCH from a build's prefix in a folder under
// its data dir, on sip.bind/sip.port and the rtp range, and stops it with the
// service; external, Tenor connects to the event socket of one that runs
// already. Either way Tenor serves FreeSWITCH its directory over mod_xml_curl
// (the phones' digest material from the SIP credentials service, the trunks
// as gateways and ACL), so users, devices and trunks are managed in Tenor
// alone, and the rest of Tenor sees the driver contract only.

import path from 'node:path';
import type { Logger } from 'pino';
import {
  FreeSwitchDriver, RelayDirectory, startFreeSwitch, startFreeSwitchXmlServer,
  type FreeSwitchDriverConfig, type FreeSwitchXmlServer, type TrunkConfig as EngineTrunk,
} from '@tenor/telephony';
import type { TenorConfig } from '../../config/schema.js';
import type { SipCredentialsService } from '../sip-credentials/index.js';
import { engineTrunk } from '../trunks/index.js';
import type { FreeSwitchMode } from './config-schema.js';
import { credentialsFrom } from './credentials.js';
import { configProblem, missingBuild, owning, reason, stopAll, wildcardBind } from './managed-engines.js';

function splitListen(listen: string): { address: string; port: number } {
  const colon = listen.lastIndexOf(':');
  return { address: listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(listen.slice(colon + 1)) };
}

/** Starts (managed) or connects to (external) FreeSWITCH and returns the connected driver. */
export async function createFreeSwitchDriver(
  config: TenorConfig, settings: FreeSwitchMode, devices: SipCredentialsService, logger: Logger,
): Promise<FreeSwitchDriver> {
  // The site file's trunks; the trunks service then applies those edited through the API (setTrunks).
  const trunks: EngineTrunk[] = config.site.trunks.map(engineTrunk);
  let driver: FreeSwitchDriver | undefined;
  // The directory serves the browser phones' relay secrets too (relay-directory.ts): the /sip relay answers FreeSWITCH's challenges with them.
  const directory = new RelayDirectory(credentialsFrom(devices), devices.realm);
  const startXml = async (xmlCurl: { listen: string; password?: string }): Promise<FreeSwitchXmlServer> => startFreeSwitchXmlServer({
    ...splitListen(xmlCurl.listen),
    ...(xmlCurl.password !== undefined ? { password: xmlCurl.password } : {}),
    credentials: directory,
    domain: devices.realm,
    // Read at each lookup: the trunks as the driver has them now.
    trunks: () => driver?.trunks ?? trunks,
    logger,
  });
  const stoppers: (() => Promise<void>)[] = [];
  try {
    if (settings.mode === 'external') {
      const xml = settings.xmlCurl && await startXml(settings.xmlCurl);
      if (xml) stoppers.push(() => xml.stop());
      driver = owning(new FreeSwitchDriver({
        trunks, logger, eventSocket: settings.eventSocket, profile: settings.profile, sipAddress: settings.sipAddress, sipPort: settings.sipPort,
        ...(xml ? { domain: devices.realm } : {}),
        // Browser phones: its ws-binding, with the relay's secrets in the directory Tenor serves it.
        ...(xml && settings.webSocket !== undefined ? { webSocket: { url: settings.webSocket, directory } } : {}),
      }), stoppers);
      await driver.start().catch((err: unknown) => {
        throw configProblem(`telephony.freeswitch.eventSocket: cannot reach FreeSWITCH at ${settings.eventSocket.host}:${settings.eventSocket.port}: ${reason(err)}`);
      });
      return driver;
    }

    const wrong = missingBuild('freeswitch', settings.prefix) ?? wildcardBind(config);
    if (wrong !== undefined) throw configProblem(wrong);
    const xml = await startXml(settings.xmlCurl);
    stoppers.push(() => xml.stop());
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
      xmlCurl: xml.binding,
      domain: devices.realm,
      // Browser phones: /sip is relayed to this binding on the loopback.
      webSocket: true,
      logger,
    });
    // The process stops before the server it asks for its directory.
    stoppers.unshift(() => engine.stop());
    driver = owning(new FreeSwitchDriver({
      trunks, logger, eventSocket: engine.eventSocket, profile: engine.profile, domain: devices.realm,
      sipAddress: config.sip.publicAddress, sipPort: engine.sipPort,
      // FreeSWITCH writes the audio Tenor's answering-machine detector reads here.
      workDir: path.join(folder, 'temp'),
      ...(engine.webSocketUrl !== undefined ? { webSocket: { url: engine.webSocketUrl, directory } } : {}),
    }), stoppers);
    await driver.start();
    logger.info({ pid: engine.pid, sipPort: engine.sipPort, folder, startMs: engine.startMs }, 'FreeSWITCH started for this site');
    return driver;
  } catch (err) {
    // Nothing started here outlives a failed start.
    await stopAll(stoppers).catch((stopErr: unknown) => logger.warn({ err: stopErr }, 'cleaning up after a failed FreeSWITCH start failed'));
    throw err;
  }
}
