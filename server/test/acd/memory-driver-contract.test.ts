// The telephony driver contract suite (telephony/src/contract/), run against
// the memory driver the ACD's unit tests stand on: calls, media and bridges
// behave here as they do on the embedded, FreeSWITCH and drachtio drivers.
import t from 'tap';
import { runDriverContract } from '@tenor/telephony';
import { contractTest } from '../../../telephony/test/contract/tap-adapter.js';
import { createMemoryHarness } from './memory-peer.js';

await runDriverContract(contractTest(t), { createHarness: createMemoryHarness });
