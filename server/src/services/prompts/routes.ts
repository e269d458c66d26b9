// Prompts over HTTP: supervisors and admins list and listen; admins upload
// (any common WAV, converted to 8 kHz 16-bit mono) and delete uploads.
//   GET    /api/prompts?language=pt-BR
//   GET    /api/prompts/:language/:name          → audio/wav
//   PUT    /api/prompts/:language/:name          (body: the WAV file)
//   DELETE /api/prompts/:language/:name

import { createReadStream } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError } from '../../core/errors.js';
import { requireRole } from '../../http/auth.js';
import { PROMPT_NAME, type PromptInfo } from './library.js';
import { AUDIO_BODY_LIMIT, acceptAudioBodies } from './upload.js';
import './service.js';

export const PromptView = Type.Object({
  name: Type.String(),
  language: Type.String(),
  source: Type.Union([Type.Literal('builtin'), Type.Literal('uploaded')]),
  durationSeconds: Type.Number(),
  overridesBuiltin: Type.Boolean(),
});

/** A language tag (en, pt-BR): letters, digits and '-' only. */
const PROMPT_LANGUAGE_PATTERN = '^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$';

// Checked on every route before anything touches the disk: `..%2F` arrives decoded as `../`.
const Params = Type.Object({
  language: Type.String({ pattern: PROMPT_LANGUAGE_PATTERN, maxLength: 35 }),
  name: Type.String({ pattern: PROMPT_NAME.source }),
});

export function promptView(p: PromptInfo): Static<typeof PromptView> {
  return { name: p.name, language: p.language, source: p.source, durationSeconds: Math.round(p.durationMs / 10) / 100, overridesBuiltin: p.overridesBuiltin };
}

export function promptRoutes(opts: { services: ServiceManager }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const prompts = () => opts.services.get('prompts');
    const users = opts.services.get('users');
    const readers = requireRole(users, 'supervisor', 'admin');
    const admins = requireRole(users, 'admin');
    const security = [{ basicAuth: [] }];
    const tags = ['prompts'];
    const errors = { '4xx': { $ref: 'ErrorResponse#' } } as const;
    acceptAudioBodies(app);

    app.get('/api/prompts', {
      onRequest: readers,
      schema: {
        summary: 'Prompts per language: uploaded ones and the built-in set, with durations', tags, security,
        querystring: Type.Object({ language: Type.Optional(Type.String({ pattern: PROMPT_LANGUAGE_PATTERN, maxLength: 35 })) }, { additionalProperties: false }),
        response: { 200: Type.Array(PromptView), ...errors },
      },
    }, async (request) => (await prompts().list(request.query.language)).map(promptView));

    app.get('/api/prompts/:language/:name', {
      onRequest: readers,
      schema: { summary: 'Listen to a prompt (audio/wav, 8 kHz mono for uploads)', tags, security, params: Params },
    }, async (request, reply) => {
      const { language, name } = request.params;
      const file = prompts().file(name, language);
      if (!file) throw new TenorError('TENOR_ERR_NOT_FOUND', [`prompt '${name}' in ${language}`]);
      return reply.type('audio/wav').header('content-disposition', `inline; filename="${name}.wav"`).send(createReadStream(file));
    });

    app.put('/api/prompts/:language/:name', {
      onRequest: admins,
      bodyLimit: AUDIO_BODY_LIMIT,
      schema: {
        summary: 'Upload a prompt (WAV: PCM 8/16/24/32-bit, float, µ-law or A-law; 8–48 kHz; mono or stereo); converted to 8 kHz 16-bit mono',
        tags, security, params: Params, response: { 200: PromptView, ...errors },
      },
    }, async (request) => {
      const body = request.body;
      if (!Buffer.isBuffer(body)) throw new TenorError('TENOR_ERR_PROMPT_INVALID', [`prompt '${request.params.name}'`, 'send the WAV file as the body with Content-Type audio/wav']);
      return promptView(await prompts().upload(request.params.name, request.params.language, body));
    });

    app.delete('/api/prompts/:language/:name', {
      onRequest: admins,
      schema: { summary: 'Delete an uploaded prompt (the built-in one of that name, if any, plays again)', tags, security, params: Params, response: { 204: Type.Null(), ...errors } },
    }, async (request, reply) => {
      await prompts().remove(request.params.name, request.params.language);
      return reply.status(204).send(null);
    });
  };
}
