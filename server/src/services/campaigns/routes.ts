// Campaigns over HTTP: lists (CSV import), the do-not-call list, campaigns
// (admins write; supervisors start, pause, stop), results and figures,
// dispositions and callbacks from agents, and preview dialing.

import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { currentUser, requireRole, seesEverything, type AuthUser } from '../../http/auth.js';
import { parseMapping } from './lists/import.js';
import { CampaignBody, campaignToInput } from './model.js';
import type { CampaignView } from './campaigns.js';
import type { Attempt } from './store/attempts.js';
import type { CampaignRecord } from './store/campaigns.js';
import './service.js';
import '../dialing/index.js';

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

function attemptView(a: Attempt) {
  return {
    id: a.id, phone: a.phone, customerId: a.customerId ?? null, attempt: a.attempt, status: a.status, outcome: a.outcome ?? null, amd: a.amd ?? null,
    agent: a.agent ?? null, disposition: a.disposition ?? null, callId: a.callId ?? null, identificationPlayed: a.identificationPlayed,
    startedAt: iso(a.startedAt), answeredAt: iso(a.answeredAt), endedAt: iso(a.endedAt),
    durationSeconds: a.durationMs === undefined ? null : Math.round(a.durationMs / 100) / 10,
    talkSeconds: a.talkMs === undefined ? null : Math.round(a.talkMs / 100) / 10,
  };
}

function recordView(r: CampaignRecord, script: string | undefined) {
  return {
    phone: r.phone, customerId: r.customerId ?? null, name: r.name ?? null, timeZone: r.timeZone, attempts: r.attempts, state: r.state,
    nextDueAt: iso(r.nextDueAt > 0 ? r.nextDueAt : undefined), lastOutcome: r.lastOutcome ?? null, callbackAt: iso(r.callbackAt), script: script ?? null,
  };
}

function campaignView(c: CampaignView) {
  return { name: c.name, status: c.status, conservative: c.conservative, ...campaignToInput(c.definition) };
}

const Name = Type.Object({ name: Type.String() });

