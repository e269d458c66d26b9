// Supervisor monitoring over real SIP and RTP on the embedded engine (the
// scenario, with what is checked on the wire: engines/monitor-scenario.ts; on
// FreeSWITCH: freeswitch/listen.test.ts), and who may monitor.
import t from 'tap';
import { embeddedEngine } from '../engines/engine.js';
import { ann, LISTEN_WHISPER_BARGE, monitorScenario, sue } from '../engines/monitor-scenario.js';
import { startMonitorSite } from './harness.js';

t.test(LISTEN_WHISPER_BARGE, (t) => monitorScenario(t, embeddedEngine));

t.test('monitoring is for supervisors and admins; unknown monitors are 404', async (t) => {
  const s = await startMonitorSite(t, {
    queues: [{ name: 'sales' }],
    agents: [{ login: 'ann', name: 'Ann', password: ann.password, queues: [{ queue: 'sales' }] }],
  }, [{ ...sue, role: 'supervisor' }]);
  t.equal((await s.request(ann, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen' })).status, 403, 'agent: 403 on start');
  t.equal((await s.request(ann, 'GET', '/api/monitors')).status, 403, 'agent: 403 on the list');
  t.equal((await s.request(ann, 'DELETE', '/api/monitors/x')).status, 403, 'agent: 403 on stop');
  t.match(await s.request(sue, 'POST', '/api/agents/nobody/call/monitor', { mode: 'listen' }), { status: 404, body: { error: { code: 'TENOR_ERR_NOT_FOUND' } } }, 'unknown agent: 404');
  t.match(await s.request(sue, 'POST', '/api/agents/ann/call/monitor', { mode: 'spy' }), { status: 400 }, 'unknown mode: 400');
  t.match(await s.request(sue, 'POST', '/api/monitors/x', { mode: 'barge' }), { status: 404, body: { error: { code: 'TENOR_ERR_NOT_FOUND' } } }, 'unknown monitor: 404');
  t.match(await s.request(sue, 'DELETE', '/api/monitors/x'), { status: 404 }, 'unknown monitor: 404 on DELETE');
});
