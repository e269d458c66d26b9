// The metrics' section of the YAML file (`metrics:`), as a TypeBox schema;
// the service catalogue lists metricsConfigSection.

import { Type, type Static } from '@sinclair/typebox';
import { defineConfigSection } from '../../core/config-section.js';

export const MetricsSettingsSchema = Type.Object(
  {
    listen: Type.Optional(Type.String({
      pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$',
      description: "a second HTTP listener ('127.0.0.1:9464') that serves GET /metrics alone, without credentials, for Prometheus; keep it on a loopback or private address",
    })),
  },
  { additionalProperties: false },
);

export type MetricsSettings = Static<typeof MetricsSettingsSchema>;

export const metricsConfigSection = defineConfigSection({ key: 'metrics', schema: MetricsSettingsSchema, defaults: {} });

declare module '../../config/schema.js' {
  interface ServiceSettings {
    /** Where Prometheus may scrape without credentials (besides GET /metrics on the API port). */
    metrics: MetricsSettings;
  }
}

/** 'host:port' (IPv6 in brackets) as the listener binds it. */
export function parseListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(listen.slice(colon + 1)) };
}
