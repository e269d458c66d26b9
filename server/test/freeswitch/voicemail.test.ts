// Voicemail with FreeSWITCH as the engine: FreeSWITCH plays the greeting and
// writes the caller's message where Tenor asks; the WAV, the API, the call
// record and the e-mail show it (the scenario: engines/voicemail-scenario.ts).
import t from 'tap';
import { freeSwitchEngine } from '../engines/engine.js';
import { LEAVE_MESSAGE, leaveMessageScenario } from '../engines/voicemail-scenario.js';

const engine = await freeSwitchEngine();
t.test(LEAVE_MESSAGE, engine.options, (t) => leaveMessageScenario(t, engine));
