// Attack: a caller chooses their From number so that it rewrites the URL of a
// data dip. Before, `${caller.number}` went into an IVR http node's URL as it
// came, so `123&admin=1#` added a query parameter and cut the URL short. Now
// every substituted value is URL-encoded: the service sees one parameter with
// the caller's whole number. (Script webhook URLs: scripts-dsl/test/url-encoding.test.ts.)
// A data dip also follows no redirect: the redirect target never hears from it.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { finished, within } from '../acd-sip/site.js';
import { silentCaller, startIvrSite } from '../ivr-sip/site.js';

const DIP = (port: number): string => `
name: dip
version: 1
language: en
timezone: UTC
start: ask
nodes:
  ask:
    type: http
    method: GET
    url: http://127.0.0.1:${port}/route?caller=\${caller.number}&source=ivr
    timeout: 3s
    next: done
    failure: done
  done: { type: queue, queue: sales }
`;

t.test("a caller's From number that carries '&admin=1#' reaches the data-dip server as one encoded value", async (t) => {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const s = await startIvrSite(t, {
    site: { queues: [{ name: 'sales' }], entryNumbers: [{ number: '+15550500', flow: 'dip' }] },
    flows: { dip: DIP(port) },
  });

  // In a SIP URI '#' travels escaped (%23); '&' and '=' are allowed as they are.
  const caller = await silentCaller(t, s, { number: '+15550500', caller: '123&admin=1%23', stayMs: 2000 });
  const ended = await s.bus.wait('flow_ended', () => true, 30_000);
  t.equal(ended.payload.path.find((st) => st.node === 'ask')?.exit, 'next', 'the data dip answered');
  await within(finished(caller, 'the caller'), 40_000, 'the caller');

  t.equal(seen.length, 1, 'one request');
  const url = new URL(seen[0] ?? '', 'http://x');
  t.notOk(url.searchParams.has('admin'), 'the caller added no query parameter');
  t.equal(url.searchParams.get('source'), 'ivr', "the flow's own parameter after it is intact (nothing was cut off by '#')");
  t.match(url.searchParams.get('caller') ?? '', /^123&admin=1(#|%23)$/, 'the whole number arrives as the value of caller');
  t.notMatch(seen[0] ?? '', /caller=123&/, 'the & is encoded on the wire');
});

t.test('a data dip answered with a redirect takes the failure exit, and the redirect target is never called', async (t) => {
  const hits: string[] = [];
  const target = createServer((req: IncomingMessage, res: ServerResponse) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => target.close(() => resolve())));
  const partner = createServer((_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(302, { location: `http://127.0.0.1:${(target.address() as AddressInfo).port}/internal` }).end();
  });
  await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => partner.close(() => resolve())));
  const s = await startIvrSite(t, {
    site: { queues: [{ name: 'sales' }], entryNumbers: [{ number: '+15550501', flow: 'dip' }] },
    flows: { dip: DIP((partner.address() as AddressInfo).port) },
  });
  const caller = await silentCaller(t, s, { number: '+15550501', caller: '+31201110099', stayMs: 2000 });
  const ended = await s.bus.wait('flow_ended', () => true, 30_000);
  t.equal(ended.payload.path.find((st) => st.node === 'ask')?.exit, 'failure', 'the redirect is a failure');
  await within(finished(caller, 'the caller'), 40_000, 'the caller');
  t.same(hits, [], 'the redirect target was never called');
});
