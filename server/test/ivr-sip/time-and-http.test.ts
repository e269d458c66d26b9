// Decisions a flow takes without the caller pressing anything, on real calls:
// a time condition routes by the IVR's clock (fixed by the test: one call in
// office hours, one after), and an http node calls a real local HTTP server and
// branches on its answer, on a 500 and on a timeout.
import t from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { finished, within } from '../acd-sip/site.js';
import { silentCaller, startIvrSite } from './site.js';

const HOURS = `
name: hours
version: 1
language: en
timezone: Europe/Lisbon
start: open
nodes:
  open:
    type: condition
    cases:
      - when: { days: mon-fri, time: '09:00-17:00' }
        next: in-hours
    else: after-hours
  in-hours: { type: queue, queue: office }
  after-hours: { type: queue, queue: night }
`;

t.test('a time condition routes by the clock: Wednesday 10:00 → office, Wednesday 20:00 → night', async (t) => {
  let now = new Date('2026-11-25T10:00:00Z'); // a Wednesday; Lisbon is on UTC in November
  const s = await startIvrSite(t, {
    site: { queues: [{ name: 'office' }, { name: 'night' }], entryNumbers: [{ number: '+15550300', flow: 'hours' }] },
    flows: { hours: HOURS },
    clock: () => now,
  });
  const first = await silentCaller(t, s, { number: '+15550300', caller: '+31201110011', stayMs: 2000 });
  const q1 = await s.bus.wait('call_queued', () => true, 30_000);
  t.equal(q1.payload.queue, 'office', 'in office hours: office queue');
  await within(finished(first, 'the first caller'), 40_000, 'the first caller');

  now = new Date('2026-11-25T20:00:00Z');
  const second = await silentCaller(t, s, { number: '+15550300', caller: '+31201110012', stayMs: 2000 });
  const q2 = await s.bus.wait('call_queued', (p) => p.callId !== q1.payload.callId, 30_000);
  t.equal(q2.payload.queue, 'night', 'after hours: night queue');
  const ends = await s.bus.atLeast('flow_ended', 2);
  t.same(ends.map((e) => e.payload.path.map((st) => st.node)), [['open', 'in-hours'], ['open', 'after-hours']], 'paths: open → in-hours, then open → after-hours');
  await within(finished(second, 'the second caller'), 40_000, 'the second caller');
});

const DIP = (port: number): string => `
name: dip
version: 1
language: en
timezone: UTC
start: ask
nodes:
  ask:
    type: http
    method: POST
    url: http://127.0.0.1:${port}/tier
    body: { caller: '\${caller.number}' }
    timeout: 1500ms
    assign: { tier: tier }
    next: route
    failure: unanswered
  route:
    type: condition
    cases:
      - when: { var: vars.tier, equals: gold }
        next: gold
    else: standard
  gold: { type: queue, queue: gold }
  standard: { type: queue, queue: standard }
  unanswered: { type: queue, queue: fallback }
`;

t.test('an http node asks a local server: gold → gold queue, silver → standard, 500 or no answer in time → the failure branch', async (t) => {
  const seen: { caller: string }[] = [];
  const pending = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const { caller } = JSON.parse(body) as { caller: string };
      seen.push({ caller });
      if (caller.endsWith('1')) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tier: 'gold' }));
      if (caller.endsWith('2')) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tier: 'silver' }));
      if (caller.endsWith('3')) return res.writeHead(500).end('database down');
      pending.add(res); // never answers: the node's 1.5 s timeout must fire
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const res of pending) res.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = (server.address() as AddressInfo).port;
  const s = await startIvrSite(t, {
    site: { queues: [{ name: 'gold' }, { name: 'standard' }, { name: 'fallback' }], entryNumbers: [{ number: '+15550400', flow: 'dip' }] },
    flows: { dip: DIP(port) },
  });

  const expect: [string, string][] = [['+31201110001', 'gold'], ['+31201110002', 'standard'], ['+31201110003', 'fallback'], ['+31201110004', 'fallback']];
  for (const [number, queue] of expect) {
    const from = s.bus.events.length;
    const p = await silentCaller(t, s, { number: '+15550400', caller: number, stayMs: 2500 });
    const queued = await s.bus.wait('call_queued', () => true, 30_000, from);
    t.equal(queued.payload.queue, queue, `${number}: ${queue}`);
    const ended = await s.bus.wait('flow_ended', () => true, 30_000, from);
    const ask = ended.payload.path.find((st) => st.node === 'ask');
    t.equal(ask?.exit, queue === 'fallback' ? 'failure' : 'next', `${number}: the http node left by ${ask?.exit}`);
    await within(finished(p, `caller ${number}`), 40_000, `caller ${number}`);
  }
  t.same(seen.map((x) => x.caller), expect.map(([n]) => n), 'the server was asked once per call, with the caller number in the body');
});
