import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import type { Me, User } from '@rs/protocol';
import { api } from './api.js';

interface Auth {
  user: User | null;
  loading: boolean;
  signIn(email: string, password: string): Promise<User>;
  signOut(): Promise<void>;
  adopt(me: Me): void;
}

const Ctx = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [loading, setLoading] = useState(true);
  const adopt = useCallback((me: Me) => {
    api.csrfToken = me.csrfToken;
    setUser(me.user);
  }, []);
  useEffect(() => {
    api
      .get<{ user: User | null; csrfToken: string | null }>('/api/auth/session')
      .then((s) => {
        if (s.user && s.csrfToken) adopt({ user: s.user, csrfToken: s.csrfToken });
      })
      .catch((e: unknown) => console.warn(e))
      .finally(() => setLoading(false));
  }, [adopt]);
  const signIn = useCallback(
    async (email: string, password: string) => {
      const me = await api.post<Me>('/api/auth/sign-in', { email, password });
      adopt(me);
      return me.user;
    },
    [adopt],
  );
  const signOut = useCallback(async () => {
    await api.post('/api/auth/sign-out').catch(() => undefined);
    api.csrfToken = null;
    setUser(null);
  }, []);
  return <Ctx.Provider value={{ user, loading, signIn, signOut, adopt }}>{children}</Ctx.Provider>;
}

export function useAuth(): Auth {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
