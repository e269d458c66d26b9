// A progressive campaign with answering-machine detection on drachtio: the
// dialer's calls leave through drachtio's edge, Tenor's detector reads the
// audio FreeSWITCH writes (the scenario: engines/progressive-scenario.ts).
import t from 'tap';
import { drachtioEngine } from '../engines/engine.js';
import { PROGRESSIVE_AMD, progressiveScenario } from '../engines/progressive-scenario.js';

t.setTimeout(90_000);

const engine = await drachtioEngine();
t.test(PROGRESSIVE_AMD, { timeout: 85_000, ...engine.options }, (t) => progressiveScenario(t, engine));
