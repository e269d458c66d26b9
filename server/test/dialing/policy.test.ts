// The dialing policy's decisions, as a table: which numbers are premium-rate,
// shared-cost, special or international for a site in a given country
// (libphonenumber-js's full metadata), and what a site allows by default and
// with its allow/deny prefixes and rights. Plus the caps' arithmetic with a
// clock the test moves.
import t from 'tap';
import { classifyNumber } from '../../src/services/dialing/classify.js';
import { DialingPolicy, resolveDialingSettings } from '../../src/services/dialing/policy.js';
import { DialingCaps, resolveCaps } from '../../src/services/dialing/caps.js';
import { dialingDefaults } from '../../src/services/dialing/config-schema.js';

t.test('number classes, for a site in the US and one in the UK', async (t) => {
  const table: [number: string, country: string, expected: string][] = [
    ['+19005551234', 'US', 'premium-rate'],      // 1-900
    ['+18005551234', 'US', 'toll-free'],
    ['+12125551234', 'US', 'domestic'],
    ['(212) 555-1234', 'US', 'domestic'],         // national format, as an agent types it
    ['0012125551234', 'GB', 'international'],     // 00 = international access
    ['+14165551234', 'US', 'international'],      // Canada shares +1 but is abroad
    ['+18765551234', 'US', 'international'],      // Jamaica (+1 876), a classic toll-fraud destination
    ['+16495551234', 'US', 'unknown'],            // Turks and Caicos range not in use: nothing says what it costs
    ['+449098790000', 'GB', 'premium-rate'],      // UK 09
    ['+449098790000', 'US', 'premium-rate'],      // premium abroad stays premium
    ['+448712345678', 'GB', 'premium-rate'],      // UK 0871
    ['+443001234567', 'GB', 'special'],           // UK 03 (UAN)
    ['+447012345678', 'GB', 'special'],           // UK 070 personal numbers
    ['+442079460000', 'GB', 'domestic'],
    ['+442079460000', 'US', 'international'],
    ['+33891234567', 'FR', 'premium-rate'],       // French 089
    ['+31201110001', 'US', 'international'],
    ['+881612345678', 'US', 'international'],     // satellite: no country at all
    ['+15550100', 'US', 'unknown'],               // too short for any plan
    ['1234', 'US', 'unknown'],                    // a short code
  ];
  for (const [number, country, expected] of table) {
    t.equal(classifyNumber(number, country).class, expected, `${number} for a ${country} site is ${expected}`);
  }
  t.equal(classifyNumber('(212) 555-1234', 'US').e164, '+12125551234', 'read in E.164');
});

t.test('what a site dials by default, and with allow and deny prefixes', async (t) => {
  const us = new DialingPolicy(resolveDialingSettings({}, 'US'));
  t.ok(us.checkNumber('+12125551234').allowed, 'a number in the site country');
  t.ok(us.checkNumber('+18005551234').allowed, 'toll-free');
  for (const n of ['+19005551234', '+31201110001', '+449098790000', '+18765551234', '+16495551234', '1234']) {
    const d = us.checkNumber(n);
    t.notOk(d.allowed, `${n} refused by default`);
    if (!d.allowed) t.equal(d.refusal.reason, 'number-class');
  }
  const partner = new DialingPolicy(resolveDialingSettings({ allow: ['+31', '+1900555'], deny: ['+3120111'] }, 'US'));
  t.ok(partner.checkNumber('+31301234567').allowed, 'an allowed prefix admits an international number');
  t.ok(partner.checkNumber('+19005551234').allowed, 'and a listed premium service');
  t.notOk(partner.checkNumber('+19005561234').allowed, 'not the rest of 1-900');
  const denied = partner.checkNumber('+31201110001');
  t.notOk(denied.allowed, 'a deny prefix wins over an allow prefix');
  if (!denied.allowed) t.equal(denied.refusal.reason, 'denied-prefix');
  const byClass = new DialingPolicy(resolveDialingSettings({ allowClasses: ['international'], deny: ['+1212'] }, 'US'));
  t.ok(byClass.checkNumber('+442079460000').allowed, 'international allowed as a class');
  t.notOk(byClass.checkNumber('+449098790000').allowed, 'premium abroad is still premium');
  t.notOk(byClass.checkNumber('+12125551234').allowed, 'deny wins over the domestic class too');
  const de = new DialingPolicy(resolveDialingSettings({ country: 'de' }, 'US'));
  t.ok(de.checkNumber('+4915112345678').allowed, 'dialing.country overrides crm.defaultCountry');
  t.notOk(de.checkNumber('+12125551234').allowed, 'and the US becomes international');
});

