// New York time for the charts: traders read intraday bars on the exchange's clock, not UTC.

const PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Offsets by UTC day: New York changes clocks at 02:00 local, before any session (04:00–20:00) begins. */
const offsets = new Map<number, number>();

/** Seconds to add to a UTC instant to get New York wall-clock time (-14400 in summer, -18000 in winter). */
export function newYorkOffset(utcSeconds: number): number {
  const day = Math.floor(utcSeconds / 86400);
  let offset = offsets.get(day);
  if (offset === undefined) {
    const noon = day * 86400 + 12 * 3600;
    const p = Object.fromEntries(PARTS.formatToParts(new Date(noon * 1000)).map((x) => [x.type, x.value]));
    const wall =
      Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) /
      1000;
    offset = wall - noon;
    offsets.set(day, offset);
  }
  return offset;
}

/**
 * lightweight-charts draws times as UTC; shifting each instant by New York's offset makes its axis,
 * crosshair and labels read New York time (the library's documented way to show a time zone).
 */
export function toNewYorkChartTime(iso: string): number {
  const utc = Date.parse(iso) / 1000;
  return utc + newYorkOffset(utc);
}

/** A shifted chart time as "Fri 29 Dec 2023 09:30 ET" (or the date alone for daily and coarser bars). */
export function formatChartTime(chartSeconds: number, intraday: boolean): string {
  const d = new Date(chartSeconds * 1000);
  const date = d.toLocaleDateString('en-GB', {
    timeZone: 'UTC',
    weekday: 'short',
    day: '2-digit',
    month: 'short',
    year: 'numeric',
  });
  return intraday ? `${date} ${d.toISOString().slice(11, 16)} ET` : date;
}

/** YYYY-MM-DD of a Date in UTC (dates in the lake are New York trading dates, carried as plain dates). */
export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** `date` moved by whole days, months or years (calendar arithmetic in UTC, so no DST surprises). */
export function shiftDate(
  date: string,
  { days = 0, months = 0, years = 0 }: { days?: number; months?: number; years?: number },
): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years, d.getUTCMonth() + months, d.getUTCDate() + days);
  return isoDate(d);
}
