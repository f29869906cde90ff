// Lake: which backend and where, so a client knows what it is looking at.
import type { LakeLocation } from '../lake/store/open.js';
import { builder } from './builder.js';

const LakeKind = builder.enumType('LakeKind', {
  description: 'The storage backend of the lake.',
  values: {
    LOCAL: { value: 'LOCAL', description: "A directory on the server's file system." },
    S3: { value: 'S3', description: 'An S3 (or S3-compatible) bucket.' },
  } as const,
});

export const Lake = builder.objectRef<LakeLocation>('Lake').implement({
  description: 'Where the lake this gateway serves lives.',
  fields: (t) => ({
    kind: t.field({
      type: LakeKind,
      description: 'S3 bucket or local directory.',
      resolve: (l) => (l.kind === 's3' ? 'S3' : 'LOCAL'),
    }),
    bucket: t.string({
      nullable: true,
      description: 'Bucket name for S3; null for LOCAL.',
      resolve: (l) => (l.kind === 's3' ? l.bucket : null),
    }),
    prefix: t.string({
      nullable: true,
      description: 'Key prefix inside the bucket ("" for the whole bucket).',
      resolve: (l) => (l.kind === 's3' ? l.prefix : null),
    }),
    directory: t.string({
      nullable: true,
      description: 'Absolute directory for LOCAL; null for S3.',
      resolve: (l) => (l.kind === 'local' ? l.directory : null),
    }),
    url: t.string({
      description: 's3://bucket/prefix or file:///directory',
      resolve: (l) => (l.kind === 's3' ? `s3://${l.bucket}/${l.prefix}` : `file://${l.directory}`),
    }),
  }),
});

builder.queryField('lake', (t) =>
  t.field({
    type: Lake,
    description: 'The lake this gateway serves.',
    resolve: (_r, _a, ctx) => ctx.services.location,
  }),
);
