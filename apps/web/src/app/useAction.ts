import { useCallback, useState } from 'react';
import { useT } from '../i18n/index.js';
import { errorText } from './api.js';

/** Runs a user action: busy while it runs, a translated error when it fails. */
export function useAction() {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
      setBusy(true);
      setError(null);
      try {
        return await fn();
      } catch (err) {
        setError(errorText(err, t));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [t],
  );
  return { run, busy, error, setError };
}
