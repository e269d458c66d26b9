// The database write latency the metrics publish comes from the store's
// observeWrites: a statement on its own and a whole transaction are each
// reported once, with their time, on a real SQLite file; reads are not
// writes; an observer removed hears nothing more.

import path from 'node:path';
import t from 'tap';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import { tempDir } from '../helpers.js';

t.test('observeWrites: statements and transactions, each once, with their duration', async (t) => {
  const db = new SqliteDatabase(path.join(tempDir(t), 'writes.db'));
  t.teardown(() => db.close());
  await db.run('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  const seen: { kind: string; seconds: number }[] = [];
  const stop = db.observeWrites((kind, seconds) => seen.push({ kind, seconds }));

  await db.run('INSERT INTO notes (text) VALUES (?)', ['one']);
  await db.transaction(async (tx) => {
    await tx.run('INSERT INTO notes (text) VALUES (?)', ['two']);
    await tx.run('INSERT INTO notes (text) VALUES (?)', ['three']);
  });
  await db.all('SELECT * FROM notes');
  t.same(seen.map((w) => w.kind), ['statement', 'transaction'], 'one statement, one transaction (its two inserts are not counted apart); the read is not a write');
  for (const w of seen) t.ok(w.seconds > 0 && w.seconds < 5, `${w.kind} took ${w.seconds} s`);

  await t.rejects(db.transaction(async (tx) => {
    await tx.run('INSERT INTO notes (text) VALUES (?)', ['rolled back']);
    throw new Error('changed my mind');
  }));
  t.equal(seen.length, 2, 'a rolled-back transaction wrote nothing: not observed');

  stop();
  await db.run('INSERT INTO notes (text) VALUES (?)', ['four']);
  t.equal(seen.length, 2, 'nothing heard after the observer is removed');
});
