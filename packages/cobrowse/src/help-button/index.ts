/**
 * The "Get help" snippet (ACD-1), built into `apps/web/dist/embed/help.js`:
 *
 *   <script src="https://SUPPORT-SITE/embed/help.js" data-queue="<slug>" async></script>
 *
 * It asks the support site for the queue's public info (a CORS simple GET the
 * server answers only for the origins the admin allowed), and only then adds
 * the button. Nothing here may throw into the host page, and the only global
 * is the frozen `window.RemoteSupportHelp`.
 */
import { findScript, readConfig, type Config } from './config.js';
import { createWidget, type Widget } from './widget.js';

export interface RemoteSupportHelpApi {
  /** Opens the help panel (once the support site has answered; a call before that opens it then). */
  open(): void;
  /** Hides the panel; a help request or session in it goes on. */
  close(): void;
}

declare global {
  interface Window {
    RemoteSupportHelp?: RemoteSupportHelpApi;
  }
}

const PREFIX = 'Remote Support help button:';

function warn(message: string): void {
  try {
    console.warn(`${PREFIX} ${message}`);
  } catch {
    /* no console */
  }
}

function whenBodyReady(f: () => void): void {
  if (document.body) f();
  else document.addEventListener('DOMContentLoaded', f, { once: true });
}

async function checkQueue(cfg: Config): Promise<string | null> {
  const origin = location.origin;
  const refused =
    `this site (${origin}) is not allowed to offer the help queue "${cfg.slug}" of ${cfg.site}, or that site cannot be reached, so no help button is shown. ` +
    `An admin of ${cfg.site} must add ${origin} in Site settings → Allowed origins for the help script.`;
  let res: Response;
  try {
    res = await fetch(`${cfg.site}/api/acd/queues/${encodeURIComponent(cfg.slug)}/public`, { credentials: 'omit' });
  } catch {
    // Without access-control-allow-origin the page only sees a network error.
    return refused;
  }
  if (res.ok) return null;
  if (res.status === 403) return refused;
  if (res.status === 404) return `${cfg.site} has no help queue "${cfg.slug}" (check data-queue), so no help button is shown.`;
  return `${cfg.site} answered ${res.status} for the help queue "${cfg.slug}", so no help button is shown.`;
}

function start(): void {
  if ('RemoteSupportHelp' in window) return; // loaded twice: the first copy does the work
  let widget: Widget | null = null;
  let openWhenReady = false;
  const api: RemoteSupportHelpApi = Object.freeze({
    open(): void {
      try {
        if (widget) widget.open();
        else openWhenReady = true;
      } catch {
        /* never into the host page */
      }
    },
    close(): void {
      try {
        openWhenReady = false;
        widget?.close();
      } catch {
        /* never into the host page */
      }
    },
  });
  Object.defineProperty(window, 'RemoteSupportHelp', { value: api, enumerable: false, writable: false, configurable: false });

  const cfg = readConfig(findScript(document), navigator.languages?.length ? navigator.languages : [navigator.language]);
  if (typeof cfg === 'string') return warn(cfg);
  checkQueue(cfg)
    .then((problem) => {
      if (problem) return warn(problem);
      whenBodyReady(() => {
        try {
          widget = createWidget(cfg);
          if (openWhenReady) widget.open();
        } catch (e) {
          warn(`could not be added (${String(e)}).`);
        }
      });
    })
    .catch(() => undefined);
}

try {
  start();
} catch (e) {
  warn(`could not start (${String(e)}).`);
}
