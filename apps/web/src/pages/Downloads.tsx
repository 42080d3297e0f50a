import { Page } from '../app/ui.js';
import { useT } from '../i18n/index.js';

/** SM-1: the programs a customer may need; the Support Manager archive is not built yet. */
export function DownloadsPage() {
  const t = useT();
  return (
    <Page title={t('downloads.heading')}>
      <p>{t('downloads.intro')}</p>
      <section className="panel" aria-labelledby="dl-linux">
        <h2 id="dl-linux">{t('downloads.linux')}</h2>
        <p>{t('downloads.linuxText')}</p>
      </section>
    </Page>
  );
}
