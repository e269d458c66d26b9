// Admin console, scorecards: the quality scorecards with their criteria and
// weights (PUT/DELETE /api/quality/scorecards/:name). A scorecard from the site
// file may be edited here too; the file's version comes back at the next start
// (origin 'config'). Evaluations already made keep the criteria they were
// scored against, so an edit never changes a past score.
import { useI18n } from '../../i18n/index.js';
import type { Scorecard } from '../../wire.js';
import { AdminForm, CheckInput, ErrorLine, NumberInput, SelectInput, TextInput, toInteger, useAdminList, useRecordEditor } from '../admin/form.js';

interface CriterionDraft {
  id: string;
  label: string;
  weight: string;
  kind: 'yes-no' | 'scale';
  max: string;
  allowNa: boolean;
}

interface Draft {
  name: string;
  title: string;
  /** Comma-separated queue names; empty: every queue. */
  queues: string;
  criteria: CriterionDraft[];
}

const emptyCriterion = (): CriterionDraft => ({ id: '', label: '', weight: '10', kind: 'yes-no', max: '', allowNa: false });
const emptyForm = (): Draft => ({ name: '', title: '', queues: '', criteria: [emptyCriterion()] });
const draftOf = (s: Scorecard): Draft => ({
  name: s.name, title: s.title, queues: (s.queues ?? []).join(', '),
  criteria: s.criteria.map((c) => ({ id: c.id, label: c.label, weight: String(c.weight), kind: c.kind, max: c.max === undefined ? '' : String(c.max), allowNa: c.allowNa === true })),
});

function bodyOf(d: Draft): unknown {
  const queues = d.queues.split(',').map((q) => q.trim()).filter((q) => q !== '');
  return {
    title: d.title.trim(),
    ...(queues.length > 0 ? { queues } : {}),
    criteria: d.criteria.map((c) => {
      const max = c.kind === 'scale' ? toInteger(c.max) : undefined;
      return {
        id: c.id.trim(), label: c.label.trim(), weight: toInteger(c.weight), kind: c.kind,
        ...(max !== undefined ? { max } : {}), ...(c.allowNa ? { allowNa: true } : {}),
      };
    }),
  };
}

export function ScorecardsSection() {
  const { t } = useI18n();
  const cards = useAdminList<Scorecard>('/api/quality/scorecards');
  const { selected, form, setForm, set, open, formProps } = useRecordEditor<Scorecard, Draft>({
    url: '/api/quality/scorecards', list: cards, keyOf: (s) => s.name, toForm: draftOf, emptyForm, newKey: (d) => d.name, toBody: bodyOf,
    savedNotice: (name) => t('qualityScorecardSaved', { name }), deletedNotice: (name) => t('qualityScorecardDeleted', { name }),
  });
  const setCriterion = (i: number, change: Partial<CriterionDraft>): void =>
    setForm((d) => ({ ...d, criteria: d.criteria.map((c, j) => (j === i ? { ...c, ...change } : c)) }));
  const kinds = [{ value: 'yes-no', label: t('qualityKindYesNo') }, { value: 'scale', label: t('qualityKindScale') }];

  return (
    <div class="admin-section">
      <div class="card">
        <div class="admin-toolbar">
          <h2>{t('adminScorecards')}</h2>
          <button id="scorecard-new" class="secondary" onClick={() => open(null)}>+ {t('qualityScorecardNew')}</button>
        </div>
        <ErrorLine id="scorecards-error" message={cards.error && t('error', { message: cards.error })} />
        {cards.items && cards.items.length === 0 && <p class="muted">{t('qualityNoScorecard')}</p>}
        {cards.items && cards.items.length > 0 && (
          <table class="admin-list" id="scorecards">
            <thead><tr><th>{t('qualityScorecard')}</th><th>{t('qualityTitleField')}</th><th>{t('queue')}</th><th>{t('qualityCriteria')}</th><th>{t('telOrigin')}</th></tr></thead>
            <tbody>
              {cards.items.map((s) => (
                <tr class={`selectable${s.name === selected ? ' selected' : ''}`} data-name={s.name} onClick={() => open(s)}>
                  <td><b>{s.name}</b> <span class="muted">v{s.version}</span></td>
                  <td>{s.title}</td>
                  <td>{s.queues?.join(', ') ?? t('allQueues')}</td>
                  <td>{s.criteria.map((c) => `${c.label} (${c.weight})`).join(', ')}</td>
                  <td>{s.origin === 'config' ? t('telOriginConfig') : t('telOriginApi')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div class="card">
        <AdminForm id="scorecard-form" title={selected !== null ? t('qualityScorecardEdit', { name: selected }) : t('qualityScorecardNew')} {...formProps}>
          <div class="fields">
            <TextInput id="scorecard-name" label={t('qualityScorecard')} value={selected ?? form.name} disabled={selected !== null} placeholder="standard"
              onValue={(v) => setForm((d) => ({ ...d, name: v }))} />
            <TextInput id="scorecard-title" label={t('qualityTitleField')} path="title" value={form.title} placeholder={t('qualityTitlePlaceholder')} onValue={set('title')} />
            <TextInput id="scorecard-queues" label={t('qualityQueues')} path="queues" value={form.queues} placeholder="sales, support" onValue={set('queues')} />
          </div>
          <fieldset class="scorecard-criteria" id="scorecard-criteria">
            <legend>{t('qualityCriteria')}</legend>
            {form.criteria.map((c, i) => (
              <div class="fields criterion" data-index={i}>
                <TextInput id={`criterion-id-${i}`} label={t('qualityCriterionId')} path={`criteria/${i}/id`} value={c.id} placeholder="greeting" onValue={(v) => setCriterion(i, { id: v })} />
                <TextInput id={`criterion-label-${i}`} label={t('qualityCriterion')} path={`criteria/${i}/label`} value={c.label} onValue={(v) => setCriterion(i, { label: v })} />
                <NumberInput id={`criterion-weight-${i}`} label={t('qualityWeight')} path={`criteria/${i}/weight`} min={1} value={c.weight} onValue={(v) => setCriterion(i, { weight: v })} />
                <SelectInput id={`criterion-kind-${i}`} label={t('qualityKind')} path={`criteria/${i}/kind`} value={c.kind} options={kinds}
                  onValue={(v) => setCriterion(i, { kind: v === 'scale' ? 'scale' : 'yes-no' })} />
                {c.kind === 'scale' && (
                  <NumberInput id={`criterion-max-${i}`} label={t('qualityMax')} path={`criteria/${i}/max`} min={1} value={c.max} placeholder="5" onValue={(v) => setCriterion(i, { max: v })} />
                )}
                <CheckInput id={`criterion-na-${i}`} label={t('qualityAllowNa')} checked={c.allowNa} onValue={(v) => setCriterion(i, { allowNa: v })} />
                <button type="button" class="secondary" id={`criterion-remove-${i}`} disabled={form.criteria.length === 1}
                  onClick={() => setForm((d) => ({ ...d, criteria: d.criteria.filter((_, j) => j !== i) }))}>{t('admDelete')}</button>
              </div>
            ))}
            <button type="button" class="secondary" id="criterion-add" onClick={() => setForm((d) => ({ ...d, criteria: [...d.criteria, emptyCriterion()] }))}>+ {t('qualityCriterionAdd')}</button>
          </fieldset>
        </AdminForm>
      </div>
    </div>
  );
}
