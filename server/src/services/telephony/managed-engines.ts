// What the FreeSWITCH and drachtio drivers the service builds share about the
// engine processes Tenor starts for them: the checks only the running machine
// can make before starting one, and stopping what was started with the driver,
// in order, even when one of them fails to stop.

import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TenorConfig } from '../../config/schema.js';
import { TenorError } from '../../core/errors.js';

export function configProblem(message: string): TenorError {
  return new TenorError('TENOR_ERR_CONFIG_INVALID', [message]);
}

export function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const BUILDS = {
  freeswitch: { name: 'FreeSWITCH', binary: 'freeswitch' },
  drachtio: { name: 'drachtio-server', binary: 'drachtio' },
} as const;

/** The engine build at the site file's `telephony.<engine>.prefix` is missing, or undefined when it is there. */
export function missingBuild(engine: keyof typeof BUILDS, prefix: string): string | undefined {
  const { name, binary } = BUILDS[engine];
  if (existsSync(path.join(prefix, 'bin', binary))) return undefined;
  return `telephony.${engine}.prefix: no ${name} build at ${prefix} (bin/${binary} is missing); scripts/build-${engine}.sh builds one and prints its prefix`;
}

/** An engine Tenor starts listens on one address: sip.bind must name it. */
export function wildcardBind(config: TenorConfig): string | undefined {
  if (config.sip.bind !== '0.0.0.0' && config.sip.bind !== '::') return undefined;
  return `sip.bind: the engines Tenor starts listen on one address, not on all (${config.sip.bind}); set sip.bind to the address phones and trunks reach`;
}

/** Runs every stopper in order, even after one fails; throws the first failure at the end. */
export async function stopAll(stoppers: readonly (() => Promise<void>)[]): Promise<void> {
  let first: unknown;
  for (const stop of stoppers) {
    await stop().catch((err: unknown) => {
      first ??= err;
    });
  }
  if (first !== undefined) throw first;
}

/** `driver`, whose stop() then stops what was started for it (`owned`, in order), even when its own stop fails. */
export function owning<D extends { stop(): Promise<void> }>(driver: D, owned: readonly (() => Promise<void>)[]): D {
  const stopDriver = driver.stop.bind(driver);
  return Object.assign(driver, {
    async stop(): Promise<void> {
      try {
        await stopDriver();
      } finally {
        await stopAll(owned);
      }
    },
  });
}
