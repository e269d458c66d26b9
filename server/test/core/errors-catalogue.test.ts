import t from 'tap';
import { readFileSync } from 'node:fs';
import { errorCatalogue, TenorError, type TenorErrorCode } from '../../src/core/errors.js';

const doc = readFileSync(new URL('../../../docs/reference/errors.md', import.meta.url), 'utf8');
const documented = new Map<string, number>();
for (const match of doc.matchAll(/^\|\s*`(TENOR_ERR_[A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)) {
  documented.set(match[1] ?? '', Number(match[2]));
}

t.test('every code in the catalogue is documented with its status', async (t) => {
  for (const [code, entry] of Object.entries(errorCatalogue)) {
    t.equal(documented.get(code), entry.status, `${code} documented as ${entry.status}`);
  }
});

t.test('every documented code exists in the catalogue', async (t) => {
  for (const code of documented.keys()) t.ok(code in errorCatalogue, `${code} is in errors.ts`);
  t.equal(documented.size, Object.keys(errorCatalogue).length);
});

t.test('errors format their message and carry code and status', async (t) => {
  const err = new TenorError('TENOR_ERR_SERVICE_MISSING_DEPENDENCY', ['acd', 'telephony']);
  t.equal(err.message, "Service 'acd' depends on 'telephony', which is not registered");
  t.equal(err.status, 500);
  t.equal(err.code satisfies TenorErrorCode, 'TENOR_ERR_SERVICE_MISSING_DEPENDENCY');
});
