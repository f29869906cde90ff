// The lakes GraphQL tests run on: a directory, and each reachable S3 server under a key prefix (as LAKEQL_LAKE=s3://bucket/lake/).
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import type { LakeLocation } from '../../src/lake/store/open.js';
import { PrefixedStore } from '../../src/lake/store/prefixed.js';
import type { ObjectStore } from '../../src/lake/store/types.js';
import { tempDir } from '../jobs/support.js';
import { createBucket, s3Servers, s3StoreOn } from './s3-servers.js';

export interface LakeSetup {
  name: string;
  open(): Promise<{ store: ObjectStore; location: LakeLocation; close(): void }>;
}

/** `hint` names the temp directory and buckets, so leftovers say which test made them. */
export function lakeSetups(hint: string): LakeSetup[] {
  return [
    {
      name: 'directory',
      open: async () => {
        const dir = await tempDir(`${hint}-lake`);
        return { store: new LocalStore(dir), location: { kind: 'local', directory: dir }, close: () => {} };
      },
    },
    ...s3Servers().map(
      (server): LakeSetup => ({
        name: `${server.name} (under a key prefix)`,
        open: async () => {
          const bucket = await createBucket(server, hint);
          const s3 = s3StoreOn(server, bucket);
          return {
            store: new PrefixedStore(s3, 'lake/'),
            location: { kind: 's3', bucket, prefix: 'lake/' },
            close: () => s3.close(),
          };
        },
      }),
    ),
  ];
}

/** A gateway listening on a free port over `setup`'s lake, with 5 MiB parts so multipart paths run on small files. */
export async function startOn(
  setup: LakeSetup,
): Promise<{ app: App; url: string; store: ObjectStore; stop(): Promise<void> }> {
  const { store, location, close } = await setup.open();
  const app = await buildApp(
    loadConfig({ LAKEQL_DEMO: 'never', LAKEQL_PORT: '0', LAKEQL_PART_SIZE: String(5 * 1024 * 1024) }),
    { store, location, log: () => {} },
  );
  const url = await app.start();
  return {
    app,
    url,
    store,
    stop: async () => {
      await app.stop();
      close();
    },
  };
}
