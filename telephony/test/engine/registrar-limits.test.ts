// The registrar's own limits, with a fake clock: nonce-counts (each digest
// answer good once) and the per-username lock that doubles while guessing
// goes on and fades with quiet.
import t from 'tap';
import { NonceCounts, parseNonceCount } from '../../src/embedded/registrar/nonce-counts.js';
import { UserAuthThrottle } from '../../src/embedded/registrar/user-throttle.js';

t.test('nonce-counts: a count is accepted once and only going up; without qop a nonce is good once; entries expire with the nonce', async (t) => {
  let now = 0;
  const counts = new NonceCounts({ ttlMs: 1000, now: () => now });
  t.ok(counts.accept('n1', 1));
  t.notOk(counts.accept('n1', 1), 'the same count again is a replay');
  t.ok(counts.accept('n1', 2), 'the next count is fine');
  t.notOk(counts.accept('n1', 1), 'a lower count is a replay');
  t.ok(counts.accept('n2', 0));
  t.notOk(counts.accept('n2', 0), 'an answer without qop is good once');
  now += 20_000;
  counts.accept('n3', 1);
  t.equal(counts.size, 1, 'expired nonces are forgotten');
  t.equal(parseNonceCount('0000000a', 'auth'), 10);
  t.equal(parseNonceCount(undefined, undefined), 0);
  t.equal(parseNonceCount('zz', 'auth'), undefined, 'a malformed count');
});

t.test('user throttle: 5 failures lock the username, locks double while failures go on, quiet resets them, a success clears the count', async (t) => {
  let now = 0;
  const th = new UserAuthThrottle({ now: () => now, maxFailures: 3, lockMs: 1000, maxLockMs: 4000 });
  t.equal(th.recordFailure('admin'), undefined);
  t.equal(th.recordFailure('admin'), undefined);
  t.equal(th.recordFailure('admin'), 1000, 'the 3rd failure locks for 1 s');
  t.equal(th.lockedFor('admin'), 1000);
  t.equal(th.lockedFor('agent'), 0, 'other usernames are not affected');
  now += 1001;
  t.equal(th.lockedFor('admin'), 0, 'the lock passes');
  th.recordFailure('admin'); th.recordFailure('admin');
  t.equal(th.recordFailure('admin'), 2000, 'the next lock is twice as long');
  now += 2001;
  th.recordFailure('admin'); th.recordFailure('admin');
  t.equal(th.recordFailure('admin'), 4000);
  now += 4001;
  th.recordFailure('admin'); th.recordFailure('admin');
  t.equal(th.recordFailure('admin'), 4000, 'capped at maxLockMs');
  now += 4001 + 4001;
  th.recordFailure('admin'); th.recordFailure('admin');
  t.equal(th.recordFailure('admin'), 1000, 'after a quiet spell the locks start short again');
  now += 1001;
  th.recordFailure('agent'); th.recordFailure('agent');
  th.recordSuccess('agent');
  t.equal(th.recordFailure('agent'), undefined, 'a success clears the count');
});
