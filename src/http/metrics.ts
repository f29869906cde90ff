// Prometheus metrics: GraphQL operation timings, HTTP requests, S3 requests and bytes, store calls, jobs by state; served at /metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isAsyncIterable, METRICS_PATH, OperationLabels, routeOf } from './metric-labels.js';
import { trackRequest } from './request-work.js';
import { JOB_KINDS, JOB_STATES, type JobSnapshot } from '../lake/jobs/types.js';
import type { S3RequestEvent } from '../lake/store/s3/store.js';
import type { StoreMethod } from '../lake/store/counting.js';

/** What the metrics read of the catalog index, at scrape time only. */
export interface CatalogSource {
  /** Files and symbols the index holds, and its estimated heap bytes; undefined when it holds nothing (off, or not built). */
  size(): { files: number; symbols: number; bytes: number } | undefined;
  refreshes: number;
  refreshFailures: number;
}

/** What the metrics need of the job service: the current jobs, and every snapshot it publishes. */
export interface JobSource {
  list(): Promise<JobSnapshot[]>;
  onPublish(listener: (snapshot: JobSnapshot) => void): () => void;
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop lag, GC); off in tests that build many apps. Default true. */
  processMetrics?: boolean;
  now?: () => number;
}

/** Seconds, for every latency histogram: one scale, so GraphQL and HTTP timings compare bucket for bucket. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Metrics {
  readonly registry = new Registry();
  private readonly now: () => number;
  private readonly operationLabels = new OperationLabels();
  private readonly operations: Histogram<'operation_name' | 'operation_type' | 'outcome'>;
  private readonly rejected: Counter<'phase'>;
  private readonly subscriptions: Gauge<'operation_name'>;
  private readonly httpRequests: Histogram<'route' | 'method' | 'status'>;
  private readonly httpInFlight: Gauge;
  private readonly httpReceived: Counter;
  private readonly s3Requests: Counter<'operation' | 'outcome'>;
  private readonly s3Bytes: Counter<'direction'>;
  private readonly storeCalls: Counter<'backend' | 'method'>;
  private readonly jobBytes: Counter<'kind'>;
  private readonly jobsFinished: Counter<'kind' | 'state'>;
  private jobSource: JobSource | undefined;
  private catalogSource: CatalogSource | undefined;
  /** Bytes already counted per running job, so each snapshot adds only what moved since the last. */
  private readonly jobProgress = new Map<string, number>();

  constructor(options: MetricsOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    const registers = [this.registry];
    this.operations = new Histogram({
      name: 'lakeql_graphql_operation_duration_seconds',
      help: 'GraphQL operations executed (queries and mutations), from execution start to result; outcome "error" when the result has errors.',
      labelNames: ['operation_name', 'operation_type', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.rejected = new Counter({
      name: 'lakeql_graphql_rejected_total',
      help: 'Operations refused before execution: unparsable, invalid, or over a limit.',
      labelNames: ['phase'],
      registers,
    });
    this.subscriptions = new Gauge({
      name: 'lakeql_graphql_subscriptions_active',
      help: 'Subscriptions currently open.',
      labelNames: ['operation_name'],
      registers,
    });
    this.httpRequests = new Histogram({
      name: 'lakeql_http_request_duration_seconds',
      help: 'HTTP requests by route, until the response head (a streamed body may take longer).',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.httpInFlight = new Gauge({
      name: 'lakeql_http_requests_in_flight',
      help: 'HTTP requests the gateway is still handling (this scrape included): from arrival until its handler is done and the work it left is too, which for a multipart request is after its body was read or given up and its temp files removed, even when the client has left.',
      registers,
    });
    this.httpReceived = new Counter({
      name: 'lakeql_http_requests_received_total',
      help: 'HTTP requests that reached the gateway (this scrape included), counted on arrival: with lakeql_http_requests_in_flight, tells that every request a client sent has been seen and finished.',
      registers,
    });
    this.s3Requests = new Counter({
      name: 'lakeql_s3_requests_total',
      help: 'HTTP requests to S3 by API operation and outcome, each retry attempt counted.',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.s3Bytes = new Counter({
      name: 'lakeql_s3_bytes_total',
      help: 'Bytes sent to S3 (request bodies) and received (response bodies), from Content-Length.',
      labelNames: ['direction'],
      registers,
    });
    this.storeCalls = new Counter({
      name: 'lakeql_store_calls_total',
      help: 'Object-store calls on the directory backend, by method.',
      labelNames: ['backend', 'method'],
      registers,
    });
    this.jobBytes = new Counter({
      name: 'lakeql_job_bytes_total',
      help: 'Bytes moved by backfill, download and upload jobs of this instance.',
      labelNames: ['kind'],
      registers,
    });
    this.jobsFinished = new Counter({
      name: 'lakeql_jobs_finished_total',
      help: 'Jobs of this instance that reached a final state.',
      labelNames: ['kind', 'state'],
      registers,
    });
    const metrics = this;
    new Gauge({
      name: 'lakeql_jobs',
      help: 'Jobs the job registry knows, by state and kind (all instances when the registry is shared).',
      labelNames: ['state', 'kind'],
      registers,
      async collect() {
        const jobs = (await metrics.jobSource?.list().catch(() => undefined)) ?? [];
        for (const state of JOB_STATES) for (const kind of JOB_KINDS) this.set({ state, kind }, 0);
        for (const job of jobs) this.inc({ state: job.state, kind: job.kind });
      },
    });
    const catalogGauge = (name: string, help: string, read: (c: CatalogSource) => number | undefined) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(metrics.catalogSource ? (read(metrics.catalogSource) ?? 0) : 0);
        },
      });
    catalogGauge('lakeql_catalog_index_keys', 'Files the in-memory catalog index holds.', (c) => c.size()?.files);
    catalogGauge(
      'lakeql_catalog_index_symbols',
      'Symbols the in-memory catalog index holds.',
      (c) => c.size()?.symbols,
    );
    catalogGauge(
      'lakeql_catalog_index_bytes',
      'Estimated heap bytes of the catalog index (see bench:index for the measured figure).',
      (c) => c.size()?.bytes,
    );
    catalogGauge(
      'lakeql_catalog_index_refreshes',
      'Catalog index refreshes (full listings) completed by this instance.',
      (c) => c.refreshes,
    );
    catalogGauge(
      'lakeql_catalog_index_refresh_failures',
      'Catalog index refreshes that failed (the index keeps answering within its bound).',
      (c) => c.refreshFailures,
    );
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'lakeql_' });
  }

  /** For `OpenStoreOptions.s3.onRequest`: one call per HTTP attempt. */
  readonly onS3Request = (event: S3RequestEvent): void => {
    this.s3Requests.inc({ operation: event.operation, outcome: event.outcome });
    if (event.requestBytes) this.s3Bytes.inc({ direction: 'sent' }, event.requestBytes);
    if (event.responseBytes) this.s3Bytes.inc({ direction: 'received' }, event.responseBytes);
  };

  /** For `CountingStore`'s `onCall` around the directory backend. */
  readonly onStoreCall = (method: StoreMethod, backend: string): void => {
    this.storeCalls.inc({ backend, method });
  };

  /** Reports the catalog index's size and refreshes at every scrape. */
  watchCatalog(source: CatalogSource): void {
    this.catalogSource = source;
  }

  /** Counts job bytes and final states from published snapshots, and the jobs gauge from the registry. */
  watchJobs(source: JobSource): () => void {
    this.jobSource = source;
    return source.onPublish((job) => {
      const seen = this.jobProgress.get(job.id) ?? 0;
      if (job.transferredBytes > seen) this.jobBytes.inc({ kind: job.kind }, job.transferredBytes - seen);
      if (job.state === 'SUCCEEDED' || job.state === 'FAILED' || job.state === 'CANCELLED') {
        // A job that ran here is in the map (QUEUED or RUNNING came first), so a repeated final state counts once.
        // A registered job that never ran (cancelled, expired) publishes its one final state on one instance only.
        if (this.jobProgress.delete(job.id) || job.startedAt === undefined)
          this.jobsFinished.inc({ kind: job.kind, state: job.state });
      } else if (job.state !== 'QUEUED' || job.expiresAt === undefined) {
        // Not a registered UPLOAD job waiting: the instance that claims it may be another one, which would leave this entry forever.
        this.jobProgress.set(job.id, Math.max(seen, job.transferredBytes));
      }
    });
  }

  /**
   * The HTTP server's request listener around `handle` (yoga's), counting each request in flight until the promise
   * `handle` returns settles and the work the request registered (request-work.ts) is done: a response that went
   * out, or a client that left, does not end a request still reading its body or removing its temp files.
   */
  countInFlight(
    handle: (req: IncomingMessage, res: ServerResponse) => unknown,
  ): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      this.httpReceived.inc();
      this.httpInFlight.inc();
      const done = () => this.httpInFlight.dec();
      const settled = trackRequest(req);
      let handled: unknown;
      try {
        handled = handle(req, res);
      } catch (error) {
        void settled().then(done);
        throw error;
      }
      void Promise.resolve(handled)
        .catch(() => {})
        .then(settled)
        .then(done);
    };
  }

  /** Timings: put first among the plugins, so requests answered early (401, 429, 413) are measured too. */
  timingPlugin(): Plugin {
    const started = new WeakMap<Request, number>();
    return {
      onRequest: ({ request }) => {
        started.set(request, this.now());
      },
      onResponse: ({ request, response }) => {
        const start = started.get(request);
        if (start === undefined) return;
        const url = new URL(request.url);
        this.httpRequests.observe(
          { route: routeOf(url.pathname), method: request.method, status: String(response.status) },
          (this.now() - start) / 1000,
        );
      },
      onParse:
        () =>
        ({ result }) => {
          if (result instanceof Error) this.rejected.inc({ phase: 'parse' });
        },
      onValidate:
        () =>
        ({ valid }) => {
          if (!valid) this.rejected.inc({ phase: 'validate' });
        },
      onExecute: ({ args }) => {
        const start = this.now();
        const labels = this.operationLabels.of(args.document, args.operationName);
        return {
          onExecuteDone: ({ result }) => {
            const failed = !isAsyncIterable(result) && (result.errors?.length ?? 0) > 0;
            this.operations.observe({ ...labels, outcome: failed ? 'error' : 'ok' }, (this.now() - start) / 1000);
          },
        };
      },
      onSubscribe: ({ args }) => {
        const { operation_name } = this.operationLabels.of(args.document, args.operationName);
        return {
          onSubscribeResult: ({ result }) => {
            if (!isAsyncIterable(result)) return;
            this.subscriptions.inc({ operation_name });
            return { onEnd: () => this.subscriptions.dec({ operation_name }) };
          },
        };
      },
    };
  }

  /** GET /metrics in the Prometheus text format; put after the security plugins, so auth applies to it. */
  endpointPlugin(): Plugin {
    return {
      onRequest: ({ request, url, endResponse }) => {
        if (url.pathname !== METRICS_PATH) return;
        if (request.method !== 'GET' && request.method !== 'HEAD')
          return endResponse(new Response('method not allowed', { status: 405 }));
        return this.registry
          .metrics()
          .then((text) => endResponse(new Response(text, { headers: { 'content-type': this.registry.contentType } })));
      },
    };
  }
}
