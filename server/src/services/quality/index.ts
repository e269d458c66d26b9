// Quality scorecards' public entry: the service, its site-file section and the
// shapes others reach through `services.get('quality')` (docs/recording.md, "Quality scorecards").

export { qualityService, type QualityService, type EvaluationInput } from './service.js';
export { qualityConfigSection, type QualitySettings, type ScorecardDefinition, type Criterion } from './config-schema.js';
export type { Evaluation, Scorecard } from './repository.js';
export { qualityMigrations } from './migrations.js';
