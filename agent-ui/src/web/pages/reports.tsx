// Reports: inbound calls, agent availability and quality scores for a period, interval and
// queue, as a table, an SVG bar chart and a CSV download (the same URL with format=csv).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { duration, errorText, percent } from '../format.js';
import { BarChart } from './bar-chart.js';
import type { AgentsReport, InboundReport, QualityReport } from '../wire.js';

type ReportName = 'inbound' | 'agents' | 'quality';
type Report = InboundReport | AgentsReport | QualityReport;

const intervals = ['15m', '30m', '60m', 'day', 'week'] as const;
const periods = [['today', 'periodToday'], ['yesterday', 'periodYesterday'], ['last-7-days', 'periodLast7']] as const;

export function ReportsPage() {
  const { t, lang } = useI18n();
  const [report, setReport] = useState<ReportName>('inbound');
  const [period, setPeriod] = useState('today');
  const [interval, setIntervalName] = useState('60m');
  const [queue, setQueue] = useState('');
  const [queues, setQueues] = useState<string[]>([]);
  const [data, setData] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);

  const query = `period=${period}&interval=${interval}${queue ? `&queue=${encodeURIComponent(queue)}` : ''}`;
  const url = `/api/reports/${report}?${query}`;
  const load = (): void => {
    setError(null);
    api.get<Report>(url).then(setData, (err: unknown) => { setData(null); setError(errorText(err)); });
  };
  useEffect(() => { api.get<Array<{ name: string }>>('/api/queues').then((qs) => setQueues(qs.map((q) => q.name)), () => setQueues([])); }, []);
  useEffect(load, [url]);

  const time = (iso: string): string => new Date(iso).toLocaleString(lang, interval === 'day' || interval === 'week' ? { dateStyle: 'short' } : { hour: '2-digit', minute: '2-digit' });

  return (
    <div class="reports">
      <form class="card row filters" onSubmit={(e) => { e.preventDefault(); load(); }}>
        <label>{t('report')} <select id="report-name" value={report} onChange={(e) => setReport(e.currentTarget.value as ReportName)}>
          <option value="inbound">{t('reportInbound')}</option><option value="agents">{t('reportAgents')}</option>
          <option value="quality">{t('reportQuality')}</option>
        </select></label>
        <label>{t('period')} <select id="report-period" value={period} onChange={(e) => setPeriod(e.currentTarget.value)}>
          {periods.map(([p, key]) => <option value={p}>{t(key)}</option>)}
        </select></label>
        <label>{t('interval')} <select id="report-interval" value={interval} onChange={(e) => setIntervalName(e.currentTarget.value)}>
          {intervals.map((i) => <option value={i}>{i}</option>)}
        </select></label>
        <label>{t('queue')} <select id="report-queue" value={queue} onChange={(e) => setQueue(e.currentTarget.value)}>
          <option value="">{t('allQueues')}</option>{queues.map((q) => <option value={q}>{q}</option>)}
        </select></label>
        <button type="submit">{t('show')}</button>
        <a id="report-csv" href={`${url}&format=csv`} download>{t('downloadCsv')}</a>
      </form>
      {error && <p class="error">{t('error', { message: error })}</p>}
      {data && report === 'inbound' && data.report === 'inbound' && <InboundView rows={data.rows} total={data.total} time={time} />}
      {data && report === 'agents' && data.report === 'agents' && <AgentsView byAgent={data.byAgent} />}
      {data && report === 'quality' && data.report === 'quality' && <QualityView report={data} time={time} />}
      {data && data.notes.map((n) => <p class="muted">{n}</p>)}
    </div>
  );
}

