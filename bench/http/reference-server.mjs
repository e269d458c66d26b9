// The reference the HTTP figures are compared with: bare node:http answering
// each request with one SQLite read (better-sqlite3, a file in WAL mode like
// Tenor's) serialised with JSON.stringify. What any Node server on this
// machine pays at least; Tenor's routes are measured against it.
// Usage: node reference-server.mjs <database file>   (prints "listening <port>")

import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../server/package.json', import.meta.url));
const Database = require('better-sqlite3');

const db = new Database(process.argv[2]);
db.pragma('journal_mode = WAL');
db.exec('CREATE TABLE IF NOT EXISTS agents (login TEXT PRIMARY KEY, name TEXT, state TEXT)');
db.prepare('INSERT OR REPLACE INTO agents VALUES (?, ?, ?)').run('alice', 'Alice Agent', 'logged-out');
const read = db.prepare('SELECT login, name, state FROM agents WHERE login = ?');

const server = createServer((_req, res) => {
  const body = JSON.stringify(read.get('alice'));
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
