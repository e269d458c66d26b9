// GIVEN an agent running a dialogue script whose step schedules a callback,
// THEN the callback is on that agent's list (GET /api/agents/:login/callbacks)
// with its due time and the number in E.164; it is nobody else's; a
// self-service run (no agent) puts nothing on anyone's list.
import t from 'tap';
import { startSite, within } from '../acd-sip/site.js';
import { ADMIN_AUTH } from '../helpers.js';

const basic = (user: string, password: string): { authorization: string } => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });
const ANN = basic('ann', 'ann-secret-word');
const BOB = basic('bob', 'bob-secret-word');

const SCRIPT = `<?xml version="1.0" encoding="UTF-8"?>
<script id="call-me-later" version="1" title="Call me later" start="ask">
  <step id="ask" title="When?">
    <question id="number" type="text"><prompt>Which number?</prompt></question>
    <go to="done"><schedule-callback in="2h" number="\${answer.number}"/></go>
  </step>
  <end id="done" outcome="scheduled" title="Done"><info>We will call you back.</info></end>
</script>`;

t.test("a callback a script run schedules goes on the running agent's list", async (t) => {
  const s = await startSite(t, {
    dialing: { country: 'DE' },
    queues: [{ name: 'sales' }],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] },
      { login: 'bob', name: 'Bob', password: 'bob-secret-word', queues: [{ queue: 'sales' }] },
    ],
  });
  const saved = await s.app.inject({ method: 'PUT', url: '/api/scripts/call-me-later', headers: { ...ADMIN_AUTH, 'content-type': 'application/xml' }, payload: SCRIPT });
  t.equal(saved.statusCode, 200, saved.body);
  const started = await s.app.inject({ method: 'POST', url: '/api/script-sessions', headers: ANN, payload: { scriptId: 'call-me-later', channel: 'call' } });
  t.equal(started.statusCode, 201, started.body);
  const session = JSON.parse(started.body) as { id: string };
  const before = Date.now();
  const answered = await s.app.inject({ method: 'POST', url: `/api/script-sessions/${session.id}/answer`, headers: ANN, payload: { value: '030 1234-567' } });
  t.equal(answered.statusCode, 200, answered.body);

  // The bus delivers the script's event to the ACD, which stores it: read until it is there (bounded).
  const list = await within((async () => {
    for (;;) {
      const res = await s.app.inject({ method: 'GET', url: '/api/agents/ann/callbacks', headers: ANN });
      const items = JSON.parse(res.body) as { number: string; dueAt: string; source: string; overdue: boolean }[];
      if (items.length > 0) return items;
      await new Promise((r) => setTimeout(r, 100));
    }
  })(), 15_000, "the callback on ann's list");
  t.match(list, [{ number: '+49301234567', source: 'script call-me-later', overdue: false }], 'on her list, the number in E.164, from the script');
  const due = Date.parse(list[0]?.dueAt ?? '');
  t.ok(due >= before + 2 * 3_600_000 - 5_000 && due <= Date.now() + 2 * 3_600_000 + 5_000, 'due in two hours, as the script said');
  const bobs = JSON.parse((await s.app.inject({ method: 'GET', url: '/api/agents/bob/callbacks', headers: BOB })).body) as unknown[];
  t.same(bobs, [], "not on bob's");
});
