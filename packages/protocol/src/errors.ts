/**
 * Stable error codes, the same over HTTP and WebSocket. Each has the HTTP
 * status it maps to; docs/errors.md documents what each means for a user.
 */
export const ERROR_CODES = {
  RS_ERR_VALIDATION: 400,
  RS_ERR_UNAUTHENTICATED: 401,
  RS_ERR_BAD_CREDENTIALS: 401,
  RS_ERR_CSRF: 403,
  RS_ERR_FORBIDDEN: 403,
  RS_ERR_NOT_FOUND: 404,
  RS_ERR_CONFLICT: 409,
  RS_ERR_INVALID_STATE: 409,
  RS_ERR_SESSION_ENDED: 410,
  RS_ERR_TOO_LARGE: 413,
  RS_ERR_CLIENT_TOO_OLD: 426,
  RS_ERR_RATE_LIMITED: 429,
  RS_ERR_INTERNAL: 500,
  RS_ERR_MAIL_FAILED: 502,
  /** Client side: the connection dropped before the server acknowledged. */
  RS_ERR_DISCONNECTED: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const errorCodes = Object.keys(ERROR_CODES) as ErrorCode[];

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code];
}

/** Close codes of the session WebSocket; the UI maps each to a screen. */
export const CLOSE_CODES = {
  BAD_HELLO: 4400,
  UNAUTHENTICATED: 4401,
  FORBIDDEN: 4403,
  NOT_FOUND: 4404,
  SESSION_ENDED: 4410,
  CLIENT_TOO_OLD: 4426,
  RATE_LIMITED: 4429,
  /** The participant left or was removed; the client must not reconnect. */
  LEFT: 4000,
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/** Close codes after which reconnecting cannot succeed. */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set<number>([
  CLOSE_CODES.UNAUTHENTICATED,
  CLOSE_CODES.FORBIDDEN,
  CLOSE_CODES.NOT_FOUND,
  CLOSE_CODES.SESSION_ENDED,
  CLOSE_CODES.CLIENT_TOO_OLD,
  CLOSE_CODES.LEFT,
]);

export interface RsIssue {
  path: string;
  message: string;
}

/** An error with a stable code; made by the static factories, never thrown raw. */
export class RsError extends Error {
  readonly code: ErrorCode;
  readonly issues: RsIssue[] | undefined;

  constructor(code: ErrorCode, message: string, options?: { issues?: RsIssue[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RsError';
    this.code = code;
    this.issues = options?.issues;
  }

  get status(): number {
    return httpStatusOf(this.code);
  }

  static validation(message: string, issues?: RsIssue[]) {
    return new RsError('RS_ERR_VALIDATION', message, issues ? { issues } : undefined);
  }
  static forbidden(message: string) {
    return new RsError('RS_ERR_FORBIDDEN', message);
  }
  static notFound(message: string) {
    return new RsError('RS_ERR_NOT_FOUND', message);
  }
  static invalidState(message: string) {
    return new RsError('RS_ERR_INVALID_STATE', message);
  }
  static unauthenticated(message = 'Sign in first.') {
    return new RsError('RS_ERR_UNAUTHENTICATED', message);
  }
  static rateLimited(retryAfterSeconds: number) {
    return new RsError('RS_ERR_RATE_LIMITED', `Too many attempts. Try again in ${retryAfterSeconds} seconds.`);
  }
  static sessionEnded() {
    return new RsError('RS_ERR_SESSION_ENDED', 'This session has ended.');
  }
}

/** Turns zod issues into our issue list, with dotted paths. */
export function issuesFrom(zodIssues: readonly { path: readonly PropertyKey[]; message: string }[]): RsIssue[] {
  return zodIssues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}
