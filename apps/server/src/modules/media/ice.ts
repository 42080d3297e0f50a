import crypto from 'node:crypto';
import type { IceServer } from '@rs/protocol';

export interface IceConfig {
  stunUrls: string[];
  turnUrls: string[];
  turnSecret: string | null;
  turnTtlSeconds: number;
}

/**
 * ICE servers for one participant. TURN credentials follow the "TURN REST
 * API" shared-secret scheme that coturn implements (use-auth-secret):
 * username = "<expiry unix time>:<participant id>", credential =
 * base64(HMAC-SHA1(secret, username)). They expire on their own; a reconnect
 * gets fresh ones.
 */
export function iceServersFor(cfg: IceConfig, participantId: string, now: number = Date.now()): IceServer[] {
  const servers: IceServer[] = [];
  if (cfg.stunUrls.length) servers.push({ urls: cfg.stunUrls });
  if (cfg.turnUrls.length && cfg.turnSecret) {
    const username = `${Math.floor(now / 1000) + cfg.turnTtlSeconds}:${participantId}`;
    const credential = crypto.createHmac('sha1', cfg.turnSecret).update(username).digest('base64');
    servers.push({ urls: cfg.turnUrls, username, credential });
  }
  return servers;
}

export function parseUrlList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
