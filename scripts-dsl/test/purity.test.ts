// The engine must run unchanged in a browser: no module outside src/node
// may use Node's built-ins.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const srcDir = fileURLToPath(new URL('../src/', import.meta.url));

t.test('only src/node/ imports Node built-ins', async (t) => {
  const pure = readdirSync(srcDir).filter((f) => f.endsWith('.ts'));
  t.ok(pure.includes('runtime.ts') && pure.includes('parse.ts') && pure.includes('check.ts'));
  for (const file of pure) {
    const source = readFileSync(srcDir + file, 'utf8');
    t.notMatch(source, /from\s+['"](node:|fs|path|os|url|crypto|buffer)['"/]/, `${file} imports no Node module`);
    t.notMatch(source, /\b(Buffer|process|require)\s*[.(]/, `${file} uses no Node global`);
  }
  t.match(readFileSync(`${srcDir}node/check-file.ts`, 'utf8'), /from 'node:fs\/promises'/, 'file reading lives in src/node');
});
