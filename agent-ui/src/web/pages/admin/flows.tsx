// Admin → IVR flows: the live flows (GET /api/flows) with the entry numbers that
// send calls to them, and an editor per flow (#/admin/flows/<name>): the YAML/JSON
// source in a plain textarea, checked while typing (POST /api/flows/check, which
// also returns the graph as written), problems listed beside the editor, marked in
// the gutter and drawn red in the graph; save (PUT /api/flows/:name) makes a new
// live version; a simulation (POST /api/flows/:name/simulate) highlights its path.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, sendText } from '../../api.js';
import { useI18n, type Translate } from '../../i18n/index.js';
import { dateTime, errorText } from '../../format.js';
import { useAdminList } from './form.js';
import { CodeEditor, goToLine, type LineMark } from './code-editor.js';
import { CheckStatus, SaveOutcome, useDraftCheck, useDraftSave, useHashItem } from './draft-editor.js';
import { FlowGraph, type FlowGraphData } from './flow-graph.js';
import type { EntryNumber, FlowCheck, FlowDetail, FlowOutcome, FlowProblem, FlowSaved, FlowSimulation, FlowSummary } from '../../wire.js';

export function FlowsSection() {
  const open = useHashItem('flows');
  return open === null ? <FlowList /> : <FlowEditor key={open} name={open} />;
}

