// Supervisor monitoring on drachtio: listen, whisper and barge on a call that
// came in through drachtio's edge, FreeSWITCH mixing the audio (the scenario:
// engines/monitor-scenario.ts).
import t from 'tap';
import { drachtioEngine } from '../engines/engine.js';
import { LISTEN_WHISPER_BARGE, monitorScenario } from '../engines/monitor-scenario.js';

t.setTimeout(90_000);

const engine = await drachtioEngine();
t.test(LISTEN_WHISPER_BARGE, engine.options, (t) => monitorScenario(t, engine));
