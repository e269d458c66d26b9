// The metrics-only HTTP listener (`metrics.listen` in the site file): what a
// Prometheus operator expects of an exporter, GET /metrics without credentials
// on an address of its own (loopback or a monitoring network), and nothing else
// of Tenor's API reachable there.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

export interface MetricsListener {
  readonly host: string;
  /** The port bound (the real one when 0 was asked for). */
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsListener(
  at: { host: string; port: number },
  opts: { scrape: () => Promise<string>; contentType: string; logger: Logger },
): Promise<MetricsListener> {
  const server = createServer((request, response) => {
    answer(request, response, opts).catch((err: unknown) => {
      opts.logger.warn({ err }, 'metrics scrape failed');
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('metrics scrape failed\n');
    });
  });
  // A scraper that keeps its connection open must not hold shutdown up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host: at.host,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function answer(request: IncomingMessage, response: ServerResponse, opts: { scrape: () => Promise<string>; contentType: string }): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/metrics') {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('only /metrics is served here\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('GET /metrics\n');
    return;
  }
  const text = await opts.scrape();
  response.writeHead(200, { 'content-type': opts.contentType });
  response.end(request.method === 'HEAD' ? undefined : text);
}
