// Trunks replaced while the engine runs (an administrator edited them): the
// next call goes to the new destination, a call in progress keeps its trunk,
// and a table with two trunks of one name is refused without changing anything.
import t from 'tap';
import pino from 'pino';
import { EmbeddedDriver } from '../../src/embedded/engine/driver.js';
import { waitUntil } from '../../src/contract/suite.js';
import { SipPeer, TEST_TIMERS, rtpRange } from '../contract/sip-peer.js';

const silent = pino({ level: 'silent' });

t.test('setTrunks: the next call uses the new table; the call in progress stays up', async (t) => {
  const oldCarrier = await SipPeer.start({ address: '127.0.0.2' });
  const newCarrier = await SipPeer.start({ address: '127.0.0.2' });
  t.teardown(async () => {
    await oldCarrier.close();
    await newCarrier.close();
  });
  const driver = new EmbeddedDriver({
    sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent,
    trunks: [{ name: 'carrier', host: '127.0.0.2', port: oldCarrier.port, transport: 'udp' }],
  });
  await driver.start();
  t.teardown(() => driver.stop());

  const first = await driver.originate({ kind: 'number', number: '5551000', trunk: 'carrier' }, { timeoutMs: 5000 });
  await oldCarrier.nextCall();
  await driver.setTrunks([{ name: 'carrier', host: '127.0.0.2', port: newCarrier.port, transport: 'udp' }]);
  t.same(driver.trunks.map((x) => x.port), [newCarrier.port], 'the table has the new destination');

  const second = await driver.originate({ kind: 'number', number: '5552000', trunk: 'carrier' }, { timeoutMs: 5000 });
  const remote = await newCarrier.nextCall();
  t.equal(second.state, 'answered', 'the next call is answered by the new carrier');
  t.equal(oldCarrier.openCalls, 1, 'the old carrier got no second call');
  t.equal(first.state, 'answered', 'the call placed before the change is still up');

  await t.rejects(driver.setTrunks([
    { name: 'x', host: '127.0.0.2', port: 1, transport: 'udp' },
    { name: 'x', host: '127.0.0.2', port: 2, transport: 'udp' },
  ]), /duplicate trunk name x/, 'two trunks of one name are refused');
  t.same(driver.trunks.map((x) => x.name), ['carrier'], 'and the table is unchanged');

  await driver.setTrunks([]);
  await t.rejects(driver.originate({ kind: 'number', number: '5553000', trunk: 'carrier' }, { timeoutMs: 5000 }), /no trunk named carrier/, 'a removed trunk places no calls');
  await remote.hangup();
  await first.hangup('normal');
  await waitUntil(() => driver.stats().activeCalls === 0, 5000, 'idle');
});
