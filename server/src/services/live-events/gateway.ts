// GET /api/events: the live events WebSocket. The upgrade is authenticated
// like any request (session cookie, or Basic for tools) and refused when the
// `Origin` names another site; then the client gets its snapshot and the
// events its role may see (live-client.ts). The server pings every client;
// one that does not answer within an interval is dropped. A session that
// expires or logs out closes its sockets with 4401.

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WebSocketServer } from 'ws';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError, errorCatalogue, type TenorErrorCode } from '../../core/errors.js';
import { requireRole } from '../../http/auth.js';
import { originAllowed } from '../../http/origin.js';
import '../sessions/index.js';
import '../events.js';
import { LiveClient } from './live-client.js';
import { LiveCloseCodes } from './types.js';

export const LIVE_EVENTS_PATH = '/api/events';

export interface LiveEventsOptions {
  /** Coalescing window: at most one events message per window per client (default 100 ms). */
  windowMs?: number;
  /** Ping interval; a client silent for a whole interval is dropped (default 30 s). */
  pingIntervalMs?: number;
  /** How often open sockets check that their session is still live (default 5 s). */
  sessionCheckMs?: number;
  /** Events held for one client before it gets a fresh snapshot instead (default 2000). */
  maxPending?: number;
}

export function liveEventsGateway(opts: { services: ServiceManager } & LiveEventsOptions): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { services } = opts;
    const log = app.log.child({ component: 'live-events' });
    const clients = new Set<LiveClient>();
    const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });

    // Plain HTTP on the WebSocket's path: the route table and the API docs show it, guarded like the socket.
    app.get(LIVE_EVENTS_PATH, {
      onRequest: requireRole(services.get('users'), 'agent', 'supervisor', 'admin'),
      schema: {
        summary: 'Live events (WebSocket): a snapshot by role, then coalesced events; see docs/live-events.md',
        tags: ['live'], security: [{ basicAuth: [] }, { sessionCookie: [] }],
      },
    }, async (_request, reply) => reply.status(426).header('upgrade', 'websocket').send({ error: { code: 'TENOR_ERR_VALIDATION', message: 'Invalid request: connect with a WebSocket (Upgrade: websocket)' } }));

    const refuse = (socket: Duplex, code: TenorErrorCode, args: string[] = [], extraHeaders: string[] = []) => {
      const { status } = errorCatalogue[code];
      const body = JSON.stringify({ error: { code, message: new TenorError(code, args).message } });
      socket.end([`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 429 ? 'Too Many Requests' : 'Error'}`,
        'Connection: close', 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, ...extraHeaders, '', body].join('\r\n'));
    };

    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== LIVE_EVENTS_PATH) {
        // Another component may serve WebSockets on its own path; with none, say so instead of hanging.
        if (app.server.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      void (async () => {
        if (!originAllowed(req.headers, app.access.options)) return refuse(socket, 'TENOR_ERR_CSRF', [`Origin '${req.headers.origin ?? ''}' is another site`]);
        let user;
        try {
          user = await app.access.authenticate({ headers: req.headers, ip: req.socket.remoteAddress ?? '' }, { touch: true });
        } catch (err) {
          if (err instanceof TenorError && err.code === 'TENOR_ERR_RATE_LIMITED') {
            const seconds = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds ?? 60;
            return refuse(socket, 'TENOR_ERR_RATE_LIMITED', [String(seconds)], [`Retry-After: ${seconds}`]);
          }
          log.error({ err }, 'live events authentication failed');
          return refuse(socket, 'TENOR_ERR_INTERNAL', ['see the server log']);
        }
        if (!user) return refuse(socket, 'TENOR_ERR_UNAUTHORIZED');
        const admitted = user;
        wss.handleUpgrade(req, socket, head, (ws) => {
          const client = new LiveClient({
            ws, user: admitted, services, bus: services.get('events'), log: log.child({ username: admitted.username }),
            windowMs: opts.windowMs ?? 100, maxPending: opts.maxPending ?? 2000, maxBufferedBytes: 4 * 1024 * 1024,
          });
          clients.add(client);
          ws.on('close', () => clients.delete(client));
          client.start();
          log.debug({ username: admitted.username, role: admitted.role, via: admitted.via }, 'live events client connected');
        });
      })().catch((err: unknown) => {
        log.error({ err }, 'live events upgrade failed');
        socket.destroy();
      });
    };
    app.server.on('upgrade', onUpgrade);

    const endSession = (idHash: string) => {
      for (const c of clients) if (c.user.session?.idHash === idHash) c.close(LiveCloseCodes.sessionEnded, 'session ended');
    };
    let stopListening = services.has('sessions') ? services.get('sessions').onEnded(endSession) : () => undefined;
    // Replaced services keep their handles but not what was given to the old versions: listen again.
    const rewires = [
      services.whenReplaced('sessions', () => {
        stopListening();
        stopListening = services.get('sessions').onEnded(endSession);
      }),
      services.whenReplaced('events', () => {
        for (const c of clients) c.busReplaced();
      }),
    ];

    const pinger = setInterval(() => {
      for (const c of clients) {
        if (!c.alive) {
          clients.delete(c);
          c.terminate();
        } else c.ping();
      }
    }, opts.pingIntervalMs ?? 30_000);
    pinger.unref();

    let checking = false;
    const sessionChecker = setInterval(() => {
      if (checking || !services.has('sessions')) return;
      checking = true;
      const sessions = services.get('sessions');
      void (async () => {
        for (const c of [...clients]) {
          const idHash = c.user.session?.idHash;
          if (idHash !== undefined && !(await sessions.isLive(idHash))) c.close(LiveCloseCodes.sessionEnded, 'session expired');
        }
      })()
        .catch((err: unknown) => log.error({ err }, 'live events session check failed'))
        .finally(() => (checking = false));
    }, opts.sessionCheckMs ?? 5_000);
    sessionChecker.unref();

    app.addHook('preClose', async () => {
      clearInterval(pinger);
      clearInterval(sessionChecker);
      stopListening();
      for (const cancel of rewires) cancel();
      app.server.off('upgrade', onUpgrade);
      for (const c of clients) c.close(LiveCloseCodes.goingAway, 'server shutting down');
      clients.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });
  };
}
