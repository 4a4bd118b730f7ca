// The embeddable in-app inbox: one script a customer's page includes, and one element.
//
//   <script src="https://herald.example/dashboard/inbox-widget.js" defer></script>
//   <herald-inbox token="…"></herald-inbox>
//
// `token` comes from the customer's backend (POST /v1/users/{id}/inbox-token, or a JWS it
// signs itself with an inbox signing key); it reads, streams and changes that one user's
// inbox and nothing else, and travels only in the Authorization header (never in a URL).
// Optional attributes: `server` (default: where this script came from) and `lang` (`en` or
// `zh-CN`; default: the page's). The list stays live over server-sent events read with
// fetch (so the header goes along), re-read whenever the stream (re)connects. Opening the
// panel marks the shown messages seen; a click marks one read; tabs per category; action
// buttons; archive. Events for the page: `herald-message`, `herald-action` ({message, action}).
// Plain DOM in a shadow root: no framework, and the host page's styles do not leak in.
import { createInboxConnection, type InboxAction, type InboxConnection, type InboxMessage, type InboxState } from './inbox-connection.js';

const STRINGS = {
  en: { title: 'Notifications', empty: 'No notifications yet.', unread: '{n} unread', all: 'All', other: 'Other', markAllRead: 'Mark all read', archive: 'Archive', invalid: 'This inbox link has expired.', offline: 'Reconnecting…' },
  'zh-CN': { title: '通知', empty: '暂无通知。', unread: '{n} 条未读', all: '全部', other: '其他', markAllRead: '全部标为已读', archive: '归档', invalid: '此收件箱链接已失效。', offline: '正在重新连接…' },
} as const;
type Strings = (typeof STRINGS)[keyof typeof STRINGS];

// Where this script was loaded from, read while it runs (currentScript is null later).
const scriptOrigin = (() => {
  const src = (document.currentScript as HTMLScriptElement | null)?.src;
  try {
    return src ? new URL(src).origin : location.origin;
  } catch {
    return location.origin;
  }
})();

const STYLE = `
:host { all: initial; display: inline-block; position: relative; font: 14px/1.4 system-ui, sans-serif; color: #1f2430; }
button { font: inherit; cursor: pointer; }
button.bell { position: relative; border: 1px solid #d0d5dd; background: #fff; border-radius: 999px; padding: 6px 12px; }
.count { display: inline-block; min-width: 1.4em; margin-left: 6px; padding: 0 6px; border-radius: 999px; background: #d92d20; color: #fff; font-size: 12px; }
.count[hidden] { display: none; }
.panel { position: absolute; right: 0; top: calc(100% + 6px); width: min(380px, 92vw); max-height: 460px; overflow: auto; background: #fff; border: 1px solid #d0d5dd; border-radius: 10px; box-shadow: 0 8px 24px rgba(0,0,0,.12); z-index: 2147483000; }
.panel[hidden] { display: none; }
header { display: flex; justify-content: space-between; align-items: center; padding: 10px 12px; border-bottom: 1px solid #eaecf0; font-weight: 600; }
header button { border: 0; background: none; color: #1570ef; font-size: 12px; }
nav { display: flex; gap: 4px; padding: 6px 8px; border-bottom: 1px solid #eaecf0; overflow-x: auto; }
nav button { border: 1px solid #d0d5dd; background: #fff; border-radius: 999px; padding: 2px 10px; font-size: 12px; white-space: nowrap; }
nav button[aria-selected="true"] { background: #1f2430; color: #fff; border-color: #1f2430; }
ul { list-style: none; margin: 0; padding: 0; }
li { padding: 10px 12px; border-bottom: 1px solid #f2f4f7; cursor: pointer; }
li.unread { background: #f0f6ff; }
li .t { font-weight: 600; }
li .b { color: #475467; margin-top: 2px; }
li .row { display: flex; gap: 6px; flex-wrap: wrap; margin-top: 6px; }
li .row button { border: 1px solid #d0d5dd; background: #fff; border-radius: 6px; padding: 2px 8px; font-size: 12px; }
li .row button.archive { margin-left: auto; color: #667085; border-color: transparent; }
li time { display: block; color: #98a2b3; font-size: 12px; margin-top: 4px; }
.note { padding: 12px; color: #667085; }
`;

class HeraldInbox extends HTMLElement {
  static observedAttributes = ['token', 'server', 'lang'];
  private readonly root = this.attachShadow({ mode: 'open' });
  private connection: InboxConnection | null = null;
  private state: InboxState | null = null;
  private open = false;
  /** The category tab shown; undefined = all. */
  private tab: string | null | undefined = undefined;

  private get strings(): Strings {
    const lang = this.getAttribute('lang') ?? document.documentElement.lang ?? 'en';
    return lang.toLowerCase().startsWith('zh') ? STRINGS['zh-CN'] : STRINGS.en;
  }

