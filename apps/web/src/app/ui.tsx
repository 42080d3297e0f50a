import { useEffect, useId, useRef, type InputHTMLAttributes, type ReactNode } from 'react';
import { useT } from '../i18n/index.js';

export function Page({ title, children, wide }: { title: string; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const t = useT();
  const app = t('app.title');
  useEffect(() => {
    document.title = `${title} · ${app}`;
  }, [title, app]);
  return (
    <div className={wide ? 'page page-wide' : 'page'}>
      <h1 ref={ref}>{title}</h1>
      {children}
    </div>
  );
}

export function Field({ label, hint, ...input }: { label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

export function Check({ label, hint, ...input }: { label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="check">
      <input id={id} type="checkbox" aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

/** Errors interrupt (role=alert); confirmations are polite (role=status). */
export function Notice({ kind, children }: { kind: 'error' | 'info' | 'success'; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/**
 * A modal dialog on the native <dialog>: focus trap, Escape and inert background come with it.
 * Mark the field that should get focus with `data-autofocus` (not `autoFocus`).
 */
export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose(): void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // React's autoFocus fires while the dialog is still closed; focus the marked field once it is open.
      d.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} onCancel={onClose}>
      <h2 id={titleId}>{title}</h2>
      {open && children}
    </dialog>
  );
}

/** The footer of a form dialog: Cancel, then the submit button. */
export function DialogButtons({ onCancel, submitLabel, busy }: { onCancel(): void; submitLabel: string; busy: boolean }) {
  const t = useT();
  return (
    <div className="row end">
      <button type="button" className="secondary" onClick={onCancel}>
        {t('common.cancel')}
      </button>
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </div>
  );
}
