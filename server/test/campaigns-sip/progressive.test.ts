// Progressive dialing with answering-machine detection over real SIP on the
// embedded engine (the scenario: engines/progressive-scenario.ts; on
// FreeSWITCH: freeswitch/campaign-amd.test.ts).
import t from 'tap';
import { embeddedEngine } from '../engines/engine.js';
import { PROGRESSIVE_AMD, progressiveScenario } from '../engines/progressive-scenario.js';

t.test(PROGRESSIVE_AMD, { timeout: 90_000 }, (t) => progressiveScenario(t, embeddedEngine));
