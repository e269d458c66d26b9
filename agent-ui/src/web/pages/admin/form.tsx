// Small building blocks of the admin console's sections: a list loader, the record
// editor (list plus edit form) they share, labeled inputs, the line that shows what the
// server refused, and the save/delete bar.
// Forms send what the admin typed and let the server validate (forms are noValidate),
// so the message next to the form is always the server's own.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { errorText } from '../../format.js';
import { logFailure } from '../../log.js';

/** What the server refused: its message and the body fields it named (paths like `callback/attempts`). */
export interface FormProblem {
  message: string;
  fields: string[];
}

export function problemFrom(err: unknown): FormProblem {
  if (!(err instanceof ApiError)) return { message: errorText(err), fields: [] };
  const details = Array.isArray(err.details) ? (err.details as unknown[]) : [];
  const fields = details.flatMap((d) => {
    const field = (d as { field?: unknown }).field;
    // Validation details name fields as `body/<path>` or `params/<name>` (the name in the URL).
    if (typeof field !== 'string') return [];
    const match = /^(?:body|params)\/(.+)$/.exec(field);
    return match?.[1] !== undefined ? [match[1]] : [];
  });
  return { message: err.message, fields };
}

const Problem = createContext<FormProblem | null>(null);

/** True when the server named `path` (or something inside it) as invalid. */
function useInvalid(path: string | readonly string[] | undefined): boolean {
  const problem = useContext(Problem);
  if (path === undefined || problem === null) return false;
  const paths = typeof path === 'string' ? [path] : path;
  return problem.fields.some((f) => paths.some((p) => f === p || f.startsWith(`${p}/`)));
}

/** A list from the API, reloaded on demand and (optionally) every `refreshMs`. */
export function useAdminList<T>(url: string, refreshMs?: number): { items: T[] | null; error: string | null; reload: () => void } {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  useEffect(() => {
    let cancelled = false;
    const load = (): void => {
      api.get<T[]>(url).then(
        (list) => { if (!cancelled) { setItems(list); setError(null); } },
        (err: unknown) => { if (!cancelled) setError(errorText(err)); },
      );
    };
    load();
    const timer = refreshMs === undefined ? undefined : setInterval(load, refreshMs);
    return () => { cancelled = true; if (timer !== undefined) clearInterval(timer); };
  }, [url, refreshMs, generation]);
  return { items, error, reload };
}

/** What `useRecordEditor` needs to know about one kind of record (agents, users, queues, trunks…). */
export interface RecordEditorOptions<Item, Form> {
  /** The collection's URL; a record lives at `<url>/<key>` (PUT saves, DELETE removes). */
  url: string;
  /** The list shown beside the form, reloaded after every save and delete. */
  list: { reload: () => void };
  keyOf: (item: Item) => string;
  toForm: (item: Item) => Form;
  emptyForm: () => Form;
  /** The key a new record is saved under, as typed in the form (trimmed by the editor). */
  newKey: (form: Form) => string;
  /** The PUT body. */
  toBody: (form: Form) => unknown;
  /** A problem to show instead of saving (e.g. no key typed); runs before `toBody`. */
  check?: (key: string, form: Form) => FormProblem | null;
  savedNotice: (key: string) => string;
  deletedNotice: (key: string) => string;
  /** Sees the server's answer to a save (e.g. a secret it generated, shown only in that answer). */
  onSaved?: (saved: Item) => void;
  /** Cancel and delete hide the form, leaving only the notice; else they open a blank form. */
  closable?: boolean;
}

/** The state of a list-plus-form section and what its form does. */
export interface RecordEditor<Item, Form> {
  /** The key of the record being edited; null for a new one (or, when closable, none). */
  selected: string | null;
  /** True when a closable form is hidden. */
  closed: boolean;
  form: Form;
  setForm: (change: (form: Form) => Form) => void;
  /** An updater for one field, for an input's `onValue`. */
  set: <K extends keyof Form>(key: K) => (value: Form[K]) => void;
  notice: string | null;
  /** Opens a record (null: a blank form for a new one), forgetting the last problem and notice. */
  open: (item: Item | null) => void;
  /** The save, delete and cancel wiring of `AdminForm` (delete only for a stored record). */
  formProps: {
    problem: FormProblem | null;
    notice: string | null;
    saving: boolean;
    onSave: () => void;
    onDelete?: () => void;
    onCancel?: () => void;
  };
}

