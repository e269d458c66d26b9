import { useState } from 'preact/hooks';
import { ApiError, login } from '../api.js';
import type { Me } from '../wire.js';
import { useI18n } from '../i18n/index.js';

export function LoginPage(props: { onLogin(me: Me): void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onLogin(await login(username, password));
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) setError(t('rateLimited', { seconds: err.retryAfterSeconds ?? 60 }));
      else if (err instanceof ApiError && err.status === 401) setError(t('loginFailed'));
      else setError(t('error', { message: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card login" onSubmit={submit}>
      <h1>{t('appName')}</h1>
      <label>{t('username')}<input id="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required /></label>
      <label>{t('password')}<input id="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required /></label>
      {error && <p class="error" role="alert">{error}</p>}
      <button id="sign-in" type="submit" disabled={busy}>{t('signIn')}</button>
    </form>
  );
}