t.test('rights by purpose and role', async (t) => {
  const strict = new DialingPolicy(resolveDialingSettings({}, 'US'));
  const agentTransfer = strict.check('+12125551234', { purpose: 'transfer', role: 'agent' });
  t.notOk(agentTransfer.allowed, 'an agent may not transfer to a number by default');
  if (!agentTransfer.allowed) t.equal(agentTransfer.refusal.reason, 'external-not-allowed');
  t.ok(strict.check('+12125551234', { purpose: 'consult', role: 'supervisor' }).allowed, 'a supervisor may');
  const own = strict.check('2125551234', { purpose: 'caller-callback', ownNumber: '+12125551234' });
  t.ok(own.allowed, 'a callback to the caller\'s own number (typed nationally)');
  const other = strict.check('+12125559999', { purpose: 'caller-callback', ownNumber: '+12125551234' });
  t.notOk(other.allowed, 'a callback to another number is refused by default');
  if (!other.allowed) t.equal(other.refusal.reason, 'callback-other-number');
  const premiumOwn = strict.check('+19005551234', { purpose: 'caller-callback', ownNumber: '+19005551234' });
  t.notOk(premiumOwn.allowed, 'a premium caller ID is refused even as the caller\'s own');
  if (!premiumOwn.allowed) t.equal(premiumOwn.refusal.reason, 'number-class');
  const open = new DialingPolicy(resolveDialingSettings({ agentsMayDialExternal: true, callbackToOtherNumbers: true }, 'US'));
  t.ok(open.check('+12125551234', { purpose: 'transfer', role: 'agent' }).allowed, 'agents transfer out where the site allows');
  t.ok(open.check('+12125559999', { purpose: 'caller-callback', ownNumber: '+12125551234' }).allowed, 'another callback number where allowed');
  t.notOk(open.check('+19005551234', { purpose: 'transfer', role: 'agent' }).allowed, 'never to a premium number');
});

t.test('caps: concurrent legs per site and per trunk, and a sliding hour', async (t) => {
  let now = 0;
  const caps = new DialingCaps(resolveCaps({ concurrent: 3, perHour: 5 }, { concurrent: 2 }, { big: { concurrent: 3 } }, dialingDefaults), () => now);
  const held: { release(): void }[] = [];
  const take = (trunk: string): string => {
    const r = caps.take(trunk);
    if ('reason' in r) return r.reason;
    held.push(r);
    return 'ok';
  };
  t.equal(take('main'), 'ok', 'first leg on trunk main');
  t.equal(take('main'), 'ok', 'second leg on trunk main');
  t.equal(take('main'), 'trunk-concurrent', 'a third on main is refused (per-trunk cap 2)');
  t.equal(take('big'), 'ok', 'another trunk still has room');
  t.equal(take('big'), 'site-concurrent', 'the site cap (3) holds across trunks');
  const first = held.shift();
  first?.release();
  first?.release(); // released twice: counted once
  t.equal(caps.snapshot().site.active, 2, 'a release frees one place, once');
  now = 10 * 60_000;
  t.equal(take('main'), 'ok', 'room again after a release (4 started this hour)');
  for (const lease of held.splice(0)) lease.release();
  now = 20 * 60_000;
  t.equal(take('other'), 'ok', 'the fifth leg this hour');
  held.splice(0).forEach((l) => l.release());
  now = 30 * 60_000;
  t.equal(take('other'), 'site-per-hour', 'a sixth within the hour is refused, though no leg is up');
  now = 60 * 60_000 + 1;
  t.equal(caps.snapshot().site.lastHour, 2, 'an hour on, the three legs of minute 0 no longer count');
  t.equal(take('other'), 'ok', 'and a leg may start again');
});
