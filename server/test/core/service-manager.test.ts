import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ServiceManager, defineService } from '../../src/core/service-manager.js';
import { isTenorError, type TenorErrorCode } from '../../src/core/errors.js';
import { silentLogger, sleep, tempDir } from '../helpers.js';

function manager(opts: Partial<ConstructorParameters<typeof ServiceManager>[0]> = {}): ServiceManager {
  return new ServiceManager({ logger: silentLogger, ...opts });
}

async function rejectsWithCode(t: Test, promise: Promise<unknown> | (() => unknown), code: TenorErrorCode): Promise<void> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
    t.fail(`expected ${code}`);
  } catch (err) {
    t.ok(isTenorError(err, code), `fails with ${code}`);
  }
}

t.test('starts services in dependency order and stops them in reverse', async (t) => {
  const events: string[] = [];
  const sm = manager();
  const svc = (name: string, dependsOn: string[] = []) =>
    defineService({
      name,
      dependsOn,
      start: async () => {
        await sleep(5);
        events.push(`start ${name}`);
        return { name };
      },
      stop: () => {
        events.push(`stop ${name}`);
      },
    });
  // Registered in an order that is not the dependency order.
  sm.register(svc('acd', ['telephony', 'store']));
  sm.register(svc('telephony', ['store']));
  sm.register(svc('store'));
  sm.register(svc('monitor', ['acd']));
  await sm.startAll();
  t.same(events, ['start store', 'start telephony', 'start acd', 'start monitor']);
  t.same(sm.startOrder(), ['store', 'telephony', 'acd', 'monitor']);
  await sm.stopAll();
  t.same(events.slice(4), ['stop monitor', 'stop acd', 'stop telephony', 'stop store']);
  const statuses = (await sm.list()).map((s) => s.status);
  t.same(statuses, ['stopped', 'stopped', 'stopped', 'stopped']);
});

t.test('fails at boot with coded errors', async (t) => {
  await t.test('duplicate name', async (t) => {
    const sm = manager();
    sm.register(defineService({ name: 'store', start: () => ({}) }));
    await rejectsWithCode(t, () => sm.register(defineService({ name: 'store', start: () => ({}) })), 'TENOR_ERR_SERVICE_DUPLICATE');
  });
  await t.test('missing dependency', async (t) => {
    const sm = manager();
    sm.register(defineService({ name: 'acd', dependsOn: ['telephony'], start: () => ({}) }));
    await rejectsWithCode(t, sm.startAll(), 'TENOR_ERR_SERVICE_MISSING_DEPENDENCY');
  });
  await t.test('cycle, named in the message', async (t) => {
    const sm = manager();
    sm.register(defineService({ name: 'a', dependsOn: ['b'], start: () => ({}) }));
    sm.register(defineService({ name: 'b', dependsOn: ['c'], start: () => ({}) }));
    sm.register(defineService({ name: 'c', dependsOn: ['a'], start: () => ({}) }));
    try {
      await sm.startAll();
      t.fail('should fail');
    } catch (err) {
      t.ok(isTenorError(err, 'TENOR_ERR_SERVICE_CYCLE'));
      t.match((err as Error).message, /a -> b -> c -> a/);
    }
  });
  await t.test('a start that never finishes', async (t) => {
    const sm = manager({ startTimeoutMs: 100 });
    let stopped = false;
    sm.register(defineService({ name: 'store', start: () => ({}), stop: () => void (stopped = true) }));
    sm.register(defineService({ name: 'stuck', dependsOn: ['store'], start: () => new Promise<object>(() => undefined) }));
    await rejectsWithCode(t, sm.startAll(), 'TENOR_ERR_SERVICE_START_TIMEOUT');
    t.ok(stopped, 'services already started are stopped again');
    t.equal((await sm.list()).find((s) => s.name === 'stuck')?.status, 'failed');
  });
  await t.test('a start that throws', async (t) => {
    const sm = manager();
    sm.register(defineService({ name: 'broken', start: () => { throw new Error('no database'); } }));
    await rejectsWithCode(t, sm.startAll(), 'TENOR_ERR_SERVICE_START_FAILED');
  });
});

