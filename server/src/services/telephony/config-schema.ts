// The `telephony:` section of the site file: which engine carries the calls
// (the embedded one by default) and how Tenor reaches FreeSWITCH and
// drachtio-server when it uses them. docs/configuration.md,
// docs/telephony/freeswitch.md and docs/telephony/drachtio.md document every key. A leaf module: the service catalogue lists telephonyConfigSection.

import { Type, type Static } from '@sinclair/typebox';
import { defineConfigSection, type SectionProblem } from '../../core/config-section.js';

const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const Host = Type.String({ minLength: 1, pattern: '^[A-Za-z0-9.:_-]+$' });
const Listen = Type.String({
  pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$',
  description: "'host:port' (IPv6 in brackets); port 0 picks a free one",
});

export const TELEPHONY_DRIVERS = ['embedded', 'freeswitch', 'drachtio'] as const;
export type TelephonyDriverName = (typeof TELEPHONY_DRIVERS)[number];

export const FreeSwitchSettingsSchema = Type.Object(
  {
    /** Managed: the install prefix of a FreeSWITCH build (bin/freeswitch); Tenor starts it on sip.bind, sip.port and the rtp range, and stops it. */
    prefix: Type.Optional(Type.String({ minLength: 1 })),
    /** External: the event socket of a FreeSWITCH that runs already (mod_event_socket). */
    eventSocket: Type.Optional(Type.Object(
      { host: Host, port: Port, password: Type.String({ minLength: 1 }) },
      { additionalProperties: false },
    )),
    /** The sofia profile calls arrive on and leave by, also its dialplan context (default 'tenor'). */
    profile: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' })),
    /** External: the SIP address and port of that profile (default: the event socket's host, 5060). */
    sipAddress: Type.Optional(Host),
    sipPort: Type.Optional(Port),
    /**
     * Where Tenor serves FreeSWITCH's mod_xml_curl (the phones' digest material, the trunks as gateways and ACL),
     * and the password FreeSWITCH sends as user 'freeswitch'. Managed: default 127.0.0.1 on a free port and a
     * random password. External: both required, and the same in that FreeSWITCH's xml_curl.conf.
     */
    xmlCurl: Type.Optional(Type.Object(
      { listen: Listen, password: Type.Optional(Type.String({ minLength: 16, description: 'at least 16 characters' })) },
      { additionalProperties: false },
    )),
    /**
     * External: the profile's SIP WebSocket binding (ws-binding, e.g. ws://10.0.0.5:5066) that Tenor relays
     * browser phones' /sip to; reachable by Tenor only. Needs xmlCurl (the relay's secrets are served there).
     * Managed: Tenor adds one on 127.0.0.1 itself.
     */
    webSocket: Type.Optional(Type.String({ pattern: '^wss?://[^/\\s]+/?$', description: 'ws://host:port or wss://host:port' })),
  },
  { additionalProperties: false },
);

export const DrachtioSettingsSchema = Type.Object(
  {
    /** Managed: the install prefix of a drachtio-server build (bin/drachtio); Tenor starts it on sip.bind and sip.port as the SIP edge. */
    prefix: Type.Optional(Type.String({ minLength: 1 })),
    /** External: the application (admin) port and secret of a drachtio-server that runs already. */
    server: Type.Optional(Type.Object(
      { host: Host, port: Port, secret: Type.String({ minLength: 1 }) },
      { additionalProperties: false },
    )),
    /** External: the SIP address and port of that drachtio-server, phones' and trunks' edge (default: the server's host, 5060). */
    sipAddress: Type.Optional(Host),
    sipPort: Type.Optional(Port),
  },
  { additionalProperties: false },
);

export const TelephonySettingsSchema = Type.Object(
  {
    /** The engine: 'embedded' (default, in Tenor's process), 'freeswitch' or 'drachtio'. */
    driver: Type.Optional(Type.Union(TELEPHONY_DRIVERS.map((d) => Type.Literal(d)))),
    freeswitch: Type.Optional(FreeSwitchSettingsSchema),
    /** With driver 'drachtio': the SIP edge; the media comes from `freeswitch`. */
    drachtio: Type.Optional(DrachtioSettingsSchema),
  },
  { additionalProperties: false },
);

