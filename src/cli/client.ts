// The CLI's GraphQL-over-HTTP client: typed documents (./gql/), queries and mutations as JSON POSTs, subscriptions over SSE by graphql-sse, API key in a header.
import { createClient, NetworkError } from 'graphql-sse';
import type { TypedDocumentString } from './gql/graphql.js';

export interface GatewayOptions {
  /** The gateway's origin or its /graphql URL. */
  url: string;
  apiKey?: string;
  fetch?: typeof fetch;
}

/** A failure the user can act on: the gateway is unreachable, refused the key, or answered with GraphQL errors. */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

interface GraphQLPayload<T> {
  data?: T | null;
  errors?: readonly { message: string; extensions?: { code?: string } }[];
}

export class GatewayClient {
  readonly endpoint: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GatewayOptions) {
    this.endpoint = graphqlEndpoint(options.url);
    this.fetch = options.fetch ?? fetch;
  }

  async request<R, V>(document: TypedDocumentString<R, V>, variables: V, signal?: AbortSignal): Promise<R> {
    const response = await this.post(JSON.stringify({ query: document.toString(), variables }), signal);
    const payload = (await response.json().catch(() => ({}))) as GraphQLPayload<R>;
    return unwrap(payload, response.status);
  }

  /**
   * Calls `onNext` for every result of a subscription until the server completes it, `onNext`
   * returns true, or `signal` aborts. Resolves true when the stream completed (or `onNext` ended
   * it), false when `signal` ended it. The event stream is graphql-sse's client in distinct
   * connections mode (one SSE response per operation, what Yoga serves); it does not retry: a
   * broken stream rejects with UNREACHABLE and the caller resumes with what it last saw.
   */
  subscribe<R, V>(
    document: TypedDocumentString<R, V>,
    variables: V,
    onNext: (data: R) => undefined | boolean,
    signal?: AbortSignal,
  ): Promise<boolean> {
    /** What our fetch threw: the library wraps it in a NetworkError that keeps only the message. */
    let refused: GatewayError | undefined;
    const client = createClient({
      url: this.endpoint,
      retryAttempts: 0,
      headers: () => this.headers(),
      fetchFn: (_url: string, init: RequestInit) =>
        this.post(init.body as string, init.signal ?? undefined, init.headers as Record<string, string>).catch(
          (error: unknown) => {
            if (error instanceof GatewayError) refused = error;
            throw error;
          },
        ),
    });
    return new Promise<boolean>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        stop();
        client.dispose();
        outcome();
      };
      const onAbort = () => settle(() => resolve(false));
      const stop = client.subscribe<R>(
        { query: document.toString(), variables: variables as Record<string, unknown> },
        {
          next: (payload) => {
            // Results already read from the same chunk still arrive after a stop: they are not wanted.
            if (settled) return;
            try {
              if (onNext(unwrap(payload as GraphQLPayload<R>, 200)) === true) settle(() => resolve(true));
            } catch (error) {
              settle(() => reject(error));
            }
          },
          error: (error) => {
            if (signal?.aborted) settle(() => resolve(false));
            else if (refused) settle(() => reject(refused));
            else streamFailure(error).then((failure) => settle(() => reject(failure)));
          },
          complete: () => settle(() => resolve(!signal?.aborted)),
        },
      );
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private headers(): Record<string, string> {
    return this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {};
  }

  private async post(
    body: string,
    signal?: AbortSignal,
    headers: Record<string, string> = {
      ...this.headers(),
      accept: 'application/graphql-response+json, application/json',
    },
  ): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetch(this.endpoint, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new GatewayError(
        `cannot reach the gateway at ${this.endpoint}: ${cause?.code ?? cause?.message ?? (error as Error).message} (is \`lakeql serve\` running? set --url or LAKEQL_URL)`,
        'UNREACHABLE',
      );
    }
    if (response.status === 401)
      throw new GatewayError(
        'the gateway wants an API key: pass --api-key or set LAKEQL_API_KEY',
        'UNAUTHENTICATED',
        401,
      );
    if (response.status === 403) {
      const payload = (await response.json().catch(() => ({}))) as GraphQLPayload<unknown>;
      throw new GatewayError(payload.errors?.[0]?.message ?? 'this API key may not do that', 'FORBIDDEN', 403);
    }
    return response;
  }
}

function unwrap<T>(payload: GraphQLPayload<T>, status: number): T {
  if (payload.errors?.length) {
    const first = payload.errors[0];
    throw new GatewayError(
      payload.errors.map((e) => e.message).join('; '),
      first.extensions?.code ?? 'GRAPHQL_ERROR',
      status,
    );
  }
  if (payload.data == null)
    throw new GatewayError(`the gateway answered HTTP ${status} without data`, 'PROTOCOL', status);
  return payload.data;
}

/**
 * Why graphql-sse gave up on a subscription: the gateway answered with something other than an
 * event stream (its GraphQL errors when it sent some), the stream broke (a restart, a proxy
 * timeout: UNREACHABLE, so the caller resumes), or it was not a GraphQL event stream.
 */
async function streamFailure(error: unknown): Promise<GatewayError> {
  if (error instanceof NetworkError && error.response) {
    const response = error.response as Response;
    const payload = (await response.json().catch(() => ({}))) as GraphQLPayload<unknown>;
    if (payload.errors?.length) {
      try {
        unwrap(payload, response.status);
      } catch (failure) {
        return failure as GatewayError;
      }
    }
    return new GatewayError(`expected an event stream, got HTTP ${response.status}`, 'PROTOCOL', response.status);
  }
  if (error instanceof NetworkError) return new GatewayError(`the event stream broke: ${error.message}`, 'UNREACHABLE');
  return new GatewayError(`the gateway sent a malformed event stream: ${(error as Error).message}`, 'PROTOCOL');
}

/** `http://host:4000`, `http://host:4000/` and `http://host:4000/graphql` all mean the same gateway. */
export function graphqlEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GatewayError(`not a URL: "${url}" (expected e.g. http://127.0.0.1:4000)`, 'USAGE');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new GatewayError(`not an http(s) URL: "${url}"`, 'USAGE');
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/graphql';
  return parsed.href;
}
