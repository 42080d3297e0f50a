import { ApiClient } from '@rs/client';
import { RsError } from '@rs/protocol';
import type { Translate } from '../i18n/index.js';

export const api = new ApiClient('');

/** A user-facing sentence for any error, in the current language. */
export function errorText(err: unknown, t: Translate): string {
  if (err instanceof RsError) {
    // Server messages are specific (which field, how long to wait); the translated code is the fallback.
    if (err.code === 'RS_ERR_VALIDATION') return t('error.RS_ERR_VALIDATION', { message: err.message });
    return t(`error.${err.code}`);
  }
  return t('common.error', { message: err instanceof Error ? err.message : String(err) });
}

export function wsUrl(): string {
  return `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/ws`;
}
