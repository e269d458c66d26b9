// The metrics after real calls: two SIPp callers wait in a queue while the
// agent is away, then the agent's baresip softphone takes one; Prometheus's
// view (scraped over HTTP from the metrics-only listener and from the API port)
// shows what a supervisor would look at: who waits and for how long, agents by
// state, calls in progress and the calls total going up by the calls made,
// SIP answers by class, RTP packets, database writes.

import t from 'tap';
import { freeTcpPort } from '../../../telephony/test/peers/index.js';
import { ADMIN_AUTH } from '../helpers.js';
import { agentPhone, caller, finished, sleep, startSite } from '../acd-sip/site.js';
import { parseExposition, type Exposition } from './exposition.js';

t.test('queue waiting, agents by state, calls and SIP/RTP counts after real calls', async (t) => {
  const metricsPort = await freeTcpPort();
  const s = await startSite(t, {
    queues: [{ name: 'sales', ringTimeoutSeconds: 10 }, { name: 'support' }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-web-password', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
    metrics: { listen: `127.0.0.1:${metricsPort}` },
  });
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const address = s.app.server.address();
  const apiPort = typeof address === 'object' && address ? address.port : 0;

  // Prometheus scrapes the listener without credentials; the API port wants an admin's or a supervisor's.
  const scrape = async (): Promise<Exposition> => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    t.equal(res.status, 200, 'scraped');
    return parseExposition(await res.text());
  };
  const scrapeApi = async (): Promise<Exposition> => {
    const res = await fetch(`http://127.0.0.1:${apiPort}/metrics`, { headers: ADMIN_AUTH });
    t.equal(res.status, 200, 'scraped through the API port');
    return parseExposition(await res.text());
  };

  await agentPhone(t, s, 'ann');
  // Through the API first: the admin's password is hashed once here, not while the callers wait.
  const before = await scrapeApi();
  t.equal(before.value('tenor_agents', { state: 'logged-out' }), 1, 'ann is logged out');
  t.equal(before.value('tenor_queue_waiting', { queue: 'sales' }), 0, 'nobody waits');
  t.equal(before.value('tenor_calls_in_progress'), 0, 'no call');
  t.equal(before.value('tenor_calls_total', { direction: 'inbound' }), 0, 'no call since start');
  t.equal(before.families.get('tenor_db_write_duration_seconds')?.type, 'histogram', 'database writes are a histogram');

  // Two callers, nobody to answer: both wait. The second gives up (8 s after the ingress answered)
  // while the first talks to ann (12 s), so ann is never offered the second.
  const first = await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs: 12_000 });
  await s.bus.atLeast('call_queued', 1);
  const second = await caller(t, s, { number: '+15550100', caller: '+31201110002', stayMs: 8000 });
  await s.bus.atLeast('call_queued', 2);
  await sleep(1100);
  const waiting = await scrapeApi();
  t.equal(waiting.value('tenor_queue_waiting', { queue: 'sales' }), 2, 'two callers wait in sales');
  t.equal(waiting.value('tenor_queue_waiting', { queue: 'support' }), 0, 'none in support');
  const longest = waiting.value('tenor_queue_longest_wait_seconds', { queue: 'sales' }) ?? 0;
  t.ok(longest >= 1 && longest < 8, `the first has waited ${longest} s`);
  t.equal(waiting.value('tenor_calls_in_progress'), 2, 'two calls up');
  t.equal(waiting.value('tenor_calls_total', { direction: 'inbound' }), 2, 'calls total: +2 inbound');

  // Ann comes in: her phone is called (outbound) and answers; the first caller is connected, the second still waits.
  t.not((await s.setState('ann', 'ready')).state, 'logged-out', 'ann logs in (and is offered the first caller at once)');
  await s.bus.atLeast('call_answered', 1);
  const talking = await scrape();
  t.equal(talking.value('tenor_agents', { state: 'on-call' }), 1, 'ann is on a call');
  t.equal(talking.value('tenor_agents', { state: 'logged-out' }), 0);
  t.equal(talking.value('tenor_queue_waiting', { queue: 'sales' }), 1, 'one caller still waits');
  t.equal(talking.value('tenor_bridges_in_progress'), 1, 'the caller and ann are bridged');
  t.equal(talking.value('tenor_calls_in_progress'), 3, "two callers and ann's phone");
  t.equal(talking.value('tenor_calls_total', { direction: 'outbound' }), 1, "calls total: +1 outbound (ann's phone)");
  t.ok((talking.value('tenor_rtp_streams') ?? 0) >= 3, 'a media stream per call');

  await finished(first, 'the first caller');
  await finished(second, 'the second caller');
  await s.bus.atLeast('call_ended', 1);
  await s.bus.atLeast('call_abandoned', 1);
  await s.acd.flush();
  let after = await scrape();
  for (let i = 0; i < 50 && after.value('tenor_calls_in_progress') !== 0; i++) {
    await sleep(100);
    after = await scrape();
  }
  t.equal(after.value('tenor_calls_in_progress'), 0, 'every call has ended');
  t.equal(after.value('tenor_calls_total', { direction: 'inbound' }), 2, 'calls total: 2 inbound');
  t.equal(after.value('tenor_calls_total', { direction: 'outbound' }), 1, 'and 1 outbound');
  t.equal(after.value('tenor_queue_waiting', { queue: 'sales' }), 0, 'nobody waits any more');
  t.equal(after.value('tenor_queue_longest_wait_seconds', { queue: 'sales' }), 0, 'so nobody has waited');
  t.equal(after.value('tenor_agents', { state: 'ready' }), 1, 'ann is ready again');
  t.ok((after.value('tenor_sip_responses_total', { direction: 'sent', class: '2xx' }) ?? 0) >= 2, 'Tenor answered both callers with 200');
  t.ok((after.value('tenor_sip_responses_total', { direction: 'received', class: '2xx' }) ?? 0) >= 1, "ann's phone answered with 200");
  // The queue answers its callers at once, so Tenor owes them no 100 Trying (sent only when an answer takes over 200 ms).
  t.ok((after.value('tenor_sip_responses_total', { direction: 'received', class: '1xx' }) ?? 0) >= 1, "ann's phone rang: its provisional answers are counted");
  t.ok((after.value('tenor_rtp_packets_total', { direction: 'received' }) ?? 0) > 50, `RTP received: ${after.value('tenor_rtp_packets_total', { direction: 'received' })}`);
  t.ok((after.value('tenor_rtp_packets_total', { direction: 'sent' }) ?? 0) > 50, `RTP sent: ${after.value('tenor_rtp_packets_total', { direction: 'sent' })}`);
  t.ok(after.value('tenor_rtp_packets_lost_total') !== undefined, 'loss is counted');
  t.ok(after.sum('tenor_db_write_duration_seconds_count') > 0, `database writes observed: ${after.sum('tenor_db_write_duration_seconds_count')}`);
  t.equal(after.value('tenor_db_write_duration_seconds_bucket', { kind: 'statement', le: '+Inf' }), after.value('tenor_db_write_duration_seconds_count', { kind: 'statement' }), 'the +Inf bucket holds every write');
  t.ok(after.value('tenor_event_loop_delay_seconds', { stat: 'p99' }) !== undefined, 'event-loop delay is published');
  // The counters never went down between scrapes.
  for (const [series, value] of waiting.samples) {
    const name = series.slice(0, series.indexOf('{'));
    if (waiting.families.get(name)?.type === 'counter') t.ok((after.samples.get(series) ?? 0) >= value, `${series} did not go down`);
  }
});
