// The test network cut the browser-phone test relies on: while cut, an open connection is
// dropped and a new one gets nothing; restored, connections are carried again.

import t from 'tap';
import http from 'node:http';
import { startCutProxy } from './cut-proxy.js';

t.test('the proxy forwards, drops everything on cut, and carries again once restored', async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url === '/slow') return; // held open: the cut must end it
    res.end('hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const proxy = await startCutProxy(t, { host: '127.0.0.1', port: address.port });

  t.equal(await (await fetch(`${proxy.url}/`)).text(), 'hello', 'forwarded while up');
  const held = fetch(`${proxy.url}/slow`).then(() => 'answered', () => 'dropped');
  await new Promise((r) => setTimeout(r, 100));
  proxy.cut();
  t.equal(await held, 'dropped', 'an open request is dropped by the cut');
  t.equal(await fetch(`${proxy.url}/`).then(() => 'answered', () => 'refused'), 'refused', 'a new one gets nothing while cut');
  proxy.restore();
  t.equal(await (await fetch(`${proxy.url}/`, { headers: { connection: 'close' } })).text(), 'hello', 'carried again once restored');
  server.closeAllConnections();
});
