// A progressive campaign with FreeSWITCH as the engine: calls go out through
// the gateway FreeSWITCH makes from the campaign's trunk, Tenor's detector hears
// the far end through FreeSWITCH, people are connected to the agent and the
// answering machine is handled as the campaign says (the scenario:
// engines/progressive-scenario.ts).
import t from 'tap';
import { freeSwitchEngine } from '../engines/engine.js';
import { PROGRESSIVE_AMD, progressiveScenario } from '../engines/progressive-scenario.js';

const engine = await freeSwitchEngine();
t.test(PROGRESSIVE_AMD, { timeout: 120_000, ...engine.options }, (t) => progressiveScenario(t, engine));
