// Reads the configuration from the environment and the optional YAML file named
// by TENOR_CONFIG, and refuses to start on anything wrong, naming the variable or
// the file line and what is wrong with it.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TenorError } from '../core/errors.js';
import { readYaml } from '../core/yaml.js';
import { newPasswordProblem } from '../core/password-policy.js';
import { defaultOutboundHttpLimits } from '../core/outbound-http.js';
import type { TSchema } from '@sinclair/typebox';
import type { ConfigSection } from '../core/config-section.js';
import { resolveTrunkFiles, sipTls, sipTlsProblems } from './sip-tls.js';
import { fileConfigSchema, type FileConfig, type LogLevelName, type ServiceSettings, type TenorConfig } from './schema.js';

export interface ConfigProblem {
  /** The environment variable, or `file:line:column`. */
  source: string;
  message: string;
}

export const configDefaults = {
  httpPort: 8080,
  sipPort: 5060,
  sipTlsPort: 5061,
  natKeepAliveSeconds: 30,
  natKeepAliveMaxMissed: 3,
  defaultCountry: 'US',
  bind: '0.0.0.0',
  rtpPortMin: 20000,
  rtpPortMax: 20999,
  dataDir: './data',
  logLevel: 'info' as LogLevelName,
  shutdownGraceSeconds: 30,
};

const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The environment variables Tenor reads, for `tenor --help` and the docs. */
export const environmentVariables: Record<string, string> = {
  TENOR_CONFIG: 'path of the YAML site file (optional)',
  TENOR_HTTP_PORT: `HTTP port of the API and web client (default ${configDefaults.httpPort}; 0 = any free port)`,
  TENOR_SIP_PORT: `SIP port, UDP and TCP (default ${configDefaults.sipPort}; 0 = any free port)`,
  TENOR_SIP_TLS_PORT: `SIP-over-TLS port; setting it turns TLS on (default ${configDefaults.sipTlsPort} when sip.tls is in the site file; 0 = any free port)`,
  TENOR_BIND: `address to listen on (default ${configDefaults.bind})`,
  TENOR_PUBLIC_ADDRESS: 'address written into SIP and SDP (default: the bind address, or 127.0.0.1 when binding to all)',
  TENOR_RTP_PORT_MIN: `lowest RTP port (default ${configDefaults.rtpPortMin})`,
  TENOR_RTP_PORT_MAX: `highest RTP port (default ${configDefaults.rtpPortMax})`,
  TENOR_DATA_DIR: `folder for the database, recordings and uploads (default ${configDefaults.dataDir})`,
  TENOR_LOG_LEVEL: `one of ${LOG_LEVELS.join(', ')} (default ${configDefaults.logLevel})`,
  TENOR_ADMIN_PASSWORD: 'password of the admin user created on first start, at least 12 characters (default: generated and printed once)',
  TENOR_SHUTDOWN_GRACE_SECONDS: `how long SIGTERM waits for calls to end (default ${configDefaults.shutdownGraceSeconds})`,
  TENOR_IVR_CLOCK: 'a fixed ISO 8601 time that IVR flows see instead of the clock (for tests and rehearsals of time conditions)',
};

