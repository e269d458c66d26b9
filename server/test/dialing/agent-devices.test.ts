// Agents' home phones and persistent lines are outbound calls through the
// trunk like any other: an admin cannot give an agent a premium-rate or (on a
// US site) an international number as their device; an ordinary one is saved.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ADMIN_AUTH, startTestApp, tempDir, testConfig } from '../helpers.js';

t.test('an agent device number must be one the site dials', async (t) => {
  const dir = tempDir(t, 'tenor-dialing-');
  writeFileSync(path.join(dir, 'site.yaml'), JSON.stringify({ trunks: [{ name: 'carrier', host: '127.0.0.1', port: 9 }], queues: [{ name: 'sales' }] }));
  const { app } = await startTestApp(t, { config: testConfig(t, { TENOR_CONFIG: path.join(dir, 'site.yaml') }) });
  const save = async (device: Record<string, unknown>) => {
    const res = await app.inject({ method: 'PUT', url: '/api/agents/bob', headers: ADMIN_AUTH, payload: { name: 'Bob', device, queues: [{ queue: 'sales' }] } });
    return { status: res.statusCode, code: res.statusCode === 200 ? undefined : (JSON.parse(res.body) as { error: { code: string } }).error.code };
  };
  t.same(await save({ type: 'external', number: '+19005551234', trunk: 'carrier' }), { status: 403, code: 'TENOR_ERR_DIALING_REFUSED' }, 'a premium-rate home phone is refused');
  t.same(await save({ type: 'persistent', number: '+442079460000' }), { status: 403, code: 'TENOR_ERR_DIALING_REFUSED' }, 'an international persistent line is refused on a US site');
  t.same(await save({ type: 'external', number: '+12125551234', trunk: 'carrier' }), { status: 200, code: undefined }, 'a US home phone is saved');
  const bob = JSON.parse((await app.inject({ method: 'GET', url: '/api/agents/bob', headers: ADMIN_AUTH })).body) as { device: unknown };
  t.match(bob.device, { type: 'external', number: '+12125551234' }, 'and kept');
});
