// Admin → Users: who may sign in and with which role (GET /api/users), and a form that
// creates a user, changes a display name, role or password, or deletes one
// (PUT/DELETE /api/users/:username; the server refuses deleting yourself or the last admin).
import type { Role, UserView } from '../../wire.js';
import { useI18n } from '../../i18n/index.js';
import { AdminForm, SelectInput, TextInput, useAdminList, useRecordEditor } from './form.js';

interface UserForm {
  username: string;
  displayName: string;
  role: Role;
  password: string;
}

const roles: readonly Role[] = ['agent', 'supervisor', 'admin'];
const emptyForm = (): UserForm => ({ username: '', displayName: '', role: 'agent', password: '' });

const formFromUser = (u: UserView): UserForm => ({ username: u.username, displayName: u.displayName, role: u.role, password: '' });

// No password on an edit keeps the current one; the server says when a new user lacks one.
function bodyFromForm(f: UserForm): Record<string, unknown> {
  return { role: f.role, ...(f.displayName.trim() !== '' ? { displayName: f.displayName.trim() } : {}), ...(f.password !== '' ? { password: f.password } : {}) };
}

export function UsersSection() {
  const { t } = useI18n();
  const users = useAdminList<UserView>('/api/users');
  const { selected, form, set, open, formProps } = useRecordEditor<UserView, UserForm>({
    url: '/api/users', list: users, keyOf: (u) => u.username, toForm: formFromUser, emptyForm, newKey: (f) => f.username, toBody: bodyFromForm,
    check: (username) => (username === '' ? { message: t('admUsernameRequired'), fields: ['username'] } : null),
    savedNotice: (username) => t('admSavedName', { name: username }), deletedNotice: (username) => t('admDeletedName', { name: username }),
  });
  const roleOptions = roles.map((r) => ({ value: r, label: t(`role.${r}`) }));

  return (
    <div class="admin-section" id="admin-users">
      <div class="card">
        <div class="admin-toolbar">
          <h2>{t('adminUsers')}</h2>
          <button type="button" id="user-new" onClick={() => open(null)}>+ {t('admNewUser')}</button>
        </div>
        {users.error && <p class="error">{t('error', { message: users.error })}</p>}
        {users.items === null ? <p class="muted">{t('loading')}</p> : (
          <table class="admin-list" id="user-list">
            <thead><tr><th>{t('username')}</th><th>{t('admDisplayName')}</th><th>{t('admRole')}</th></tr></thead>
            <tbody>
              {users.items.map((u) => (
                <tr class={`selectable${u.username === selected ? ' selected' : ''}`} data-user={u.username} data-role={u.role} onClick={() => open(u)}>
                  <td><button type="button" class="link">{u.username}</button></td>
                  <td>{u.displayName}</td>
                  <td><span class={`chip role-${u.role}`}>{t(`role.${u.role}`)}</span></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      <div class="card form-card">
        <AdminForm id="user-form" title={selected === null ? t('admNewUser') : t('admEditUser', { name: selected })} {...formProps}>
          <div class="fields">
            {selected === null && <TextInput id="user-username" path="username" label={t('username')} value={form.username} onValue={set('username')} hint={t('admUsernameHint')} />}
            <TextInput id="user-displayName" path="displayName" label={t('admDisplayName')} value={form.displayName} onValue={set('displayName')} />
            <SelectInput id="user-role" path="role" label={t('admRole')} value={form.role} onValue={(v) => set('role')(v as Role)} options={roleOptions} />
            <TextInput id="user-password" path="password" type="password" autoComplete="new-password" label={selected === null ? t('password') : t('admNewPassword')}
              value={form.password} onValue={set('password')} hint={selected === null ? t('admPasswordHint') : t('admPasswordKeep')} />
          </div>
        </AdminForm>
      </div>
    </div>
  );
}