/** The configuration, with the given services' sections (the service catalogue's loadConfig passes them). */
export function loadConfigWith(sections: readonly ConfigSection[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): TenorConfig {
  const problems: ConfigProblem[] = [];
  const file = env['TENOR_CONFIG'] ? path.resolve(cwd, env['TENOR_CONFIG']) : undefined;
  const fromFile = file ? readConfigFile(file, fileConfigSchema(sections), problems) : {};
  const fromEnv = readEnvironment(env, problems);

  const bind = fromEnv.bind ?? fromFile.http?.bind ?? configDefaults.bind;
  const sipBind = fromEnv.bind ?? fromFile.sip?.bind ?? bind;
  const config: TenorConfig = {
    http: {
      port: fromEnv.httpPort ?? fromFile.http?.port ?? configDefaults.httpPort,
      bind,
      trustProxy: fromFile.http?.trustProxy ?? false,
      allowedOrigins: fromFile.http?.allowedOrigins ?? [],
      login: fromFile.http?.login ?? {},
    },
    sip: {
      port: fromEnv.sipPort ?? fromFile.sip?.port ?? configDefaults.sipPort,
      bind: sipBind,
      publicAddress: fromEnv.publicAddress ?? fromFile.sip?.publicAddress ?? (sipBind === '0.0.0.0' ? '127.0.0.1' : sipBind),
      realm: fromFile.sip?.realm,
      // SHA-256 first (RFC 8760); older phones are marked MD5 only per device, or fall back on their retry.
      digestAlgorithms: fromFile.sip?.digestAlgorithms ?? ['SHA-256', 'MD5'],
      limits: fromFile.sip?.limits ?? {},
      tls: sipTls(fromFile, fromEnv, file, cwd),
      requireEncryption: fromFile.sip?.requireEncryption ?? false,
      natKeepAlive: {
        intervalSeconds: fromFile.sip?.natKeepAlive?.intervalSeconds ?? configDefaults.natKeepAliveSeconds,
        maxMissed: fromFile.sip?.natKeepAlive?.maxMissed ?? configDefaults.natKeepAliveMaxMissed,
      },
    },
    rtp: {
      portMin: fromEnv.rtpPortMin ?? fromFile.rtp?.portMin ?? configDefaults.rtpPortMin,
      portMax: fromEnv.rtpPortMax ?? fromFile.rtp?.portMax ?? configDefaults.rtpPortMax,
      relay: fromFile.rtp?.relay,
    },
    dataDir: path.resolve(cwd, fromEnv.dataDir ?? fromFile.dataDir ?? configDefaults.dataDir),
    logLevel: fromEnv.logLevel ?? fromFile.logLevel ?? configDefaults.logLevel,
    adminPassword: env['TENOR_ADMIN_PASSWORD'] || undefined,
    shutdownGraceSeconds: fromEnv.shutdownGraceSeconds ?? fromFile.shutdownGraceSeconds ?? configDefaults.shutdownGraceSeconds,
    baseDir: file ? path.dirname(file) : cwd,
    file,
    services: fromFile.services ?? [],
    // A CA file is named relative to the site file, like the model file.
    smtp: fromFile.smtp?.caFile !== undefined ? { ...fromFile.smtp, caFile: path.resolve(file ? path.dirname(file) : cwd, fromFile.smtp.caFile) } : fromFile.smtp,
    ...serviceSettings(sections, fromFile),
    outboundHttp: { maxResponseBytes: fromFile.outboundHttp?.maxResponseBytes ?? defaultOutboundHttpLimits.maxResponseBytes },
    crm: {
      model: fromFile.crm?.model !== undefined ? path.resolve(file ? path.dirname(file) : cwd, fromFile.crm.model) : undefined,
      defaultCountry: (fromFile.crm?.defaultCountry ?? configDefaults.defaultCountry).toUpperCase(),
    },
    site: {
      trunks: resolveTrunkFiles(fromFile.trunks ?? [], file, cwd),
      agents: fromFile.agents ?? [],
      queues: fromFile.queues ?? [],
      entryNumbers: fromFile.entryNumbers ?? [],
      flows: fromFile.flows ?? [],
    },
  };

  checkConsistency(config, env, problems);
  problems.push(...sipTlsProblems(config));
  checkSections(sections, config, problems);
  if (problems.length > 0) {
    throw new TenorError('TENOR_ERR_CONFIG_INVALID', [problems.map((p) => `${p.source}: ${p.message}`).join('; ')], {
      details: problems,
    });
  }
  return config;
}

interface EnvValues {
  httpPort?: number;
  sipPort?: number;
  sipTlsPort?: number;
  bind?: string;
  publicAddress?: string;
  rtpPortMin?: number;
  rtpPortMax?: number;
  dataDir?: string;
  logLevel?: LogLevelName;
  shutdownGraceSeconds?: number;
}

function readEnvironment(env: NodeJS.ProcessEnv, problems: ConfigProblem[]): EnvValues {
  const out: EnvValues = {};
  const int = (name: string, min: number, max: number, what: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const text = raw.trim();
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      problems.push({ source: name, message: `must be ${what} from ${min} to ${max}, got '${raw}'` });
      return undefined;
    }
    return n;
  };
  const str = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const set = <K extends keyof EnvValues>(key: K, value: EnvValues[K] | undefined): void => {
    if (value !== undefined) out[key] = value;
  };

  set('httpPort', int('TENOR_HTTP_PORT', 0, 65535, 'a port number'));
  set('sipPort', int('TENOR_SIP_PORT', 0, 65535, 'a port number'));
  set('sipTlsPort', int('TENOR_SIP_TLS_PORT', 0, 65535, 'a port number'));
  set('rtpPortMin', int('TENOR_RTP_PORT_MIN', 1024, 65534, 'a port number'));
  set('rtpPortMax', int('TENOR_RTP_PORT_MAX', 1025, 65535, 'a port number'));
  set('shutdownGraceSeconds', int('TENOR_SHUTDOWN_GRACE_SECONDS', 0, 3600, 'a number of seconds'));
  set('dataDir', str('TENOR_DATA_DIR'));
  const bind = str('TENOR_BIND');
  if (bind !== undefined && !isAddress(bind)) {
    problems.push({ source: 'TENOR_BIND', message: `must be an IPv4 or IPv6 address, got '${bind}'` });
  } else set('bind', bind);
  const pub = str('TENOR_PUBLIC_ADDRESS');
  if (pub !== undefined && !isHost(pub)) {
    problems.push({ source: 'TENOR_PUBLIC_ADDRESS', message: `must be an IP address or host name, got '${pub}'` });
  } else set('publicAddress', pub);
  const level = str('TENOR_LOG_LEVEL');
  if (level !== undefined && !LOG_LEVELS.includes(level)) {
    problems.push({ source: 'TENOR_LOG_LEVEL', message: `must be one of ${LOG_LEVELS.join(', ')}, got '${level}'` });
  } else set('logLevel', level as LogLevelName | undefined);
  const adminPassword = env['TENOR_ADMIN_PASSWORD'];
  const adminPasswordProblem = adminPassword ? newPasswordProblem(adminPassword) : undefined;
  if (adminPasswordProblem !== undefined) problems.push({ source: 'TENOR_ADMIN_PASSWORD', message: adminPasswordProblem });
  return out;
}

