// The console's GraphQL client: typed documents (./gql/), queries by persisted id over GET, JSON POSTs, subscriptions over SSE by graphql-sse, and multipart uploads with byte progress.
import { createClient, NetworkError } from 'graphql-sse';
import type { TypedDocumentString } from './gql/graphql.js';

export type ResultOf<D> = D extends TypedDocumentString<infer R, infer _V> ? R : never;

/** Yoga's CSRF prevention makes multipart (a "simple" request browsers send cross-site) carry this header. */
const CSRF_HEADER = 'x-graphql-yoga-csrf';
const ENDPOINT = '/graphql';
const KEY_STORAGE = 'lakeql.apiKey';

export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Kept for the tab's life only: a key in localStorage would outlive the session on a shared machine. */
export const apiKey = {
  get: (): string => sessionStorage.getItem(KEY_STORAGE) ?? '',
  set: (key: string): void => (key ? sessionStorage.setItem(KEY_STORAGE, key) : sessionStorage.removeItem(KEY_STORAGE)),
};

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = apiKey.get();
  return { ...extra, ...(key ? { authorization: `Bearer ${key}` } : {}) };
}

interface Payload<T> {
  data?: T | null;
  errors?: readonly { message: string; extensions?: { code?: string } }[];
}

function unwrap<T>(payload: Payload<T>, status: number): T {
  const error = payload.errors?.[0];
  if (error)
    throw new GraphQLRequestError(
      payload.errors!.map((e) => e.message).join('; '),
      error.extensions?.code ?? 'GRAPHQL_ERROR',
      status,
    );
  if (payload.data == null)
    throw new GraphQLRequestError(
      `HTTP ${status} without data`,
      status === 401 ? 'UNAUTHENTICATED' : 'PROTOCOL',
      status,
    );
  return payload.data;
}

/** Filled at build time by console/persisted-documents.ts: document text → id. Absent when this file runs outside the bundle. */
declare const __LAKEQL_DOCUMENT_IDS__: Record<string, string> | undefined;
const DOCUMENT_IDS: Record<string, string> =
  typeof __LAKEQL_DOCUMENT_IDS__ === 'undefined' ? {} : __LAKEQL_DOCUMENT_IDS__;

/**
 * Queries go as GET with their persisted id: no document text on the wire, and an answer the
 * browser (and a CDN) may keep for the gateway's max-age and revalidate with If-None-Match.
 * The CSRF header is what lets the gateway take a GET from a page. A gateway that does not
 * know the id (a build it has not loaded) gets the text once by POST instead.
 */
export async function request<R, V>(
  document: TypedDocumentString<R, V>,
  variables: V,
  signal?: AbortSignal,
): Promise<R> {
  const text = document.toString();
  const id = DOCUMENT_IDS[text];
  const accept = 'application/graphql-response+json, application/json';
  if (id !== undefined && /^\s*query\b/.test(text)) {
    const params = new URLSearchParams({ documentId: id, variables: JSON.stringify(variables) });
    // no-cache: the browser keeps the answer but asks again with If-None-Match (a 304 while the lake is
    // unchanged), so the page's own uploads show at once instead of after max-age.
    const response = await fetch(`${ENDPOINT}?${params}`, {
      method: 'GET',
      cache: 'no-cache',
      headers: headers({ [CSRF_HEADER]: '1', accept }),
      signal,
    });
    const payload = (await response.json().catch(() => ({}))) as Payload<R>;
    if (payload.errors?.[0]?.extensions?.code !== 'PERSISTED_QUERY_NOT_FOUND') return unwrap(payload, response.status);
  }
  const post = (body: unknown) =>
    fetch(ENDPOINT, {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json', accept }),
      body: JSON.stringify(body),
      signal,
    });
  if (id !== undefined && !/^\s*query\b/.test(text)) {
    const response = await post({ documentId: id, variables });
    const payload = (await response.json().catch(() => ({}))) as Payload<R>;
    if (payload.errors?.[0]?.extensions?.code !== 'PERSISTED_QUERY_NOT_FOUND') return unwrap(payload, response.status);
  }
  const response = await post({ query: text, variables });
  return unwrap((await response.json().catch(() => ({}))) as Payload<R>, response.status);
}

/** By id when the build gave it one (a gateway with LAKEQL_TRUSTED_DOCUMENTS takes nothing else), else the text. */
function operation<V>(
  document: TypedDocumentString<unknown, V>,
  variables: V,
): { documentId: string; variables: V } | { query: string; variables: V } {
  const text = document.toString();
  const id = DOCUMENT_IDS[text];
  return id !== undefined ? { documentId: id, variables } : { query: text, variables };
}

