// Previewing a draft script over HTTP, as the admin console's script editor does:
// the run follows the answers, goes back, refuses an invalid answer, lists the
// actions it would take without running them, and the draft is never saved.
import t from 'tap';
import { ADMIN_AUTH, startTestApp } from '../helpers.js';

const DRAFT = `<?xml version="1.0" encoding="UTF-8"?>
<script id="preview-draft" version="1" title="Preview draft" start="kind">
  <step id="kind" title="Kind">
    <question id="kind" type="choice">
      <prompt>Outage or meter?</prompt>
      <option value="outage">Outage</option>
      <option value="meter">Meter</option>
    </question>
    <go to="danger" when="answer.kind == 'outage'"/>
    <go to="reading"/>
  </step>
  <step id="danger" title="Danger">
    <question id="danger" type="yesno"><prompt>Any danger?</prompt></question>
    <go to="escalated" when="answer.danger"><set-disposition code="fault-emergency"/></go>
    <go to="noted"/>
  </step>
  <step id="reading" title="Reading">
    <question id="kwh" type="number" min="0"><prompt>Reading?</prompt></question>
    <go to="noted"/>
  </step>
  <end id="escalated" outcome="escalated"/>
  <end id="noted" outcome="noted"/>
</script>
`;

interface Preview { title: string; step: { id: string; kind: string; question?: { prompt: string } }; answers: Record<string, unknown>; outcome: string | null; done: boolean; snapshot: unknown; errors: { message: string }[]; actions: { type: string }[] }

t.test('a draft script runs in preview without being saved', async (t) => {
  const { app, services } = await startTestApp(t);
  const post = async (body: Record<string, unknown>, auth = ADMIN_AUTH) => {
    const res = await app.inject({ method: 'POST', url: '/api/scripts/preview', headers: auth, payload: body });
    return { status: res.statusCode, json: JSON.parse(res.body) as Preview & { error?: { code: string; message: string; details?: unknown } } };
  };
  const start = await post({ xml: DRAFT });
  t.equal(start.status, 200);
  t.match(start.json, { title: 'Preview draft', step: { id: 'kind', question: { prompt: 'Outage or meter?' } }, done: false }, 'the preview starts at the first step');

  const outage = await post({ xml: DRAFT, action: 'answer', value: 'outage', snapshot: start.json.snapshot });
  t.equal(outage.json.step.id, 'danger', "answering 'outage' goes to the danger step");
  const danger = await post({ xml: DRAFT, action: 'answer', value: true, snapshot: outage.json.snapshot });
  t.match(danger.json, { done: true, outcome: 'escalated', answers: { kind: 'outage', danger: true }, actions: [{ type: 'set-disposition' }] }, 'yes ends escalated, listing the action it would take');

  const back = await post({ xml: DRAFT, action: 'back', snapshot: outage.json.snapshot });
  t.equal(back.json.step.id, 'kind', 'back returns to the first step');
  const meter = await post({ xml: DRAFT, action: 'answer', value: 'meter', snapshot: back.json.snapshot });
  t.equal(meter.json.step.id, 'reading', "answering 'meter' goes to the reading step instead");
  const invalid = await post({ xml: DRAFT, action: 'answer', value: -5, snapshot: meter.json.snapshot });
  t.equal(invalid.json.step.id, 'reading', 'an invalid answer stays on the step');
  t.ok(invalid.json.errors.length > 0, 'with the reason');

  const bad = await post({ xml: DRAFT.replace('<go to="noted"/>\n  </step>\n  <end', '<go to="nowhere"/>\n  </step>\n  <end') });
  t.equal(bad.status, 400, 'a draft with problems cannot be previewed');
  t.match(bad.json, { error: { code: 'TENOR_ERR_SCRIPT_INVALID', message: /line \d+/ } }, 'the refusal names the line');
  t.equal((await post({ xml: DRAFT, action: 'next' })).status, 400, 'a move without a snapshot is refused');

  t.notOk(services.get('scripts').library.list().some((s) => s.id === 'preview-draft'), 'the draft was not saved');
  const agent = { authorization: 'Basic ' + Buffer.from('al:al-secret-word-1').toString('base64') };
  await services.get('users').create({ username: 'al', displayName: 'Al', password: 'al-secret-word-1', role: 'agent' });
  t.equal((await post({ xml: DRAFT }, agent)).status, 403, 'agents may not preview drafts');
});
