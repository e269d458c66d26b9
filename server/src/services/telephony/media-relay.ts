// The site's external media relay (rtp.relay): rtpengine's ng control socket,
// a daemon the operator runs. The embedded engine moves bridges that need no
// media work onto it (engine option mediaRelay); Tenor only asks it to open and
// delete one "call" per bridge. At start the relay must answer a ping, or the
// telephony service does not start: a site that names a relay it cannot reach
// is misconfigured, and carrying on would put every bridge back on Tenor's own
// relay without anyone noticing.
import type { Logger } from 'pino';
import { connectRtpengine, rtpenginePath, type MediaPath, type RtpengineClient } from '@tenor/telephony';
import type { TenorConfig } from '../../config/schema.js';
import type { ServiceHealth } from '../../core/service-manager.js';

export interface MediaRelayLink {
  readonly path: MediaPath;
  /** 'ok' while the relay answers a ping; 'degraded' when it does not (bridges then stay on Tenor's relay). */
  health(): Promise<ServiceHealth>;
  close(): Promise<void>;
}

/** A health check's ping waits this long: under the service manager's 2 s health bound. */
const HEALTH_PING_MS = 1_000;

export async function connectMediaRelay(relay: NonNullable<TenorConfig['rtp']['relay']>, logger: Logger): Promise<MediaRelayLink> {
  const log = logger.child({ mediaRelay: relay.engine });
  let client: RtpengineClient;
  try {
    client = await connectRtpengine({ address: relay.address, port: relay.port, logger: log });
  } catch (err) {
    throw new Error(`rtp.relay: ${(err as Error).message} (start rtpengine with --listen-ng=${relay.address}:${relay.port}, or remove rtp.relay)`);
  }
  log.info({ address: relay.address, port: relay.port }, 'media relay answers');
  const describe = `rtpengine media relay at ${client.target}`;
  return {
    path: rtpenginePath(client, { logger: log }),
    async health() {
      try {
        await client.ping(HEALTH_PING_MS);
        return { status: 'ok', detail: `${describe} answering` };
      } catch (err) {
        return { status: 'degraded', detail: `${describe} not answering (${(err as Error).message}); bridges stay on Tenor's relay` };
      }
    },
    close: () => client.close(),
  };
}
