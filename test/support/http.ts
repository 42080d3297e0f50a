import { ApiClient } from '@rs/client';
import { ADMIN } from './server.js';

/** An ApiClient for Node with a cookie jar, as a browser would keep one. */
export function apiFor(baseUrl: string): ApiClient & { cookies: Map<string, string> } {
  const cookies = new Map<string, string>();
  const fetchWithJar: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (cookies.size) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(input, { ...init, headers });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) cookies.delete(name);
      else cookies.set(name, value);
    }
    return res;
  };
  const api = new ApiClient(baseUrl, fetchWithJar) as ApiClient & { cookies: Map<string, string> };
  api.cookies = cookies;
  return api;
}

export async function signIn(baseUrl: string, email = ADMIN.email, password = ADMIN.password) {
  const api = apiFor(baseUrl);
  const me = await api.post<{ csrfToken: string; user: { id: string; name: string } }>('/api/auth/sign-in', { email, password });
  api.csrfToken = me.csrfToken;
  return { api, user: me.user };
}

let counter = 0;
/** Creates a rep (optionally admin/agent) through the admin API and signs them in. */
export async function createRep(baseUrl: string, admin: ApiClient, name = `Rep ${++counter}`, roles = { admin: false, rep: true, agent: false }) {
  const email = `rep${Date.now()}${++counter}@example.test`;
  const password = 'rep-password-123';
  await admin.post('/api/users', { email, name, password, roles });
  return { ...(await signIn(baseUrl, email, password)), email, password, name };
}
