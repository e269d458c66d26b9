// One evaluation as the supervisor's panel and the agent's desk show it: the
// score, the scorecard, who and when, the comment, and each criterion's answer
// against the criteria it was scored with (not the scorecard as it is now).
import type { ComponentChildren } from 'preact';
import { useI18n, type Translate } from '../../i18n/index.js';
import { dateTime } from '../../format.js';
import type { Evaluation, EvaluationAnswer, ScorecardCriterion } from '../../wire.js';

/** "85%", or "—" when every criterion was n/a. */
export function scoreText(score: number | null): string {
  return score === null ? '—' : `${score}%`;
}

export function answerText(t: Translate, criterion: ScorecardCriterion, answer: EvaluationAnswer | undefined): string {
  if (answer === undefined) return '—';
  if (answer === 'n/a') return t('qualityNa');
  if (answer === 'yes') return t('yes');
  if (answer === 'no') return t('no');
  return `${answer} / ${criterion.max ?? 0}`;
}

export function EvaluationDetails(props: { evaluation: Evaluation; children?: ComponentChildren }) {
  const { t, lang } = useI18n();
  const e = props.evaluation;
  return (
    <details class="evaluation" data-evaluation={e.id} data-score={e.score ?? ''}>
      <summary>
        <strong class="evaluation-score">{scoreText(e.score)}</strong>{' '}
        <span>{e.scorecardTitle}</span>
        <span class="muted"> · {t('qualityEvaluatedBy', { who: e.evaluator, time: dateTime(e.evaluatedAt, lang) })}</span>
      </summary>
      {e.comment !== null && <p class="evaluation-comment">{e.comment}</p>}
      <table class="evaluation-answers">
        <thead><tr><th>{t('qualityCriterion')}</th><th>{t('qualityWeight')}</th><th>{t('qualityAnswer')}</th></tr></thead>
        <tbody>
          {e.criteria.map((c) => (
            <tr data-criterion={c.id}><td>{c.label}</td><td>{c.weight}</td><td>{answerText(t, c, e.answers[c.id])}</td></tr>
          ))}
        </tbody>
      </table>
      {props.children}
    </details>
  );
}
