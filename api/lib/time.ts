/**
 * Time-zone arithmetic with Intl only. A tenant's day begins at its local midnight, so a day is
 * 23, 24 or 25 hours long; every function here works in UTC milliseconds and asks the zone's
 * offset rather than assuming one.
 */

const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/**
 * Every UTC offset in use is a multiple of 15 minutes, and changes nearly always fall on a quarter hour
 * (a few zones changed at hh:01, Newfoundland until 2011: Zone.offset has those to the second).
 */
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
    // Time-zone names are case-insensitive, so spellings of valid names are many: the cache is bounded.
    if (formatters.size >= MAX_ZONES) formatters.clear();
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
  const f = formatter(timeZone);
  // `format` is about three times faster than `formatToParts`; its en-US shape is "11/20/2026, 15:30:00".
  const m = WALL.exec(f.format(ms));
  let wall: number;
  if (m) {
    wall = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
  } else {
    const parts: Record<string, number> = {};
    for (const p of f.formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  }
  return wall - Math.floor(ms / 1000) * 1000;
}
const WALL = /^(\d{1,2})\/(\d{1,2})\/(\d{4}), (\d{1,2}):(\d{1,2}):(\d{1,2})$/;

/**
 * What a zone does during one UTC day: its offset, and the instant that offset changes if it does
 * (at most once: since 1970 the tz database has no two changes of one zone's offset less than six
 * days apart).
 */
interface DayOffsets {
  before: number;
  /** The first instant with the `after` offset, to the second; Infinity when the day has no change. */
  at: number;
  after: number;
}

/** Days remembered per zone (about eleven years); past it the least recently learned day is forgotten. */
export const ZONE_CACHE_DAYS = 4096;

/**
 * A zone's offsets, memoised per UTC day: bulk work (aggregating a day of activities, bucketing a
 * month) asks the same few offsets millions of times. A day costs two offset look-ups, and a day
 * with a change seventeen more to find the second it happens; the memory is bounded by
 * ZONE_CACHE_DAYS whatever instants are asked.
 */
export class Zone {
  readonly #days = new Map<number, DayOffsets>();
  #lastDay = NaN;
  #last: DayOffsets = { before: 0, at: Infinity, after: 0 };
  constructor(readonly timeZone: string) {}

  offset(ms: number): number {
    const day = Math.floor(ms / DAY);
    if (day !== this.#lastDay) {
      this.#last = this.#days.get(day) ?? this.#learn(day);
      this.#lastDay = day;
    }
    const d = this.#last;
    return ms < d.at ? d.before : d.after;
  }

  /** How many days are remembered (never more than ZONE_CACHE_DAYS). */
  get cachedDays(): number {
    return this.#days.size;
  }

  #learn(day: number): DayOffsets {
    const start = day * DAY;
    let lo = start;
    let hi = start + DAY - 1000;
    const before = offsetAt(lo, this.timeZone);
    const after = offsetAt(hi, this.timeZone);
    let at = Infinity;
    if (after !== before) {
      // offsetAt(lo) is `before`, offsetAt(hi) is not: halve down to the second it changes.
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (offsetAt(mid, this.timeZone) === before) lo = mid;
        else hi = mid;
      }
      at = hi;
    }
    const d = { before, at, after };
    if (this.#days.size >= ZONE_CACHE_DAYS) this.#days.delete(this.#days.keys().next().value!);
    this.#days.set(day, d);
    return d;
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

/** Zones (and their formatters) are kept for this many distinct names; names past it start the cache afresh. */
const MAX_ZONES = 1024;
const zones = new Map<string, Zone>();
export function zone(timeZone: string): Zone {
  let z = zones.get(timeZone);
  if (!z) {
    z = new Zone(timeZone);
    if (zones.size >= MAX_ZONES) zones.clear();
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
