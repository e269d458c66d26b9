// The ACD as a Tenor service: started after the store, the event bus, the
// users and the telephony engine; it applies its own migrations (idempotent),
// closes what a crash left open, and makes the configuration file's queues
// and agents current.

import type { TenorConfig } from '../../config/schema.js';
import { defineService } from '../../core/service-manager.js';
import '../events.js';
import '../store.js';
import '../telephony/index.js';
import '../dialing/index.js';
import '../users.js';
import '../sip-credentials/index.js';
import { agentFromConfig, queueFromConfig, type QueueConfigWithAcd } from './config.js';
import { sipDeviceUser } from './devices.js';
import type { AcdSettings } from './config-schema.js';
import type { DeskSettings } from './desk-config.js';
import { systemClock } from './clock.js';
import { AcdEngine } from './engine.js';
import type { AcdService } from './index.js';
import { acdMigrations } from './migrations.js';
import { acdRoutes } from './routes.js';
import { callControlRoutes } from './call-control-routes.js';
import { agentCallRoutes } from './agent-call-routes.js';

export function acdService(config: TenorConfig, settings: AcdSettings = {}, desk: DeskSettings = {}) {
  return defineService<AcdService>({
    name: 'acd',
    version: '1.0.0',
    description: 'Automatic call distribution: queues, agents, routing strategies, callbacks, call records',
    dependsOn: ['store', 'events', 'users', 'sipCredentials', 'telephony', 'dialing'],
    routes: {
      plugin: (http) => async (app) => {
        await app.register(acdRoutes(http));
        await app.register(callControlRoutes(http));
        await app.register(agentCallRoutes(http));
      },
    },
    async start(ctx) {
      const db = ctx.get('store');
      await db.migrate(acdMigrations);
      const engine = await AcdEngine.start({
        driver: ctx.get('telephony'),
        dialing: ctx.get('dialing'),
        db,
        bus: ctx.get('events'),
        clock: systemClock,
        logger: ctx.logger,
        ...(settings.maxMissedOffers !== undefined ? { maxMissedOffers: settings.maxMissedOffers } : {}),
        ...(settings.breakReasons !== undefined ? { breakReasons: settings.breakReasons } : {}),
        ...(settings.callerId !== undefined ? { callerId: { number: settings.callerId } } : {}),
        ...(settings.lineLost !== undefined ? { lineLostFallback: settings.lineLost.fallback } : {}),
        ...(desk.outbound !== undefined ? { deskOutbound: desk.outbound } : {}),
      });
      // Agents declared with a password get a user account (role agent) to log in and register their softphone.
      const users = ctx.get('users');
      const known = new Set((await users.list()).map((u) => u.username));
      for (const agent of config.site.agents) {
        if (agent.password === undefined || known.has(agent.login)) continue;
        await users.create({ username: agent.login, displayName: agent.name, password: agent.password, role: 'agent' });
      }
      await engine.applyConfig((config.site.queues as QueueConfigWithAcd[]).map(queueFromConfig), config.site.agents.map(agentFromConfig));
      // Device secrets follow the agents; a SIP device without one cannot register until the admin gives it one.
      const syncDevices = async (): Promise<void> => {
        const missing = await ctx.get('sipCredentials').syncAgents(engine.agents().map((a) => ({ login: a.login, sipUser: sipDeviceUser(a.profile.device, a.login) })));
        if (missing.length > 0) {
          ctx.logger.warn(
            { agents: missing.map((a) => a.login) },
            'SIP devices without a device secret cannot register: give them one (admin console, POST /api/agents/:login/sip-secret, or device.secret in the site file)',
          );
        }
      };
      await syncDevices();
      ctx.whenReplaced('sipCredentials', syncDevices);
      ctx.logger.info({ queues: config.site.queues.length, agents: config.site.agents.length }, 'ACD ready');
      return engine;
    },
    // Shutdown: callers already in the ACD go on being served until they leave or the grace time ends.
    async drain(engine, graceMs) {
      const until = Date.now() + graceMs;
      while (engine.activeContacts() > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 200));
    },
    stop: (engine) => engine.stop(),
    health(engine) {
      const waiting = engine.queues().reduce((n, q) => n + (engine.figures(q.name)?.waiting ?? 0), 0);
      const loggedIn = engine.agents().filter((a) => a.loggedIn).length;
      return { status: 'ok', detail: `${engine.queues().length} queues, ${waiting} waiting, ${loggedIn} agents logged in` };
    },
  });
}
