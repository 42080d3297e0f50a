import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Language } from '@rs/protocol';
import { en, type MessageKey } from './en.js';
import { sv } from './sv.js';
import { nb } from './nb.js';
import { cs } from './cs.js';
import { fr } from './fr.js';
import { de } from './de.js';

export type Messages = Record<MessageKey, string>;

export const MESSAGES: Record<Language, Messages> = { en, sv, nb, cs, fr, de };

/** Each language is named in itself, so a person finds theirs. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  sv: 'Svenska',
  nb: 'Norsk bokmål',
  cs: 'Čeština',
  fr: 'Français',
  de: 'Deutsch',
};

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function format(template: string, values?: Record<string, string | number>): string {
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

interface I18n {
  lang: Language;
  setLang(l: Language): void;
  t: Translate;
}

const Ctx = createContext<I18n | null>(null);
const STORAGE_KEY = 'rs.language';

function initialLanguage(): Language {
  // `?lang=` is set by whoever links here for someone (the help script's frame): it wins over a stored choice, and is not stored.
  const asked = new URLSearchParams(location.search).get('lang');
  if (asked && asked in MESSAGES) return asked as Language;
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored && stored in MESSAGES) return stored as Language;
  return 'en';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(initialLanguage);
  const setLang = useCallback((l: Language) => {
    localStorage.setItem(STORAGE_KEY, l);
    setLangState(l);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const dict = MESSAGES[lang];
    return { lang, setLang, t: (key, values) => format(dict[key] ?? en[key], values) };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

export function useT(): Translate {
  return useI18n().t;
}
