// The typed configuration: what a site is made of and how the server listens.
// One schema serves both sources (environment variables and the YAML file) and
// documents itself in docs/configuration.md. The file's schema is the core keys
// here plus the sections services declare (core/config-section.ts), which the
// service catalogue passes in: config/ names no service.

import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { MIN_PASSWORD_LENGTH } from '../core/password-policy.js';
import type { OutboundHttpLimits } from '../core/outbound-http.js';
import type { ConfigSection } from '../core/config-section.js';
import { LoginSettingsSchema, type LoginSettings } from './login-settings.js';

/**
 * The resolved settings of the services' sections, one key per section. Each
 * section's module augments it:
 * `declare module '../../config/schema.js' { interface ServiceSettings { acd: AcdSettings } }`.
 */
export interface ServiceSettings {}

/** Fields services add to each queue of the file; the ACD's config module augments it. */
export interface QueueSettings {}

const Port = Type.Integer({ minimum: 0, maximum: 65535, description: '0 picks any free port' });
const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
const LogLevel = Type.Union([
  Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
  Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent'),
]);

export const TrunkSchema = Type.Object(
  {
    name: Name,
    host: Type.String({ minLength: 1 }),
    port: Type.Optional(Port),
    transport: Type.Optional(Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('tls')])),
    /** TLS: a PEM file of the CA(s) the carrier's certificate must chain to (default: the system's CAs). Site file only. */
    ca: Type.Optional(Type.String({ minLength: 1 })),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    register: Type.Optional(Type.Boolean()),
    fromDomain: Type.Optional(Type.String()),
    callerId: Type.Optional(Type.String()),
    /** Addresses inbound calls from this trunk come from (default: its host). */
    inboundAddresses: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    /** Calls on this trunk may take direct media when bridged to a device that allows it too (default false). Site file only. */
    directMedia: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** A device secret set by the admin (a SIP device's own credential, never the web password). */
const DeviceSecret = Type.String({ minLength: 16, maxLength: 200, description: 'SIP device secret, at least 16 characters' });
/** The digest algorithms a SIP device is offered: 'sha-256' (SHA-256 first, then MD5; the default) or 'md5' (older phones). */
export const DeviceDigestSchema = Type.Union([Type.Literal('sha-256'), Type.Literal('md5')], {
  description: "digest algorithms offered to the device: 'sha-256' (SHA-256 first, then MD5; default) or 'md5' (MD5 only, for older phones)",
});

export const AgentDeviceSchema = Type.Union([
  Type.Object({
    type: Type.Literal('softphone'), secret: Type.Optional(DeviceSecret), digest: Type.Optional(DeviceDigestSchema),
    /** This phone must register and call over TLS with SRTP. */
    requireEncryption: Type.Optional(Type.Boolean()),
    /** This phone's calls may take direct media (it and the other side send to each other; default false). */
    directMedia: Type.Optional(Type.Boolean()),
  }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('external'), number: Type.String({ minLength: 1 }), trunk: Type.Optional(Name) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('persistent'), number: Type.Optional(Type.String({ minLength: 1 })), trunk: Type.Optional(Name),
      /** Without a number the line calls the agent's softphone, which registers with this secret. */
      secret: Type.Optional(DeviceSecret),
      digest: Type.Optional(DeviceDigestSchema),
      requireEncryption: Type.Optional(Type.Boolean()),
      directMedia: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      /** The phone in the agent desktop: SIP over the web login's WebSocket, no device secret (docs/telephony.md, "WebRTC phones"). */
      type: Type.Literal('webrtc'),
      autoAnswer: Type.Optional(Type.Boolean({ description: 'the desktop answers an offered call by itself (default false)' })),
      fallback: Type.Optional(Type.Object(
        { number: Type.String({ minLength: 1 }), trunk: Type.Optional(Name) },
        { additionalProperties: false, description: "where a caller goes when the agent's line is lost, if acd.lineLost.fallback allows it" },
      )),
    },
    { additionalProperties: false },
  ),
]);

