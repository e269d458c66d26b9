// The web client's entry: restores the session (or shows the login page), holds the
// live-events connection and the language, and routes by role and location hash.
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { currentSession, logout, setUnauthorizedHandler } from './api.js';
import type { Me } from './wire.js';
import { connectLive, type LiveSnapshot } from './live.js';
import { I18n, initialLanguage, languages, rememberLanguage, translator, type Lang } from './i18n/index.js';
import { LoginPage } from './pages/login.js';
import { AgentDesktop } from './pages/agent-desktop.js';
import { MonitorPage } from './pages/monitor.js';
import { ReportsPage } from './pages/reports.js';
import { AdminConsole } from './pages/admin/admin-console.js';
import { WallboardPage } from './pages/wallboard.js';
import { recordingsOfSnapshot, withRecordingChange, type RecordingState } from './pages/desk/recording.js';
import { RecordingsPage } from './pages/recordings/recordings-page.js';

type Page = 'desktop' | 'monitor' | 'wallboard' | 'reports' | 'recordings' | 'admin';

/** Which pages a role may open, the first being its home. */
export function pagesFor(me: Me): Page[] {
  // Recordings: supervisors and admins, and agents where the site lets them hear their own calls.
  if (me.user.role === 'agent') return me.mayHearRecordings ? ['desktop', 'recordings'] : ['desktop'];
  const pages: Page[] = ['monitor', 'wallboard', 'reports'];
  if (me.mayHearRecordings) pages.push('recordings');
  if (me.user.role === 'admin') pages.push('admin');
  if (me.agent !== null) pages.push('desktop');
  return pages;
}

function pageFromHash(allowed: Page[]): Page {
  // '#/admin/flows' opens the admin page (its section is the console's business);
  // '#/recordings?customerId=…' the recordings page (its query is that page's).
  const wanted = location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (allowed as string[]).includes(wanted) ? (wanted as Page) : allowed[0] ?? 'desktop';
}

const navLabels = { desktop: 'navDesktop', monitor: 'navMonitor', wallboard: 'navWallboard', reports: 'navReports', recordings: 'navRecordings', admin: 'navAdmin' } as const;

export interface LiveState {
  snapshot: LiveSnapshot | null; skewMs: number; connected: boolean;
  /** Counts alert_raised / alert_cleared events: pages showing alerts read them again when it changes. */
  alertEvents: number;
  /** Calls being recorded now (from the last snapshot, then the recording_* events since it), by call id. */
  recordings: Record<string, RecordingState>;
}

function App() {
  const [lang, setLang] = useState<Lang>(initialLanguage());
  const i18n = useMemo(() => ({ t: translator(lang), lang }), [lang]);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [live, setLive] = useState<LiveState>({ snapshot: null, skewMs: 0, connected: false, alertEvents: 0, recordings: {} });
  const [page, setPage] = useState<Page>('desktop');
  const t = i18n.t;

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    currentSession().then(setMe, () => setMe(null));
  }, []);
  useEffect(() => {
    if (!me) return;
    const allowed = pagesFor(me);
    setPage(pageFromHash(allowed));
    const onHash = (): void => setPage(pageFromHash(allowed));
    addEventListener('hashchange', onHash);
    const connection = connectLive({
      snapshot: (snapshot, skewMs) => setLive((prev) => ({ ...prev, snapshot, skewMs, recordings: recordingsOfSnapshot(snapshot) })),
      connection: (connected) => setLive((prev) => ({ ...prev, connected })),
      sessionEnded: () => setMe(null),
      alertsChanged: () => setLive((prev) => ({ ...prev, alertEvents: prev.alertEvents + 1 })),
      recordingChanged: (change) => setLive((prev) => ({ ...prev, recordings: withRecordingChange(prev.recordings, change) })),
    });
    return () => {
      removeEventListener('hashchange', onHash);
      connection.close();
      setLive({ snapshot: null, skewMs: 0, connected: false, alertEvents: 0, recordings: {} });
    };
  }, [me]);

  const switcher = (
    <label class="lang">
      {t('language')}{' '}
      <select id="lang" value={lang} onChange={(e) => { const l = (e.currentTarget as HTMLSelectElement).value as Lang; rememberLanguage(l); setLang(l); }}>
        {languages.map((l) => <option value={l.code}>{l.label}</option>)}
      </select>
    </label>
  );

  // The wallboard fills the screen (a TV on the floor): no header, no tabs.
  const fullScreen = me && page === 'wallboard';
  useEffect(() => {
    document.body.classList.toggle('full-screen', Boolean(fullScreen));
  }, [fullScreen]);

  let body;
  if (me === undefined) body = <p class="muted">{t('loading')}</p>;
  else if (me === null) body = <LoginPage onLogin={setMe} />;
  else if (fullScreen) body = <WallboardPage live={live} />;
  else {
    const allowed = pagesFor(me);
    body = (
      <>
        <nav class="tabs">
          {allowed.map((p) => (
            <a href={`#/${p}`} class={p === page ? 'active' : ''} data-page={p}>
              {t(navLabels[p])}
            </a>
          ))}
        </nav>
        {page === 'desktop' && <AgentDesktop me={me} live={live} />}
        {page === 'monitor' && <MonitorPage live={live} />}
        {page === 'reports' && <ReportsPage />}
        {page === 'recordings' && <RecordingsPage me={me} />}
        {page === 'admin' && <AdminConsole />}
      </>
    );
  }

  return (
    <I18n.Provider value={i18n}>
      <header class="top">
        <strong class="brand">{t('appName')}</strong>
        {me && <span class={live.connected ? 'live on' : 'live off'}>{live.connected ? t('connected') : t('reconnecting')}</span>}
        <span class="spacer" />
        {me && <span id="whoami">{me.user.displayName} ({me.user.role})</span>}
        {switcher}
        {me && <button id="sign-out" onClick={() => { logout().finally(() => setMe(null)); }}>{t('signOut')}</button>}
      </header>
      <main>{body}</main>
    </I18n.Provider>
  );
}

const root = document.getElementById('root');
if (root) render(<App />, root);
