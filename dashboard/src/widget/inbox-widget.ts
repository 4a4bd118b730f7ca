// The embeddable in-app inbox: one script a customer's page includes, and one element.
//
//   <script src="https://herald.example/dashboard/inbox-widget.js" defer></script>
//   <herald-inbox token="…"></herald-inbox>
//
// `token` comes from the customer's backend (POST /v1/users/{id}/inbox-token, an API key
// with `read`); it reads, streams and marks read that one user's inbox and nothing else.
// Optional attributes: `server` (default: where this script came from) and `lang`
// (`en` or `zh-CN`; default: the page's). The list stays live over server-sent events
// (GET /v1/public/inbox/stream), re-read whenever the stream (re)connects.
// Plain DOM in a shadow root: no framework, and the host page's styles do not leak in.

interface InboxMessage {
  id: string;
  title: string;
  body: string;
  url: string | null;
  createdAt: string;
  readAt: string | null;
}

const STRINGS = {
  en: { title: 'Notifications', empty: 'No notifications yet.', unread: '{n} unread', markRead: 'Mark read', invalid: 'This inbox link has expired.', offline: 'Reconnecting…' },
  'zh-CN': { title: '通知', empty: '暂无通知。', unread: '{n} 条未读', markRead: '标为已读', invalid: '此收件箱链接已失效。', offline: '正在重新连接…' },
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
button.bell { position: relative; border: 1px solid #d0d5dd; background: #fff; border-radius: 999px; padding: 6px 12px; cursor: pointer; font: inherit; }
.count { display: inline-block; min-width: 1.4em; margin-left: 6px; padding: 0 6px; border-radius: 999px; background: #d92d20; color: #fff; font-size: 12px; }
.count[hidden] { display: none; }
.panel { position: absolute; right: 0; top: calc(100% + 6px); width: min(360px, 92vw); max-height: 420px; overflow: auto; background: #fff; border: 1px solid #d0d5dd; border-radius: 10px; box-shadow: 0 8px 24px rgba(0,0,0,.12); z-index: 2147483000; }
.panel[hidden] { display: none; }
header { display: flex; justify-content: space-between; padding: 10px 12px; border-bottom: 1px solid #eaecf0; font-weight: 600; }
header small { font-weight: 400; color: #667085; }
ul { list-style: none; margin: 0; padding: 0; }
li { padding: 10px 12px; border-bottom: 1px solid #f2f4f7; cursor: pointer; }
li.unread { background: #f0f6ff; }
li .t { font-weight: 600; }
li .b { color: #475467; margin-top: 2px; }
li time { display: block; color: #98a2b3; font-size: 12px; margin-top: 4px; }
.note { padding: 12px; color: #667085; }
`;

class HeraldInbox extends HTMLElement {
  static observedAttributes = ['token', 'server', 'lang'];
  private readonly root = this.attachShadow({ mode: 'open' });
  private messages: InboxMessage[] = [];
  private unread = 0;
  private source: EventSource | null = null;
  private open = false;
  private note: 'invalid' | 'offline' | null = null;

  private get server(): string {
    return (this.getAttribute('server') ?? scriptOrigin).replace(/\/$/, '');
  }
  private get token(): string {
    return this.getAttribute('token') ?? '';
  }
  private get strings(): Strings {
    const lang = this.getAttribute('lang') ?? document.documentElement.lang ?? 'en';
    return lang.toLowerCase().startsWith('zh') ? STRINGS['zh-CN'] : STRINGS.en;
  }
  private url(path: string): string {
    return `${this.server}${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(this.token)}`;
  }

  connectedCallback(): void {
    this.render();
    this.connect();
  }
  disconnectedCallback(): void {
    this.source?.close();
    this.source = null;
  }
  attributeChangedCallback(name: string, before: string | null, after: string | null): void {
    if (before === after || !this.isConnected) return;
    if (name === 'lang') this.render();
    else this.connect();
  }

  private connect(): void {
    this.source?.close();
    this.source = null;
    if (!this.token) return;
    const es = new EventSource(this.url('/v1/public/inbox/stream'));
    this.source = es;
    // `ready` comes on every (re)connect: re-read the list, so nothing missed in a gap is lost.
    es.addEventListener('ready', () => {
      this.note = null;
      void this.load();
    });
    es.addEventListener('message', (e) => {
      const m = JSON.parse((e as MessageEvent<string>).data) as InboxMessage;
      if (this.messages.some((x) => x.id === m.id)) return;
      this.messages = [m, ...this.messages];
      if (!m.readAt) this.unread += 1;
      this.render();
      this.dispatchEvent(new CustomEvent('herald-message', { detail: m }));
    });
    es.addEventListener('read', (e) => this.markLocal((JSON.parse((e as MessageEvent<string>).data) as { id: string }).id));
    es.addEventListener('deleted', (e) => {
      const { id } = JSON.parse((e as MessageEvent<string>).data) as { id: string };
      const gone = this.messages.find((m) => m.id === id);
      this.messages = this.messages.filter((m) => m.id !== id);
      if (gone && !gone.readAt) this.unread = Math.max(0, this.unread - 1);
      this.render();
    });
    es.onerror = () => {
      // EventSource retries by itself; a 401 (expired token) closes it for good.
      this.note = es.readyState === EventSource.CLOSED ? 'invalid' : 'offline';
      this.render();
    };
  }

  private async load(): Promise<void> {
    const res = await fetch(this.url('/v1/public/inbox?limit=50'), { credentials: 'omit' });
    if (res.status === 401) {
      this.note = 'invalid';
      this.source?.close();
    } else if (res.ok) {
      const page = (await res.json()) as { items: InboxMessage[]; unread: number };
      this.messages = page.items;
      this.unread = page.unread;
    }
    this.render();
  }

  private markLocal(id: string): void {
    const m = this.messages.find((x) => x.id === id);
    if (m && !m.readAt) {
      m.readAt = new Date().toISOString();
      this.unread = Math.max(0, this.unread - 1);
      this.render();
    }
  }

  private async read(m: InboxMessage): Promise<void> {
    if (!m.readAt) {
      this.markLocal(m.id);
      await fetch(this.url(`/v1/public/inbox/${encodeURIComponent(m.id)}/read`), { method: 'POST', credentials: 'omit' });
    }
    if (m.url && /^https?:/i.test(m.url)) window.open(m.url, '_blank', 'noopener');
  }

  private render(): void {
    const s = this.strings;
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) => {
      const node = Object.assign(document.createElement(tag), props);
      node.append(...children);
      return node;
    };
    const count = el('span', { className: 'count', hidden: this.unread === 0, textContent: String(this.unread) });
    count.setAttribute('part', 'count');
    const bell = el('button', { className: 'bell', type: 'button', title: s.unread.replace('{n}', String(this.unread)) }, s.title, count);
    bell.setAttribute('part', 'button');
    bell.setAttribute('aria-expanded', String(this.open));
    bell.addEventListener('click', () => {
      this.open = !this.open;
      this.render();
    });
    // Text goes in as text (textContent), never as HTML: a message cannot inject markup.
    const items = this.messages.map((m) => {
      const li = el('li', { className: m.readAt ? '' : 'unread' }, el('div', { className: 't', textContent: m.title }), el('div', { className: 'b', textContent: m.body }), el('time', { textContent: new Date(m.createdAt).toLocaleString(this.getAttribute('lang') ?? undefined) }));
      li.dataset.id = m.id;
      li.addEventListener('click', () => void this.read(m));
      return li;
    });
    const note = this.note ? el('div', { className: 'note', textContent: s[this.note] }) : null;
    const body = items.length > 0 ? el('ul', {}, ...items) : el('div', { className: 'note', textContent: s.empty });
    const panel = el('div', { className: 'panel', hidden: !this.open }, el('header', {}, s.title, el('small', { textContent: s.unread.replace('{n}', String(this.unread)) })), ...(note ? [note] : []), body);
    panel.setAttribute('part', 'panel');
    this.root.replaceChildren(el('style', { textContent: STYLE }), bell, panel);
    this.dataset.unread = String(this.unread);
  }
}

if (!customElements.get('herald-inbox')) customElements.define('herald-inbox', HeraldInbox);
