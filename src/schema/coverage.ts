// Coverage: SymbolYear.coverage (one symbol-year's gaps) and Lake.coverage (the symbols with gaps in a year).
import * as coverage from '../resolvers/coverage.js';
import type { CoverageRef } from '../resolvers/coverage.js';
import type { ShortDay } from '../lake/coverage/coverage.js';
import { hasGaps } from '../lake/coverage/coverage.js';
import { DEFAULT_PAGE_SIZE } from '../resolvers/limits.js';
import { builder } from './builder.js';
import { checkFirst, connectionType } from './connection.js';
import { Lake } from './lake.js';
import { ResolutionEnum } from './resolution.js';
import { SymbolYear } from './symbol.js';

const ShortDayObject = builder.objectRef<ShortDay>('ShortSessionDay').implement({
  description: 'A trading day whose minute bars cover less of the regular session than it lasted.',
  fields: (t) => ({
    date: t.field({ type: 'Date', description: 'The trading date (New York).', resolve: (d) => d.date }),
    minutes: t.int({ description: 'Distinct minutes held inside the regular session.', resolve: (d) => d.minutes }),
    expectedMinutes: t.int({ description: '390, or 210 on an early close.', resolve: (d) => d.expected }),
  }),
});

const Coverage = builder.objectRef<CoverageRef>('Coverage').implement({
  description: [
    "Which NYSE trading days a symbol-year's bar files hold. Expected: every trading day of the year (DAILY), or of the months from the",
    'first to the last minute file held (MINUTE); in the current year only up to the last date held. Minute rows outside 09:30–close',
    'New York (extended hours) make a day present but do not count toward its session minutes.',
  ].join(' '),
  fields: (t) => ({
    symbol: t.string({ description: 'The symbol checked.', resolve: (c) => c.symbol }),
    year: t.int({ description: 'The year checked.', resolve: (c) => c.year }),
    resolution: t.field({ type: ResolutionEnum, description: 'Daily or minute files.', resolve: (c) => c.resolution }),
    from: t.field({ type: 'Date', nullable: true, description: 'First expected trading day.', resolve: (c) => c.from }),
    to: t.field({ type: 'Date', nullable: true, description: 'Last expected trading day.', resolve: (c) => c.to }),
    expectedDays: t.int({ description: 'NYSE trading days the files should cover.', resolve: (c) => c.expectedDays }),
    presentDays: t.int({ description: 'Expected days with at least one row.', resolve: (c) => c.presentDays }),
    rows: t.field({ type: 'SafeInt', description: 'Rows read from the files.', resolve: (c) => c.rows }),
    missingDates: t.field({
      type: ['Date'],
      description: 'Expected trading days with no row.',
      resolve: (c) => c.missingDates,
    }),
    unexpectedDates: t.field({
      type: ['Date'],
      description: 'Dates with rows although the market was closed (weekends, holidays) or outside the year.',
      resolve: (c) => c.unexpectedDates,
    }),
    duplicateDates: t.field({
      type: ['Date'],
      description: 'DAILY: dates with more than one row. MINUTE: dates holding a minute twice.',
      resolve: (c) => c.duplicateDates,
    }),
    shortDays: t.field({
      type: [ShortDayObject],
      description:
        'MINUTE only: trading days with fewer regular-session minutes than the session (early closes respected).',
      resolve: (c) => c.shortDays,
    }),
    complete: t.boolean({
      description: 'True when there is no missing, unexpected, duplicate or short day.',
      resolve: (c) => !hasGaps(c),
    }),
  }),
});

builder.objectField(SymbolYear, 'coverage', (t) =>
  t.field({
    type: Coverage,
    nullable: true,
    description: 'Null when the year holds no bar file of that resolution. Reads the files (raw rows, not resampled).',
    args: {
      resolution: t.arg({
        type: ResolutionEnum,
        defaultValue: 'DAILY',
        description: 'Which files to check (default DAILY).',
      }),
    },
    resolve: (y, args, ctx) => coverage.ofSymbolYear(ctx, y, args.resolution ?? 'DAILY'),
  }),
);

const CoverageConnection = connectionType('Coverage', Coverage);

builder.objectField(Lake, 'coverage', (t) =>
  t.field({
    type: CoverageConnection,
    description:
      'Symbols whose files of that year and resolution have gaps, in S3 key order. Symbols without such a file are skipped. Reads every file it scans.',
    args: {
      year: t.arg.int({ required: true, description: 'The year to check.' }),
      resolution: t.arg({
        type: ResolutionEnum,
        defaultValue: 'DAILY',
        description: 'Which files to check (default DAILY).',
      }),
      first: t.arg.int({
        defaultValue: DEFAULT_PAGE_SIZE,
        description: 'Symbols with gaps per page, at most LAKEQL_MAX_PAGE_SIZE.',
      }),
      after: t.arg.string({ description: 'endCursor of the previous page.' }),
    },
    resolve: (_lake, args, ctx) =>
      coverage.lakeCoverage(ctx, {
        year: args.year,
        resolution: args.resolution ?? 'DAILY',
        first: checkFirst(args.first ?? DEFAULT_PAGE_SIZE, ctx.services.config.maxPageSize),
        after: args.after,
      }),
  }),
);
