// Edit one recipient: profile, locale and time zone, identities per channel, group and
// module memberships; and make a signed link to the user's preference center.
import { useState, type ChangeEvent, type FormEvent } from 'react';
import type { User } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useI18n } from '../../i18n/I18nProvider';
import { parseIdentities, userFormOf, userRequestOf, type UserForm } from './userForm';

interface Props {
  /** null: a new user. */
  user: User | null;
  onSaved: (u: User) => void;
  onClose: () => void;
}

export function UserEditor({ user, onSaved, onClose }: Props) {
  const { t } = useI18n();
  const { api, can } = useSession();
  const [id, setId] = useState(user?.id ?? '');
  const [form, setForm] = useState<UserForm>(() => userFormOf(user));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [link, setLink] = useState<string | null>(null);
  const readOnly = !can.manage || (user?.source !== undefined && user.source !== 'api');
  const set = (field: keyof UserForm) => (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    setSaved(false);
    setForm({ ...form, [field]: e.target.value });
  };
  const identitiesOk = parseIdentities(form.identities) !== null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = userRequestOf(user, form);
    if (!body || !id.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const u = await api.putUser(id.trim(), body);
      setSaved(true);
      onSaved(u);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function makeLink() {
    setError(null);
    try {
      setLink((await api.preferenceLink(id.trim())).url);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <form className="card user-editor" data-testid="user-editor" onSubmit={(e) => void submit(e)}>
      <div className="page-header">
        <h2>{user ? t('userEditor.title', { id: user.id }) : t('userEditor.new')}</h2>
        <button type="button" className="secondary small" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      {user?.source && user.source !== 'api' && <p className="notice warn">{t('userEditor.directory', { source: user.source.toUpperCase() })}</p>}
      <fieldset disabled={readOnly || busy}>
        {!user && (
          <label>
            {t('recipients.userId')}
            <input name="id" required value={id} onChange={(e) => setId(e.target.value)} />
          </label>
        )}
        <div className="row">
          <label className="grow">
            {t('recipients.col.name')}
            <input name="name" value={form.name} onChange={set('name')} />
          </label>
          <label className="grow">
            {t('recipients.col.email')}
            <input name="email" type="email" value={form.email} onChange={set('email')} />
          </label>
          <label className="grow">
            {t('recipients.col.phone')}
            <input name="phone" placeholder="+8613800138000" value={form.phone} onChange={set('phone')} />
          </label>
        </div>
        <div className="row">
          <label className="grow">
            {t('recipients.col.locale')}
            <input name="locale" placeholder="zh-CN" value={form.locale} onChange={set('locale')} />
          </label>
          <label className="grow">
            {t('recipients.col.timezone')}
            <input name="timezone" placeholder="Asia/Shanghai" value={form.timezone} onChange={set('timezone')} />
          </label>
        </div>
        <div className="row">
          <label className="grow">
            {t('recipients.groups')}
            <input name="groups" placeholder="staff, beta" value={form.groups} onChange={set('groups')} />
          </label>
          <label className="grow">
            {t('recipients.modules')}
            <input name="modules" value={form.modules} onChange={set('modules')} />
          </label>
        </div>
        <label>
          {t('userEditor.identities')}
          <textarea name="identities" className="code" rows={4} spellCheck={false} value={form.identities} onChange={set('identities')} />
        </label>
        {!identitiesOk && <p className="notice error">{t('userEditor.badIdentities')}</p>}
        <p className="muted small">{t('userEditor.membershipHint')}</p>
      </fieldset>
      <div className="row">
        {!readOnly && (
          <button type="submit" disabled={busy || !identitiesOk || !id.trim()}>
            {t('common.save')}
          </button>
        )}
        {user && can.manage && (
          <button type="button" className="secondary" data-action="preference-link" onClick={() => void makeLink()}>
            {t('userEditor.preferenceLink')}
          </button>
        )}
      </div>
      {saved && <p className="notice good" data-testid="user-saved">{t('userEditor.saved')}</p>}
      {link && (
        <p className="small">
          {t('userEditor.linkMade')}{' '}
          <a href={link} target="_blank" rel="noopener noreferrer" data-testid="preference-link" className="mono break">
            {link}
          </a>
        </p>
      )}
      <ErrorNotice error={error} />
    </form>
  );
}
