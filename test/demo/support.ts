// Test helpers for the demo-lake tests: a DuckDB connection as the independent Parquet reader, and a counting store wrapper.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ObjectStore, PutBody, PutOptions, PutResult } from '../../src/lake/store/types.js';

export interface Duck {
  rows(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

export async function openDuck(): Promise<Duck> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection: DuckDBConnection = await instance.connect();
  return {
    async rows(sql) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export interface CountingStore extends ObjectStore {
  puts: string[];
  maxInFlight: number;
}

/** Wraps a store to record every put and the most puts ever in flight at once. */
export function counting(store: ObjectStore): CountingStore {
  let inFlight = 0;
  const wrapper: CountingStore = {
    kind: store.kind,
    capabilities: store.capabilities,
    puts: [],
    maxInFlight: 0,
    list: (options) => store.list(options),
    head: (key) => store.head(key),
    get: (key, options) => store.get(key, options),
    delete: (key) => store.delete(key),
    async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
      wrapper.puts.push(key);
      wrapper.maxInFlight = Math.max(wrapper.maxInFlight, ++inFlight);
      try {
        return await store.put(key, body, options);
      } finally {
        inFlight--;
      }
    },
  };
  return wrapper;
}
