/**
 * Numbers, dates and relative times through `Intl`, in one locale (the widget's `locale`
 * attribute, else the page's `lang`, else the browser's). Formatters are built once per locale.
 */
export class Format {
  readonly #number: Intl.NumberFormat;
  readonly #percent: Intl.NumberFormat;
  readonly #time: Intl.DateTimeFormat;
  readonly #dateTime: Intl.DateTimeFormat;
  readonly #date: Intl.DateTimeFormat;
  readonly #relative: Intl.RelativeTimeFormat;
  readonly #currency = new Map<string, Intl.NumberFormat>();

  constructor(readonly locale: string) {
    this.#number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    this.#percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
    this.#time = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
    this.#dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    this.#date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
    this.#relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  }

  number(value: number): string {
    return this.#number.format(value);
  }

  /** A share from 0 to 1. */
  percent(share: number): string {
    return this.#percent.format(share);
  }

  currency(value: number, currency = 'USD'): string {
    let format = this.#currency.get(currency);
    if (!format) this.#currency.set(currency, (format = new Intl.NumberFormat(this.locale, { style: 'currency', currency })));
    return format.format(value);
  }

  time(instant: string | number | Date): string {
    return this.#time.format(new Date(instant));
  }

  dateTime(instant: string | number | Date): string {
    return this.#dateTime.format(new Date(instant));
  }

  date(instant: string | number | Date): string {
    return this.#date.format(new Date(instant));
  }

  /** "now", "2 min. ago", "yesterday"… relative to `now`. */
  relative(instant: string | number | Date, now = Date.now()): string {
    const seconds = (new Date(instant).getTime() - now) / 1000;
    const abs = Math.abs(seconds);
    if (abs < 45) return this.#relative.format(0, 'second');
    if (abs < 45 * 60) return this.#relative.format(Math.round(seconds / 60), 'minute');
    if (abs < 22 * 3600) return this.#relative.format(Math.round(seconds / 3600), 'hour');
    return this.#relative.format(Math.round(seconds / 86400), 'day');
  }

  /** A duration in seconds as "4 min 05 s" style units of the locale. */
  duration(seconds: number): string {
    const s = Math.max(0, Math.round(seconds));
    const unit = (value: number, unit: 'hour' | 'minute' | 'second') =>
      new Intl.NumberFormat(this.locale, { style: 'unit', unit, unitDisplay: 'narrow' }).format(value);
    if (s < 60) return unit(s, 'second');
    if (s < 3600) return `${unit(Math.floor(s / 60), 'minute')} ${unit(s % 60, 'second')}`;
    return `${unit(Math.floor(s / 3600), 'hour')} ${unit(Math.floor((s % 3600) / 60), 'minute')}`;
  }
}

const formats = new Map<string, Format>();

export function formatFor(locale: string): Format {
  let format = formats.get(locale);
  if (!format) formats.set(locale, (format = new Format(locale)));
  return format;
}

/** The locale of an element: its `locale`, else the nearest `lang` (the page's), else the browser's. */
export function localeOf(element: Element, explicit?: string): string {
  const candidate = explicit || element.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang || navigator.language || 'en-US';
  try {
    return Intl.getCanonicalLocales(candidate)[0] ?? 'en-US';
  } catch {
    return 'en-US';
  }
}
