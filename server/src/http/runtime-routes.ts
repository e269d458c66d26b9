// Routes of services added or replaced while the server runs. Fastify fixes
// its route table at ready(), so each such service gets its own fastify
// instance built by the same shell (errors, access guards), and the main app
// hands it the requests none of its own routes match. Replacing the service
// swaps its instance (the old one is closed); a version without routes leaves none.

import type { FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Logger } from '../core/logger.js';
import type { ServiceDefinition, ServiceHttpContext } from '../core/service-manager.js';
import type { TenorApp } from './shell.js';

export interface RuntimeRoutesOptions {
  /** A fresh instance with the shell's options, errors and access control. */
  createShell: () => TenorApp;
  http: ServiceHttpContext;
  logger: Logger;
  /** Route patterns of the main app that only answer what nothing else does (the web client's files at '/*'). */
  catchAllUrls: readonly string[];
}

export class RuntimeRoutes {
  readonly #instances = new Map<string, TenorApp>();
  readonly #opts: RuntimeRoutesOptions;

  constructor(opts: RuntimeRoutesOptions) {
    this.#opts = opts;
  }

  /** Serve the routes of a service's (new) definition, in place of those of its previous one. */
  async mount(def: ServiceDefinition<object>): Promise<void> {
    let next: TenorApp | undefined;
    if (def.routes) {
      next = this.#opts.createShell();
      await next.register(def.routes.plugin(this.#opts.http), def.routes.prefix === undefined ? {} : { prefix: def.routes.prefix });
      await next.ready();
    }
    const previous = this.#instances.get(def.name);
    if (next) this.#instances.set(def.name, next);
    else this.#instances.delete(def.name);
    if (previous) await this.#close(def.name, previous);
  }

  /**
   * onRequest hook of the main app: a request none of its routes match (but a
   * catch-all) goes to the run-time service that has a route for it (the
   * latest mounted first).
   * Runs before the body is read, so the instance reads it itself.
   */
  readonly dispatch = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (this.#instances.size === 0) return;
    if (!request.is404 && !this.#opts.catchAllUrls.includes(request.routeOptions.url ?? '')) return;
    const url = request.raw.url ?? '/';
    const path = url.split('?', 1)[0] ?? url;
    for (const instance of [...this.#instances.values()].reverse()) {
      if (instance.findRoute({ method: request.method as HTTPMethods, url: path }) === null) continue;
      reply.hijack();
      instance.routing(request.raw, reply.raw);
      return;
    }
  };

  async closeAll(): Promise<void> {
    const all = [...this.#instances];
    this.#instances.clear();
    await Promise.all(all.map(([name, instance]) => this.#close(name, instance)));
  }

  async #close(name: string, instance: TenorApp): Promise<void> {
    try {
      await instance.close();
    } catch (err) {
      this.#opts.logger.warn({ service: name, err }, 'closing the routes of a run-time service failed');
    }
  }
}
