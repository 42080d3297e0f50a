import { ErrorBody, RsError } from '@rs/protocol';

/**
 * Small fetch wrapper for the REST API: JSON in and out, the CSRF header on
 * writes, and typed RsError on failure.
 */
export class ApiClient {
  csrfToken: string | null = null;

  constructor(
    private readonly baseUrl = '',
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
    private readonly extraHeaders: () => Record<string, string> = () => ({}),
  ) {}

  /**
   * A JSON request; a Uint8Array body is sent as raw bytes with the given
   * headers (file chunks).
   */
  async request<T>(method: string, path: string, body?: unknown, headersIn: Record<string, string> = {}): Promise<T> {
    const raw = body instanceof Uint8Array;
    const headers: Record<string, string> = { ...this.extraHeaders(), ...headersIn };
    if (body !== undefined && !raw) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined ? { body: raw ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new RsError('RS_ERR_DISCONNECTED', 'The server cannot be reached. Check your connection.', { cause: err });
    }
    const text = await res.text();
    const json: unknown = text ? safeJson(text) : undefined;
    if (!res.ok) {
      const parsed = ErrorBody.safeParse(json);
      if (parsed.success) {
        const e = parsed.data.error;
        throw new RsError(e.code, e.message, e.issues ? { issues: e.issues } : undefined);
      }
      throw new RsError('RS_ERR_INTERNAL', `The server answered ${res.status}.`);
    }
    return json as T;
  }

  delete<T>(path: string) {
    return this.request<T>('DELETE', path);
  }
  get<T>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T>(path: string, body: unknown = {}) {
    return this.request<T>('POST', path, body);
  }
  put<T>(path: string, body: unknown) {
    return this.request<T>('PUT', path, body);
  }
  patch<T>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
