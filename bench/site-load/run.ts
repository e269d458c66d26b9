// Whole-site load (issue 19, item 4): see site-load.ts for what runs.
//
//   bench/run.sh site-load [agents=180] [ivrCallers=60] [minutes=3] [holdSeconds=60] [--json FILE]
//   BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" bench/run.sh site-load   # profile the server only
//
// Exits 1 when a call failed, a caller was not answered by an agent, an IVR
// caller left the menu, or a record is missing.

import { writeFileSync } from 'node:fs';
import { runSiteLoad, type SiteLoadReport } from './site-load.js';

function parseArgs(argv: string[]): { positional: number[]; json: string | undefined } {
  const positional: number[] = [];
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--json') json = argv[++i];
    else positional.push(Number(a));
  }
  if (positional.some((n) => !Number.isFinite(n) || n < 0)) throw new Error(`usage: bench/run.sh site-load [agents] [ivrCallers] [minutes] [holdSeconds] [--json FILE]`);
  return { positional, json };
}

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '—');

export function describe(r: SiteLoadReport): string {
  const l = r.offerLatency;
  const rows: [string, string][] = [
    ['load average before (1/5/15 min)', r.loadAverageBefore.join(' / ')],
    ['site', `${r.options.agents} agents, ${r.options.ivrCallers} IVR callers, ${r.options.supervisors} supervisors; ${r.options.arrivalsPerSecond.toFixed(2)} callers/s held ${r.options.holdSeconds} s`],
    ['steady window', `${f1(r.windowSeconds)} s`],
    ['server CPU', `${f1(r.cpu.serverPctOfOneCore)} % of one core = ${f1(r.cpu.serverPctOfAll)} % of ${r.cores} cores`],
    ['load generators CPU (SIPp, sockets)', `${f1(r.cpu.loadGeneratorsPctOfAll)} % of ${r.cores} cores`],
    ['machine CPU (/proc/stat, everything)', `${f1(r.cpu.machinePctOfAll)} % of ${r.cores} cores`],
    ['ACD offer latency (ready → INVITE) p50 / p99 / max', `${l.dispatchMs.p50} / ${l.dispatchMs.p99} / ${l.dispatchMs.max} ms over ${l.offers} offers`],
    ['caller queued → INVITE p50 / p99 / max', `${l.queuedToInviteMs.p50} / ${l.queuedToInviteMs.p99} / ${l.queuedToInviteMs.max} ms (${l.waitedForAgent} waited for a free agent)`],
    ['queue calls placed / completed / failed', `${r.calls.placed} / ${r.calls.completed} / ${r.calls.failed}`],
    ['answered by an agent / not', `${r.calls.answeredByAgent} / ${r.calls.notAnswered}`],
    ['agents on calls at peak (bridges)', `${r.peaks.agentsOnCall} of ${r.options.agents} (${r.peaks.bridges})`],
    ['IVR callers placed / stayed / failed; peak in menu', `${r.ivr.placed} / ${r.ivr.stayedToTheEnd} / ${r.ivr.failed}; ${r.ivr.peakInMenu} (flows ended: ${JSON.stringify(r.ivr.ended)})`],
    ['call records written / expected (left open)', `${r.records.written} / ${r.records.expected} (${r.records.leftOpen})`],
    ['RTP into the server: packets, lost', `${r.rtp.packetsReceived}, ${r.rtp.packetsLost} (${r.rtp.lossPct.toFixed(4)} %)`],
    ['RTP jitter (RFC 3550) mean / max', `${r.rtp.jitterMeanMs.toFixed(2)} / ${r.rtp.jitterMaxMs.toFixed(2)} ms`],
    ['server RSS start / peak / end', `${f1(r.rssMiB.start)} / ${f1(r.rssMiB.peak)} / ${f1(r.rssMiB.end)} MiB`],
    ['event-loop delay: worst p99 / max (2 s scrapes)', `${f1(r.eventLoopDelayMs.p99Max)} / ${f1(r.eventLoopDelayMs.max)} ms`],
    ['supervisor events received (min / max)', `${Math.min(...r.supervisors.map((s) => s.events))} / ${Math.max(...r.supervisors.map((s) => s.events))}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const worst = [...r.samples].sort((a, b) => b.loopMaxMs - a.loopMaxMs).slice(0, 3)
    .map((s) => `  at ${s.atS} s: loop p99 ${s.loopP99Ms} / max ${s.loopMaxMs} ms, server ${s.serverPctOfOneCore} % of a core, machine ${s.machinePctOfAll} %, loop thread waiting for a core ${s.loopThreadWaitingPct} %, DB writes ${s.dbWriteMs} ms, ${s.rtpLost} RTP lost`);
  return [...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`), 'worst scrapes (event-loop delay):', ...worst].join('\n');
}

/** The run is clean: no failed call, every caller answered by an agent, IVR callers kept, records all there. */
export function problemsOf(r: SiteLoadReport): string[] {
  const p: string[] = [];
  if (r.calls.failed > 0) p.push(`${r.calls.failed} queue calls failed`);
  if (r.calls.notAnswered > 0) p.push(`${r.calls.notAnswered} queue callers not answered by an agent`);
  if (r.ivr.failed > 0 || r.ivr.stayedToTheEnd < r.options.ivrCallers) p.push(`IVR callers: ${r.ivr.stayedToTheEnd} of ${r.options.ivrCallers} stayed, ${r.ivr.failed} failed`);
  const leftMenu = Object.entries(r.ivr.ended).filter(([how]) => how !== 'caller-hung-up').reduce((n, [, c]) => n + c, 0);
  if (leftMenu > 0) p.push(`${leftMenu} IVR flows ended otherwise than by the caller hanging up`);
  if (r.records.written !== r.records.expected) p.push(`call records: ${r.records.written} written, ${r.records.expected} expected`);
  if (r.records.leftOpen > 0) p.push(`${r.records.leftOpen} call records left open`);
  if (r.supervisors.some((s) => s.closedWith !== undefined)) p.push('a supervisor socket was closed by the server');
  return p;
}

async function main(): Promise<number> {
  const { positional, json } = parseArgs(process.argv.slice(2));
  const [agents = 180, ivrCallers = 60, minutes = 3, holdSeconds = 60] = positional;
  const nodeArgs = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(/\s+/).filter((a) => a !== '');
  const report = await runSiteLoad({ agents, ivrCallers, minutes, holdSeconds, nodeArgs, say: (line) => console.log(line) });
  console.log(`\n${describe(report)}`);
  const problems = problemsOf(report);
  if (report.serverProblems.length > 0) console.log(`\nserver warnings/errors (last ${report.serverProblems.length}):\n${report.serverProblems.slice(-10).join('\n')}`);
  console.log(problems.length === 0 ? '\nclean: 0 failed calls' : `\nNOT CLEAN: ${problems.join('; ')}`);
  if (json) writeFileSync(json, `${JSON.stringify({ ...report, problems }, null, 2)}\n`);
  return problems.length === 0 ? 0 : 1;
}

main()
  .then((code) => (process.exitCode = code))
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
