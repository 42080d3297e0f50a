import type { Config } from './config.js';
import { STRINGS } from './i18n.js';

/** The element the snippet adds to the page; everything else lives in its shadow root. */
export const HOST_TAG = 'remote-support-help';

export const FRAME_ALLOW = 'camera; microphone; display-capture; clipboard-read; clipboard-write; fullscreen';

const FONT = 'system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif';

/*
 * The page's CSS reaches the host element only; `!important` declarations of
 * the shadow tree win over the page's `!important` ones (CSS Scoping), so
 * `:host` resets it. Inside, every size is explicit: nothing is inherited.
 */
const CSS = `
:host{all:initial!important;display:block!important;position:static!important;visibility:visible!important;opacity:1!important;transform:none!important;filter:none!important;contain:none!important;clip-path:none!important;pointer-events:auto!important}
*{box-sizing:border-box}
[hidden]{display:none!important}
.b,.p{position:fixed;bottom:16px;right:16px;z-index:2147483647;margin:0;font:16px/1.4 ${FONT};letter-spacing:normal;text-transform:none;text-align:left}
.l .b,.l .p{right:auto;left:16px}
.b{display:inline-flex;align-items:center;gap:8px;min-height:48px;max-width:calc(100vw - 32px);padding:10px 20px;border:2px solid #fff;border-radius:24px;background:#0b5cad;color:#fff;font-weight:600;cursor:pointer;box-shadow:0 2px 12px rgba(0,0,0,.35)}
.b:hover{background:#084a8c}
.b:focus-visible,.c:focus-visible{outline:3px solid #1a1a1a;outline-offset:3px;box-shadow:0 0 0 3px #fff}
.p{display:flex;flex-direction:column;width:400px;max-width:calc(100vw - 32px);height:600px;max-height:calc(100vh - 32px);overflow:hidden;background:#fff;color:#1a1a1a;border:1px solid #767676;border-radius:12px;box-shadow:0 8px 32px rgba(0,0,0,.35)}
.p:focus{outline:none}
.p:focus-visible{outline:3px solid #0b5cad;outline-offset:-3px}
.h{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:4px 4px 4px 16px;background:#f3f5f7;border-bottom:1px solid #c4c9cf}
.t{margin:0;font:600 16px/1.3 ${FONT};color:#1a1a1a}
.c{display:inline-flex;align-items:center;justify-content:center;width:44px;height:44px;padding:0;border:0;border-radius:8px;background:transparent;color:#1a1a1a;cursor:pointer}
.c:hover{background:#e1e5ea}
svg{flex:none;width:20px;height:20px}
iframe{display:block;flex:1 1 auto;width:100%;min-height:0;border:0;background:#fff}
@media (max-width:480px),(max-height:520px){.w .p{top:0;right:0;bottom:0;left:0;width:100%;height:100%;max-width:none;max-height:none;border:0;border-radius:0}}
`;

const ICON_HELP =
  'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 16.2a1.3 1.3 0 1 1 0-2.6 1.3 1.3 0 0 1 0 2.6zm1.3-5.1v.9h-2.5v-1.3c0-1.2.8-1.8 1.5-2.3.6-.4 1-.7 1-1.3 0-.7-.6-1.2-1.4-1.2-.9 0-1.5.5-1.6 1.4L7.9 9c.2-2.1 1.9-3.4 4.1-3.4 2.3 0 3.9 1.3 3.9 3.3 0 1.5-.9 2.2-1.7 2.8-.5.4-.9.7-.9 1.4z';
const ICON_CLOSE = 'M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const k of Object.keys(attrs)) e.setAttribute(k, attrs[k] ?? '');
  e.append(...children);
  return e;
}

function icon(d: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

function addStyles(root: ShadowRoot): void {
  // A constructed sheet is not subject to the page's CSP style-src; a <style> element is the fallback.
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
    return;
  } catch {
    root.append(el('style', {}, document.createTextNode(CSS)));
  }
}

export interface Widget {
  open(): void;
  close(): void;
}

/** Event handlers never let an error reach the host page. */
const guard =
  <A extends unknown[]>(f: (...a: A) => void) =>
  (...a: A): void => {
    try {
      f(...a);
    } catch {
      /* ignore */
    }
  };

/**
 * The button and the panel with the hosted help page. The frame is made on
 * the first open and then only hidden, so a session in it goes on while the
 * panel is closed; the button then says "Back to help".
 */
export function createWidget(cfg: Config): Widget {
  const s = STRINGS[cfg.lang];
  const host = document.createElement(HOST_TAG);
  const root = host.attachShadow({ mode: 'open' });
  addStyles(root);

  const label = el('span');
  label.textContent = cfg.label ?? s.getHelp;
  const button = el('button', { type: 'button', class: 'b', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'aria-controls': 'rs-help-panel' }, icon(ICON_HELP), label);
  button.hidden = !cfg.button;

  const title = el('h2', { class: 't', id: 'rs-help-title' });
  title.textContent = s.getHelp;
  const close = el('button', { type: 'button', class: 'c', 'aria-label': s.close }, icon(ICON_CLOSE));
  const panel = el('div', { class: 'p', id: 'rs-help-panel', role: 'dialog', 'aria-labelledby': 'rs-help-title', tabindex: '-1' }, el('div', { class: 'h' }, title, close));
  panel.hidden = true;

  root.append(el('div', { class: cfg.position === 'bottom-left' ? 'w l' : 'w', lang: cfg.lang }, button, panel));

  let frame: HTMLIFrameElement | null = null;
  /** Where focus goes back to on close: our button, or the page's own button that called open(). */
  let returnFocus: HTMLElement | null = null;

  const open = (): void => {
    if (!host.isConnected) (document.body ?? document.documentElement).append(host);
    if (!panel.hidden) return;
    const active = document.activeElement;
    returnFocus = active instanceof HTMLElement && active !== host && active !== document.body ? active : null;
    if (!frame) {
      frame = el('iframe', {
        title: s.getHelp,
        allow: FRAME_ALLOW,
        // The hosted page speaks the snippet's language (data-lang, else the browser's), not the visitor's last choice on the support site.
        src: `${cfg.site}/help/${encodeURIComponent(cfg.slug)}?embed=1&lang=${cfg.lang}&page=${encodeURIComponent(location.href)}`,
      });
      panel.append(frame);
    }
    panel.hidden = false;
    button.hidden = true;
    button.setAttribute('aria-expanded', 'true');
    panel.focus();
  };

  const closePanel = (): void => {
    if (panel.hidden) return;
    const hadFocus = panel.contains(root.activeElement);
    panel.hidden = true;
    button.hidden = !cfg.button;
    button.setAttribute('aria-expanded', 'false');
    if (frame) label.textContent = s.backToHelp;
    if (hadFocus) (returnFocus ?? (cfg.button ? button : null))?.focus();
    returnFocus = null;
  };

  button.addEventListener('click', guard(open));
  close.addEventListener('click', guard(closePanel));
  panel.addEventListener(
    'keydown',
    guard((e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      closePanel();
    }),
  );
  // The hosted page may ask to close the panel (e.g. Escape inside the frame): postMessage('remote-support-help:close').
  window.addEventListener(
    'message',
    guard((e: MessageEvent) => {
      if (frame && e.source === frame.contentWindow && e.origin === new URL(cfg.site).origin && e.data === 'remote-support-help:close') closePanel();
    }),
  );

  (document.body ?? document.documentElement).append(host);
  return { open, close: closePanel };
}
