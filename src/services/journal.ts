// Opens the job journal where LAKEQL_STATE_DIR says, or in its default place: inside a directory lake, else ./.lakeql.
import path from 'node:path';
import { JobJournal } from '../lake/jobs/journal.js';
import { INTERNAL_DIR } from '../lake/store/local/fs.js';
import type { LakeLocation } from '../lake/store/open.js';

/**
 * Inside a directory lake the journal sits in the backend's own `.lakeql/` directory, which
 * listings, the catalog and keys never show. Set explicitly, a directory that cannot be opened
 * (another process holds its lock) stops start-up: two instances must not resume the same jobs.
 * The default place is skipped with a warning instead, so a second instance on the same lake
 * still starts (its jobs then do not survive a restart). No default without a known location
 * (a store handed in by a test), and none with Redis (jobs are shared there, see redis.ts).
 */
export async function openJournal(
  setting: string | undefined,
  location: LakeLocation | undefined,
  log: (message: string) => void,
): Promise<JobJournal | undefined> {
  if (setting === 'off') return undefined;
  if (setting !== undefined) {
    try {
      return await JobJournal.open(path.resolve(setting));
    } catch (error) {
      throw new Error(`LAKEQL_STATE_DIR: cannot open the job journal in ${path.resolve(setting)}: ${describe(error)}`);
    }
  }
  if (!location) return undefined;
  const directory =
    location.kind === 'local' ? path.join(location.directory, INTERNAL_DIR, 'jobs') : path.resolve('.lakeql');
  try {
    return await JobJournal.open(directory);
  } catch (error) {
    log(
      `jobs will not survive a restart: the job journal in ${directory} cannot be opened (${describe(error)}); set LAKEQL_STATE_DIR`,
    );
    return undefined;
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  if (code === 'LEVEL_LOCKED') return 'another lakeql process holds it';
  return error instanceof Error ? error.message : String(error);
}
