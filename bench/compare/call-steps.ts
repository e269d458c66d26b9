// Call-rate steps against any SIP server (a B2BUA or a proxy), the same SIPp
// scenario for all: the built-in uac places `rate × stepSeconds` calls, each
// held `holdMs`, to the server, which reaches the built-in uas behind it. A
// step's CPU is the server's process trees from /proc (every thread, every
// worker process) from the first call until the server is quiet again after
// the last one (the drain: timers, retransmission state, transaction cleanup),
// so work a server defers past the call still counts. Each step is bracketed by
// the machine-load readings (machine-load.ts): when others used more than
// `maxOthersCores` of a core the step is refused, not reported.
import { runSipp } from '../../telephony/test/peers/sipp.js';
import { describeShare, othersBetween, readLoad, type OthersShare } from './machine-load.js';

const BUFF = 4 * 1024 * 1024;

export interface CallTarget {
  name: string;
  /** host:port SIPp calls. */
  address: string;
  /** The server's CPU so far, µs, by part (e.g. FreeSWITCH's process and the Tenor process driving it); the total is their sum. */
  cpuUs(): Record<string, number>;
  /** Calls bridged so far, for a B2BUA: a call SIPp saw succeed that was never bridged is a failure SIPp cannot see. */
  bridged?(): Promise<number>;
}

export interface StepFigures {
  rate: number;
  calls: number;
  ok: number;
  failed: number;
  retransmissions: number;
  /** Server CPU per successful call, ms, in total and by part. */
  msPerCall: number;
  partsMsPerCall: Record<string, number>;
  /** Seconds from the last call's end until the server's CPU stopped rising. */
  drainSeconds: number;
  load: OthersShare;
  /** Why the step is not reported (the machine was shared); undefined when it counts. */
  refused: string | undefined;
}

const total = (parts: Record<string, number>): number => Object.values(parts).reduce((s, v) => s + v, 0);

/**
 * Waits until the server's CPU rises by less than `quietShare` of a core over a
 * second (it has finished the work the calls left), for at most `boundMs`.
 */
export async function waitForDrain(cpuUs: () => number, quietShare = 0.02, boundMs = 30_000): Promise<number> {
  const started = performance.now();
  let last = cpuUs();
  while (performance.now() - started < boundMs) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = cpuUs();
    if (now - last < quietShare * 1_000_000) break;
    last = now;
  }
  return (performance.now() - started) / 1000;
}

export interface StepPlan {
  rates: readonly number[];
  stepSeconds: number;
  holdMs: number;
  /** A step where others used more than this share of one core is refused. */
  maxOthersCores: number;
  log(line: string): void;
}

/** Steps up the rate until a step has failed calls; returns every step run. */
export async function runCallSteps(target: CallTarget, plan: StepPlan): Promise<StepFigures[]> {
  const steps: StepFigures[] = [];
  plan.log('rate/s  calls  ok     failed  retrans  drain-s  cpu-ms/call  (by part)                     machine');
  for (const rate of plan.rates) {
    const calls = Math.round(rate * plan.stepSeconds);
    const bridgedBefore = await target.bridged?.();
    const load0 = readLoad();
    const cpu0 = target.cpuUs();
    const r = await runSipp({
      scenario: 'uac', remote: target.address, service: '1000', calls, rate, pauseMs: plan.holdMs,
      limit: Math.max(50, Math.ceil(rate * (2 + plan.holdMs / 1000))), buffSize: BUFF,
      timeoutMs: plan.stepSeconds * 1000 + plan.holdMs + 60_000,
    });
    const drainSeconds = await waitForDrain(() => total(target.cpuUs()));
    const cpu1 = target.cpuUs();
    const load = othersBetween(load0, readLoad());
    const ok = r.stats.successful;
    const bridgedAfter = await target.bridged?.();
    const unbridged = bridgedBefore === undefined || bridgedAfter === undefined ? 0 : Math.max(0, ok - (bridgedAfter - bridgedBefore));
    const failed = (calls - ok) + unbridged;
    const per = (us: number): number => (ok > 0 ? us / 1000 / ok : NaN);
    const partsMsPerCall = Object.fromEntries(Object.keys(cpu1).map((k) => [k, per((cpu1[k] ?? 0) - (cpu0[k] ?? 0))]));
    const refused = load.othersCores > plan.maxOthersCores
      ? `others used ${(load.othersCores * 100).toFixed(1)}% of a core (limit ${(plan.maxOthersCores * 100).toFixed(0)}%)`
      : undefined;
    const step: StepFigures = {
      rate, calls, ok, failed, retransmissions: r.stats.retransmissions, msPerCall: total(partsMsPerCall), partsMsPerCall, drainSeconds, load, refused,
    };
    steps.push(step);
    const parts = Object.entries(partsMsPerCall).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(' + ');
    plan.log(`${String(rate).padEnd(8)}${String(calls).padEnd(7)}${String(ok).padEnd(7)}${String(failed).padEnd(8)}${String(step.retransmissions).padEnd(9)}`
      + `${drainSeconds.toFixed(1).padEnd(9)}${step.msPerCall.toFixed(3).padEnd(13)}${`(${parts})`.padEnd(30)} ${describeShare(load)}${refused ? `  REFUSED: ${refused}` : ''}`);
    if (failed > 0 || r.code !== 0) {
      const aborted = r.errors.split('\n').find((l) => /Aborting|Unexpected|timeout/i.test(l));
      plan.log(`  stopped: SIPp exit ${r.code}; ${unbridged} answered calls ended unbridged; e.g. ${aborted?.trim().slice(0, 200) ?? '-'}`);
      break;
    }
  }
  return steps;
}

/** The highest rate whose step had no failed call and was not refused; 0 when none. */
export function highestCleanRate(steps: readonly StepFigures[]): number {
  return steps.filter((s) => s.failed === 0 && s.refused === undefined).at(-1)?.rate ?? 0;
}
