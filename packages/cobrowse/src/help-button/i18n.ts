/**
 * The snippet's few words, in the product's six languages. `getHelp` and
 * `close` are the web app's `help.heading` and `common.close`
 * (apps/web/src/i18n); the test checks that they stay the same.
 */
export interface Strings {
  /** The button, the panel's heading and the frame's title. */
  getHelp: string;
  /** The button after the panel was closed: the help page (and a session) goes on in the hidden frame. */
  backToHelp: string;
  close: string;
}

export const STRINGS = {
  en: { getHelp: 'Get help', backToHelp: 'Back to help', close: 'Close' },
  sv: { getHelp: 'Få hjälp', backToHelp: 'Tillbaka till hjälpen', close: 'Stäng' },
  nb: { getHelp: 'Få hjelp', backToHelp: 'Tilbake til hjelpen', close: 'Lukk' },
  cs: { getHelp: 'Získat pomoc', backToHelp: 'Zpět k pomoci', close: 'Zavřít' },
  fr: { getHelp: 'Obtenir de l’aide', backToHelp: 'Retour à l’aide', close: 'Fermer' },
  de: { getHelp: 'Hilfe erhalten', backToHelp: 'Zurück zur Hilfe', close: 'Schließen' },
} satisfies Record<string, Strings>;

export type Lang = keyof typeof STRINGS;

/** `sv-SE` → `sv`, `no`/`nn` → `nb`; null when not one of ours. */
export function matchLang(tag: string | null | undefined): Lang | null {
  if (!tag) return null;
  let base = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (base === 'no' || base === 'nn') base = 'nb';
  return Object.prototype.hasOwnProperty.call(STRINGS, base) ? (base as Lang) : null;
}

/** `data-lang` first, then the browser's languages in order, else English. */
export function pickLang(dataLang: string | null, browserLangs: readonly string[]): Lang {
  const first = matchLang(dataLang);
  if (first) return first;
  for (const l of browserLangs) {
    const m = matchLang(l);
    if (m) return m;
  }
  return 'en';
}
