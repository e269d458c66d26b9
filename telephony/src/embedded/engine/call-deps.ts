// What every part of the engine that sets up calls is given: the engine's
// configuration and state, the calls and media legs it holds, the trunks and
// registered devices calls go to or come from, and each call's settings.
import type { Logger } from 'pino';
import type { Registrar } from '../registrar/registrar.js';
import type { CallRegistry } from './call-registry.js';
import type { CallSettings } from './call-settings.js';
import type { ResolvedConfig } from './config.js';
import type { EngineState } from './engine-state.js';
import type { MediaLegs } from './media-legs.js';
import type { TrunkSet } from './trunk-set.js';

export interface CallDeps {
  cfg: ResolvedConfig;
  log: Logger;
  engine: EngineState;
  legs: MediaLegs;
  calls: CallRegistry;
  trunks: TrunkSet;
  registrar: Registrar | undefined;
  settings: CallSettings;
}
