import type { ConnectionState } from '@rs/client';
import { useT } from '../i18n/index.js';

/** Tells people what the connection is doing; silent while all is well. */
export function ConnectionBanner({ connection }: { connection: ConnectionState }) {
  const t = useT();
  if (connection.state === 'open') return null;
  const text =
    connection.state === 'connecting'
      ? t('conn.connecting')
      : connection.state === 'reconnecting'
        ? t('conn.reconnecting')
        : t('conn.closed');
  return (
    <p className={`conn conn-${connection.state}`} role="status">
      {text}
    </p>
  );
}