export function campaignRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const campaigns = () => opts.services.get('campaigns');
    const users = opts.services.get('users');
    const anyone = requireRole(users, 'agent', 'supervisor', 'admin');
    const supervisors = requireRole(users, 'supervisor', 'admin');
    const admins = requireRole(users, 'admin');
    const security = [{ basicAuth: [] }];
    const tags = ['campaigns'];

    // CSV bodies arrive as a stream: a 100k-row list is parsed as it comes.
    app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

    // ---- lists ----
    app.get('/api/lists', { onRequest: supervisors, schema: { summary: 'Calling lists and their sizes', tags, security } },
      async () => campaigns().lists.names());

    app.post('/api/lists/:name/import', {
      onRequest: admins,
      bodyLimit: 200 * 1024 * 1024,
      schema: {
        summary: 'Import a CSV into a list (body text/csv; mapping "phone=Phone,name=Name" in ?map= or the x-tenor-mapping header)',
        tags, security, params: Name,
        querystring: Type.Object({ map: Type.Optional(Type.String()), country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })) }),
      },
    }, async (request) => {
      const header = request.headers['x-tenor-mapping'];
      const mapText = request.query.map ?? (typeof header === 'string' ? header : undefined);
      if (!mapText) throw new TenorError('TENOR_ERR_LIST_IMPORT', ['give the column mapping in ?map= or the x-tenor-mapping header']);
      const body = request.body;
      const source = body instanceof Readable ? body : Readable.from([typeof body === 'string' ? body : JSON.stringify(body ?? '')]);
      return campaigns().importList(source, {
        list: request.params.name, mapping: parseMapping(mapText), ...(request.query.country ? { country: request.query.country.toUpperCase() } : {}),
      });
    });

    // ---- do-not-call ----
    app.get('/api/dnc', { onRequest: supervisors, schema: { summary: 'The do-not-call list', tags, security } },
      async () => (await campaigns().dnc.list()).map((d) => ({ phone: d.phone, source: d.source, reason: d.reason ?? null, addedAt: iso(d.addedAt) })));

    app.post('/api/dnc', {
      onRequest: anyone,
      schema: {
        summary: 'Add numbers to the do-not-call list (agents: a customer asked; admins: an imported register, source "import")',
        tags, security,
        body: Type.Object({ numbers: Type.Array(Type.String(), { minItems: 1 }), source: Type.Optional(Type.String()), reason: Type.Optional(Type.String()) }, { additionalProperties: false }),
      },
    }, async (request) => campaigns().addDnc(request.body.numbers, request.body.source ?? 'internal', request.body.reason));

    app.delete('/api/dnc/:phone', { onRequest: admins, schema: { summary: 'Remove a number from the do-not-call list', tags, security, params: Type.Object({ phone: Type.String() }) } },
      async (request, reply) => {
        if (!(await campaigns().dnc.remove(request.params.phone))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`do-not-call entry ${request.params.phone}`]);
        return reply.code(204).send();
      });

    // ---- campaigns ----
    app.get('/api/campaigns', { onRequest: anyone, schema: { summary: 'Campaigns', tags, security } },
      async () => (await campaigns().list()).map(campaignView));

    app.get('/api/campaigns/:name', { onRequest: anyone, schema: { summary: 'One campaign', tags, security, params: Name } },
      async (request) => campaignView(await campaigns().get(request.params.name)));

    app.put('/api/campaigns/:name', { onRequest: admins, schema: { summary: 'Create or change a campaign (not while running)', tags, security, params: Name, body: CampaignBody } },
      async (request) => campaignView(await campaigns().save(request.params.name, request.body)));

    app.delete('/api/campaigns/:name', { onRequest: admins, schema: { summary: 'Delete a campaign (not while running)', tags, security, params: Name } },
      async (request, reply) => {
        if (!(await campaigns().remove(request.params.name))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`campaign '${request.params.name}'`]);
        return reply.code(204).send();
      });

    for (const action of ['start', 'pause', 'stop'] as const) {
      app.post(`/api/campaigns/:name/${action}`, { onRequest: supervisors, schema: { summary: `${action[0]?.toUpperCase()}${action.slice(1)} a campaign`, tags, security, params: Name } },
        async (request) => {
          const c = campaigns();
          const name = (request.params as { name: string }).name;
          return campaignView(action === 'start' ? await c.start(name) : action === 'pause' ? await c.pause(name) : await c.stopCampaign(name));
        });
    }

    app.get('/api/campaigns/:name/figures', { onRequest: anyone, schema: { summary: 'Live figures: dialed, connected, abandoned %, contacts, dispositions, talk minutes per agent-hour', tags, security, params: Name } },
      async (request) => campaigns().figures(request.params.name));

    app.get('/api/campaigns/:name/attempts', {
      onRequest: supervisors,
      schema: {
        summary: 'Attempts: number, time, outcome, agent, disposition, duration', tags, security, params: Name,
        querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date-time' })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })), offset: Type.Optional(Type.Integer({ minimum: 0 })) }),
      },
    }, async (request) => {
      const q = request.query;
      await campaigns().get(request.params.name);
      return (await campaigns().attempts(request.params.name, {
        ...(q.from ? { since: Date.parse(q.from) } : {}), ...(q.limit ? { limit: q.limit } : {}), ...(q.offset ? { offset: q.offset } : {}),
      })).map(attemptView);
    });

    app.get('/api/campaigns/:name/records', { onRequest: supervisors, schema: { summary: 'The numbers of a campaign and where each stands', tags, security, params: Name } },
      async (request) => {
        const c = await campaigns().get(request.params.name);
        return (await campaigns().records(request.params.name)).map((r) => recordView(r, c.definition.script));
      });

    app.post('/api/campaigns/:name/attempts/:id/disposition', {
      onRequest: anyone,
      schema: { summary: "The agent's disposition of a call", tags, security, params: Type.Object({ name: Type.String(), id: Type.String() }), body: Type.Object({ disposition: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }) },
    }, async (request) => {
      // An agent dispositions only their own calls; supervisors and admins any.
      const user = currentUser(request);
      if (!seesEverything(user)) {
        const attempt = await campaigns().attempt(request.params.id);
        if (attempt?.campaign === request.params.name && (user.agent === undefined || attempt.agent !== user.agent)) {
          request.log.warn({ user: user.username, attempt: request.params.id, agent: attempt.agent, callId: attempt.callId }, "disposition refused: another agent's call");
          throw new TenorError('TENOR_ERR_FORBIDDEN', [], { details: { reason: "this call was another agent's" } });
        }
      }
      return attemptView(await campaigns().setDisposition(request.params.name, request.params.id, request.body.disposition));
    });

    app.post('/api/campaigns/:name/callbacks', {
      onRequest: anyone,
      schema: {
        summary: 'Schedule a callback (a time and a number); an agent of the campaign is reserved for it when due', tags, security, params: Name,
        body: Type.Object({ phone: Type.String(), at: Type.String({ format: 'date-time' }), agent: Type.Optional(Type.String()) }, { additionalProperties: false }),
      },
    }, async (request) => {
      const user = currentUser(request);
      const c = await campaigns().get(request.params.name);
      const { phone } = request.body;
      // An agent schedules callbacks only to the numbers they called in this campaign, for themselves.
      if (!seesEverything(user)) {
        const own = user.agent !== undefined && (request.body.agent === undefined || request.body.agent === user.agent) && (await campaigns().workedBy(request.params.name, phone, user.agent));
        if (!own) {
          request.log.warn({ user: user.username, campaign: request.params.name, phone }, 'callback refused: not a number this agent called in the campaign');
          throw new TenorError('TENOR_ERR_FORBIDDEN', [], { details: { reason: 'an agent schedules callbacks, for themselves, only to numbers they called in this campaign' } });
        }
      }
      // Whoever asks, the number must be one the site dials (checked now rather than when it falls due).
      opts.services.get('dialing').authorize(phone, {
        purpose: 'campaign', role: user.role, ...(user.agent !== undefined ? { agent: user.agent } : {}), ...(c.definition.trunk !== undefined ? { trunk: c.definition.trunk } : {}),
      });
      const r = await campaigns().scheduleCallback(request.params.name, { phone: request.body.phone, at: Date.parse(request.body.at), ...(request.body.agent ? { agent: request.body.agent } : {}) });
      return recordView(r, c.definition.script);
    });

    // ---- preview ----
    // The agent is the signed-in one. `agent` in the body is kept for old clients: an agent may
    // only name themselves (403 otherwise); supervisors and admins name the agent they act for.
    const AgentBody = Type.Object({ agent: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false });
    const AgentPhoneBody = Type.Object({ agent: Type.Optional(Type.String({ minLength: 1 })), phone: Type.String({ minLength: 1 }) }, { additionalProperties: false });
    const previewAgent = (user: AuthUser, named: string | undefined, log: { warn(obj: object, msg: string): void }): string => {
      if (seesEverything(user)) {
        const agent = named ?? user.agent;
        if (agent === undefined) throw new TenorError('TENOR_ERR_VALIDATION', ['name the agent (body field agent)']);
        return agent;
      }
      if (user.agent === undefined || (named !== undefined && named !== user.agent)) {
        log.warn({ user: user.username, named }, 'preview refused: an agent may only preview for themselves');
        throw new TenorError('TENOR_ERR_FORBIDDEN', [], { details: { reason: 'an agent previews records only for themselves' } });
      }
      return user.agent;
    };

    app.post('/api/campaigns/:name/preview/next', { onRequest: anyone, schema: { summary: 'Preview mode: reserve and show the next record to an agent', tags, security, params: Name, body: AgentBody } },
      async (request, reply) => {
        const agent = previewAgent(currentUser(request), request.body.agent, request.log);
        const c = await campaigns().get(request.params.name);
        const r = await campaigns().previewNext(request.params.name, agent);
        if (!r) return reply.code(204).send();
        return recordView(r, c.definition.script);
      });

    app.post('/api/campaigns/:name/preview/dial', { onRequest: anyone, schema: { summary: "Preview mode: ring the agent's phone, then call the record's number", tags, security, params: Name, body: AgentPhoneBody } },
      async (request) => campaigns().previewDial(request.params.name, previewAgent(currentUser(request), request.body.agent, request.log), request.body.phone,
        opts.services.has('recordings') ? opts.services.get('recordings') : undefined));

    app.post('/api/campaigns/:name/preview/skip', { onRequest: anyone, schema: { summary: 'Preview mode: pass on the record (due again later)', tags, security, params: Name, body: AgentPhoneBody } },
      async (request, reply) => {
        await campaigns().previewSkip(request.params.name, previewAgent(currentUser(request), request.body.agent, request.log), request.body.phone);
        return reply.code(204).send();
      });
  };
}
