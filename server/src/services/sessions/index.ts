// The sessions service's public entry: web login sessions, the failed-login
// limiter and the agent scope guard other services' routes use. Import from
// here, never from the modules of this folder.

export { sessionsService } from './service.js';
export type { SessionsOptions, SessionsService } from './service.js';
export type { WebSession } from './session-store.js';
export type { AccessClock } from './clock.js';
export { customerScopeOf, requireCustomerAccess } from './agent-scope.js';
export type { Me } from './routes.js';
