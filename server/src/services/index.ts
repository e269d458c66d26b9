// The services every Tenor server runs, in no particular order: the service
// manager sorts them by their dependencies. The catalogue also lists the
// site-file sections those services read, so the configuration is loaded here.

import type { TenorConfig } from '../config/schema.js';
import { loadConfigWith } from '../config/load.js';
import type { ConfigSection } from '../core/config-section.js';
import type { ServiceDefinition } from '../core/service-manager.js';
import { eventsService } from './events.js';
import { storeService } from './store.js';
import { usersService } from './users.js';
import { sipCredentialsService } from './sip-credentials/index.js';
import { crmServices } from './crm/index.js';
import { mailService } from './mail.js';
import { webhooksService } from './webhooks.js';
import { scriptsService, selfServiceConfigSection } from './scripts/index.js';
import { telephonyConfigSection, telephonyService } from './telephony/index.js';
import { dialingConfigSection, dialingService } from './dialing/index.js';
import { acdConfigSection, acdService, deskConfigSection, monitoringService } from './acd/index.js';
import { ingressService } from './ingress.js';
import { ivrService } from './ivr/index.js';
import { contactHistoryService } from './contact-history.js';
import { campaignsService } from './campaigns/index.js';
import { reportsConfigSection, reportsService } from './reports/index.js';
import { sessionsService } from './sessions/index.js';
import { liveEventsService } from './live-events/index.js';
import { loginLimitsFrom } from '../config/login-settings.js';
import { promptsService } from './prompts/index.js';
import { voicemailConfigSection, voicemailService } from './voicemail/index.js';
import { trunksService } from './trunks/index.js';
import { entryNumbersService } from './entry-numbers/index.js';
import { metricsConfigSection, metricsService } from './metrics/index.js';
import { webrtcPhoneService } from './webrtc-phone/index.js';
import { alertsConfigSection, alertsService } from './alerts/index.js';
import { wallboardService } from './wallboard/index.js';
import { eventWebhooksService, webhooksConfigSection } from './event-webhooks/index.js';
import { RecordingVault, recordingConfigSection, recordingMigrations, recordingsService, recordingVaultOptions } from './recordings/index.js';
// quality scorecards (Q)
import { qualityConfigSection, qualityService } from './quality/index.js';
// API tokens (H)
import { apiTokensService } from './api-tokens/index.js';

/** The site-file sections of the built-in services, in the order the file's documentation lists them. */
export const serviceConfigSections: readonly ConfigSection[] = [
  telephonyConfigSection,
  acdConfigSection,
  deskConfigSection,
  voicemailConfigSection,
  reportsConfigSection,
  dialingConfigSection,
  selfServiceConfigSection,
  metricsConfigSection,
  alertsConfigSection,
  webhooksConfigSection,
  recordingConfigSection,
  // quality scorecards (Q)
  qualityConfigSection,
];

/** The configuration from the environment and the site file (config/load.ts), with the built-in services' sections. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): TenorConfig {
  return loadConfigWith(serviceConfigSections, env, cwd);
}

export function builtinServices(config: TenorConfig): ServiceDefinition<object>[] {
  return [
    storeService(config.dataDir),
    eventsService(),
    usersService(config.adminPassword),
    sipCredentialsService(config),
    mailService(config.smtp),
    webhooksService(config.outboundHttp),
    ...crmServices({
      modelFile: config.crm.model,
      defaultCountry: config.crm.defaultCountry,
      baseDir: config.baseDir,
      customerData: {
        dataDir: config.dataDir,
        recordingTables: recordingMigrations,
        async openRecordings() {
          const vault = new RecordingVault(recordingVaultOptions(config.dataDir, config.baseDir, config.recording.encryption));
          await vault.open();
          return vault;
        },
      },
    }),
    scriptsService(config.dataDir, { selfService: config.selfService, defaultCountry: config.crm.defaultCountry }),
    dialingService(config),
    telephonyService(config),
    acdService(config, config.acd, config.desk),
    monitoringService(config.acd),
    ingressService(),
    trunksService(config.site.trunks, config.dataDir),
    entryNumbersService(config.site.entryNumbers),
    ivrService(config),
    contactHistoryService(),
    campaignsService(config),
    reportsService(config.reports),
    sessionsService({ limits: loginLimitsFrom(config.http.login) }),
    liveEventsService(),
    webrtcPhoneService(),
    promptsService(config.dataDir),
    voicemailService(config),
    metricsService(config),
    alertsService(config.alerts),
    wallboardService(),
    eventWebhooksService(config),
    recordingsService(config),
    // quality scorecards (Q)
    qualityService(config),
    // API tokens (H)
    apiTokensService({ dataDir: config.dataDir }),
  ] as ServiceDefinition<object>[];
}
