/** Node-only entry point: '@tenor/scripts-dsl/node'. */
export { checkScriptFile, checkScriptCommand } from './check-file.js';
export type { CommandOutput } from './check-file.js';
