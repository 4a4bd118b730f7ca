// Sizes Herald measured while rendering the preview, against each channel's limits: SMS
// encoding and segments, the email's HTML bytes, push payload bytes before and after
// encryption, in-app, chat and webhook bytes.
import type { PreviewChannels } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

const kb = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`);

export function ChannelCounters({ channels }: { channels: PreviewChannels }) {
  const { t } = useI18n();
  const rows: { channel: string; text: string; warn?: boolean }[] = [];
  if (channels.email) rows.push({ channel: 'email', text: t('counters.email', { size: kb(channels.email.htmlBytes) }) });
  if (channels.sms) {
    const s = channels.sms;
    rows.push({ channel: 'sms', text: t('counters.sms', { characters: s.characters, encoding: s.encoding, segments: s.segments }), warn: s.segments > 1 });
  }
  if (channels.push) {
    const p = channels.push;
    rows.push({ channel: 'push', text: t('counters.push', { size: p.payloadBytes }), warn: p.tooLongFor.length > 0 });
  }
  if (channels.inapp) rows.push({ channel: 'inapp', text: t('counters.bytes', { size: kb(channels.inapp.bytes) }) });
  if (channels.chat) {
    const c = channels.chat;
    rows.push({ channel: 'chat', text: t('counters.chat', { characters: c.characters, size: kb(c.bytes) }), warn: c.tooLongFor.length > 0 });
  }
  if (channels.webhook) rows.push({ channel: 'webhook', text: t('counters.bytes', { size: kb(channels.webhook.bytes) }) });
  if (rows.length === 0) return null;
  return (
    <dl className="counters" data-testid="channel-counters">
      {rows.map((r) => (
        <div key={r.channel} data-channel={r.channel} className={r.warn ? 'warn' : undefined}>
          <dt>{t(`channel.${r.channel as 'email'}`)}</dt>
          <dd>{r.text}</dd>
        </div>
      ))}
    </dl>
  );
}
