// The scorecard panel under a recording in the player: supervisors and admins
// choose a scorecard that applies to the recording's queue, answer each
// criterion (yes/no, 0..max, n/a where allowed), add a comment and submit;
// the score the server computed shows, with this recording's past
// evaluations. The agent of the call sees their own evaluations only.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { errorText } from '../../format.js';
import type { Evaluation, EvaluationAnswer, Me, RecordingDetail, Scorecard, ScorecardCriterion } from '../../wire.js';
import { EvaluationDetails, scoreText } from './evaluation-details.js';

/** The scorecards that may be filled for a recording of `queue` (a scorecard without queues applies to all). */
export function applicable(cards: readonly Scorecard[], queue: string | null): Scorecard[] {
  return cards.filter((c) => c.queues === undefined || (queue !== null && c.queues.includes(queue)));
}

export function ScorecardPanel(props: { recording: RecordingDetail; me: Me }) {
  const { t } = useI18n();
  const [evaluations, setEvaluations] = useState<Evaluation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const supervises = props.me.user.role !== 'agent';
  const url = `/api/recordings/${encodeURIComponent(props.recording.id)}/evaluations`;
  const load = (): void => {
    api.get<Evaluation[]>(url).then(setEvaluations, (err: unknown) => setError(errorText(err)));
  };
  useEffect(load, [url]);

  return (
    <div class="scorecard-panel" id="scorecard-panel">
      <h3>{t('qualityTitle')}</h3>
      {error && <p class="error">{t('error', { message: error })}</p>}
      {supervises && <EvaluationForm recording={props.recording} url={url} onSaved={load} />}
      <h4>{t('qualityPast')}</h4>
      {evaluations === null && !error && <p class="muted">{t('loading')}</p>}
      {evaluations !== null && evaluations.length === 0 && <p class="muted" id="evaluations-none">{t('qualityNone')}</p>}
      {evaluations !== null && evaluations.length > 0 && (
        <div id="recording-evaluations">{evaluations.map((e) => <EvaluationDetails key={e.id} evaluation={e} />)}</div>
      )}
    </div>
  );
}

function EvaluationForm(props: { recording: RecordingDetail; url: string; onSaved: () => void }) {
  const { t } = useI18n();
  const [cards, setCards] = useState<Scorecard[] | null>(null);
  const [name, setName] = useState('');
  const [answers, setAnswers] = useState<Record<string, EvaluationAnswer>>({});
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState<Evaluation | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    api.get<Scorecard[]>('/api/quality/scorecards').then((all) => {
      const usable = applicable(all, props.recording.queue);
      setCards(usable);
      setName(usable[0]?.name ?? '');
    }, (err: unknown) => setProblem(errorText(err)));
  }, [props.recording.id]);

  if (cards === null) return problem ? <p class="error">{t('error', { message: problem })}</p> : <p class="muted">{t('loading')}</p>;
  if (cards.length === 0) return <p class="muted" id="scorecards-none">{t('qualityNoScorecard')}</p>;
  const card = cards.find((c) => c.name === name) ?? cards[0];
  if (!card) return null;

  const choose = (next: string): void => {
    setName(next);
    setAnswers({});
    setSaved(null);
    setProblem(null);
  };
  const answer = (id: string, value: EvaluationAnswer): void => setAnswers((a) => ({ ...a, [id]: value }));
  const submit = async (): Promise<void> => {
    setSaving(true);
    setProblem(null);
    setSaved(null);
    try {
      // Unanswered criteria are sent as they are (absent): the server names the first one missing.
      const evaluation = await api.post<Evaluation>(props.url, { scorecard: card.name, answers, ...(comment.trim() !== '' ? { comment } : {}) });
      setSaved(evaluation);
      setAnswers({});
      setComment('');
      props.onSaved();
    } catch (err) {
      setProblem(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="evaluation-form" id="evaluation-form" data-scorecard={card.name} noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
      <label>{t('qualityScorecard')} <select id="evaluation-scorecard" value={card.name} onChange={(e) => choose(e.currentTarget.value)}>
        {cards.map((c) => <option value={c.name}>{c.title}</option>)}
      </select></label>
      <table class="evaluation-criteria">
        <thead><tr><th>{t('qualityCriterion')}</th><th>{t('qualityWeight')}</th><th>{t('qualityAnswer')}</th></tr></thead>
        <tbody>
          {card.criteria.map((c) => (
            <tr data-criterion={c.id}><td>{c.label}</td><td>{c.weight}</td><td><CriterionInput criterion={c} value={answers[c.id]} onValue={(v) => answer(c.id, v)} /></td></tr>
          ))}
        </tbody>
      </table>
      <label class="wide">{t('qualityComment')}
        <textarea id="evaluation-comment" rows={3} maxLength={4000} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      </label>
      <div class="row">
        <button type="submit" id="evaluation-submit" disabled={saving}>{t('qualitySubmit')}</button>
        {saved && <span class="ok" id="evaluation-score">{t('qualityScored', { score: scoreText(saved.score) })}</span>}
        {problem && <span class="form-error" role="alert" id="evaluation-error">{problem}</span>}
      </div>
    </form>
  );
}

/** Yes/no as radio buttons, a scale as a list 0..max; n/a added where the criterion allows it. */
function CriterionInput(props: { criterion: ScorecardCriterion; value: EvaluationAnswer | undefined; onValue: (v: EvaluationAnswer) => void }) {
  const { t } = useI18n();
  const c = props.criterion;
  const choices: { value: EvaluationAnswer; label: string }[] = c.kind === 'yes-no'
    ? [{ value: 'yes', label: t('yes') }, { value: 'no', label: t('no') }]
    : Array.from({ length: (c.max ?? 0) + 1 }, (_, i) => ({ value: i, label: String(i) }));
  if (c.allowNa === true) choices.push({ value: 'n/a', label: t('qualityNa') });
  return (
    <span class="criterion-choices" role="radiogroup" aria-label={c.label}>
      {choices.map((choice) => (
        <label class="choice">
          <input type="radio" name={`criterion-${c.id}`} id={`criterion-${c.id}-${String(choice.value).replace('/', '')}`}
            checked={props.value === choice.value} onChange={() => props.onValue(choice.value)} />
          {choice.label}
        </label>
      ))}
    </span>
  );
}
