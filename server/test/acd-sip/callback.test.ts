// Callback that keeps the place in line, over real SIP on the embedded engine
// (the scenario: engines/callback-scenario.ts; on FreeSWITCH: freeswitch/callback.test.ts).
import t from 'tap';
import { embeddedEngine } from '../engines/engine.js';
import { CALLBACK_FIRST, callbackScenario } from '../engines/callback-scenario.js';

t.test(CALLBACK_FIRST, (t) => callbackScenario(t, embeddedEngine));