/**
 * The list-plus-edit-form state machine every record section shares: open a record into
 * the form, save it (PUT `<url>/<key>`, then show what the server stored and reload the
 * list), delete it (DELETE, then a blank or hidden form), and the server's refusal or the
 * outcome as the form's problem or notice.
 */
export function useRecordEditor<Item, Form>(options: RecordEditorOptions<Item, Form>): RecordEditor<Item, Form> {
  const { url, list, keyOf, toForm, emptyForm, newKey, toBody, check, savedNotice, deletedNotice, onSaved, closable = false } = options;
  const [selected, setSelected] = useState<string | null>(null);
  const [closed, setClosed] = useState(false);
  const [form, setForm] = useState<Form>(emptyForm);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const at = (key: string): string => `${url}/${encodeURIComponent(key)}`;

  const open = (item: Item | null): void => {
    setSelected(item === null ? null : keyOf(item));
    setClosed(false);
    setForm(item === null ? emptyForm() : toForm(item));
    setProblem(null);
    setNotice(null);
  };

  // Hiding keeps the notice: it stays in view where the form was.
  const close = (): void => {
    setSelected(null);
    setClosed(true);
  };

  const save = async (): Promise<void> => {
    const key = selected ?? newKey(form).trim();
    const refusal = check?.(key, form) ?? null;
    if (refusal !== null) {
      setProblem(refusal);
      return;
    }
    const body = toBody(form);
    setSaving(true);
    setProblem(null);
    setNotice(null);
    try {
      const saved = await api.put<Item>(at(key), body);
      setSelected(keyOf(saved));
      setClosed(false);
      setForm(toForm(saved));
      setNotice(savedNotice(keyOf(saved)));
      onSaved?.(saved);
      list.reload();
    } catch (err) {
      setProblem(problemFrom(err));
    } finally {
      setSaving(false);
    }
  };

  const remove = async (): Promise<void> => {
    if (selected === null) return;
    const key = selected;
    setSaving(true);
    try {
      await api.del(at(key));
      open(null);
      if (closable) close();
      setNotice(deletedNotice(key));
      list.reload();
    } catch (err) {
      setProblem(problemFrom(err));
    } finally {
      setSaving(false);
    }
  };

  const set = <K extends keyof Form>(key: K) => (value: Form[K]): void => setForm((f) => ({ ...f, [key]: value }));
  const stored = selected !== null;
  const cancel = closable ? close : stored ? () => open(null) : undefined;
  return {
    selected, closed, form, setForm, set, notice, open,
    formProps: {
      problem, notice, saving,
      onSave: () => void save(),
      ...(stored ? { onDelete: () => void remove() } : {}),
      ...(cancel !== undefined ? { onCancel: cancel } : {}),
    },
  };
}

interface FieldProps {
  id: string;
  label: string;
  /** The body path(s) the server names when it refuses this field's value. */
  path?: string | readonly string[];
  hint?: string;
  /** Spans the form's full width. */
  wide?: boolean;
}

function Field(props: FieldProps & { children: ComponentChildren }) {
  const invalid = useInvalid(props.path);
  return (
    <label class={`field${props.wide ? ' wide' : ''}${invalid ? ' invalid' : ''}`} for={props.id}>
      <span>{props.label}</span>
      {props.children}
      {props.hint !== undefined && <small>{props.hint}</small>}
    </label>
  );
}

export function TextInput(props: FieldProps & { value: string; onValue: (v: string) => void; type?: 'text' | 'password'; placeholder?: string; list?: string; disabled?: boolean; autoComplete?: string }) {
  return (
    <Field {...props}>
      <input id={props.id} type={props.type ?? 'text'} value={props.value} placeholder={props.placeholder} list={props.list} disabled={props.disabled}
        autoComplete={props.autoComplete ?? 'off'} onInput={(e) => props.onValue(e.currentTarget.value)} />
    </Field>
  );
}

