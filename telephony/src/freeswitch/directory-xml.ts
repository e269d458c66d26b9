// What Tenor answers FreeSWITCH's directory lookups with (mod_xml_curl): a
// phone user with the digest material Tenor holds (a1-hash, never a clear
// password), the trunks as sofia gateways, and the trunks' source addresses as
// a network list, all in Tenor's domain. Every value is XML-escaped; names are
// checked before anything is looked up, since FreeSWITCH passes names callers
// chose (the user of a REGISTER, the realm of a challenge answer).
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { StoredCredential } from '../embedded/registrar/credentials.js';
import type { TrunkConfig } from '../embedded/engine/trunks.js';
import { trunkInboundAddresses } from '../embedded/engine/trunks.js';
import { escapeXml } from './config-xml.js';

/** The answer FreeSWITCH takes as "nobody here": it then looks in its own static configuration. */
export const NOT_FOUND = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<document type="freeswitch/xml">
  <section name="result">
    <result status="not found"/>
  </section>
</document>
`;

/** A SIP user name Tenor serves: letters, digits and . _ + - (no XML or SIP metacharacters), at most 128. */
export const USER_NAME = /^[A-Za-z0-9_.+-]{1,128}$/;
/** A sofia gateway name (sofia itself accepts ^[\w.-]+$). */
export const GATEWAY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Directory ids of the network list's entries: never a phone's (a phone's name has no '~'). */
const TRUNK_ID_PREFIX = '~trunk.';

function document(domain: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<document type="freeswitch/xml">
  <section name="directory">
    <domain name="${escapeXml(domain)}">
${body}
    </domain>
  </section>
</document>
`;
}

function params(values: Record<string, string | number | boolean>, indent: string): string {
  return Object.entries(values)
    .map(([name, value]) => `${indent}<param name="${escapeXml(name)}" value="${escapeXml(String(value))}"/>`)
    .join('\n');
}

/**
 * H(user:realm:secret) with MD5, the only digest FreeSWITCH's registrar checks:
 * from the clear password, or the MD5 material a store keeps. Undefined when
 * the store has only other algorithms (the user is then not served: a user
 * without a secret would be let in by FreeSWITCH without a challenge).
 */
export function md5Ha1(user: string, realm: string, credential: StoredCredential): string | undefined {
  if ('password' in credential) return createHash('md5').update(`${user}:${realm}:${credential.password}`, 'utf8').digest('hex');
  const ha1 = credential.passwordHash.MD5;
  return ha1 !== undefined && /^[0-9a-f]{32}$/i.test(ha1) ? ha1.toLowerCase() : undefined;
}

/** A phone user: the a1-hash FreeSWITCH checks digest answers against. */
export function userDocument(domain: string, user: string, a1Hash: string): string {
  return document(domain, `      <user id="${escapeXml(user)}">
        <params>
${params({ 'a1-hash': a1Hash }, '          ')}
        </params>
      </user>`);
}

function gatewayXml(t: TrunkConfig): string {
  return `          <gateway name="${escapeXml(t.name)}">
${params({
    proxy: `${t.host}:${t.port}`,
    register: t.register === true,
    'register-transport': t.transport,
    username: t.username ?? 'tenor',
    password: t.password ?? '',
    ...(t.fromDomain !== undefined ? { 'from-domain': t.fromDomain } : {}),
    'expire-seconds': t.registerExpires ?? 3600,
    'retry-seconds': 30,
    'caller-id-in-from': true,
    // A carrier's call to the registered contact (sip:gw+<name>@…) goes to the number in its To, not to the account name.
    extension: 'auto_to_user',
  }, '            ')}
          </gateway>`;
}

/**
 * The trunks as gateways of the profile (asked with purpose=gateways when the
 * profile starts or is rescanned). They hang off a holder user that may never
 * register or authenticate (sip-forbid-register), so serving it opens nothing.
 */
export function gatewaysDocument(domain: string, trunks: readonly TrunkConfig[]): string {
  return document(domain, `      <user id="${TRUNK_ID_PREFIX}gateways">
        <params>
${params({ 'sip-forbid-register': true }, '          ')}
        </params>
        <gateways>
${trunks.filter((t) => GATEWAY_NAME.test(t.name)).map(gatewayXml).join('\n')}
        </gateways>
      </user>`);
}

/**
 * The trunks' source addresses as entries of the network list (asked with
 * purpose=network-list on reloadacl): the profile lets calls from them in
 * without a digest challenge. Each entry is a user that may not authenticate.
 */
export function networkListDocument(domain: string, trunks: readonly TrunkConfig[]): string {
  const users = trunks.flatMap((t) => trunkInboundAddresses(t)
    .filter((address) => isIP(address) !== 0)
    .map((address, i) => `      <user id="${escapeXml(`${TRUNK_ID_PREFIX}${t.name}.${i}`)}" cidr="${escapeXml(`${address}/${isIP(address) === 6 ? 128 : 32}`)}">
        <params>
${params({ 'sip-forbid-register': true }, '          ')}
        </params>
      </user>`));
  return document(domain, users.join('\n'));
}

/** A network-list entry FreeSWITCH looks up again by its id (the ACL's token): served as one that may not authenticate. */
export function trunkEntryDocument(domain: string, id: string): string | undefined {
  if (!id.startsWith(TRUNK_ID_PREFIX)) return undefined;
  return document(domain, `      <user id="${escapeXml(id)}">
        <params>
${params({ 'sip-forbid-register': true }, '          ')}
        </params>
      </user>`);
}
