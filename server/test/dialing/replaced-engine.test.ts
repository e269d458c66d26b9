// A telephony engine loaded by an admin from a module (POST
// /api/services/telephony/replace) dials through the same dialing policy as
// the built-in one: the services keep their handle on `telephony`, and a
// premium-rate number never reaches the new engine's originate, while an
// ordinary number does. The stand-in engine writes each target it is asked
// to dial into a file the test reads.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { DialingRefusedError } from '../../src/services/dialing/guard.js';
import { ADMIN_AUTH, startTestApp, tempDir, testConfig } from '../helpers.js';

const ENGINE = `
import { EventEmitter } from 'node:events';
import { appendFileSync } from 'node:fs';
export default (options) => ({
  name: 'telephony',
  version: '2.0.0',
  start() {
    const engine = new EventEmitter();
    Object.assign(engine, {
      name: 'stand-in',
      async start() {},
      refuseNewCalls() {},
      async stop() {},
      stats: () => ({ activeCalls: 0, activeBridges: 0, resources: {} }),
      async originate(target) {
        appendFileSync(options.file, JSON.stringify(target) + '\\n');
        throw new Error('the stand-in engine reaches no network');
      },
      async bridge() { throw new Error('not here'); },
      async monitor() { throw new Error('not here'); },
    });
    return engine;
  },
});
`;

t.test('a telephony service replaced through the API dials through the dialing policy too', async (t) => {
  const dir = tempDir(t, 'tenor-dialing-');
  writeFileSync(path.join(dir, 'site.yaml'), JSON.stringify({ trunks: [{ name: 'carrier', host: '127.0.0.1', port: 9 }] }));
  writeFileSync(path.join(dir, 'stand-in-engine.mjs'), ENGINE);
  const dialedFile = path.join(dir, 'dialed.jsonl');
  const { app, services } = await startTestApp(t, { config: testConfig(t, { TENOR_CONFIG: path.join(dir, 'site.yaml') }) });
  const telephony = services.get('telephony'); // held before the replace, like every service holds it

  const replaced = await app.inject({ method: 'POST', url: '/api/services/telephony/replace', headers: ADMIN_AUTH, payload: { module: 'stand-in-engine.mjs', options: { file: dialedFile } } });
  t.equal(replaced.statusCode, 200, replaced.body);
  t.equal(telephony.name, 'stand-in', 'the handle reaches the new engine');

  const premium = await telephony.originate({ kind: 'number', number: '+19005551234', trunk: 'carrier' }).then(() => undefined, (err: unknown) => err);
  t.ok(premium instanceof DialingRefusedError, 'a premium-rate number is refused before the new engine sees it');
  t.notOk(existsSync(dialedFile), 'the new engine was asked to dial nothing');

  const ordinary = await telephony.originate({ kind: 'number', number: '+12125551234', trunk: 'carrier' }).then(() => undefined, (err: unknown) => err);
  t.match(ordinary, { message: /stand-in engine reaches no network/ }, 'an ordinary number reaches the new engine');
  t.same(readFileSync(dialedFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown), [{ kind: 'number', number: '+12125551234', trunk: 'carrier' }]);
});
