// Admin console, entry numbers: the numbers callers dial and where each one goes (an
// IVR flow or straight into a queue); add one, point it elsewhere, or delete it
// (PUT/DELETE /api/entry-numbers/:number, applied to incoming calls at once).
import { useI18n } from '../../i18n/index.js';
import type { EntryNumber } from '../../wire.js';
import { AdminForm, ErrorLine, SelectInput, TextInput, useAdminList, useRecordEditor } from './form.js';

type TargetKind = 'queue' | 'flow';

interface Draft {
  number: string;
  kind: TargetKind;
  target: string;
}

const emptyForm = (): Draft => ({ number: '', kind: 'queue', target: '' });

function draftOf(entry: EntryNumber): Draft {
  return { number: entry.number, kind: entry.flow !== null ? 'flow' : 'queue', target: entry.flow ?? entry.queue ?? '' };
}

/** The target the form shows: an unset or vanished one shows the first offered, which is what a save sends. */
function shownTarget(d: Draft, choices: string[]): string {
  return choices.includes(d.target) ? d.target : choices[0] ?? '';
}

export function EntryNumbersSection() {
  const { t } = useI18n();
  const numbers = useAdminList<EntryNumber>('/api/entry-numbers');
  const queues = useAdminList<{ name: string }>('/api/queues');
  const flows = useAdminList<{ name: string }>('/api/flows');
  const choicesFor = (kind: TargetKind): string[] => (kind === 'queue' ? queues.items : flows.items)?.map((x) => x.name) ?? [];
  const { selected, closed, form: draft, setForm: setDraft, notice, open, formProps } = useRecordEditor<EntryNumber, Draft>({
    url: '/api/entry-numbers', list: numbers, keyOf: (n) => n.number, toForm: draftOf, emptyForm, newKey: (d) => d.number,
    toBody: (d) => ({ [d.kind]: shownTarget(d, choicesFor(d.kind)) }),
    savedNotice: () => t('saved'), deletedNotice: (number) => t('entryDeleted', { number }), closable: true,
  });
  const choices = choicesFor(draft.kind);
  const target = shownTarget(draft, choices);

  return (
    <div class="admin-section">
      <div class="card">
        <div class="admin-toolbar">
          <h2>{t('adminNumbers')}</h2>
          <button id="entry-new" class="secondary" onClick={() => open(null)}>+ {t('entryNew')}</button>
        </div>
        <ErrorLine id="entries-error" message={numbers.error && t('error', { message: numbers.error })} />
        {numbers.items === null && !numbers.error && <p class="muted">{t('loading')}</p>}
        {numbers.items && numbers.items.length === 0 && <p class="muted">{t('entryNone')}</p>}
        {numbers.items && numbers.items.length > 0 && (
          <table class="admin-list" id="entry-numbers">
            <thead><tr><th>{t('number')}</th><th>{t('entryTarget')}</th><th>{t('telOrigin')}</th></tr></thead>
            <tbody>
              {numbers.items.map((n) => (
                <tr class={`selectable${n.number === selected ? ' selected' : ''}`} data-number={n.number} data-flow={n.flow ?? ''} data-queue={n.queue ?? ''} onClick={() => open(n)}>
                  <td><b>{n.number}</b></td>
                  <td>{n.flow !== null ? t('entryToFlow', { name: n.flow }) : t('entryToQueue', { name: n.queue ?? '' })}</td>
                  <td>{n.origin === 'config' ? t('telOriginConfig') : t('telOriginApi')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div class="card">
        {closed ? (
          notice && <p class="ok" id="entry-form-notice">{notice}</p>
        ) : (
          <AdminForm id="entry-form" title={selected !== null ? t('entryEdit', { number: selected }) : t('entryNew')} {...formProps}>
            <div class="fields">
              <TextInput id="entry-number" label={t('number')} value={selected ?? draft.number} disabled={selected !== null} placeholder="+5511…"
                onValue={(v) => setDraft((d) => ({ ...d, number: v }))} />
              <SelectInput id="entry-kind" label={t('entryGoesTo')} value={draft.kind} onValue={(v) => setDraft((d) => ({ ...d, kind: v as TargetKind, target: '' }))}
                options={[{ value: 'queue', label: t('queue') }, { value: 'flow', label: t('entryFlow') }]} />
              <SelectInput id="entry-target" label={draft.kind === 'queue' ? t('queue') : t('entryFlow')} path={draft.kind} value={target}
                onValue={(v) => setDraft((d) => ({ ...d, target: v }))} options={choices.map((c) => ({ value: c, label: c }))} />
            </div>
            {choices.length === 0 && <p class="muted">{draft.kind === 'queue' ? t('entryNoQueues') : t('entryNoFlows')}</p>}
          </AdminForm>
        )}
      </div>
    </div>
  );
}
