// The Resolution enum: which dataset a tick file belongs to.
import { builder } from './builder.js';

export const ResolutionEnum = builder.enumType('Resolution', {
  description: 'The dataset a tick file belongs to: daily or minute bars.',
  values: {
    DAILY: { value: 'DAILY', description: 'One bar per trading day: data/ticks/daily/{SYMBOL}/{YEAR}/ticks.parquet' },
    MINUTE: {
      value: 'MINUTE',
      description: 'One bar per minute, one file per month: data/ticks/minute/{SYMBOL}/{YEAR}/{MM}/ticks.parquet',
    },
  } as const,
});
