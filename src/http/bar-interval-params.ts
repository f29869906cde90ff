// `every` and `session` of GET /v1/bars: strict parsing of the query string into the bar query's interval, typed errors otherwise.
import { checkEvery } from '../lake/bars/interval.js';
import { BAR_SESSIONS, DEFAULT_SESSION, isBarSession, type BarSession } from '../lake/bars/session.js';
import type { Timeframe } from '../lake/bars/timeframe.js';
import { InvalidInputError } from '../lake/errors.js';

/**
 * `every`: decimal digits only (no sign, exponent, fraction or spaces: "5", not "5.0" or "0x5"),
 * then the same range check as the GraphQL argument. `session`: regular or extended, any case.
 * Absent or empty means the default (1, EXTENDED).
 */
export function intervalParams(params: URLSearchParams, timeframe: Timeframe): { every: number; session: BarSession } {
  const everyText = params.get('every');
  let every = 1;
  if (everyText !== null && everyText !== '') {
    if (!/^\d{1,6}$/.test(everyText))
      throw new InvalidInputError(`every must be a whole number, got "${everyText.slice(0, 40)}"`);
    every = checkEvery(timeframe, Number(everyText));
  }
  const sessionText = (params.get('session') || DEFAULT_SESSION).toUpperCase();
  if (!isBarSession(sessionText)) {
    throw new InvalidInputError(
      `session must be one of ${BAR_SESSIONS.map((s) => s.toLowerCase()).join(', ')}, got "${sessionText.slice(0, 40)}"`,
    );
  }
  return { every, session: sessionText };
}
