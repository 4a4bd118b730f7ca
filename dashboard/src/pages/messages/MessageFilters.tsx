import { useEffect, useState, type FormEvent } from 'react';
import { CHANNELS, NOTIFICATION_STATUSES, PRIORITIES } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';
import { FILTER_FIELDS, type FilterValues } from './filters';

interface Props {
  values: FilterValues;
  onApply: (values: FilterValues) => void;
}

export function MessageFilters({ values, onApply }: Props) {
  const { t } = useI18n();
  const [draft, setDraft] = useState(values);
  // On a phone the filters fold away behind a button; on a laptop they are always shown.
  const [open, setOpen] = useState(false);
  const active = FILTER_FIELDS.filter((f) => values[f] !== '').length;
  useEffect(() => setDraft(values), [values]);
  const set = (field: keyof FilterValues) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [field]: e.target.value }));
  // Choosing from a list applies at once; typed fields wait for Apply (or Enter).
  const choose = (field: keyof FilterValues) => (e: { target: { value: string } }) => onApply({ ...draft, [field]: e.target.value });

  function submit(e: FormEvent) {
    e.preventDefault();
    onApply(draft);
  }
  const cleared = Object.fromEntries(FILTER_FIELDS.map((f) => [f, ''])) as FilterValues;

  return (
    <div className={open ? 'filters-wrap open' : 'filters-wrap'}>
      <button type="button" className="secondary filters-toggle" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {t('messages.filters')}
        {active > 0 ? ` (${active})` : ''}
      </button>
      <form className="filters card" onSubmit={submit} aria-label={t('messages.filters')} data-testid="message-filters">
        <label>
          {t('messages.from')}
          <input type="date" name="from" value={draft.from} onChange={set('from')} />
        </label>
        <label>
          {t('messages.to')}
          <input type="date" name="to" value={draft.to} onChange={set('to')} />
        </label>
        <label>
          {t('messages.priority')}
          <select name="priority" value={draft.priority} onChange={choose('priority')}>
            <option value="">{t('common.any')}</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`priority.${p}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('messages.status')}
          <select name="status" value={draft.status} onChange={choose('status')}>
            <option value="">{t('common.any')}</option>
            {NOTIFICATION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('messages.channel')}
          <select name="channel" value={draft.channel} onChange={choose('channel')}>
            <option value="">{t('common.any')}</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(`channel.${c}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('messages.category')}
          <input name="category" value={draft.category} onChange={set('category')} />
        </label>
        <label>
          {t('messages.template')}
          <input name="template" value={draft.template} onChange={set('template')} />
        </label>
        <label>
          {t('messages.group')}
          <input name="group" value={draft.group} onChange={set('group')} />
        </label>
        <label>
          {t('messages.module')}
          <input name="module" value={draft.module} onChange={set('module')} />
        </label>
        <label>
          {t('messages.user')}
          <input name="userId" value={draft.userId} onChange={set('userId')} />
        </label>
        <label className="wide">
          {t('messages.q')}
          <input name="q" type="search" placeholder={t('messages.qPlaceholder')} value={draft.q} onChange={set('q')} />
        </label>
        <div className="filter-actions">
          <button type="submit">{t('common.apply')}</button>
          <button type="button" className="secondary" onClick={() => onApply(cleared)}>
            {t('common.clear')}
          </button>
        </div>
      </form>
    </div>
  );
}
