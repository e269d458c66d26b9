// The telephony driver contract suite (telephony/src/contract/), run against
// the memory driver the ACD's unit tests stand on: calls, media and bridges
// behave here as they do on the embedded, FreeSWITCH and drachtio drivers.
import t from 'tap';
import { CONTRACT_CASES, runDriverContract } from '@tenor/telephony';
import { contractTest } from '../../../telephony/test/contract/tap-adapter.js';
import { createMemoryHarness } from './memory-peer.js';

// The memory driver has no samples: its call recording is silence of the
// right length, so the cases that read tones out of the file do not apply.
const skip = Object.fromEntries(CONTRACT_CASES
  .filter((name) => name.startsWith('call recording:'))
  .map((name) => [name, 'the memory driver records silence (no samples); the SIP drivers run these']));

await runDriverContract(contractTest(t), { createHarness: createMemoryHarness, skip });
