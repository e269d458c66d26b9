// The directory server FreeSWITCH's mod_xml_curl asks, attacked over real HTTP:
// nothing without the per-start basic credentials, a phone's a1-hash (never its
// secret) for Tenor's domain only, "not found" for anyone else, and no way to
// inject XML or a second user through the names a caller chooses.
import { createHash } from 'node:crypto';
import t from 'tap';
import { InMemoryCredentialStore } from '../../src/embedded/registrar/credentials.js';
import type { TrunkConfig } from '../../src/embedded/engine/trunks.js';
import { startFreeSwitchXmlServer, type XmlCurlBinding } from '../../src/freeswitch/xml-curl-server.js';

const DOMAIN = 'tenor-xml.test';
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

const credentials = new InMemoryCredentialStore();
credentials.set('alice', { passwordHash: { MD5: md5(`alice:${DOMAIN}:alice-secret`), 'SHA-256': 'f'.repeat(64) } });
credentials.set('bob', { password: 'bob-secret' });
credentials.set('carol', { passwordHash: { 'SHA-256': 'a'.repeat(64) } });
credentials.set('eve"/><user id="x', { password: 'injected' });
let trunks: TrunkConfig[] = [{
  name: 'carrier', host: '198.51.100.7', port: 5060, transport: 'udp', username: 'acct', password: 'p<w>&"x', register: true,
}];
const xml = await startFreeSwitchXmlServer({ credentials, domain: DOMAIN, trunks: () => trunks });
t.teardown(() => xml.stop());

function basic(b: XmlCurlBinding, password = b.password): string {
  return `Basic ${Buffer.from(`${b.username}:${password}`).toString('base64')}`;
}

async function ask(form: string, authorization: string | null = basic(xml.binding)): Promise<{ status: number; text: string }> {
  const res = await fetch(xml.binding.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(authorization !== null ? { Authorization: authorization } : {}) },
    body: form,
  });
  return { status: res.status, text: await res.text() };
}

/** A user lookup as sofia makes it for a REGISTER's digest answer. */
function userLookup(user: string, domain = DOMAIN): string {
  return `hostname=fs&section=directory&tag_name=domain&key_name=name&key_value=${domain}&action=sip_auth&key=id&user=${encodeURIComponent(user)}&domain=${encodeURIComponent(domain)}`;
}

t.test('the basic credentials of this start are required', async (t) => {
  t.equal((await ask(userLookup('alice'), null)).status, 401, 'none');
  t.equal((await ask(userLookup('alice'), basic(xml.binding, 'wrong-password'))).status, 401, 'a wrong password');
  t.equal((await ask(userLookup('alice'), basic({ ...xml.binding, username: 'admin' }))).status, 401, 'another user');
  t.equal((await ask(userLookup('alice'), 'Bearer abc')).status, 401, 'another scheme');
  const other = await startFreeSwitchXmlServer({ credentials, domain: DOMAIN });
  t.teardown(() => other.stop());
  t.not(other.binding.password, xml.binding.password, 'each start makes its own secret');
  t.equal((await ask(userLookup('alice'), basic(other.binding))).status, 401, 'another start\'s secret');
  t.equal(xml.counts.refused, 5);
});

t.test('an existing FreeSWITCH\'s fixed password: used as given, never a short one', async (t) => {
  const fixed = await startFreeSwitchXmlServer({ credentials, domain: DOMAIN, password: 'a-long-fixed-password' });
  t.teardown(() => fixed.stop());
  t.equal(fixed.binding.password, 'a-long-fixed-password');
  await t.rejects(startFreeSwitchXmlServer({ credentials, domain: DOMAIN, password: 'short' }), /at least 16/);
});

t.test('a phone gets the a1-hash FreeSWITCH checks, never its secret', async (t) => {
  const alice = await ask(userLookup('alice'));
  t.equal(alice.status, 200);
  t.match(alice.text, `<user id="alice">`);
  t.match(alice.text, `<param name="a1-hash" value="${md5(`alice:${DOMAIN}:alice-secret`)}"/>`, 'the MD5 material of the store');
  const bob = await ask(userLookup('bob'));
  t.match(bob.text, `<param name="a1-hash" value="${md5(`bob:${DOMAIN}:bob-secret`)}"/>`, 'a clear password becomes its HA1');
  t.notMatch(bob.text, 'bob-secret', 'the clear password is not written out');
  t.notMatch(bob.text, /name="password"/);
});

t.test('not found: unknown users, users without MD5 material, other domains', async (t) => {
  for (const form of [userLookup('mallory'), userLookup('carol'), userLookup('alice', 'other.example'), 'section=configuration&key_value=sofia.conf']) {
    const r = await ask(form);
    t.equal(r.status, 200);
    t.match(r.text, '<result status="not found"/>', form);
    t.notMatch(r.text, 'a1-hash');
  }
});

t.test('names a caller chooses inject nothing', async (t) => {
  const injected = await ask(userLookup('eve"/><user id="x'));
  t.match(injected.text, '<result status="not found"/>', 'a user name with XML metacharacters is not looked up');
  // xml_curl writes key_value (the domain) into the form unencoded: a realm of "d&user=alice" adds a second user.
  const smuggled = await ask(`section=directory&tag_name=domain&key_name=name&key_value=${DOMAIN}&user=alice&action=sip_auth&user=mallory&domain=${DOMAIN}`);
  t.match(smuggled.text, '<result status="not found"/>', 'two different users in one form: nobody');
  const twoDomains = await ask(`section=directory&tag_name=domain&key_name=name&key_value=${DOMAIN}&domain=x&user=alice&domain=${DOMAIN}`);
  t.match(twoDomains.text, '<result status="not found"/>', 'two different domains: nobody');
  const trunkEntry = await ask(userLookup('~trunk.carrier.0'));
  t.match(trunkEntry.text, 'sip-forbid-register', 'an ACL entry looked up by its token can never authenticate');
  t.notMatch(trunkEntry.text, 'a1-hash');
});

t.test('trunks: gateways (values escaped) and the ACL of their addresses', async (t) => {
  const gateways = await ask(`section=directory&tag_name=domain&key_name=name&key_value=${DOMAIN}&purpose=gateways&profile=tenor`);
  t.match(gateways.text, '<gateway name="carrier">');
  t.match(gateways.text, '<param name="password" value="p&lt;w&gt;&amp;&quot;x"/>', 'the trunk password is escaped');
  t.match(gateways.text, '<param name="proxy" value="198.51.100.7:5060"/>');
  t.match(gateways.text, '<param name="register" value="true"/>');
  t.match(gateways.text, '<param name="sip-forbid-register" value="true"/>', 'the holder of the gateways can never authenticate');
  const acl = await ask(`section=directory&tag_name=domain&key_name=name&key_value=${DOMAIN}&domain=${DOMAIN}&purpose=network-list`);
  t.match(acl.text, 'cidr="198.51.100.7/32"', 'the host is the source address by default');
  trunks = [{ name: 'bad name"/>', host: '198.51.100.8', port: 5060, transport: 'udp' }];
  const none = await ask(`section=directory&tag_name=domain&key_name=name&key_value=${DOMAIN}&purpose=gateways`);
  t.notMatch(none.text, '<gateway ', 'a trunk name sofia would not take is left out');
});
