// Relay-style connections (edges, cursors, PageInfo) shared by every paginated field.
import type { ObjectRef } from '@pothos/core';
import { builder } from './builder.js';
import { badInput } from './errors.js';

export interface PageInfoShape {
  hasNextPage: boolean;
  endCursor: string | null;
  /** Absent for connections that only page forward; a function when it costs a read, so it is paid only when selected. */
  hasPreviousPage?: boolean | (() => Promise<boolean>);
  startCursor?: string | null;
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfoShape;
}

export const PageInfo = builder.objectRef<PageInfoShape>('PageInfo').implement({
  description: 'Where a page stands in its connection (Relay cursor connections).',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', {
      description: 'True when another page follows; ask for it with `after: endCursor`.',
    }),
    hasPreviousPage: t.boolean({
      resolve: (p) => (typeof p.hasPreviousPage === 'function' ? p.hasPreviousPage() : (p.hasPreviousPage ?? false)),
      description:
        "True when the connection holds items before this page's first (bars: ask for them with `last` and `before: startCursor`). Connections that only page forward always answer false.",
    }),
    startCursor: t.string({
      nullable: true,
      resolve: (p) => p.startCursor ?? null,
      description: "Cursor of the page's first edge; null when the page is empty.",
    }),
    endCursor: t.exposeString('endCursor', {
      nullable: true,
      description: "Cursor of the page's last edge; null when the page is empty.",
    }),
  }),
});

/** `XConnection { edges { cursor node } nodes pageInfo }` and `XEdge` for a node type. */
// biome-ignore lint/suspicious/noExplicitAny: any node type's ref, whatever its shape (Pothos refs are invariant in it)
export function connectionType<T>(name: string, node: ObjectRef<any, T>) {
  const Edge = builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
    description: `A ${name} and its cursor.`,
    fields: (t) => ({
      cursor: t.exposeString('cursor', { description: `Pass as \`after\` to start the next page after this ${name}.` }),
      // Pothos cannot relate a generic T to the ref's shape; the ref is ObjectRef<_, T>, so the cast is sound.
      node: t.field({ type: node, description: `The ${name}.`, resolve: (edge) => edge.node as never }),
    }),
  });
  return builder.objectRef<ConnectionShape<T>>(`${name}Connection`).implement({
    description: `A page of ${name} nodes.`,
    fields: (t) => ({
      edges: t.field({ type: [Edge], description: "The page's nodes with their cursors.", resolve: (c) => c.edges }),
      nodes: t.field({
        type: [node],
        description: "The page's nodes, without cursors.",
        resolve: (c) => c.edges.map((e) => e.node) as never,
      }),
      pageInfo: t.field({
        type: PageInfo,
        description: 'Whether another page follows, and the cursor to ask for it.',
        resolve: (c) => ({ startCursor: c.edges[0]?.cursor ?? null, ...c.pageInfo }),
      }),
    }),
  });
}

/** Validates `first` against 1..max, naming the argument and the cap in the error. */
export function checkFirst(first: number, max: number): number {
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badInput(`first must be between 1 and ${max}, got ${first}`, { argument: 'first', max });
  }
  return first;
}
