import t from 'tap';
import { runDriverContract } from '../../src/contract/suite.js';
import { createEmbeddedHarness } from './embedded-harness.js';
import { contractTest } from './tap-adapter.js';

await runDriverContract(contractTest(t), { createHarness: createEmbeddedHarness });
