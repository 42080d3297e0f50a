import { useEffect, useState } from 'react';
import { SUPPORT_MANAGER_LINUX_X64, type DownloadItem, type DownloadList } from '@rs/protocol';
import { api, errorText } from '../app/api.js';
import { Notice, Page } from '../app/ui.js';
import { formatBytes } from '../files/FilesPanel.js';
import { useT } from '../i18n/index.js';

/** Shell commands are the same in every language; install.sh's defaults decide the uninstall path. */
const COMMANDS = {
  extract: `tar xzf ${SUPPORT_MANAGER_LINUX_X64}`,
  install: `cd ${SUPPORT_MANAGER_LINUX_X64.replace(/\.tar\.gz$/, '')} && ./install.sh`,
  verify: `sha256sum ${SUPPORT_MANAGER_LINUX_X64}`,
  uninstall: '~/.local/share/support-manager/uninstall.sh',
};

/** SM-1: the programs a customer may need, as the server lists them (GET /api/downloads). */
export function DownloadsPage() {
  const t = useT();
  const [list, setList] = useState<DownloadItem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    api.get<DownloadList>('/api/downloads').then(
      (r) => live && setList(r.downloads),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, []);
  const linux = list?.find((d) => d.product === 'support-manager' && d.platform === 'linux-x64');

  return (
    <Page title={t('downloads.heading')}>
      <p>{t('downloads.intro')}</p>
      <section className="panel" aria-labelledby="dl-linux">
        <h2 id="dl-linux">{t('downloads.linux')}</h2>
        <p>{t('downloads.linuxText')}</p>
        {error ? (
          <Notice kind="error">{errorText(error, t)}</Notice>
        ) : list === null ? (
          <p aria-busy="true">{t('common.loading')}</p>
        ) : !linux ? (
          <Notice kind="info">{t('downloads.unavailable')}</Notice>
        ) : (
          <>
            <p>
              <a className="button" href={linux.url} download={linux.fileName}>
                {t('downloads.linuxLink')}
              </a>
            </p>
            <dl>
              <dt>{t('downloads.size')}</dt>
              <dd>{formatBytes(linux.size)}</dd>
              <dt>{t('downloads.checksum')}</dt>
              <dd>
                <code className="break">{linux.sha256}</code>
              </dd>
            </dl>
            <h3>{t('downloads.installHeading')}</h3>
            <ol>
              <li>
                {t('downloads.step1')}
                <pre>
                  <code>{COMMANDS.extract}</code>
                </pre>
              </li>
              <li>
                {t('downloads.step2')}
                <pre>
                  <code>{COMMANDS.install}</code>
                </pre>
              </li>
              <li>{t('downloads.step3')}</li>
            </ol>
            <p>{t('downloads.verify')}</p>
            <pre>
              <code>{COMMANDS.verify}</code>
            </pre>
            <p>{t('downloads.uninstall')}</p>
            <pre>
              <code>{COMMANDS.uninstall}</code>
            </pre>
          </>
        )}
      </section>
    </Page>
  );
}
