import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * Keys whose values never reach a log line, at any depth: passwords, secrets,
 * tokens, cookies, Authorization headers, digest HA1s, API keys. pino's own
 * `redact` option takes fixed paths only (no "any depth" wildcard), and a site
 * file's trunk password sits at `config.site.trunks[0].password` while a header
 * may be logged under any name; so every logged object is walked instead.
 */
const SECRET_KEY = /pass(word|phrase|wd)?$|passwordhash|secret|token|cookie|authori[sz]ation|apikey|ha1|credential|privatekey|signature/i;

export const REDACTED = '[redacted]';

/** True for a key whose value is never logged (case and '-'/'_' do not matter). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.replace(/[-_]/g, ''));
}

/** Plain objects and arrays are walked; class instances (errors, requests, buffers) are left to their serializers. */
function isPlain(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const MAX_DEPTH = 10;

/** A copy of `value` with the values of secret keys replaced by '[redacted]' (booleans such as hasPassword stay). */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    return value.map((item) => redactSecrets(item, depth + 1, seen));
  }
  if (!isPlain(value)) return value;
  seen.add(value);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) && typeof item !== 'boolean' && item !== undefined && item !== null ? REDACTED : redactSecrets(item, depth + 1, seen);
  }
  return out;
}

/**
 * The root logger. Components take children: `logger.child({ service: 'acd' })`, `{ callId }` per call.
 * Child bindings are not walked: they name things (services, calls), never carry credentials.
 */
export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'tenor' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        log: (object) => redactSecrets(object) as Record<string, unknown>,
      },
      // Fastify's request serializer drops headers, but a request logged by hand must not carry its credentials.
      redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'], censor: REDACTED },
    },
    destination ?? process.stdout,
  );
}