export const AgentSchema = Type.Object(
  {
    login: Name,
    name: Type.String({ minLength: 1 }),
    /** Web password only (SIP devices use device.secret); may also be set later through the admin API. At least 12 characters. */
    password: Type.Optional(Type.String({ minLength: MIN_PASSWORD_LENGTH })),
    device: Type.Optional(AgentDeviceSchema),
    /** The agent asked not to be recorded; honoured only where the site's recording.agentOptOut is true (docs/recording.md). */
    recordingOptOut: Type.Optional(Type.Boolean()),
    skills: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 1, maximum: 10 }))),
    queues: Type.Optional(
      Type.Array(
        Type.Object({ queue: Name, penalty: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })) }, { additionalProperties: false }),
      ),
    ),
  },
  { additionalProperties: false },
);

/** A queue's core fields; the sections' queueFields complete it (queueSchema). */
const CoreQueueFields = {
  name: Name,
  ringTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 300 })),
  wrapUpSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
  maxWaitSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
  musicOnHold: Type.Optional(Type.String()),
  script: Type.Optional(Type.String()),
};
const CoreQueueSchema = Type.Object(CoreQueueFields, { additionalProperties: false });

/** A queue of the file: the core fields and those the sections add. */
export function queueSchema(sections: readonly ConfigSection[]): TObject {
  const fields: TProperties = { ...CoreQueueFields };
  for (const section of sections) Object.assign(fields, section.queueFields ?? {});
  return Type.Object(fields, { additionalProperties: false });
}

/** A number callers dial: it enters an IVR flow, or goes straight to a queue (exactly one of the two). */
export const EntryNumberSchema = Type.Union([
  Type.Object({ number: Type.String({ minLength: 1 }), flow: Name }, { additionalProperties: false }),
  Type.Object({ number: Type.String({ minLength: 1 }), queue: Name }, { additionalProperties: false }),
]);

export const FlowRefSchema = Type.Object({ name: Name, file: Type.String({ minLength: 1 }) }, { additionalProperties: false });

export const ServiceModuleSchema = Type.Object(
  { module: Type.String({ minLength: 1 }), options: Type.Optional(Type.Unknown()) },
  { additionalProperties: false },
);

