import crypto from 'node:crypto';

/** Random URL-safe id; 16 bytes unless told otherwise. */
export function newId(bytes = 16): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return crypto.createHash('sha256').update(value).digest('base64url');
}

export function nowIso(clock: () => number = Date.now): string {
  return new Date(clock()).toISOString();
}
