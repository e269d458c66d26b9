// Attack: read any WAV on disk through the prompt routes. Before,
// `GET /api/prompts/:lang/:name` skipped the name check, so `..%2F..%2Fx`
// (decoded to `../../x` by the router) left the prompts folder and served the
// file. Now language and name are checked on every route before the disk is
// touched, and the resolved path must stay inside the prompts folder.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { basic, seedPeople, startAccessServer } from '../access/harness.js';
import { tempDir } from '../helpers.js';

/** A tiny valid WAV (8 kHz 16-bit mono) whose samples spell a marker we can look for. */
function markedWav(marker: string): Buffer {
  const data = Buffer.from(marker.padEnd(Math.ceil(marker.length / 2) * 2, ' '));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

t.test('prompt routes refuse names that leave the prompts folder, and serve nothing from outside it', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const admin = { authorization: basic('ada', 'ada-password') };
  const marker = 'OUTSIDE-THE-PROMPTS-FOLDER';
  // Beside the prompts folder (in the data folder) and somewhere else entirely.
  await writeFile(path.join(server.config.dataDir, 'private.wav'), markedWav(marker));
  const elsewhere = path.join(tempDir(t), 'elsewhere.wav');
  await writeFile(elsewhere, markedWav(marker));
  const absolute = encodeURIComponent(elsewhere.slice(0, -'.wav'.length));

  const attempts = [
    '/api/prompts/en/..%2F..%2Fprivate',
    '/api/prompts/en/..%2f..%2fprivate',
    '/api/prompts/en/%2E%2E%2F%2E%2E%2Fprivate',
    '/api/prompts/en/..%5C..%5Cprivate',
    `/api/prompts/en/${absolute}`,
    `/api/prompts/en/..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F..${absolute}`,
    '/api/prompts/..%2F..%2Fen/private',
    '/api/prompts/en/private%00',
  ];
  for (const url of attempts) {
    const res = await fetch(`${server.url}${url}`, { headers: admin });
    const body = Buffer.from(await res.arrayBuffer());
    t.equal(res.status, 400, `GET ${url} is refused`);
    t.notOk(body.includes(marker), `GET ${url} served nothing of the file`);
    t.equal(((JSON.parse(body.toString()) as { error: { code: string } }).error.code), 'TENOR_ERR_VALIDATION', `GET ${url}: a coded error`);
  }
  for (const method of ['PUT', 'DELETE']) {
    const init: RequestInit = method === 'PUT'
      ? { method, headers: { ...admin, 'content-type': 'audio/wav' }, body: new Uint8Array(markedWav('x')) }
      : { method, headers: admin };
    const res = await fetch(`${server.url}/api/prompts/en/..%2F..%2Fprivate`, init);
    t.equal(res.status, 400, `${method} with a traversing name is refused`);
  }
  t.equal((await fetch(`${server.url}/api/prompts?language=..%2F..`, { headers: admin })).status, 400, 'the list refuses a traversing language');

  const fine = await fetch(`${server.url}/api/prompts/en/goodbye`, { headers: admin });
  t.equal(fine.status, 200, 'a real prompt name still plays');
  t.equal(fine.headers.get('content-type'), 'audio/wav');

  // Behind the routes too: the library itself refuses such names (a future route cannot forget the check).
  const library = server.services.get('prompts');
  t.throws(() => library.file('../../private', 'en'), { code: 'TENOR_ERR_VALIDATION' }, 'the library refuses a traversing name');
  t.throws(() => library.resolve('../../private', 'en'), { code: 'TENOR_ERR_NOT_FOUND' }, 'and what a call plays never resolves to a file outside');

  const greeting = await fetch(`${server.url}/api/voicemail/boxes/..%2F..%2Fprivate/greeting`, { headers: admin });
  t.not(greeting.status, 200, 'voicemail greeting routes look the box up by name: no file is read for a made-up box');
  t.notOk(Buffer.from(await greeting.arrayBuffer()).includes(marker));
});
