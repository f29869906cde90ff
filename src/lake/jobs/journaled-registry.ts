// A JobRegistry that also writes the snapshots of journaled jobs to the journal, so a restart finds them where they were.
import type { JobJournal } from './journal.js';
import type { JobFilter, JobRegistry, JobSnapshot } from './types.js';

export class JournaledRegistry implements JobRegistry {
  constructor(
    private readonly inner: JobRegistry,
    private readonly journal: JobJournal,
  ) {}

  /** The journal write follows the registry's: a snapshot the registry refused (stale seq) is never journaled. */
  async save(snapshot: JobSnapshot): Promise<boolean> {
    const before = this.journal.isJournaled(snapshot.id) ? await this.inner.get(snapshot.id) : undefined;
    const stored = await this.inner.save(snapshot);
    if (stored && this.journal.isJournaled(snapshot.id))
      await this.journal.saveSnapshot(snapshot, before?.state !== snapshot.state);
    return stored;
  }

  get(id: string): Promise<JobSnapshot | undefined> {
    return this.inner.get(id);
  }

  list(filter?: JobFilter): Promise<JobSnapshot[]> {
    return this.inner.list(filter);
  }

  since(id: string, seq: number): Promise<JobSnapshot[]> {
    return this.inner.since(id, seq);
  }
}
