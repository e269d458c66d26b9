// The agent's evaluations in the desk ("My evaluations"): newest call first,
// each with its score, scorecard, date, comment and per-criterion answers;
// a link to the recording where the site lets agents listen to their calls.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { dateTime, errorText } from '../../format.js';
import type { EvaluationList } from '../../wire.js';
import { recordingHref } from '../recordings/route.js';
import { EvaluationDetails } from './evaluation-details.js';

const SHOWN = 20;
/** Evaluations are written by supervisors while the agent works: looked at again now and then. */
const reloadEveryMs = 120_000;

export function MyEvaluations(props: { login: string }) {
  const { t, lang } = useI18n();
  const [list, setList] = useState<EvaluationList | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = (): void => {
      api.get<EvaluationList>(`/api/quality/evaluations?agent=${encodeURIComponent(props.login)}&limit=${SHOWN}`)
        .then((l) => { setList(l); setError(null); }, (err: unknown) => setError(errorText(err)));
    };
    load();
    const timer = setInterval(load, reloadEveryMs);
    return () => clearInterval(timer);
  }, [props.login]);

  return (
    <section class="card my-evaluations" id="my-evaluations">
      <h2>{t('qualityMine')}</h2>
      {error && <p class="error">{t('error', { message: error })}</p>}
      {list === null && !error && <p class="muted">{t('loading')}</p>}
      {list !== null && list.items.length === 0 && <p class="muted" id="my-evaluations-none">{t('qualityMineNone')}</p>}
      {list?.items.map((e) => (
        <EvaluationDetails key={e.id} evaluation={e}>
          <p class="muted">
            {t('qualityCallOf', { time: dateTime(e.callStartedAt, lang) })}{e.queue !== null && ` · ${e.queue}`}
            {list.canListen && <> · <a class="evaluation-recording" href={recordingHref(e.recordingId)}>{t('recordingLink')}</a></>}
          </p>
        </EvaluationDetails>
      ))}
    </section>
  );
}
