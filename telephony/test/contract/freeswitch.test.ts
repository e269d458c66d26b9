import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runDriverContract } from '../../src/contract/suite.js';
import { startFreeSwitch } from '../../src/freeswitch/process.js';
import { findEngineBuild } from '../engine-build.js';
import { createFreeSwitchHarness } from './freeswitch-harness.js';
import { contractTest } from './tap-adapter.js';

const MEDIA_TIMEOUT_MS = 2000;
// A first run builds FreeSWITCH (about 4 minutes on 2 cores) before the suite runs.
t.setTimeout(900_000);

const build = await findEngineBuild('freeswitch');
if ('missing' in build) {
  if (process.env['CI'] === 'true') t.fail(`${build.missing}: the FreeSWITCH contract suite must run in CI`);
  else t.plan(0, `skipped: ${build.missing}`);
} else {
  const folder = await mkdtemp(join(tmpdir(), 'tenor-freeswitch-'));
  const fs = await startFreeSwitch({ prefix: build.prefix, folder, mediaTimeoutMs: MEDIA_TIMEOUT_MS });
  t.comment(`FreeSWITCH ready in ${fs.startMs} ms (pid ${fs.pid}, SIP ${fs.address}:${fs.sipPort})`);
  t.teardown(async () => {
    await fs.stop();
    await rm(folder, { recursive: true, force: true });
  });
  const started = Date.now();
  await runDriverContract(contractTest(t), {
    createHarness: () => createFreeSwitchHarness(fs),
  });
  t.comment(`contract suite on FreeSWITCH: ${Date.now() - started} ms`);
}
