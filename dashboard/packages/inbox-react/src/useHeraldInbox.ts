// The hook: one live connection to a user's inbox for as long as the component is mounted
// (or until `token` or `server` changes), and the changes the user can make.
import { useEffect, useMemo, useState } from 'react';
import { createInboxConnection, type InboxConnection, type InboxMessage, type InboxState } from '../../../src/widget/inbox-connection.js';

export interface HeraldInboxOptions {
  /** Herald's base URL, e.g. https://herald.example. */
  server: string;
  /** An inbox token from your backend (POST /v1/users/{id}/inbox-token, or a JWS you sign). */
  token: string;
  /** Called for each message that arrives while mounted. */
  onMessage?: (message: InboxMessage) => void;
}

export type HeraldInbox = InboxState & Omit<InboxConnection, 'close'> & { ready: boolean };

const EMPTY: InboxState = { messages: [], counts: { unread: 0, unseen: 0, categories: [] }, problem: null };
const noop = async () => {};

export function useHeraldInbox({ server, token, onMessage }: HeraldInboxOptions): HeraldInbox {
  const [state, setState] = useState<InboxState & { ready: boolean }>({ ...EMPTY, ready: false });
  const [connection, setConnection] = useState<InboxConnection | null>(null);

  useEffect(() => {
    if (!token) return;
    const c = createInboxConnection({ server: server.replace(/\/$/, ''), token, onChange: (s) => setState({ ...s, ready: true }), onMessage: (m) => onMessage?.(m) });
    setConnection(c);
    return () => {
      c.close();
      setConnection(null);
      setState({ ...EMPTY, ready: false });
    };
    // onMessage is read when a message comes; a new function each render must not reconnect.
  }, [server, token]);

  return useMemo(
    () => ({
      ...state,
      markSeen: connection?.markSeen ?? noop,
      read: connection?.read ?? noop,
      readAll: connection?.readAll ?? noop,
      archive: connection?.archive ?? noop,
      unarchive: connection?.unarchive ?? noop,
      press: connection?.press ?? (async () => undefined),
    }),
    [state, connection],
  );
}
