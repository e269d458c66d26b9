// The `voicemail` key of the site file: checked when the file is loaded (a
// mistake names the field and its line), and read back by the service.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/services/index.js';
import { tempDir } from '../helpers.js';

t.test('GIVEN a site file with a voicemail section THEN it loads and the service gets it from the configuration', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, 'voicemail:\n  retentionDays: 30\n  notify: [office@example.com]\n  boxes:\n    - { name: "queue:sales", maxSeconds: 60 }\n    - { name: billing, queue: support, language: pt-BR }\n');
  const config = loadConfig({ TENOR_CONFIG: file, TENOR_DATA_DIR: dir }, dir);
  t.same(config.voicemail, { retentionDays: 30, notify: ['office@example.com'], boxes: [{ name: 'queue:sales', maxSeconds: 60 }, { name: 'billing', queue: 'support', language: 'pt-BR' }] });
});

t.test('GIVEN mistakes in the voicemail section THEN loading fails naming the field', async (t) => {
  const dir = tempDir(t);
  const cases: [string, RegExp][] = [
    ['voicemail:\n  retentionDays: 0\n', /retentionDays/],
    ['voicemail:\n  boxes:\n    - { name: "queue:" }\n', /name/],
    ['voicemail:\n  boxes:\n    - { name: general, language: fr }\n', /language/],
    ['voicemail:\n  notify: [not-an-address]\n', /notify/],
    ['voicemail:\n  greeting: hello\n', /greeting/],
  ];
  for (const [yaml, field] of cases) {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, yaml);
    t.throws(() => loadConfig({ TENOR_CONFIG: file, TENOR_DATA_DIR: dir }, dir), { code: 'TENOR_ERR_CONFIG_INVALID', message: field }, yaml);
  }
});
