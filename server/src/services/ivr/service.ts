// The IVR as a Tenor service: the flow registry (site files, watched, and API
// saves, each checked before it goes live), and the calls running in flows.
// The ingress hands it answered calls to entry numbers that lead to a flow, and
// callers who leave a queue for voicemail or a flow.
//
// Voicemail: declared as a dependency (so its boxes are known when flows are
// checked at start) and still looked up at call time, tolerating its absence:
// a server built without it (ivrService(config, { voicemail: false })) starts,
// and a voicemail outcome there says goodbye and hangs up.

import type { Call } from '@tenor/telephony';
import type { TenorConfig } from '../../config/schema.js';
import { isTenorError } from '../../core/errors.js';
import { defineService, type ServiceContext } from '../../core/service-manager.js';
import type { ExitDestination } from '../acd/index.js';
import type { VoicemailService } from '../voicemail/index.js';
import '../crm/index.js';
import '../events.js';
import '../store.js';
import '../telephony/index.js';
import '../dialing/index.js';
import { CallSession, type SessionDeps } from './call-session.js';
import { flowClock, type FlowClock } from './clock.js';
import { builtinPromptExists, simulateFlow, type CompiledFlow, type FlowCheckContext, type FlowProblem, type SimulationResult, type SimulationScript } from './flow/index.js';
import type { CallerIdentity } from '../inbound-caller.js';
import { ivrMigrations } from './migrations.js';
import { uploadedPromptFile } from './prompts.js';
import { FlowRegistry, flowRefused, type LiveFlow, type SaveResult } from './registry.js';
import { FlowStore, type StoredFlowVersion } from './store.js';
import { watchFlowFiles } from './watcher.js';
import './events.js';
import { ivrRoutes } from './routes.js';

export interface IvrServiceOptions {
  /** The time flows see (time conditions); the system clock, or TENOR_IVR_CLOCK, by default. */
  clock?: FlowClock;
  /** Quiet time after a flow file changes before it is read again. */
  watchDebounceMs?: number;
  /** Whether a voicemail service is registered (default true). */
  voicemail?: boolean;
}

export interface ActiveFlowCall {
  callId: string;
  flow: string | undefined;
  version: number | undefined;
}

export interface IvrService {
  /** Run `flow` on an answered call (the ingress identified the caller), then carry out where it ends. Resolves when the IVR is done with the call. */
  takeCall(call: Call, flow: string, who: CallerIdentity, trunk: string | undefined): Promise<void>;
  /** A caller who left a queue (the ACD's 'exit' result) for voicemail or a flow. */
  followQueueExit(call: Call, destination: ExitDestination, who: CallerIdentity, trunk: string | undefined): Promise<void>;

  flows(): LiveFlow[];
  flow(name: string): LiveFlow | undefined;
  history(name: string): Promise<StoredFlowVersion[]>;
  /** Problems of a flow source against the site now; empty when it may go live. */
  check(source: string, name?: string): FlowProblem[];
  /** Save a new version through the API; throws TENOR_ERR_FLOW_INVALID with the problems (the live version stays). */
  save(name: string, source: string, savedBy?: string): Promise<SaveResult>;
  /** Remove a flow saved through the API; false when there is none. */
  remove(name: string): Promise<boolean>;
  /** Run a flow (the live one by name, or a source) with no phone. */
  simulate(flow: { name: string } | { source: string }, script: SimulationScript): Promise<SimulationResult>;
  /** Calls the IVR is handling now, with the flow and version each runs on. */
  activeCalls(): ActiveFlowCall[];
  /** Site flows that are not live (file missing or refused). */
  notLive(): string[];
  close(): void;
}

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    ivr: IvrService;
  }
}

function optionalVoicemail(ctx: ServiceContext): () => VoicemailService | undefined {
  return () => {
    try {
      const vm = ctx.get('voicemail');
      // The handle throws when the service is registered but not running.
      void vm.boxes;
      return vm;
    } catch (err) {
      if (isTenorError(err, 'TENOR_ERR_SERVICE_NOT_FOUND') || isTenorError(err, 'TENOR_ERR_SERVICE_NOT_RUNNING')) return undefined;
      throw err;
    }
  };
}

