import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addDays, DAY, HOUR, offsetAt, Zone, zone, ZONE_CACHE_DAYS } from './time.js';

const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);

/** The offset from Intl's parts, independently of time.ts. */
function reference(ms: number, timeZone: string): number {
  const f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(ms / 1000) * 1000;
}

/** Offset changes: the first instant with the new offset, and the offsets before and after (hours). */
const CHANGES: [timeZone: string, iso: string, before: number, after: number][] = [
  ['America/New_York', '2026-03-08T07:00:00Z', -5, -4],
  ['America/New_York', '2026-11-01T06:00:00Z', -4, -5],
  ['Europe/Berlin', '2026-03-29T01:00:00Z', 1, 2],
  ['Europe/Berlin', '2026-10-25T01:00:00Z', 2, 1],
  // Half-hour daylight saving.
  ['Australia/Lord_Howe', '2026-04-04T15:00:00Z', 11, 10.5],
  ['Australia/Lord_Howe', '2026-10-03T15:30:00Z', 10.5, 11],
  // +5:30 → +5:45.
  ['Asia/Kathmandu', '1985-12-31T18:30:00Z', 5.5, 5.75],
  // A change one minute past the quarter hour (00:01 local, as Newfoundland did until 2011).
  ['America/St_Johns', '1987-04-05T03:31:00Z', -3.5, -2.5],
];

describe('Zone.offset', () => {
  test('each change happens at its instant, to the millisecond, however the day was first asked', () => {
    for (const [timeZone, iso, before, after] of CHANGES) {
      const t = at(iso);
      // Asked first before the change, after it, or elsewhere in the day: the same answers.
      for (const first of [t - 1, t, t - 20 * HOUR, t + 3 * HOUR]) {
        const z = new Zone(timeZone);
        z.offset(first);
        assert.equal(z.offset(t - 1) / HOUR, before, `${timeZone} just before ${iso}`);
        assert.equal(z.offset(t - 1000) / HOUR, before, `${timeZone} a second before ${iso}`);
        assert.equal(z.offset(t) / HOUR, after, `${timeZone} at ${iso}`);
        assert.equal(z.offset(t + 999) / HOUR, after, `${timeZone} within the second of ${iso}`);
        assert.equal(z.offset(t - 12 * HOUR) / HOUR, before);
        assert.equal(z.offset(t + 12 * HOUR) / HOUR, after);
      }
    }
  });

  test('agrees with Intl at random instants 1970–2100 and around every change it finds', () => {
    let seed = 42;
    const random = () => (seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
    const from = at('1970-01-01T00:00:00Z');
    const to = at('2100-01-01T00:00:00Z');
    for (const timeZone of ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'UTC']) {
      const z = new Zone(timeZone);
      for (let i = 0; i < 3000; i++) {
        const t = Math.floor(from + random() * (to - from));
        const expected = reference(t, timeZone);
        assert.equal(offsetAt(t, timeZone), expected, `offsetAt ${timeZone} ${new Date(t).toISOString()}`);
        assert.equal(z.offset(t), expected, `${timeZone} ${new Date(t).toISOString()}`);
      }
      // Every quarter hour of two years (checked against offsetAt every 6 hours), and each change found to the second.
      let previous = z.offset(at('2025-01-01T00:00:00Z'));
      let changes = 0;
      for (let t = at('2025-01-01T00:00:00Z'); t < at('2027-01-01T00:00:00Z'); t += 15 * MINUTE) {
        const o = z.offset(t);
        if (t % (6 * HOUR) === 0) assert.equal(o, offsetAt(t, timeZone), `${timeZone} ${new Date(t).toISOString()}`);
        if (o !== previous) {
          changes++;
          const change = [t - 15 * MINUTE, t].find((c) => z.offset(c) === o)!;
          assert.equal(offsetAt(change, timeZone), o, `${timeZone} ${new Date(change).toISOString()}`);
          assert.equal(offsetAt(change - 1000, timeZone), previous, `${timeZone}: the change at ${new Date(change).toISOString()} is no later than that`);
          assert.equal(z.offset(change - 1), previous);
        }
        previous = o;
      }
      assert.equal(changes, ['Asia/Kathmandu', 'UTC'].includes(timeZone) ? 0 : 4, timeZone);
    }
  });

  test('the memory stays bounded after instants over many years, and answers stay right past it', () => {
    const z = new Zone('America/New_York');
    const from = at('1970-01-01T00:00:00Z');
    const to = at('2100-01-01T00:00:00Z');
    for (let t = from; t < to; t += 4 * DAY + 5 * HOUR) z.offset(t);
    assert.ok((to - from) / DAY > 2 * ZONE_CACHE_DAYS);
    assert.equal(z.cachedDays, ZONE_CACHE_DAYS);
    // Forgotten days are learned again.
    for (const iso of ['1970-07-01T12:00:00Z', '2026-03-08T06:59:59Z', '2026-03-08T07:00:00Z', '2099-12-31T12:00:00Z']) {
      assert.equal(z.offset(at(iso)), offsetAt(at(iso), 'America/New_York'), iso);
    }
    assert.equal(z.cachedDays, ZONE_CACHE_DAYS);
  });

  test('zone() gives one Zone per name', () => {
    assert.equal(zone('Europe/Berlin'), zone('Europe/Berlin'));
  });
});

describe('Zone days', () => {
  test('days are 23, 24, 24.5 or 25 hours long, and start at local midnight', () => {
    const cases: [string, string, number][] = [
      ['America/New_York', '2026-03-08', 23],
      ['America/New_York', '2026-11-01', 25],
      ['America/New_York', '2026-11-20', 24],
      ['Europe/Berlin', '2026-03-29', 23],
      ['Europe/Berlin', '2026-10-25', 25],
      ['Australia/Lord_Howe', '2026-04-05', 24.5],
      ['Australia/Lord_Howe', '2026-10-04', 23.5],
      ['Asia/Kathmandu', '2026-06-01', 24],
    ];
    for (const [timeZone, date, hours] of cases) {
      const z = zone(timeZone);
      const [start, end] = z.dayRange(date);
      assert.equal((end - start) / HOUR, hours, `${timeZone} ${date}`);
      assert.equal(z.localDate(start), date);
      assert.equal(z.localHour(start), 0);
      assert.equal(z.localDate(start - 1), addDays(date, -1));
      assert.equal(z.localDate(end - 1), date);
    }
  });
});