export type TelephonySettings = Static<typeof TelephonySettingsSchema>;
export type FreeSwitchSettings = Static<typeof FreeSwitchSettingsSchema>;
export type DrachtioSettings = Static<typeof DrachtioSettingsSchema>;

/** The SIP edge of a site whose driver is 'drachtio'. */
export type DrachtioMode =
  | { mode: 'managed'; prefix: string }
  | { mode: 'external'; server: { host: string; port: number; secret: string }; sipAddress: string; sipPort: number };

/** The settings of a site whose driver is 'freeswitch', read one way or the other. */
export type FreeSwitchMode =
  | { mode: 'managed'; prefix: string; profile: string; xmlCurl: { listen: string; password?: string } }
  | {
    mode: 'external'; eventSocket: { host: string; port: number; password: string }; profile: string;
    sipAddress: string; sipPort: number; xmlCurl: { listen: string; password: string } | undefined;
    /** The profile's ws-binding browser phones are relayed to. */
    webSocket: string | undefined;
  };

/** What the section's values mean together; problems as the file's paths and messages. */
export function telephonyProblems(settings: TelephonySettings): SectionProblem[] {
  const fs = settings.freeswitch;
  const driver = settings.driver ?? 'embedded';
  if (driver !== 'drachtio' && settings.drachtio !== undefined) {
    return [{ path: 'telephony.drachtio', message: `used with driver 'drachtio' only (the driver is '${driver}')` }];
  }
  switch (driver) {
    case 'embedded':
      return [];
    case 'drachtio':
      return drachtioProblems(settings);
    case 'freeswitch': {
      if (fs?.prefix === undefined && fs?.eventSocket === undefined) {
        return [{
          path: 'telephony.freeswitch',
          message: "driver 'freeswitch' needs either prefix (a FreeSWITCH build Tenor starts, e.g. the folder scripts/build-freeswitch.sh prints) or eventSocket {host, port, password} (a FreeSWITCH that runs already)",
        }];
      }
      if (fs.prefix !== undefined && fs.eventSocket !== undefined) {
        return [{ path: 'telephony.freeswitch', message: 'set prefix (Tenor starts FreeSWITCH) or eventSocket (an external FreeSWITCH), not both' }];
      }
      if (fs.prefix !== undefined) {
        const external = (['sipAddress', 'sipPort', 'webSocket'] as const).filter((k) => fs[k] !== undefined);
        return external.map((k) => ({
          path: `telephony.freeswitch.${k}`,
          message: 'a FreeSWITCH Tenor starts listens on sip.bind and sip.port; this key is for an external FreeSWITCH (eventSocket)',
        }));
      }
      if (fs.xmlCurl !== undefined && fs.xmlCurl.password === undefined) {
        return [{
          path: 'telephony.freeswitch.xmlCurl.password',
          message: "an external FreeSWITCH needs the password it sends to Tenor's xml_curl server (the same in its xml_curl.conf)",
        }];
      }
      if (fs.webSocket !== undefined && fs.xmlCurl === undefined) {
        return [{
          path: 'telephony.freeswitch.webSocket',
          message: "browser phones on FreeSWITCH need xmlCurl: FreeSWITCH checks the relay's secrets against Tenor's directory",
        }];
      }
      return [];
    }
  }
}