t.test('get: a coded error for an unknown service, never undefined', async (t) => {
  const sm = manager();
  await rejectsWithCode(t, () => sm.get('nope'), 'TENOR_ERR_SERVICE_NOT_FOUND');
  sm.register(defineService({ name: 'clock', start: () => ({ now: () => 42 }) }));
  const clock = sm.get<{ now(): number }>('clock');
  await rejectsWithCode(t, () => clock.now(), 'TENOR_ERR_SERVICE_NOT_RUNNING');
  await sm.startAll();
  t.equal(clock.now(), 42, 'a handle taken before start works once started');
  await sm.stopAll();
});

t.test('replaces a service while another component calls it in a loop, with no failed call', async (t) => {
  interface Greeter {
    greet(name: string): Promise<string>;
  }
  const sm = manager();
  const versionOf = (version: string, log: string[]) =>
    defineService<Greeter>({
      name: 'greeter',
      version,
      start: () => {
        let stopped = false;
        let inflight = 0;
        return {
          async greet(name) {
            if (stopped) throw new Error(`greeter ${version} used after stop`);
            inflight++;
            await sleep(3);
            inflight--;
            if (stopped) throw new Error(`greeter ${version} stopped during a call`);
            return `${version}: hello ${name}`;
          },
          // Not part of Greeter; used by stop below.
          get inflight() {
            return inflight;
          },
          stop() {
            stopped = true;
          },
        } as Greeter;
      },
      stop: (instance) => {
        log.push(`stop ${version} with ${(instance as unknown as { inflight: number }).inflight} in flight`);
        (instance as unknown as { stop(): void }).stop();
      },
    });
  const log: string[] = [];
  sm.register(versionOf('1.0.0', log));
  sm.register(defineService({ name: 'caller', dependsOn: ['greeter'], start: (ctx) => ({ greeter: ctx.get<Greeter>('greeter') }) }));
  await sm.startAll();
  const greeter = sm.get<{ greeter: Greeter }>('caller').greeter;

  const answers: string[] = [];
  const failures: unknown[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      // several calls in flight at once, like concurrent requests
      const batch = await Promise.allSettled([greeter.greet('a'), greeter.greet('b'), greeter.greet('c')]);
      for (const r of batch) r.status === 'fulfilled' ? answers.push(r.value) : failures.push(r.reason);
    }
  })();
  await sleep(40);
  await sm.replace('greeter', versionOf('2.0.0', log));
  await sleep(40);
  running = false;
  await loop;
  await sm.stopAll();

  t.same(failures, [], 'no call failed');
  t.ok(answers.some((a) => a.startsWith('1.0.0')), 'the old version served before');
  t.ok(answers.at(-1)?.startsWith('2.0.0'), 'the new version serves after');
  const firstNew = answers.findIndex((a) => a.startsWith('2.0.0'));
  t.notOk(answers.slice(firstNew).some((a) => a.startsWith('1.0.0')), 'once switched, callers never go back');
  t.equal(log[0], 'stop 1.0.0 with 0 in flight', 'the old version was drained before it stopped');
  t.equal((await sm.list()).find((s) => s.name === 'greeter')?.version, '2.0.0');
});

t.test('a replacement that fails to start leaves the old version serving', async (t) => {
  const sm = manager();
  sm.register(defineService({ name: 'crm', version: '1', start: () => ({ find: () => 'old' }) }));
  await sm.startAll();
  const crm = sm.get<{ find(): string }>('crm');
  await rejectsWithCode(
    t,
    sm.replace('crm', defineService({ name: 'crm', version: '2', start: () => { throw new Error('cannot connect'); } })),
    'TENOR_ERR_SERVICE_REPLACE_FAILED',
  );
  t.equal(crm.find(), 'old');
  await sm.stopAll();
});

t.test('a replaced service: dependents give the new version what they gave the old one (whenReplaced)', async (t) => {
  const sm = manager();
  // A bus whose subscribers belong to one version; the listener subscribes once at start.
  const bus = (version: string) => defineService({
    name: 'bus', version,
    start: () => {
      const handlers: ((m: string) => void)[] = [];
      return { subscribe: (h: (m: string) => void) => void handlers.push(h), publish: (m: string) => handlers.forEach((h) => h(m)), subscribers: () => handlers.length };
    },
  });
  type Bus = { subscribe(h: (m: string) => void): void; publish(m: string): void; subscribers(): number };
  const heard: string[] = [];
  sm.register(bus('1'));
  sm.register(defineService({
    name: 'listener', dependsOn: ['bus'],
    start: (ctx) => {
      const b = ctx.get<Bus>('bus');
      const onMessage = (m: string): void => void heard.push(m);
      b.subscribe(onMessage);
      ctx.whenReplaced('bus', () => b.subscribe(onMessage));
      return {};
    },
  }));
  const outside: string[] = [];
  const cancel = sm.whenReplaced('bus', () => void outside.push('rewired'));
  await sm.startAll();
  const handle = sm.get<Bus>('bus');
  handle.publish('before');
  await sm.replace('bus', bus('2'));
  t.equal(handle.subscribers(), 1, 'the new version has the listener');
  handle.publish('after');
  t.same(heard, ['before', 'after'], 'messages on the new version reach the listener');
  t.same(outside, ['rewired'], 'code outside the services is told too');
  cancel();
  await sm.reload('bus');
  t.same(outside, ['rewired'], 'until it cancels');
  await sm.stopAll();
});

