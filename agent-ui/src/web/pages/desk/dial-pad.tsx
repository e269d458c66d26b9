// The agent's dial pad: type or paste a number in any format (the server
// normalises it to E.164 for the site's country), press Call; the agent's own
// phone rings first, then the customer's. Shows the call's progress from the
// agent's live state: ringing you, ringing the customer, connected, or failed
// with the server's reason. Other components' "Call" buttons (customer page,
// history, callbacks) dispatch the DOM event `tenor:dial` (dial.ts), which
// places the call here, so no component imports another's.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { errorText } from '../../format.js';
import { DIAL_EVENT, type DialRequest } from './dial.js';

/** Dispatched on `window` when a call placed here was connected or failed (a callback list reloads). */
export const DIALED_EVENT = 'tenor:dialed';

const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

type Progress =
  | { step: 'idle' }
  | { step: 'placing'; number: string }
  | { step: 'connected'; number: string; customer: string | null }
  | { step: 'failed'; message: string };

interface Placed { recordId: string; number: string; customer: { id: string; name: string | null } | null }

function isDialRequest(detail: unknown): detail is DialRequest {
  return typeof detail === 'object' && detail !== null && typeof (detail as { number?: unknown }).number === 'string';
}

export function DialPad(props: { login: string; state: string }) {
  const { t } = useI18n();
  const [number, setNumber] = useState('');
  const [progress, setProgress] = useState<Progress>({ step: 'idle' });
  const input = useRef<HTMLInputElement>(null);
  // The agent may take a call from ready, a break or wrap-up; the server says why otherwise.
  const canCall = progress.step !== 'placing' && props.state !== 'offered' && props.state !== 'on-call' && props.state !== 'logged-out';

  const place = (req: DialRequest): void => {
    const typed = req.number.trim();
    // One call at a time: a second Call while one is being placed would only be refused (agent busy) and hide the first's progress.
    if (typed === '' || progress.step === 'placing') return;
    setNumber(typed);
    setProgress({ step: 'placing', number: typed });
    const body = { number: typed, ...(req.customerId !== undefined ? { customerId: req.customerId } : {}), ...(req.callbackId !== undefined ? { callbackId: req.callbackId } : {}) };
    api.post<Placed>(`/api/agents/${encodeURIComponent(props.login)}/calls`, body).then(
      (placed) => setProgress({ step: 'connected', number: placed.number, customer: placed.customer?.name ?? null }),
      (err: unknown) => setProgress({ step: 'failed', message: errorText(err) }),
    ).finally(() => window.dispatchEvent(new CustomEvent(DIALED_EVENT)));
  };

  // `place` changes every render; the listener reads the latest through a ref.
  const placeRef = useRef(place);
  placeRef.current = place;
  useEffect(() => {
    const onDial = (e: Event): void => {
      const detail = (e as CustomEvent<unknown>).detail;
      if (isDialRequest(detail)) placeRef.current(detail);
    };
    window.addEventListener(DIAL_EVENT, onDial);
    return () => window.removeEventListener(DIAL_EVENT, onDial);
  }, []);

  // The connected call ended (wrap-up or ready again): the pad is free for the next one.
  useEffect(() => {
    if (progress.step === 'connected' && props.state !== 'on-call') setProgress({ step: 'idle' });
  }, [props.state]);

  const status = progress.step === 'placing'
    ? (props.state === 'on-call' ? t('dialRingingCustomer', { number: progress.number }) : t('dialRingingYou'))
    : progress.step === 'connected' ? t('dialConnected', { number: progress.customer ?? progress.number })
      : progress.step === 'failed' ? t('dialFailed', { message: progress.message }) : null;
  const step = progress.step === 'placing' ? (props.state === 'on-call' ? 'ringing-customer' : 'ringing-agent') : progress.step;

  return (
    <section class="card dial-pad" id="dial-pad" aria-labelledby="dial-pad-title">
      <h2 id="dial-pad-title">{t('dialPad')}</h2>
      <form class="row" onSubmit={(e) => { e.preventDefault(); place({ number }); }}>
        <input
          id="dial-number" ref={input} type="tel" inputMode="tel" autoComplete="tel" aria-label={t('dialNumber')} placeholder={t('dialNumber')}
          value={number} onInput={(e) => setNumber(e.currentTarget.value)}
        />
        <button id="dial-call" data-testid="call-dial-pad" type="submit" disabled={!canCall || number.trim() === ''}>{t('dialCall')}</button>
        <button id="dial-clear" type="button" onClick={() => { setNumber(''); input.current?.focus(); }}>{t('dialClear')}</button>
      </form>
      <div class="keypad" role="group" aria-label={t('phoneKeypad')}>
        {keys.map((k) => <button type="button" class="dial-key" data-key={k} onClick={() => setNumber((n) => n + k)}>{k}</button>)}
      </div>
      {status !== null && <p id="dial-status" data-step={step} role="status" aria-live="polite" class={progress.step === 'failed' ? 'error' : 'muted'}>{status}</p>}
    </section>
  );
}