/** A whole number kept as the text typed (empty: the server's default); `toInteger` reads it. */
export function NumberInput(props: FieldProps & { value: string; onValue: (v: string) => void; min?: number; max?: number; placeholder?: string }) {
  return (
    <Field {...props}>
      <input id={props.id} type="number" step="1" value={props.value} min={props.min} max={props.max} placeholder={props.placeholder}
        onInput={(e) => props.onValue(e.currentTarget.value)} />
    </Field>
  );
}

export function SelectInput(props: FieldProps & { value: string; onValue: (v: string) => void; options: ReadonlyArray<{ value: string; label: string }>; disabled?: boolean }) {
  return (
    <Field {...props}>
      <select id={props.id} value={props.value} disabled={props.disabled} onChange={(e) => props.onValue(e.currentTarget.value)}>
        {props.options.map((o) => <option value={o.value}>{o.label}</option>)}
      </select>
    </Field>
  );
}

export function CheckInput(props: { id: string; label: string; checked: boolean; onValue: (v: boolean) => void; path?: string | readonly string[]; wide?: boolean }) {
  const invalid = useInvalid(props.path);
  return (
    <label class={`field check${props.wide ? ' wide' : ''}${invalid ? ' invalid' : ''}`} for={props.id}>
      <input id={props.id} type="checkbox" checked={props.checked} onChange={(e) => props.onValue(e.currentTarget.checked)} />
      <span>{props.label}</span>
    </label>
  );
}

export function TextArea(props: FieldProps & { value: string; onValue: (v: string) => void; rows?: number; placeholder?: string }) {
  return (
    <Field {...props} wide>
      <textarea id={props.id} rows={props.rows ?? 6} value={props.value} placeholder={props.placeholder} spellcheck={false}
        onInput={(e) => props.onValue(e.currentTarget.value)} />
    </Field>
  );
}

/** The text of a number field as a whole number: undefined when empty; anything else as typed so the server judges it. */
export function toInteger(text: string): number | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : Number(trimmed);
}

/** The line that says why the last save or delete was refused. */
export function ErrorLine(props: { id: string; message: string | null }) {
  return props.message === null ? null : <p class="form-error" role="alert" id={props.id}>{props.message}</p>;
}

/**
 * An edit form: submit runs `onSave`; a refusal shows the server's message above the bar
 * (both in a footer that stays in view) and marks the fields it named. `problem` and `notice` belong to the caller so a list
 * click can clear them.
 */
export function AdminForm(props: {
  id: string;
  title: string;
  problem: FormProblem | null;
  notice?: string | null;
  saving: boolean;
  onSave: () => void;
  onDelete?: () => void;
  onCancel?: () => void;
  children: ComponentChildren;
}) {
  const { t } = useI18n();
  const [confirming, setConfirming] = useState(false);
  useEffect(() => setConfirming(false), [props.title]);
  return (
    <form class="admin-form" id={props.id} noValidate onSubmit={(e) => { e.preventDefault(); props.onSave(); }}>
      <h2>{props.title}</h2>
      <Problem.Provider value={props.problem}>{props.children}</Problem.Provider>
      <div class="form-footer">
        <ErrorLine id={`${props.id}-error`} message={props.problem?.message ?? null} />
        {props.notice && <p class="ok" id={`${props.id}-notice`}>{props.notice}</p>}
        <div class="form-bar">
          <button type="submit" id={`${props.id}-save`} disabled={props.saving}>{props.saving ? t('admSaving') : t('save')}</button>
          {props.onCancel && <button type="button" class="secondary" id={`${props.id}-cancel`} onClick={props.onCancel}>{t('admCancel')}</button>}
          <span class="spacer" />
          {props.onDelete && !confirming && (
            <button type="button" class="danger" id={`${props.id}-delete`} disabled={props.saving} onClick={() => setConfirming(true)}>{t('admDelete')}</button>
          )}
          {props.onDelete && confirming && (
            <>
              <span>{t('admConfirmDelete')}</span>
              <button type="button" class="danger" id={`${props.id}-delete-confirm`} onClick={() => { setConfirming(false); props.onDelete?.(); }}>{t('yes')}</button>
              <button type="button" class="secondary" onClick={() => setConfirming(false)}>{t('no')}</button>
            </>
          )}
        </div>
      </div>
    </form>
  );
}

