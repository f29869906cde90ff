// buildApp(config) → { yoga, start, stop }: the whole gateway, built apart from the listener so tests can call yoga.fetch.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.js';
import { barsExportPlugin } from './http/bars-export.js';
import { consolePlugin } from './http/console.js';
import { Metrics } from './http/metrics.js';
import { requestLogPlugin } from './http/request-log.js';
import { filesPlugin } from './http/files.js';
import { healthPlugin } from './http/health.js';
import { putUploadsPlugin } from './http/put-uploads.js';
import { uploadPlugin } from './http/upload-plugin.js';
import { attachWebSocket } from './http/websocket.js';
import { offlineGraphiQL } from './http/graphiql.js';
import { buildAuthenticator, graphiqlHeaders, securityPlugins, type SecurityDeps } from './http/security.js';
import { drainPlugin, type Drain } from './http/drain.js';
import { httpCachePlugin, type HttpCacheOptions } from './http/http-cache.js';
import { loadConsoleDocuments, loadDocuments, persistedDocumentsPlugin } from './http/persisted-documents.js';
import { responseCachePlugin } from './http/response-cache.js';
import { isAuthConfigured } from './auth/authenticator.js';
import { ensureDemoLake } from './lake/demo/create-demo-lake.js';
import { checkLake } from './lake/store/check-lake.js';
import type { LakeLocation } from './lake/store/open.js';
import { createLogger, yogaLogger, type Logger } from './log.js';
import { createContext, type Context } from './resolvers/context.js';
import { buildServices, type ServiceDeps, type Services } from './services/services.js';
import { maskError } from './schema/errors.js';
import { schema } from './schema/index.js';
import { TRACED_FIELDS } from './schema/traced-fields.js';

export interface AppDeps extends Omit<ServiceDeps, 'onS3Request' | 'onStoreCall'> {
  /** Structured logs (request lines, yoga's errors); silent unless given, so tests stay quiet (main.ts passes one). */
  logger?: Logger;
  /** Prometheus metrics served at /metrics; one without process metrics unless given (main.ts passes one with). */
  metrics?: Metrics;
  /** Clock, timer and JWT key seams for the security tests. */
  security?: SecurityDeps;
  /** Where multipart uploads wait on disk while a resolver reads a later file (src/http/upload-session.ts); the OS temp directory unless given. */
  uploadSpillDir?: string;
  /** The built console whose persisted documents are accepted by id; console/dist unless given. */
  consoleDirectory?: string;
}

