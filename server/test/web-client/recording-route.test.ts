// The recordings page's addresses (agent-ui/src/web/pages/recordings/route.ts) and the
// player's shaded spans and marker labels (markers.ts): what a link opens, what a
// hand-typed address cannot smuggle in, and which stretches of a recording are
// shown as on hold or paused.
import t from 'tap';
import { recordingHref, recordingsListHref, recordingsRoute } from '../../../agent-ui/src/web/pages/recordings/route.js';
import { markerTarget, spansOf } from '../../../agent-ui/src/web/pages/recordings/markers.js';

const marker = (atMs: number, kind: string) => ({ atMs, kind, by: null, reason: null, detail: null });

t.test('addresses: the list with its filters, one recording, and nothing else', async (t) => {
  t.same(recordingsRoute('#/recordings'), { kind: 'list', filters: {} });
  t.same(recordingsRoute('#/recordings/rec-1_a'), { kind: 'player', id: 'rec-1_a' });
  t.same(recordingsRoute('#/recordings?customerId=7&queue=sales&offset=25&colour=red'), { kind: 'list', filters: { customerId: '7', queue: 'sales', offset: 25 } }, 'known filters only');
  t.same(recordingsRoute('#/recordings?offset=-5&agent=%20%20'), { kind: 'list', filters: {} }, 'a negative offset and a blank filter are dropped');
  t.same(recordingsRoute('#/recordings/../../api/users'), { kind: 'list', filters: {} }, 'no path in an id');
  t.same(recordingsRoute(`#/recordings/${'x'.repeat(65)}`), { kind: 'list', filters: {} }, 'ids are 64 characters at most');
  const filters = { from: '2026-11-20T08:00', queue: 'sales', customerId: '7', offset: 50 };
  t.same(recordingsRoute(recordingsListHref(filters)), { kind: 'list', filters }, 'a list link opens the same filters');
  t.equal(recordingsListHref({ queue: '', agent: undefined }), '#/recordings', 'empty filters leave no query');
  t.equal(recordingsListHref({ customerId: 'a&b=c' }), '#/recordings?customerId=a%26b%3Dc', 'values are encoded');
  t.equal(recordingHref('rec-1'), '#/recordings/rec-1');
});

t.test('spans: hold to unhold, pause to resume, an open one to the end', async (t) => {
  const markers = [marker(0, 'agent'), marker(4000, 'pause'), marker(1000, 'hold'), marker(2000, 'unhold'), marker(5000, 'resume'), marker(7000, 'hold')];
  t.same(spansOf(markers, 9000), [
    { kind: 'hold', startMs: 1000, endMs: 2000 },
    { kind: 'paused', startMs: 4000, endMs: 5000 },
    { kind: 'hold', startMs: 7000, endMs: 9000 },
  ], 'in time order whatever the order given; the hold still open runs to the end');
  t.same(spansOf([marker(1000, 'resume'), marker(2000, 'unhold')], 3000), [], 'an end without a start shades nothing');
  t.same(spansOf([marker(1000, 'pause'), marker(1500, 'pause'), marker(2500, 'resume')], 3000), [{ kind: 'paused', startMs: 1000, endMs: 2500 }], 'a second pause while paused changes nothing');
});

t.test("a marker's detail as shown", async (t) => {
  t.equal(markerTarget(null), null);
  t.equal(markerTarget('bob'), 'bob', 'an agent marker names the agent');
  t.equal(markerTarget('{"kind":"agent","agent":"bob"}'), 'bob', 'a transfer target');
  t.equal(markerTarget('{"kind":"number","number":"+15550100"}'), '+15550100');
  t.equal(markerTarget('"sales"'), 'sales');
});
