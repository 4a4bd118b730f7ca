import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useI18n } from '../../i18n/I18nProvider';

/** Opens a user's page (profile and delivery history) by id. */
export function UserLookup() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [id, setId] = useState('');

  function submit(e: FormEvent) {
    e.preventDefault();
    void navigate(`/recipients/${encodeURIComponent(id.trim())}`);
  }

  return (
    <form className="card" onSubmit={submit}>
      <div className="row">
        <label className="grow">
          {t('recipients.lookup')}
          <input name="userId" value={id} placeholder={t('recipients.userId')} onChange={(e) => setId(e.target.value)} />
        </label>
        <button type="submit" disabled={!id.trim()}>
          {t('common.open')}
        </button>
      </div>
    </form>
  );
}
