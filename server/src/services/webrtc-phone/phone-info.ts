// GET /api/phone: what the desktop's phone needs to know about its own user,
// and who may have a phone at all (an agent whose device type is webrtc).

import { Type, type Static } from '@sinclair/typebox';
import type { AcdService } from '../acd/index.js';

/** The WebSocket path of SIP over WebSocket (RFC 7118) on the HTTP port. */
export const SIP_WS_PATH = '/sip';

export const PhoneInfoSchema = Type.Object(
  {
    enabled: Type.Boolean({ description: 'true only for an agent whose device type is webrtc' }),
    user: Type.String({ description: 'the SIP user the phone registers as: the login' }),
    uri: Type.String({ description: 'sip:<user>@<realm>' }),
    wsPath: Type.Literal(SIP_WS_PATH),
    autoAnswer: Type.Boolean({ description: "the agent's device.autoAnswer (false when not set)" }),
  },
  { additionalProperties: false },
);
export type PhoneInfo = Static<typeof PhoneInfoSchema>;

/** The agent's webrtc device, or undefined when this user has no browser phone. */
export function webrtcDeviceOf(acd: AcdService, username: string): { autoAnswer?: boolean } | undefined {
  const device = acd.agent(username)?.profile.device;
  return device?.type === 'webrtc' ? device : undefined;
}

export function phoneInfo(acd: AcdService, realm: string, username: string): PhoneInfo {
  const device = webrtcDeviceOf(acd, username);
  return {
    enabled: device !== undefined,
    user: username,
    uri: `sip:${username}@${realm}`,
    wsPath: SIP_WS_PATH,
    autoAnswer: device?.autoAnswer ?? false,
  };
}
