// A ready-made inbox list over useHeraldInbox: category tabs with unread counts, mark all read,
// messages (text only, never HTML) with their action buttons and archive. It marks what it
// shows seen; a click on a message marks it read and opens its url. Style it with the class
// names (`herald-inbox`, `herald-tab`, `herald-message`, `unread`, …) or build your own on the hook.
import { useEffect, useState } from 'react';
import type { InboxAction, InboxMessage } from '../../../src/widget/inbox-connection.js';
import { useHeraldInbox, type HeraldInboxOptions } from './useHeraldInbox.js';

export interface HeraldInboxLabels {
  all: string;
  other: string;
  markAllRead: string;
  archive: string;
  empty: string;
  invalid: string;
  offline: string;
}

export const ENGLISH: HeraldInboxLabels = { all: 'All', other: 'Other', markAllRead: 'Mark all read', archive: 'Archive', empty: 'No notifications yet.', invalid: 'This inbox link has expired.', offline: 'Reconnecting…' };
export const SIMPLIFIED_CHINESE: HeraldInboxLabels = { all: '全部', other: '其他', markAllRead: '全部标为已读', archive: '归档', empty: '暂无通知。', invalid: '此收件箱链接已失效。', offline: '正在重新连接…' };

export interface HeraldInboxProps extends HeraldInboxOptions {
  labels?: HeraldInboxLabels;
  /** After an action was recorded; a link action's url is opened unless this returns false. */
  onAction?: (message: InboxMessage, action: InboxAction) => boolean | void;
}

const openLink = (url: string | null) => {
  if (url && /^https?:/i.test(url)) window.open(url, '_blank', 'noopener');
};

export function HeraldInbox({ labels = ENGLISH, onAction, ...options }: HeraldInboxProps) {
  const inbox = useHeraldInbox(options);
  const [tab, setTab] = useState<string | null | undefined>(undefined);
  const shown = tab === undefined ? inbox.messages : inbox.messages.filter((m) => m.category === tab);
  const unseen = shown.filter((m) => !m.seenAt).map((m) => m.id);

  useEffect(() => {
    if (unseen.length > 0) void inbox.markSeen(unseen);
    // Keyed by the ids, not the array: the same unseen set is marked once.
  }, [unseen.join(',')]);

  const press = async (m: InboxMessage, a: InboxAction) => {
    const pressed = await inbox.press(m.id, a.id);
    if (onAction?.(m, a) !== false) openLink(pressed?.url ?? null);
  };
  const tabs = [{ key: undefined, label: labels.all, unread: inbox.counts.unread }, ...inbox.counts.categories.map((c) => ({ key: c.category, label: c.category ?? labels.other, unread: c.unread }))];

  return (
    <div className="herald-inbox" data-unread={inbox.counts.unread}>
      <div role="tablist">
        {tabs.map((t) => (
          <button key={t.key ?? `\u0000${t.label}`} type="button" role="tab" className="herald-tab" aria-selected={tab === t.key} onClick={() => setTab(t.key)}>
            {t.unread > 0 ? `${t.label} (${t.unread})` : t.label}
          </button>
        ))}
        <button type="button" className="herald-mark-all" onClick={() => void inbox.readAll(tab)}>
          {labels.markAllRead}
        </button>
      </div>
      {inbox.problem && <p className="herald-note">{labels[inbox.problem]}</p>}
      {shown.length === 0 && inbox.ready && <p className="herald-note">{labels.empty}</p>}
      <ul>
        {shown.map((m) => (
          <li key={m.id} data-id={m.id} className={m.readAt ? 'herald-message' : 'herald-message unread'}>
            <div
              className="herald-text"
              onClick={() => {
                void inbox.read(m.id);
                openLink(m.url);
              }}
            >
              <strong>{m.title}</strong>
              <p>{m.body}</p>
            </div>
            {m.actions.map((a) => (
              <button key={a.id} type="button" className="herald-action" onClick={() => void press(m, a)}>
                {a.label}
              </button>
            ))}
            <button type="button" className="herald-archive" onClick={() => void inbox.archive(m.id)}>
              {labels.archive}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
