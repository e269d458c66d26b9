// The `tenor` command as a user runs it: a real process, real ports, a new data folder.

import t from 'tap';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, tempDir } from '../helpers.js';
import { runTenor, tenorCli as cli } from './run-tenor.js';

// Several whole-server starts: more than tap's default bound on a busy machine.
t.setTimeout(600_000);

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runTenor(args, { env });

// A bound on how long the server takes to start, not a claim about it: a full
// `tenor start --demo` can take over 20 s on a busy 2-core machine.
function waitForOutput(child: ChildProcessWithoutNullStreams, pattern: RegExp, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(out);
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code} before ${pattern}: ${out}`)));
  });
}

t.test('tenor start: serves health, services and API docs, stops cleanly on SIGTERM', async (t) => {
  const dataDir = path.join(tempDir(t), 'new-folder');
  const httpPort = await freePort();
  const sipPort = await freePort();
  const sipTlsPort = await freePort();
  const child = spawn(process.execPath, [cli, 'start', '--demo'], {
    env: { ...process.env, TENOR_HTTP_PORT: String(httpPort), TENOR_SIP_PORT: String(sipPort), TENOR_SIP_TLS_PORT: String(sipTlsPort), TENOR_DATA_DIR: dataDir, TENOR_LOG_LEVEL: 'warn' },
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const banner = await waitForOutput(child, /Demo:/);
  const base = `http://127.0.0.1:${httpPort}`;
  t.match(banner, `Web:       ${base}/`, 'prints the web address');
  t.match(banner, `API docs:  ${base}/api/docs`, 'prints the API docs address');
  t.match(banner, `SIP:       sip:127.0.0.1:${sipPort}`, 'prints the SIP address');
  t.match(banner, `SIP TLS:   sip:127.0.0.1:${sipTlsPort};transport=tls`, 'prints the SIP-over-TLS address');
  t.match(banner, /user 'admin', password '[A-Za-z0-9_-]{20,}'/, 'prints the generated admin password once');
  t.match(banner, /IVR: +dial \S+/, 'tells which number runs the demo flow');
  const password = /user 'admin', password '([A-Za-z0-9_-]+)'/.exec(banner)?.[1] ?? '';
  const admin = { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` };

  const health = await fetch(`${base}/health`);
  t.equal(health.status, 200);
  t.match(await health.json(), { status: 'ok' });
  t.equal((await fetch(`${base}/api/services`)).status, 401, 'the service list needs an admin');
  const services = (await (await fetch(`${base}/api/services`, { headers: admin })).json()) as { name: string; status: string; dependsOn: string[] }[];
  t.ok(services.length >= 3);
  t.ok(services.every((s) => s.status === 'running' && Array.isArray(s.dependsOn)));
  const doc = (await (await fetch(`${base}/api/docs/json`)).json()) as { openapi: string };
  t.match(doc.openapi, /^3\./);
  const home = await fetch(`${base}/`);
  t.match(await home.text(), /<title>Tenor<\/title>/, 'the web client is served');

  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.kill('SIGTERM');
  t.same(await exited, { code: 0, signal: null }, 'exit code 0 after SIGTERM');

  // A second start on the same folder keeps the data and does not print a new password.
  const again = await run(['migrate'], { TENOR_DATA_DIR: dataDir });
  t.equal(again.code, 0);
  t.match(again.stdout, /database is up to date/);
});

t.test('a bad environment value stops start with a non-zero exit naming the variable', async (t) => {
  const res = await run(['start'], { TENOR_HTTP_PORT: 'abc', TENOR_DATA_DIR: tempDir(t) });
  t.not(res.code, 0);
  t.match(res.stderr, /TENOR_HTTP_PORT: must be a port number from 0 to 65535, got 'abc'/);
});

t.test('check-config names the file line of a mistake, and accepts a good file', async (t) => {
  const dir = tempDir(t);
  const bad = path.join(dir, 'site.yaml');
  writeFileSync(bad, 'queues:\n  - name: sales\n    strategy: fastest\n');
  const res = await run(['check-config', bad]);
  t.equal(res.code, 2);
  t.match(res.stderr, new RegExp(`${bad.replace(/[.]/g, '\\.')}:3:15: /queues/0/strategy`));
  writeFileSync(bad, 'queues:\n  - name: sales\n    strategy: longest-idle\n');
  const good = await run(['check-config', bad]);
  t.equal(good.code, 0);
  t.match(good.stdout, /configuration OK .* 1 queues/);
});

t.test('--help lists the commands and variables; unknown commands fail', async (t) => {
  const help = await run(['--help']);
  t.equal(help.code, 0);
  for (const word of ['tenor start [--demo]', 'tenor migrate', 'tenor check-config', 'TENOR_HTTP_PORT', 'TENOR_DATA_DIR']) t.match(help.stdout, word);
  const bad = await run(['frobnicate']);
  t.not(bad.code, 0);
  t.match(bad.stderr, /unknown command 'frobnicate'/);
});

t.test('check-script: one precise error with line and column per broken script, zero exit on the examples', async (t) => {
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  const examples = ['report-a-fault', 'payment-arrangement', 'sales-lead'].map((n) => path.join(repo, 'scripts-dsl/examples', `${n}.xml`));
  const ok = await run(['check-script', ...examples]);
  t.equal(ok.code, 0, ok.stderr);
  t.equal(ok.stdout.trim().split('\n').length, 3);

  const brokenDir = path.join(repo, 'scripts-dsl/test/fixtures/broken');
  for (const name of readdirSync(brokenDir)) {
    const file = path.join(brokenDir, name);
    const bad = await run(['check-script', file]);
    t.equal(bad.code, 1, `${name} exits 1`);
    const lines = bad.stderr.trim().split('\n');
    t.equal(lines.length, 1, `${name}: one error`);
    t.match(lines[0], new RegExp(`^${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: .+`), `${name}: file:line:column: message`);
  }
});

t.test('the README start command (npm start): SIGTERM to npm stops the server cleanly, exit 0, nothing left running', async (t) => {
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  const httpPort = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: repo,
    env: { ...process.env, TENOR_HTTP_PORT: String(httpPort), TENOR_SIP_PORT: String(await freePort()), TENOR_DATA_DIR: tempDir(t), TENOR_LOG_LEVEL: 'warn' },
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await waitForOutput(child, /Health:/);
  t.equal((await fetch(`http://127.0.0.1:${httpPort}/health`)).status, 200);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'npm exits 0');
  await t.rejects(fetch(`http://127.0.0.1:${httpPort}/health`), 'the server process is gone too');
});
