// A top-level section of the site file that belongs to one service: the
// service's config module declares it, the service catalogue
// (services/index.ts) lists it, and config/ assembles the file's schema from
// the core keys and these sections.

import type { Static, TProperties, TSchema } from '@sinclair/typebox';

export interface ConfigSection<S extends TSchema = TSchema> {
  /** The section's key at the top of the site file, and in the resolved configuration. */
  readonly key: string;
  readonly schema: S;
  /** The section's value when the file leaves it out. */
  readonly defaults: Static<S>;
  /** Fields the service adds to each queue of the file (the ACD's). */
  readonly queueFields?: TProperties;
  /** What the schema cannot say: keys that only make sense together (checked once the file matches the schema). */
  problems?(value: Static<S>): SectionProblem[];
}

/** A problem with a section's values: the dotted path in the file ('telephony.freeswitch') and what is wrong. */
export interface SectionProblem {
  path: string;
  message: string;
}

/** Identity helper that keeps the schema type inferred. */
export function defineConfigSection<S extends TSchema>(section: ConfigSection<S>): ConfigSection<S> {
  return section;
}