export interface App {
  yoga: YogaServerInstance<Record<string, never>, Context>;
  services: Services;
  /** Fills the demo lake if asked, then listens; resolves with the URL served. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const logger = deps.logger ?? createLogger({ level: 'silent' });
  const log = deps.log ?? ((message: string) => logger.info(message));
  // Something the operator should look at that does not stop the gateway.
  const warn = deps.log ?? ((message: string) => logger.warn(message));
  const metrics = deps.metrics ?? new Metrics({ processMetrics: false });
  const { services, closeStore, closeRedis } = await buildServices(config, {
    ...deps,
    log,
    onS3Request: metrics.onS3Request,
    onStoreCall: metrics.onStoreCall,
  });
  const { store, location } = services;
  metrics.watchJobs(services.transfers.jobs);
  metrics.watchCatalog(services.catalog);

  // The console's documents (from its build) and LAKEQL_TRUSTED_DOCUMENTS, by id; the trusted file wins a shared id.
  const documents = new Map([
    ...(await loadConsoleDocuments(deps.consoleDirectory)),
    ...(config.trustedDocuments ? await loadDocuments(config.trustedDocuments) : []),
  ]);
  const caching: HttpCacheOptions = {
    lakeVersion: services.lakeVersion,
    maxAge: config.catalogMaxAge,
    authOn: isAuthConfigured(config.auth),
  };
  const responseCache = responseCachePlugin({
    lakeVersion: services.lakeVersion,
    maxAge: config.catalogMaxAge,
    maxEntries: config.responseCacheEntries,
  });

  // Set by stop(): from then on new requests and operations are refused (src/http/drain.ts).
  const drain: Drain = { stopping: false };
  const graphiql = offlineGraphiQL();
  const authenticator = buildAuthenticator(config, deps.security);
  // Loaded only when tracing is on: @envelop/opentelemetry brings the SDK's modules with it.
  const tracing = services.tracing
    ? (await import('./http/tracing.js')).tracingPlugins({ provider: services.tracing.provider, fields: TRACED_FIELDS })
    : [];
  const yoga = createYoga<Record<string, never>, Context>({
    schema,
    context: ({ request }) => createContext(services, request),
    maskedErrors: { maskError },
    logging: yogaLogger(logger),
    graphiql: { title: 'lakeql', defaultQuery: DEFAULT_QUERY, ...graphiqlHeaders(config) },
    renderGraphiQL: graphiql.render,
    // Body size is bodyLimitPlugin's (src/http/limits.ts): one cap for JSON, another for uploads.
    maxRequestBodySize: false,
    landingPage: false,
    // Request ids and timings first: they must see requests that later plugins answer early (401, 413, 429).
    // After auth, before any work: a revalidation that matches (304) costs nothing else (src/http/http-cache.ts).
    // Persisted documents resolve ids first: HTTP caching and the response cache judge and key the text.
    // Tracing (only when OTEL_* turned it on) first: the operation span then covers what every later plugin does on execute.
    plugins: [
      ...tracing,
      requestLogPlugin(logger),
      metrics.timingPlugin(),
      consolePlugin({ directory: deps.consoleDirectory }),
      graphiql.plugin,
      drainPlugin(drain),
      ...securityPlugins(config, { redis: services.redis, ...deps.security }, authenticator),
      persistedDocumentsPlugin({ documents, trustedOnly: config.trustedDocuments !== undefined }),
      httpCachePlugin(caching),
      ...(responseCache ? [responseCache] : []),
      metrics.endpointPlugin(),
      healthPlugin(store),
      filesPlugin(store, services.urlSigner),
      barsExportPlugin(services, caching),
      uploadPlugin({
        timeoutMs: config.limits.requestTimeoutMs,
        maxTokens: config.limits.maxTokens,
        spillDir: deps.uploadSpillDir,
        now: deps.security?.now,
        setTimer: deps.security?.setTimer,
      }),
      putUploadsPlugin(services.transfers),
    ],
  });

  let server: Server | undefined;
  let closeWebSocket: (() => Promise<void>) | undefined;
  return {
    yoga,
    services,
    async start() {
      // Parquet decoder threads load their wasm while the demo lake is checked and the port opened.
      services.bars.pool.warm();
      await checkLake(store, { name: lakeName(location), warn });
      if (location.kind === 'local' && (config.demo === 'always' || (config.demo === 'auto' && !config.lakeExplicit))) {
        const started = Date.now();
        const written = await ensureDemoLake(store);
        if (written) log(`created the demo lake in ${location.directory} (${Date.now() - started} ms)`);
      }
      const cleaned = await services.transfers
        .cleanUp()
        .catch((error: Error) => ({ aborted: [], errors: [error.message] }));
      if (cleaned?.aborted.length)
        log(`aborted ${cleaned.aborted.length} multipart uploads a previous run left unfinished`);
      if (cleaned?.errors.length)
        warn(`could not clean up unfinished multipart uploads: ${cleaned.errors.slice(0, 3).join('; ')}`);
      // After the clean-up, which leaves young uploads alone: the ones a resumed job continues.
      const resumed = await services.transfers.resumeJournaled();
      if (resumed.resumed || resumed.failed)
        log(
          `resumed ${resumed.resumed} journaled jobs a previous run left unfinished${resumed.failed ? `; ${resumed.failed} could not be resumed and failed` : ''}`,
        );
      server = createServer(metrics.countInFlight(yoga));
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.port, config.host, () => resolve());
      });
      closeWebSocket = attachWebSocket(server, yoga as never, {
        authenticator,
        maxPayload: config.limits.maxBodyBytes,
        maxConnections: config.limits.maxWsConnections,
        warn,
        error: (message) => logger.error(message),
      });
      const { port } = server.address() as AddressInfo;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      return `http://${host}:${port}${yoga.graphqlEndpoint}`;
    },
    /** A graceful stop within LAKEQL_SHUTDOWN_TIMEOUT_MS (SIGTERM): refuse new work, wind jobs down, let requests finish, cut the rest. */
    async stop() {
      // The bound runs from signal to exit: the last steps (cutting connections, closing the store and Redis, the
      // process's own exit) keep a fifth of it (at most 1 s) for themselves, so waiting steps end that much earlier.
      const deadline = Date.now() + config.shutdownTimeoutMs - Math.min(1000, config.shutdownTimeoutMs / 5);
      // 1. No new work: new connections are refused, requests and operations on open ones get 503.
      drain.stopping = true;
      const closing = server;
      server = undefined;
      const closed = closing ? new Promise<void>((resolve) => closing.close(() => resolve())) : Promise.resolve();
      closing?.closeIdleConnections();
      // 2. Jobs: cancelled, their multipart uploads aborted, the final state published to subscribers.
      await until(deadline, services.transfers.close());
      // 3. WebSockets: graphql-ws sends what it queued (those final states) before its close frame.
      await until(deadline, closeWebSocket?.());
      closeWebSocket = undefined;
      // 4. In-flight requests finish (a job's SSE stream ends with its final state) until the deadline; then they are cut.
      await until(deadline, closed);
      closing?.closeAllConnections();
      await closed;
      closeStore();
      // Last: the jobs' final snapshots above were saved and published through it.
      await closeRedis();
      // After everything that could still make a span: the last ones are exported, then the provider is unregistered.
      await services.tracing?.shutdown();
    },
  };
}

/** Waits for `work`, but not past `deadline` (epoch ms): a stuck step must not hold the shutdown bound hostage. */
async function until(deadline: number, work: Promise<unknown> | undefined): Promise<void> {
  if (!work) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => resolve(), Math.max(0, deadline - Date.now()));
  });
  await Promise.race([
    work.then(
      () => {},
      () => {},
    ),
    late,
  ]).finally(() => clearTimeout(timer));
}

const DEFAULT_QUERY = `# lakeql: the US-equity data lake over GraphQL. Try:
{
  lake { kind url }
  symbols(first: 5) {
    edges {
      node {
        ticker
        years {
          year
          tickFile { key size lastModified downloadUrl }
          fundamentals { quarter revenue netIncome eps }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

function lakeName(location: LakeLocation): string {
  return location.kind === 's3' ? `s3://${location.bucket}/${location.prefix}` : location.directory;
}