export function ivrService(config: TenorConfig, opts: IvrServiceOptions = {}) {
  return defineService<IvrService>({
    name: 'ivr',
    version: '1.0.0',
    description: 'IVR flows: registry with versions and hot reload, flows run on live calls',
    dependsOn: ['store', 'events', 'telephony', 'dialing', 'acd', 'crm', ...(opts.voicemail === false ? [] : ['voicemail'])],
    routes: { plugin: ivrRoutes },
    async start(ctx) {
      const db = ctx.get('store');
      await db.migrate(ivrMigrations);
      const driver = ctx.get('telephony');
      const acd = ctx.get('acd');
      const crm = ctx.get('crm');
      const bus = ctx.get('events');
      const voicemail = optionalVoicemail(ctx);
      const clock = flowClock(opts.clock);
      const log = ctx.logger;

      const promptExists = (name: string, language: string): boolean =>
        uploadedPromptFile(config.dataDir, name, language) !== undefined || builtinPromptExists(name, language, config.dataDir);
      const checkContext = (): Omit<FlowCheckContext, 'flows'> => {
        const vm = voicemail();
        return {
          queues: new Set(acd.queues().map((q) => q.name)),
          agents: new Set(acd.agents().map((a) => a.login)),
          ...(vm ? { boxes: new Set(vm.boxes().map((b) => b.name)) } : {}),
          promptExists,
        };
      };
      const registry = new FlowRegistry({ store: new FlowStore(db), log, checkContext });
      await registry.load(config.site.flows, config.baseDir);
      for (const f of registry.list()) log.info({ flow: f.name, version: f.version, origin: f.origin }, 'flow live');

      const watcher = watchFlowFiles(registry.siteFiles(), (name) => {
        registry.reloadFile(name).then(
          (result) => {
            if (result === undefined || isTenorError(result)) return; // unchanged, or refused (logged with its problems)
            if (result.changed) bus.publish('flow_changed', { flow: name, version: result.flow.version, origin: 'file' });
          },
          (err: unknown) => log.error({ err, flow: name }, 'flow file reload failed'),
        );
      }, log, opts.watchDebounceMs);

      const sessions = new Map<string, CallSession>();
      const deps: SessionDeps = { registry, driver, acd, crm, voicemail, bus, dialing: ctx.get('dialing'), clock, dataDir: config.dataDir, outboundHttp: config.outboundHttp, defaultLanguage: undefined };
      const track = async (session: CallSession, run: () => Promise<void>): Promise<void> => {
        sessions.set(session.callId, session);
        try {
          await run();
        } finally {
          sessions.delete(session.callId);
        }
      };
      const subflows = (): Record<string, CompiledFlow> => Object.fromEntries(registry.list().map((f) => [f.name, f.compiled]));

      return {
        async takeCall(call, flow, who, trunk) {
          const session = new CallSession(deps, { call, who, trunk, log: log.child({ callId: call.id }) });
          await track(session, () => session.runFrom(flow));
        },
        async followQueueExit(call, destination, who, trunk) {
          const session = new CallSession(deps, { call, who, trunk, log: log.child({ callId: call.id }) });
          await track(session, () => session.afterQueueExit(destination));
        },
        flows: () => registry.list(),
        flow: (name) => registry.get(name),
        history: (name) => registry.history(name),
        check: (source, name) => registry.check(source, name),
        async save(name, source, savedBy) {
          const result = await registry.save(name, source, savedBy);
          if (result.changed) bus.publish('flow_changed', { flow: name, version: result.flow.version, origin: 'api' });
          return result;
        },
        remove: (name) => registry.remove(name),
        async simulate(flow, script) {
          let compiled: CompiledFlow;
          if ('name' in flow) {
            const live = registry.get(flow.name);
            if (!live) throw flowRefused(flow.name, [{ message: `no flow named '${flow.name}' is live` }]);
            compiled = live.compiled;
          } else {
            const checked = registry.compileSource(flow.source);
            if ('problems' in checked) throw flowRefused('(posted)', checked.problems);
            compiled = checked.compiled;
          }
          return simulateFlow(compiled, { ...script, subflows: { ...subflows(), ...(script.subflows ?? {}) } });
        },
        activeCalls: () => [...sessions.values()].map((s) => ({ callId: s.callId, flow: s.current?.name, version: s.current?.version })),
        notLive: () => registry.notLive(),
        close: () => watcher.close(),
      };
    },
    stop: (ivr) => ivr.close(),
    health(ivr) {
      const detail = `${ivr.flows().length} flows, ${ivr.activeCalls().length} calls in flows`;
      const missing = ivr.notLive();
      return missing.length ? { status: 'degraded', detail: `${detail}; not live (see the log): ${missing.join(', ')}` } : { status: 'ok', detail };
    },
  });
}