function FlowList() {
  const { t, lang } = useI18n();
  const flows = useAdminList<FlowSummary>('/api/flows');
  // Entry numbers are optional context: without the entry-number API the list still works.
  const numbers = useAdminList<EntryNumber>('/api/entry-numbers');
  const [newName, setNewName] = useState('');
  const numbersOf = (flow: string): string[] => (numbers.items ?? []).filter((n) => n.flow === flow).map((n) => n.number);
  return (
    <div class="card flows">
      <div class="admin-toolbar">
        <h2>{t('adminFlows')}</h2>
        <form class="row" id="flow-new" onSubmit={(e) => { e.preventDefault(); if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(newName)) location.hash = `#/admin/flows/${encodeURIComponent(newName)}`; }}>
          <input name="name" placeholder={t('flowNewName')} aria-label={t('flowNewName')} pattern="[A-Za-z0-9][A-Za-z0-9_.\-]*" value={newName} onInput={(e) => setNewName(e.currentTarget.value)} />
          <button type="submit" class="secondary">{t('flowNew')}</button>
        </form>
      </div>
      {flows.error !== null && <p class="error">{t('error', { message: flows.error })}</p>}
      {flows.items === null ? <p class="muted">{t('loading')}</p> : flows.items.length === 0 ? <p class="muted">{t('flowNone')}</p> : (
        <table class="admin-list" id="flow-list">
          <thead><tr><th>{t('flowName')}</th><th>{t('flowVersion')}</th><th>{t('flowEntryNumbers')}</th><th class="num">{t('flowNodes')}</th><th class="num">{t('flowCallsNow')}</th><th>{t('flowSaved')}</th></tr></thead>
          <tbody>
            {flows.items.map((f) => (
              <tr class="selectable" data-flow={f.name} onClick={() => { location.hash = `#/admin/flows/${encodeURIComponent(f.name)}`; }}>
                <td><a href={`#/admin/flows/${encodeURIComponent(f.name)}`}>{f.name}</a>{f.description !== null && <div class="muted">{f.description}</div>}</td>
                <td>v{f.version} <span class="chip">{f.origin === 'file' ? t('flowOriginFile') : t('flowOriginApi')}</span></td>
                <td><span class="chips">{numbersOf(f.name).map((n) => <span class="chip">{n}</span>)}</span>{numbers.items !== null && numbersOf(f.name).length === 0 && <span class="muted">—</span>}</td>
                <td class="num">{f.nodes}</td>
                <td class="num">{f.callsInFlow}</td>
                <td>{dateTime(f.savedAt, lang)}{f.savedBy !== null ? ` · ${f.savedBy}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** A new flow starts from a small working example with the name filled in. */
function template(name: string): string {
  return `name: ${name}
version: 1
language: en
timezone: UTC
start: welcome
nodes:
  welcome:
    type: play
    prompts: [welcome]
    next: bye
  bye:
    type: hangup
`;
}

function contentType(source: string): string {
  return source.trimStart().startsWith('{') ? 'application/json' : 'application/yaml';
}

function problemsFrom(err: ApiError): FlowProblem[] {
  const details = err.details as { problems?: unknown } | null;
  return Array.isArray(details?.problems) ? (details.problems as FlowProblem[]) : [];
}

function FlowEditor(props: { name: string }) {
  const { t, lang } = useI18n();
  const [detail, setDetail] = useState<FlowDetail | null>(null);
  const [isNew, setIsNew] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [source, setSource] = useState<string | null>(null);
  const [graph, setGraph] = useState<FlowGraphData | null>(null);
  const [path, setPath] = useState<string[]>([]);
  const textarea = useRef<HTMLTextAreaElement>(null);

  const load = async (): Promise<void> => {
    try {
      const d = await api.get<FlowDetail>(`/api/flows/${encodeURIComponent(props.name)}`);
      setDetail(d);
      setSource(d.source);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) { setIsNew(true); setSource(template(props.name)); }
      else setLoadError(errorText(err));
    }
  };
  useEffect(() => { void load(); }, [props.name]);

  const check = useDraftCheck<FlowProblem, FlowCheck>(
    source,
    (draft) => sendText<FlowCheck>('POST', '/api/flows/check', draft, contentType(draft)),
    (message) => ({ message }),
    // Text that is not a flow at all keeps the last drawing, so the graph does not flicker while typing.
    (result) => { if (result.graph !== null) setGraph(result.graph); },
  );
  const saveState = useDraftSave(problemsFrom, check.show);

  const save = async (): Promise<void> => {
    if (source === null) return;
    await saveState.save(async () => {
      const saved = await sendText<FlowSaved>('PUT', `/api/flows/${encodeURIComponent(props.name)}`, source, contentType(source));
      setIsNew(false);
      setDetail(await api.get<FlowDetail>(`/api/flows/${encodeURIComponent(props.name)}`));
      return saved.changed ? t('flowSavedVersion', { version: saved.version }) : t('flowUnchanged');
    });
  };

  const marks: LineMark[] = check.problems.flatMap((p) => (p.line !== undefined ? [{ line: p.line, message: p.message }] : []));
  const nodeProblems = useMemo(() => {
    const m = new Map<string, string>();
    for (const p of check.problems) if (p.node !== undefined && !m.has(p.node)) m.set(p.node, p.message);
    return m;
  }, [check.problems]);

  if (loadError !== null) return <div class="card"><a href="#/admin/flows">{t('flowBack')}</a><p class="error">{t('error', { message: loadError })}</p></div>;
  if (source === null) return <p class="muted">{t('loading')}</p>;
  const dirty = detail === null || source !== detail.source;
  return (
    <div class="flow-editor" id="flow-editor" data-flow={props.name} data-version={detail?.version ?? ''}>
      <div class="admin-toolbar">
        <a href="#/admin/flows" id="flow-back">{t('flowBack')}</a>
        <h2>{props.name}</h2>
        {detail !== null && (
          <span class="muted" id="flow-version" data-version={detail.version}>
            {t('flowLiveVersion', { version: detail.version, count: detail.history.length })} · {dateTime(detail.savedAt, lang)}{detail.savedBy !== null ? ` · ${detail.savedBy}` : ''}
          </span>
        )}
        {isNew && <span class="chip">{t('flowNotSaved')}</span>}
        <CheckStatus id="flow-check-status" checking={check.checking} count={check.problems.length} />
        <button id="flow-save" disabled={saveState.saving || !dirty} onClick={() => void save()}>{t('save')}</button>
      </div>
      <SaveOutcome prefix="flow" state={saveState} />
      <div class="flow-workspace">
        <div class="card flow-source">
          <CodeEditor id="flow-source" value={source} onValue={(v) => { setSource(v); saveState.edited(); }} marks={marks} textareaRef={textarea} label={t('flowSource')} />
          <ProblemList problems={check.problems} onLine={(line) => goToLine(textarea.current, line)} t={t} />
        </div>
        <div class="flow-side">
          <div class="card">
            <h3>{t('flowGraph')}</h3>
            {graph === null ? <p class="muted">{t('loading')}</p> : (
              <FlowGraph graph={graph} problems={nodeProblems} path={path} onNode={(_id, line) => { if (line !== null) goToLine(textarea.current, line); }} />
            )}
            <p class="graph-legend muted">{t('flowGraphLegend')}</p>
          </div>
          <SimulatePanel name={props.name} draft={dirty ? source : null} onPath={setPath} />
        </div>
      </div>
    </div>
  );
}

function ProblemList(props: { problems: FlowProblem[]; onLine(line: number): void; t: Translate }) {
  const { t } = props;
  if (props.problems.length === 0) return <ul class="problems" id="flow-problems" data-count="0" />;
  return (
    <ul class="problems" id="flow-problems" data-count={props.problems.length}>
      {props.problems.map((p) => (
        <li data-line={p.line ?? ''} data-node={p.node ?? ''}>
          <button type="button" class="problem-link" disabled={p.line === undefined} onClick={() => { if (p.line !== undefined) props.onLine(p.line); }}>
            {p.line !== undefined && <span class="where">{t('lineN', { line: p.line })}</span>}
            {p.node !== undefined && <span class="chip">{p.node}</span>}
            <span class="message">{p.message}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function outcomeText(o: FlowOutcome, t: Translate): string {
  switch (o.type) {
    case 'queue': return t('flowOutcomeQueue', { name: o.queue });
    case 'voicemail': return t('flowOutcomeVoicemail', { name: o.box });
    case 'transfer': return t('flowOutcomeTransfer', { name: o.target.kind === 'number' ? o.target.number : o.target.kind === 'agent' ? o.target.agent : o.target.flow });
    case 'hangup': return t('flowOutcomeHangup');
  }
}

/** 'YYYY-MM-DDTHH:mm' for a datetime-local input, in the browser's time. */
function localInputValue(d: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function SimulatePanel(props: { name: string; draft: string | null; onPath(path: string[]): void }) {
  const { t } = useI18n();
  const [digits, setDigits] = useState('');
  const [caller, setCaller] = useState('+15550100');
  const [time, setTime] = useState(localInputValue(new Date()));
  const [result, setResult] = useState<FlowSimulation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (): Promise<void> => {
    setError(null);
    const when = new Date(time);
    try {
      const sim = await api.post<FlowSimulation>(`/api/flows/${encodeURIComponent(props.name)}/simulate`, {
        caller,
        digits: digits.split(/[\s,]+/).filter((d) => d !== ''),
        ...(Number.isNaN(when.getTime()) ? {} : { time: when.toISOString() }),
        // An edited draft is simulated as it stands, without saving it.
        ...(props.draft !== null ? { source: props.draft } : {}),
      });
      setResult(sim);
      props.onPath(sim.path.filter((s) => s.flow === undefined || s.flow === props.name).map((s) => s.node));
    } catch (err) {
      setResult(null);
      props.onPath([]);
      setError(errorText(err));
    }
  };
  return (
    <div class="card simulate">
      <h3>{t('flowSimulate')}</h3>
      <form class="row" id="flow-simulate" onSubmit={(e) => { e.preventDefault(); void run(); }}>
        <label class="field"><span>{t('flowSimDigits')}</span><input id="sim-digits" value={digits} placeholder="1 2" onInput={(e) => setDigits(e.currentTarget.value)} /></label>
        <label class="field"><span>{t('flowSimCaller')}</span><input id="sim-caller" value={caller} onInput={(e) => setCaller(e.currentTarget.value)} /></label>
        <label class="field"><span>{t('flowSimTime')}</span><input id="sim-time" type="datetime-local" value={time} onInput={(e) => setTime(e.currentTarget.value)} /></label>
        <button type="submit" id="sim-run">{t('flowSimRun')}</button>
      </form>
      {props.draft !== null && <p class="muted small">{t('flowSimDraft')}</p>}
      {error !== null && <p class="form-error" id="sim-error">{error}</p>}
      {result !== null && (
        <div id="sim-result">
          <p><b>{t('flowSimOutcome')}:</b> <span id="sim-outcome" data-type={result.outcome.type}>{outcomeText(result.outcome, t)}</span></p>
          <ol class="sim-path" id="sim-path">
            {result.path.map((s) => (
              <li data-node={s.node}>
                <b>{s.flow !== undefined ? `${s.flow}/${s.node}` : s.node}</b> <span class="muted">{s.type}</span>
                {s.exit !== undefined && <> → <span class="exit">{s.exit}</span></>}
                {s.prompts !== undefined && s.prompts.length > 0 && <span class="prompts"> ♪ {s.prompts.join(', ')}</span>}
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}
