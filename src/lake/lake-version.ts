// The lake's version: one token that changes whenever anything lakeql serves from the lake may have changed.
//
// Whoever learns of a change bumps it: the catalog index when a refresh finds the lake differs from
// what it holds, and every write made through lakeql (uploads, writeBars, putFundamentals, completed
// backfill files, deletes), locally at once and on other instances through Redis. Readers (HTTP
// caching, the response cache) treat "same token" as "same lake": an ETag built from it stays valid
// exactly as long as the token does.

export interface LakeVersion {
  /** The current token; cheap, synchronous, never touches the store. */
  current(): string;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: (version: string) => void): () => void;
}

/** The in-process counter every instance keeps; `bump()` is the one way it changes. */
export class LakeVersionCounter implements LakeVersion {
  #epoch: string;
  #n = 0;
  readonly #listeners = new Set<(version: string) => void>();

  /** `epoch` makes tokens of different processes differ even at the same count (a restart must not reuse ETags). */
  constructor(epoch = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`) {
    this.#epoch = epoch;
  }

  current(): string {
    return `${this.#epoch}.${this.#n}`;
  }

  bump(): string {
    this.#n += 1;
    const version = this.current();
    for (const listener of this.#listeners) listener(version);
    return version;
  }

  subscribe(listener: (version: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
