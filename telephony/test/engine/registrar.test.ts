import t from 'tap';
import { Registrar, type RegisterInput } from '../../src/embedded/registrar/registrar.js';
import { InMemoryCredentialStore } from '../../src/embedded/registrar/credentials.js';
import { answerDigestChallenge } from '../../src/embedded/registrar/digest-client.js';
import { computeHa1, parseDigestParams } from '../../src/embedded/registrar/digest.js';
import type { HeaderField } from '../../src/embedded/sip/message.js';

const source = { transport: 'udp' as const, address: '127.0.0.1', port: 5070 };
const realm = 'tenor.test';

function input(over: Partial<RegisterInput> = {}): RegisterInput {
  return {
    user: 'alice', contacts: [{ uri: 'sip:alice@127.0.0.1:5070' }], authorization: [],
    callId: 'c1', cseq: 1, source, ...over,
  };
}

function challengesOf(headers: HeaderField[]): string[] {
  return headers.filter((h) => h.name === 'WWW-Authenticate').map((h) => h.value);
}

/** Register, answering with `pick` (a client that insists on an algorithm the registrar did not offer rewrites the challenge). */
async function register(reg: Registrar, over: Partial<RegisterInput>, password: string, pick?: 'MD5' | 'SHA-256'): Promise<ReturnType<Registrar['handle']>> {
  const first = await reg.handle(input({ ...over, authorization: [] }));
  let challenges = challengesOf(first.headers);
  if (pick) {
    const offered = challenges.filter((c) => c.includes(`algorithm=${pick}`));
    challenges = offered.length > 0 ? offered : challenges.map((c) => c.replace(/algorithm=[\w-]+/, `algorithm=${pick}`));
  }
  const answer = answerDigestChallenge(challenges, { method: 'REGISTER', uri: 'sip:tenor.test' }, { username: over.user ?? 'alice', password });
  if (!answer) throw new Error('no answer');
  return reg.handle(input({ ...over, authorization: [answer.value], cseq: (over.cseq ?? 1) + 1 }));
}

t.test('401 is the same for known and unknown users apart from the nonce', async (t) => {
  const failures: string[] = [];
  const reg = new Registrar({ realm, credentials: new InMemoryCredentialStore({ alice: 'secret' }), onAuthFailure: (a) => failures.push(a) });
  t.teardown(() => reg.close());
  const strip = (h: HeaderField[]): string[] => h.map((x) => `${x.name}: ${x.value.replace(/nonce="[^"]*"/, 'nonce=""')}`);

  const known = await reg.handle(input({ user: 'alice' }));
  const unknown = await reg.handle(input({ user: 'mallory' }));
  t.equal(known.status, 401);
  t.equal(unknown.status, 401);
  t.same(strip(known.headers), strip(unknown.headers));
  const algs = challengesOf(known.headers).map((c) => parseDigestParams(c)?.algorithm);
  t.same(algs, ['MD5'], 'MD5 only by default: deployed phones give up on any other challenge');

  // Wrong answers: known user with a wrong password, unknown user with any password.
  const wrongKnown = await register(reg, { user: 'alice' }, 'nope');
  const wrongUnknown = await register(reg, { user: 'mallory' }, 'nope');
  t.equal(wrongKnown.status, 401);
  t.same(strip(wrongKnown.headers), strip(wrongUnknown.headers));
  t.same(failures, ['127.0.0.1', '127.0.0.1'], 'failed answers reach the rate limiter; first tries do not');
});

t.test('SHA-256 is offered first when configured; answers in an algorithm not offered are refused', async (t) => {
  const both = new Registrar({ realm, credentials: new InMemoryCredentialStore({ alice: 'secret' }), algorithms: ['SHA-256', 'MD5'] });
  t.teardown(() => both.close());
  const first = await both.handle(input({ user: 'alice' }));
  t.same(challengesOf(first.headers).map((c) => parseDigestParams(c)?.algorithm), ['SHA-256', 'MD5']);
  const md5Only = new Registrar({ realm, credentials: new InMemoryCredentialStore({ alice: 'secret' }) });
  t.teardown(() => md5Only.close());
  t.equal((await register(md5Only, {}, 'secret', 'SHA-256')).status, 401, 'SHA-256 answer to an MD5-only registrar');
  t.equal((await register(md5Only, { cseq: 7 }, 'secret', 'MD5')).status, 200);
});

t.test('a device marked MD5 only is offered MD5 alone; a device at the default and an unknown user get the same SHA-256-first challenge', async (t) => {
  const credentials = new InMemoryCredentialStore({ alice: 'secret' });
  credentials.set('oldphone', { password: 'old-secret', algorithms: ['MD5'] });
  const reg = new Registrar({ realm, credentials, algorithms: ['SHA-256', 'MD5'] });
  t.teardown(() => reg.close());
  const offered = async (user: string): Promise<Array<string | undefined>> =>
    challengesOf((await reg.handle(input({ user, contacts: [{ uri: `sip:${user}@127.0.0.1:5070` }] }))).headers).map((c) => parseDigestParams(c)?.algorithm);

  t.same(await offered('oldphone'), ['MD5'], 'the older phone is offered only what it can answer');
  t.same(await offered('alice'), ['SHA-256', 'MD5'], 'a device at the default: SHA-256 first (RFC 8760)');
  t.same(await offered('mallory'), ['SHA-256', 'MD5'], 'an unknown user cannot be told from a device at the default');
  const registered = await register(reg, { user: 'oldphone', contacts: [{ uri: 'sip:oldphone@127.0.0.1:5070' }] }, 'old-secret');
  t.equal(registered.status, 200, 'the MD5-only phone registers on its first answer');
});

