// A top-level section of the site file that belongs to one component: the
// service that reads it declares it, and the file's schema is assembled from
// the core sections and these (config/schema.ts).

import type { Static, TSchema } from '@sinclair/typebox';

export interface ConfigSection<S extends TSchema = TSchema> {
  /** The section's key at the top of the site file. */
  readonly key: string;
  readonly schema: S;
  /** The section's value when the file leaves it out. */
  readonly defaults: Static<S>;
}

/** Identity helper that keeps the schema type inferred. */
export function defineConfigSection<S extends TSchema>(section: ConfigSection<S>): ConfigSection<S> {
  return section;
}