  connectedCallback(): void {
    this.render();
    this.connect();
  }
  disconnectedCallback(): void {
    this.connection?.close();
    this.connection = null;
  }
  attributeChangedCallback(name: string, before: string | null, after: string | null): void {
    if (before === after || !this.isConnected) return;
    if (name === 'lang') this.render();
    else this.connect();
  }

  private connect(): void {
    this.connection?.close();
    this.connection = null;
    const token = this.getAttribute('token') ?? '';
    if (!token) return;
    this.connection = createInboxConnection({
      server: (this.getAttribute('server') ?? scriptOrigin).replace(/\/$/, ''),
      token,
      onChange: (state) => {
        this.state = state;
        this.render();
        if (this.open) this.markShownSeen();
      },
      onMessage: (m) => this.dispatchEvent(new CustomEvent('herald-message', { detail: m })),
    });
  }

  private shown(): InboxMessage[] {
    const all = this.state?.messages ?? [];
    return this.tab === undefined ? all : all.filter((m) => m.category === this.tab);
  }

  private markShownSeen(): void {
    const unseen = this.shown().filter((m) => !m.seenAt).map((m) => m.id);
    if (unseen.length > 0) void this.connection?.markSeen(unseen);
  }

  private async press(m: InboxMessage, a: InboxAction): Promise<void> {
    this.dispatchEvent(new CustomEvent('herald-action', { detail: { message: m, action: a } }));
    const pressed = await this.connection?.press(m.id, a.id);
    if (pressed?.url && /^https?:/i.test(pressed.url)) window.open(pressed.url, '_blank', 'noopener');
  }

  private render(): void {
    const s = this.strings;
    const state = this.state;
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) => {
      const node = Object.assign(document.createElement(tag), props);
      node.append(...children);
      return node;
    };
    const button = (text: string, onClick: (e: MouseEvent) => void, props: Partial<HTMLButtonElement> = {}) => {
      const b = el('button', { type: 'button', textContent: text, ...props });
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        onClick(e);
      });
      return b;
    };
    const unread = state?.counts.unread ?? 0;
    const count = el('span', { className: 'count', hidden: unread === 0, textContent: String(unread) });
    count.setAttribute('part', 'count');
    const bell = button(s.title, () => {
      this.open = !this.open;
      this.render();
      if (this.open) this.markShownSeen();
    }, { className: 'bell', title: s.unread.replace('{n}', String(unread)) });
    bell.append(count);
    bell.setAttribute('part', 'button');
    bell.setAttribute('aria-expanded', String(this.open));

    // One tab per category the messages have, each with its unread count.
    const tabs = [{ key: undefined, label: s.all, unread }, ...(state?.counts.categories ?? []).map((c) => ({ key: c.category, label: c.category ?? s.other, unread: c.unread }))];
    const nav = el(
      'nav',
      { role: 'tablist' },
      ...tabs.map((t) => {
        const b = button(t.unread > 0 ? `${t.label} (${t.unread})` : t.label, () => {
          this.tab = t.key;
          this.render();
          this.markShownSeen();
        }, { role: 'tab' } as Partial<HTMLButtonElement>);
        b.setAttribute('aria-selected', String(this.tab === t.key));
        return b;
      }),
    );
    // Text goes in as text (textContent), never as HTML: a message cannot inject markup.
    const items = this.shown().map((m) => {
      const actions = m.actions.map((a) => button(a.label, () => void this.press(m, a), { className: 'action' }));
      const archive = button(s.archive, () => void this.connection?.archive(m.id), { className: 'archive' });
      const li = el(
        'li',
        { className: m.readAt ? '' : 'unread' },
        el('div', { className: 't', textContent: m.title }),
        el('div', { className: 'b', textContent: m.body }),
        el('div', { className: 'row' }, ...actions, archive),
        el('time', { textContent: new Date(m.createdAt).toLocaleString(this.getAttribute('lang') ?? undefined) }),
      );
      li.dataset.id = m.id;
      li.addEventListener('click', () => {
        void this.connection?.read(m.id);
        if (m.url && /^https?:/i.test(m.url)) window.open(m.url, '_blank', 'noopener');
      });
      return li;
    });
    const note = state?.problem ? el('div', { className: 'note', textContent: s[state.problem] }) : null;
    const body = items.length > 0 ? el('ul', {}, ...items) : el('div', { className: 'note', textContent: s.empty });
    const markAll = button(s.markAllRead, () => void this.connection?.readAll(this.tab), { className: 'mark-all' });
    const panel = el('div', { className: 'panel', hidden: !this.open }, el('header', {}, s.title, markAll), nav, ...(note ? [note] : []), body);
    panel.setAttribute('part', 'panel');
    this.root.replaceChildren(el('style', { textContent: STYLE }), bell, panel);
    this.dataset.unread = String(unread);
  }
}

if (!customElements.get('herald-inbox')) customElements.define('herald-inbox', HeraldInbox);
