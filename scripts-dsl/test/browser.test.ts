// The same compiled script, driven with the same answers, takes the same
// path and emits the same actions in Node and in the browser bundle running
// in headless Chromium; the bundle also parses and compiles the XML itself.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import t from 'tap';
import { buildBrowserBundle } from '../scripts/bundle.mjs';
import * as engine from '../src/index.js';
import { example, exampleXml } from './helpers/examples.js';

type Op = { answer: unknown } | { back: true } | { next: true } | { resume: true };
interface Scenario {
  name: string;
  script: string;
  context: Record<string, unknown>;
  ops: Op[];
}

const TODAY = '2026-11-24';
const ada = { name: 'Ada Jansen', segment: 'A', phones: ['+31 20 555 0101'], emails: ['ada@example.nl'], custom: { balance: 900, arrears_count: 1 } };
const carl = { name: 'Carl de Vries', segment: 'C', phones: ['+31 6 9876 5432'], emails: [], custom: { balance: 400, arrears_count: 3 } };

const SCENARIOS: Scenario[] = [
  { name: 'fault: danger', script: 'report-a-fault', context: { customer: ada }, ops: [{ answer: 'outage' }, { answer: 'yes' }] },
  {
    name: 'fault: segment C, back, invalid answers, resumed from a snapshot',
    script: 'report-a-fault',
    context: { customer: carl },
    ops: [{ answer: '' }, { answer: 'meter' }, { answer: 'wrong' }, { back: true }, { answer: 'blank' }, { answer: 1e7 }, { answer: '' }, { resume: true }, { answer: 'x' }, { answer: '+31 6 9876 5432' }],
  },
  { name: 'fault: segment A outage', script: 'report-a-fault', context: { customer: ada }, ops: [{ answer: 'outage' }, { answer: false }, { answer: 'no' }, { answer: true }, { answer: '+31 20 555 0101' }] },
  { name: 'payment: referred', script: 'payment-arrangement', context: { customer: carl }, ops: [{ answer: 'income' }] },
  {
    name: 'payment: arranged with e-mail',
    script: 'payment-arrangement',
    context: { customer: ada },
    ops: [{ answer: 'illness' }, { answer: '5' }, { answer: 150 }, { answer: '12' }, { answer: '2026-11-24' }, { answer: '2026-12-15' }, { back: true }, { answer: '2026-12-16' }, { answer: 'yes' }],
  },
  {
    name: 'lead: qualified',
    script: 'sales-lead',
    context: { customer: ada },
    ops: [{ answer: 'yes' }, { answer: 'yes' }, { answer: 'solar' }, { answer: '2026-12-01' }, { answer: 'not-an-address' }, { answer: 'ada@example.nl' }],
  },
  { name: 'lead: tenant', script: 'sales-lead', context: { customer: carl }, ops: [{ answer: true }, { answer: false }, { answer: 'no' }] },
];

/**
 * Drives one scenario and records everything a user could see. It runs
 * both in Node and (as source text) in the page, so it uses only the
 * engine passed in.
 */
function drive(lib: typeof engine, compiled: engine.CompiledScript, scenario: Scenario, today: string): unknown {
  let run = lib.startRun(compiled, scenario.context as engine.RunContext, { today });
  const trace: unknown[] = [run.current()];
  for (const op of scenario.ops) {
    if ('answer' in op) trace.push(run.answer(op.answer));
    else if ('back' in op) trace.push({ back: run.back(), step: run.current() });
    else if ('next' in op) trace.push(run.next());
    else {
      run = lib.restoreRun(compiled, JSON.parse(JSON.stringify(run.snapshot())) as engine.RunSnapshot);
      trace.push({ resumed: run.current().id });
    }
  }
  return { trace, path: run.path(), answers: run.answers(), outcome: run.outcome() ?? null, done: run.done, actions: run.actions(), snapshot: run.snapshot() };
}

const launchArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

t.test('Node and the browser bundle give identical runs', async (t) => {
  const outdir = t.testdir();
  const bundle = await buildBrowserBundle({ outdir });
  const esm = readFileSync(bundle.esm, 'utf8');
  const iife = readFileSync(bundle.iife, 'utf8');
  t.notMatch(esm, /from\s*["']node:|require\(["']node:/, 'the bundle needs nothing from Node');

  const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: launchArgs });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.setContent('<!doctype html><title>scripts</title>');
  await page.addScriptTag({ content: iife });

  const scripts = Object.fromEntries(['report-a-fault', 'payment-arrangement', 'sales-lead'].map((name) => [name, { xml: exampleXml(name), compiled: example(name) }]));
  const inBrowser = await page.evaluate(
    async ({ esm, scripts, scenarios, driveSource, today }) => {
      // The ES module, as a web client would import it.
      const url = URL.createObjectURL(new Blob([esm], { type: 'text/javascript' }));
      const lib = (await import(url)) as typeof engine;
      const driveFn = new Function(`return (${driveSource})`)() as typeof drive;
      const runs = scenarios.map((scenario) => driveFn(lib, scripts[scenario.script]?.compiled as engine.CompiledScript, scenario, today));
      // The browser also compiles the XML itself: the compiled scripts must match the server's.
      const compiledHere = Object.fromEntries(
        Object.entries(scripts).map(([name, { xml }]) => {
          const loaded = lib.loadScript(xml);
          return [name, loaded.ok ? loaded.compiled : loaded.problems];
        }),
      );
      // globalThis is the window here; the test's types are Node's, not the DOM's.
      const globalLib = (globalThis as unknown as { TenorScripts: typeof engine }).TenorScripts;
      const iifeRuns = scenarios.map((scenario) => driveFn(globalLib, scripts[scenario.script]?.compiled as engine.CompiledScript, scenario, today));
      const { userAgent } = (globalThis as unknown as { navigator: { userAgent: string } }).navigator;
      return { runs, iifeRuns, compiledHere, userAgent };
    },
    { esm, scripts, scenarios: SCENARIOS, driveSource: drive.toString(), today: TODAY },
  );
  t.match(inBrowser.userAgent, /HeadlessChrome/);

  SCENARIOS.forEach((scenario, index) => {
    const compiled = scripts[scenario.script]?.compiled as engine.CompiledScript;
    const inNode = drive(engine, compiled, scenario, TODAY);
    t.same(inBrowser.runs[index], inNode, `${scenario.name}: ES module in Chromium = Node`);
    t.same(inBrowser.iifeRuns[index], inNode, `${scenario.name}: IIFE in Chromium = Node`);
  });
  for (const [name, { compiled }] of Object.entries(scripts)) t.same(inBrowser.compiledHere[name], compiled, `${name} compiles the same in the browser`);

  // The scenarios really do diverge: they cover several outcomes.
  const outcomes = SCENARIOS.map((s) => (drive(engine, scripts[s.script]?.compiled as engine.CompiledScript, s, TODAY) as { outcome: string | null }).outcome);
  t.same(outcomes, ['escalated', 'case-created', 'case-created', 'referred', 'arranged', 'qualified', 'not-qualified']);
});
