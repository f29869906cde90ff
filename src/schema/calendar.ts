// The NYSE trading calendar: Query.calendar (sessions) and Query.holidays (closures and early closes).
import * as calendar from '../resolvers/calendar.js';
import type { MarketHoliday } from '../lake/calendar/range.js';
import type { Session } from '../lake/calendar/nyse.js';
import { CALENDAR_MAX_SPAN_DAYS, CALENDAR_MAX_YEAR, CALENDAR_MIN_YEAR } from '../lake/calendar/range.js';
import { builder } from './builder.js';

const TradingDay = builder.objectRef<Session>('TradingDay').implement({
  description:
    'One NYSE trading day and its regular session. Local times are New York wall-clock times (America/New_York).',
  fields: (t) => ({
    date: t.field({ type: 'Date', description: 'The trading date (New York).', resolve: (s) => s.date }),
    open: t.field({
      type: 'DateTime',
      description: 'The 09:30 New York open as a UTC instant.',
      resolve: (s) => new Date(s.open),
    }),
    close: t.field({
      type: 'DateTime',
      description: 'The 16:00 (13:00 on an early close) New York close as a UTC instant.',
      resolve: (s) => new Date(s.close),
    }),
    openLocal: t.field({
      type: 'LocalTime',
      description: 'New York wall-clock time of the open: 09:30:00.',
      resolve: (s) => calendar.newYorkTime(s.open),
    }),
    closeLocal: t.field({
      type: 'LocalTime',
      description: 'New York wall-clock time of the close: 16:00:00, or 13:00:00 on an early close.',
      resolve: (s) => calendar.newYorkTime(s.close),
    }),
    sessionMinutes: t.int({
      description: 'Regular-session minutes: 390, or 210 on an early close.',
      resolve: (s) => s.minutes,
    }),
    earlyClose: t.boolean({
      description: 'True when the session ends early (13:00 New York).',
      resolve: (s) => s.earlyClose !== null,
    }),
    earlyCloseReason: t.string({
      nullable: true,
      description: 'e.g. "Day after Thanksgiving"; null on a full session.',
      resolve: (s) => s.earlyClose,
    }),
  }),
});

const HolidayKind = builder.enumType('MarketHolidayKind', {
  description: 'Whether the market is closed all day or closes early.',
  values: {
    CLOSED: { description: 'No session on a weekday.' },
    EARLY_CLOSE: { description: 'The session ends at 13:00 New York.' },
  } as const,
});

const Holiday = builder.objectRef<MarketHoliday>('MarketHoliday').implement({
  description: 'A weekday on which the NYSE is closed, or closes early, with the reason.',
  fields: (t) => ({
    date: t.field({ type: 'Date', description: 'The date (New York).', resolve: (h) => h.date }),
    name: t.string({
      description: 'e.g. "Good Friday", "National day of mourning for President Carter", "Christmas Eve".',
      resolve: (h) => h.name,
    }),
    kind: t.field({ type: HolidayKind, description: 'CLOSED all day, or EARLY_CLOSE.', resolve: (h) => h.kind }),
    close: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The early close as a UTC instant; null for a closure.',
      resolve: (h) => (h.close === null ? null : new Date(h.close)),
    }),
  }),
});

const bounds = `Inclusive; both dates within ${CALENDAR_MIN_YEAR}–${CALENDAR_MAX_YEAR} and at most ${CALENDAR_MAX_SPAN_DAYS} days apart, else BAD_USER_INPUT.`;

builder.queryFields((t) => ({
  calendar: t.field({
    type: [TradingDay],
    description: `NYSE trading days in [from, to], ascending, with their sessions. ${bounds}`,
    args: {
      from: t.arg({ type: 'Date', required: true, description: 'First date, inclusive.' }),
      to: t.arg({ type: 'Date', required: true, description: 'Last date, inclusive.' }),
    },
    resolve: (_r, args) => calendar.calendar(args),
  }),
  holidays: t.field({
    type: [Holiday],
    description: `NYSE closures on weekdays (holidays and one-off closures) and early closes in [from, to], in date order. ${bounds}`,
    args: {
      from: t.arg({ type: 'Date', required: true, description: 'First date, inclusive.' }),
      to: t.arg({ type: 'Date', required: true, description: 'Last date, inclusive.' }),
    },
    resolve: (_r, args) => calendar.holidays(args),
  }),
}));
