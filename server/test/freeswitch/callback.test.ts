// Callback that keeps the place in line with FreeSWITCH as the engine: the
// customer is called back through the gateway FreeSWITCH makes from the trunk
// (the scenario: engines/callback-scenario.ts).
import t from 'tap';
import { freeSwitchEngine } from '../engines/engine.js';
import { CALLBACK_FIRST, callbackScenario } from '../engines/callback-scenario.js';

const engine = await freeSwitchEngine();
t.test(CALLBACK_FIRST, engine.options, (t) => callbackScenario(t, engine));
