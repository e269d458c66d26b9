// Attack: make Tenor's webhooks and data dips reach where the site never
// pointed them, or exhaust its memory. Before, fetch followed redirects (a
// partner's server, or anyone who could answer for it, could bounce the request
// to an internal address) and read any answer whole. Now a 3xx is a failure and
// the redirect target never hears from Tenor, and an answer longer than the
// limit is cut off while it streams.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { ServiceManager } from '../../src/core/service-manager.js';
import { boundedFetch, OutboundHttpError } from '../../src/core/outbound-http.js';
import { webhooksService } from '../../src/services/webhooks.js';
import { silentLogger } from '../helpers.js';

async function listen(t: Test, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function webhooks(t: Test, maxResponseBytes = 1024 * 1024) {
  const services = new ServiceManager({ logger: silentLogger });
  services.register(webhooksService({ maxResponseBytes }));
  await services.startAll();
  t.teardown(() => services.stopAll());
  return services.get('webhooks');
}

t.test('a webhook answered with a redirect fails, and the redirect target records no hit', async (t) => {
  const hits: string[] = [];
  const target = await listen(t, (req, res) => {
    hits.push(`${req.method ?? ''} ${req.url ?? ''}`);
    res.end('internal secrets');
  });
  const partner = await listen(t, (req, res) => {
    req.resume();
    res.writeHead(307, { location: `${target.url}/admin/metadata` }).end();
  });
  const hooks = await webhooks(t);
  for (const method of ['POST', 'GET'] as const) {
    await t.rejects(hooks.call({ url: `${partner.url}/hook`, method, body: method === 'POST' ? '{"a":1}' : undefined }), {
      code: 'TENOR_ERR_WEBHOOK_FAILED',
      message: /redirect.*not followed/,
    }, `${method}: a coded failure naming the redirect`);
  }
  t.same(hits, [], 'the redirect target was never called');
});

t.test('a 50 MB answer is cut off at the limit without being read whole', async (t) => {
  const total = 50 * 1024 * 1024;
  let sent = 0;
  let closedEarly = false;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const big = await listen(t, (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' }); // no content-length: the reader must count
    res.on('close', () => (closedEarly = sent < total));
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const hooks = await webhooks(t);
  const before = process.memoryUsage();
  await t.rejects(hooks.call({ url: `${big.url}/huge`, method: 'GET', timeoutMs: 30_000 }), { code: 'TENOR_ERR_WEBHOOK_FAILED', message: /longer than 1048576 bytes/ });
  const after = process.memoryUsage();
  const grew = after.arrayBuffers + after.heapUsed - (before.arrayBuffers + before.heapUsed);
  t.ok(grew < 20 * 1024 * 1024, `memory grew by ${Math.round(grew / 1024)} KiB, far less than 50 MB`);
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const check = (): void => {
      if (closedEarly) return resolve();
      if (Date.now() - started > 20_000) return reject(new Error(`the server's connection stayed open; sent ${sent} bytes`));
      setTimeout(check, 50);
    };
    check();
  });
  t.ok(sent < total, `the server stopped after ${Math.round(sent / 1024 / 1024)} MB of 50 MB: Tenor hung up`);

  // A declared Content-Length above the limit is refused before any of the body is read.
  const declared = await listen(t, (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-length': String(total) });
    res.write(chunk);
  });
  await t.rejects(boundedFetch(`${declared.url}/`, { signal: AbortSignal.timeout(10_000) }, { maxResponseBytes: 1024 * 1024 }), OutboundHttpError);
  const ok = await listen(t, (req, res) => {
    req.resume();
    res.end('a small answer');
  });
  t.equal((await hooks.call({ url: `${ok.url}/`, method: 'GET' })).body, 'a small answer', 'answers under the limit arrive whole');
});
