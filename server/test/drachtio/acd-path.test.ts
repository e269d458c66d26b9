// The ACD path through the whole product on drachtio (telephony.driver:
// drachtio, drachtio-server and FreeSWITCH Tenor starts from the cached
// builds): the softphone registers at drachtio's edge, with the device secret
// Tenor holds (the scenario: engines/acd-path-scenario.ts).
import t from 'tap';
import { drachtioEngine } from '../engines/engine.js';
import { ACD_PATH, acdPathScenario } from '../engines/acd-path-scenario.js';

t.setTimeout(90_000);

const engine = await drachtioEngine();
t.test(ACD_PATH, engine.options, (t) => acdPathScenario(t, engine, '127.0.0.38'));
