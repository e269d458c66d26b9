// Admin → Scripts: the script library (GET /api/scripts) and an editor per script
// (#/admin/scripts/<id>): the XML in a plain textarea, checked while typing
// (POST /api/scripts/check) with every problem's line and reason beside the editor
// and in the gutter, saved with PUT /api/scripts/:id, and a preview run of the
// draft as it stands (POST /api/scripts/preview: nothing saved, no action run),
// shown with the agent desktop's own step view.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, sendText } from '../../api.js';
import type { ScriptInfo, ScriptPreview, ScriptProblem } from '../../wire.js';
import { useI18n } from '../../i18n/index.js';
import { errorText } from '../../format.js';
import { useAdminList } from './form.js';
import { CodeEditor, goToLine, type LineMark } from './code-editor.js';
import { CheckStatus, SaveOutcome, useDraftCheck, useDraftSave, useHashItem } from './draft-editor.js';
import { ScriptStepView } from '../script-panel.js';

const XML = 'application/xml';

export function ScriptsSection() {
  const open = useHashItem('scripts');
  return open === null ? <ScriptList /> : <ScriptEditor key={open} id={open} />;
}

function ScriptList() {
  const { t } = useI18n();
  const scripts = useAdminList<ScriptInfo>('/api/scripts');
  const [newId, setNewId] = useState('');
  return (
    <div class="card scripts">
      <div class="admin-toolbar">
        <h2>{t('adminScripts')}</h2>
        <form class="row" id="script-new" onSubmit={(e) => { e.preventDefault(); if (/^[A-Za-z][A-Za-z0-9_-]*$/.test(newId)) location.hash = `#/admin/scripts/${encodeURIComponent(newId)}`; }}>
          <input name="id" placeholder={t('scriptNewId')} aria-label={t('scriptNewId')} pattern="[A-Za-z][A-Za-z0-9_\-]*" value={newId} onInput={(e) => setNewId(e.currentTarget.value)} />
          <button type="submit" class="secondary">{t('scriptNew')}</button>
        </form>
      </div>
      {scripts.error !== null && <p class="error">{t('error', { message: scripts.error })}</p>}
      {scripts.items === null ? <p class="muted">{t('loading')}</p> : (
        <table class="admin-list" id="script-list">
          <thead><tr><th>{t('scriptId')}</th><th>{t('scriptTitle')}</th><th>{t('flowVersion')}</th><th>{t('scriptOrigin')}</th></tr></thead>
          <tbody>
            {scripts.items.map((s) => (
              <tr class="selectable" data-script={s.id} onClick={() => { location.hash = `#/admin/scripts/${encodeURIComponent(s.id)}`; }}>
                <td><a href={`#/admin/scripts/${encodeURIComponent(s.id)}`}>{s.id}</a></td>
                <td>{s.title}{s.description !== undefined && <div class="muted">{s.description.trim()}</div>}</td>
                <td>{s.version}</td>
                <td><span class="chip">{s.origin === 'example' ? t('scriptOriginExample') : t('scriptOriginSite')}</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function template(id: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<script id="${id}" version="1" title="${id}" start="ask">
  <step id="ask" title="Question">
    <question id="ok" type="yesno">
      <prompt>Can I help you?</prompt>
    </question>
    <go to="done"/>
  </step>
  <end id="done" outcome="done"/>
</script>
`;
}

function problemsFrom(err: ApiError): ScriptProblem[] {
  return Array.isArray(err.details) ? (err.details as ScriptProblem[]) : [];
}

function ScriptEditor(props: { id: string }) {
  const { t } = useI18n();
  const [info, setInfo] = useState<ScriptInfo | null>(null);
  const [savedXml, setSavedXml] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [source, setSource] = useState<string | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    api.get<{ info: ScriptInfo; xml: string }>(`/api/scripts/${encodeURIComponent(props.id)}`).then(
      (s) => { setInfo(s.info); setSavedXml(s.xml); setSource(s.xml); },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 404) setSource(template(props.id));
        else setLoadError(errorText(err));
      },
    );
  }, [props.id]);

  const check = useDraftCheck<ScriptProblem, { ok: boolean; problems: ScriptProblem[] }>(
    source,
    (draft) => sendText<{ ok: boolean; problems: ScriptProblem[] }>('POST', '/api/scripts/check', draft, XML),
    (message) => ({ line: 1, column: 1, message }),
  );
  const saveState = useDraftSave(problemsFrom, check.show);

  const save = async (): Promise<void> => {
    if (source === null) return;
    await saveState.save(async () => {
      const saved = await sendText<ScriptInfo>('PUT', `/api/scripts/${encodeURIComponent(props.id)}`, source, XML);
      setInfo(saved);
      setSavedXml(source);
      return t('scriptSavedVersion', { version: saved.version });
    });
  };

  if (loadError !== null) return <div class="card"><a href="#/admin/scripts">{t('scriptBack')}</a><p class="error">{t('error', { message: loadError })}</p></div>;
  if (source === null) return <p class="muted">{t('loading')}</p>;
  const marks: LineMark[] = check.problems.map((p) => ({ line: p.line, message: p.message }));
  return (
    <div class="script-editor" id="script-editor" data-script={props.id}>
      <div class="admin-toolbar">
        <a href="#/admin/scripts" id="script-back-to-list">{t('scriptBack')}</a>
        <h2>{info?.title ?? props.id}</h2>
        {info !== null ? <span class="muted" id="script-version">{t('scriptLiveVersion', { version: info.version })}</span> : <span class="chip">{t('flowNotSaved')}</span>}
        <CheckStatus id="script-check-status" checking={check.checking} count={check.problems.length} />
        <button id="script-save" disabled={saveState.saving || source === savedXml} onClick={() => void save()}>{t('save')}</button>
      </div>
      <SaveOutcome prefix="script" state={saveState} />
      <div class="flow-workspace">
        <div class="card flow-source">
          <CodeEditor id="script-source" value={source} onValue={(v) => { setSource(v); saveState.edited(); }} marks={marks} textareaRef={textarea} label={t('scriptSource')} />
          <ul class="problems" id="script-problems" data-count={check.problems.length}>
            {check.problems.map((p) => (
              <li data-line={p.line}>
                <button type="button" class="problem-link" onClick={() => goToLine(textarea.current, p.line)}>
                  <span class="where">{t('lineColumn', { line: p.line, column: p.column })}</span>
                  <span class="message">{p.message}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
        <div class="flow-side">
          <ScriptPreview xml={source} runnable={!check.checking && check.problems.length === 0} />
        </div>
      </div>
    </div>
  );
}

/** A run of the draft: the server walks it with the scripts runtime and hands back a snapshot the next move sends again. */
function ScriptPreview(props: { xml: string; runnable: boolean }) {
  const { t } = useI18n();
  const [view, setView] = useState<ScriptPreview | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [actions, setActions] = useState<string[]>([]);
  const send = async (body: Record<string, unknown>): Promise<void> => {
    try {
      const next = await api.post<ScriptPreview>('/api/scripts/preview', { xml: props.xml, ...body });
      setView(next);
      setErrors(next.errors.map((e) => e.message));
      if (next.actions.length) setActions((a) => [...a, ...next.actions.map((x) => x.type)]);
    } catch (err) {
      setErrors([errorText(err)]);
    }
  };
  const start = (): void => { setActions([]); void send({ action: 'start' }); };
  const step = view?.step;
  return (
    <section class="card script preview" id="script-preview" data-step={step?.id ?? ''} data-done={view?.done ? 'true' : 'false'}>
      <div class="admin-toolbar">
        <h3>{t('scriptPreview')}</h3>
        <button id="script-preview-start" class="secondary" disabled={!props.runnable} onClick={start}>{view === null ? t('scriptPreviewStart') : t('scriptPreviewRestart')}</button>
      </div>
      {view === null && errors.length === 0 && <p class="muted">{t('scriptPreviewHint')}</p>}
      {view !== null && (
        <ScriptStepView
          step={step}
          outcome={view.outcome}
          errors={errors}
          onAnswer={(value) => void send({ action: 'answer', value, snapshot: view.snapshot })}
          onMove={(where) => void send({ action: where, snapshot: view.snapshot })}
        />
      )}
      {view === null && errors.map((e) => <p class="error">{e}</p>)}
      {view !== null && Object.keys(view.answers).length > 0 && (
        <dl class="preview-answers" id="script-preview-answers">
          {Object.entries(view.answers).map(([question, value]) => <><dt>{question}</dt><dd data-question={question}>{JSON.stringify(value)}</dd></>)}
        </dl>
      )}
      {actions.length > 0 && <p class="muted small" id="script-preview-actions">{t('scriptPreviewActions', { actions: actions.join(', ') })}</p>}
    </section>
  );
}