/**
 * Subscriptions over SSE in graphql-sse's distinct connections mode (one event stream per
 * operation, what Yoga serves), POSTed so the API key travels in a header, which EventSource
 * cannot send. A document with a persisted id goes by APQ's hash (an empty `query` makes the
 * gateway look it up), so a gateway that takes only trusted documents accepts it. No retries here:
 * the job views resume from the seq they last saw.
 */
const sse = createClient({
  // Absolute, as the library wants; resolved when a subscription starts, not when the module loads.
  url: () => new URL(ENDPOINT, location.href).href,
  retryAttempts: 0,
  headers: () => headers(),
});

/** What graphql-sse's error means for the page: the gateway's own error when it refused the stream with one. */
async function subscriptionError(error: unknown): Promise<Error> {
  if (!(error instanceof NetworkError) || !error.response) return error as Error;
  const response = error.response as Response;
  const payload = (await response.json().catch(() => ({}))) as Payload<unknown>;
  const first = payload.errors?.[0];
  return new GraphQLRequestError(
    first?.message ?? `subscription refused: HTTP ${response.status}`,
    first?.extensions?.code ?? 'HTTP',
    response.status,
  );
}

/**
 * Returns a function that stops the subscription; `onDone` runs once when it ends either way.
 * Like request(), a gateway that does not know the document's id gets the text once instead.
 */
export function subscribe<R, V>(
  document: TypedDocumentString<R, V>,
  variables: V,
  onNext: (data: R) => void,
  onDone: (error?: Error) => void,
): () => void {
  const text = document.toString();
  const id = DOCUMENT_IDS[text];
  let finished = false;
  let stop = () => {};
  const done = (error?: Error) => {
    if (finished) return;
    finished = true;
    stop();
    onDone(error);
  };
  const start = (byId: boolean) => {
    /** graphql-sse still calls a stopped subscription's sink (complete after a stop): a replaced one is ignored. */
    let replaced = false;
    const fail = (error: Error) => {
      if (replaced) return;
      if (byId && !finished && error instanceof GraphQLRequestError && error.code === 'PERSISTED_QUERY_NOT_FOUND') {
        replaced = true;
        stop();
        start(false);
      } else {
        done(error);
      }
    };
    const params = byId
      ? {
          query: '',
          variables: variables as Record<string, unknown>,
          extensions: { persistedQuery: { version: 1, sha256Hash: id } },
        }
      : { query: text, variables: variables as Record<string, unknown> };
    stop = sse.subscribe<R>(params, {
      next: (payload) => {
        // Results already read from the same chunk still arrive after a stop: they are not wanted.
        if (finished || replaced) return;
        try {
          onNext(unwrap(payload as Payload<R>, 200));
        } catch (error) {
          fail(error as Error);
        }
      },
      error: (error) => void subscriptionError(error).then(fail),
      complete: () => {
        if (!replaced) done();
      },
    });
  };
  start(id !== undefined);
  return () => done();
}

export interface UploadProgress {
  sent: number;
  total: number;
}

/**
 * One operation with one file, as the GraphQL multipart request spec lays it out: `operations`
 * with the file variable null, a `map` pointing part "0" at it, then the file. XMLHttpRequest,
 * not fetch: only it reports upload progress.
 */
export function upload<R, V extends { file: null }>(
  document: TypedDocumentString<R, V>,
  variables: V,
  file: File,
  onProgress: (p: UploadProgress) => void,
): Promise<R> {
  const form = new FormData();
  form.append('operations', JSON.stringify(operation(document, variables)));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', ENDPOINT);
    for (const [name, value] of Object.entries(
      headers({ [CSRF_HEADER]: '1', accept: 'application/graphql-response+json, application/json' }),
    ))
      xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => onProgress({ sent: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onerror = () => reject(new GraphQLRequestError('the upload could not reach the gateway', 'NETWORK', 0));
    xhr.onload = () => {
      try {
        resolve(unwrap(JSON.parse(xhr.responseText || '{}') as Payload<R>, xhr.status));
      } catch (error) {
        reject(
          error instanceof GraphQLRequestError
            ? error
            : new GraphQLRequestError(`HTTP ${xhr.status}: ${xhr.responseText.slice(0, 200)}`, 'HTTP', xhr.status),
        );
      }
    };
    xhr.send(form);
  });
}
