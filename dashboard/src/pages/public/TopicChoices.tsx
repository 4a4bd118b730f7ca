// The preference center's topics: one toggle per self-service topic of the tenant.
import type { PreferenceCenter } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

interface Props {
  center: PreferenceCenter;
  busy: boolean;
  /** `shown`: the page as it will be once the server agrees. */
  onChange: (topic: string, on: boolean, shown: PreferenceCenter) => void;
}

export function TopicChoices({ center, busy, onChange }: Props) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="prefs-topics-title" data-testid="prefs-topics">
      <h2 id="prefs-topics-title">{t('prefs.topics')}</h2>
      <p className="muted">{t('prefs.topicsIntro')}</p>
      <ul style={{ listStyle: 'none', paddingLeft: 0 }}>
        {center.topics.map((topic) => {
          const describedBy = topic.description ? `topic-desc-${topic.id}` : undefined;
          return (
            <li key={topic.id} data-topic={topic.id} data-subscribed={String(topic.subscribed)}>
              <label className="inline">
                <input
                  type="checkbox"
                  checked={topic.subscribed}
                  disabled={busy}
                  aria-describedby={describedBy}
                  onChange={(e) => {
                    const on = e.target.checked;
                    onChange(topic.id, on, { ...center, topics: center.topics.map((x) => (x.id === topic.id ? { ...x, subscribed: on } : x)) });
                  }}
                />{' '}
                <strong>{topic.name}</strong>
              </label>{' '}
              <span className="muted small">{topic.subscribed ? t('prefs.topicOn') : t('prefs.topicOff')}</span>
              {topic.description && (
                <p className="muted small" id={describedBy}>
                  {topic.description}
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
