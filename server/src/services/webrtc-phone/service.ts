// The browser phone service: GET /api/phone (what the desktop's phone needs)
// and the /sip WebSocket it signals over (sip-gateway.ts). It keeps no state:
// registrations and calls live in the telephony engine.

import { defineService } from '../../core/service-manager.js';
import '../acd/index.js';
import '../sip-credentials/index.js';
import '../users.js';
import { PhoneInfoSchema, phoneInfo } from './phone-info.js';
import { sipWebSocketGateway, type SipGatewayOptions } from './sip-gateway.js';
import { requireRole } from '../../http/auth.js';

export type WebrtcPhoneService = Record<string, never>;

declare module '../../core/service-manager.js' {
  interface ServiceMap {
    webrtcPhone: WebrtcPhoneService;
  }
}

export function webrtcPhoneService(opts: SipGatewayOptions = {}) {
  return defineService<WebrtcPhoneService>({
    name: 'webrtcPhone',
    version: '1.0.0',
    description: 'The desktop phone: GET /api/phone and SIP over WebSocket at /sip (RFC 7118) for agents whose device is webrtc',
    dependsOn: ['users', 'acd', 'sipCredentials', 'telephony'],
    routes: {
      plugin: (http) => async (app) => {
        const { services } = http;
        app.get('/api/phone', {
          onRequest: requireRole(services.get('users'), 'agent', 'supervisor', 'admin'),
          schema: {
            summary: "The caller's own desktop phone: enabled only for an agent whose device type is webrtc",
            tags: ['phone'], security: [{ basicAuth: [] }, { sessionCookie: [] }],
            response: { 200: PhoneInfoSchema },
          },
        }, async (request) => phoneInfo(services.get('acd'), services.get('sipCredentials').realm, request.user?.username ?? ''));
        await app.register(sipWebSocketGateway(services, opts));
      },
    },
    start: () => ({}),
  });
}
