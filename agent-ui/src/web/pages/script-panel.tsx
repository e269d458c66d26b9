// The dialogue script of the call, run by the server's script sessions API
// (docs/scripts.md): the server keeps the run, executes its actions and, at the end,
// writes the answers, outcome and disposition on the customer's timeline.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { ScriptInfo, ScriptSession, ScriptQuestion, ScriptStep } from '../wire.js';
import { useI18n } from '../i18n/index.js';
import type { LiveContact } from '../live.js';
import { errorText } from '../format.js';

/** The script the queue names, else one named after the queue, else the first in the library. */
function scriptFor(scripts: ScriptInfo[], contact: LiveContact): ScriptInfo | null {
  const byId = (id: string | null): ScriptInfo | undefined => (id === null ? undefined : scripts.find((s) => s.id === id));
  return byId(contact.script) ?? byId(contact.queue) ?? scripts[0] ?? null;
}

export function ScriptPanel(props: { contact: LiveContact; customerId: number | null; onChange(session: ScriptSession): void }) {
  const { t } = useI18n();
  const [session, setSession] = useState<ScriptSession | null>(null);
  const [none, setNone] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  const update = (s: ScriptSession): void => { setSession(s); props.onChange(s); };

  useEffect(() => {
    let cancelled = false;
    api.get<ScriptInfo[]>('/api/scripts').then(async (scripts) => {
      const script = scriptFor(scripts, props.contact);
      if (script === null) { setNone(true); return; }
      const started = await api.post<ScriptSession>('/api/script-sessions', {
        scriptId: script.id, channel: 'call', callId: props.contact.callId,
        ...(props.customerId !== null ? { customerId: props.customerId } : {}),
      });
      if (!cancelled) update(started);
    }).catch((err: unknown) => { if (!cancelled) setErrors([errorText(err)]); });
    return () => { cancelled = true; };
  }, [props.contact.callId]);

  const answer = async (value: unknown): Promise<void> => {
    if (session === null) return;
    try {
      const result = await api.post<{ session: ScriptSession; errors: Array<{ message: string }> }>(`/api/script-sessions/${session.id}/answer`, { value });
      setErrors(result.errors.map((e) => e.message));
      update(result.session);
    } catch (err) { setErrors([errorText(err)]); }
  };
  const move = async (where: 'back' | 'next'): Promise<void> => {
    if (session === null) return;
    try { update(await api.post<ScriptSession>(`/api/script-sessions/${session.id}/${where}`)); setErrors([]); } catch (err) { setErrors([errorText(err)]); }
  };

  if (none) return <section class="script"><h3>{t('script')}</h3><p class="muted">{t('noScript')}</p></section>;
  const step = session?.step;
  return (
    <section class="script" id="script" data-step={step?.id ?? ''}>
      <h3>{t('script')}{session ? `: ${session.title}` : ''}</h3>
      <ScriptStepView step={step} outcome={session?.outcome ?? null} errors={errors} onAnswer={answer} onMove={move} />
    </section>
  );
}

/** One step of a run: its information, its question (or Next), Back, and why an answer was refused. The admin's script preview shows steps the same way. */
export function ScriptStepView(props: { step: ScriptStep | undefined; outcome: string | null; errors: string[]; onAnswer(value: unknown): void; onMove(where: 'back' | 'next'): void }) {
  const { t } = useI18n();
  const step = props.step;
  return (
    <>
      {step?.title && <h4>{step.title}</h4>}
      {step?.info.map((line) => <p class="info">{line}</p>)}
      {step?.kind === 'end' && <p id="script-done" class="ok">{t('scriptDone', { outcome: step.outcome ?? props.outcome ?? '' })}</p>}
      {step?.kind === 'step' && step.question && <QuestionForm key={step.id} question={step.question} onAnswer={props.onAnswer} />}
      {step?.kind === 'step' && !step.question && <button id="script-next" onClick={() => props.onMove('next')}>{t('next')}</button>}
      {step?.canGoBack && <button id="script-back" class="secondary" onClick={() => props.onMove('back')}>{t('back')}</button>}
      {props.errors.map((e) => <p class="error">{e}</p>)}
    </>
  );
}

function QuestionForm(props: { question: ScriptQuestion; onAnswer(value: unknown): void }) {
  const { t } = useI18n();
  const q = props.question;
  const [text, setText] = useState('');
  if (q.type === 'choice') {
    return (
      <div class="question" data-question={q.id}>
        <p class="prompt">{q.prompt}</p>
        {q.options.map((o) => <button class="option" data-value={o.value} onClick={() => props.onAnswer(o.value)}>{o.label}</button>)}
      </div>
    );
  }
  if (q.type === 'yesno') {
    return (
      <div class="question" data-question={q.id}>
        <p class="prompt">{q.prompt}</p>
        <button class="option" data-value="yes" onClick={() => props.onAnswer(true)}>{t('yes')}</button>
        <button class="option" data-value="no" onClick={() => props.onAnswer(false)}>{t('no')}</button>
      </div>
    );
  }
  const inputType = q.type === 'number' ? 'number' : q.type === 'date' ? 'date' : 'text';
  return (
    <form class="question" data-question={q.id} onSubmit={(e) => { e.preventDefault(); props.onAnswer(q.type === 'number' ? Number(text) : text); }}>
      <label class="prompt">{q.prompt} <input name={q.id} type={inputType} value={text} onInput={(e) => setText(e.currentTarget.value)} /></label>
      <button type="submit">{t('answer')}</button>
    </form>
  );
}
