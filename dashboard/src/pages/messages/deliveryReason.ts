// A delivery's reason in plain words: Herald records suppressions as codes (the audience
// policy's reasons) and failures as the provider's own words plus an error type; support
// staff read the sentence, the code stays beside it for whoever searches the logs.
import type { Delivery } from '../../api/types';
import type { MessageKey } from '../../i18n/en';
import type { Translate } from '../../i18n/I18nProvider';

const SUPPRESSED = {
  unknown_user: 'why.unknown_user',
  no_template_content: 'why.no_template_content',
  no_identity: 'why.no_identity',
  invalid_identity: 'why.invalid_identity',
  unsubscribed: 'why.unsubscribed',
  preference_off: 'why.preference_off',
  duplicate: 'why.duplicate',
  frequency_capped: 'why.frequency_capped',
  user_inactive: 'why.user_inactive',
  bounced: 'why.bounced',
} as const satisfies Record<string, MessageKey>;

const QUIET_HOURS = 'quiet_hours_deferred_until:';

export function deliveryReason(d: Pick<Delivery, 'status' | 'reason'>, t: Translate, formatTime: (iso: string) => string): string | null {
  const reason = d.reason;
  if (reason === null) return null;
  if (reason.startsWith(QUIET_HOURS)) return t('why.quietHours', { until: formatTime(reason.slice(QUIET_HOURS.length)) });
  if (d.status === 'suppressed') return reason in SUPPRESSED ? t(SUPPRESSED[reason as keyof typeof SUPPRESSED]) : reason;
  if (d.status === 'failed' || d.status === 'bounced' || d.status === 'complained') return t(`why.status.${d.status}`, { words: reason });
  return reason;
}
