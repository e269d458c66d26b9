// The prompts service: the prompt library (built-in and uploaded prompts per
// language) for the IVR, voicemail and the REST API.

import { defineService } from '../../core/service-manager.js';
import { PromptLibrary, type PromptInfo } from './library.js';
import { promptRoutes } from './routes.js';

export type PromptsService = PromptLibrary;
export type { PromptInfo };

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    prompts: PromptsService;
  }
}

export function promptsService(dataDir: string, opts: { maxSeconds?: number } = {}) {
  return defineService<PromptsService>({
    name: 'prompts',
    version: '1.0.0',
    description: 'Prompt library: built-in prompt sets (en, pt-BR, es) and uploaded prompts, converted to 8 kHz',
    routes: { plugin: promptRoutes },
    start(ctx) {
      const library = new PromptLibrary({ dataDir, logger: ctx.logger, ...(opts.maxSeconds !== undefined ? { maxSeconds: opts.maxSeconds } : {}) });
      ctx.logger.info({ dir: library.dir, languages: library.languages() }, 'prompt library ready');
      return library;
    },
  });
}
