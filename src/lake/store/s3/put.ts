// One-request PutObject without the SDK's middleware stack: the engine's fast path for the many small files of a backfill.
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import type { S3Client } from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { MAX_SOCKETS } from './client.js';
import { translateS3Error } from './errors.js';
import { contentLength, reportS3Request, type S3RequestEvent } from './observe.js';
import { inSpan } from '../../trace.js';

/**
 * Why: a backfill is thousands of objects of a few KB, where the SDK's per-request machinery
 * (about thirty middlewares, schema serde, endpoint rules) costs about three times the CPU of
 * the request itself. This path reuses what matters from the client — credential chain,
 * region, endpoint rules — and signs with the SDK's own SigV4 signer (@smithy/signature-v4),
 * given the SHA-256 of the body it computes once. It declines (returns undefined from `target`) whenever the endpoint needs
 * anything else (S3 Express, SigV4a, endpoint headers), and reports a redirect so the caller can
 * go through the SDK, which follows region redirects. Multipart stays with lib-storage.
 * Bypassing the SDK's stack also bypasses its request observers: each attempt reports itself to
 * the client's observers (s3/observe.ts), once, so S3 request metrics see it like any other.
 */

const SLICE = 64 * 1024;
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
  https: new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
};
const REDIRECT_CODES = new Set([
  'PermanentRedirect',
  'TemporaryRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
]);

interface Target {
  url: URL;
  region: string;
  service: string;
}

export class RedirectError extends Error {}

export interface FastPutOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (sent: number) => void;
}

export class S3FastPut {
  private resolved?: Promise<Target | undefined>;
  private signer?: SignatureV4;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /** The bucket's endpoint and signing scope, or undefined when this path must not be used. */
  target(): Promise<Target | undefined> {
    this.resolved ??= this.resolve().catch(() => undefined);
    return this.resolved;
  }

  async put(fullKey: string, body: Uint8Array, options: FastPutOptions, target: Target): Promise<{ etag?: string }> {
    // S3 paths are encoded once (uriEscapePath: false, as the SDK's S3 client signs them).
    this.signer ??= new SignatureV4({
      credentials: this.client.config.credentials,
      region: target.region,
      service: target.service,
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
    });
    const path = `${target.url.pathname.replace(/\/$/, '')}/${fullKey.split('/').map(encodeRfc3986).join('/')}`;
    // Given as a header, the body's hash is what the signer signs: the body is hashed once, here.
    const headers: Record<string, string> = {
      host: target.url.host,
      'content-length': String(body.byteLength),
      'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
    };
    if (options.contentType) headers['content-type'] = options.contentType;
    for (const [name, value] of Object.entries(options.metadata ?? {}))
      headers[`x-amz-meta-${name.toLowerCase()}`] = value.trim().replace(/\s+/g, ' ');
    const signed = await this.signer.sign({
      method: 'PUT',
      protocol: target.url.protocol,
      hostname: target.url.hostname,
      port: target.url.port ? Number(target.url.port) : undefined,
      path,
      query: {},
      headers,
    });
    try {
      // Named and described as the AWS SDK instrumentation describes the SDK's own requests (src/services/tracing.ts), which this one bypasses.
      const attributes = {
        'rpc.system': 'aws-api',
        'rpc.service': 'S3',
        'rpc.method': 'PutObject',
        'aws.s3.bucket': this.bucket,
        'cloud.region': target.region,
      };
      return await inSpan(
        'S3.PutObject',
        attributes,
        (span) =>
          send(target.url, path, signed.headers, body, options, (event) => {
            if (event.status) span.setAttribute('http.response.status_code', event.status);
            reportS3Request(this.client, event);
          }),
        SpanKind.CLIENT,
      );
    } catch (error) {
      if (error instanceof RedirectError) throw error;
      throw translateS3Error(error, { operation: 'PutObject', key: fullKey, bucket: this.bucket });
    }
  }

