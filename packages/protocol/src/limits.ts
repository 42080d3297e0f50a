/** Limits shared by server validation and client-side hints. */
export const LIMITS = {
  chatText: 2000,
  notesText: 20_000,
  name: 100,
  email: 254,
  password: { min: 8, max: 256 },
  /** A session number is 9 digits so that it can be read out over the phone. */
  sessionNumberDigits: 9,
  /** Largest WebSocket frame accepted, in bytes. */
  frameBytes: 64 * 1024,
} as const;
