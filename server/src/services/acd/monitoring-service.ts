// Supervisor monitoring as a Tenor service of its own (`monitoring`): it needs
// the ACD (which call an agent is on) and the telephony engine (to call the
// supervisor and join them to the bridge), and keeps the active monitors.

import type { AcdSettings } from './config-schema.js';
import { defineService } from '../../core/service-manager.js';
import '../events.js';
import '../telephony/index.js';
import './service.js';
import { Monitoring } from './monitoring.js';
import { monitorRoutes } from './monitor-routes.js';

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    monitoring: Monitoring;
  }
}

export function monitoringService(settings: AcdSettings = {}) {
  return defineService<Monitoring>({
    name: 'monitoring',
    version: '1.0.0',
    description: 'Supervisor monitoring of connected ACD calls: listen, whisper, barge',
    dependsOn: ['acd', 'telephony', 'events'],
    routes: { plugin: monitorRoutes },
    start(ctx) {
      const monitoring = new Monitoring({
        acd: ctx.get('acd'),
        driver: ctx.get('telephony'),
        bus: ctx.get('events'),
        logger: ctx.logger,
        ...(settings.callerId !== undefined ? { trunkCallerId: { number: settings.callerId } } : {}),
      });
      ctx.whenReplaced('events', () => monitoring.busReplaced());
      return monitoring;
    },
    stop: (monitoring) => monitoring.close(),
    health: (monitoring) => ({ status: 'ok', detail: `${monitoring.list().length} monitors` }),
  });
}