/** Each section's value from the file, or its defaults. */
function serviceSettings(sections: readonly ConfigSection[], fromFile: FileConfig): ServiceSettings {
  const read: Partial<Record<string, unknown>> = fromFile;
  // One key per section, each validated against the section's schema (or its defaults): what ServiceSettings declares.
  const settings: unknown = Object.fromEntries(sections.map((section) => [section.key, read[section.key] ?? section.defaults]));
  return settings as ServiceSettings;
}

function readConfigFile(file: string, schema: TSchema, problems: ConfigProblem[]): FileConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ source: 'TENOR_CONFIG', message: `cannot read '${file}': ${(err as Error).message}` });
    return {};
  }
  const result = readYaml(text, schema, file);
  // Validated against the assembled schema: the core keys as FileConfig types them, each section's by its schema.
  if (result.ok) return result.data as FileConfig;
  problems.push(...result.problems);
  return {};
}

function checkConsistency(config: TenorConfig, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): void {
  if (config.rtp.portMin > config.rtp.portMax) {
    const source = env['TENOR_RTP_PORT_MIN'] ? 'TENOR_RTP_PORT_MIN' : config.file ? `${config.file} rtp.portMin` : 'TENOR_RTP_PORT_MIN';
    problems.push({ source, message: `must not be above the RTP port maximum (${config.rtp.portMin} > ${config.rtp.portMax})` });
  }
  if (config.rtp.relay && (config.telephony.driver ?? 'embedded') !== 'embedded') {
    problems.push({ source: `${config.file ?? 'TENOR_CONFIG'} rtp.relay`, message: `is used by the embedded engine only, not by telephony.driver '${config.telephony.driver}'` });
  }
  const unique = (list: { name?: string; login?: string; number?: string }[], what: string, key: 'name' | 'login' | 'number'): void => {
    const seen = new Set<string>();
    for (const item of list) {
      const value = item[key];
      if (value === undefined) continue;
      if (seen.has(value)) problems.push({ source: config.file ?? 'TENOR_CONFIG', message: `${what} '${value}' is declared twice` });
      seen.add(value);
    }
  };
  unique(config.site.trunks, 'trunk', 'name');
  unique(config.site.agents, 'agent', 'login');
  unique(config.site.queues, 'queue', 'name');
  unique(config.site.entryNumbers, 'entry number', 'number');
  unique(config.site.flows, 'flow', 'name');
  const trunks = new Set(config.site.trunks.map((t) => t.name));
  const queues = new Set(config.site.queues.map((q) => q.name));
  for (const queue of config.site.queues) {
    const targets = [queue.overflow?.queue, ...Object.values(queue.exits ?? {}).map((d) => (d?.type === 'queue' ? d.queue : undefined))];
    for (const target of targets) {
      if (target !== undefined && !queues.has(target)) {
        problems.push({ source: config.file ?? 'TENOR_CONFIG', message: `queue '${queue.name}' sends callers to queue '${target}', which is not declared` });
      }
    }
  }
  for (const agent of config.site.agents) {
    const trunk = agent.device && 'trunk' in agent.device ? agent.device.trunk : undefined;
    if (trunk !== undefined && !trunks.has(trunk)) {
      problems.push({ source: config.file ?? 'TENOR_CONFIG', message: `agent '${agent.login}' uses trunk '${trunk}', which is not declared` });
    }
    for (const q of agent.queues ?? []) {
      if (!queues.has(q.queue)) {
        problems.push({ source: config.file ?? 'TENOR_CONFIG', message: `agent '${agent.login}' serves queue '${q.queue}', which is not declared` });
      }
    }
  }
  const flows = new Set(config.site.flows.map((f) => f.name));
  for (const entry of config.site.entryNumbers) {
    if ('flow' in entry && !flows.has(entry.flow)) {
      problems.push({ source: config.file ?? 'TENOR_CONFIG', message: `entry number '${entry.number}' goes to flow '${entry.flow}', which is not declared` });
    }
    if ('queue' in entry && !queues.has(entry.queue)) {
      problems.push({ source: config.file ?? 'TENOR_CONFIG', message: `entry number '${entry.number}' goes to queue '${entry.queue}', which is not declared` });
    }
  }
}

/** Each section's own check of its values (ConfigSection.problems), reported at `file key.path`. */
function checkSections(sections: readonly ConfigSection[], config: TenorConfig, problems: ConfigProblem[]): void {
  const values: Partial<Record<string, unknown>> = { ...config };
  for (const section of sections) {
    for (const p of section.problems?.(values[section.key]) ?? []) {
      problems.push({ source: `${config.file ?? 'TENOR_CONFIG'} ${p.path}`, message: p.message });
    }
  }
}

function isAddress(value: string): boolean {
  return /^(\d{1,3})(\.\d{1,3}){3}$/.test(value) && value.split('.').every((o) => Number(o) <= 255) || /^[0-9a-fA-F:]+$/.test(value) && value.includes(':');
}

function isHost(value: string): boolean {
  return isAddress(value) || /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(value);
}
