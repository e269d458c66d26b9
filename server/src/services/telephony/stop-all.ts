// What a telephony driver started for itself (engine processes, the xml_curl
// server) is stopped with it, in order, even when one of them fails to stop:
// shared by the FreeSWITCH and the drachtio drivers the service builds.

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

/** Stops the driver, then what it owns, even when the driver's own stop fails. */
export async function stopOwning(stopDriver: () => Promise<void>, owned: readonly (() => Promise<void>)[]): Promise<void> {
  try {
    await stopDriver();
  } finally {
    await stopAll(owned);
  }
}
