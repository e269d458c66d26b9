// The campaigns as a Tenor service: after the store, the bus, the CRM, the
// telephony engine and the ACD (whose queues hold the campaigns' agents).

import type { TenorConfig } from '../../config/schema.js';
import { defineService } from '../../core/service-manager.js';
import '../events.js';
import '../store.js';
import '../telephony/index.js';
import '../crm/index.js';
import { systemClock, type Clock } from '../acd/index.js';
import { CampaignsService } from './campaigns.js';
import { campaignMigrations } from './migrations.js';
import { campaignRoutes } from './routes.js';

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    campaigns: CampaignsService;
  }
}

export function campaignsService(config: TenorConfig, opts: { clock?: Clock } = {}) {
  return defineService<CampaignsService>({
    name: 'campaigns',
    version: '1.0.0',
    description: 'Outbound campaigns: lists, do-not-call, preview / progressive / predictive dialing under the abandon cap',
    dependsOn: ['store', 'events', 'crm', 'telephony', 'acd'],
    routes: { plugin: campaignRoutes },
    async start(ctx) {
      const db = ctx.get('store');
      await db.migrate(campaignMigrations);
      const service = await CampaignsService.start({
        db, crm: ctx.get('crm'), acd: ctx.get('acd'), driver: ctx.get('telephony'), bus: ctx.get('events'),
        clock: opts.clock ?? systemClock, logger: ctx.logger, defaultCountry: config.crm.defaultCountry,
        ...(config.reports.timeZone !== undefined ? { timeZone: config.reports.timeZone } : {}),
      });
      ctx.whenReplaced('events', () => service.busReplaced());
      return service;
    },
    stop: (service) => service.stop(),
    async health(service) {
      const campaigns = await service.list();
      return { status: 'ok', detail: `${campaigns.length} campaigns, ${campaigns.filter((c) => c.status === 'running').length} running` };
    },
  });
}
