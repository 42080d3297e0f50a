import { useId, type InputHTMLAttributes, type ReactNode, type TextareaHTMLAttributes } from 'react';
import { RsError } from '@rs/protocol';

/** A labelled input or textarea with an optional hint and a field-level error next to it. */
export function FormField({
  label,
  hint,
  error,
  multiline,
  after,
  ...rest
}: {
  label: string;
  hint?: string | undefined;
  error?: string | null | undefined;
  multiline?: boolean;
  /** Shown under the field, its hint and its error (a preview). */
  after?: ReactNode;
} & InputHTMLAttributes<HTMLInputElement> &
  TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-err` : null, rest['aria-describedby'] ?? null].filter(Boolean).join(' ') || undefined;
  const common = { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea rows={4} {...(rest as TextareaHTMLAttributes<HTMLTextAreaElement>)} {...common} />
      ) : (
        <input {...(rest as InputHTMLAttributes<HTMLInputElement>)} {...common} />
      )}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-err`} className="field-error">
          {error}
        </small>
      )}
      {after}
    </div>
  );
}

/** The fields a validation error names (`issues[].path`, first segment). */
export function issueFields(err: unknown): Set<string> {
  if (!(err instanceof RsError) || !err.issues) return new Set();
  return new Set(err.issues.map((i) => i.path.split('.')[0] ?? i.path));
}
