// A small GraphQL-over-HTTP client for the CLI: queries and mutations as JSON POSTs, subscriptions as SSE, API key in a header.

export interface GatewayOptions {
  /** The gateway's origin or its /graphql URL. */
  url: string;
  apiKey?: string;
  fetch?: typeof fetch;
}

/** A failure the user can act on: the gateway is unreachable, refused the key, or answered with GraphQL errors. */
export class GatewayError extends Error {
  constructor(message: string, readonly code: string, readonly status?: number) {
    super(message);
    this.name = 'GatewayError';
  }
}

interface GraphQLPayload<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export class GatewayClient {
  readonly endpoint: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GatewayOptions) {
    this.endpoint = graphqlEndpoint(options.url);
    this.fetch = options.fetch ?? fetch;
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
    const response = await this.post({ query, variables }, 'application/graphql-response+json, application/json', signal);
    const payload = (await response.json().catch(() => ({}))) as GraphQLPayload<T>;
    return unwrap(payload, response.status);
  }

  /**
   * Calls `onNext` for every result of a subscription until the server completes it or `signal`
   * aborts. Resolves true when the server completed the stream, false when it ended early.
   */
  async subscribe<T>(query: string, variables: Record<string, unknown>, onNext: (data: T) => void | boolean, signal?: AbortSignal): Promise<boolean> {
    const response = await this.post({ query, variables }, 'text/event-stream', signal);
    if (!response.ok || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
      const payload = (await response.json().catch(() => ({}))) as GraphQLPayload<T>;
      unwrap(payload, response.status);
      throw new GatewayError(`expected an event stream, got HTTP ${response.status}`, 'PROTOCOL', response.status);
    }
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return false;
        buffer += value.replace(/\r\n/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = parseEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (event.type === 'complete') return true;
          if (event.type !== 'next' || event.data === '') continue;
          const stop = onNext(unwrap(JSON.parse(event.data) as GraphQLPayload<T>, response.status));
          if (stop === true) return true;
        }
      }
    } catch (error) {
      if (signal?.aborted) return false;
      throw error;
    } finally {
      reader.cancel().catch(() => {});
    }
  }

  private async post(body: unknown, accept: string, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    try {
      response = await this.fetch(this.endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new GatewayError(`cannot reach the gateway at ${this.endpoint}: ${cause?.code ?? cause?.message ?? (error as Error).message} (is \`lakeql serve\` running? set --url or LAKEQL_URL)`, 'UNREACHABLE');
    }
    if (response.status === 401) throw new GatewayError('the gateway wants an API key: pass --api-key or set LAKEQL_API_KEY', 'UNAUTHENTICATED', 401);
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
    throw new GatewayError(payload.errors.map((e) => e.message).join('; '), first.extensions?.code ?? 'GRAPHQL_ERROR', status);
  }
  if (payload.data == null) throw new GatewayError(`the gateway answered HTTP ${status} without data`, 'PROTOCOL', status);
  return payload.data;
}

function parseEvent(block: string): { type: string; data: string } {
  let type = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  return { type, data: data.join('\n') };
}

/** `http://host:4000`, `http://host:4000/` and `http://host:4000/graphql` all mean the same gateway. */
export function graphqlEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GatewayError(`not a URL: "${url}" (expected e.g. http://127.0.0.1:4000)`, 'USAGE');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new GatewayError(`not an http(s) URL: "${url}"`, 'USAGE');
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/graphql';
  return parsed.href;
}