/** A row of a name → number list (skills with levels, queues with penalties). */
export interface NamedNumber {
  name: string;
  value: string;
}

/**
 * Rows of a name and a number, with add and remove. With `choices` the name is picked
 * from a list (e.g. existing queues); else typed, with `suggestions` offered.
 */
export function NamedNumbersEditor(props: {
  id: string;
  path?: string;
  rows: NamedNumber[];
  onRows: (rows: NamedNumber[]) => void;
  nameLabel: string;
  valueLabel: string;
  addLabel: string;
  min: number;
  max: number;
  defaultValue: string;
  choices?: string[];
  suggestions?: string[];
}) {
  const { t } = useI18n();
  const invalid = useInvalid(props.path);
  const set = (i: number, change: Partial<NamedNumber>): void => props.onRows(props.rows.map((r, j) => (j === i ? { ...r, ...change } : r)));
  const listId = `${props.id}-suggestions`;
  const firstFreeChoice = props.choices?.find((c) => !props.rows.some((r) => r.name === c));
  return (
    <div class={`rows-editor${invalid ? ' invalid' : ''}`} id={props.id}>
      {props.suggestions && <datalist id={listId}>{props.suggestions.map((s) => <option value={s} />)}</datalist>}
      {props.rows.map((row, i) => (
        <div class="row-item" data-row={i} data-name={row.name}>
          {props.choices ? (
            <select class="row-name" aria-label={props.nameLabel} value={row.name} onChange={(e) => set(i, { name: e.currentTarget.value })}>
              {(props.choices.includes(row.name) ? props.choices : [row.name, ...props.choices]).map((c) => <option value={c}>{c}</option>)}
            </select>
          ) : (
            <input class="row-name" aria-label={props.nameLabel} placeholder={props.nameLabel} value={row.name} list={props.suggestions ? listId : undefined}
              onInput={(e) => set(i, { name: e.currentTarget.value })} />
          )}
          <input class="row-value" type="number" step="1" min={props.min} max={props.max} aria-label={props.valueLabel} title={props.valueLabel}
            value={row.value} onInput={(e) => set(i, { value: e.currentTarget.value })} />
          <button type="button" class="secondary small row-remove" title={t('admRemove')} onClick={() => props.onRows(props.rows.filter((_, j) => j !== i))}>✕</button>
        </div>
      ))}
      <div>
        <button type="button" class="secondary small" id={`${props.id}-add`} disabled={props.choices !== undefined && firstFreeChoice === undefined}
          onClick={() => props.onRows([...props.rows, { name: firstFreeChoice ?? '', value: props.defaultValue }])}>+ {props.addLabel}</button>
      </div>
    </div>
  );
}

/** Name → number rows as an object; rows without a name are left out. */
export function namedNumbersToRecord(rows: NamedNumber[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) if (r.name.trim() !== '') out[r.name.trim()] = toInteger(r.value) ?? Number.NaN;
  return out;
}

export function recordToNamedNumbers(record: Record<string, number> | undefined): NamedNumber[] {
  return Object.entries(record ?? {}).map(([name, value]) => ({ name, value: String(value) }));
}

/**
 * The `name`s of a list endpoint, as suggestions for a field (flows, voicemail boxes, trunks).
 * Empty when the service behind it is absent: a suggestion list is a convenience, never a gate.
 */
export function useNames(url: string): string[] {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    let cancelled = false;
    api.get<Array<{ name: string }>>(url).then((list) => { if (!cancelled) setNames(list.map((x) => x.name)); }, logFailure(`reading the names at ${url}`));
    return () => { cancelled = true; };
  }, [url]);
  return names;
}
