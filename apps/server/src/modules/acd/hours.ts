import { WEEKDAYS, type BusinessHours, type Weekday } from '@rs/protocol';

const formats = new Map<string, Intl.DateTimeFormat>();

/** Weekday and HH:MM of an instant in a time zone. */
function localClock(at: Date, timeZone: string): { day: Weekday; time: string } {
  let f = formats.get(timeZone);
  if (!f) formats.set(timeZone, (f = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = f.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = get('weekday').slice(0, 3).toLowerCase() as Weekday;
  return { day, time: `${get('hour')}:${get('minute')}` };
}

/** ACD-5: whether a queue takes people at `at`. `null` hours: always open. */
export function isOpen(hours: BusinessHours | null, at: Date): boolean {
  if (!hours) return true;
  const { day, time } = localClock(at, hours.timeZone);
  return (hours.days[day] ?? []).some((r) => r.from <= time && time < r.to);
}

/**
 * The next time the queue opens after `at`, to the minute, searching a week
 * ahead; null when it never opens. Stepping by minutes keeps daylight-saving
 * changes right without time-zone arithmetic.
 */
export function nextOpening(hours: BusinessHours | null, at: Date): Date | null {
  if (!hours) return null;
  if (!WEEKDAYS.some((d) => (hours.days[d] ?? []).length > 0)) return null;
  const start = Math.ceil(at.getTime() / 60_000) * 60_000;
  for (let t = start; t < start + 8 * 24 * 3600_000; t += 60_000) {
    const when = new Date(t);
    if (isOpen(hours, when)) return when;
  }
  return null;
}
