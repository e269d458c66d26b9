// Direct media in the site file: trunks[].directMedia and an agent device's
// directMedia reach the embedded engine's settings (off unless said), and a
// value that is not a boolean is refused naming the field.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConfigProblem } from '../../src/config/load.js';
import { loadConfig } from '../../src/services/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { directMediaDevices } from '../../src/services/telephony/embedded.js';
import { engineTrunk } from '../../src/services/trunks/live-trunks.js';
import { tempDir } from '../helpers.js';

function problemsOf(env: NodeJS.ProcessEnv, dir: string): ConfigProblem[] {
  try {
    loadConfig(env, dir);
  } catch (err) {
    if (isTenorError(err, 'TENOR_ERR_CONFIG_INVALID')) return err.details as ConfigProblem[];
    throw err;
  }
  return [];
}

const site = [
  'trunks:',
  '  - { name: carrier, host: 127.0.0.1, directMedia: true }',
  '  - { name: backup, host: 127.0.0.2 }',
  'agents:',
  '  - { login: alice, name: Alice, device: { type: softphone, secret: alice-phone-secret-7f3k, directMedia: true } }',
  '  - { login: bob, name: Bob, device: { type: softphone, secret: bob-phone-secret-7f3k9q } }',
  '  - { login: carol, name: Carol, device: { type: persistent, secret: carol-phone-secret-7f3k, directMedia: true } }',
  '',
];

t.test('trunks[].directMedia and device.directMedia reach the engine; off unless said', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'site.yaml'), site.join('\n'));
  const config = loadConfig({ TENOR_CONFIG: 'site.yaml' }, dir);
  const [carrier, backup] = config.site.trunks.map(engineTrunk);
  t.equal(carrier?.directMedia, true, 'the trunk that says so');
  t.equal(backup?.directMedia, undefined, 'the engine default (false) for the other');
  const allowed = directMediaDevices(config);
  t.equal(allowed('alice'), true);
  t.equal(allowed('carol'), true, 'a persistent line to a softphone too');
  t.equal(allowed('bob'), false, 'off by default');
  t.equal(allowed('mallory'), false, 'a user the site does not name');
});

t.test('a directMedia that is not a boolean is refused, naming the field', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'site.yaml'), ['trunks:', '  - { name: carrier, host: 127.0.0.1, directMedia: sometimes }', ''].join('\n'));
  const problems = problemsOf({ TENOR_CONFIG: 'site.yaml' }, dir);
  t.ok(problems.some((p) => JSON.stringify(p).includes('directMedia')), 'the problem names directMedia');
});
