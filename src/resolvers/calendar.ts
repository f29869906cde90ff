// Calendar resolvers: GraphQL Date arguments to ISO dates, checked against the calendar's bounds.
import { calendarRange, holidaysBetween, sessionsBetween } from '../lake/calendar/range.js';

/** The Date scalar hands us UTC-midnight Dates; the calendar speaks ISO dates. */
function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function calendar(args: { from: Date; to: Date }) {
  return sessionsBetween(calendarRange(iso(args.from), iso(args.to)));
}

export function holidays(args: { from: Date; to: Date }) {
  return holidaysBetween(calendarRange(iso(args.from), iso(args.to)));
}

const newYorkClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** HH:mm:ss on New York's wall clock at a UTC instant. */
export function newYorkTime(instant: number): string {
  return newYorkClock.format(instant);
}
