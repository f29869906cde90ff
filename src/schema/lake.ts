// Lake: which backend and where, so a client knows what it is looking at.
import type { LakeLocation } from '../lake/store/open.js';
import { builder } from './builder.js';

const LakeKind = builder.enumType('LakeKind', { values: ['LOCAL', 'S3'] as const });

export const Lake = builder.objectRef<LakeLocation>('Lake').implement({
  fields: (t) => ({
    kind: t.field({ type: LakeKind, resolve: (l) => (l.kind === 's3' ? 'S3' : 'LOCAL') }),
    bucket: t.string({ nullable: true, resolve: (l) => (l.kind === 's3' ? l.bucket : null) }),
    prefix: t.string({ nullable: true, description: 'Key prefix inside the bucket ("" for the whole bucket).', resolve: (l) => (l.kind === 's3' ? l.prefix : null) }),
    directory: t.string({ nullable: true, resolve: (l) => (l.kind === 'local' ? l.directory : null) }),
    url: t.string({ description: 's3://bucket/prefix or file:///directory', resolve: (l) => (l.kind === 's3' ? `s3://${l.bucket}/${l.prefix}` : `file://${l.directory}`) }),
  }),
});

builder.queryField('lake', (t) => t.field({ type: Lake, resolve: (_r, _a, ctx) => ctx.services.location }));