/** Driver 'drachtio': the edge (telephony.drachtio) and the media (telephony.freeswitch), each managed or external. */
function drachtioProblems(settings: TelephonySettings): SectionProblem[] {
  const edge = settings.drachtio;
  const fs = settings.freeswitch;
  const problems: SectionProblem[] = [];
  if (edge?.prefix === undefined && edge?.server === undefined) {
    problems.push({
      path: 'telephony.drachtio',
      message: "driver 'drachtio' needs either prefix (a drachtio-server build Tenor starts, e.g. the folder scripts/build-drachtio.sh prints) or server {host, port, secret} (the application port of a drachtio-server that runs already)",
    });
  } else if (edge.prefix !== undefined && edge.server !== undefined) {
    problems.push({ path: 'telephony.drachtio', message: 'set prefix (Tenor starts drachtio-server) or server (an external drachtio-server), not both' });
  } else if (edge.prefix !== undefined) {
    for (const k of ['sipAddress', 'sipPort'] as const) {
      if (edge[k] !== undefined) {
        problems.push({
          path: `telephony.drachtio.${k}`,
          message: 'a drachtio-server Tenor starts listens on sip.bind and sip.port; this key is for an external drachtio-server (server)',
        });
      }
    }
  }
  if (fs?.prefix === undefined && fs?.eventSocket === undefined) {
    problems.push({
      path: 'telephony.freeswitch',
      message: "driver 'drachtio' takes its media from FreeSWITCH: set prefix (a FreeSWITCH build Tenor starts on 127.0.0.1) or eventSocket {host, port, password} (one that runs already)",
    });
  } else if (fs.prefix !== undefined && fs.eventSocket !== undefined) {
    problems.push({ path: 'telephony.freeswitch', message: 'set prefix (Tenor starts FreeSWITCH) or eventSocket (an external FreeSWITCH), not both' });
  } else if (fs.xmlCurl !== undefined) {
    problems.push({
      path: 'telephony.freeswitch.xmlCurl',
      message: "with driver 'drachtio' phones register at the drachtio edge and trunks end there: FreeSWITCH gets no directory from Tenor",
    });
  } else if (fs.prefix !== undefined) {
    for (const k of ['sipAddress', 'sipPort'] as const) {
      if (fs[k] !== undefined) {
        problems.push({
          path: `telephony.freeswitch.${k}`,
          message: "a FreeSWITCH Tenor starts for driver 'drachtio' listens on 127.0.0.1 on a free port; this key is for an external FreeSWITCH (eventSocket)",
        });
      }
    }
  }
  return problems;
}

/** The edge's settings in one of the two shapes; call after telephonyProblems found none. */
export function drachtioMode(settings: TelephonySettings): DrachtioMode {
  const edge = settings.drachtio ?? {};
  if (edge.prefix !== undefined) return { mode: 'managed', prefix: edge.prefix };
  if (edge.server === undefined) throw new Error('telephony.drachtio has neither prefix nor server');
  return { mode: 'external', server: edge.server, sipAddress: edge.sipAddress ?? edge.server.host, sipPort: edge.sipPort ?? 5060 };
}

/** The driver's settings in one of the two shapes; call after telephonyProblems found none. */
export function freeSwitchMode(settings: TelephonySettings): FreeSwitchMode {
  const fs = settings.freeswitch ?? {};
  const profile = fs.profile ?? 'tenor';
  if (fs.prefix !== undefined) return { mode: 'managed', prefix: fs.prefix, profile, xmlCurl: fs.xmlCurl ?? { listen: '127.0.0.1:0' } };
  if (fs.eventSocket === undefined) throw new Error('telephony.freeswitch has neither prefix nor eventSocket');
  const xmlCurl = fs.xmlCurl?.password !== undefined ? { listen: fs.xmlCurl.listen, password: fs.xmlCurl.password } : undefined;
  return {
    mode: 'external', eventSocket: fs.eventSocket, profile,
    sipAddress: fs.sipAddress ?? fs.eventSocket.host, sipPort: fs.sipPort ?? 5060, xmlCurl, webSocket: fs.webSocket,
  };
}

export const telephonyConfigSection = defineConfigSection({
  key: 'telephony', schema: TelephonySettingsSchema, defaults: {}, problems: telephonyProblems,
});

declare module '../../config/schema.js' {
  interface ServiceSettings {
    /** The engine that carries the calls, and how to reach it. */
    telephony: TelephonySettings;
  }
}
