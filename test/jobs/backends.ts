// The stores job tests run on: the directory backend, and a fresh bucket on every S3 test server.
import { CountingStore } from '../../src/lake/store/counting.js';
import { LocalStore } from '../../src/lake/store/local/store.js';
import type { S3Store } from '../../src/lake/store/s3/store.js';
import type { ObjectStore } from '../../src/lake/store/types.js';
import { createBucket, s3Servers, s3StoreOn, type S3Server } from '../support/s3-servers.js';
import { tempDir } from './support.js';

export interface Backend {
  name: string;
  server?: S3Server;
  open(hint: string): Promise<{ store: ObjectStore; bucket?: string; close(): void }>;
}

export function backends(): Backend[] {
  return [
    {
      name: 'directory',
      // Counted, so tests can see the parts go through MultipartStore (the decorator keeps the generic uploader).
      open: async (hint) => ({
        store: new CountingStore(new LocalStore(await tempDir(`${hint}-lake`))),
        close: () => {},
      }),
    },
    ...s3Servers().map(
      (server): Backend => ({
        name: server.name,
        server,
        open: async (hint) => {
          const bucket = await createBucket(server, hint);
          const store: S3Store = s3StoreOn(server, bucket);
          return { store, bucket, close: () => store.close() };
        },
      }),
    ),
  ];
}
