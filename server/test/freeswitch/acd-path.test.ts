// The ACD path through the whole product on FreeSWITCH (telephony.driver:
// freeswitch, a FreeSWITCH Tenor starts from the cached build); the softphone
// registers to FreeSWITCH, which asks Tenor for the device secret (the
// scenario: engines/acd-path-scenario.ts).
import t from 'tap';
import { freeSwitchEngine } from '../engines/engine.js';
import { ACD_PATH, acdPathScenario } from '../engines/acd-path-scenario.js';

t.setTimeout(900_000);

const engine = await freeSwitchEngine();
t.test(ACD_PATH, engine.options, (t) => acdPathScenario(t, engine, '127.0.0.37'));
