// The API tokens' public entry. Other modules import from here.

export { apiTokensService } from './service.js';
export type { ApiTokenInfo, ApiTokenPrincipal, ApiTokensOptions, ApiTokensService, NewApiToken } from './service.js';
