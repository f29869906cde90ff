// Which scopes an operation needs, read from the document before execution: operation type and root field names.
import { getOperationAST, Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Scope } from './principal.js';

/**
 * Query fields that expose jobs: who uploads what, from which server directories. They need
 * `write` like the mutations that start jobs. Add new job-ish query fields here.
 */
export const WRITE_QUERY_FIELDS: ReadonlySet<string> = new Set(['job', 'jobs']);

/**
 * Mutations need `write`; subscriptions too (every subscription follows a job); queries need
 * `read`, plus `write` when they touch a field of WRITE_QUERY_FIELDS. Root fields are collected
 * through fragments and inline fragments and regardless of @skip/@include, so no spelling of a
 * document hides a field from the check. A document whose operation cannot be chosen needs both.
 */
export function requiredScopes(document: DocumentNode, operationName?: string | null): Set<Scope> {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return new Set(['read', 'write']);
  if (operation.operation !== 'query') return new Set(['write']);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const needed = new Set<Scope>();
  for (const field of rootFieldNames(operation.selectionSet, fragments, new Set())) {
    needed.add(WRITE_QUERY_FIELDS.has(field) ? 'write' : 'read');
  }
  if (needed.size === 0) needed.add('read');
  return needed;
}

function rootFieldNames(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  seen: Set<string>,
): string[] {
  const names: string[] = [];
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) names.push(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      names.push(...rootFieldNames(selection.selectionSet, fragments, seen));
    else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // `seen` stops fragment cycles (validation rejects them, but this may run on any document).
      if (fragment && !seen.has(name)) {
        seen.add(name);
        names.push(...rootFieldNames(fragment.selectionSet, fragments, seen));
      }
    }
  }
  return names;
}
