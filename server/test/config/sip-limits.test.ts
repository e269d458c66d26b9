// sip.limits in the site file: what a site sets reaches the embedded engine
// under the engine's names, what it leaves out keeps the engine's defaults,
// and a limit of 0 is refused with the key named.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConfigProblem } from '../../src/config/load.js';
import { loadConfig } from '../../src/services/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { engineLimits } from '../../src/services/telephony/index.js';
import { tempDir } from '../helpers.js';

t.test('GIVEN a site file with sip.limits WHEN loaded THEN each limit set reaches the engine under its name and the others keep the engine defaults', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'site.yaml'), [
    'sip:',
    '  limits:',
    '    unansweredCallsPerAddress: 4',
    '    calls: 50',
    '    trunkRequestsPerAddress: 3000',
    '    authFailuresPerUser: 3',
    '    userLockSeconds: 60',
    '',
  ].join('\n'));
  const config = loadConfig({ TENOR_CONFIG: 'site.yaml' }, dir);
  t.same(engineLimits(config.sip.limits), {
    callLimits: { maxUnansweredPerSource: 4, maxCalls: 50 },
    rateLimit: { trunkMaxRequests: 3000 },
    userAuthLimit: { maxFailures: 3, lockMs: 60_000 },
  });
  t.same(engineLimits(loadConfig({}, dir).sip.limits), { callLimits: {}, rateLimit: {}, userAuthLimit: {} }, 'nothing set: the engine defaults');
});

t.test('GIVEN sip.limits.calls: 0 WHEN loaded THEN the configuration is refused naming the key', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'site.yaml'), ['sip:', '  limits:', '    calls: 0', ''].join('\n'));
  let problems: ConfigProblem[] = [];
  try {
    loadConfig({ TENOR_CONFIG: 'site.yaml' }, dir);
  } catch (err) {
    if (isTenorError(err, 'TENOR_ERR_CONFIG_INVALID')) problems = err.details as ConfigProblem[];
    else throw err;
  }
  t.match(problems[0]?.message, /\/sip\/limits\/calls/);
});
