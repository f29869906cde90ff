// Label values for the Prometheus metrics: routes instead of raw paths, operation names bounded in number.
import type { DocumentNode, OperationDefinitionNode } from 'graphql';

export const METRICS_PATH = '/metrics';

/** Client-chosen operation names become label values: past this many distinct ones, the rest count as "other". */
const MAX_OPERATION_NAMES = 200;

/** The operation a request runs, as labels: its name (the first 200 distinct ones, then "other") and type. */
export class OperationLabels {
  private readonly names = new Set<string>();

  of(
    document: DocumentNode,
    operationName: string | null | undefined,
  ): { operation_name: string; operation_type: string } {
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
    );
    const operation = operationName
      ? operations.find((o) => o.name?.value === operationName)
      : operations.length === 1
        ? operations[0]
        : undefined;
    const name = operation?.name?.value;
    let label = name ?? 'anonymous';
    if (name !== undefined && !this.names.has(name)) {
      if (this.names.size >= MAX_OPERATION_NAMES) label = 'other';
      else this.names.add(name);
    }
    return { operation_name: label, operation_type: operation?.operation ?? 'unknown' };
  }
}

/** A handful of routes, never raw paths: keys and tickers in paths would make a series per object. */
export function routeOf(pathname: string): string {
  if (pathname === '/graphql' || pathname.startsWith('/graphql/')) return 'graphql';
  if (pathname.startsWith('/files/')) return 'files';
  if (pathname === '/v1/bars' || pathname.startsWith('/v1/bars/')) return 'bars';
  if (pathname === METRICS_PATH || pathname === '/health' || pathname === '/ready') return pathname.slice(1);
  if (pathname === '/' || pathname === '/index.html' || pathname.startsWith('/assets/') || pathname === '/favicon.svg')
    return 'console';
  return 'other';
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
