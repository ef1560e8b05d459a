import { age, ago, exact } from './format.js';

/** A time as people read it ("3m ago", or an age such as "3m"), the exact local time on hover. */
export function RelTime({ iso, now, suffix = true }: { iso: string; now: number; suffix?: boolean }) {
  return (
    <time dateTime={iso} title={exact(iso)}>
      {suffix ? ago(iso, now) : age(iso, now)}
    </time>
  );
}
