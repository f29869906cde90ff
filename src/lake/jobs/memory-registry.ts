// The single-instance JobRegistry: latest snapshot plus state transitions per job, finished jobs evicted oldest first.
import { isFinal, type JobFilter, type JobRegistry, type JobSnapshot } from './types.js';

interface Entry {
  latest: JobSnapshot;
  /** One snapshot per state the job has been in (at most five), for subscribers resuming from a sequence number. */
  transitions: JobSnapshot[];
}

export class MemoryJobRegistry implements JobRegistry {
  private readonly jobs = new Map<string, Entry>();

  /** @param retainFinished how many finished jobs to keep answering for; running jobs are never evicted. */
  constructor(private readonly retainFinished = 1000) {}

  async save(snapshot: JobSnapshot): Promise<boolean> {
    const entry = this.jobs.get(snapshot.id);
    if (!entry) {
      this.jobs.set(snapshot.id, { latest: snapshot, transitions: [snapshot] });
    } else {
      // Out-of-order saves cannot happen from one tracker, but a stale one must never win.
      if (snapshot.seq <= entry.latest.seq) return false;
      if (snapshot.state !== entry.latest.state) entry.transitions.push(snapshot);
      entry.latest = snapshot;
    }
    if (isFinal(snapshot.state)) this.evict();
    return true;
  }

  async get(id: string): Promise<JobSnapshot | undefined> {
    return this.jobs.get(id)?.latest;
  }

  async list(filter: JobFilter = {}): Promise<JobSnapshot[]> {
    return [...this.jobs.values()]
      .map((e) => e.latest)
      .filter(
        (s) =>
          (filter.state === undefined || s.state === filter.state) &&
          (filter.kind === undefined || s.kind === filter.kind),
      )
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  }

  async since(id: string, seq: number): Promise<JobSnapshot[]> {
    const entry = this.jobs.get(id);
    if (!entry) return [];
    const out = entry.transitions.filter((s) => s.seq > seq);
    if (entry.latest.seq > seq && out.at(-1)?.seq !== entry.latest.seq) out.push(entry.latest);
    return out;
  }

  private evict(): void {
    const finished = [...this.jobs.values()].filter((e) => isFinal(e.latest.state));
    if (finished.length <= this.retainFinished) return;
    finished.sort((a, b) => (a.latest.finishedAt ?? 0) - (b.latest.finishedAt ?? 0));
    for (const entry of finished.slice(0, finished.length - this.retainFinished)) this.jobs.delete(entry.latest.id);
  }
}
