// Callback that keeps the place in line on drachtio: the customer is called
// back through the carrier trunk at drachtio's edge (the scenario:
// engines/callback-scenario.ts).
import t from 'tap';
import { drachtioEngine } from '../engines/engine.js';
import { CALLBACK_FIRST, callbackScenario } from '../engines/callback-scenario.js';

t.setTimeout(90_000);

const engine = await drachtioEngine();
t.test(CALLBACK_FIRST, engine.options, (t) => callbackScenario(t, engine));
