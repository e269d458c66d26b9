// The supervisor's listen / whisper / barge controls for one agent's call, what they
// read: the agents' connected calls (held, consult) and the monitors in progress.
// Tenor rings the supervisor's softphone (or the number typed on the monitor page) and
// answers once they hear the call; changing mode keeps the same monitor, Stop ends it
// (docs/web-client.md).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { errorText } from '../format.js';
import { callUrl } from './call-controls.js';
import type { ConnectedCallView, MonitorMode, MonitorView } from '../wire.js';
import { logFailure } from '../log.js';

const modes: readonly MonitorMode[] = ['listen', 'whisper', 'barge'];
const modeButtonKeys = { listen: 'monitorListen', whisper: 'monitorWhisper', barge: 'monitorBarge' } as const;
const modeStatusKeys = { listen: 'monitorListening', whisper: 'monitorWhispering', barge: 'monitorBarging' } as const;
/** Snapshots can follow each other quickly while calls move: fetch once they settle. */
const settleMs = 200;

/**
 * The connected call of each agent on a call (GET /api/agents/:login/call), fetched again
 * whenever the live snapshot changes (any event: hold, consult, monitor started…).
 * Agents whose call has just ended are left out.
 */
export function useCallViews(onCall: Array<{ login: string; callId: string }>, snapshotAt: string): Record<string, ConnectedCallView> {
  const [views, setViews] = useState<Record<string, ConnectedCallView>>({});
  const key = JSON.stringify(onCall);
  useEffect(() => {
    const wanted = JSON.parse(key) as Array<{ login: string; callId: string }>;
    if (wanted.length === 0) { setViews({}); return; }
    let cancelled = false;
    const timer = setTimeout(() => {
      Promise.all(wanted.map(async ({ login }) => {
        try {
          return [[login, await api.get<ConnectedCallView>(callUrl(login))] as const];
        } catch (err) {
          // 404: the call ended between the snapshot and this request.
          if (err instanceof ApiError && err.status === 404) return [];
          throw err;
        }
      })).then((pairs) => { if (!cancelled) setViews(Object.fromEntries(pairs.flat())); }, logFailure('reading the connected calls'));
    }, settleMs);
    return () => { cancelled = true; clearTimeout(timer); };
  }, [key, snapshotAt]);
  return views;
}

/** Every monitor in progress, fetched again whenever the live snapshot changes or `refresh` is called. */
export function useMonitors(snapshotAt: string): { monitors: MonitorView[]; refresh(): void } {
  const [monitors, setMonitors] = useState<MonitorView[]>([]);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      api.get<MonitorView[]>('/api/monitors').then((list) => { if (!cancelled) setMonitors(list); }, logFailure('reading the monitors'));
    }, settleMs);
    return () => { cancelled = true; clearTimeout(timer); };
  }, [snapshotAt, generation]);
  return { monitors, refresh: () => setGeneration((n) => n + 1) };
}

/** The buttons for one agent on a call; `monitors` are those of this agent's call. */
export function MonitorControls(props: { login: string; monitors: MonitorView[]; me: string; device: string; onChanged(): void; onError(message: string | null): void }) {
  const { t } = useI18n();
  const [answer, setAnswer] = useState<{ id: string; mode: MonitorMode } | null | undefined>(undefined);
  const [busy, setBusy] = useState<'ringing' | 'changing' | null>(null);
  const monitorsKey = JSON.stringify(props.monitors);
  // The server's list is the truth once it is fetched again after an action.
  useEffect(() => setAnswer(undefined), [monitorsKey]);

  const fromList = props.monitors.find((m) => m.supervisor === props.me) ?? null;
  const mine = answer === undefined ? fromList : answer;
  const others = props.monitors.filter((m) => m.supervisor !== props.me);

  const act = (request: Promise<MonitorView | undefined>, phase: 'ringing' | 'changing'): void => {
    props.onError(null);
    setBusy(phase);
    request.then((result) => {
      setAnswer(result === undefined ? null : { id: result.id, mode: result.mode });
      props.onChanged();
    }, (err: unknown) => props.onError(t('error', { message: errorText(err) }))).finally(() => setBusy(null));
  };
  const choose = (mode: MonitorMode): void => {
    if (mine !== null) { act(api.post<MonitorView>(`/api/monitors/${encodeURIComponent(mine.id)}`, { mode }), 'changing'); return; }
    const device = props.device.trim();
    // The server answers once the supervisor's phone is answered: meanwhile it rings.
    act(api.post<MonitorView>(callUrl(props.login, 'monitor'), device === '' ? { mode } : { mode, device: { number: device } }), 'ringing');
  };
  const stop = (): void => {
    if (mine !== null) act(api.del(`/api/monitors/${encodeURIComponent(mine.id)}`).then(() => undefined), 'changing');
  };

  return (
    <div class="monitor-controls" data-agent={props.login} data-mode={mine?.mode ?? 'none'}>
      {modes.map((mode) => (
        <button class={`monitor-mode${mine?.mode === mode ? ' active' : ''}`} data-mode={mode} aria-pressed={mine?.mode === mode}
          disabled={busy !== null || mine?.mode === mode} onClick={() => choose(mode)}>{t(modeButtonKeys[mode])}</button>
      ))}
      {mine !== null && <button class="monitor-stop" disabled={busy !== null} onClick={stop}>{t('stopMonitor')}</button>}
      {busy === 'ringing' && <span class="monitor-status ringing" data-mode="ringing">{t('monitorRinging')}</span>}
      {mine !== null && <span class="monitor-status" data-mode={mine.mode}>{t(modeStatusKeys[mine.mode])}</span>}
      {others.map((m) => <span class="muted monitor-other">{t('monitoredBy', { supervisor: m.supervisor, mode: t(modeStatusKeys[m.mode]) })}</span>)}
    </div>
  );
}
