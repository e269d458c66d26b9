// The shared contract suite on the drachtio driver: drachtio-server as the SIP
// edge, FreeSWITCH for the media, both built from the pinned sources.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runDriverContract } from '../../src/contract/suite.js';
import { startDrachtio } from '../../src/drachtio/process.js';
import { startFreeSwitch } from '../../src/freeswitch/process.js';
import { findEngineBuild } from '../engine-build.js';
import { createDrachtioHarness } from './drachtio-harness.js';
import { contractTest } from './tap-adapter.js';

const MEDIA_TIMEOUT_MS = 2000;
// A first run builds FreeSWITCH and drachtio-server (about 9 minutes on 2 cores) before the suite runs.
t.setTimeout(1_500_000);

const [fsBuild, drachtioBuild] = [await findEngineBuild('freeswitch'), await findEngineBuild('drachtio')];
const missing = 'missing' in fsBuild ? fsBuild.missing : 'missing' in drachtioBuild ? drachtioBuild.missing : undefined;
if (missing !== undefined || 'missing' in fsBuild || 'missing' in drachtioBuild) {
  if (process.env['CI'] === 'true') t.fail(`${missing ?? ''}: the drachtio contract suite must run in CI`);
  else t.plan(0, `skipped: ${missing ?? ''}`);
} else {
  const folder = await mkdtemp(join(tmpdir(), 'tenor-drachtio-contract-'));
  const freeswitch = await startFreeSwitch({ prefix: fsBuild.prefix, folder: join(folder, 'freeswitch'), mediaTimeoutMs: MEDIA_TIMEOUT_MS });
  t.teardown(() => freeswitch.stop());
  const drachtio = await startDrachtio({ prefix: drachtioBuild.prefix, folder: join(folder, 'drachtio') });
  t.teardown(async () => {
    await drachtio.stop();
    await rm(folder, { recursive: true, force: true });
  });
  t.comment(`FreeSWITCH ready in ${freeswitch.startMs} ms, drachtio-server in ${drachtio.startMs} ms`);
  const started = Date.now();
  await runDriverContract(contractTest(t), {
    createHarness: () => createDrachtioHarness({ freeswitch, drachtio }),
  });
  t.comment(`contract suite on drachtio + FreeSWITCH: ${Date.now() - started} ms`);
}
