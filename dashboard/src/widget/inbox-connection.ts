// One live connection to a user's inbox (/v1/public/inbox) for a browser holding an inbox
// token: the list and its counts, kept current by the server-sent event stream, and the
// changes the user makes. The token goes only in the Authorization header, so the stream is
// read with fetch (EventSource cannot send headers). Framework-free: the <herald-inbox>
// widget and the React package (@herald/inbox-react) both build on it.

export interface InboxAction {
  id: string;
  label: string;
  url: string | null;
}

export interface InboxMessage {
  id: string;
  notificationId: string;
  category: string | null;
  title: string;
  body: string;
  url: string | null;
  data: Record<string, unknown>;
  actions: InboxAction[];
  createdAt: string;
  seenAt: string | null;
  readAt: string | null;
  archivedAt: string | null;
}

export interface InboxCounts {
  unread: number;
  unseen: number;
  categories: { category: string | null; total: number; unread: number; unseen: number }[];
}

export interface InboxState {
  /** Messages not archived, newest first (the first page). */
  messages: InboxMessage[];
  counts: InboxCounts;
  /** `invalid`: the token was refused (expired, or its key retired); `offline`: reconnecting. */
  problem: 'invalid' | 'offline' | null;
}

export interface InboxConnectionOptions {
  /** Herald's base URL, e.g. https://herald.example. */
  server: string;
  token: string;
  onChange(state: InboxState): void;
  /** A message that arrived while connected. */
  onMessage?(message: InboxMessage): void;
}

export interface InboxConnection {
  markSeen(ids: string[]): Promise<void>;
  read(id: string): Promise<void>;
  /** Every message read, or those of one category; `null`: those without a category (one by one, as shown). */
  readAll(category?: string | null): Promise<void>;
  archive(id: string): Promise<void>;
  unarchive(id: string): Promise<void>;
  /** Records the press; answers the action's url (null for a callback). */
  press(id: string, actionId: string): Promise<{ url: string | null } | undefined>;
  close(): void;
}

interface Change {
  ids?: string[];
  all?: true;
  category?: string;
  counts: InboxCounts;
}

const FIELD: Record<string, keyof InboxMessage> = { seen: 'seenAt', read: 'readAt', unread: 'readAt', archived: 'archivedAt' };

export function createInboxConnection(o: InboxConnectionOptions): InboxConnection {
  let state: InboxState = { messages: [], counts: { unread: 0, unseen: 0, categories: [] }, problem: null };
  const abort = new AbortController();
  const set = (next: Partial<InboxState>) => {
    state = { ...state, ...next };
    o.onChange(state);
  };
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${o.server}/v1/public/inbox${path}`, {
      method,
      credentials: 'omit',
      signal: abort.signal,
      headers: { authorization: `Bearer ${o.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const refused = () => {
    set({ problem: 'invalid' });
    abort.abort();
  };

  async function load(): Promise<void> {
    const res = await call('GET', '?limit=50');
    if (res.status === 401) return refused();
    if (!res.ok) return;
    const page = (await res.json()) as InboxCounts & { items: InboxMessage[] };
    set({ messages: page.items, counts: { unread: page.unread, unseen: page.unseen, categories: page.categories }, problem: null });
  }

  function apply(kind: string, c: Change): void {
    const hit = (m: InboxMessage) => (c.ids ? c.ids.includes(m.id) : c.category === undefined || m.category === c.category);
    if (kind === 'unarchived') return void load().catch(() => {});
    const now = new Date().toISOString();
    let messages = state.messages;
    if (kind === 'archived' || kind === 'deleted') messages = messages.filter((m) => !hit(m));
    else {
      const field = FIELD[kind];
      if (field) messages = messages.map((m) => (hit(m) ? { ...m, [field]: kind === 'unread' ? null : (m[field] ?? now), ...(kind === 'read' ? { seenAt: m.seenAt ?? now } : {}) } : m));
    }
    set({ messages, counts: c.counts });
  }

  function onEvent(event: string, data: string): void {
    const parsed = JSON.parse(data) as Record<string, unknown>;
    if (event === 'ready') return void load().catch(() => {});
    if (event === 'message') {
      const m = parsed.message as InboxMessage;
      if (state.messages.some((x) => x.id === m.id)) return;
      set({ messages: [m, ...state.messages], counts: parsed.counts as InboxCounts });
      o.onMessage?.(m);
      return;
    }
    apply(event, parsed as unknown as Change);
  }

  async function stream(): Promise<void> {
    const res = await call('GET', '/stream');
    if (res.status === 401) return refused();
    if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buf += value;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) onEvent(event, data);
      }
    }
  }

  // Reconnects with backoff until closed or refused; `ready` on each connect re-reads the list.
  void (async () => {
    let delay = 1000;
    while (!abort.signal.aborted) {
      try {
        await stream();
        delay = 1000;
      } catch {
        /* a network error: retry below */
      }
      if (abort.signal.aborted) return;
      set({ problem: 'offline' });
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  })();

  const post = async (path: string, body?: unknown) => {
    const res = await call('POST', path, body);
    if (res.status === 401) refused();
    return res;
  };
  return {
    markSeen: async (ids) => void (await post('/seen', { ids: ids.slice(0, 100) })),
    read: async (id) => void (await post(`/${encodeURIComponent(id)}/read`)),
    async readAll(category) {
      if (category !== null) return void (await post('/read-all', category === undefined ? {} : { category }));
      await Promise.all(state.messages.filter((m) => m.category === null && !m.readAt).map((m) => post(`/${encodeURIComponent(m.id)}/read`)));
    },
    archive: async (id) => void (await post(`/${encodeURIComponent(id)}/archive`)),
    unarchive: async (id) => void (await post(`/${encodeURIComponent(id)}/unarchive`)),
    async press(id, actionId) {
      const res = await post(`/${encodeURIComponent(id)}/actions/${encodeURIComponent(actionId)}`);
      return res.ok ? ((await res.json()) as { url: string | null }) : undefined;
    },
    close: () => abort.abort(),
  };
}
