// What the source-text editors (flows, scripts) share: the item named in the hash
// (`#/admin/<section>/<name>`), the check of the draft while typing, the save of the
// draft with the server's answer, and the lines that show both.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { errorText } from '../../format.js';

/** How long typing must pause before the draft is checked. */
const CHECK_DELAY_MS = 400;

function itemFromHash(section: string): string | null {
  const parts = location.hash.replace(/^#\/?admin\/?/, '').split('/');
  return parts[0] === section && parts[1] ? decodeURIComponent(parts[1]) : null;
}

/** The item of `section` the hash opens (null: the section's list), following hash changes. */
export function useHashItem(section: string): string | null {
  const [open, setOpen] = useState<string | null>(itemFromHash(section));
  useEffect(() => {
    const onHash = (): void => setOpen(itemFromHash(section));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [section]);
  return open;
}

export interface DraftCheck<P> {
  problems: P[];
  checking: boolean;
  /** Shows problems found elsewhere (a refused save) until the next check. */
  show: (problems: P[]) => void;
}

/**
 * Checks the draft once typing pauses; a slower answer to an older draft is dropped.
 * `failed` turns a check that could not run into a problem; `onChecked` sees each answer kept.
 */
export function useDraftCheck<P, R extends { problems: P[] }>(
  source: string | null,
  run: (draft: string) => Promise<R>,
  failed: (message: string) => P,
  onChecked?: (result: R) => void,
): DraftCheck<P> {
  const [check, setCheck] = useState<{ problems: P[]; checking: boolean }>({ problems: [], checking: true });
  const seqRef = useRef(0);
  useEffect(() => {
    if (source === null) return;
    const seq = ++seqRef.current;
    setCheck((c) => ({ ...c, checking: true }));
    const timer = setTimeout(() => {
      run(source).then(
        (result) => {
          if (seq !== seqRef.current) return;
          setCheck({ problems: result.problems, checking: false });
          onChecked?.(result);
        },
        (err: unknown) => { if (seq === seqRef.current) setCheck({ problems: [failed(errorText(err))], checking: false }); },
      );
    }, CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [source]);
  return { ...check, show: (problems) => setCheck({ problems, checking: false }) };
}

export interface DraftSave {
  error: string | null;
  /** What the last save did, until the draft changes. */
  saved: string | null;
  saving: boolean;
  /** Runs `put` (which answers with the line to show); a refusal shows its problems via `onProblems`. */
  save: (put: () => Promise<string>) => Promise<void>;
  /** Forgets the last save's outcome line (the draft changed since). */
  edited: () => void;
}

/** Saving a draft; `problemsOf` reads the problems a refusal names (e.g. a 400's details). */
export function useDraftSave<P>(problemsOf: (err: ApiError) => P[], onProblems: (problems: P[]) => void): DraftSave {
  const [state, setState] = useState<{ error: string | null; saved: string | null; saving: boolean }>({ error: null, saved: null, saving: false });
  const save = async (put: () => Promise<string>): Promise<void> => {
    setState({ error: null, saved: null, saving: true });
    try {
      setState({ error: null, saved: await put(), saving: false });
    } catch (err) {
      const problems = err instanceof ApiError ? problemsOf(err) : [];
      if (problems.length) onProblems(problems);
      setState({ error: errorText(err), saved: null, saving: false });
    }
  };
  return { ...state, save, edited: () => setState((s) => ({ ...s, saved: null })) };
}

/** The toolbar's word on the draft: checking, how many problems, or none. */
export function CheckStatus(props: { id: string; checking: boolean; count: number }) {
  const { t } = useI18n();
  return (
    <span id={props.id} class={props.checking ? 'muted' : props.count ? 'error' : 'ok'} data-state={props.checking ? 'checking' : props.count ? 'problems' : 'ok'}>
      {props.checking ? t('flowChecking') : props.count ? t('flowProblemCount', { count: props.count }) : t('flowNoProblems')}
    </span>
  );
}

/** The last save's refusal (`<prefix>-save-error`) or outcome (`<prefix>-saved`). */
export function SaveOutcome(props: { prefix: string; state: DraftSave }) {
  return (
    <>
      {props.state.error !== null && <p class="form-error" id={`${props.prefix}-save-error`}>{props.state.error}</p>}
      {props.state.saved !== null && <p class="ok" id={`${props.prefix}-saved`}>{props.state.saved}</p>}
    </>
  );
}
