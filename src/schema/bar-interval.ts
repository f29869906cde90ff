// The bars fields' interval arguments: `every` (timeframes per bar) and `session` (TradingSession), with the alignment rules they document.
import { MAX_EVERY } from '../lake/bars/interval.js';
import { type BAR_SESSIONS, DEFAULT_SESSION } from '../lake/bars/session.js';
import { builder } from './builder.js';

export const TradingSessionEnum = builder.enumType('TradingSession', {
  description:
    'Which minutes intraday bars are built from. Applies to minute files: MINUTE and HOUR bars, and DAY or coarser bars of years that have no daily file. ' +
    'Bars read from daily files are the same in both sessions (a daily file holds one number per day, whatever session its writer used).',
  values: {
    REGULAR: {
      description:
        "Only 09:30–16:00 New York time (13:00 on the NYSE's early closes) of trading days; weekends and holidays have no bars.",
    },
    EXTENDED: {
      description:
        "Every minute the file holds: pre-market, regular and after-hours (Alpaca's default for intraday bars).",
    },
  } satisfies Record<(typeof BAR_SESSIONS)[number], { description: string }>,
});

export const EVERY_DOC =
  `Timeframes per bar: 5 with MINUTE is a 5-minute bar, 4 with HOUR a 4-hour bar. MINUTE takes 1–${MAX_EVERY.MINUTE}, HOUR 1–${MAX_EVERY.HOUR}, coarser timeframes 1 only; ` +
  'anything else is BAD_USER_INPUT. Intraday bars are New York wall-clock periods counted from New York midnight, labelled by their start: ' +
  '5-, 15- and 30-minute bars start at 9:30, 9:45, 10:00 …; hour bars on the hour (the 9:00 bar of a regular session holds 9:30–9:59); ' +
  '4-hour bars at 0:00, 4:00, 8:00 … New York time. A width that does not divide the day ends it with a shorter bar. ' +
  'Widths that divide an hour are exact on DST nights; longer ones start when the New York clock first shows their start (the 0:00 4-hour bar holds 3 hours in March, 5 in November).';

export const SESSION_DOC = `Which minutes to aggregate (see TradingSession); default ${DEFAULT_SESSION}.`;
