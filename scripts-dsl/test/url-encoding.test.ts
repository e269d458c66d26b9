// A webhook's URL is built from the script's text and placeholders; an answer
// (or a customer field) must not be able to add query parameters, change the
// path or cut the URL short. Each substituted value is URL-encoded; the body
// is sent as written.
import t from 'tap';
import { startRun } from '../src/runtime.js';
import { compileXml } from './helpers/examples.js';

t.test("an answer like 'A1&admin=1#x' stays one URL value; the body keeps it as typed", async (t) => {
  const compiled = compileXml(`<script id="lead">
  <step id="ask">
    <question id="ref" type="text"><prompt>Reference?</prompt></question>
    <go to="done">
      <webhook url="https://partner.example/leads/${'$'}{answer.ref}?ref=${'$'}{answer.ref}&amp;from=tenor" method="POST">{"ref": "${'$'}{answer.ref}"}</webhook>
    </go>
  </step>
  <end id="done" outcome="sent"/>
</script>`);
  const run = startRun(compiled, {});
  const result = run.answer('A1&admin=1#x/../..');
  const actions = result.ok ? result.actions : [];
  t.same(actions, [{
    type: 'webhook',
    method: 'POST',
    url: 'https://partner.example/leads/A1%26admin%3D1%23x%2F..%2F..?ref=A1%26admin%3D1%23x%2F..%2F..&from=tenor',
    body: '{"ref": "A1&admin=1#x/../.."}',
  }]);
  const url = new URL(actions[0]?.type === 'webhook' ? actions[0].url : '');
  t.equal(url.searchParams.get('ref'), 'A1&admin=1#x/../..', 'the service reads back exactly what was answered');
  t.notOk(url.searchParams.has('admin'), 'no parameter was added');
  t.equal(url.pathname, '/leads/A1%26admin%3D1%23x%2F..%2F..', 'the path stays one segment under /leads');
});