const Limit = Type.Integer({ minimum: 1, maximum: 1_000_000 });
/** SIP flood and guessing limits (the embedded engine's defaults apply to those left out). */
export const SipLimits = Type.Object(
  {
    /** Calls from one address not yet answered and ACKed (default 10); more get 486 with Retry-After. */
    unansweredCallsPerAddress: Type.Optional(Limit),
    /** Calls from one address in progress (default 30); more get 486 with Retry-After. */
    callsPerAddress: Type.Optional(Limit),
    /** Incoming calls in progress in total (default 400); more get 503 with Retry-After. */
    calls: Type.Optional(Limit),
    /** The two per-address call caps for a trunk's addresses (defaults 100 and 400). */
    trunkUnansweredCallsPerAddress: Type.Optional(Limit),
    trunkCallsPerAddress: Type.Optional(Limit),
    /** SIP requests per address in 2 s before it is banned for 5 minutes (default 100). */
    requestsPerAddress: Type.Optional(Limit),
    /** SIP requests per trunk address in 2 s; more are dropped, a trunk is never banned (default 1000). */
    trunkRequestsPerAddress: Type.Optional(Limit),
    /** Failed authentications per address in 5 minutes before it is banned for 5 minutes (default 10). */
    authFailuresPerAddress: Type.Optional(Limit),
    /** Failed authentications per username, from any address, in 5 minutes before it is refused a while (default 5). */
    authFailuresPerUser: Type.Optional(Limit),
    /** How long such a username is refused at first, doubling while failures go on (default 30 s, at most userLockMaxSeconds, default 900). */
    userLockSeconds: Type.Optional(Limit),
    userLockMaxSeconds: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
export type SipLimitsConfig = Static<typeof SipLimits>;

/** The file's core keys. Every key is optional; the environment fills or overrides the listening ones. */
const CoreFileProperties = {
  http: Type.Optional(
    Type.Object(
      {
        port: Type.Optional(Port),
        bind: Type.Optional(Type.String()),
        /** Behind a reverse proxy that terminates HTTPS: trust its X-Forwarded-* headers (client address, https). */
        trustProxy: Type.Optional(Type.Boolean()),
        /** Origins (scheme://host:port) besides the server's own that may use the web session, e.g. the proxy's public URL. */
        allowedOrigins: Type.Optional(Type.Array(Type.String({ pattern: '^https?://[^/]+$' }))),
        /** How failed web and Basic logins are slowed down (docs/access.md). */
        login: Type.Optional(LoginSettingsSchema),
      },
      { additionalProperties: false },
    ),
  ),
  sip: Type.Optional(
    Type.Object(
      {
        port: Type.Optional(Port),
        bind: Type.Optional(Type.String()),
        publicAddress: Type.Optional(Type.String()),
        /** Digest realm (and domain) of the registrar (default: random per install, kept in the data folder). */
        realm: Type.Optional(Type.String({ minLength: 1, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' })),
        /** Digest algorithms the registrar offers, in order (default MD5 only, what deployed phones understand). */
        digestAlgorithms: Type.Optional(Type.Array(Type.Union([Type.Literal('MD5'), Type.Literal('SHA-256')]), { minItems: 1, uniqueItems: true })),
        /** Caps on calls and requests per source address, per trunk address, per username and in total (docs/configuration.md). */
        limits: Type.Optional(SipLimits),
        /**
         * SIP over TLS: present (even empty) turns the listener on. port default 5061 (0 = free; 0 also when sip.port is 0);
         * cert and key: PEM files, both or neither (neither: a self-signed certificate kept in the data folder).
         */
        tls: Type.Optional(Type.Object(
          { port: Type.Optional(Port), cert: Type.Optional(Type.String({ minLength: 1 })), key: Type.Optional(Type.String({ minLength: 1 })) },
          { additionalProperties: false },
        )),
        /** Every device must register and call over TLS with SRTP (default false; per device: device.requireEncryption). */
        requireEncryption: Type.Optional(Type.Boolean()),
        /** OPTIONS to devices registered over UDP from behind a NAT: every intervalSeconds (0 = off), binding dropped after maxMissed unanswered. */
        natKeepAlive: Type.Optional(Type.Object(
          { intervalSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })), maxMissed: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) },
          { additionalProperties: false },
        )),
      },
      { additionalProperties: false },
    ),
  ),
  rtp: Type.Optional(
    Type.Object({
      portMin: Type.Optional(Port), portMax: Type.Optional(Port),
      /**
       * An external media relay the embedded engine moves bridges that need no media work onto
       * (issue 19): rtpengine's ng control socket, a daemon the operator runs (docs/telephony.md).
       */
      relay: Type.Optional(Type.Object({
        engine: Type.Literal('rtpengine'),
        address: Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:-]+$', description: 'an IP address or a host name' }),
        port: Type.Integer({ minimum: 1, maximum: 65535 }),
      }, { additionalProperties: false })),
    }, { additionalProperties: false }),
  ),
  dataDir: Type.Optional(Type.String({ minLength: 1 })),
  logLevel: Type.Optional(LogLevel),
  shutdownGraceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
  services: Type.Optional(Type.Array(ServiceModuleSchema)),
  smtp: Type.Optional(
    Type.Object(
      {
        host: Type.String({ minLength: 1 }),
        port: Type.Optional(Port),
        /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
        secure: Type.Optional(Type.Boolean()),
        /** Send only over STARTTLS: a server that does not offer it, or fails the upgrade, gets no message and no password. */
        requireTls: Type.Optional(Type.Boolean()),
        /** PEM file of the CA that signed the server's certificate (a private CA); relative to the site file. */
        caFile: Type.Optional(Type.String({ minLength: 1 })),
        user: Type.Optional(Type.String()),
        password: Type.Optional(Type.String()),
        from: Type.String({ minLength: 3, description: 'sender address, e.g. "Tenor <tenor@example.com>"' }),
      },
      { additionalProperties: false },
    ),
  ),
  /** Tenor's requests to other servers (webhooks, IVR data dips): the largest answer read. */
  outboundHttp: Type.Optional(
    Type.Object(
      { maxResponseBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, description: 'default 1048576 (1 MiB)' })) },
      { additionalProperties: false },
    ),
  ),
  crm: Type.Optional(
    Type.Object(
      {
        /** Business-object model file (default: server/models/default.yaml). */
        model: Type.Optional(Type.String({ minLength: 1 })),
        /** Country for numbers dialed without a country code (ISO 3166 alpha-2). */
        defaultCountry: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
      },
      { additionalProperties: false },
    ),
  ),
  trunks: Type.Optional(Type.Array(TrunkSchema)),
  agents: Type.Optional(Type.Array(AgentSchema)),
  queues: Type.Optional(Type.Array(CoreQueueSchema)),
  entryNumbers: Type.Optional(Type.Array(EntryNumberSchema)),
  flows: Type.Optional(Type.Array(FlowRefSchema)),
};

