// List import through the API and the CLI body: mapping onto customer fields,
// E.164, de-duplication in the file and against the list, invalid rows with
// their line numbers, customers created then updated in the CRM.
import t from 'tap';
import { ADMIN_AUTH, startTestApp } from '../helpers.js';
import { formatReport } from '../../src/services/campaigns/cli-import.js';
import type { ImportReport } from '../../src/services/campaigns/lists/import.js';

const CSV = [
  '\uFEFFName;Phone;Segment;TZ',
  'Anna Schmidt;030 1234567;A;',
  '"Meier; Bernd";+49 30 7654321;B;',
  'Nobody;not a number;C;',
  '"Anna again";0049301234567;A;',   // same number as line 2
  'Zed;030 5550000;Z;',               // segment not in the model
  'Wrong zone;030 5550001;C;Mars/Base',
  'US caller;+1 270 555 0100;C;',     // multi-zone country, area not known: needs TZ
  'US caller 2;+1 270 555 0101;C;America/Chicago',
  '',
].join('\r\n');

t.test('a CSV list is imported with a report of invalid rows by line number', async (t) => {
  const { app, services } = await startTestApp(t);
  const post = (body: string) => app.inject({
    method: 'POST', url: '/api/lists/spring/import?map=phone=Phone,name=Name,segment=Segment,timeZone=TZ&country=DE',
    headers: { ...ADMIN_AUTH, 'content-type': 'text/csv' }, payload: body,
  });
  const res = await post(CSV);
  t.equal(res.statusCode, 200, res.body);
  const report = JSON.parse(res.body) as ImportReport;
  t.match(report, { list: 'spring', rows: 8, imported: 3, customersCreated: 3, duplicatesInFile: 1, alreadyInList: 0 });
  t.same(report.invalid.map((i) => i.line), [4, 5, 6, 7, 8], 'the bad rows, by their line in the file');
  t.match(report.invalid, [
    { line: 4, reason: /'not a number' is not a phone number/ },
    { line: 5, reason: /duplicate of line 2/ },
    { line: 6, reason: /segment/ },
    { line: 7, reason: /'Mars\/Base' is not a time zone/ },
    { line: 8, reason: /several time zones.*time-zone column/ },
  ]);
  const entries = await services.get('campaigns').lists.entries('spring');
  t.same(entries.map((e) => [e.phone, e.name, e.timeZone]), [
    ['+49301234567', 'Anna Schmidt', 'Europe/Berlin'],
    ['+49307654321', 'Meier; Bernd', 'Europe/Berlin'],
    ['+12705550101', 'US caller 2', 'America/Chicago'],
  ]);
  const [anna] = await services.get('crm').findCustomersByPhone('+49301234567');
  t.match(anna, { name: 'Anna Schmidt', segment: 'A', phones: ['+49301234567'] }, 'customer created in the CRM');

  // Again, with a changed name: no duplicate entry, the customer is updated.
  const again = JSON.parse((await post('Name,Phone\nAnna Schmidt-Lang,+49301234567\n'.replace('Name,Phone', 'Name,Phone,Segment,TZ').replace('+49301234567', '+49301234567,A,'))).body) as ImportReport;
  t.match(again, { imported: 1, alreadyInList: 1, customersCreated: 0, customersUpdated: 1 });
  t.equal((await services.get('campaigns').lists.entries('spring')).length, 3, 'still three entries');
  const [updated] = await services.get('crm').findCustomersByPhone('+49301234567');
  t.equal(updated?.['name'], 'Anna Schmidt-Lang');
  t.match(formatReport(report), /line 4: 'not a number' is not a phone number/, 'the CLI prints the same report');
});

t.test('a mapped column missing from the header is refused with its name', async (t) => {
  const { app } = await startTestApp(t);
  const res = await app.inject({ method: 'POST', url: '/api/lists/x/import?map=phone=Telefon', headers: { ...ADMIN_AUTH, 'content-type': 'text/csv' }, payload: 'Phone\n+4930123\n' });
  t.equal(res.statusCode, 400);
  t.match(JSON.parse(res.body), { error: { code: 'TENOR_ERR_LIST_IMPORT', message: /no column 'Telefon'/ } });
});

t.test('600 rows report progress as they go', async (t) => {
  const { services } = await startTestApp(t);
  const lines = ['Phone,Name', ...Array.from({ length: 600 }, (_, i) => `+4930${2_000_000 + i},N${i}`)];
  const progress: number[] = [];
  async function* chunks() {
    for (let i = 0; i < lines.length; i += 100) yield lines.slice(i, i + 100).join('\n') + '\n';
  }
  const report = await services.get('campaigns').importList(chunks(), { list: 'big', mapping: { phone: 'Phone', name: 'Name' }, progressEvery: 200, onProgress: (p) => progress.push(p.rows) });
  t.equal(report.imported, 600);
  t.same(progress, [200, 400, 600, 600]);
});
