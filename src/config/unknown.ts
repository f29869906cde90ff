// Warnings for LAKEQL_* variables that are not settings, with the closest setting's name (a misspelt one is otherwise silently ignored).
import { editDistance } from '../edit-distance.js';

/** Names the test suite reads (LAKEQL_TEST_REDIS_URL, …); never settings of the gateway. */
const RESERVED_PREFIX = 'LAKEQL_TEST_';

/**
 * A misspelt setting is otherwise silently ignored and its default used: every LAKEQL_* variable
 * that is not in `known` gets a warning naming the closest one (by edit distance) when it is close.
 */
export function misspeltVariables(env: NodeJS.ProcessEnv, known: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('LAKEQL_') || name.startsWith(RESERVED_PREFIX) || known.includes(name)) continue;
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of known) {
      const d = editDistance(name, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    // Close means at most a third of the name differs (LAKEQL_PROT → LAKEQL_PORT is 2 of 11).
    const hint =
      best && bestDistance <= Math.max(2, Math.floor((name.length - 'LAKEQL_'.length) / 3))
        ? `; did you mean ${best}?`
        : '';
    warnings.push(`${name} is not a lakeql setting and is ignored${hint}`);
  }
  return warnings;
}