function InboundView(props: { rows: InboundReport['rows']; total: InboundReport['total']; time(iso: string): string }) {
  const { t } = useI18n();
  return (
    <section class="card">
      <BarChart labels={props.rows.map((r) => props.time(r.start))} series={[
        { label: t('offered'), color: '#6b8fd6', values: props.rows.map((r) => r.offered) },
        { label: t('answered'), color: '#3fa66b', values: props.rows.map((r) => r.answered) },
        { label: t('abandoned'), color: '#d9674c', values: props.rows.map((r) => r.abandoned) },
      ]} />
      <table id="report-table">
        <thead><tr><th>{t('bucket')}</th><th>{t('offered')}</th><th>{t('answered')}</th><th>{t('abandoned')}</th><th>{t('serviceLevel')}</th><th>{t('asa')}</th></tr></thead>
        <tbody>
          {props.rows.filter((r) => r.offered > 0).map((r) => (
            <tr><td>{props.time(r.start)}</td><td>{r.offered}</td><td>{r.answered}</td><td>{r.abandoned}</td><td>{percent(r.serviceLevelPercent)}</td><td>{duration(r.avgSpeedOfAnswerSeconds)}</td></tr>
          ))}
        </tbody>
        <tfoot>
          <tr><th>{t('total')}</th><th id="total-offered">{props.total['offered'] ?? 0}</th><th id="total-answered">{props.total['answered'] ?? 0}</th><th>{props.total['abandoned'] ?? 0}</th><th>{percent(props.total['serviceLevelPercent'])}</th><th>{duration(props.total['avgSpeedOfAnswerSeconds'])}</th></tr>
        </tfoot>
      </table>
    </section>
  );
}

function AgentsView(props: { byAgent: AgentsReport['byAgent'] }) {
  const { t } = useI18n();
  const minutes = (s: number): number => Math.round(s / 60);
  return (
    <section class="card">
      <BarChart labels={props.byAgent.map((a) => a.agent)} series={[
        { label: t('readyTime'), color: '#3fa66b', values: props.byAgent.map((a) => minutes(a.readySeconds)) },
        { label: t('onCallTime'), color: '#6b8fd6', values: props.byAgent.map((a) => minutes(a.onCallSeconds)) },
        { label: t('breakTime'), color: '#d9a24c', values: props.byAgent.map((a) => minutes(a.breakSeconds)) },
      ]} />
      <table id="report-table">
        <thead><tr><th>{t('agent')}</th><th>{t('loggedIn')}</th><th>{t('readyTime')}</th><th>{t('breakTime')}</th><th>{t('onCallTime')}</th><th>{t('occupancy')}</th><th>{t('callsHandled')}</th></tr></thead>
        <tbody>
          {props.byAgent.map((a) => (
            <tr><td>{a.agent}</td><td>{duration(a.loggedInSeconds)}</td><td>{duration(a.readySeconds)}</td><td>{duration(a.breakSeconds)}</td><td>{duration(a.onCallSeconds)}</td><td>{percent(a.occupancyPercent)}</td><td>{a.callsHandled}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Average score per agent (chart: scores only, counts on another scale would flatten them) and per interval, agent and queue (table), with the totals per agent and overall. */
function QualityView(props: { report: QualityReport; time(iso: string): string }) {
  const { t } = useI18n();
  const { report } = props;
  const score = (n: number | null): string => (n === null ? '—' : `${n}%`);
  return (
    <section class="card">
      <BarChart labels={report.byAgent.map((a) => a.agent || '—')} series={[
        { label: t('qualityAverage'), color: '#3fa66b', values: report.byAgent.map((a) => a.averageScore ?? 0) },
      ]} />
      <table id="report-table">
        <thead><tr><th>{t('bucket')}</th><th>{t('agent')}</th><th>{t('queue')}</th><th>{t('qualityEvaluations')}</th><th>{t('qualityAverage')}</th></tr></thead>
        <tbody>
          {report.rows.map((r) => (
            <tr data-agent={r.agent} data-queue={r.queue}><td>{props.time(r.start)}</td><td>{r.agent || '—'}</td><td>{r.queue || '—'}</td><td>{r.evaluations}</td><td>{score(r.averageScore)}</td></tr>
          ))}
        </tbody>
        <tfoot>
          {report.byAgent.map((a) => (
            <tr class="agent-total" data-agent={a.agent}><th>{t('total')}</th><th>{a.agent || '—'}</th><th /><th>{a.evaluations}</th><th>{score(a.averageScore)}</th></tr>
          ))}
          <tr><th>{t('total')}</th><th /><th /><th id="total-evaluations">{report.total.evaluations}</th><th id="total-average">{score(report.total.averageScore)}</th></tr>
        </tfoot>
      </table>
    </section>
  );
}
