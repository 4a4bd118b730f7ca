import { LANGUAGES, useI18n, type Language } from '../i18n/I18nProvider';

export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <label className="language-switch">
      <span className="sr-only">{t('lang.label')}</span>
      <select aria-label={t('lang.label')} data-testid="language" value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}
