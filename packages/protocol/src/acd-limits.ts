/** WebACD limits, apart so that events.ts and acd.ts can both use them. */
export const ACD_LIMITS = {
  /** SES-4: the personal message of a transfer. */
  transferMessage: 345,
  problem: 2000,
  formText: 1000,
  queueName: 80,
  /** How long an offer rings before it moves on (site setting default). */
  offerSecondsDefault: 20,
} as const;
