// The wallboard's public entry.

export { wallboardService, type WallboardOptions } from './service.js';
export type { WallboardView, WallboardQueue, TodayFigures } from './wallboard.js';
export type { WaitingSample } from './history.js';
