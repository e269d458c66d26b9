// Voicemail on drachtio: the caller comes in through drachtio's edge,
// FreeSWITCH plays the greeting and writes the message where Tenor asks; the
// WAV, the API, the call record and the e-mail show it (the scenario:
// engines/voicemail-scenario.ts).
import t from 'tap';
import { drachtioEngine } from '../engines/engine.js';
import { LEAVE_MESSAGE, leaveMessageScenario } from '../engines/voicemail-scenario.js';

t.setTimeout(90_000);

const engine = await drachtioEngine();
t.test(LEAVE_MESSAGE, engine.options, (t) => leaveMessageScenario(t, engine));
