import path from 'node:path';
import { CONSENT_TTL_MS, PAIRING_TTL_MS } from '@rs/protocol';
import { parseUrlList, type IceConfig } from './modules/media/ice.js';

/** Runtime configuration, all from the environment (see README "Configuration"). */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | null;
  redisUrl: string | null;
  smtpUrl: string | null;
  mailFrom: string;
  adminEmail: string | null;
  adminPassword: string | null;
  /** Serve the built web app from this folder when it exists. */
  webDist: string;
  /** Sign-in attempts per address and minute before RS_ERR_RATE_LIMITED. */
  signInPerMinute: number;
  joinPerMinute: number;
  logLevel: string;
  /** Period of the sweeper that ends sessions whose primary rep stayed away. */
  sweepIntervalMs: number;
  ice: IceConfig;
  /** How long a consent request waits for an answer (CUS-2); shorter only in tests. */
  consentTtlMs: number;
  /** How long a Support Manager pairing URL can be redeemed (once). */
  pairingTtlMs: number;
  /** FT-1: a command every upload passes before it is offered (exit 0 clean, 1 flagged), e.g. "clamdscan --no-summary". */
  fileScanCommand: string | null;
  /** FT-1: how long a signed download link is valid; shorter only in tests. */
  fileLinkTtlMs: number;
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env.PORT, 8080, 'PORT');
  const host = env.HOST || '127.0.0.1';
  const publicUrl = (env.PUBLIC_URL || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`).replace(/\/+$/, '');
  return {
    port,
    host,
    publicUrl,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || null,
    redisUrl: env.REDIS_URL || null,
    smtpUrl: env.SMTP_URL || null,
    mailFrom: env.MAIL_FROM || 'Remote Support <support@localhost>',
    adminEmail: env.ADMIN_EMAIL || null,
    adminPassword: env.ADMIN_PASSWORD || null,
    webDist: path.resolve(env.WEB_DIST || new URL('../../web/dist', import.meta.url).pathname),
    signInPerMinute: int(env.SIGNIN_PER_MINUTE, 10, 'SIGNIN_PER_MINUTE'),
    joinPerMinute: int(env.JOIN_PER_MINUTE, 20, 'JOIN_PER_MINUTE'),
    logLevel: env.LOG_LEVEL || 'info',
    sweepIntervalMs: int(env.SWEEP_INTERVAL_MS, 2000, 'SWEEP_INTERVAL_MS'),
    fileScanCommand: env.FILE_SCAN_COMMAND || null,
    fileLinkTtlMs: int(env.FILE_LINK_TTL_MS, 5 * 60_000, 'FILE_LINK_TTL_MS') || 5 * 60_000,
    ice: {
      stunUrls: parseUrlList(env.STUN_URLS),
      turnUrls: parseUrlList(env.TURN_URLS),
      turnSecret: env.TURN_SECRET || null,
      turnTtlSeconds: int(env.TURN_TTL_SECONDS, 3600, 'TURN_TTL_SECONDS'),
    },
    consentTtlMs: int(env.CONSENT_TTL_MS, CONSENT_TTL_MS, 'CONSENT_TTL_MS') || CONSENT_TTL_MS,
    pairingTtlMs: int(env.PAIRING_TTL_MS, PAIRING_TTL_MS, 'PAIRING_TTL_MS') || PAIRING_TTL_MS,
  };
}
