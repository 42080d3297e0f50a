import { z } from 'zod';
import { LIMITS } from './limits.js';

export const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'invalid id');
export const SessionNumber = z
  .string()
  .regex(new RegExp(`^\\d{${LIMITS.sessionNumberDigits}}$`), 'a session number has 9 digits');
export const Email = z.email().max(LIMITS.email);
/** A display name: trimmed, no control characters. */
export const DisplayName = z
  .string()
  .trim()
  .min(1)
  .max(LIMITS.name)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'control characters are not allowed');

/** device: Support Manager on a customer's computer, paired with that customer (DSK-2, APP-2). */
export const ParticipantKind = z.enum(['rep', 'customer', 'device']);
export type ParticipantKind = z.infer<typeof ParticipantKind>;

/** primary: controls the session; assistant: a rep without control; customer; device (Support Manager). */
export const ParticipantRole = z.enum(['primary', 'assistant', 'customer', 'device']);
export type ParticipantRole = z.infer<typeof ParticipantRole>;

export const Language = z.enum(['en', 'sv', 'nb', 'cs', 'fr', 'de']);
export type Language = z.infer<typeof Language>;
