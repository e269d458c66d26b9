// Voicemail end to end over real SIP on the embedded engine, through the whole
// server (the scenario: engines/voicemail-scenario.ts; on FreeSWITCH:
// freeswitch/voicemail.test.ts).
import t from 'tap';
import { embeddedEngine } from '../engines/engine.js';
import { LEAVE_MESSAGE, leaveMessageScenario } from '../engines/voicemail-scenario.js';

t.test(LEAVE_MESSAGE, (t) => leaveMessageScenario(t, embeddedEngine));
