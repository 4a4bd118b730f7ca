// The signed-in API key, kept in sessionStorage: it dies with the tab, is never written to
// a cookie, and travels only as a Bearer header.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { createApi, type Api } from '../api/client';
import { createHttp } from '../api/http';
import { loadCapabilities, type Capabilities } from './capabilities';

const STORAGE_KEY = 'herald.apiKey';

export interface Session {
  api: Api;
  keyPrefix: string;
  can: Capabilities;
}

interface SessionState {
  session: Session | null;
  /** True while a stored key is being checked after a reload. */
  restoring: boolean;
  signIn(key: string): Promise<void>;
  signOut(): void;
}

const SessionContext = createContext<SessionState | null>(null);

async function open(key: string): Promise<Session> {
  const http = createHttp(key);
  const can = await loadCapabilities(http);
  return { api: createApi(http), keyPrefix: key.slice(0, 10), can };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(() => sessionStorage.getItem(STORAGE_KEY) !== null);

  useEffect(() => {
    const stored = sessionStorage.getItem(STORAGE_KEY);
    if (!stored) return;
    open(stored)
      .then(setSession)
      .catch(() => sessionStorage.removeItem(STORAGE_KEY))
      .finally(() => setRestoring(false));
  }, []);

  const signIn = useCallback(async (key: string) => {
    const s = await open(key.trim());
    sessionStorage.setItem(STORAGE_KEY, key.trim());
    setSession(s);
  }, []);

  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY);
    setSession(null);
  }, []);

  const value = useMemo(() => ({ session, restoring, signIn, signOut }), [session, restoring, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionState {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSessionState outside SessionProvider');
  return ctx;
}

/** For pages behind sign-in: the session is always there. */
export function useSession(): Session {
  const { session } = useSessionState();
  if (!session) throw new Error('useSession without a signed-in key');
  return session;
}
