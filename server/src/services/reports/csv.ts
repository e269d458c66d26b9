// A report as CSV (RFC 4180): a header row, one line per bucket row, then the
// totals. The first column says which: `bucket`, `agent-total` / `box-total`
// (per agent or box over the whole period) or `total`. Empty cell: no value
// (an average of nothing).

import { agentColumns, type AgentFigures } from './agents.js';
import { callbackColumns } from './callbacks.js';
import { inboundColumns } from './inbound.js';
import type { Report } from './reports.js';
import { voicemailColumns } from './voicemail.js';

type Cell = string | number | null | undefined;

function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (/[",\r\n]/.test(text)) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

function lines(header: readonly string[], rows: readonly Cell[][]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

function pick<T extends object>(figures: T, columns: readonly (keyof T & string)[]): Cell[] {
  const values = new Map<string, unknown>(Object.entries(figures));
  return columns.map((c) => {
    const v = values.get(c);
    return typeof v === 'number' || typeof v === 'string' || v === null ? v : undefined;
  });
}

/** The quality report (services/quality) writes its CSV the same way. */
export const csvLines = lines;

export function reportCsv(report: Report): string {
  const { from, to } = report.period;
  switch (report.report) {
    case 'inbound':
      return lines(['row', 'start', 'end', ...inboundColumns], [
        ...report.rows.map((r) => ['bucket', r.start, r.end, ...pick(r, inboundColumns)]),
        ['total', from, to, ...pick(report.total, inboundColumns)],
      ]);
    case 'callbacks':
      return lines(['row', 'start', 'end', ...callbackColumns], [
        ...report.rows.map((r) => ['bucket', r.start, r.end, ...pick(r, callbackColumns)]),
        ['total', from, to, ...pick(report.total, callbackColumns)],
      ]);
    case 'voicemail':
      return lines(['row', 'start', 'end', 'box', ...voicemailColumns], [
        ...report.rows.map((r) => ['bucket', r.start, r.end, r.box, ...pick(r, voicemailColumns)]),
        ...report.byBox.map((b) => ['box-total', from, to, b.box, ...pick(b, voicemailColumns)]),
        ['total', from, to, '', ...pick(report.total, voicemailColumns)],
      ]);
    case 'agents': {
      // Break reasons become columns: the union of the reasons in the report, in order.
      const reasons = Object.keys(report.total.breakByReason).sort((a, b) => a.localeCompare(b));
      const breaks = (f: AgentFigures): Cell[] => reasons.map((r) => f.breakByReason[r] ?? 0);
      return lines(['row', 'start', 'end', 'agent', ...agentColumns, ...reasons.map((r) => `break:${r}`)], [
        ...report.rows.map((r) => ['bucket', r.start, r.end, r.agent, ...pick(r, agentColumns), ...breaks(r)]),
        ...report.byAgent.map((a) => ['agent-total', from, to, a.agent, ...pick(a, agentColumns), ...breaks(a)]),
        ['total', from, to, '', ...pick(report.total, agentColumns), ...breaks(report.total)],
      ]);
    }
  }
}
