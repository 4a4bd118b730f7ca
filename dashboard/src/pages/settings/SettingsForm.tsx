import { useState, type FormEvent, type ReactNode } from 'react';
import { INLINE_RECIPIENT_MODES, type TenantSettings } from '../../api/types';
import { useSession } from '../../auth/SessionProvider';
import { useI18n } from '../../i18n/I18nProvider';
import type { MessageKey } from '../../i18n/en';
import { RefusalNotice } from './RefusalNotice';
import { changedFields, draftOf, type SettingsDraft } from './settingsDraft';

type TextField = Exclude<keyof SettingsDraft, 'tracking' | 'inlineRecipients' | 'sendWindowStart' | 'sendWindowEnd' | 'outboundAllowlist'>;

// The plain fields in the order the page shows them; a number field takes digits only.
const TEXT_FIELDS: readonly { field: TextField; numeric: boolean }[] = [
  { field: 'name', numeric: false },
  { field: 'timezone', numeric: false },
  { field: 'bulkThreshold', numeric: true },
  { field: 'dailyQuota', numeric: true },
  { field: 'approvalTimeoutSeconds', numeric: true },
  { field: 'dedupWindowSeconds', numeric: true },
  { field: 'maxAttachmentBytes', numeric: true },
  { field: 'retentionDays', numeric: true },
  { field: 'ephemeralRecipientSeconds', numeric: true },
];

/** One setting: its label, its input and the short explanation the input is described by. */
function Setting({ field, hint, children }: { field: string; hint: string; children: (describedBy: string) => ReactNode }) {
  const id = `setting-${field}-hint`;
  return (
    <div className="setting" data-field={field}>
      {children(id)}
      <p className="muted small" id={id}>
        {hint}
      </p>
    </div>
  );
}

/**
 * Every tenant setting with its explanation. A key with `admin` edits them and saves only
 * what it changed (PATCH /v1/tenant); any other key sees them read-only.
 */
export function SettingsForm({ tenant, onSaved }: { tenant: TenantSettings; onSaved: (t: TenantSettings, fields: string[]) => void }) {
  const { t } = useI18n();
  const { api, can } = useSession();
  const [draft, setDraft] = useState<SettingsDraft>(() => draftOf(tenant));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [unchanged, setUnchanged] = useState(false);
  const set = <K extends keyof SettingsDraft>(field: K, value: SettingsDraft[K]) => setDraft((d) => ({ ...d, [field]: value }));
  const label = (field: string) => t(`settings.${field}` as MessageKey);
  const hint = (field: string) => t(`settings.${field}Hint` as MessageKey);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const patch = changedFields(tenant, draft);
    const fields = Object.keys(patch);
    setUnchanged(fields.length === 0);
    if (fields.length === 0) return;
    setBusy(true);
    try {
      onSaved(await api.patchTenant(patch), fields);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={(e) => void submit(e)} data-testid="settings-form" aria-label={t('settings.title')}>
      {!can.admin && (
        <p className="notice warn" data-testid="settings-read-only">
          {t('settings.readOnly')}
        </p>
      )}
      <fieldset className="settings" disabled={!can.admin || busy}>
        <legend className="sr-only">{t('settings.title')}</legend>
        {TEXT_FIELDS.map(({ field, numeric }) => (
          <Setting key={field} field={field} hint={hint(field)}>
            {(describedBy) => (
              <label>
                {label(field)}
                <input name={field} inputMode={numeric ? 'numeric' : undefined} value={draft[field]} onChange={(e) => set(field, e.target.value)} aria-describedby={describedBy} />
              </label>
            )}
          </Setting>
        ))}
        <Setting field="inlineRecipients" hint={hint('inlineRecipients')}>
          {(describedBy) => (
            <label>
              {label('inlineRecipients')}
              <select name="inlineRecipients" value={draft.inlineRecipients} onChange={(e) => set('inlineRecipients', e.target.value as SettingsDraft['inlineRecipients'])} aria-describedby={describedBy}>
                {INLINE_RECIPIENT_MODES.map((m) => (
                  <option key={m} value={m}>
                    {t(`settings.inlineRecipients.${m}`)}
                  </option>
                ))}
              </select>
            </label>
          )}
        </Setting>
        <Setting field="tracking" hint={hint('tracking')}>
          {(describedBy) => (
            <label className="inline">
              <input type="checkbox" name="tracking" checked={draft.tracking} onChange={(e) => set('tracking', e.target.checked)} aria-describedby={describedBy} />
              {label('tracking')}
            </label>
          )}
        </Setting>
        <Setting field="sendWindow" hint={hint('sendWindow')}>
          {(describedBy) => (
            <div className="row">
              <label>
                {t('settings.sendWindowStart')}
                <input name="sendWindowStart" placeholder="08:00" value={draft.sendWindowStart} onChange={(e) => set('sendWindowStart', e.target.value)} aria-describedby={describedBy} />
              </label>
              <label>
                {t('settings.sendWindowEnd')}
                <input name="sendWindowEnd" placeholder="20:00" value={draft.sendWindowEnd} onChange={(e) => set('sendWindowEnd', e.target.value)} aria-describedby={describedBy} />
              </label>
            </div>
          )}
        </Setting>
        <Setting field="outboundAllowlist" hint={hint('outboundAllowlist')}>
          {(describedBy) => (
            <label>
              {label('outboundAllowlist')}
              <textarea name="outboundAllowlist" rows={3} value={draft.outboundAllowlist} onChange={(e) => set('outboundAllowlist', e.target.value)} aria-describedby={describedBy} />
            </label>
          )}
        </Setting>
      </fieldset>
      {can.admin && (
        <div className="row">
          <button type="submit" disabled={busy}>
            {t('settings.save')}
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => setDraft(draftOf(tenant))}>
            {t('settings.undo')}
          </button>
        </div>
      )}
      {unchanged && (
        <p className="notice" role="status" data-testid="settings-unchanged">
          {t('settings.unchanged')}
        </p>
      )}
      <RefusalNotice error={error} />
    </form>
  );
}
