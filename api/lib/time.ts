/**
 * Time-zone arithmetic with Intl only. A tenant's day begins at its local midnight, so a day is
 * 23, 24 or 25 hours long; every function here works in UTC milliseconds and asks the zone's
 * offset rather than assuming one.
 */

const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Every UTC offset in use is a multiple of 15 minutes, so offsets are constant within a quarter hour. */
export const QUARTER_HOUR = 15 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in milliseconds (New York in winter: −5 h). */
export function offsetAt(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * A zone's offsets, memoised per quarter hour: bulk work (aggregating a day of activities,
 * bucketing a month) asks the same few offsets millions of times.
 */
export class Zone {
  readonly #offsets = new Map<number, number>();
  constructor(readonly timeZone: string) {}

  offset(ms: number): number {
    const bucket = Math.floor(ms / QUARTER_HOUR);
    let o = this.#offsets.get(bucket);
    if (o === undefined) {
      o = offsetAt(bucket * QUARTER_HOUR, this.timeZone);
      this.#offsets.set(bucket, o);
    }
    return o;
  }

  /** The local wall-clock time of an instant, expressed as if it were UTC. */
  wall(ms: number): number {
    return ms + this.offset(ms);
  }

  localDate(ms: number): string {
    return new Date(this.wall(ms)).toISOString().slice(0, 10);
  }

  localHour(ms: number): number {
    return new Date(this.wall(ms)).getUTCHours();
  }

  /** ISO weekday of the local day: 1 = Monday … 7 = Sunday. */
  localWeekday(ms: number): number {
    return new Date(this.wall(ms)).getUTCDay() || 7;
  }

  /** The instant a local calendar day begins (local midnight; the first instant after a skipped one). */
  startOfDay(date: string): number {
    const wallMidnight = Date.parse(`${date}T00:00:00Z`);
    let guess = wallMidnight - this.offset(wallMidnight);
    guess = wallMidnight - this.offset(guess);
    // Where midnight itself does not exist (a zone that springs forward at 00:00), the day starts
    // at the first local instant of that date.
    if (this.localDate(guess) !== date) guess += HOUR;
    return guess;
  }

  /** [start, end) of a local calendar day in UTC milliseconds. */
  dayRange(date: string): [number, number] {
    return [this.startOfDay(date), this.startOfDay(addDays(date, 1))];
  }
}

const zones = new Map<string, Zone>();
export function zone(timeZone: string): Zone {
  let z = zones.get(timeZone);
  if (!z) {
    z = new Zone(timeZone);
    zones.set(timeZone, z);
  }
  return z;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

export function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY);
}

/** Every date from start to end inclusive. */
export function dateRange(start: string, end: string): string[] {
  const out: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Monday of the ISO week a date falls in. */
export function startOfWeek(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
  return addDays(date, 1 - weekday);
}

export function startOfMonth(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  return ms == null ? null : new Date(ms).toISOString();
}
