// The entry numbers' public entry: what other services may use of them.
// Other services import from here, never from this service's own modules.

export { entryNumbersService } from './service.js';
export type { EntryNumberView, EntryNumbersService } from './service.js';