/**
 * What the YAML file may hold: the core keys and the services' sections (after
 * `smtp`, where the documentation lists them), each queue with the sections'
 * queue fields.
 */
export function fileConfigSchema(sections: readonly ConfigSection[]): TObject {
  const properties: TProperties = {};
  for (const [key, schema] of Object.entries(CoreFileProperties)) {
    properties[key] = key === 'queues' ? Type.Optional(Type.Array(queueSchema(sections))) : schema;
    if (key !== 'smtp') continue;
    for (const section of sections) {
      if (section.key in CoreFileProperties || section.key in properties) throw new Error(`config section '${section.key}' is declared twice`);
      properties[section.key] = Type.Optional(section.schema);
    }
  }
  return Type.Object(properties, { additionalProperties: false });
}

/** The file as read: the core keys as typed here, each section's key by its own schema. */
export type FileConfig = Omit<Static<TObject<typeof CoreFileProperties>>, 'queues'> & { queues?: QueueConfig[] } & Partial<ServiceSettings>;
export type TrunkConfig = Static<typeof TrunkSchema>;
export type AgentConfig = Static<typeof AgentSchema>;
export type QueueConfig = Static<typeof CoreQueueSchema> & QueueSettings;
export type EntryNumberConfig = Static<typeof EntryNumberSchema>;
export type FlowRefConfig = Static<typeof FlowRefSchema>;
export type ServiceModuleConfig = Static<typeof ServiceModuleSchema>;
export type SmtpConfig = NonNullable<FileConfig['smtp']>;
export type LogLevelName = Static<typeof LogLevel>;

/** The resolved configuration every component reads (with one key per service section). */
export interface TenorConfig extends ServiceSettings {
  http: { port: number; bind: string; trustProxy: boolean; allowedOrigins: string[]; login: LoginSettings };
  sip: {
    port: number; bind: string; publicAddress: string; realm: string | undefined; digestAlgorithms: ('MD5' | 'SHA-256')[];
    /** Only the limits the file sets; the engine has the defaults. */
    limits: SipLimitsConfig;
    /** SIP over TLS when turned on; cert and key are absolute paths (absent: the generated certificate). */
    tls: { port: number; cert: string | undefined; key: string | undefined } | undefined;
    requireEncryption: boolean;
    natKeepAlive: { intervalSeconds: number; maxMissed: number };
  };
  rtp: {
    portMin: number; portMax: number;
    /** The external media relay (rtp.relay), when the site names one. */
    relay: { engine: 'rtpengine'; address: string; port: number } | undefined;
  };
  dataDir: string;
  logLevel: LogLevelName;
  /** Only used on first start, to create the admin user. */
  adminPassword: string | undefined;
  shutdownGraceSeconds: number;
  /** Folder that module paths in `services` are resolved against (the YAML file's folder, or the working directory). */
  baseDir: string;
  /** The YAML file read, if any. */
  file: string | undefined;
  services: ServiceModuleConfig[];
  crm: { model: string | undefined; defaultCountry: string };
  smtp: SmtpConfig | undefined;
  /** Bounds on webhooks and data dips (no redirects are followed in any case). */
  outboundHttp: OutboundHttpLimits;
  site: {
    trunks: TrunkConfig[];
    agents: AgentConfig[];
    queues: QueueConfig[];
    entryNumbers: EntryNumberConfig[];
    flows: FlowRefConfig[];
  };
}
