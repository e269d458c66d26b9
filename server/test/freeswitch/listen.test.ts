// Supervisor listen, whisper and barge with FreeSWITCH as the engine: the
// supervisor's softphone, registered to FreeSWITCH, is called and eavesdrops on
// the agent's call; what each party hears is checked on the wire (the
// scenario: engines/monitor-scenario.ts).
import t from 'tap';
import { freeSwitchEngine } from '../engines/engine.js';
import { LISTEN_WHISPER_BARGE, monitorScenario } from '../engines/monitor-scenario.js';

const engine = await freeSwitchEngine();
t.test(LISTEN_WHISPER_BARGE, engine.options, (t) => monitorScenario(t, engine));
