// Live inbox updates across processes: workers write inbox rows and NOTIFY; each API
// process holds one LISTEN connection and fans events out to its open SSE streams.
import pg from 'pg';
import type { Logger } from '../common/logger.js';
import { INBOX_CHANNEL, type InboxEvent } from '../schema/queries/inbox.js';

/** `closing` tells a stream the process is shutting down and it should end. */
export type InboxListener = (e: InboxEvent | { kind: 'closing' }) => void;

export interface InboxHub {
  subscribe(tenantId: string, userId: string, listener: InboxListener): () => void;
  close(): Promise<void>;
}

export function createInboxHub(databaseUrl: string, logger: Logger): InboxHub {
  const listeners = new Map<string, Set<InboxListener>>();
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const keyOf = (tenantId: string, userId: string) => `${tenantId}\u0000${userId}`;

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: databaseUrl, application_name: 'herald-inbox-listener' });
    c.on('notification', (msg) => {
      if (msg.channel !== INBOX_CHANNEL || !msg.payload) return;
      try {
        const e = JSON.parse(msg.payload) as InboxEvent;
        for (const l of listeners.get(keyOf(e.tenantId, e.userId)) ?? []) l(e);
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'bad inbox notification');
      }
    });
    // A lost connection is re-made while anyone listens; events in the gap are caught up by
    // the client re-reading the inbox, which the stream tells it to do on reconnect.
    c.on('error', () => scheduleReconnect());
    c.on('end', () => scheduleReconnect());
    await c.connect();
    await c.query(`LISTEN ${INBOX_CHANNEL}`);
    client = c;
  }

  function scheduleReconnect(): void {
    client = undefined;
    connecting = undefined;
    if (closed || listeners.size === 0 || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void ensure();
    }, 1000);
  }

  async function ensure(): Promise<void> {
    if (client || closed) return;
    connecting ??= connect().catch((err: unknown) => {
      logger.warn({ err: (err as Error).message }, 'inbox listener cannot connect; retrying');
      scheduleReconnect();
    });
    await connecting;
  }

  return {
    subscribe(tenantId, userId, listener) {
      const key = keyOf(tenantId, userId);
      let set = listeners.get(key);
      if (!set) listeners.set(key, (set = new Set()));
      set.add(listener);
      void ensure();
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(key);
      };
    },
    async close() {
      closed = true;
      for (const set of listeners.values()) for (const l of set) l({ kind: 'closing' });
      listeners.clear();
      if (retryTimer) clearTimeout(retryTimer);
      await client?.end().catch(() => {});
    },
  };
}