  private async resolve(): Promise<Target | undefined> {
    const config = this.client.config as S3Client['config'] & {
      serviceConfiguredEndpoint?: () => Promise<string | undefined>;
    };
    let endpoint: string | undefined;
    if (config.isCustomEndpoint && config.endpoint) {
      const e = await config.endpoint();
      endpoint = `${e.protocol}//${e.hostname}${e.port ? `:${e.port}` : ''}${e.path ?? ''}`;
    } else {
      endpoint = await config.serviceConfiguredEndpoint?.();
    }
    const resolved = await config.endpointProvider({
      Bucket: this.bucket,
      Region: await config.region(),
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
      ForcePathStyle: config.forcePathStyle,
      Accelerate: config.useAccelerateEndpoint,
      UseGlobalEndpoint: config.useGlobalEndpoint,
      DisableMultiRegionAccessPoints: config.disableMultiregionAccessPoints,
      ...(endpoint ? { Endpoint: endpoint } : {}),
    } as never);
    const schemes = (resolved.properties?.authSchemes ?? []) as {
      name?: string;
      signingRegion?: string;
      signingName?: string;
    }[];
    const scheme = schemes[0];
    if (scheme?.name !== 'sigv4' || resolved.properties?.backend || Object.keys(resolved.headers ?? {}).length > 0)
      return undefined;
    return {
      url: new URL(resolved.url.href),
      region: scheme.signingRegion ?? (await config.region()),
      service: scheme.signingName ?? 's3',
    };
  }
}

function send(
  url: URL,
  path: string,
  headers: Record<string, string>,
  body: Uint8Array,
  options: FastPutOptions,
  report: (event: S3RequestEvent) => void,
): Promise<{ etag?: string }> {
  const secure = url.protocol === 'https:';
  let reported = false;
  // A request can fail after its response began (a reset mid-body): whichever comes first is the attempt's outcome.
  const once = (event: S3RequestEvent) => {
    if (reported) return;
    reported = true;
    report(event);
  };
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(
      {
        agent: secure ? agents.https : agents.http,
        host: url.hostname,
        port: url.port || undefined,
        path,
        method: 'PUT',
        headers,
        signal: options.signal,
        timeout: 60_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => {
          once({ operation: 'PutObject', outcome: 'error', status: response.statusCode });
          reject(error);
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          const responseBytes = contentLength(response.headers);
          once({
            operation: 'PutObject',
            outcome: ok ? 'ok' : 'error',
            status,
            ...(ok && body.byteLength > 0 ? { requestBytes: body.byteLength } : {}),
            ...(ok && responseBytes !== undefined ? { responseBytes } : {}),
          });
          if (ok) {
            options.onProgress?.(body.byteLength);
            return resolve({ etag: response.headers.etag });
          }
          const text = Buffer.concat(chunks).toString('utf8');
          const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? (status === 301 ? 'PermanentRedirect' : undefined);
          if (code && (REDIRECT_CODES.has(code) || status === 301 || status === 307))
            return reject(new RedirectError(code));
          const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? `HTTP ${status}`;
          reject(
            Object.assign(new Error(message), {
              name: code ?? String(status),
              Code: code,
              $metadata: { httpStatusCode: status },
            }),
          );
        });
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', (error) => {
      once({ operation: 'PutObject', outcome: 'error' });
      reject(error);
    });
    if (body.byteLength < SLICE) {
      request.end(body);
      return;
    }
    // Pull-driven slices: a slice is counted when the socket asks for it, i.e. as bytes go out.
    let offset = 0;
    const stream = new Readable({
      highWaterMark: SLICE,
      read() {
        if (offset >= body.byteLength) return void this.push(null);
        const end = Math.min(body.byteLength, offset + SLICE);
        this.push(body.subarray(offset, end));
        offset = end;
        options.onProgress?.(offset);
      },
    });
    stream.pipe(request);
  });
}

/** SigV4 canonical URIs encode everything but unreserved characters, which encodeURIComponent nearly does. */
function encodeRfc3986(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