t.test('SHA-256 and MD5 credentials both register', async (t) => {
  const reg = new Registrar({ realm, credentials: new InMemoryCredentialStore({ alice: 'secret' }), algorithms: ['SHA-256', 'MD5'] });
  t.teardown(() => reg.close());
  const events: string[] = [];
  reg.bindings.on('registered', (b) => events.push(`reg ${b.user}`));
  const sha = await register(reg, {}, 'secret');
  t.equal(sha.status, 200);
  t.match(sha.headers.find((h) => h.name === 'Contact')?.value, /^<sip:alice@127\.0\.0\.1:5070>;expires=3600$/);
  const md5 = await register(reg, { contacts: [{ uri: 'sip:alice@127.0.0.1:5071' }], cseq: 5 }, 'secret', 'MD5');
  t.equal(md5.status, 200);
  t.equal(reg.lookup('alice').length, 2);
  t.same(events, ['reg alice', 'reg alice']);
});

t.test('a precomputed hash in the store works like a password', async (t) => {
  const store = new InMemoryCredentialStore();
  store.set('bob', { passwordHash: { 'SHA-256': computeHa1('SHA-256', 'bob', realm, 'pw'), MD5: computeHa1('MD5', 'bob', realm, 'pw') } });
  const reg = new Registrar({ realm, credentials: store, algorithms: ['SHA-256', 'MD5'] });
  t.teardown(() => reg.close());
  t.equal((await register(reg, { user: 'bob' }, 'pw')).status, 200);
  t.equal((await register(reg, { user: 'bob', cseq: 9 }, 'pw', 'MD5')).status, 200);
});

t.test('an expired nonce with the right password gets stale=true', async (t) => {
  let now = 1_000_000;
  const reg = new Registrar({ realm, credentials: new InMemoryCredentialStore({ alice: 'secret' }), nonceTtlMs: 1000, now: () => now });
  t.teardown(() => reg.close());
  const first = await reg.handle(input());
  const answer = answerDigestChallenge(challengesOf(first.headers), { method: 'REGISTER', uri: 'sip:tenor.test' }, { username: 'alice', password: 'secret' });
  now += 5000;
  const late = await reg.handle(input({ authorization: [answer?.value ?? ''], cseq: 2 }));
  t.equal(late.status, 401);
  t.ok(challengesOf(late.headers).every((c) => parseDigestParams(c)?.stale === 'true'));
  // And a wrong password on an expired nonce is not told it is stale.
  const wrong = answerDigestChallenge(challengesOf(first.headers), { method: 'REGISTER', uri: 'sip:tenor.test' }, { username: 'alice', password: 'bad' });
  const bad = await reg.handle(input({ authorization: [wrong?.value ?? ''], cseq: 3 }));
  t.ok(challengesOf(bad.headers).every((c) => parseDigestParams(c)?.stale === undefined));
});

t.test('bindings expire, refresh, and Expires: 0 or * removes them', async (t) => {
  const reg = new Registrar({ realm, credentials: new InMemoryCredentialStore({ alice: 'secret' }), minExpires: 1 });
  t.teardown(() => reg.close());
  const gone: string[] = [];
  reg.bindings.on('unregistered', (b, why) => gone.push(`${b.contact} ${why}`));

  t.equal((await register(reg, { expires: 1 }, 'secret')).status, 200);
  t.equal(reg.lookup('alice').length, 1);
  await new Promise((r) => setTimeout(r, 1300));
  t.equal(reg.lookup('alice').length, 0, 'the binding lapsed');
  t.same(gone, ['sip:alice@127.0.0.1:5070 expired']);
  t.equal(reg.bindings.timerCount, 0);

  t.equal((await register(reg, { cseq: 10 }, 'secret')).status, 200);
  t.equal((await register(reg, { cseq: 20, contacts: [{ uri: 'sip:alice@127.0.0.1:5070', expires: 0 }] }, 'secret')).status, 200);
  t.equal(reg.lookup('alice').length, 0, 'Expires: 0 removed it');

  t.equal((await register(reg, { cseq: 30 }, 'secret')).status, 200);
  t.equal((await register(reg, { cseq: 40, contacts: [{ uri: 'sip:alice@127.0.0.1:5099' }] }, 'secret')).status, 200);
  t.equal(reg.lookup('alice').length, 2);
  t.equal((await register(reg, { cseq: 50, contacts: '*', expires: 0 }, 'secret')).status, 200);
  t.equal(reg.lookup('alice').length, 0, 'Contact: * removed all');
  t.equal(reg.bindings.timerCount, 0);
});

t.test('too short an expiry gets 423 with Min-Expires; too long is cut', async (t) => {
  const reg = new Registrar({ realm, credentials: new InMemoryCredentialStore({ alice: 'secret' }), minExpires: 60, maxExpires: 600 });
  t.teardown(() => reg.close());
  const brief = await register(reg, { expires: 5 }, 'secret');
  t.equal(brief.status, 423);
  t.same(brief.headers, [{ name: 'Min-Expires', value: '60' }]);
  const long = await register(reg, { expires: 99999, cseq: 5 }, 'secret');
  t.match(long.headers.find((h) => h.name === 'Contact')?.value, /expires=600$/);
});

t.test('a user cannot bind another user\'s address', async (t) => {
  const reg = new Registrar({ realm, credentials: new InMemoryCredentialStore({ alice: 'secret', bob: 'pw' }) });
  t.teardown(() => reg.close());
  const first = await reg.handle(input({ user: 'bob' }));
  const answer = answerDigestChallenge(challengesOf(first.headers), { method: 'REGISTER', uri: 'sip:tenor.test' }, { username: 'alice', password: 'secret' });
  const res = await reg.handle(input({ user: 'bob', authorization: [answer?.value ?? ''], cseq: 2 }));
  t.equal(res.status, 403);
});
