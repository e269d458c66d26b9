// The /sip WebSocket (RFC 7118, subprotocol "sip") on the HTTP port: the
// upgrade is authenticated by the web session exactly like /api/events, and
// refused unless the user is an agent whose device type is webrtc. The socket
// is then handed to the telephony engine with the login as its identity: a
// REGISTER on it binds only that login, without a digest challenge (the
// session already proved who it is), and an INVITE from it is from that user.
// On FreeSWITCH the driver relays the socket to FreeSWITCH's WebSocket binding
// with the same identity rule and answers FreeSWITCH's challenge itself
// (telephony/src/freeswitch/sip-ws-relay.ts).

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { SipWebSocketSink } from '@tenor/telephony';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServiceManager } from '../../core/service-manager.js';
import { TenorError, errorCatalogue, type TenorErrorCode } from '../../core/errors.js';
import { requireRole } from '../../http/auth.js';
import { originAllowed } from '../../http/origin.js';
import '../acd/index.js';
import { LIVE_EVENTS_PATH } from '../live-events/index.js';
import '../telephony/index.js';
import '../sessions/index.js';
import { SIP_WS_PATH, webrtcDeviceOf } from './phone-info.js';

/** One SIP message per WebSocket message: the SIP stack's own size limit (a larger one closes the socket with 1009). */
const MAX_SIP_MESSAGE = 64 * 1024;

export interface SipGatewayOptions {
  /** How often open phones' web sessions are checked for expiry (ms); 5 s by default. */
  sessionCheckMs?: number;
}

