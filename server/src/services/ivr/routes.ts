// Flows over HTTP: list, read (source, live version, history), save a new
// version (YAML or JSON, checked before it goes live), check without saving
// (with the graph as written, for the editor's drawing), simulate with no phone, delete. Admins change flows; supervisors may read,
// check and simulate. Registered by the HTTP shell when the ivr service runs.

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { requireRole } from '../../http/auth.js';
import { flowGraph, readFlow, type SimulationScript } from './flow/index.js';
import type { LiveFlow } from './registry.js';
import './service.js';

const FlowName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });

/** Flow sources arrive as the text the admin wrote, whatever its type, so problems can name their lines. */
const SOURCE_TYPES = ['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];

export const Problem = Type.Object({
  node: Type.Optional(Type.String()),
  line: Type.Optional(Type.Integer()),
  column: Type.Optional(Type.Integer()),
  message: Type.String(),
});

export const FlowSummary = Type.Object({
  name: Type.String(),
  version: Type.Integer({ description: 'the live version (the registry counts versions per flow, from 1)' }),
  origin: Type.Union([Type.Literal('file'), Type.Literal('api')], { description: 'file: read from the site file; api: saved through this API' }),
  file: Type.Union([Type.String(), Type.Null()]),
  savedAt: Type.String({ format: 'date-time' }),
  savedBy: Type.Union([Type.String(), Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  language: Type.String(),
  timezone: Type.String(),
  nodes: Type.Integer(),
  callsInFlow: Type.Integer({ description: 'calls running this flow now (on any version)' }),
});

const VersionView = Type.Object({
  version: Type.Integer(),
  origin: Type.String(),
  file: Type.Union([Type.String(), Type.Null()]),
  savedAt: Type.String({ format: 'date-time' }),
  savedBy: Type.Union([Type.String(), Type.Null()]),
});

export const FlowDetail = Type.Object({ ...FlowSummary.properties, source: Type.String(), history: Type.Array(VersionView) });

export const SaveView = Type.Object({ ...FlowSummary.properties, changed: Type.Boolean({ description: 'false when the source was the live one already' }) });

export const FlowGraphView = Type.Object({
  start: Type.String(),
  nodes: Type.Array(Type.Object({
    id: Type.String(),
    type: Type.String({ description: "the node's type; 'missing' for a target that names no node" }),
    line: Type.Union([Type.Integer(), Type.Null()]),
    reachable: Type.Boolean(),
  })),
  edges: Type.Array(Type.Object({
    from: Type.String(),
    to: Type.String(),
    field: Type.String({ description: "the field naming the target: 'options.1', 'next', 'cases.0.next', 'else', 'fallback'..." }),
    line: Type.Union([Type.Integer(), Type.Null()]),
  })),
});

export const CheckView = Type.Object({
  ok: Type.Boolean(),
  problems: Type.Array(Problem),
  graph: Type.Union([FlowGraphView, Type.Null()], { description: 'the nodes and edges as written (also when there are problems); null when the text is not a flow' }),
});

const HttpAnswer = Type.Union([
  Type.Literal('fail'),
  Type.Object({ status: Type.Integer({ minimum: 100, maximum: 599 }), body: Type.Optional(Type.Unknown()) }, { additionalProperties: false }),
]);

const SimulateBody = Type.Object(
  {
    caller: Type.String({ minLength: 1, description: "the caller's number" }),
    dialed: Type.Optional(Type.String()),
    time: Type.Optional(Type.String({ format: 'date-time', description: 'when the call happens (default: now)' })),
    digits: Type.Optional(Type.Array(Type.String(), { description: "one entry per menu/collect, in order; '' or 'timeout' for no input" })),
    http: Type.Optional(Type.Record(Type.String(), HttpAnswer, { description: "stubbed data-dip answers by URL; 'fail' fails like a network error" })),
    customer: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    language: Type.Optional(Type.String()),
    variables: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    source: Type.Optional(Type.String({ description: 'simulate this draft (YAML or JSON) instead of the live version' })),
  },
  { additionalProperties: false },
);

export const SimulateView = Type.Object({
  flow: Type.String(),
  version: Type.Union([Type.Integer(), Type.Null()], { description: 'the live version simulated; null for a draft' }),
  outcome: Type.Unknown(),
  path: Type.Array(Type.Object({ node: Type.String(), type: Type.String(), exit: Type.Optional(Type.String()), prompts: Type.Optional(Type.Array(Type.String())), flow: Type.Optional(Type.String()) })),
  prompts: Type.Array(Type.Object({ node: Type.String(), prompt: Type.String(), language: Type.String() })),
  requests: Type.Array(Type.Object({ node: Type.Optional(Type.String()), method: Type.String(), url: Type.String(), body: Type.Unknown() })),
  variables: Type.Record(Type.String(), Type.Unknown()),
});

export function ivrRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { services } = opts;
    const ivr = () => services.get('ivr');
    const users = services.get('users');
    const readers = requireRole(users, 'supervisor', 'admin');
    const admins = requireRole(users, 'admin');
    const security = [{ basicAuth: [] }];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;

    const summary = (f: LiveFlow): Static<typeof FlowSummary> => {
      const def = f.compiled.definition;
      return {
        name: f.name, version: f.version, origin: f.origin, file: f.file ?? null, savedAt: new Date(f.savedAt).toISOString(), savedBy: f.savedBy ?? null,
        description: def.description ?? null, language: def.language, timezone: def.timezone, nodes: Object.keys(def.nodes).length,
        callsInFlow: ivr().activeCalls().filter((c) => c.flow === f.name).length,
      };
    };
    const requireFlow = (name: string): LiveFlow => {
      const flow = ivr().flow(name);
      if (!flow) throw new TenorError('TENOR_ERR_NOT_FOUND', [`flow '${name}'`]);
      return flow;
    };

    app.get('/api/flows', { onRequest: readers, schema: { summary: 'Live flows', tags: ['ivr'], security, response: { 200: Type.Array(FlowSummary), ...errors } } },
      async () => ivr().flows().map(summary));

    app.get('/api/flows/:name', {
      onRequest: readers,
      schema: { summary: 'A flow: live source and version, and every version saved', tags: ['ivr'], security, params: Type.Object({ name: Type.String() }), response: { 200: FlowDetail, ...errors } },
    }, async (request) => {
      const flow = requireFlow(request.params.name);
      const history = await ivr().history(flow.name);
      return {
        ...summary(flow), source: flow.source,
        history: history.map((v) => ({ version: v.version, origin: v.origin, file: v.file ?? null, savedAt: new Date(v.savedAt).toISOString(), savedBy: v.savedBy ?? null })),
      };
    });

    app.get('/api/flows/:name/graph', {
      onRequest: readers,
      schema: { summary: "The live version's nodes and edges, for drawing", tags: ['ivr'], security, params: Type.Object({ name: Type.String() }), response: { 200: FlowGraphView, ...errors } },
    }, async (request) => flowGraph(requireFlow(request.params.name).compiled.definition));

    app.delete('/api/flows/:name', {
      onRequest: admins,
      schema: { summary: 'Remove a flow saved through the API (site-file flows and flows others send calls to are refused)', tags: ['ivr'], security, params: Type.Object({ name: Type.String() }), response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      if (!(await ivr().remove(request.params.name))) throw new TenorError('TENOR_ERR_NOT_FOUND', [`flow '${request.params.name}'`]);
      return reply.status(204).send(null);
    });

    app.post('/api/flows/:name/simulate', {
      onRequest: readers,
      schema: { summary: 'Run a flow with no phone: the path taken and the prompts that would play', tags: ['ivr'], security, params: Type.Object({ name: Type.String() }), body: SimulateBody, response: { 200: SimulateView, ...errors } },
    }, async (request) => {
      const { source, ...rest } = request.body;
      const script: SimulationScript = {
        caller: rest.caller,
        ...(rest.dialed !== undefined ? { dialed: rest.dialed } : {}),
        ...(rest.time !== undefined ? { time: rest.time } : {}),
        ...(rest.digits !== undefined ? { digits: rest.digits } : {}),
        ...(rest.http !== undefined ? { http: rest.http } : {}),
        ...(rest.customer !== undefined ? { customer: rest.customer } : {}),
        ...(rest.language !== undefined ? { language: rest.language } : {}),
        ...(rest.variables !== undefined ? { variables: rest.variables } : {}),
      };
      const live = source === undefined ? requireFlow(request.params.name) : undefined;
      const result = await ivr().simulate(source === undefined ? { name: request.params.name } : { source }, script);
      return {
        flow: request.params.name, version: live?.version ?? null, outcome: result.outcome,
        path: result.path.map((s) => ({ node: s.node, type: s.type, ...(s.exit !== undefined ? { exit: s.exit } : {}), ...(s.prompts ? { prompts: [...s.prompts] } : {}), ...(s.flow !== undefined ? { flow: s.flow } : {}) })),
        prompts: result.prompts.map((p) => ({ node: p.node, prompt: p.prompt, language: p.language })),
        requests: result.requests.map((r) => ({ ...(r.node !== undefined ? { node: r.node } : {}), method: r.method, url: r.url, body: r.body })),
        variables: result.variables,
      };
    });

    // Routes that take a flow's source text: their own context, where every body type arrives as the text sent.
    await app.register(async (context) => {
      const raw = context.withTypeProvider<TypeBoxTypeProvider>();
      raw.removeContentTypeParser('application/json');
      raw.removeContentTypeParser('text/plain');
      raw.addContentTypeParser(SOURCE_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));

      raw.put('/api/flows/:name', {
        onRequest: admins,
        schema: {
          summary: 'Save a new version of a flow (YAML or JSON); it goes live for the next call if the checker finds no problem',
          description: 'On any problem: 400 TENOR_ERR_FLOW_INVALID with details.problems (node, line, column, message); the live version stays.',
          tags: ['ivr'], security, params: Type.Object({ name: FlowName }), body: Type.String({ minLength: 1, description: 'the flow document' }),
          response: { 200: SaveView, ...errors },
        },
      }, async (request) => {
        const saved = await ivr().save(request.params.name, request.body, request.user?.username);
        return { ...summary(saved.flow), changed: saved.changed };
      });

      raw.post('/api/flows/check', {
        onRequest: readers,
        schema: {
          summary: 'Check a flow (YAML or JSON) against the site without saving it', tags: ['ivr'], security,
          body: Type.String({ minLength: 1, description: 'the flow document' }), response: { 200: CheckView, ...errors },
        },
      }, async (request) => {
        const problems = ivr().check(request.body);
        const read = readFlow(request.body);
        return { ok: problems.length === 0, problems, graph: read.flow ? flowGraph(read.flow) : null };
      });
    });
  };
}
