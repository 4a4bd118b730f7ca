import type { ReactNode } from 'react';
import type { Notification } from '../../api/types';
import { StatusBadge } from '../../components/StatusBadge';
import { useI18n } from '../../i18n/I18nProvider';

export function NotificationFacts({ n }: { n: Notification }) {
  const { t, formatTime } = useI18n();
  const rows: [string, ReactNode][] = [
    [t('detail.status'), <StatusBadge key="s" status={n.status} />],
    [t('detail.kind'), t(`kind.${n.kind}`)],
    [t('detail.priority'), t(`priority.${n.priority}`)],
    [t('detail.category'), n.category ?? '—'],
    [t('detail.template'), `${n.template.key} v${n.template.version}`],
    [t('detail.channels'), n.channels.map((c) => t(`channel.${c}`)).join(', ')],
    [
      t('detail.recipients'),
      [
        ...(n.to.userIds ?? []),
        ...(n.to.groups ?? []).map((g) => t('detail.group', { id: g })),
        ...(n.to.modules ?? []).map((m) => t('detail.module', { id: m })),
        ...(n.to.all ? [t('detail.everyone')] : []),
      ].join(', ') || '—',
    ],
    [t('detail.created'), formatTime(n.createdAt)],
    [t('detail.sendAt'), formatTime(n.sendAt)],
    [t('detail.expiresAt'), formatTime(n.expiresAt)],
    [t('detail.completed'), formatTime(n.completedAt)],
  ];
  if (n.statusReason) rows.push([t('detail.reason'), n.statusReason]);
  if (n.idempotencyKey) rows.push([t('detail.idempotencyKey'), n.idempotencyKey]);
  return (
    <dl className="facts">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
