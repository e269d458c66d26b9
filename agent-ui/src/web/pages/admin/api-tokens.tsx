// Admin → API tokens: the tokens integrations use (GET /api/tokens, never their
// secrets), a form that makes one bound to a role (POST /api/tokens; the secret is
// shown here once and never again) and a revoke button per token (DELETE
// /api/tokens/:id, effective on the token's next request). docs/access.md, "API tokens".
import { useState } from 'preact/hooks';
import type { ApiTokenView, CreatedApiToken, Role } from '../../wire.js';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { problemFrom, SelectInput, TextInput, useAdminList, type FormProblem } from './form.js';

const roles: readonly Role[] = ['agent', 'supervisor', 'admin'];

interface TokenForm {
  name: string;
  role: Role;
  agent: string;
  /** A date (YYYY-MM-DD) the token stops working at the start of, or '' for none. */
  expires: string;
}

const emptyForm = (): TokenForm => ({ name: '', role: 'agent', agent: '', expires: '' });

function bodyFromForm(f: TokenForm): Record<string, unknown> {
  return {
    name: f.name.trim(), role: f.role,
    ...(f.role === 'agent' ? { agent: f.agent.trim() } : {}),
    // An unreadable date is sent as typed: the server names the field.
    ...(f.expires.trim() !== '' ? { expiresAt: Number.isNaN(Date.parse(f.expires)) ? f.expires : new Date(f.expires).toISOString() } : {}),
  };
}

const when = (iso: string | undefined): string => (iso === undefined ? '—' : new Date(iso).toLocaleString());

export function ApiTokensSection() {
  const { t } = useI18n();
  const tokens = useAdminList<ApiTokenView>('/api/tokens');
  const [form, setForm] = useState<TokenForm>(emptyForm());
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof TokenForm>(key: K) => (value: TokenForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const roleOptions = roles.map((r) => ({ value: r, label: t(`role.${r}`) }));

  const create = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setCreated(null);
    try {
      setCreated(await api.post<CreatedApiToken>('/api/tokens', bodyFromForm(form)));
      setProblem(null);
      setForm(emptyForm());
      tokens.reload();
    } catch (err) {
      setProblem(problemFrom(err));
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (token: ApiTokenView): Promise<void> => {
    if (!confirm(t('admTokenRevokeConfirm', { name: token.name }))) return;
    try {
      await api.del(`/api/tokens/${token.id}`);
      setProblem(null);
    } catch (err) {
      setProblem(problemFrom(err));
    }
    tokens.reload();
  };

  return (
    <div class="admin-section" id="admin-api-tokens">
      <div class="card">
        <div class="admin-toolbar"><h2>{t('adminApiTokens')}</h2></div>
        <p class="muted">{t('admTokensIntro')}</p>
        {tokens.error && <p class="error">{t('error', { message: tokens.error })}</p>}
        {tokens.items === null ? <p class="muted">{t('loading')}</p> : (
          <table class="admin-list" id="token-list">
            <thead>
              <tr><th>{t('admTokenName')}</th><th>{t('admRole')}</th><th>{t('admTokenAgent')}</th><th>{t('admTokenCreated')}</th><th>{t('admTokenExpires')}</th><th>{t('admTokenLastUsed')}</th><th>{t('admTokenStatus')}</th><th /></tr>
            </thead>
            <tbody>
              {tokens.items.map((token) => (
                <tr data-token={token.id} data-status={token.status}>
                  <td>{token.name}</td>
                  <td><span class={`chip role-${token.role}`}>{t(`role.${token.role}`)}</span></td>
                  <td>{token.agent ?? '—'}</td>
                  <td>{when(token.createdAt)} · {token.createdBy}</td>
                  <td>{when(token.expiresAt)}</td>
                  <td>{when(token.lastUsedAt)}</td>
                  <td>{t(`admTokenStatus.${token.status}`)}</td>
                  <td>{token.status === 'active' && <button type="button" class="danger" data-revoke={token.id} onClick={() => void revoke(token)}>{t('admTokenRevoke')}</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      <div class="card form-card">
        <form id="token-form" noValidate onSubmit={(e) => void create(e)}>
          <h2>{t('admNewToken')}</h2>
          <div class="fields">
            <TextInput id="token-name" path="name" label={t('admTokenName')} value={form.name} onValue={set('name')} />
            <SelectInput id="token-role" path="role" label={t('admRole')} value={form.role} onValue={(v) => set('role')(v as Role)} options={roleOptions} />
            {form.role === 'agent' && <TextInput id="token-agent" path="agent" label={t('admTokenAgent')} value={form.agent} onValue={set('agent')} hint={t('admTokenAgentHint')} />}
            <TextInput id="token-expires" path="expiresAt" label={t('admTokenExpires')} value={form.expires} onValue={set('expires')} placeholder="YYYY-MM-DD" hint={t('admTokenExpiresHint')} />
          </div>
          {problem && <p class="error" id="token-problem">{problem.message}</p>}
          <div class="form-actions"><button type="submit" id="token-create" disabled={busy}>{t('admTokenCreate')}</button></div>
        </form>
        {created && (
          <div class="notice" id="token-secret">
            <p>{t('admTokenShownOnce', { name: created.name })}</p>
            <code>{created.secret}</code>
          </div>
        )}
      </div>
    </div>
  );
}
