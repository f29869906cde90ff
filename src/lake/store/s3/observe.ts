// One event per real HTTP attempt to S3, whether the SDK sends it (a middleware) or lakeql's fast PutObject path does (a direct call).
import type { S3Client } from '@aws-sdk/client-s3';
import { describeS3Error } from './errors.js';

/** One real HTTP attempt (retries included), for request counting in tests and metrics. */
export interface S3RequestEvent {
  /** The S3 API operation: "ListObjectsV2", "HeadObject", "PutObject", ... */
  operation: string;
  outcome: 'ok' | 'error';
  /** HTTP status, when a response arrived at all. */
  status?: number;
  /** Request body bytes (Content-Length), for PUT and UploadPart. */
  requestBytes?: number;
  /** Response body bytes the server announced (Content-Length); a body abandoned early moves fewer. */
  responseBytes?: number;
}

/**
 * Per client, not per store: requests that bypass the SDK's middleware stack (s3/put.ts) reach
 * the client's observers through here, so nothing that talks to S3 with that client is missed.
 */
const observers = new WeakMap<S3Client, ((event: S3RequestEvent) => void)[]>();
let observerSeq = 0;

/** For requests sent without the SDK: calls every observer of `client`, once. */
export function reportS3Request(client: S3Client, event: S3RequestEvent): void {
  for (const emit of observers.get(client) ?? []) emit(event);
}

/**
 * At the deserialize step, below the retry middleware: fires once per HTTP attempt, so retried
 * requests are counted as the server saw them. A failing listener never fails the request.
 */
export function observeRequests(client: S3Client, onRequest: (event: S3RequestEvent) => void): void {
  const emit = (event: S3RequestEvent) => {
    try {
      onRequest(event);
    } catch {
      // metrics must not break storage
    }
  };
  observers.set(client, [...(observers.get(client) ?? []), emit]);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String((context as { commandName?: string }).commandName ?? 'Unknown').replace(/Command$/, '');
      try {
        const result = await next(args);
        const response = result.response as { statusCode?: number; headers?: Record<string, string> } | undefined;
        const requestBytes = contentLength((args.request as { headers?: Record<string, string> } | undefined)?.headers);
        // A HEAD announces the object's length but sends no body.
        const responseBytes = operation === 'HeadObject' ? undefined : contentLength(response?.headers);
        emit({
          operation,
          outcome: 'ok',
          status: response?.statusCode,
          ...(requestBytes !== undefined ? { requestBytes } : {}),
          ...(responseBytes !== undefined ? { responseBytes } : {}),
        });
        return result;
      } catch (error) {
        emit({ operation, outcome: 'error', status: describeS3Error(error).status });
        throw error;
      }
    },
    { step: 'deserialize', name: `lakeqlRequestObserver${++observerSeq}`, priority: 'high' },
  );
}

export function contentLength(headers: Record<string, string | string[] | undefined> | undefined): number | undefined {
  const value = headers?.['content-length'] ?? headers?.['Content-Length'];
  const n = value === undefined || Array.isArray(value) ? NaN : Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