export function sipWebSocketGateway(services: ServiceManager, opts: SipGatewayOptions = {}): FastifyPluginAsyncTypebox {
  return async (app) => {
    const log = app.log.child({ component: 'sip-websocket' });
    /** Open sockets and the web session each belongs to: a session that ends (logout, expiry) closes its phone. */
    const sockets = new Map<WebSocket, string | undefined>();
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_SIP_MESSAGE,
      // RFC 7118 §4.1: the subprotocol is "sip"; a client that does not ask for it is refused in the handshake.
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    });

    app.get(SIP_WS_PATH, {
      onRequest: requireRole(services.get('users'), 'agent'),
      schema: {
        summary: 'SIP over WebSocket (RFC 7118, subprotocol "sip") for the desktop phone of an agent whose device is webrtc; see docs/telephony.md',
        tags: ['phone'], security: [{ sessionCookie: [] }],
      },
    }, async (_request, reply) => reply.status(426).header('upgrade', 'websocket').send({ error: { code: 'TENOR_ERR_VALIDATION', message: 'Invalid request: connect with a WebSocket (Upgrade: websocket, Sec-WebSocket-Protocol: sip)' } }));

    const refuse = (socket: Duplex, code: TenorErrorCode, args: string[] = []) => {
      const { status } = errorCatalogue[code];
      const body = JSON.stringify({ error: { code, message: new TenorError(code, args).message } });
      socket.end([`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 429 ? 'Too Many Requests' : 'Error'}`,
        'Connection: close', 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
    };

    const admit = async (req: IncomingMessage, socket: Duplex): Promise<{ username: string; session: string | undefined } | undefined> => {
      if (!originAllowed(req.headers, app.access.options)) {
        refuse(socket, 'TENOR_ERR_CSRF', [`Origin '${req.headers.origin ?? ''}' is another site`]);
        return undefined;
      }
      const user = await app.access.authenticate({ headers: req.headers, ip: req.socket.remoteAddress ?? '' }, { touch: true });
      // A session only: the phone lives in the desktop a person signed in to, never behind a tool's Basic credentials.
      if (!user || user.via !== 'session') {
        refuse(socket, 'TENOR_ERR_UNAUTHORIZED');
        return undefined;
      }
      if (user.role !== 'agent' || !webrtcDeviceOf(services.get('acd'), user.username)) {
        log.info({ username: user.username, role: user.role }, 'sip websocket refused: not an agent with a webrtc device');
        refuse(socket, 'TENOR_ERR_FORBIDDEN');
        return undefined;
      }
      return { username: user.username, session: user.session?.idHash };
    };

    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== SIP_WS_PATH) {
        // With a second upgrade listener the live events' gateway no longer answers other paths: say 404 here.
        if (path !== LIVE_EVENTS_PATH) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      if (!offered.includes('sip')) {
        // RFC 7118 §4.1: without the "sip" subprotocol this is not a SIP client.
        refuse(socket, 'TENOR_ERR_VALIDATION', ['the WebSocket subprotocol must be "sip"']);
        return;
      }
      void (async () => {
        let admitted: { username: string; session: string | undefined } | undefined;
        try {
          admitted = await admit(req, socket);
        } catch (err) {
          if (err instanceof TenorError && err.code === 'TENOR_ERR_RATE_LIMITED') return refuse(socket, 'TENOR_ERR_RATE_LIMITED', ['60']);
          log.error({ err }, 'sip websocket authentication failed');
          return refuse(socket, 'TENOR_ERR_INTERNAL', ['see the server log']);
        }
        if (admitted === undefined) return;
        const { username, session } = admitted;
        wss.handleUpgrade(req, socket, head, (ws) => attach(ws, req, username, session));
      })().catch((err: unknown) => {
        log.error({ err }, 'sip websocket upgrade failed');
        socket.destroy();
      });
    };

    const attach = (ws: WebSocket, req: IncomingMessage, user: string, session: string | undefined) => {
      const secure = (req.socket as TLSSocket).encrypted === true
        || (app.access.options.trustProxy && req.headers['x-forwarded-proto'] === 'https');
      let sink: SipWebSocketSink;
      try {
        sink = services.get('telephony').attachSipWebSocket({
          user,
          remote: { address: req.socket.remoteAddress ?? 'unknown', port: req.socket.remotePort ?? 0 },
          secure,
          send: (text) => {
            if (ws.readyState === ws.OPEN) ws.send(text);
          },
          close: (code, reason) => ws.close(code, reason),
        });
      } catch (err) {
        log.warn({ err, username: user }, 'the telephony engine does not take SIP websockets');
        ws.close(1011, 'SIP over WebSocket is not available on this engine');
        return;
      }
      sockets.set(ws, session);
      ws.on('message', (data, isBinary) => {
        const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        if (isBinary) log.debug({ username: user }, 'binary websocket frame taken as SIP text');
        sink.receive(buffer);
      });
      ws.on('error', (err) => log.debug({ err, username: user }, 'sip websocket error'));
      ws.on('close', (code) => {
        sockets.delete(ws);
        log.info({ username: user, code }, 'sip websocket closed');
        sink.closed();
      });
      log.info({ username: user, secure }, 'sip websocket opened');
    };

    const endSession = (idHash: string) => {
      for (const [ws, session] of sockets) if (session === idHash) ws.close(4401, 'session ended');
    };
    let stopListening = services.has('sessions') ? services.get('sessions').onEnded(endSession) : () => undefined;
    // A session that expires is not announced (it is found stale when next used): look, as /api/events does,
    // so an idle session's phone does not stay registered.
    let checking = false;
    const sessionChecker = setInterval(() => {
      if (checking || sockets.size === 0 || !services.has('sessions')) return;
      checking = true;
      void (async () => {
        const sessions = services.get('sessions');
        for (const [ws, session] of [...sockets]) {
          if (session !== undefined && !(await sessions.isLive(session))) ws.close(4401, 'session expired');
        }
      })()
        .catch((err: unknown) => log.error({ err }, 'sip websocket session check failed'))
        .finally(() => (checking = false));
    }, opts.sessionCheckMs ?? 5_000);
    sessionChecker.unref();
    const rewire = services.whenReplaced('sessions', () => {
      stopListening();
      stopListening = services.get('sessions').onEnded(endSession);
    });

    app.server.on('upgrade', onUpgrade);
    app.addHook('preClose', async () => {
      clearInterval(sessionChecker);
      stopListening();
      rewire();
      app.server.off('upgrade', onUpgrade);
      for (const ws of sockets.keys()) ws.close(1001, 'server shutting down');
      sockets.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });
  };
}
