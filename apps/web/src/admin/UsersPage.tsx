import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Roles, User } from '@rs/protocol';
import { api } from '../app/api.js';
import { Check, Field, Notice, Page } from '../app/ui.js';
import { useAction } from '../app/useAction.js';
import { useT } from '../i18n/index.js';

const NO_ROLES: Roles = { admin: false, rep: true, agent: false };

function UserForm({ user, onDone }: { user: User | null; onDone(msg: string): void }) {
  const t = useT();
  const [name, setName] = useState(user?.name ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<Roles>(user?.roles ?? NO_ROLES);
  const { run, busy, error } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      if (user) {
        await api.patch(`/api/users/${user.id}`, { name, email, roles, ...(password ? { password } : {}) });
        onDone(t('common.saved'));
      } else {
        await api.post('/api/users', { name, email, password, roles });
        setName('');
        setEmail('');
        setPassword('');
        setRoles(NO_ROLES);
        onDone(t('users.added', { name }));
      }
    });
  };
  return (
    <form onSubmit={submit} className="form" aria-label={user ? t('users.editing', { name: user.name }) : t('users.add')}>
      <Field label={t('users.name')} required value={name} onChange={(e) => setName(e.target.value)} />
      <Field label={t('users.email')} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <Field
        label={user ? t('users.passwordKeep') : t('users.password')}
        type="password"
        autoComplete="new-password"
        required={!user}
        minLength={8}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <fieldset>
        <legend>{t('users.roles')}</legend>
        <Check label={t('users.admin')} checked={roles.admin} onChange={(e) => setRoles({ ...roles, admin: e.target.checked })} />
        <Check label={t('users.rep')} checked={roles.rep} onChange={(e) => setRoles({ ...roles, rep: e.target.checked, agent: e.target.checked && roles.agent })} />
        <Check label={t('users.agent')} checked={roles.agent} disabled={!roles.rep} onChange={(e) => setRoles({ ...roles, agent: e.target.checked })} />
      </fieldset>
      {error && <Notice kind="error">{error}</Notice>}
      <button type="submit" disabled={busy}>
        {user ? t('common.save') : t('users.add')}
      </button>
    </form>
  );
}

export function UsersPage() {
  const t = useT();
  const [users, setUsers] = useState<User[] | null>(null);
  const [editing, setEditing] = useState<User | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const { run, error } = useAction();
  const load = useCallback(() => {
    void run(async () => setUsers((await api.get<{ users: User[] }>('/api/users')).users));
  }, [run]);
  useEffect(load, [load]);
  const roleText = (r: Roles) =>
    [r.admin && t('users.admin'), r.rep && t('users.rep'), r.agent && t('users.agent')].filter(Boolean).join(', ');
  return (
    <Page title={t('users.heading')} wide>
      {message && <Notice kind="success">{message}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      {users && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('users.name')}</th>
              <th scope="col">{t('users.email')}</th>
              <th scope="col">{t('users.roles')}</th>
              <th scope="col">{t('users.status')}</th>
              <th scope="col">{t('users.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>{u.name}</td>
                <td>{u.email}</td>
                <td>{roleText(u.roles)}</td>
                <td>{u.disabled ? t('users.disabled') : t('users.active')}</td>
                <td className="row">
                  {/* The name is added as hidden text, not as aria-label: the accessible name must
                      contain the visible word in every language (WCAG 2.5.3 Label in Name). */}
                  <button type="button" className="secondary" onClick={() => setEditing(u)}>
                    {t('users.edit')}
                    <span className="visually-hidden"> {u.name}</span>
                  </button>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() =>
                      void run(async () => {
                        await api.patch(`/api/users/${u.id}`, { disabled: !u.disabled });
                        load();
                      })
                    }
                  >
                    {u.disabled ? t('users.enable') : t('users.disable')}
                    <span className="visually-hidden"> {u.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="two-col">
        <section aria-labelledby="add-user-h">
          <h2 id="add-user-h">{t('users.add')}</h2>
          <UserForm
            user={null}
            onDone={(m) => {
              setMessage(m);
              load();
            }}
          />
        </section>
        {editing && (
          <section aria-labelledby="edit-user-h">
            <h2 id="edit-user-h">{t('users.editing', { name: editing.name })}</h2>
            <UserForm
              key={editing.id}
              user={editing}
              onDone={(m) => {
                setMessage(m);
                setEditing(null);
                load();
              }}
            />
          </section>
        )}
      </div>
    </Page>
  );
}
