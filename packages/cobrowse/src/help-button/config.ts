import { pickLang, type Lang } from './i18n.js';

/** The path the support site serves the snippet at (apps/web/dist/embed/help.js). */
export const SCRIPT_PATH = '/embed/help.js';
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export type Position = 'bottom-right' | 'bottom-left';

export interface Config {
  /** The support site's address without a trailing slash, e.g. `https://support.example.com` (a path prefix is kept). */
  site: string;
  slug: string;
  lang: Lang;
  /** `data-label`: the button's text instead of "Get help". */
  label: string | null;
  position: Position;
  /** `data-button="none"`: no floating button; the page opens the panel with `RemoteSupportHelp.open()`. */
  button: boolean;
}

/**
 * Our own `<script>`: `document.currentScript` while the script runs (also
 * when async), else the last script whose address is the snippet's.
 */
export function findScript(doc: Document): HTMLScriptElement | null {
  const current = doc.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return current;
  const all = doc.querySelectorAll<HTMLScriptElement>('script[src]');
  for (let i = all.length - 1; i >= 0; i--) {
    const s = all[i];
    if (s && new URL(s.src, doc.baseURI).pathname.endsWith(SCRIPT_PATH)) return s;
  }
  return null;
}

/** Reads the script element's attributes; a string says what is wrong. */
export function readConfig(script: HTMLScriptElement | null, browserLangs: readonly string[]): Config | string {
  if (!script) return `cannot find its <script> element (load it as <script src=".../embed/help.js" data-queue="...">).`;
  const src = new URL(script.src, document.baseURI);
  const at = src.pathname.lastIndexOf(SCRIPT_PATH);
  const site = src.origin + (at > 0 ? src.pathname.slice(0, at) : '');
  const slug = (script.getAttribute('data-queue') ?? '').trim();
  if (!SLUG.test(slug)) return `data-queue="${slug}" is not a queue address (lowercase letters, digits and dashes, as in ${site}/help/<queue>).`;
  const label = (script.getAttribute('data-label') ?? '').trim();
  return {
    site,
    slug,
    lang: pickLang(script.getAttribute('data-lang'), browserLangs),
    label: label || null,
    position: script.getAttribute('data-position') === 'bottom-left' ? 'bottom-left' : 'bottom-right',
    button: script.getAttribute('data-button') !== 'none',
  };
}
