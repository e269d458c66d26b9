import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConfigProblem } from '../../src/config/load.js';
import { loadConfig } from '../../src/services/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { tempDir } from '../helpers.js';

function problemsOf(env: NodeJS.ProcessEnv, cwd = '/tmp'): ConfigProblem[] {
  try {
    loadConfig(env, cwd);
  } catch (err) {
    if (isTenorError(err, 'TENOR_ERR_CONFIG_INVALID')) return err.details as ConfigProblem[];
    throw err;
  }
  return [];
}

t.test('defaults with an empty environment', async (t) => {
  const c = loadConfig({}, '/srv/tenor');
  t.equal(c.http.port, 8080);
  t.equal(c.sip.port, 5060);
  t.equal(c.http.bind, '0.0.0.0');
  t.equal(c.sip.publicAddress, '127.0.0.1');
  t.same(c.rtp, { portMin: 20000, portMax: 20999 });
  t.equal(c.dataDir, '/srv/tenor/data');
  t.equal(c.logLevel, 'info');
  t.equal(c.adminPassword, undefined);
});

t.test('environment variables are read and typed', async (t) => {
  const c = loadConfig(
    {
      TENOR_HTTP_PORT: '9000',
      TENOR_SIP_PORT: '5080',
      TENOR_BIND: '127.0.0.1',
      TENOR_PUBLIC_ADDRESS: 'pbx.example.com',
      TENOR_RTP_PORT_MIN: '30000',
      TENOR_RTP_PORT_MAX: '30100',
      TENOR_DATA_DIR: '/var/lib/tenor',
      TENOR_LOG_LEVEL: 'debug',
      TENOR_ADMIN_PASSWORD: 's3cret!-long-pw',
    },
    '/',
  );
  t.same(
    [c.http.port, c.sip.port, c.http.bind, c.sip.bind, c.sip.publicAddress, c.rtp.portMin, c.rtp.portMax, c.dataDir, c.logLevel, c.adminPassword],
    [9000, 5080, '127.0.0.1', '127.0.0.1', 'pbx.example.com', 30000, 30100, '/var/lib/tenor', 'debug', 's3cret!-long-pw'],
  );
});

t.test('a bad value names the variable and what is wrong', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['TENOR_HTTP_PORT', 'abc', /port number .* got 'abc'/],
    ['TENOR_HTTP_PORT', '70000', /from 0 to 65535/],
    ['TENOR_SIP_PORT', '-1', /port number/],
    ['TENOR_RTP_PORT_MIN', '80', /from 1024/],
    ['TENOR_LOG_LEVEL', 'loud', /one of fatal, error/],
    ['TENOR_BIND', 'not an ip', /IPv4 or IPv6/],
  ];
  for (const [name, value, message] of cases) {
    const problems = problemsOf({ [name]: value });
    t.equal(problems[0]?.source, name, `${name}=${value} is named`);
    t.match(problems[0]?.message, message);
  }
  const both = problemsOf({ TENOR_RTP_PORT_MIN: '30000', TENOR_RTP_PORT_MAX: '20000' });
  t.equal(both[0]?.source, 'TENOR_RTP_PORT_MIN');
  t.match(both[0]?.message, /not be above the RTP port maximum/);
  t.equal(problemsOf({ TENOR_HTTP_PORT: 'x', TENOR_SIP_PORT: 'y' }).length, 2, 'every problem is reported at once');
});

t.test('the YAML site file: read, overridden by the environment, errors with file and line', async (t) => {
  const dir = tempDir(t);
  const good = path.join(dir, 'site.yaml');
  writeFileSync(
    good,
    [
      'http:',
      '  port: 8081',
      'sip:',
      '  publicAddress: 192.0.2.10',
      'trunks:',
      '  - name: carrier',
      '    host: sip.carrier.example',
      '    username: acme',
      '    password: pw',
      'queues:',
      '  - name: sales',
      '    strategy: longest-idle',
      'agents:',
      '  - login: alice',
      '    name: Alice',
      '    device: { type: external, number: "+15551230001", trunk: carrier }',
      '    skills: { english: 8 }',
      '    queues: [{ queue: sales }]',
      'flows:',
      '  - name: main',
      '    file: flows/main.yaml',
      'entryNumbers:',
      '  - number: "+15550100"',
      '    flow: main',
      '',
    ].join('\n'),
  );
  const c = loadConfig({ TENOR_CONFIG: 'site.yaml', TENOR_SIP_PORT: '5070' }, dir);
  t.equal(c.http.port, 8081, 'from the file');
  t.equal(c.sip.port, 5070, 'from the environment');
  t.equal(c.sip.publicAddress, '192.0.2.10');
  t.equal(c.site.trunks[0]?.host, 'sip.carrier.example');
  t.equal(c.site.agents[0]?.skills?.['english'], 8);
  t.equal(c.baseDir, dir, 'module and flow paths resolve against the file folder');
  t.equal(loadConfig({ TENOR_CONFIG: 'site.yaml', TENOR_HTTP_PORT: '9999' }, dir).http.port, 9999, 'the environment wins');

  const bad = path.join(dir, 'bad.yaml');
  writeFileSync(bad, ['http:', '  port: 8081', 'trunks:', '  - name: carrier', '    host: sip.example', '    port: seventy', ''].join('\n'));
  const [p] = problemsOf({ TENOR_CONFIG: bad });
  t.equal(p?.source, `${bad}:6:11`, 'points at the line and column of the bad value');
  t.match(p?.message, /\/trunks\/0\/port/);

  writeFileSync(bad, ['http:', '  port: 8081', '  prot: 1', ''].join('\n'));
  const [typo] = problemsOf({ TENOR_CONFIG: bad });
  t.match(typo?.source, /bad\.yaml:\d+:\d+$/);
  t.match(typo?.message, /additional properties|Unexpected property/i, 'an unknown key is refused, not ignored');

  writeFileSync(bad, ['http:', '  port: [1', ''].join('\n'));
  t.match(problemsOf({ TENOR_CONFIG: bad })[0]?.source, /bad\.yaml:\d+:\d+$/, 'YAML syntax errors carry the position');

  writeFileSync(bad, ['agents:', '  - login: bob', '    name: Bob', '    queues: [{ queue: nowhere }]', ''].join('\n'));
  t.match(problemsOf({ TENOR_CONFIG: bad })[0]?.message, /queue 'nowhere', which is not declared/);

  t.equal(problemsOf({ TENOR_CONFIG: path.join(dir, 'missing.yaml') })[0]?.source, 'TENOR_CONFIG');
});