t.test('stopBeforeReplace: the old version drains and stops before the new one starts; a failed start brings the old one back', async (t) => {
  const sm = manager();
  const steps: string[] = [];
  const port = (version: string, fails = false) => defineService({
    name: 'port', version, stopBeforeReplace: true,
    start: () => {
      if (fails) throw new Error('cannot bind');
      steps.push(`start ${version}`);
      return { version: () => version };
    },
    drain: () => void steps.push(`drain ${version}`),
    stop: () => void steps.push(`stop ${version}`),
  });
  sm.register(port('1'));
  await sm.startAll();
  const handle = sm.get<{ version(): string }>('port');
  await sm.replace('port', port('2'));
  t.same(steps, ['start 1', 'drain 1', 'stop 1', 'start 2'], 'one version at a time');
  t.equal(handle.version(), '2');
  steps.length = 0;
  await rejectsWithCode(t, sm.replace('port', port('3', true)), 'TENOR_ERR_SERVICE_REPLACE_FAILED');
  t.same(steps, ['drain 2', 'stop 2', 'start 2'], 'the old definition started again');
  t.equal(handle.version(), '2', 'and serves');
  await sm.stopAll();
});

t.test('loads a service from a module path, and adds one at run time', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'legacy-crm.mjs');
  writeFileSync(
    file,
    `export default (options) => ({
       name: 'legacy-crm',
       version: '0.9.0',
       dependsOn: ['store'],
       start: (ctx) => ({ lookup: (phone) => options.customers[phone] ?? null, storeName: ctx.get('store').name }),
     });\n`,
  );
  const sm = manager();
  sm.register(defineService({ name: 'store', start: () => ({ name: 'sqlite' }) }));
  await sm.startAll();
  const def = await ServiceManager.loadDefinition('legacy-crm.mjs', { customers: { '+4930123': 'Ada' } }, dir);
  await sm.add(def, file);
  const crm = sm.get<{ lookup(p: string): string | null; storeName: string }>('legacy-crm');
  t.equal(crm.lookup('+4930123'), 'Ada');
  t.equal(crm.storeName, 'sqlite', 'it reached its dependency through the manager');
  const info = (await sm.list()).find((s) => s.name === 'legacy-crm');
  t.same([info?.status, info?.version, info?.origin], ['running', '0.9.0', file]);

  writeFileSync(path.join(dir, 'bad.mjs'), 'export default 42;\n');
  await rejectsWithCode(t, ServiceManager.loadDefinition('bad.mjs', undefined, dir), 'TENOR_ERR_SERVICE_MODULE_INVALID');
  await rejectsWithCode(t, ServiceManager.loadDefinition('missing.mjs', undefined, dir), 'TENOR_ERR_SERVICE_MODULE_INVALID');
  await sm.stopAll();
});

t.test('health: reported per service, a failing check is down', async (t) => {
  const sm = manager({ healthTimeoutMs: 50 });
  sm.register(defineService({ name: 'ok', start: () => ({}) }));
  sm.register(defineService({ name: 'sick', start: () => ({}), health: () => ({ status: 'degraded', detail: 'trunk down' }) }));
  sm.register(defineService({ name: 'hung', start: () => ({}), health: () => new Promise(() => undefined) }));
  sm.register(defineService({ name: 'throws', start: () => ({}), health: () => { throw new Error('boom'); } }));
  await sm.startAll();
  const health = Object.fromEntries((await sm.list()).map((s) => [s.name, s.health]));
  t.same(health, {
    ok: { status: 'ok' },
    sick: { status: 'degraded', detail: 'trunk down' },
    hung: { status: 'down', detail: 'health check timed out' },
    throws: { status: 'down', detail: 'boom' },
  });
  await sm.stopAll();
});
